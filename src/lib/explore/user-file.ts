/**
 * An analyst's own file, dropped or picked on /explore: validated with the pipeline's rules, then
 * loaded into the explorer's DuckDB-WASM as a table of its own that can be joined to the published
 * tables. The file is read from memory in this browser tab and never sent anywhere.
 *
 * Validation, in the order a person fixing the file needs it:
 * 1. CSV: the pipeline's own byte-level scan (src/lib/validation/csv-scan.ts): encoding (UTF-8,
 *    UTF-8 with BOM or Windows-1252), control bytes, ragged rows, stray or unterminated quotes,
 *    line breaks in fields, empty lines, each with its line and column. Arrow: it must parse (file
 *    or stream format) and hold only columns of numbers, text, true/false or dates.
 * 2. The header: every column named, each name once (after names are made SQL-friendly: `Pupils on
 *    roll` becomes `pupils_on_roll`), and a comma-separated dialect (a semicolon file is named as such).
 * 3. Values, in DuckDB-WASM: a column named like a contract column (urn, laestab, academic_year,
 *    year_start, pupil_group, the counts and their `_flag` columns) must hold what the contract
 *    says (src/lib/validation/rules.ts, the SQL the pipeline runs); other columns are the analyst's
 *    own and may hold anything.
 *
 * Loading goes through a staging table of text (CSV) or the file's own types (Arrow), from which the
 * final table is created with each column typed: contract columns as the contract types them (a URN
 * stays text, so it joins the published `urn`), other CSV columns as whole numbers, decimals or
 * dates when every value is one, else text. Rows arrive by `insertArrowFromIPCStream`, which works
 * with external access off; nothing is registered as a file.
 */
import { Table, Type, Utf8, makeData, makeVector, tableFromIPC, tableToIPC, type DataType, type Vector } from 'apache-arrow';
import { ident, join, raw, sql, type Sql } from '$lib/data/sql';
import { scanCsv } from '$lib/validation/csv-scan';
import { clip, IssueList, type InputIssue } from '$lib/validation/issues';
import { contractRule, contractType, expectedSql, typedAsText } from '$lib/validation/rules';
import type { ExploreBackend } from './backend';

/**
 * A text column as an Arrow vector, built from its buffers. Not with apache-arrow's builders
 * (`vectorFromArray`): they compile their null check with `new Function`, which the site's Content
 * Security Policy rightly forbids (no 'unsafe-eval').
 */
export function utf8Vector(values: readonly (string | null)[]): Vector<Utf8> {
  const encoder = new TextEncoder();
  const n = values.length;
  const encoded = values.map((v) => (v === null ? null : encoder.encode(v)));
  const valueOffsets = new Int32Array(n + 1);
  const nullBitmap = new Uint8Array(Math.ceil(n / 8));
  let total = 0;
  let nullCount = 0;
  encoded.forEach((bytes, i) => {
    if (bytes === null) nullCount++;
    else {
      nullBitmap[i >> 3]! |= 1 << (i & 7);
      total += bytes.length;
    }
    valueOffsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  encoded.forEach((bytes, i) => {
    if (bytes) data.set(bytes, valueOffsets[i]!);
  });
  return makeVector(makeData({ type: new Utf8(), length: n, nullCount, nullBitmap, valueOffsets, data }));
}

/** Big enough for a national school-level file; small enough for a browser tab's memory. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

const STAGE = 'explore_staging';

export interface UserColumn {
  /** The column's name in SQL. */
  name: string;
  /** Its name in the file, when that differs. */
  original: string;
  /** DuckDB's type for it (VARCHAR, INTEGER, …). */
  type: string;
}

export interface UserTable {
  /** The table's name in SQL. */
  name: string;
  file: string;
  rows: number;
  /** `CSV (UTF-8)`, `CSV (Windows-1252)`, `Arrow`, … */
  format: string;
  columns: UserColumn[];
}

export type UserFileOutcome =
  | { ok: true; table: UserTable }
  | { ok: false; file: string; issues: InputIssue[]; truncated: boolean };

export interface DroppedFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * A name as an SQL identifier: lower case, runs of anything but letters and digits become `_`, and a
 * name starting with a digit gets a `c_` in front (`2023 Total` -> `c_2023_total`). '' for a name
 * with no letters or digits at all.
 */
export function sqlName(raw: string): string {
  const base = raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (base === '') return '';
  return /^[0-9]/.test(base) ? `c_${base}` : base;
}

/** The table's name for a file: its name without the extension, never a published table's name. */
export function tableNameFor(file: string, published: readonly string[]): string {
  const stem = file.replace(/\.[^.]*$/, '');
  const name = sqlName(stem) || 'my_file';
  return published.includes(name) || name === STAGE ? `my_${name}` : name;
}

export type FileFormat = 'csv' | 'arrow' | 'parquet' | 'spreadsheet' | 'unknown';

/** What a file is, by its first bytes where they say, else by its extension. */
export function detectFormat(name: string, bytes: Uint8Array): FileFormat {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 6) === 'ARROW1') return 'arrow';
  // An Arrow IPC stream starts with a continuation marker (0xFFFFFFFF) before its schema message.
  if (bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff) return 'arrow';
  if (ascii(0, 4) === 'PAR1') return 'parquet';
  if (ascii(0, 2) === 'PK' || (bytes[0] === 0xd0 && bytes[1] === 0xcf)) return 'spreadsheet';
  if (/\.(arrow|arrows|feather|ipc)$/i.test(name)) return 'arrow';
  if (/\.parquet$/i.test(name)) return 'parquet';
  if (/\.(xlsx|xls|ods)$/i.test(name)) return 'spreadsheet';
  return 'csv';
}

const fileIssue = (file: string, value: string, expected: string): InputIssue => ({ file, line: 0, column: '', value, expected });

/**
 * SQL names for the header, with problems reported: a name missing, a name twice, two names that
 * become the same SQL name. Returns null when the header cannot be used.
 */
function headerNames(file: string, header: readonly string[], issues: IssueList, lineOne: number): string[] | null {
  const names = header.map((h) => sqlName(h));
  const seen = new Map<string, number>();
  let ok = true;
  header.forEach((h, i) => {
    if (names[i] === '') {
      issues.add({
        file,
        line: lineOne,
        column: h === '' ? `(column ${i + 1})` : h,
        value: h,
        expected: 'a name with at least one letter or digit for every column in the header'
      });
      ok = false;
      return;
    }
    const first = seen.get(names[i]!);
    if (first !== undefined) {
      const same = header[first] === h;
      issues.add({
        file,
        line: lineOne,
        column: h,
        value: h,
        expected: same ? 'each column named once' : `each column named once (“${header[first]}” and “${h}” would both be called ${names[i]})`
      });
      ok = false;
    } else seen.set(names[i]!, i);
  });
  return ok ? names : null;
}

async function dropStage(backend: ExploreBackend): Promise<void> {
  await backend.query(sql`DROP TABLE IF EXISTS ${ident(STAGE, [STAGE])}`);
}

/** Contract checks on the staged table; `asText(name)` is the column read as the text the rules check. */
async function checkValues(
  backend: ExploreBackend,
  file: string,
  names: readonly string[],
  originals: readonly string[],
  asText: (column: Sql, name: string) => string,
  issues: IssueList
): Promise<void> {
  for (const [i, name] of names.entries()) {
    const rule = contractRule(name);
    if (!rule || issues.full) continue;
    // The rule's SQL is built from the shared module's constants around a column reference that
    // ident() has vetted (a name from this file's own header, made SQL-safe by sqlName).
    const text = asText(ident(name, names), name);
    const rows = await backend.query<{ line: number; value: string; expected: string }>(
      sql`SELECT (rid + 2)::INTEGER AS line, coalesce(v, '') AS value, expected
          FROM (SELECT rowid AS rid, ${raw(text)} AS v, ${raw(expectedSql(rule, text, false))} AS expected FROM ${ident(STAGE, [STAGE])})
          WHERE expected IS NOT NULL ORDER BY rid LIMIT ${issues.fetch}`
    );
    for (const r of rows) {
      issues.add({ file, line: Number(r.line), column: originals[i] ?? name, value: String(r.value), expected: String(r.expected) });
    }
  }
}

/** DuckDB's type for a CSV column of the analyst's own, from its values: the narrowest that holds them all. */
async function inferType(backend: ExploreBackend, names: readonly string[], name: string): Promise<string> {
  const v = ident(name, names);
  const [t] = await backend.query<{ filled: number; whole: boolean; int32: boolean; decimal: boolean; date: boolean }>(
    sql`SELECT count(${v})::INTEGER AS filled,
               coalesce(bool_and(regexp_full_match(${v}, '-?(0|[1-9][0-9]{0,17})')), false) AS whole,
               coalesce(bool_and(TRY_CAST(${v} AS INTEGER) IS NOT NULL), false) AS int32,
               coalesce(bool_and(regexp_full_match(${v}, '-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?') AND TRY_CAST(${v} AS DOUBLE) IS NOT NULL), false) AS decimal,
               coalesce(bool_and(regexp_full_match(${v}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND TRY_CAST(${v} AS DATE) IS NOT NULL), false) AS date
        FROM ${ident(STAGE, [STAGE])}`
  );
  if (!t || t.filled === 0) return 'VARCHAR';
  if (t.whole) return t.int32 ? 'INTEGER' : 'BIGINT';
  if (t.decimal) return 'DOUBLE';
  if (t.date) return 'DATE';
  return 'VARCHAR';
}

/** Types a cast may name: a closed list, so the cast below can be written as text. */
const CASTS = ['VARCHAR', 'INTEGER', 'BIGINT', 'DOUBLE', 'DATE'] as const;

async function createFromStage(backend: ExploreBackend, table: string, columns: { name: string; sql: string }[]): Promise<void> {
  const names = columns.map((c) => c.name);
  const select = join(
    columns.map((c) => sql`${raw(c.sql)} AS ${ident(c.name, names)}`),
    ', '
  );
  await backend.query(sql`CREATE OR REPLACE TABLE ${ident(table, [table])} AS SELECT ${select} FROM ${ident(STAGE, [STAGE])} ORDER BY rowid`);
}

async function describe(backend: ExploreBackend, table: string): Promise<{ name: string; type: string }[]> {
  return backend.query<{ name: string; type: string }>(
    sql`SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = ${table} ORDER BY ordinal_position`
  );
}

async function count(backend: ExploreBackend, table: string): Promise<number> {
  const [r] = await backend.query<{ n: number }>(sql`SELECT count(*)::INTEGER AS n FROM ${ident(table, [table])}`);
  return Number(r?.n ?? 0);
}

function failed(file: string, issues: IssueList): UserFileOutcome {
  return { ok: false, file, issues: issues.sorted(), truncated: issues.truncated };
}

async function loadCsv(backend: ExploreBackend, file: DroppedFile, table: string): Promise<UserFileOutcome> {
  const issues = new IssueList();
  const scan = scanCsv(file.bytes, file.name, issues, { collect: true });
  if (!scan) return failed(file.name, issues);
  if (scan.header.length === 1 && /[;\t|]/.test(scan.header[0]!)) {
    const sep = scan.header[0]!.includes(';') ? 'semicolons' : scan.header[0]!.includes('\t') ? 'tabs' : 'vertical bars';
    issues.add({
      file: file.name,
      line: 1,
      column: '',
      value: clip(scan.header[0]!),
      expected: `values separated by commas (this file looks separated by ${sep}: save it as “CSV UTF-8 (Comma delimited)”)`
    });
    return failed(file.name, issues);
  }
  const names = headerNames(file.name, scan.header, issues, 1);
  if (!names) return failed(file.name, issues);
  const records = scan.records ?? [];
  if (records.length === 0) {
    issues.add({ file: file.name, line: 2, column: '', value: '(no rows)', expected: 'at least one row of data under the header' });
    return failed(file.name, issues);
  }
  // Staged as text, empty fields as NULL: the checks and the typing below read it in SQL.
  const vectors: Record<string, Vector> = {};
  names.forEach((name, i) => {
    vectors[name] = utf8Vector(records.map((r) => (r[i] === '' ? null : r[i]!)));
  });
  await dropStage(backend);
  await backend.insertArrow(STAGE, tableToIPC(new Table(vectors), 'stream'));
  try {
    await checkValues(backend, file.name, names, scan.header, (c) => c.text, issues);
    if (issues.issues.length > 0) return failed(file.name, issues);
    const columns: { name: string; sql: string }[] = [];
    for (const name of names) {
      const type = contractType(name) ?? (await inferType(backend, names, name));
      if (!(CASTS as readonly string[]).includes(type)) throw new Error(`unexpected type ${type}`);
      columns.push({ name, sql: `CAST(${ident(name, names).text} AS ${type})` });
    }
    await createFromStage(backend, table, columns);
  } finally {
    await dropStage(backend);
  }
  const encoding = scan.encoding === 'windows-1252' ? 'Windows-1252' : 'UTF-8';
  return done(backend, file.name, table, `CSV (${encoding})`, names, scan.header);
}

/** Arrow types a column may have: what DuckDB and a join to the published tables can use. */
function arrowTypeOk(type: DataType): boolean {
  if (type.typeId === Type.Dictionary) return arrowTypeOk((type as unknown as { dictionary: DataType }).dictionary);
  return [Type.Int, Type.Float, Type.Decimal, Type.Bool, Type.Utf8, Type.LargeUtf8, Type.Date, Type.Timestamp, Type.Null].includes(type.typeId);
}

async function loadArrow(backend: ExploreBackend, file: DroppedFile, table: string): Promise<UserFileOutcome> {
  const issues = new IssueList();
  let parsed: Table;
  try {
    parsed = tableFromIPC(file.bytes);
  } catch (e) {
    issues.add(fileIssue(file.name, clip((e as Error).message, 120), 'a readable Arrow IPC file (file or stream format, as pyarrow, R arrow or DuckDB write)'));
    return failed(file.name, issues);
  }
  const originals = parsed.schema.fields.map((f) => f.name);
  if (originals.length === 0) {
    issues.add(fileIssue(file.name, '(no columns)', 'an Arrow file with at least one column'));
    return failed(file.name, issues);
  }
  // An Arrow file has no header line: a problem with a name is the file's, in that column.
  const names = headerNames(file.name, originals, issues, 0);
  parsed.schema.fields.forEach((f) => {
    if (!arrowTypeOk(f.type)) {
      issues.add({ file: file.name, line: 0, column: f.name, value: String(f.type), expected: 'a column of numbers, text, true/false or dates (lists, structs, maps and binary data cannot be loaded)' });
    }
  });
  if (!names || issues.issues.length > 0) return failed(file.name, issues);
  if (parsed.numRows === 0) {
    issues.add(fileIssue(file.name, '(no rows)', 'an Arrow file with at least one row'));
    return failed(file.name, issues);
  }
  const renamed: Record<string, Vector> = {};
  names.forEach((name, i) => (renamed[name] = parsed.getChildAt(i)!));
  await dropStage(backend);
  await backend.insertArrow(STAGE, tableToIPC(new Table(renamed), 'stream'));
  try {
    const types = new Map((await describe(backend, STAGE)).map((d) => [d.name, d.type]));
    const asText = (c: Sql, name: string) => typedAsText(c.text, types.get(name) ?? 'VARCHAR');
    await checkValues(backend, file.name, names, originals, asText, issues);
    if (issues.issues.length > 0) return failed(file.name, issues);
    const columns = names.map((name) => {
      const ref = ident(name, names);
      const t = contractType(name);
      // A contract column is typed as the contract types it (a URN written as an integer joins as text).
      return { name, sql: t === null ? ref.text : `CAST(${asText(ref, name)} AS ${t})` };
    });
    await createFromStage(backend, table, columns);
  } finally {
    await dropStage(backend);
  }
  return done(backend, file.name, table, 'Arrow', names, originals);
}

async function done(backend: ExploreBackend, file: string, table: string, format: string, names: string[], originals: readonly string[]): Promise<UserFileOutcome> {
  const described = await describe(backend, table);
  return {
    ok: true,
    table: {
      name: table,
      file,
      rows: await count(backend, table),
      format,
      columns: described.map((d) => ({ name: d.name, type: d.type, original: originals[names.indexOf(d.name)] ?? d.name }))
    }
  };
}

/**
 * Validate and load one file as table `table` (replacing a table of that name the analyst loaded
 * before). Problems come back as issues naming the file, line and column; nothing is loaded then.
 */
export async function loadUserFile(backend: ExploreBackend, file: DroppedFile, table: string): Promise<UserFileOutcome> {
  const issues = new IssueList();
  if (file.bytes.length > MAX_FILE_BYTES) {
    issues.add(fileIssue(file.name, `${(file.bytes.length / 1e6).toFixed(0)} MB`, `a file of at most ${MAX_FILE_BYTES / 1024 / 1024} MB (aggregate it first, or keep only the columns you need)`));
    return failed(file.name, issues);
  }
  switch (detectFormat(file.name, file.bytes)) {
    case 'arrow':
      return loadArrow(backend, file, table);
    case 'parquet':
      issues.add(fileIssue(file.name, 'a Parquet file', 'CSV or Arrow (reading Parquet in the browser needs an extension DuckDB would download, which the explorer never does)'));
      return failed(file.name, issues);
    case 'spreadsheet':
      issues.add(fileIssue(file.name, 'a spreadsheet workbook', 'CSV or Arrow (in Excel: File, Save As, “CSV UTF-8 (Comma delimited)”)'));
      return failed(file.name, issues);
    default:
      return loadCsv(backend, file, table);
  }
}
