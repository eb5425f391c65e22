/**
 * Reads and validates a council's pupil-level extract (the format in data/SCHEMA.md) into native
 * DuckDB, before anything is built from it.
 *
 * Each of the four files may be CSV (UTF-8 with or without a byte order mark, or Windows-1252, the
 * encoding Excel and many management information systems still export) or Parquet. A CSV file is
 * first scanned byte by byte (src/lib/validation/csv-scan.ts, the same scan the explorer runs on an
 * analyst's own file in the browser): that decides its encoding, rejects bytes that are text in
 * neither encoding, and finds structural faults (ragged rows, stray or unterminated quotes, line
 * breaks inside fields, empty lines) with the line they are on, which DuckDB's own errors do not
 * reliably give (its sniffer reports most of them without a line). The usual file (UTF-8 with no
 * quote character in it) takes a faster check that accepts only what the scan accepts
 * (src/pipeline/csv-plain.ts) and runs while DuckDB loads it; any other file, or any doubt, gets the
 * full scan before DuckDB reads it. Only a file that passes reaches DuckDB, read with the dialect
 * fixed (no sniffing, so DuckDB cannot guess a comment character or skip a line) and every column
 * as text. Windows-1252 is transcoded into a temporary
 * UTF-8 copy first, because native DuckDB 1.5.5 cannot read it (and with a table of our own, because
 * this Node's TextDecoder gets Windows-1252 wrong); the input folder is only ever read.
 *
 * Values are then checked in SQL, column by column (format and code lists, from the contract's
 * shared rules in src/lib/validation/rules.ts, judged once per distinct value), and once every
 * value is well-formed, across rows and files (duplicates, unknown URNs, pupils not on roll, dates outside
 * their year, ...). Because the scan guarantees one record per line after the header, a table's
 * rowid + 2 is the record's line (DuckDB keeps insertion order); for Parquet it is the row number
 * + 1, so the same number points at the same record whichever format was exported.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CATEGORIES,
  PRIMARY_NEEDS,
  REASONS,
  SCHOOL_PHASES,
  SCHOOL_STATUSES,
  SCHOOL_TYPES,
  SEN_PROVISION,
  YEAR_GROUPS,
  YEAR_GROUPS_BY_PHASE,
  reasonYears
} from './codes';
import { InputError, unreadable, type InputIssue } from './errors';
import { makeTempDir } from './temp';
import { decodeWindows1252, scanCsv, type CsvEncoding } from '../lib/validation/csv-scan';
import { clip, IssueList as SharedIssueList } from '../lib/validation/issues';
import { URN, YEAR, codes, expectedSql, lit, quoteIdent, typedAsText, type Check } from '../lib/validation/rules';
import { plainCsv, plainHeader } from './csv-plain';

export { decodeWindows1252 };

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

const REF = {
  kind: 'pattern',
  re: '^[A-Za-z0-9_-]{4,40}$',
  expected: 'a pseudonymous pupil reference (4 to 40 letters, digits, - or _)'
} as const;
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
export type InputFormat = CsvEncoding | 'parquet';

export interface LoadedExtract {
  /** Data rows (header excluded) per file, keyed by the CSV name (`pupils.csv`) whatever the format. */
  rows: Record<string, number>;
  /** The file actually read for each CSV name: `pupils.csv` -> `/dir/pupils.parquet`. Never a temporary copy. */
  files: Record<string, string>;
  /** How each file was read, keyed by the CSV name. */
  formats: Record<string, InputFormat>;
}

/** The shared issue list, plus the pipeline's way of stopping: throw them all as one error. */
class IssueList extends SharedIssueList {
  throwIfAny(): void {
    if (this.issues.length > 0) throw new InputError(this.sorted(), this.truncated);
  }
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

/** The read_csv call for a file whose header is `header`: the dialect fixed, every column text. */
function readCsvSql(spec: FileSpec, header: string[], source: string): string {
  // Columns are named by position (c0, c1, ...) so that any header, however odd its extra
  // columns' names, reads the same way; only the spec's columns are kept, under their own names.
  const columns = header.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const select = spec.columns
    .map((c) => (header.includes(c.name) ? `c${header.indexOf(c.name)}` : 'NULL::VARCHAR') + ` AS ${quoteIdent(c.name)}`)
    .join(', ');
  return `CREATE OR REPLACE TABLE ${spec.table} AS SELECT ${select} FROM read_csv(${lit(source)}, auto_detect = false, header = true, columns = {${columns}}, delim = ',', quote = '"', escape = '"', comment = '', strict_mode = true, null_padding = false)`;
}

/**
 * The fast path for a plain file (UTF-8, no quotes: csv-plain.ts): DuckDB starts loading it at once
 * and the structural check runs in JavaScript meanwhile, on the main thread while DuckDB works on
 * its own. The load stands only if the check passed and both counted the same records; anything
 * else (including any problem at all) returns null, and the full scan then reads the file afresh
 * and reports what is wrong, exactly as if this path did not exist.
 */
async function loadPlainCsv(conn: DuckDBConnection, spec: FileSpec, src: string, bytes: Buffer): Promise<Loaded | null> {
  const plain = plainHeader(bytes);
  if (!plain || !checkHeader(spec, '', plain.header, new IssueList())) return null;
  // The path is inlined (a literal, not a parameter) so that the query starts before the check
  // below takes the main thread: a prepared statement would wait for the event loop.
  const load = conn.run(readCsvSql(spec, plain.header, src)).then(
    () => true,
    () => false
  );
  const rows = plainCsv(bytes, plain.begin, plain.header.length);
  const loaded = await load;
  if (rows === null || !loaded || (rows === 0 && spec.needsRows)) return null;
  if ((await count(conn, spec.table)) !== rows) return null;
  return { rows, format: plain.encoding };
}

async function loadCsv(conn: DuckDBConnection, spec: FileSpec, src: string, file: string, issues: IssueList, tmp: () => string): Promise<Loaded | null> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(src);
  } catch (e) {
    issues.add({ file, line: 0, column: '', value: unreadable(e), expected: 'a readable file' });
    return null;
  }
  const fast = await loadPlainCsv(conn, spec, src, bytes);
  if (fast) return fast;
  await conn.run(`DROP TABLE IF EXISTS ${spec.table}`);
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
  try {
    await conn.run(readCsvSql(spec, scan.header, source));
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
      return `${found ? typedAsText(quoteIdent(c.name), found.type) : 'NULL::VARCHAR'} AS ${quoteIdent(c.name)}`;
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
// Value checks (the rules themselves are shared with the explorer: src/lib/validation/rules.ts).

/**
 * The columns of a table that hold at least one value failing its check. A check looks at the value
 * alone, so it is judged once per distinct value: the same verdict as row by row, at a fraction of
 * the cost on a million rows whose columns hold a few codes each. One query for all the columns.
 * (The check sits inside an aggregate on purpose: as a WHERE on the distinct values, DuckDB's
 * optimiser pushes it below the DISTINCT and runs it on every row again.)
 */
async function failingColumns(conn: DuckDBConnection, spec: FileSpec): Promise<Set<string>> {
  const parts = spec.columns.map(
    (c, i) =>
      `SELECT ${i} AS i, count_if((${expectedSql(c.check, 'v', c.required)}) IS NOT NULL)::INTEGER AS n FROM (SELECT DISTINCT ${quoteIdent(c.name)} AS v FROM ${spec.table})`
  );
  const r = await conn.runAndReadAll(parts.join(' UNION ALL '));
  return new Set(r.getRowObjectsJS().filter((row) => Number(row.n) > 0).map((row) => spec.columns[Number(row.i)]!.name));
}

async function checkColumns(conn: DuckDBConnection, spec: FileSpec, file: string, issues: IssueList): Promise<void> {
  if (issues.full) return;
  const failing = await failingColumns(conn, spec);
  for (const c of spec.columns) {
    if (issues.full) return;
    // A column with nothing wrong would add no issue: its row-by-row query is not needed.
    if (!failing.has(c.name)) continue;
    const ci = quoteIdent(c.name);
    const expected = expectedSql(c.check, ci, c.required);
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
  // The copy holds pupil-level rows: removed however the run ends, or by the next run (temp.ts).
  let kept = () => {};
  const tmp = () => {
    if (tmpDir === null) ({ dir: tmpDir, done: kept } = makeTempDir(os.tmpdir(), 'exclusions-extract-'));
    return tmpDir;
  };

  // One clear sentence for a folder that is not there, rather than four missing files.
  const folder = statSync(dir, { throwIfNoEntry: false });
  if (!folder?.isDirectory()) {
    throw new InputError([{ file: dir, line: 0, column: '', value: folder ? 'a file' : '(missing)', expected: 'a folder holding the extract (schools, pupils, exclusions and comparators)' }]);
  }
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
    kept();
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
  /**
   * A cheaper SELECT of one count `n` that is above 0 whenever `sql` would return a row (it may be
   * above 0 when `sql` returns none: then `sql` runs and finds nothing). For the checks over a
   * million pupil rows, where it judges the distinct combinations of the columns a check reads
   * instead of every row; `sql` then runs only to find the lines of a file that has the fault.
   */
  any?: string;
}

/** `names`: table -> the file it was read from (`pupils.csv` or `pupils.parquet`), for the messages. */
/** The comparator file's count columns (data/SCHEMA.md). */
const COMPARATOR_COUNTS = ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions'] as const;

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
  // Conditions shared by a check and its cheaper test (`any`), which applies them to the distinct
  // combinations of the columns they read. (Inside count_if, not a WHERE: DuckDB would push a WHERE
  // below the DISTINCT, onto every row again.)
  const unknownUrn = `p.urn NOT IN (SELECT urn FROM in_schools)`;
  const needMismatch = `(sen_provision = 'N' AND ${filled('primary_need')})
               OR (sen_provision IN ('E', 'K') AND NOT ${filled('primary_need')})
               OR (sen_provision = 'E' AND primary_need = 'NSA')`;
  const groupMismatch = Object.entries(YEAR_GROUPS_BY_PHASE)
    .map(([phase, groups]) => `(s.phase = ${lit(phase)} AND p.year_group NOT IN (${groups.map(lit).join(', ')}))`)
    .join(' OR ');

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
            FROM in_pupils QUALIFY row_number() OVER (PARTITION BY academic_year, pupil_ref ORDER BY rowid) > 1`,
      // Two rows of one pupil and year have one hash; a collision only costs the exact query.
      any: `SELECT count(*) - count(DISTINCT hash(academic_year, pupil_ref)) AS n FROM in_pupils`
    },
    {
      table: 'in_pupils',
      column: 'urn',
      sql: `SELECT p.rowid + 2 AS line, p.urn AS value, ${lit(`a URN listed in ${schools}`)} AS expected FROM in_pupils p WHERE ${unknownUrn}`,
      any: `SELECT count_if(${unknownUrn}) AS n FROM (SELECT DISTINCT urn FROM in_pupils) p`
    },
    {
      table: 'in_pupils',
      column: 'primary_need',
      sql: `SELECT rowid + 2 AS line, coalesce(primary_need, '') AS value,
              CASE WHEN sen_provision = 'N' THEN 'no primary need for a pupil with no SEN (sen_provision N)'
                   WHEN NOT ${filled('primary_need')} THEN 'a primary need for a pupil with an EHC plan or SEN support (sen_provision ' || sen_provision || ')'
                   ELSE 'a primary need other than NSA for a pupil with an EHC plan (NSA is for SEN support only)' END AS expected
            FROM in_pupils
            WHERE ${needMismatch}`,
      any: `SELECT count_if(${needMismatch}) AS n FROM (SELECT DISTINCT sen_provision, primary_need FROM in_pupils)`
    },
    {
      table: 'in_pupils',
      column: 'year_group',
      sql: `SELECT p.rowid + 2 AS line, p.year_group AS value,
              'one of ' || CASE s.phase ${Object.entries(YEAR_GROUPS_BY_PHASE)
                .map(([phase, groups]) => `WHEN ${lit(phase)} THEN ${lit(groups.join(', '))}`)
                .join(' ')} END || ' for a ' || s.phase || ' school (URN ' || s.urn || ')' AS expected
            FROM in_pupils p JOIN ${phaseOf} s ON p.urn = s.urn
            WHERE ${groupMismatch}`,
      any: `SELECT count_if(${groupMismatch}) AS n FROM (SELECT DISTINCT urn, year_group FROM in_pupils) p JOIN ${phaseOf} s ON p.urn = s.urn`
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
  // Each reason of an exclusion counts once for that reason (aggregate.ts): a code given twice
  // would count the exclusion twice.
  for (const [reason, earlier] of [
    ['reason_2', ['reason_1']],
    ['reason_3', ['reason_1', 'reason_2']]
  ] as const) {
    checks.push({
      table: 'in_exclusions',
      column: reason,
      sql: `SELECT rowid + 2 AS line, ${reason} AS value,
              ${lit(`a reason other than ${earlier.join(' and ')} (each reason once per exclusion)`)} AS expected
            FROM in_exclusions WHERE ${filled(reason)} AND ${reason} IN (${earlier.join(', ')})`
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
    },
    // `All pupils` is published beside its three groups, so it must be their sum (the audit's
    // additive sets would otherwise refuse the release, naming a published file, not this one).
    // Checked where an area, year and phase has all three groups, each once.
    ...COMPARATOR_COUNTS.map(
      (c): CrossCheck => ({
        table: 'in_comparators',
        column: c,
        sql: `WITH parts AS (
                SELECT area_type, area_code, academic_year, phase, sum(TRY_CAST(${c} AS BIGINT)) AS total
                FROM in_comparators WHERE pupil_group IN ('EHC plan', 'SEN support', 'No SEN')
                GROUP BY ALL HAVING count(*) = 3 AND count(DISTINCT pupil_group) = 3 AND count(TRY_CAST(${c} AS BIGINT)) = 3
              )
              SELECT a.rowid + 2 AS line, a.${c} AS value,
                     'the sum of the EHC plan, SEN support and No SEN rows of ' || a.area_name || ', ' || a.academic_year || ', ' || a.phase || ' (' || p.total || ')' AS expected
              FROM in_comparators a JOIN parts p USING (area_type, area_code, academic_year, phase)
              WHERE a.pupil_group = 'All pupils' AND TRY_CAST(a.${c} AS BIGINT) <> p.total`
      })
    )
  );
  return checks;
}

async function crossChecks(conn: DuckDBConnection, issues: IssueList, names: Record<string, string>): Promise<void> {
  for (const c of crossCheckList(names)) {
    if (issues.full) break;
    if (c.any !== undefined) {
      const any = await conn.runAndReadAll(c.any);
      if (Number(any.getRowObjectsJS()[0]?.n ?? 1) === 0) continue;
    }
    const r = await conn.runAndReadAll(
      `SELECT line::INTEGER AS line, value, expected FROM (${c.sql}) ORDER BY line LIMIT ${issues.fetch}`
    );
    for (const row of r.getRowObjectsJS()) {
      issues.add({ file: names[c.table] ?? c.table, line: Number(row.line), column: c.column, value: String(row.value ?? ''), expected: String(row.expected) });
    }
  }
}
