/**
 * Reads and validates a council's pupil-level extract (the format in data/SCHEMA.md) into native
 * DuckDB, before anything is built from it.
 *
 * Each of the four files may be CSV (UTF-8 with or without a byte order mark, or Windows-1252, the
 * encoding Excel and many management information systems still export) or Parquet. A CSV file is
 * first scanned byte by byte in Node: that decides its encoding, rejects bytes that are text in
 * neither encoding, and finds structural faults (ragged rows, stray or unterminated quotes, line
 * breaks inside fields, empty lines) with the line they are on, which DuckDB's own errors do not
 * reliably give (its sniffer reports most of them without a line). Only a file that passes the scan
 * reaches DuckDB, read with the dialect fixed (no sniffing, so DuckDB cannot guess a comment
 * character or skip a line) and every column as text. Windows-1252 is transcoded into a temporary
 * UTF-8 copy first, because native DuckDB 1.5.5 cannot read it (and with a table of our own, because
 * this Node's TextDecoder gets Windows-1252 wrong); the input folder is only ever read.
 *
 * Values are then checked in SQL, column by column (format and code lists), and once every value is
 * well-formed, across rows and files (duplicates, unknown URNs, pupils not on roll, dates outside
 * their year, ...). Because the scan guarantees one record per line after the header, a table's
 * rowid + 2 is the record's line (DuckDB keeps insertion order); for Parquet it is the row number
 * + 1, so the same number points at the same record whichever format was exported.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isUtf8 } from 'node:buffer';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CATEGORIES,
  FIRST_YEAR,
  LAST_YEAR,
  PRIMARY_NEEDS,
  REASONS,
  SCHOOL_PHASES,
  SCHOOL_STATUSES,
  SCHOOL_TYPES,
  SEN_PROVISION,
  YEAR_GROUPS,
  YEAR_GROUPS_BY_PHASE,
  academicYear,
  reasonYears
} from './codes';
import { InputError, MAX_ISSUES, type InputIssue } from './errors';

type Check =
  | { kind: 'pattern'; re: string; expected: string }
  | { kind: 'codes'; codes: string[] }
  | { kind: 'int'; min: number; max: number }
  /** `YYYY/YY`, in range, with YY the year after YYYY. */
  | { kind: 'year' }
  /** `YYYY-MM-DD` and a date that exists. */
  | { kind: 'date' };

interface ColumnSpec {
  name: string;
  required: boolean;
  check: Check;
  /** A column added to the format later: files written before it may leave it out (read as empty). */
  mayBeAbsent?: boolean;
}

export interface FileSpec {
  table: string;
  /** The file's name as CSV; `NAME.parquet` is accepted in its place (one or the other). */
  file: string;
  columns: ColumnSpec[];
  /** For a file that must have at least one row: what an empty one is missing. */
  needsRows?: string;
}

const URN = { kind: 'pattern', re: '^[0-9]{6}$', expected: 'a 6-digit URN' } as const;
const REF = {
  kind: 'pattern',
  re: '^[A-Za-z0-9_-]{4,40}$',
  expected: 'a pseudonymous pupil reference (4 to 40 letters, digits, - or _)'
} as const;
const YEAR: Check = { kind: 'year' };
const codes = (list: Record<string, unknown> | string[]): Check => ({
  kind: 'codes',
  codes: Array.isArray(list) ? list : Object.keys(list)
});
const col = (name: string, check: Check, required = true): ColumnSpec => ({ name, check, required });

export const EXTRACT_FILES: FileSpec[] = [
  {
    table: 'in_schools',
    file: 'schools.csv',
    needsRows: 'at least one school (a file with only a header lists no schools)',
    columns: [
      col('urn', URN),
      col('laestab', { kind: 'pattern', re: '^[0-9]{7}$', expected: 'a 7-digit LAESTAB' }),
      col('name', { kind: 'pattern', re: '^.{1,200}$', expected: 'a school name of 1 to 200 characters' }),
      col('phase', codes(SCHOOL_PHASES)),
      col('type', codes(SCHOOL_TYPES)),
      col('status', codes(SCHOOL_STATUSES)),
      { ...col('trust', { kind: 'pattern', re: '^.{1,200}$', expected: 'a trust name of 1 to 200 characters' }, false), mayBeAbsent: true },
      col('la_code', { kind: 'pattern', re: '^[0-9]{3}$', expected: 'a 3-digit LA code' }),
      col('la_name', { kind: 'pattern', re: '^.{1,100}$', expected: 'an LA name' }),
      col('region', { kind: 'pattern', re: '^.{1,100}$', expected: 'a region name' })
    ]
  },
  {
    table: 'in_pupils',
    file: 'pupils.csv',
    needsRows: 'at least one pupil (a file with only a header has no pupils on roll)',
    columns: [
      col('academic_year', YEAR),
      col('pupil_ref', REF),
      col('urn', URN),
      col('year_group', codes(YEAR_GROUPS)),
      col('sen_provision', codes(SEN_PROVISION)),
      col('primary_need', codes(PRIMARY_NEEDS), false),
      col('fsm', codes(['0', '1']))
    ]
  },
  {
    // May be empty: an extract with no exclusions is unlikely but not wrong.
    table: 'in_exclusions',
    file: 'exclusions.csv',
    columns: [
      col('academic_year', YEAR),
      col('pupil_ref', REF),
      col('urn', URN),
      col('category', codes(CATEGORIES)),
      col('start_date', { kind: 'date' }),
      col('sessions', { kind: 'int', min: 1, max: 380 }, false),
      col('reason_1', codes(REASONS)),
      col('reason_2', codes(REASONS), false),
      col('reason_3', codes(REASONS), false)
    ]
  },
  {
    // May be empty: a council may have no comparator figures to hand.
    table: 'in_comparators',
    file: 'comparators.csv',
    columns: [
      col('area_type', codes(['England', 'Region', 'Neighbour'])),
      col('area_code', { kind: 'pattern', re: '^[A-Za-z0-9]{1,12}$', expected: 'an area code' }),
      col('area_name', { kind: 'pattern', re: '^.{1,100}$', expected: 'an area name' }),
      col('academic_year', YEAR),
      col('phase', codes(['All', 'Primary', 'Secondary', 'Special', 'Alternative provision'])),
      col('pupil_group', codes(['EHC plan', 'SEN support', 'No SEN', 'All pupils'])),
      col('pupils', { kind: 'int', min: 0, max: 20_000_000 }),
      col('suspensions', { kind: 'int', min: 0, max: 20_000_000 }),
      col('pupils_suspended', { kind: 'int', min: 0, max: 20_000_000 }),
      col('permanent_exclusions', { kind: 'int', min: 0, max: 20_000_000 })
    ]
  }
];

/** How each file was read: a CSV's encoding, or Parquet. */
export type InputFormat = 'utf-8' | 'utf-8 with BOM' | 'windows-1252' | 'parquet';

export interface LoadedExtract {
  /** Data rows (header excluded) per file, keyed by the CSV name (`pupils.csv`) whatever the format. */
  rows: Record<string, number>;
  /** The file actually read for each CSV name: `pupils.csv` -> `/dir/pupils.parquet`. Never a temporary copy. */
  files: Record<string, string>;
  /** How each file was read, keyed by the CSV name. */
  formats: Record<string, InputFormat>;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal. Only ever used for this module's constants and header-derived names. */
function lit(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Keep long values readable in a message; whole characters only. */
function clip(s: string, max = 80): string {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 3).join('')}...` : s;
}

class IssueList {
  readonly issues: InputIssue[] = [];
  truncated = false;
  add(i: InputIssue): void {
    if (this.issues.length >= MAX_ISSUES) this.truncated = true;
    else this.issues.push(i);
  }
  get full(): boolean {
    return this.issues.length >= MAX_ISSUES;
  }
  /** How many more issues a query should fetch: one past the room left, so truncation is noticed. */
  get fetch(): number {
    return Math.max(0, MAX_ISSUES - this.issues.length) + 1;
  }
  throwIfAny(): void {
    if (this.issues.length > 0) {
      // Stable sort: issues on one line keep the order the checks found them in.
      this.issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
      throw new InputError(this.issues, this.truncated);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// CSV scan: encoding and structure, in Node, before DuckDB sees the file.

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
/** Bytes Windows-1252 leaves undefined (WHATWG's decoder would turn them into C1 controls). */
const UNDEFINED_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

const NOT_TEXT = 'text in UTF-8 or Windows-1252 without control characters (is this a text export of the right file?)';

const FAULTS = {
  'stray-quote': 'a field containing a quote (") to be quoted as a whole, with the quote doubled ("")',
  'after-quote': 'a comma or line end straight after a closing quote (a quote inside a quoted field is doubled: "")',
  'line-break': 'a value on one line (this quoted field runs over a line break: is a closing quote missing?)'
} as const;
type Fault = keyof typeof FAULTS;

interface CsvScan {
  encoding: Exclude<InputFormat, 'parquet'>;
  header: string[];
  rows: number;
}

/** Offset of the first byte that does not start a valid UTF-8 sequence, or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const len = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (len < 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    const b1 = b[i + 1];
    if (b1 === undefined || b1 < lo || b1 > hi) return i;
    for (let k = 2; k <= len; k++) {
      const x = b[i + k];
      if (x === undefined || x < 0x80 || x > 0xbf) return i;
    }
    i += len + 1;
  }
  return -1;
}

/**
 * Windows-1252's characters for bytes 0x80-0x9F (the rest of the code page is Latin-1, byte value =
 * code point). Written out rather than left to `TextDecoder('windows-1252')` because Node 20.18.3+
 * and 22.13+ decode that label as Latin-1, turning 0x92 into the control U+0092 instead of U+2019
 * (nodejs/node#56542, #60888). The five bytes the code page leaves undefined keep their Latin-1
 * value; the scan rejects them before anything is decoded.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Decode Windows-1252 bytes (see CP1252_HIGH for why not TextDecoder). */
export function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

const hex = (b: number) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * Scan a CSV file's bytes. Returns its encoding, header and row count, or null when the file has a
 * problem (reported to `issues`), in which case it must not be loaded. The structural characters
 * (comma, quote, CR, LF) are ASCII and never part of a multi-byte UTF-8 sequence, so one byte-level
 * state machine serves both encodings.
 */
function scanCsv(bytes: Uint8Array, file: string, issues: IssueList): CsvScan | null {
  const n = bytes.length;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    issues.add({ file, line: 0, column: '', value: 'a UTF-16 byte order mark', expected: 'UTF-8 or Windows-1252 text (save the file as "CSV UTF-8")' });
    return null;
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const begin = bom ? 3 : 0;
  if (n === begin) {
    issues.add({ file, line: 0, column: '', value: '(empty file)', expected: 'a header line naming the columns, then one line per row' });
    return null;
  }
  // Valid UTF-8 is UTF-8; anything else is taken as Windows-1252, unless a byte order mark said
  // UTF-8, in which case the first invalid sequence is the error.
  const utf8 = isUtf8(bytes.subarray(begin));
  const badUtf8At = bom && !utf8 ? begin + firstInvalidUtf8(bytes.subarray(begin)) : -1;
  const encoding: CsvScan['encoding'] = bom ? 'utf-8 with BOM' : utf8 ? 'utf-8' : 'windows-1252';
  const utf8Decoder = new TextDecoder('utf-8');
  const decode = (a: number, b: number) =>
    encoding === 'windows-1252' ? decodeWindows1252(bytes.subarray(a, b)) : utf8Decoder.decode(bytes.subarray(a, b));

  const START = 0, UNQUOTED = 1, QUOTED = 2, CLOSED = 3; // CLOSED: just after a quote inside a quoted field
  let state = START;
  // (Cast, not annotated: the closures below assign it, which TypeScript's narrowing cannot see.)
  let header = null as string[] | null;
  const headerFields: string[] = [];
  let line = 1;
  let recLine = 1;
  let recStart = begin;
  let fieldStart = begin;
  let fieldIdx = 0;
  let fieldQuoted = false;
  let quoteLine = 0;
  let fault: Fault | null = null;
  let faultLine = 0;
  let recordFaulty = false;
  let fileFaulty = false;
  let rows = 0;
  const blanks: number[] = [];

  const column = (idx: number) => header?.[idx] ?? '';
  const report = (i: InputIssue) => {
    issues.add(i);
    fileFaulty = true;
  };
  const setFault = (f: Fault, atLine: number) => {
    if (fault === null) {
      fault = f;
      faultLine = atLine;
    }
  };
  const endField = (end: number) => {
    if (fault !== null && !recordFaulty) {
      recordFaulty = true;
      report({ file, line: faultLine, column: column(fieldIdx), value: clip(decode(fieldStart, end)), expected: FAULTS[fault] });
    }
    if (header === null) {
      const raw = decode(fieldStart, end);
      headerFields.push(fieldQuoted && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1).replaceAll('""', '"') : raw);
    }
    fieldIdx++;
    fault = null;
    fieldQuoted = false;
    state = START;
  };
  /** End of a record at `end` (exclusive); the next one starts at `next`, on line `line`. */
  const endRecord = (end: number, next: number): boolean => {
    if (fieldIdx === 0 && end === recStart && state === START) {
      // Nothing at all on the line. DuckDB skips such lines, which would shift every line number
      // after them, so they are allowed only at the end of the file (where editors often leave one).
      if (header === null) {
        report({ file, line: recLine, column: '', value: '(empty line)', expected: 'the header line first, naming the columns' });
        return false;
      }
      blanks.push(recLine);
    } else {
      endField(end);
      if (header === null) {
        header = [...headerFields];
      } else {
        for (const b of blanks) {
          report({ file, line: b, column: '', value: '(empty line)', expected: `a row of ${header.length} fields (empty lines are allowed only at the end of the file)` });
        }
        blanks.length = 0;
        rows++;
        if (!recordFaulty && fieldIdx !== header.length) {
          report({ file, line: recLine, column: '', value: clip(decode(recStart, end)), expected: `${header.length} fields, like the header (found ${fieldIdx})` });
        }
      }
    }
    fieldIdx = 0;
    recordFaulty = false;
    fieldStart = recStart = next;
    recLine = line;
    state = START;
    return !issues.full;
  };

  for (let i = begin; i < n; i++) {
    const b = bytes[i]!;
    // Bytes that are text in neither encoding: stop at the first (binary junk would bury the
    // report in thousands of them).
    let bad: string | null = null;
    if (b < 0x20 ? b !== 0x09 && b !== LF && b !== CR : b === 0x7f) bad = `byte ${hex(b)} (a control character)`;
    else if (i === badUtf8At) bad = `byte ${hex(b)} (not valid UTF-8)`;
    else if (b === 0xc2 && encoding !== 'windows-1252' && (bytes[i + 1] ?? 0) >= 0x80 && (bytes[i + 1] ?? 0) <= 0x9f) {
      // U+0080-U+009F: C1 controls, usually the trace of a file transcoded as Latin-1 by mistake.
      bad = `U+00${hex(bytes[i + 1]!).slice(2)} (a control character)`;
    } else if (encoding === 'windows-1252' && UNDEFINED_1252.has(b)) bad = `byte ${hex(b)} (not a character in UTF-8 or Windows-1252)`;
    if (bad !== null) {
      const expected = i === badUtf8At ? 'valid UTF-8 throughout (the file starts with a UTF-8 byte order mark)' : NOT_TEXT;
      issues.add({ file, line, column: header === null ? '' : column(fieldIdx), value: bad, expected });
      return null;
    }

    switch (state) {
      case START:
        if (b === QUOTE) {
          state = QUOTED;
          fieldQuoted = true;
          quoteLine = line;
          fieldStart = i;
        } else if (b === COMMA) {
          endField(i);
          fieldStart = i + 1;
        } else if (b === LF || b === CR) {
          // handled below with the other line ends
        } else {
          state = UNQUOTED;
          fieldStart = i;
        }
        break;
      case UNQUOTED:
        if (b === COMMA) {
          endField(i);
          fieldStart = i + 1;
        } else if (b === QUOTE) setFault('stray-quote', line);
        break;
      case QUOTED:
        if (b === QUOTE) state = CLOSED;
        else if (b === LF) {
          setFault('line-break', quoteLine);
          line++;
        } else if (b === CR) setFault('line-break', quoteLine);
        continue;
      case CLOSED:
        if (b === QUOTE) state = QUOTED; // a doubled quote
        else if (b === COMMA) {
          endField(i);
          fieldStart = i + 1;
        } else if (b !== LF && b !== CR) {
          setFault('after-quote', line);
          state = UNQUOTED;
        }
        break;
    }
    if (b === LF || b === CR) {
      let next = i + 1;
      if (b === CR) {
        if (bytes[i + 1] !== LF) {
          issues.add({ file, line, column: '', value: '\r', expected: 'lines that end in \\n or \\r\\n (this carriage return stands alone)' });
          return null;
        }
        next = i + 2;
        i++;
      }
      line++;
      if (!endRecord(i - (b === CR ? 1 : 0), next)) return null;
      fieldStart = next;
    }
  }
  if (state === QUOTED) {
    if (!recordFaulty) {
      // The field runs to the end of the file: show it up to the end of the line it starts on.
      const eol = bytes.indexOf(LF, fieldStart);
      const firstLine = decode(fieldStart, eol === -1 ? n : eol).replace(/\r$/, '');
      report({ file, line: quoteLine, column: column(fieldIdx), value: clip(firstLine), expected: 'a closing quote (") for the quoted field that starts here' });
    }
  } else if (!(fieldIdx === 0 && n === recStart && state === START)) {
    endRecord(n, n); // a last line without a line end
  }
  if (fileFaulty || header === null) return null;
  return { encoding, header, rows };
}

// ---------------------------------------------------------------------------------------------
// Loading a file into DuckDB.

/** Missing and duplicated column names; true when the columns the spec needs can be read. */
function checkHeader(spec: FileSpec, file: string, header: string[], issues: IssueList): boolean {
  let ok = true;
  for (const c of spec.columns) {
    if (!header.includes(c.name) && !c.mayBeAbsent) {
      issues.add({ file, line: 1, column: c.name, value: clip(header.join(','), 200), expected: `a header with a column named ${c.name}` });
      ok = false;
    }
  }
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) {
      issues.add({ file, line: 1, column: h, value: h, expected: 'each column named once' });
      ok = false;
    }
    seen.add(h);
  }
  return ok;
}

/** A DuckDB error about a whole file, without the (machine-specific) paths in it. */
function engineIssue(file: string, paths: string[], e: unknown, expected: string): InputIssue {
  let msg = e instanceof Error ? e.message : String(e);
  for (const p of paths) msg = msg.replaceAll(p, file);
  const m = /CSV Error on Line: (\d+)/.exec(msg);
  const first = msg.split('\n').find((l) => l.trim() !== '') ?? msg;
  return { file, line: m ? Number(m[1]) : 0, column: '', value: clip(first.trim(), 200), expected };
}

interface Loaded {
  rows: number;
  format: InputFormat;
}

async function loadCsv(conn: DuckDBConnection, spec: FileSpec, src: string, file: string, issues: IssueList, tmp: () => string): Promise<Loaded | null> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(src);
  } catch (e) {
    issues.add({ file, line: 0, column: '', value: (e as NodeJS.ErrnoException).code ?? String(e), expected: 'a readable file' });
    return null;
  }
  const scan = scanCsv(bytes, file, issues);
  if (!scan || !checkHeader(spec, file, scan.header, issues)) return null;
  if (scan.rows === 0 && spec.needsRows) {
    issues.add({ file, line: 2, column: '', value: '(no rows)', expected: spec.needsRows });
    return null;
  }
  let source = src;
  if (scan.encoding === 'windows-1252') {
    // Native DuckDB 1.5.5 cannot read Windows-1252 (encoding='CP1252' needs a downloaded
    // extension), so it reads a UTF-8 copy in a private temporary folder, never beside the input.
    source = path.join(tmp(), file);
    writeFileSync(source, decodeWindows1252(bytes), 'utf8');
  }
  // Columns are named by position (c0, c1, ...) so that any header, however odd its extra
  // columns' names, reads the same way; only the spec's columns are kept, under their own names.
  const columns = scan.header.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const select = spec.columns
    .map((c) => (scan.header.includes(c.name) ? `c${scan.header.indexOf(c.name)}` : 'NULL::VARCHAR') + ` AS ${quoteIdent(c.name)}`)
    .join(', ');
  try {
    await conn.run(
      `CREATE OR REPLACE TABLE ${spec.table} AS SELECT ${select} FROM read_csv($1, auto_detect = false, header = true, columns = {${columns}}, delim = ',', quote = '"', escape = '"', comment = '', strict_mode = true, null_padding = false)`,
      [source]
    );
  } catch (e) {
    issues.add(engineIssue(file, [source, src], e, 'a well-formed CSV file (comma separated, UTF-8 or Windows-1252)'));
    return null;
  }
  const rows = await count(conn, spec.table);
  if (rows !== scan.rows) {
    // The scan and DuckDB disagree about the records: line numbers could not be trusted.
    issues.add({ file, line: 0, column: '', value: `${rows} rows read by DuckDB, ${scan.rows} found by the scan`, expected: 'a CSV file that reads the same way in both readers (please report this file)' });
    return null;
  }
  return { rows, format: scan.encoding };
}

/**
 * How a Parquet column becomes text. Plain casts, except where a faithful writer would differ from
 * the CSV form: pandas writes a whole-number column with gaps as DOUBLE (2.0) and dates as
 * midnight timestamps, and a 0/1 flag may arrive as BOOLEAN.
 */
function parquetText(c: string, type: string): string {
  if (type === 'FLOAT' || type === 'DOUBLE' || type.startsWith('DECIMAL')) {
    return `CASE WHEN isnan(${c}::DOUBLE) THEN NULL WHEN ${c}::DOUBLE = trunc(${c}::DOUBLE) AND abs(${c}::DOUBLE) < 1e15 THEN CAST(CAST(${c} AS BIGINT) AS VARCHAR) ELSE CAST(${c} AS VARCHAR) END`;
  }
  if (type.startsWith('TIMESTAMP') && !type.includes('TIME ZONE')) {
    return `CASE WHEN CAST(${c} AS TIMESTAMP) = CAST(CAST(${c} AS DATE) AS TIMESTAMP) THEN CAST(CAST(${c} AS DATE) AS VARCHAR) ELSE CAST(${c} AS VARCHAR) END`;
  }
  if (type === 'BOOLEAN') return `CASE WHEN ${c} THEN '1' WHEN NOT ${c} THEN '0' END`;
  return `CAST(${c} AS VARCHAR)`;
}

async function loadParquet(conn: DuckDBConnection, spec: FileSpec, src: string, file: string, issues: IssueList): Promise<Loaded | null> {
  const expected = 'a readable Parquet file';
  let described: { name: string; type: string }[];
  try {
    const d = await conn.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($1)', [src]);
    described = d.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  } catch (e) {
    issues.add(engineIssue(file, [src], e, expected));
    return null;
  }
  if (!checkHeader(spec, file, described.map((d) => d.name), issues)) return null;
  const select = spec.columns
    .map((c) => {
      const found = described.find((d) => d.name === c.name);
      return `${found ? parquetText(quoteIdent(c.name), found.type) : 'NULL::VARCHAR'} AS ${quoteIdent(c.name)}`;
    })
    .join(', ');
  try {
    await conn.run(`CREATE OR REPLACE TABLE ${spec.table} AS SELECT ${select} FROM read_parquet($1)`, [src]);
  } catch (e) {
    issues.add(engineIssue(file, [src], e, expected));
    return null;
  }
  const rows = await count(conn, spec.table);
  if (rows === 0 && spec.needsRows) {
    issues.add({ file, line: 2, column: '', value: '(no rows)', expected: spec.needsRows });
    return null;
  }
  return { rows, format: 'parquet' };
}

async function count(conn: DuckDBConnection, table: string): Promise<number> {
  const r = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${table}`);
  return Number(r.getRowObjectsJS()[0]?.n ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Value checks.

/**
 * A SQL expression that is NULL when the (non-empty) value `c` passes the check, or else says what
 * was expected; `describe` is the check in words, for a required value that is missing.
 */
function checkSql(check: Check, c: string): { sql: string; describe: string } {
  switch (check.kind) {
    case 'pattern':
      return { sql: `CASE WHEN NOT regexp_full_match(${c}, ${lit(check.re)}) THEN ${lit(check.expected)} END`, describe: check.expected };
    case 'codes': {
      const expected = `one of ${check.codes.join(', ')}`;
      return { sql: `CASE WHEN ${c} NOT IN (${check.codes.map(lit).join(', ')}) THEN ${lit(expected)} END`, describe: expected };
    }
    case 'int': {
      const expected = `a whole number from ${check.min} to ${check.max}`;
      return {
        sql: `CASE WHEN NOT regexp_full_match(${c}, '-?[0-9]{1,18}') OR TRY_CAST(${c} AS BIGINT) NOT BETWEEN ${check.min} AND ${check.max} THEN ${lit(expected)} END`,
        describe: expected
      };
    }
    case 'year': {
      const start = `TRY_CAST(left(${c}, 4) AS INTEGER)`;
      const next = `lpad(((${start} + 1) % 100)::VARCHAR, 2, '0')`;
      return {
        sql: `CASE WHEN NOT regexp_full_match(${c}, '[0-9]{4}/[0-9]{2}') THEN 'an academic year like 2022/23'
                   WHEN ${start} NOT BETWEEN ${FIRST_YEAR} AND ${LAST_YEAR} THEN ${lit(`an academic year from ${academicYear(FIRST_YEAR)} to ${academicYear(LAST_YEAR)}`)}
                   WHEN right(${c}, 2) <> ${next} THEN 'an academic year whose second part is the year after the first (' || left(${c}, 4) || '/' || ${next} || ')' END`,
        describe: 'an academic year like 2022/23'
      };
    }
    case 'date':
      return {
        sql: `CASE WHEN NOT regexp_full_match(${c}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN 'a date like 2022-10-03'
                   WHEN TRY_CAST(${c} AS DATE) IS NULL THEN 'a date that exists, like 2022-10-03' END`,
        describe: 'a date like 2022-10-03'
      };
  }
}

async function checkColumns(conn: DuckDBConnection, spec: FileSpec, file: string, issues: IssueList): Promise<void> {
  for (const c of spec.columns) {
    if (issues.full) return;
    const ci = quoteIdent(c.name);
    const check = checkSql(c.check, ci);
    const empty = `(${ci} IS NULL OR trim(${ci}) = '')`;
    // A line break can only come from Parquet: the CSV scan rejects it first.
    const expected = `CASE WHEN ${empty} THEN ${c.required ? lit(`a value (this column is required): ${check.describe}`) : 'NULL'}
                          WHEN contains(${ci}, chr(10)) OR contains(${ci}, chr(13)) THEN 'a value on one line'
                          ELSE ${check.sql} END`;
    const r = await conn.runAndReadAll(
      `SELECT (rid + 2)::INTEGER AS line, coalesce(v, '') AS value, expected FROM (SELECT rowid AS rid, ${ci} AS v, ${expected} AS expected FROM ${spec.table})
       WHERE expected IS NOT NULL ORDER BY rid LIMIT ${issues.fetch}`
    );
    for (const row of r.getRowObjectsJS()) {
      issues.add({ file, line: Number(row.line), column: c.name, value: String(row.value), expected: String(row.expected) });
    }
  }
}

/**
 * Load the four extract files into tables `in_schools`, `in_pupils`, `in_exclusions`,
 * `in_comparators` (all text) and check them; throws InputError listing every problem found (up to
 * MAX_ISSUES). Files in `dir` are only read: a Windows-1252 file is transcoded into a temporary
 * folder that is removed before this returns.
 */
export async function loadExtract(conn: DuckDBConnection, dir: string): Promise<LoadedExtract> {
  const issues = new IssueList();
  const result: LoadedExtract = { rows: {}, files: {}, formats: {} };
  /** Table -> the name of the file it was read from, for the cross-file checks' messages. */
  const names: Record<string, string> = {};
  let tmpDir: string | null = null;
  const tmp = () => (tmpDir ??= mkdtempSync(path.join(os.tmpdir(), 'exclusions-extract-')));

  try {
    for (const spec of EXTRACT_FILES) {
      const stem = spec.file.replace(/\.csv$/, '');
      const csv = path.join(dir, spec.file);
      const parquet = path.join(dir, `${stem}.parquet`);
      const hasCsv = existsSync(csv);
      const hasParquet = existsSync(parquet);
      if (!hasCsv && !hasParquet) {
        issues.add({ file: spec.file, line: 0, column: '', value: '(missing)', expected: `a file named ${spec.file} (or ${stem}.parquet) in the extract folder` });
        continue;
      }
      if (hasCsv && hasParquet) {
        issues.add({ file: spec.file, line: 0, column: '', value: `both ${spec.file} and ${stem}.parquet`, expected: 'one of the two (which should be read is not clear)' });
        continue;
      }
      const file = hasCsv ? spec.file : `${stem}.parquet`;
      const src = hasCsv ? csv : parquet;
      const loaded = hasCsv ? await loadCsv(conn, spec, src, file, issues, tmp) : await loadParquet(conn, spec, src, file, issues);
      if (!loaded) continue;
      names[spec.table] = file;
      result.rows[spec.file] = loaded.rows;
      result.files[spec.file] = src;
      result.formats[spec.file] = loaded.format;
      await checkColumns(conn, spec, file, issues);
    }
    issues.throwIfAny();
    await crossChecks(conn, issues, names);
    issues.throwIfAny();
    return result;
  } finally {
    if (tmpDir !== null) rmSync(tmpDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Checks across rows and files, run once every value is well-formed (so casts cannot fail; TRY_CAST
// is used anyway so that a gap in the column checks shows as a message, not a crash).

/** Weekdays from `from` to `to` inclusive (both DATE expressions, from <= to): 5 per whole week plus the rest. */
export function weekdaysSql(from: string, to: string): string {
  const days = `(datediff('day', ${from}, ${to}) + 1)`;
  const dow = `(isodow(${from}) - 1)`; // 0 Monday .. 6 Sunday
  // Weekdays among the first x days of a week that starts on a Monday, for x in 0..13.
  const upTo = (x: string) => `(least(${x}, 5) + least(greatest(${x} - 7, 0), 5))`;
  return `(5 * (${days} // 7) + ${upTo(`${dow} + ${days} % 7`)} - ${upTo(dow)})`;
}

interface CrossCheck {
  table: string;
  column: string;
  /** SELECT returning `line`, `value`, `expected`. */
  sql: string;
}

/** `names`: table -> the file it was read from (`pupils.csv` or `pupils.parquet`), for the messages. */
function crossCheckList(names: Record<string, string>): CrossCheck[] {
  const schools = names.in_schools ?? 'schools.csv';
  const pupils = names.in_pupils ?? 'pupils.csv';
  /** The row's academic year's start, e.g. 2022 for 2022/23. */
  const y = `TRY_CAST(left(academic_year, 4) AS INTEGER)`;
  const filled = (c: string) => `coalesce(trim(${c}), '') <> ''`;
  /**
   * Rows whose `c` is not the most common value in schools.csv (the first met wins a tie); with
   * `sameLa`, among the schools of the most common LA code only, so that a school of another LA is
   * reported once, for its code, rather than for its code, name and region.
   */
  const notModal = (c: string, label: string, sameLa = false) => `
    WITH code AS (SELECT la_code AS v FROM in_schools GROUP BY la_code ORDER BY count(*) DESC, min(rowid) LIMIT 1),
         m AS (SELECT ${c} AS v FROM in_schools WHERE ${sameLa ? 'la_code = (SELECT v FROM code)' : 'TRUE'}
               GROUP BY ${c} ORDER BY count(*) DESC, min(rowid) LIMIT 1)
    SELECT s.rowid + 2 AS line, s.${c} AS value, ${lit(`the same ${label} as the other schools (`)} || m.v || ')' AS expected
    FROM in_schools s, m WHERE s.${c} <> m.v ${sameLa ? 'AND s.la_code = (SELECT v FROM code)' : ''}`;
  const phaseOf = `(SELECT urn, arg_min(phase, rowid) AS phase FROM in_schools GROUP BY urn)`;

  const checks: CrossCheck[] = [
    {
      table: 'in_schools',
      column: 'urn',
      sql: `SELECT rowid + 2 AS line, urn AS value, 'each URN listed once' AS expected FROM in_schools
            QUALIFY row_number() OVER (PARTITION BY urn ORDER BY rowid) > 1`
    },
    // An extract is one local authority's: a school of another LA (or a typo in its code) would be
    // counted in this LA's figures.
    { table: 'in_schools', column: 'la_code', sql: notModal('la_code', 'LA code') },
    { table: 'in_schools', column: 'la_name', sql: notModal('la_name', 'LA name', true) },
    { table: 'in_schools', column: 'region', sql: notModal('region', 'region', true) },
    {
      table: 'in_schools',
      column: 'laestab',
      sql: `SELECT rowid + 2 AS line, laestab AS value, 'a LAESTAB starting with the school''s LA code (' || la_code || ')' AS expected
            FROM in_schools WHERE left(laestab, 3) <> la_code`
    },
    {
      table: 'in_pupils',
      column: 'pupil_ref',
      sql: `SELECT rowid + 2 AS line, pupil_ref AS value, 'each pupil once per academic year (this pupil is already on roll that year)' AS expected
            FROM in_pupils QUALIFY row_number() OVER (PARTITION BY academic_year, pupil_ref ORDER BY rowid) > 1`
    },
    {
      table: 'in_pupils',
      column: 'urn',
      sql: `SELECT p.rowid + 2 AS line, p.urn AS value, ${lit(`a URN listed in ${schools}`)} AS expected FROM in_pupils p WHERE p.urn NOT IN (SELECT urn FROM in_schools)`
    },
    {
      table: 'in_pupils',
      column: 'primary_need',
      sql: `SELECT rowid + 2 AS line, coalesce(primary_need, '') AS value,
              CASE WHEN sen_provision = 'N' THEN 'no primary need for a pupil with no SEN (sen_provision N)'
                   WHEN NOT ${filled('primary_need')} THEN 'a primary need for a pupil with an EHC plan or SEN support (sen_provision ' || sen_provision || ')'
                   ELSE 'a primary need other than NSA for a pupil with an EHC plan (NSA is for SEN support only)' END AS expected
            FROM in_pupils
            WHERE (sen_provision = 'N' AND ${filled('primary_need')})
               OR (sen_provision IN ('E', 'K') AND NOT ${filled('primary_need')})
               OR (sen_provision = 'E' AND primary_need = 'NSA')`
    },
    {
      table: 'in_pupils',
      column: 'year_group',
      sql: `SELECT p.rowid + 2 AS line, p.year_group AS value,
              'one of ' || CASE s.phase ${Object.entries(YEAR_GROUPS_BY_PHASE)
                .map(([phase, groups]) => `WHEN ${lit(phase)} THEN ${lit(groups.join(', '))}`)
                .join(' ')} END || ' for a ' || s.phase || ' school (URN ' || s.urn || ')' AS expected
            FROM in_pupils p JOIN ${phaseOf} s ON p.urn = s.urn
            WHERE ${Object.entries(YEAR_GROUPS_BY_PHASE)
              .map(([phase, groups]) => `(s.phase = ${lit(phase)} AND p.year_group NOT IN (${groups.map(lit).join(', ')}))`)
              .join(' OR ')}`
    },
    {
      table: 'in_exclusions',
      column: 'urn',
      sql: `SELECT rowid + 2 AS line, urn AS value, ${lit(`a URN listed in ${schools}`)} AS expected FROM in_exclusions WHERE urn NOT IN (SELECT urn FROM in_schools)`
    },
    {
      // Only for known schools: an unknown URN is reported once, above, not twice.
      table: 'in_exclusions',
      column: 'pupil_ref',
      sql: `SELECT e.rowid + 2 AS line, e.pupil_ref AS value, ${lit(`a pupil on roll at this school in this academic year (${pupils})`)} AS expected
            FROM in_exclusions e
            ANTI JOIN in_pupils p ON e.pupil_ref = p.pupil_ref AND e.urn = p.urn AND e.academic_year = p.academic_year
            WHERE e.urn IN (SELECT urn FROM in_schools)`
    },
    {
      table: 'in_exclusions',
      column: 'start_date',
      sql: `SELECT rid + 2 AS line, start_date AS value,
              'a date inside the academic year ' || academic_year || ' (' || y || '-09-01 to ' || (y + 1) || '-08-31)' AS expected
            FROM (SELECT rowid AS rid, academic_year, start_date, ${y} AS y, TRY_CAST(start_date AS DATE) AS d FROM in_exclusions)
            WHERE d IS NULL OR d NOT BETWEEN make_date(y, 9, 1) AND make_date(y + 1, 8, 31)`
    },
    {
      table: 'in_exclusions',
      column: 'sessions',
      sql: `SELECT rowid + 2 AS line, coalesce(sessions, '') AS value,
              CASE WHEN category = 'SUSP' THEN 'the number of sessions for a suspension (a whole number from 1 to 380)'
                   ELSE 'no sessions for a permanent exclusion (leave it empty)' END AS expected
            FROM in_exclusions
            WHERE (category = 'SUSP' AND NOT ${filled('sessions')}) OR (category = 'PERM' AND ${filled('sessions')})`
    },
    {
      // No more than the school days left in the year: 2 sessions for each weekday from the start
      // date to 31 August (a generous bound: it counts holidays as school days).
      table: 'in_exclusions',
      column: 'sessions',
      sql: `SELECT rid + 2 AS line, sessions AS value,
              'at most ' || bound || ' sessions (2 for each weekday from the start date to 31 August ' || (y + 1) || ')' AS expected
            FROM (SELECT rowid AS rid, sessions, category, y, d, 2 * ${weekdaysSql('d', 'make_date(y + 1, 8, 31)')} AS bound
                  FROM (SELECT rowid, *, ${y} AS y, TRY_CAST(start_date AS DATE) AS d FROM in_exclusions)
                  WHERE d BETWEEN make_date(y, 9, 1) AND make_date(y + 1, 8, 31))
            WHERE category = 'SUSP' AND TRY_CAST(sessions AS INTEGER) > bound`
    },
    {
      table: 'in_exclusions',
      column: 'pupil_ref',
      sql: `SELECT rowid + 2 AS line, pupil_ref AS value, 'at most one permanent exclusion per pupil per school and year' AS expected
            FROM in_exclusions WHERE category = 'PERM'
            QUALIFY row_number() OVER (PARTITION BY academic_year, urn, pupil_ref ORDER BY rowid) > 1`
    }
  ];
  for (const [reason, nth] of [
    ['reason_2', 'second'],
    ['reason_3', 'third']
  ] as const) {
    checks.push({
      table: 'in_exclusions',
      column: reason,
      sql: `SELECT rowid + 2 AS line, ${reason} AS value,
              ${lit(`no ${nth} reason before 2020/21 (DfE recorded one reason per exclusion until 2019/20)`)} AS expected
            FROM in_exclusions WHERE ${y} < 2020 AND ${filled(reason)}`
    });
  }
  const dated = Object.entries(REASONS).filter(([, r]) => r.from !== undefined || r.to !== undefined);
  for (const reason of ['reason_1', 'reason_2', 'reason_3']) {
    checks.push({
      table: 'in_exclusions',
      column: reason,
      sql: `SELECT rowid + 2 AS line, ${reason} AS value,
              'a reason code in use in ' || academic_year || ' (' || ${reason} || ' is used ' ||
              CASE ${reason} ${dated.map(([code]) => `WHEN ${lit(code)} THEN ${lit(reasonYears(code))}`).join(' ')} END || ')' AS expected
            FROM in_exclusions
            WHERE ${dated.map(([code, r]) => `(${reason} = ${lit(code)} AND ${y} NOT BETWEEN ${r.from ?? 0} AND ${r.to ?? 9999})`).join(' OR ')}`
    });
  }
  checks.push(
    {
      table: 'in_comparators',
      column: 'pupil_group',
      sql: `SELECT rowid + 2 AS line, pupil_group AS value, 'each area, year, phase and pupil group once' AS expected FROM in_comparators
            QUALIFY row_number() OVER (PARTITION BY area_type, area_code, academic_year, phase, pupil_group ORDER BY rowid) > 1`
    },
    {
      table: 'in_comparators',
      column: 'pupils_suspended',
      sql: `SELECT rowid + 2 AS line, pupils_suspended AS value,
              'no more pupils suspended than suspensions (' || suspensions || ') or pupils (' || pupils || ')' AS expected
            FROM in_comparators
            WHERE TRY_CAST(pupils_suspended AS BIGINT) > TRY_CAST(suspensions AS BIGINT) OR TRY_CAST(pupils_suspended AS BIGINT) > TRY_CAST(pupils AS BIGINT)`
    }
  );
  return checks;
}

async function crossChecks(conn: DuckDBConnection, issues: IssueList, names: Record<string, string>): Promise<void> {
  for (const c of crossCheckList(names)) {
    if (issues.full) break;
    const r = await conn.runAndReadAll(
      `SELECT line::INTEGER AS line, value, expected FROM (${c.sql}) ORDER BY line LIMIT ${issues.fetch}`
    );
    for (const row of r.getRowObjectsJS()) {
      issues.add({ file: names[c.table] ?? c.table, line: Number(row.line), column: c.column, value: String(row.value ?? ''), expected: String(row.expected) });
    }
  }
}
