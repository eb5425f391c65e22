/**
 * Recognises each of DfE's published files by its header and reads it into plain records.
 *
 * DfE has published the same figures under different column names (`fixed_excl` became
 * `suspension` in 2020/21), in different characteristic schemes (`characteristic_group` and
 * `characteristic` in Explore Education Statistics, `characteristic_desc` and `characteristic_1`
 * before it), with columns reordered and new ones added between releases, and in three encodings.
 * So a file is recognised by the set of columns it has, never by its name or column order: each
 * format lists its columns, each with the names it has gone by, and a file is the first format
 * whose required columns are all there (extra columns are ignored). A file that is none of them is
 * refused with the columns each format expects, and nothing is built.
 *
 * Cells are read with values.ts (symbols kept with their reasons, decimals kept, years in one form);
 * a value that is neither a number nor a symbol, or a year that is not one, is an InputIssue with
 * file, line and column, collected across the whole file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { scanCsv, type CsvEncoding } from '../../lib/validation/csv-scan';
import { clip, IssueList } from '../../lib/validation/issues';
import { InputError, unreadable } from '../errors';
import { decimalsOf, norm, parseAcademicYear, parseDfeNumber, SYMBOLS, type DfeNumber, type SymbolConvention } from './values';

export type DfeKind = 'school-exclusions' | 'area-exclusions' | 'characteristic-exclusions' | 'census-sen' | 'register' | 'la-region';

/** A column and the names it has gone by (compared after norm(): case, `_` and spaces do not matter). */
interface ColumnDef {
  key: string;
  names: string[];
  required: boolean;
}

interface FormatDef {
  kind: DfeKind;
  title: string;
  columns: ColumnDef[];
}

const req = (key: string, ...names: string[]): ColumnDef => ({ key, names, required: true });
const opt = (key: string, ...names: string[]): ColumnDef => ({ key, names, required: false });

/** The exclusion counts and rates, old and new names. */
const EXCLUSION_MEASURES = [
  req('headcount', 'headcount', 'enrolments', 'pupils'),
  req('perm', 'perm_excl', 'perm_excl_count', 'permanent_exclusions'),
  opt('perm_rate', 'perm_excl_rate'),
  req('susp', 'suspension', 'fixed_excl', 'fixed_excl_count', 'suspensions'),
  opt('susp_rate', 'susp_rate', 'suspension_rate', 'fixed_excl_rate'),
  req('one_plus', 'one_plus_susp', 'one_plus_fixed', 'one_plus_fixed_excl'),
  opt('one_plus_rate', 'one_plus_susp_rate', 'one_plus_fixed_rate')
];
const TIME = req('year', 'time_period', 'academic_year', 'year');
const LEVEL = req('level', 'geographic_level');

/** In order: the first whose required columns are all present wins, so the most specific come first. */
export const FORMATS: FormatDef[] = [
  {
    kind: 'school-exclusions',
    title: 'school-level exclusions (EES tidy format, by LAESTAB)',
    columns: [
      TIME,
      LEVEL,
      req('laestab', 'laestab', 'la_estab'),
      opt('estab', 'estab'),
      opt('old_la', 'old_la_code', 'la_code'),
      opt('new_la', 'new_la_code'),
      opt('la_name', 'la_name'),
      opt('region_code', 'region_code'),
      opt('region_name', 'region_name'),
      opt('academy_type', 'academy_type'),
      opt('school_type', 'school_type'),
      opt('urn', 'urn', 'school_urn'),
      opt('school_name', 'school_name'),
      ...EXCLUSION_MEASURES
    ]
  },
  {
    kind: 'characteristic-exclusions',
    title: 'exclusions by pupil characteristic (characteristic_group/characteristic, or characteristic_desc/characteristic_1)',
    columns: [
      TIME,
      LEVEL,
      req('char_group', 'characteristic_group', 'characteristic_desc'),
      req('char', 'characteristic', 'characteristic_1'),
      opt('school_type', 'school_type'),
      opt('old_la', 'old_la_code', 'la_code'),
      opt('new_la', 'new_la_code'),
      opt('la_name', 'la_name'),
      opt('region_code', 'region_code'),
      opt('region_name', 'region_name'),
      ...EXCLUSION_MEASURES
    ]
  },
  {
    kind: 'area-exclusions',
    title: 'national, regional and LA exclusions by school type (EES tidy format)',
    columns: [
      TIME,
      LEVEL,
      req('school_type', 'school_type'),
      opt('old_la', 'old_la_code', 'la_code'),
      opt('new_la', 'new_la_code'),
      opt('la_name', 'la_name'),
      opt('region_code', 'region_code'),
      opt('region_name', 'region_name'),
      opt('num_schools', 'num_schools'),
      ...EXCLUSION_MEASURES
    ]
  },
  {
    kind: 'census-sen',
    title: 'school census SEN counts by URN (performance-tables layout)',
    columns: [
      req('urn', 'urn'),
      req('nor', 'nor', 'totpups'),
      req('ehc', 'tsenelse', 'tsenelse_ehc', 'tsenele'),
      req('sen_support', 'tsenelk'),
      opt('pct_ehc', 'psenelse', 'psenele'),
      opt('pct_sen_support', 'psenelk'),
      opt('fsm', 'numfsm'),
      opt('fsm_ever', 'numfsmever'),
      opt('la', 'la', 'lea'),
      opt('estab', 'estab'),
      opt('school_type', 'schooltype', 'school_type'),
      opt('year', 'time_period', 'academic_year', 'academicyear')
    ]
  },
  {
    kind: 'register',
    title: 'school register lookup (LAESTAB to URN and name)',
    columns: [
      req('laestab', 'laestab', 'la_estab'),
      req('urn', 'urn'),
      req('name', 'schoolname', 'school_name', 'establishmentname', 'establishment_name'),
      opt('la', 'la', 'lea', 'la_code'),
      opt('year', 'academicyear', 'academic_year', 'time_period')
    ]
  },
  {
    kind: 'la-region',
    title: 'LA to region lookup',
    columns: [
      req('la', 'lea', 'la', 'la_code', 'old_la_code'),
      req('la_name', 'la_name', 'la name', 'lea name'),
      opt('region', 'region'),
      req('region_name', 'region_name', 'region name')
    ]
  }
];

/** One DfE file, read: its kind, encoding, the columns found, and its rows by column key. */
export interface DfeFile {
  kind: DfeKind;
  /** The path as given. */
  file: string;
  /** The base name, as errors and the manifest name it. */
  name: string;
  encoding: CsvEncoding;
  /** Column key -> the header name actually used. */
  columns: Record<string, string>;
  /** Old (`fixed_excl`) or new (`suspension`) names; decides what `x` means. */
  convention: SymbolConvention;
  rows: DfeRow[];
  /** For each rate column: the most decimal places it was written with (its precision). */
  precision: Record<string, number>;
}

/** A row: text cells by column key, numbers parsed, the academic year's start, and the line it is on. */
export interface DfeRow {
  line: number;
  text: Record<string, string>;
  num: Record<string, DfeNumber>;
  yearStart: number | null;
}

const NUMERIC: Record<DfeKind, string[]> = {
  'school-exclusions': ['headcount', 'perm', 'perm_rate', 'susp', 'susp_rate', 'one_plus', 'one_plus_rate'],
  'area-exclusions': ['headcount', 'perm', 'perm_rate', 'susp', 'susp_rate', 'one_plus', 'one_plus_rate', 'num_schools'],
  'characteristic-exclusions': ['headcount', 'perm', 'perm_rate', 'susp', 'susp_rate', 'one_plus', 'one_plus_rate'],
  'census-sen': ['nor', 'ehc', 'sen_support', 'pct_ehc', 'pct_sen_support', 'fsm', 'fsm_ever'],
  register: [],
  'la-region': []
};

/** What each format expects, one line each, for the "not recognised" error. */
export function expectedHeaders(): string {
  return FORMATS.map(
    (f) =>
      `${f.title}: ${f.columns
        .filter((c) => c.required)
        .map((c) => c.names.join(' or '))
        .join(', ')}`
  ).join('; ');
}

/** Which format a header is, and which header name each of its columns is under; null if none. */
export function recognise(header: string[]): { format: FormatDef; columns: Record<string, string> } | null {
  const normed = header.map(norm);
  for (const format of FORMATS) {
    const columns: Record<string, string> = {};
    let ok = true;
    for (const c of format.columns) {
      const i = normed.findIndex((h) => c.names.some((n) => norm(n) === h));
      if (i >= 0) columns[c.key] = header[i]!;
      else if (c.required) {
        ok = false;
        break;
      }
    }
    if (ok) return { format, columns };
  }
  return null;
}

/**
 * Read one DfE file. `year` (a start year) is the academic year of a file that names none (the
 * census file); a census file without a year column and without `year` is refused, never guessed.
 */
export function readDfeFile(file: string, opts: { year?: number } = {}): DfeFile {
  const name = path.basename(file);
  const issues = new IssueList();
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new InputError([{ file: name, line: 0, column: '', value: unreadable(e), expected: 'a readable file' }]);
  }
  const scan = scanCsv(bytes, name, issues, { collect: true });
  if (!scan) throw new InputError(issues.sorted(), issues.truncated);
  const header = scan.header.map((h) => h.trim());
  const found = recognise(header);
  if (!found) {
    throw new InputError([
      { file: name, line: 1, column: '', value: clip(header.join(','), 300), expected: `the header of one of DfE's files: ${expectedHeaders()}` }
    ]);
  }
  const { format, columns } = found;
  const idx: Record<string, number> = {};
  for (const [k, h] of Object.entries(columns)) idx[k] = header.indexOf(h);
  const oldNames = ['fixed_excl', 'one_plus_fixed', 'fixed_excl_rate'].some((n) => header.some((h) => norm(h) === norm(n)));
  const convention: SymbolConvention = oldNames ? 'sfr' : 'ees';
  const numeric = NUMERIC[format.kind].filter((k) => k in idx);
  const precision: Record<string, number> = {};
  const hasYearColumn = 'year' in idx;
  if (format.kind === 'census-sen' && !hasYearColumn && opts.year === undefined) {
    throw new InputError([
      {
        file: name,
        line: 1,
        column: '',
        value: clip(header.join(','), 200),
        expected: 'the academic year this census file is for, given with --year YYYY/YY (the file names no year, and the importer does not guess one)'
      }
    ]);
  }
  const rows: DfeRow[] = [];
  (scan.records ?? []).forEach((rec, i) => {
    const line = i + 2;
    const text: Record<string, string> = {};
    for (const [k, j] of Object.entries(idx)) text[k] = (rec[j] ?? '').trim();
    const num: Record<string, DfeNumber> = {};
    for (const k of numeric) {
      const v = parseDfeNumber(text[k]!, convention);
      if (!v) {
        issues.add({ file: name, line, column: columns[k]!, value: clip(text[k]!, 60), expected: `a number or one of DfE's symbols (${SYMBOLS.join(' ')})` });
        continue;
      }
      num[k] = v;
      if (v.value !== null && k.includes('rate')) precision[k] = Math.max(precision[k] ?? 0, decimalsOf(text[k]!));
    }
    let yearStart: number | null = null;
    if (hasYearColumn && text.year !== '') {
      yearStart = parseAcademicYear(text.year!);
      if (yearStart === null) {
        issues.add({ file: name, line, column: columns.year!, value: clip(text.year!, 40), expected: 'an academic year such as 201617 or 2016/17' });
      }
      if (yearStart !== null && opts.year !== undefined && format.kind === 'census-sen' && yearStart !== opts.year) {
        issues.add({ file: name, line, column: columns.year!, value: text.year!, expected: `the year given with --year (the file and the command line disagree)` });
      }
    } else if (format.kind === 'census-sen') yearStart = opts.year ?? null;
    rows.push({ line, text, num, yearStart });
  });
  if (issues.issues.length > 0) throw new InputError(issues.sorted(), issues.truncated);
  return { kind: format.kind, file, name, encoding: scan.encoding, columns, convention, rows, precision };
}
