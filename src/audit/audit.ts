/**
 * The independent disclosure audit of a published release (DISCLOSURE.md): re-reads every file of a
 * release folder, in every format, and lists each breach of the rules. Anything in the folder that
 * is not a plain file (a symbolic link, which a host would follow) is a breach of its own.
 *
 * Every format is checked, at the cost of reading one: a table's Arrow file is read, its CSV is
 * compared byte for byte with the CSV those cells make, and its Parquet file is written out as CSV
 * by DuckDB and compared with the same bytes (`readAgreeing`). Equal bytes prove the three hold the
 * same cells; any difference sends the table down the slow path, which reads each format on its
 * own and names the cells that differ.
 *
 * Independence is the point. The pipeline's suppressor decides what to hide; this module checks the
 * result from the files alone, sharing no code with the suppressor, the aggregation or the schema
 * module (`src/pipeline/**`, `src/lib/**`), so that one bug cannot both cause a leak and hide it.
 * The pipeline calls `auditRelease` on its staging folder and refuses to publish on any breach;
 * it starts the audit once the Arrow files are staged, while DuckDB still writes the others
 * (`AuditOptions.written`), and nothing is published before every file has been checked.
 * `npm run audit -- DIR` (cli.ts) runs the same check on any folder.
 */
import { DuckDBInstance, listValue, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Collector, RULES, RULE_ORDER, type Breach } from './breach';
import {
  checkEventsFollowPupils,
  checkMarkers,
  checkReasonsFollowPupils,
  checkSmallCounts,
  checkSmallGroups,
  parentRows,
  toCountTable,
  type CountTable
} from './cells';
import { checkDfePublished, passThroughGate, type PassThroughGate } from './dfe-published';
import { checkEquations, type Recovery } from './equations';
import { identifierColumnProblem, pupilRefLookups, scanValue, type IdentifierMatch, type ScanOptions } from './identifiers';
import {
  DATASET_COLUMN,
  EXPECTED_COLUMNS,
  FORMATS,
  REASON_DIMENSION,
  TABLE_NAMES,
  isIntegerColumn,
  type Format,
  type TableName
} from './layout';
import { MANIFEST_FILE, checkManifest, type ManifestInput } from './manifest';
import { ReadError, column, csvField, isCsvOf, parseCsv, readArrow, readParquet, withoutColumn, type Grid } from './read';

export type { Breach } from './breach';
export { RULES, RULE_ORDER } from './breach';
export type { Grid } from './read';
export { parseCsv, withoutColumn } from './read';
export type { TableName as AuditTableName } from './layout';

export interface AuditOptions {
  /** Pupil counts from 1 to minCount - 1 must be suppressed. */
  minCount: number;
  /** Rows with 1 to minGroup - 1 pupils must be suppressed whole. */
  minGroup: number;
  /** The extract the release was built from: its `pupils.csv` pupil_ref values are looked for. */
  extractDir?: string;
  /**
   * Given while the release is still being written (the pipeline's staging folder, publish.ts):
   * settles once every file is in place, rejecting if writing one failed. Until then only the
   * Arrow files, written first, are read, and rules 1 to 5 run on their cells in advance
   * (`auditArrowEarly`); those results stand only if every format then proves to hold exactly
   * those cells and the manifest asks for no other rule, else the rules run again as usual.
   */
  written?: Promise<unknown>;
}

export interface AuditReport {
  breaches: Breach[];
  /** Cells (or columns, files, equations) each rule looked at. */
  checked: Map<string, number>;
  /** Data rows of each table as read. */
  rows: Map<string, number>;
  /**
   * The rule the counts were checked under: `pipeline` (DISCLOSURE.md's thresholds) or
   * `dfe-published` (DfE's own suppression, open only to a release of DfE's open data alone).
   */
  mode: 'pipeline' | 'dfe-published';
}

/** Wrong arguments (missing folder, bad thresholds, unreadable extract): not a finding about the release. */
export class AuditSetupError extends Error {}

export async function auditRelease(dir: string, opts: AuditOptions): Promise<Breach[]> {
  return (await runAudit(dir, opts)).breaches;
}

/** One line per breach: `table.csv:row column: rule — detail (value)`. */
export function formatBreach(b: Breach): string {
  const isTable = (TABLE_NAMES as readonly string[]).includes(b.table);
  // A file-level breach about one format of a table names that file rather than the CSV.
  const aboutFormat = isTable && b.row === 0 && (FORMATS as readonly string[]).includes(b.column);
  const file = aboutFormat ? `${b.table}.${b.column}` : isTable ? `${b.table}.csv` : b.table === 'manifest' ? MANIFEST_FILE : b.table;
  const col = b.column && !aboutFormat ? ` ${b.column}` : '';
  const value = b.value !== '' ? ` (${b.value})` : '';
  return `${file}:${b.row}${col}: ${b.rule} — ${b.detail}${value}`;
}

/** Thresholds recorded in a release's manifest (`disclosure.thresholds`), when present and valid. */
export async function manifestThresholds(dir: string): Promise<{ minCount?: number; minGroup?: number }> {
  try {
    const m = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as { disclosure?: { thresholds?: Record<string, unknown> } };
    const t = m.disclosure?.thresholds ?? {};
    const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined);
    return { minCount: int(t.min_count), minGroup: int(t.min_group) };
  } catch {
    return {};
  }
}

/** Every entry under `dir` but its folders, by path relative to it, with what readdir says it is. */
async function listFiles(dir: string, prefix = ''): Promise<{ rel: string; kind: 'file' | 'link' | 'other' }[]> {
  const out: { rel: string; kind: 'file' | 'link' | 'other' }[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push({ rel, kind: entry.isFile() ? 'file' : entry.isSymbolicLink() ? 'link' : 'other' });
  }
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/**
 * The extract's pupil references, to look for in published text: read when the audit starts (in
 * DuckDB's threads, while the release is read), then asked only about `candidates`, every string
 * rule 7 may look up (the published text and its tokens, `pupilRefLookups`). The references among
 * them give scanValue the same answers as the whole set, which never has to come into JavaScript.
 * Read here rather than taken from the pipeline, so the audit stays independent: Parquet and CSV
 * through DuckDB, or a CSV DuckDB will not read with the audit's own parser after a byte-for-byte
 * (latin-1) decode, which keeps ASCII references intact whatever the file's encoding.
 */
async function readPupilRefs(conn: DuckDBConnection, extractDir: string): Promise<(candidates: readonly string[]) => Promise<Set<string>>> {
  const parquet = path.join(extractDir, 'pupils.parquet');
  const csv = path.join(extractDir, 'pupils.csv');
  const exists = async (f: string) => stat(f).then(() => true, () => false);
  const fail = (e: unknown): never => {
    if (e instanceof AuditSetupError) throw e;
    throw new AuditSetupError(`--extract ${extractDir}: cannot read pupil_ref (${(e as Error).message.split('\n')[0] ?? ''})`);
  };
  /** The references in a table of DuckDB's (column `r`), asked about the candidates. */
  const among = (table: string) => async (candidates: readonly string[]) => {
    // (The candidates are the small side: each reference is looked up among them.)
    const reader = await conn.runAndReadAll(`SELECT DISTINCT r FROM ${table} WHERE r IN (SELECT unnest($1::VARCHAR[]))`, [listValue([...candidates])]);
    return new Set((reader.getColumnsJS()[0] ?? []).map((v) => String(v)));
  };
  try {
    if (await exists(parquet)) {
      await conn.run(`CREATE TEMP TABLE audit_pupil_refs AS SELECT CAST(pupil_ref AS VARCHAR) AS r FROM read_parquet('${parquet.replaceAll("'", "''")}') WHERE pupil_ref IS NOT NULL`);
      return among('audit_pupil_refs');
    }
    if (!(await exists(csv))) throw new AuditSetupError(`--extract ${extractDir}: no pupils.csv or pupils.parquet there`);
    try {
      // Fast path for the usual UTF-8 file; anything DuckDB will not read goes the slow way below.
      await conn.run(
        `CREATE TEMP TABLE audit_pupil_refs AS SELECT pupil_ref AS r FROM read_csv('${csv.replaceAll("'", "''")}', header = true, all_varchar = true, delim = ',', quote = '"', escape = '"') WHERE pupil_ref IS NOT NULL AND pupil_ref <> ''`
      );
      return among('audit_pupil_refs');
    } catch {
      // fall through
    }
    const grid = parseCsv(new TextDecoder('latin1').decode(await readFile(csv)).replace(/^\u00ef\u00bb\u00bf/, ''));
    const refs = column(grid, 'pupil_ref');
    if (!refs) throw new Error('no pupil_ref column');
    const all = new Set(refs.filter((v): v is string => v !== null && v !== ''));
    return async (candidates) => new Set(candidates.filter((c) => all.has(c)));
  } catch (e) {
    return fail(e);
  }
}

const DIFF_LIMIT = 5;
/**
 * Whether a spreadsheet would treat a cell as a formula (OWASP CSV injection): it starts with =, +,
 * -, @, a tab or a carriage return. (By its first character rather than a regular expression: it
 * is asked of every text cell of a release.)
 */
function formulaLike(v: string): boolean {
  const c = v.charCodeAt(0);
  return c === 0x3d || c === 0x2b || c === 0x2d || c === 0x40 || c === 0x09 || c === 0x0d;
}

/** Every format of a table must hold the same columns and the same cells in the same order. */
function compareFormats(table: TableName, reference: { format: Format; grid: Grid }, other: { format: Format; grid: Grid }, out: Collector): void {
  const a = reference.grid;
  const b = other.grid;
  const pair = `${table}.${other.format} and ${table}.${reference.format}`;
  if (a.names.join('\u0001') !== b.names.join('\u0001')) {
    out.add(RULES.filesDiffer, table, 0, '', '', `${pair} have different columns: [${b.names.join(', ')}] vs [${a.names.join(', ')}]`);
    return;
  }
  if (a.rows !== b.rows) {
    out.add(RULES.filesDiffer, table, 0, '', '', `${pair} have different row counts: ${b.rows} vs ${a.rows}`);
    return;
  }
  let differences = 0;
  a.names.forEach((name, i) => {
    const ca = a.columns[i] ?? [];
    const cb = b.columns[i] ?? [];
    // The same column (formats proven to agree when read: readAgreeing) has no differences.
    for (let r = 0; r < a.rows && ca !== cb; r++) {
      if ((ca[r] ?? null) === (cb[r] ?? null)) continue;
      // CSV text that a spreadsheet would run as a formula is published with a leading quote.
      if (other.format === 'csv' && typeof ca[r] === 'string' && formulaLike(ca[r]!) && cb[r] === `'${ca[r]}`) continue;
      differences++;
      if (differences <= DIFF_LIMIT) {
        const show = (v: string | null | undefined) => (v === null || v === undefined ? 'NULL' : JSON.stringify(v));
        out.add(RULES.filesDiffer, table, r + 1, name, '', `${pair} differ: ${show(cb[r])} vs ${show(ca[r])}`);
      }
    }
    out.count(RULES.filesDiffer, a.rows);
  });
  if (differences > DIFF_LIMIT) {
    out.add(RULES.filesDiffer, table, 0, '', '', `${pair} differ in ${differences} cells in all (first ${DIFF_LIMIT} listed)`);
  }
}

/** Rule 7 over a grid's text columns; identical strings are scanned once. */
function scanGrid(table: TableName, grid: Grid, scan: ScanOptions, out: Collector): void {
  const cache = new Map<string, IdentifierMatch[]>();
  grid.names.forEach((name, i) => {
    if (isIntegerColumn(table, name)) return;
    const col = grid.columns[i] ?? [];
    let previous: string | null = null;
    let found: IdentifierMatch[] = [];
    for (let r = 0; r < grid.rows; r++) {
      const v = col[r];
      if (v === null || v === undefined || v === '') continue;
      // (A run of one value, as sorted tables have, is looked up once.)
      if (v !== previous) {
        previous = v;
        const cached = cache.get(v);
        found = cached ?? scanValue(v, scan);
        if (!cached) cache.set(v, found);
      }
      for (const m of found) out.add(RULES.identifierValue, table, r + 1, name, m.masked, `${m.kind}: ${m.detail}`);
    }
    out.count(RULES.identifierValue, grid.rows);
  });
}

/** Every string in a JSON value (what scanJson scans). */
function jsonStrings(value: unknown, visit: (s: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) value.forEach((v) => jsonStrings(v, visit));
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) jsonStrings(v, visit);
}

/** Rule 7 over the manifest's strings (not for dates: `generated_at` is one, and names no pupil). */
function scanJson(value: unknown, where: string, scan: ScanOptions, out: Collector): void {
  if (typeof value === 'string') {
    out.count(RULES.identifierValue);
    for (const m of scanValue(value, { ...scan, dates: false })) out.add(RULES.identifierValue, 'manifest', 0, where, m.masked, `${m.kind}: ${m.detail}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => scanJson(v, `${where}[${i}]`, scan, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) scanJson(v, where ? `${where}.${k}` : k, scan, out);
  }
}

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const sqlIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/** A table's three formats read at once, shown to hold the same cells (readAgreeing). */
interface AgreeingFormats {
  csv: Grid;
  parquet: Grid;
  arrow: Grid;
  metadata: { key: string; value: string }[];
}

/**
 * DuckDB's own CSV of a Parquet file, written the way a release's CSV is (the `dataset` label
 * first when there is one, text that a spreadsheet would run as a formula with a leading quote),
 * with the file's column names, types and key-value metadata. Null when DuckDB cannot read it.
 */
type Rendered = { bytes: Buffer; names: string[]; types: string[]; metadata: { key: string; value: string }[] } | null;

/** The COPY that writes a Parquet file's CSV as a release writes its CSV (see renderParquet). */
function renderSql(file: string, out: string, names: readonly string[], types: readonly string[], label: string | null): string {
  const columns = names.map((n, i) =>
    types[i] === 'VARCHAR' ? `CASE WHEN regexp_matches(${sqlIdent(n)}, '^[=+\\-@\\t\\r]') THEN '''' || ${sqlIdent(n)} ELSE ${sqlIdent(n)} END AS ${sqlIdent(n)}` : sqlIdent(n)
  );
  if (label !== null) columns.unshift(`${sqlString(label)} AS ${sqlIdent(DATASET_COLUMN)}`);
  return `COPY (SELECT ${columns.join(', ')} FROM read_parquet(${sqlString(file)})) TO ${sqlString(out)} (FORMAT csv, HEADER true)`;
}

async function renderParquet(conn: DuckDBConnection, file: string, out: string, label: string | null): Promise<Rendered> {
  try {
    const described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)).getRowObjectsJS();
    const names = described.map((r) => String(r.column_name));
    const types = described.map((r) => String(r.column_type));
    await conn.run(renderSql(file, out, names, types, label));
    const meta = await conn.runAndReadAll(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${sqlString(file)})`);
    const metadata = meta.getRowObjectsJS().map((r) => ({ key: String(r.key ?? ''), value: String(r.value ?? '') }));
    return { bytes: await readFile(out), names, types, metadata };
  } catch {
    return null;
  }
}

/**
 * `renderParquet` for several tables at once: their schemas in one query, then every COPY and the
 * metadata in one call, so that DuckDB works through them all in its threads without waiting for
 * the main thread between them (which is reading the Arrow files meanwhile). If any step fails,
 * each table is rendered on its own, so that one unreadable file costs only its own table.
 * Resolves once the schemas are known, with the renders still running.
 */
async function renderAll(conn: DuckDBConnection, jobs: { table: TableName; file: string; out: string; label: string | null }[]): Promise<Map<TableName, Promise<Rendered>>> {
  const oneByOne = () => {
    let queue: Promise<unknown> = Promise.resolve();
    return new Map(
      jobs.map((j) => {
        const r = queue.then(() => renderParquet(conn, j.file, j.out, j.label));
        queue = r;
        return [j.table, r] as const;
      })
    );
  };
  if (jobs.length === 0) return new Map();
  let schemas: { t: string; name: string; type: string }[];
  try {
    const d = await conn.runAndReadAll(
      jobs.map((j) => `SELECT ${sqlString(j.table)} AS t, column_name AS name, column_type AS type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(j.file)}))`).join(' UNION ALL ')
    );
    schemas = d.getRowObjectsJS().map((r) => ({ t: String(r.t), name: String(r.name), type: String(r.type) }));
  } catch {
    return oneByOne();
  }
  const of = (t: TableName) => schemas.filter((s) => s.t === t);
  const batch = conn
    .runAndReadAll(
      [
        ...jobs.map((j) => renderSql(j.file, j.out, of(j.table).map((s) => s.name), of(j.table).map((s) => s.type), j.label)),
        jobs.map((j) => `SELECT ${sqlString(j.table)} AS t, decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${sqlString(j.file)})`).join(' UNION ALL ')
      ].join(';\n')
    )
    .then((meta) => meta.getRowObjectsJS().map((r) => ({ t: String(r.t), key: String(r.key ?? ''), value: String(r.value ?? '') })));
  const done = batch.then(
    (metadata) => ({ ok: true as const, metadata }),
    () => ({ ok: false as const, metadata: [] })
  );
  let fallback: Map<TableName, Promise<Rendered>> | null = null;
  return new Map(
    jobs.map((j) => [
      j.table,
      done.then(async (b): Promise<Rendered> => {
        if (!b.ok) return (fallback ??= oneByOne()).get(j.table)!;
        return {
          bytes: await readFile(j.out),
          names: of(j.table).map((s) => s.name),
          types: of(j.table).map((s) => s.type),
          metadata: b.metadata.filter((m) => m.t === j.table).map(({ key, value }) => ({ key, value }))
        };
      })
    ])
  );
}

/** The first field of the first data row of a CSV text (the synthetic `dataset` label), or null. */
function firstDataField(text: string): string | null {
  let pos = text.indexOf('\n') + 1;
  if (pos <= 0 || pos >= text.length) return null;
  if (text[pos] !== '"') {
    const end = text.slice(pos).search(/[,\n]/);
    return end < 0 ? null : text.slice(pos, pos + end);
  }
  let value = '';
  pos++;
  for (;;) {
    const q = text.indexOf('"', pos);
    if (q < 0) return null;
    value += text.slice(pos, q);
    if (text[q + 1] !== '"') return value;
    value += '"';
    pos = q + 2;
  }
}

/** The synthetic label a table's CSV rows carry (null without a `dataset` column). */
interface CsvLabel {
  label: string | null;
}

/** How much of a CSV is decoded to find its label: the header and the first row, whatever the file's size. */
const LABEL_PREFIX_BYTES = 1 << 20;

/**
 * The label of a table whose three files are all there, read from the start of its CSV: what
 * readAgreeing needs, worked out first so that DuckDB can start on the Parquet file of every
 * table at once. Only the start is decoded (a CSV can be too long for one string; isCsvOf compares
 * the rest as bytes). Null when that start is not UTF-8 text or its label cannot be read (the table
 * is then read format by format).
 */
function csvLabel(table: TableName, files: ReadonlyMap<string, Uint8Array>): CsvLabel | null {
  const bytes = files.get(`${table}.csv`);
  if (!bytes || !files.has(`${table}.arrow`) || !files.has(`${table}.parquet`)) return null;
  let text: string;
  try {
    // (stream: a character cut at the end of the prefix is left for a next call, not an error.)
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, LABEL_PREFIX_BYTES), { stream: true });
  } catch {
    return null;
  }
  if (!text.startsWith(`${DATASET_COLUMN},`)) return { label: null };
  const firstLineEnd = bytes.indexOf(0x0a);
  const hasRows = firstLineEnd >= 0 && firstLineEnd + 1 < bytes.length;
  const label = hasRows ? firstDataField(text) : '';
  return label === null ? null : { label };
}

/**
 * A table's three formats at the cost of reading one. The Arrow file is read (the format the
 * browser gets); the CSV is compared, byte for byte, with the CSV those Arrow cells make
 * (`isCsvOf`, here), and with the CSV DuckDB writes from the Parquet file (`renderParquet`, run in
 * DuckDB's threads while JavaScript does the rest; `withParquet`). Equal bytes mean each format
 * holds exactly the cells the Arrow file holds, so the grids are the ones reading each file would
 * give, and every rule sees what it would have seen. Anything else (a missing or unreadable file, a
 * byte out of place, a column or type that differs) returns null and the table is read format by
 * format, which finds and words the difference.
 */
function readAgreeing(table: TableName, files: ReadonlyMap<string, Uint8Array>, csvStart: CsvLabel | null, early?: EarlyAudit): { csv: Grid; arrow: Grid } | null {
  const csvBytes = files.get(`${table}.csv`);
  const arrowBytes = files.get(`${table}.arrow`);
  if (!csvBytes || !arrowBytes || !csvStart) return null;
  const { label } = csvStart;
  let arrow: Grid;
  // The grid read early, if the file still holds the bytes it was read from.
  const earlyBytes = early?.bytes.get(table);
  const earlyGrid = early?.grids.get(table);
  if (earlyBytes && earlyGrid && Buffer.from(earlyBytes).equals(arrowBytes)) arrow = earlyGrid;
  else {
    try {
      arrow = readArrow(arrowBytes);
    } catch {
      return null;
    }
  }
  if (arrow.names.includes(DATASET_COLUMN) || arrow.names.some((n) => n === '')) return null;
  // The CSV as a release writes it: text columns with their formula guard, the label first.
  const text_ = (i: number) => arrow.types?.[i] === 'Utf8';
  const csvColumns = arrow.columns.map((col, i) =>
    text_(i) && col.some((v) => v !== null && formulaLike(v)) ? col.map((v) => (v !== null && formulaLike(v) ? `'${v}` : v)) : col
  );
  const csv: Grid = label === null
    ? { names: arrow.names, columns: csvColumns, rows: arrow.rows }
    : { names: [DATASET_COLUMN, ...arrow.names], columns: [new Array<string | null>(arrow.rows).fill(label), ...csvColumns], rows: arrow.rows };
  // The Arrow reader knows which columns need no quoting (a leading quote for a formula adds none).
  const plain = [...(label === null ? [] : [false]), ...(arrow.plain ?? [])];
  if (!isCsvOf(csvBytes, csv.names, csv.columns, csv.rows, plain)) return null;
  return { csv, arrow };
}

/** The rest of readAgreeing: the Parquet file's CSV, as DuckDB writes it, must be the same bytes. */
function withParquet(read: { csv: Grid; arrow: Grid } | null, parquet: Rendered, csvBytes: Uint8Array | undefined): AgreeingFormats | null {
  if (!read || !parquet || !csvBytes) return null;
  const { csv, arrow } = read;
  if (parquet.names.join('\u0001') !== arrow.names.join('\u0001') || !parquet.bytes.equals(csvBytes)) return null;
  return {
    csv,
    parquet: { names: arrow.names, columns: arrow.columns, rows: arrow.rows, types: parquet.types },
    arrow,
    metadata: parquet.metadata
  };
}

/** Rules 1 to 5 run on the Arrow files while the rest of a release is being written. */
interface EarlyAudit {
  bytes: Map<TableName, Uint8Array>;
  grids: Map<TableName, Grid>;
  out: Collector;
}

/**
 * The Arrow files of a release still being written (`AuditOptions.written`), read and put through
 * rules 1 to 5 as the thresholds set them, while DuckDB writes the other files: the JavaScript
 * half of the audit then overlaps DuckDB's work instead of following it. A table whose Arrow file
 * is missing or unreadable is left out (those results then go unused).
 */
async function auditArrowEarly(dir: string, opts: AuditOptions): Promise<EarlyAudit> {
  const early: EarlyAudit = { bytes: new Map(), grids: new Map(), out: new Collector() };
  for (const table of TABLE_NAMES) {
    try {
      const bytes = await readFile(path.join(dir, `${table}.arrow`));
      const grid = readArrow(bytes);
      early.bytes.set(table, bytes);
      early.grids.set(table, grid);
    } catch {
      // read again, format by format, once every file is there
    }
  }
  checkCounts(early.grids, opts, early.out);
  return early;
}

/** Whether the early rules ran on exactly the grids the audit checks: the same tables, the same cells. */
function earlyApplies(early: EarlyAudit | null, primary: ReadonlyMap<TableName, Grid>): early is EarlyAudit {
  if (!early || early.grids.size !== primary.size) return false;
  for (const [table, grid] of primary) {
    const e = early.grids.get(table);
    if (!e || e.columns !== grid.columns || e.rows !== grid.rows || e.names.join('\u0001') !== grid.names.join('\u0001')) return false;
  }
  return true;
}

export async function runAudit(dir: string, opts: AuditOptions): Promise<AuditReport> {
  // (Awaited after the early rules: a writer's failure meanwhile is not an unhandled rejection.)
  opts.written?.catch(() => {});
  for (const [name, v] of [['minCount', opts.minCount], ['minGroup', opts.minGroup]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new AuditSetupError(`${name} must be a whole number of at least 1, got ${String(v)}`);
  }
  let isDir = false;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new AuditSetupError(`${dir} is not a folder`);

  // Beside the pipeline's writer (`written`), DuckDB leaves JavaScript a core rather than compete
  // for it (BENCHMARKS.md); on its own, the audit's DuckDB has every core.
  const instance = await DuckDBInstance.create(':memory:', opts.written ? { threads: String(Math.max(1, os.availableParallelism() - 1)) } : undefined);
  const conn = await instance.connect();
  // Two more connections, so that DuckDB reads the extract's pupil references and writes its CSV
  // of each Parquet file (readAgreeing) in its own threads while JavaScript reads and checks.
  const refsConn = await instance.connect();
  const renderConn = await instance.connect();
  const pupilRefs = opts.extractDir ? readPupilRefs(refsConn, opts.extractDir) : null;
  pupilRefs?.catch(() => {});
  try {
    let early: EarlyAudit | null = null;
    if (opts.written) {
      early = await auditArrowEarly(dir, opts);
      await opts.written;
    }

    const out = new Collector();
    const files = new Map<string, Uint8Array>();
    for (const { rel, kind } of await listFiles(dir)) {
      // Only plain files: a host serves whatever a symbolic link points to (the extract, say),
      // which this audit would never have read as part of the release.
      const file = path.join(dir, rel);
      if (kind === 'link') {
        const target = await readlink(file).catch(() => '?');
        out.add(RULES.unreadable, rel, 0, '', rel, `${rel} is a symbolic link (to ${target}): a release holds only plain files, since a web server would serve whatever it points to`);
        continue;
      }
      if (kind === 'other') {
        out.add(RULES.unreadable, rel, 0, '', rel, `${rel} is not a plain file: a release holds only plain files`);
        continue;
      }
      try {
        files.set(rel, await readFile(file));
      } catch (e) {
        out.add(RULES.unreadable, rel, 0, '', rel, `${rel} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }

    let manifest: ManifestInput['manifest'];
    const manifestBytes = files.get(MANIFEST_FILE);
    if (!manifestBytes) manifest = { ok: false, problem: `${MANIFEST_FILE} is missing` };
    else {
      try {
        manifest = { ok: true, value: JSON.parse(new TextDecoder().decode(manifestBytes)) as unknown };
      } catch (e) {
        manifest = { ok: false, problem: `${MANIFEST_FILE} is not valid JSON: ${(e as Error).message}` };
      }
    }

    const scratch = await mkdtemp(path.join(os.tmpdir(), 'audit-'));
    // Every table's Parquet file goes to DuckDB at once (readAgreeing), and the extract's pupil
    // references are read meanwhile, on their own connection.
    const csvLabels = new Map(TABLE_NAMES.map((t) => [t, csvLabel(t, files)] as const));
    const renders = await renderAll(
      renderConn,
      [...csvLabels].flatMap(([table, csv]) => (csv ? [{ table, file: path.join(dir, `${table}.parquet`), out: path.join(scratch, `${table}.csv`), label: csv.label }] : []))
    );
    const renderQueue = Promise.all(renders.values());
    renderQueue.catch(() => {});
    let refs: Promise<Set<string>> | null = null;
    // Every file's SHA-256 for rule 8, in the thread pool (WebCrypto) while the tables are read.
    const digests = Promise.all([...files].map(async ([rel, bytes]) => [rel, Buffer.from(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)).toString('hex')] as const));
    digests.catch(() => {});
    try {
      /** Rule 7 over each table's text, and over Parquet metadata values, once the pupil references are read. */
      const toScan: { table: TableName; grid?: Grid; metadata?: { key: string; value: string }[] }[] = [];
      const primary = new Map<TableName, Grid>();
      const rowCounts: ManifestInput['rows'] = new Map();

      // The Arrow files read and checked against the CSVs first, while DuckDB writes the Parquet ones' CSVs.
      const read = new Map(TABLE_NAMES.map((t) => [t, readAgreeing(t, files, csvLabels.get(t) ?? null, early ?? undefined)] as const));
      for (const table of TABLE_NAMES) {
        const grids = new Map<Format, Grid>();
        const counts = new Map<Format, number>();
        rowCounts.set(table, counts);
        let csvRaw: Grid | undefined;
        const agreeing = withParquet(read.get(table) ?? null, (await renders.get(table)) ?? null, files.get(`${table}.csv`));
        if (agreeing) {
          for (const format of FORMATS) {
            out.count(RULES.unreadable);
            counts.set(format, agreeing[format].rows);
            grids.set(format, agreeing[format]);
            if (format === 'parquet') {
              toScan.push({ table, metadata: agreeing.metadata });
              for (const m of agreeing.metadata) {
                const problem = identifierColumnProblem(table, m.key);
                if (problem) out.add(RULES.identifierColumn, table, 0, `parquet metadata ${m.key}`, m.key, problem);
              }
            }
          }
          csvRaw = agreeing.csv;
        }
        for (const format of agreeing ? [] : FORMATS) {
          const rel = `${table}.${format}`;
          const bytes = files.get(rel);
          if (!bytes) continue; // reported by the manifest check
          out.count(RULES.unreadable);
          try {
            let grid: Grid;
            if (format === 'csv') {
              grid = parseCsv(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
              csvRaw = grid;
            } else if (format === 'parquet') {
              const read = await readParquet(conn, path.join(dir, rel));
              grid = read.grid;
              toScan.push({ table, metadata: read.metadata });
              for (const m of read.metadata) {
                const problem = identifierColumnProblem(table, m.key);
                if (problem) out.add(RULES.identifierColumn, table, 0, `parquet metadata ${m.key}`, m.key, problem);
              }
            } else {
              grid = readArrow(bytes);
            }
            counts.set(format, grid.rows);
            grids.set(format, grid);
          } catch (e) {
            const message = e instanceof ReadError || e instanceof TypeError ? e.message : (e as Error).message.split('\n')[0] ?? String(e);
            out.add(RULES.unreadable, table, 0, format, rel, `${rel} cannot be read: ${message}`);
          }
        }

        // Rule 6 and the known-columns check, over the column names of every format.
        const columnFormats = new Map<string, Format[]>();
        for (const [format, grid] of grids) for (const name of grid.names) columnFormats.set(name, [...(columnFormats.get(name) ?? []), format]);
        for (const [name, formats] of columnFormats) {
          out.count(RULES.identifierColumn);
          out.count(RULES.schema);
          const problem = identifierColumnProblem(table, name);
          if (problem) {
            out.add(RULES.identifierColumn, table, 0, name, name, `column "${name}" in ${formats.map((f) => `${table}.${f}`).join(', ')}: ${problem}`);
          } else if (name !== DATASET_COLUMN && !EXPECTED_COLUMNS[table].includes(name)) {
            out.add(RULES.schema, table, 0, name, name, `column "${name}" in ${formats.map((f) => `${table}.${f}`).join(', ')} is not one the audit knows, so it cannot be checked`);
          }
        }
        for (const [format, grid] of grids) {
          for (const name of EXPECTED_COLUMNS[table]) {
            if (!grid.names.includes(name)) out.add(RULES.schema, table, 0, name, '', `${table}.${format} lacks column "${name}"`);
          }
        }
        const parquet = grids.get('parquet');
        parquet?.names.forEach((name, i) => {
          const type = parquet.types?.[i] ?? '';
          if (!EXPECTED_COLUMNS[table].includes(name)) return;
          const integer = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(type);
          if (isIntegerColumn(table, name) ? !integer : type !== 'VARCHAR') {
            out.add(RULES.schema, table, 0, name, type, `${table}.parquet column "${name}" is ${type}, expected ${isIntegerColumn(table, name) ? 'a whole-number type' : 'VARCHAR'}`);
          }
        });

        // The formats must agree; the rules then run on one of them (Parquet, the typed one, first).
        const stripped = [...grids].map(([format, grid]) => ({ format, grid: withoutColumn(grid, DATASET_COLUMN) }));
        const reference = stripped.find((s) => s.format === 'parquet') ?? stripped[0];
        if (reference) {
          for (const s of stripped) if (s !== reference) compareFormats(table, reference, s, out);
          primary.set(table, reference.grid);
        }
        const scanned = csvRaw ?? reference?.grid;
        if (scanned) toScan.push({ table, grid: scanned });
      }
      await renderQueue.catch(() => {});

      // The extract's pupil references among the strings rule 7 will look up, found by DuckDB while
      // the rules below run; the identifiers are then looked for last (breaches are sorted, so they
      // come out in the same order as if they had been looked for table by table).
      if (pupilRefs) {
        const candidates = new Set<string>();
        const add = (v: string) => {
          for (const l of pupilRefLookups(v)) candidates.add(l);
        };
        for (const s of toScan) {
          for (const m of s.metadata ?? []) add(m.value);
          s.grid?.names.forEach((name, i) => {
            if (isIntegerColumn(s.table, name)) return;
            // (Sorted tables repeat a value row after row: each run is looked at once.)
            let previous: string | null = null;
            const seen = new Set<string>();
            for (const v of s.grid!.columns[i] ?? []) {
              if (v === previous || v === null || v === '') continue;
              previous = v;
              if (!seen.has(v)) {
                seen.add(v);
                add(v);
              }
            }
          });
        }
        if (manifest.ok) jsonStrings(manifest.value, add);
        refs = pupilRefs.then((among) => among([...candidates]));
        refs.catch(() => {});
      }

      // A release passed through under DfE's own suppression is checked against DfE's rule, once the
      // manifest shows every source is DfE's open data; a release that asks for it and is not is
      // refused (a breach) and held to the pipeline's thresholds besides.
      const gate = passThroughGate(manifest.ok ? manifest.value : null);
      out.count(RULES.dfePublished);
      for (const p of gate.problems) out.add(RULES.dfePublished, 'manifest', 0, 'sources', '', `DfE’s rule refused: ${p}`);
      const mode = gate.requested && gate.problems.length === 0 ? 'dfe-published' : 'pipeline';
      if (mode === 'pipeline' && earlyApplies(early, primary)) out.merge(early.out);
      else checkCounts(primary, opts, out, mode === 'dfe-published' ? gate : undefined);

      // Rule 8, and identifiers (rule 7) in the tables and the manifest's own text.
      checkManifest({ manifest, files, rows: rowCounts, digests: new Map(await digests) }, out);
      const scan: ScanOptions = refs ? { pupilRefs: await refs } : {};
      for (const s of toScan) {
        for (const m of s.metadata ?? []) {
          for (const hit of scanValue(m.value, scan)) out.add(RULES.identifierValue, s.table, 0, `parquet metadata ${m.key}`, hit.masked, `${hit.kind}: ${hit.detail}`);
        }
        if (s.grid) scanGrid(s.table, s.grid, scan, out);
      }
      if (manifest.ok) scanJson(manifest.value, '', scan, out);

      const rows = new Map<string, number>();
      for (const [t, g] of primary) rows.set(t, g.rows);
      return { breaches: sortBreaches(out.breaches), checked: out.checked, rows, mode };
    } finally {
      await renderQueue.catch(() => {});
      await refs?.catch(() => {});
      await digests.catch(() => {});
      await rm(scratch, { recursive: true, force: true });
    }
  } finally {
    // Nothing may still be running on a connection when it is closed.
    await pupilRefs?.catch(() => {});
    renderConn.closeSync();
    refsConn.closeSync();
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * DfE's own rule, when the manifest asks for it and its gate lets the release through; otherwise
 * undefined (the thresholds apply), with a breach for each reason a release that asked was refused.
 */
function dfeRuleFor(manifest: unknown, out: Collector): PassThroughGate | undefined {
  const gate = passThroughGate(manifest);
  out.count(RULES.dfePublished);
  for (const p of gate.problems) out.add(RULES.dfePublished, 'manifest', 0, 'sources', '', `DfE\u2019s rule refused: ${p}`);
  return gate.requested && gate.problems.length === 0 ? gate : undefined;
}

/** How big a row's group is, for rule 2: its pupils and the threshold they are held to. */
type GroupSize = (r: number) => { pupils: number | null; threshold: number; of: string } | null;

const AREA_KEYS = ['area_type', 'area_code', 'academic_year', 'phase', 'pupil_group'];
const SCHOOL_KEYS = ['urn', 'academic_year', 'pupil_group'];

/** The parsed count tables and what the checks need about how their rows relate. */
interface CountContext {
  tables: Map<TableName, CountTable>;
  sizes: Map<TableName, GroupSize | undefined>;
  /** Reason rows and the rows their events follow. */
  follows: { reasons: CountTable; parent: CountTable; parents: Int32Array; keys: string[]; only: (r: number) => boolean }[];
  /** area_year row -> the area_breakdown rows (terms, reasons) whose group size is that row's. */
  sizedBy: Map<number, number[]>;
  recovery?: Recovery;
}

/**
 * Rules 1 to 5 (small counts, small groups, events follow pupils, markers, recoverability) on tables
 * already read. Split out so the suppressor's mutation tests can re-audit many altered copies of
 * a release in memory without writing files for each.
 */
function checkCounts(tables: ReadonlyMap<TableName, Grid>, opts: Pick<AuditOptions, 'minCount' | 'minGroup'>, out: Collector, dfeRule?: PassThroughGate): CountContext {
  const ctx: CountContext = { tables: new Map(), sizes: new Map(), follows: [], sizedBy: new Map() };
  for (const table of ['school_year', 'school_year_reason', 'school_period', 'area_year', 'area_breakdown'] as const) {
    const grid = tables.get(table);
    if (!grid) continue;
    const t = toCountTable(table, grid, out);
    ctx.tables.set(table, t);
    checkMarkers(t, out);
    if (dfeRule) continue;
    checkSmallCounts(t, opts.minCount, out);
    checkEventsFollowPupils(t, out);
  }
  // Under DfE's own rule: its threshold and the provenance checks instead (dfe-published.ts).
  if (dfeRule) {
    checkDfePublished(ctx.tables, dfeRule, out);
    return ctx;
  }
  const sy = ctx.tables.get('school_year');
  const syr = ctx.tables.get('school_year_reason');
  const sp = ctx.tables.get('school_period');
  const ay = ctx.tables.get('area_year');
  const ab = ctx.tables.get('area_breakdown');
  ctx.sizes.set('school_year', undefined);
  ctx.sizes.set('area_year', undefined);
  // A pooled row is a small group when its pupil-years could all come from a group of fewer than
  // min_group pupils: at most min_group - 1 for each year pooled.
  if (sp) {
    const pupils = sp.values.get('pupils') ?? [];
    const first = sp.text('first_year_start');
    const last = sp.text('last_year_start');
    ctx.sizes.set('school_period', (r) => {
      const years = Number(last[r]) - Number(first[r]) + 1;
      const n = Number.isInteger(years) && years >= 1 ? years : 1;
      return { pupils: pupils[r] ?? null, threshold: (opts.minGroup - 1) * n + 1, of: ` over ${n} years` };
    });
  }
  // A breakdown row with no pupils of its own (a term, a reason) is as small as its area-year.
  if (ab) {
    const own = ab.values.get('pupils') ?? [];
    const ownFlag = ab.flags.get('pupils') ?? [];
    const parents = ay ? parentRows(ab, ay, AREA_KEYS) : new Int32Array(ab.rows).fill(-1);
    const parentPupils = ay?.values.get('pupils') ?? [];
    ctx.sizes.set('area_breakdown', (r) => {
      if (ownFlag[r] !== 'z') return own[r] === null || own[r] === undefined ? null : { pupils: own[r], threshold: opts.minGroup, of: '' };
      const p = parents[r] ?? -1;
      const n = p < 0 ? null : (parentPupils[p] ?? null);
      return n === null ? null : { pupils: n, threshold: opts.minGroup, of: ' (the area-year it breaks down)' };
    });
    parents.forEach((p, r) => {
      if (p < 0 || ownFlag[r] !== 'z') return;
      let list = ctx.sizedBy.get(p);
      if (!list) ctx.sizedBy.set(p, (list = []));
      list.push(r);
    });
    if (ay) {
      const dimension = ab.text('dimension');
      ctx.follows.push({ reasons: ab, parent: ay, parents, keys: AREA_KEYS, only: (r) => dimension[r] === REASON_DIMENSION });
    }
  }
  if (sy && syr) ctx.follows.push({ reasons: syr, parent: sy, parents: parentRows(syr, sy, SCHOOL_KEYS), keys: SCHOOL_KEYS, only: () => true });
  for (const [table, size] of ctx.sizes) {
    const t = ctx.tables.get(table);
    if (t) checkSmallGroups(t, opts.minGroup, out, size);
  }
  for (const f of ctx.follows) checkReasonsFollowPupils(f.reasons, f.parent, out, f.parents, f.keys, f.only);
  ctx.recovery = checkEquations({ schools: tables.get('schools'), schoolYear: sy, reasons: syr, areaYear: ay, period: sp, breakdown: ab }, out, { minCount: opts.minCount });
  return ctx;
}

/**
 * The disclosure rules (1 to 5) alone, on in-memory tables: see `checkCounts`. With `manifest`
 * (the parsed manifest.json), a release that asks for DfE's own rule is checked as `runAudit`
 * would: the gate, then DfE's rule if the gate lets it through, else the thresholds.
 */
export function auditTables(tables: ReadonlyMap<TableName, Grid>, opts: Pick<AuditOptions, 'minCount' | 'minGroup'> & { manifest?: unknown }): Breach[] {
  const out = new Collector();
  checkCounts(tables, opts, out, opts.manifest === undefined ? undefined : dfeRuleFor(opts.manifest, out));
  return sortBreaches(out.breaches);
}

export interface Republisher {
  /** The breaches of the tables as given (what `auditTables` reports). */
  baseline: Breach[];
  /**
   * The breaches once one suppressed cell (0-based `row`) is published again with `value`, its
   * flag cleared: the rules re-run on the rows that cell can affect, and recovery propagated from
   * it alone, then the bounds across every equation (a whole pass), then the linear programs
   * (lp.ts) of the schools that pass reached (with `if-clean`, each only when nothing else
   * objected, for callers that need only whether anything does). The tables are left as they
   * were. Meaningful on a release whose baseline is clean.
   */
  republish(table: TableName, row: number, column: string, value: number, bounds?: 'always' | 'if-clean'): Breach[];
}

/**
 * For the suppressor's mutation tests: one audit, then many "what if this cell were published"
 * questions, each answered in microseconds instead of a re-audit (the demo has over 150,000
 * suppressed cells). A test checks that its answers agree with full re-audits.
 */
export function prepareRepublish(tables: ReadonlyMap<TableName, Grid>, opts: Pick<AuditOptions, 'minCount' | 'minGroup'>): Republisher {
  const base = new Collector();
  const ctx = checkCounts(tables, opts, base);
  return {
    baseline: sortBreaches(base.breaches),
    republish(table, row, column, value, bounds = 'always') {
      const t = ctx.tables.get(table);
      const vals = t?.values.get(column);
      if (!t || !vals) return [];
      const flags = t.flags.get(column);
      const before = { value: vals[row] ?? null, flag: flags?.[row] ?? null };
      vals[row] = value;
      if (flags) flags[row] = null;
      const out = new Collector();
      try {
        checkSmallCounts(t, opts.minCount, out, [row]);
        checkEventsFollowPupils(t, out, [row]);
        if (ctx.sizes.has(table)) checkSmallGroups(t, opts.minGroup, out, ctx.sizes.get(table), [row]);
        const sized = table === 'area_year' && column === 'pupils' ? ctx.sizedBy.get(row) : undefined;
        const ab = ctx.tables.get('area_breakdown');
        if (sized && ab) checkSmallGroups(ab, opts.minGroup, out, ctx.sizes.get('area_breakdown'), sized);
        for (const f of ctx.follows) if (f.reasons === t) checkReasonsFollowPupils(f.reasons, f.parent, out, f.parents, f.keys, f.only, [row]);
        ctx.recovery?.republish(t, row, column, value, out, bounds);
      } finally {
        vals[row] = before.value;
        if (flags) flags[row] = before.flag;
      }
      return sortBreaches(out.breaches);
    }
  };
}

function sortBreaches(breaches: Breach[]): Breach[] {
  const ruleIndex = (r: string) => {
    const i = RULE_ORDER.indexOf(r);
    return i < 0 ? RULE_ORDER.length : i;
  };
  const tableIndex = (t: string) => {
    const i = (TABLE_NAMES as readonly string[]).indexOf(t);
    return i < 0 ? TABLE_NAMES.length : i;
  };
  return breaches
    .map((b, i) => ({ b, i }))
    .sort((x, y) => ruleIndex(x.b.rule) - ruleIndex(y.b.rule) || tableIndex(x.b.table) - tableIndex(y.b.table) || x.b.row - y.b.row || x.i - y.i)
    .map((x) => x.b);
}
