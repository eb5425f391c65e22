/**
 * The values inside DfE's published files, read the one way the rest of the importer relies on:
 * numbers with DfE's symbols, academic years in every form DfE has written them, and names that
 * drift in case and punctuation between releases.
 *
 * Why a module of its own: the same cell text means different things in different releases (`x`
 * was "1 or 2 pupils, withheld" in the SFR-era files and is "not available" under the current
 * Explore Education Statistics symbols), and a symbol must never become 0 or a guess. Every parsed
 * number keeps the symbol it came from and why it is NULL, so the mapping into the data contract
 * (contract.ts) can choose the contract's flag and the build summary can say what happened.
 */

/** The contract's reasons for a NULL count (data/SCHEMA.md): confidential, not available, not applicable, rounds to zero. */
export type ContractFlag = 'c' | 'x' | 'z' | 'low';

/** A number from a DfE file: its value, or NULL with the contract flag, DfE's own symbol and the reason in words. */
export interface DfeNumber {
  value: number | null;
  flag: ContractFlag | null;
  /** The cell's text when it was a symbol (`x`, `c`, `NA`, ...), else null. */
  symbol: string | null;
  reason: string | null;
}

/**
 * Which symbol convention a file follows. `sfr`: the statistical first releases up to about 2017
 * (old names such as `fixed_excl`), where `x` withheld 1 or 2 pupils and `.` marked a rate on zero
 * pupils. `ees`: Explore Education Statistics (new names such as `suspension`), where `c` is
 * confidential and `x` not available.
 */
export type SymbolConvention = 'sfr' | 'ees';

interface SymbolMeaning {
  flag: ContractFlag;
  reason: string;
}

const COMMON: Record<string, SymbolMeaning> = {
  c: { flag: 'c', reason: 'withheld by DfE to protect confidentiality' },
  z: { flag: 'z', reason: 'not applicable' },
  low: { flag: 'low', reason: 'rounds to zero but is not zero' },
  u: { flag: 'x', reason: 'withheld by DfE as of low reliability' },
  ':': { flag: 'x', reason: 'not available' },
  '.': { flag: 'z', reason: 'not applicable (a rate on zero pupils)' },
  na: { flag: 'x', reason: 'missing (NA written by a tool)' },
  'n/a': { flag: 'x', reason: 'missing (n/a)' },
  null: { flag: 'x', reason: 'missing (NULL written by a tool)' },
  '': { flag: 'x', reason: 'empty' },
  supp: { flag: 'c', reason: 'withheld by DfE to protect confidentiality' }
};

const X_MEANS: Record<SymbolConvention, SymbolMeaning> = {
  sfr: { flag: 'c', reason: 'withheld by DfE: 1 or 2 pupils, or a figure built on them' },
  ees: { flag: 'x', reason: 'not available' }
};

/** The symbols a numeric cell may hold instead of a number, for error messages. */
export const SYMBOLS = ['x', 'c', 'z', '.', 'low', 'u', ':', 'NA', 'NULL', 'SUPP', '(empty)'];

const NUMBER = /^-?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$|^-?\.\d+$/;

/**
 * Parse one numeric cell. Decimals are kept as they are (DfE's weighted counts of the late 2000s
 * are like `3.3`); thousands separators and a trailing `%` are tolerated. Returns null for text
 * that is neither a number nor a known symbol, which the caller reports with file, line, column.
 */
export function parseDfeNumber(text: string, convention: SymbolConvention): DfeNumber | null {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (lower === 'x') return { value: null, symbol: t, ...X_MEANS[convention] };
  const sym = COMMON[lower];
  if (sym) return { value: null, symbol: t, ...sym };
  const bare = t.endsWith('%') ? t.slice(0, -1).trim() : t;
  if (!NUMBER.test(bare)) return null;
  return { value: Number(bare.replaceAll(',', '')), flag: null, symbol: null, reason: null };
}

/** Decimal places written in a number's text (`4.76` has 2, `7720` has 0). */
export function decimalsOf(text: string): number {
  const m = /\.(\d+)%?$/.exec(text.trim());
  return m ? m[1]!.length : 0;
}

// ---------------------------------------------------------------------------------------------
// Academic years.

/** The contract's label of the academic year starting in `start`: 2016 -> `2016/17`. */
export function yearLabel(start: number): string {
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
}

/**
 * The start year of an academic year written in any of DfE's forms: `201617` (EES `time_period`),
 * `2016/17`, `2016-17`, `2016/2017`, `2016-2017`, `2016 to 2017`, `2016/17 academic year`. With
 * `examYear`, a bare four-digit year is the calendar year the academic year ends in (performance
 * tables label a year by its summer exams: `2017` is 2016/17); without it a bare year is refused,
 * because it could mean either. Returns null when the text is not a year or its two halves are not
 * consecutive.
 */
export function parseAcademicYear(text: string, opts: { examYear?: boolean } = {}): number | null {
  const t = text.trim().toLowerCase().replace(/\s*academic year\s*$/, '').replace(/^ay\s*/, '');
  let m = /^(\d{4})(\d{2})$/.exec(t) ?? /^(\d{4})\s*(?:\/|-|–|to)\s*(\d{2})$/.exec(t);
  if (m) {
    const start = Number(m[1]);
    return (start + 1) % 100 === Number(m[2]) ? start : null;
  }
  m = /^(\d{4})\s*(?:\/|-|–|to)\s*(\d{4})$/.exec(t);
  if (m) return Number(m[2]) === Number(m[1]) + 1 ? Number(m[1]) : null;
  m = /^(\d{4})$/.exec(t);
  if (m && opts.examYear) return Number(m[1]) - 1;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Names.

/** A header or category for matching: lower case, `_`, `-` and punctuation as spaces, single spaces. */
export function norm(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[_\-,.'’()/]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A school type as the exclusions files write it (any case) -> the contract's phase, or `All` for a total. */
export function phaseOfSchoolType(text: string): 'All' | 'Primary' | 'Secondary' | 'Special' | 'Alternative provision' | null {
  const n = norm(text);
  if (n === 'total' || n === 'all schools' || n === 'state funded total') return 'All';
  if (/primary/.test(n)) return 'Primary';
  if (/secondary/.test(n)) return 'Secondary';
  if (/special/.test(n)) return 'Special';
  if (/pupil referral|alternative provision|\bpru\b/.test(n)) return 'Alternative provision';
  return null;
}

/** An SEN provision category, in either characteristic scheme and any casing -> the contract's pupil group. */
export function groupOfSenProvision(text: string): 'EHC plan' | 'SEN support' | 'No SEN' | 'Unclassified' | 'All pupils' | null {
  const n = norm(text).replace(/^sen provision\s*/, '');
  if (n === 'total' || n === 'all pupils') return 'All pupils';
  if (/\bno sen\b|no special educational need/.test(n)) return 'No SEN';
  if (/without statement|sen support|school action/.test(n)) return 'SEN support';
  if (/statement|ehc/.test(n)) return 'EHC plan';
  if (/unclassified|unknown/.test(n)) return 'Unclassified';
  return null;
}

/**
 * SEN primary need in DfE's words -> the contract's need codes (data/SCHEMA.md). Behavioural,
 * emotional and social difficulties (BESD, to 2013/14) is not the same category as social,
 * emotional and mental health (SEMH, from 2014/15), so it keeps a code of its own.
 */
export function needCodeOf(text: string): string | null {
  const n = norm(text).replace(/^sen primary need\s*/, '');
  const table: [RegExp, string][] = [
    [/autis/, 'ASD'],
    [/behaviour/, 'BESD'],
    [/social emotional and mental/, 'SEMH'],
    [/hearing/, 'HI'],
    [/visual|vision/, 'VI'],
    [/multi ?sensory/, 'MSI'],
    [/profound/, 'PMLD'],
    [/severe learning/, 'SLD'],
    [/moderate learning/, 'MLD'],
    [/specific learning/, 'SPLD'],
    [/speech/, 'SLCN'],
    [/physical/, 'PD'],
    [/no specialist assessment/, 'NSA'],
    [/other/, 'OTH']
  ];
  for (const [re, code] of table) if (re.test(n)) return code;
  return null;
}
