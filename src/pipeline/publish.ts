/**
 * Writes a release: each published table as Arrow IPC (for DuckDB-WASM in the browser), Parquet
 * (for native DuckDB and people) and CSV (for people), plus `manifest.json`, into a staging folder
 * that is moved into place only once everything is written. A failure at any point leaves the
 * previous release where it was.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { RecordBatch, Table, tableToIPC, type Vector } from 'apache-arrow';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile, cp } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest, ManifestTable, PublishedFile } from '../lib/data/manifest';
import { TABLES, TABLE_NAMES, type TableName } from '../lib/data/schema';
import { arrowColumn, utf8FromCodes } from './arrow-columns';

/**
 * Column order the files are sorted by, so that the same inputs give the same bytes. The school
 * tables the schools page filters by year and pupil group are sorted by those first: DuckDB keeps
 * each column's minimum and maximum per block of rows, so a filter on `year_start` or
 * `pupil_group` then skips every block of other years or groups (at national scale, one year of
 * `school_year` is found in 2 ms instead of scanning 880,000 rows). The reasons table is read one
 * school at a time, so it stays in URN order.
 */
const SORT: Record<TableName, string> = {
  schools: 'urn',
  school_year: 'year_start, pupil_group, urn',
  school_year_reason: 'urn, year_start, pupil_group, reason_code',
  school_period: 'pupil_group, urn',
  area_year: 'area_type, area_code, year_start, phase, pupil_group',
  area_breakdown: 'area_type, area_code, year_start, phase, dimension, pupil_group, category_code'
};

/** SHA-256 in libuv's thread pool (WebCrypto), so that hashing a file does not hold up the main thread. */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)).toString('hex');
}

async function describe(dir: string, rel: string): Promise<PublishedFile> {
  const bytes = await readFile(path.join(dir, rel));
  return { path: rel, bytes: (await stat(path.join(dir, rel))).size, sha256: await sha256Hex(bytes) };
}

/** The `describe` of bytes just written to `dir/rel`. */
async function describeBytes(rel: string, bytes: Uint8Array): Promise<PublishedFile> {
  return { path: rel, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) };
}

/** Above this many rows a table's Arrow file is built batch by batch (national scale). */
const ARROW_BATCH_ROWS = 1_000_000;

/**
 * Native DuckDB cannot write Arrow IPC, so the IPC stream is built in JavaScript from the columns.
 * A table of more than ARROW_BATCH_ROWS rows is streamed and written as several record batches,
 * so that millions of rows (the national-scale synthetic release) never sit in memory as JS
 * values all at once; smaller tables are one batch, as before, so their bytes are unchanged.
 */
async function writeArrow(conn: DuckDBConnection, table: TableName, file: string): Promise<Uint8Array> {
  const def = TABLES[table];
  const toVectors = (columns: unknown[][]): Record<string, Vector> => {
    const vectors: Record<string, Vector> = {};
    def.columns.forEach((c, i) => {
      vectors[c.name] = arrowColumn(c.type, (columns[i] ?? []) as never[]);
    });
    return vectors;
  };
  const count = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM "${table}"`);
  if (Number(count.getRowObjectsJS()[0]?.n ?? 0) <= ARROW_BATCH_ROWS) {
    // Text comes back as a code per row into a dictionary of the column's distinct values
    // (numbered in sorted order, the same way in both queries), numbers as numbers: decoding a
    // string per cell from DuckDB and encoding it again was most of this function's time.
    const text = def.columns.map((c) => c.type === 'VARCHAR');
    const dictionary = (c: string) => `(SELECT v, (row_number() OVER (ORDER BY v))::INTEGER AS code FROM (SELECT DISTINCT "${c}" AS v FROM "${table}" WHERE "${c}" IS NOT NULL))`;
    const dictionaries: string[][] = def.columns.map(() => []);
    const textColumns = def.columns.map((c, i) => ({ c, i })).filter(({ i }) => text[i]);
    if (textColumns.length > 0) {
      const d = await conn.runAndReadAll(
        textColumns.map(({ c, i }) => `SELECT ${i} AS i, v, code FROM ${dictionary(c.name)}`).join(' UNION ALL ') + ' ORDER BY i, code'
      );
      const [is, vs] = d.getColumns() as [number[], string[]];
      (is ?? []).forEach((i, k) => dictionaries[i]!.push(vs[k]!));
    }
    // No NULL comes back (code 0 for text, NaN for an integer): reading a column with NULLs in
    // it through the node API costs twice as much.
    const integer = def.columns.map((c) => c.type === 'INTEGER');
    const reader = await conn.runAndReadAll(
      `SELECT ${def.columns.map((c, i) => (text[i] ? `coalesce(d${i}.code, 0)` : integer[i] ? `coalesce(t."${c.name}"::DOUBLE, 'NaN'::DOUBLE)` : `t."${c.name}"`)).join(', ')}
       FROM "${table}" t ${def.columns.map((c, i) => (text[i] ? `LEFT JOIN ${dictionary(c.name)} d${i} ON t."${c.name}" = d${i}.v` : '')).join(' ')}
       ORDER BY ${SORT[table].split(', ').map((k) => `t."${k}"`).join(', ')}`
    );
    const columns = reader.getColumns() as (number | bigint | null)[][];
    const vectors: Record<string, Vector> = {};
    def.columns.forEach((c, i) => {
      const values = columns[i] ?? [];
      vectors[c.name] = text[i]
        ? utf8FromCodes(dictionaries[i]!, values as number[])
        : arrowColumn(c.type, integer[i] ? values.map((v) => (Number.isNaN(v) ? null : v)) : values);
    });
    const bytes = tableToIPC(new Table(vectors), 'stream');
    await writeFile(file, bytes);
    return bytes;
  }
  const result = await conn.stream(`SELECT * FROM "${table}" ORDER BY ${SORT[table]}`);
  const batches: RecordBatch[] = [];
  let pending: unknown[][] = def.columns.map(() => []);
  const flush = () => {
    if ((pending[0]?.length ?? 0) > 0) batches.push(...new Table(toVectors(pending)).batches);
    pending = def.columns.map(() => []);
  };
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    chunk.getColumns().forEach((values, i) => {
      const target = pending[i]!;
      for (const v of values) target.push(v);
    });
    if ((pending[0]?.length ?? 0) >= ARROW_BATCH_ROWS) flush();
  }
  flush();
  const bytes = tableToIPC(new Table(batches), 'stream');
  await writeFile(file, bytes);
  return bytes;
}

export interface PublishInput {
  conn: DuckDBConnection;
  /**
   * A second connection to the same database: given, the Parquet and CSV files are written on it
   * (in DuckDB's threads) while the Arrow files are built in JavaScript on `conn`.
   */
  copyConn?: DuckDBConnection;
  outDir: string;
  /** Where to stage the release; must be outside anything the site serves. */
  stagingRoot: string;
  manifest: Omit<Manifest, 'tables'>;
  /**
   * Checks the complete staged release before it is moved into place; throwing refuses the
   * release (the pipeline runs the independent disclosure audit here).
   */
  verify?: (stagingDir: string) => Promise<void>;
  /** Called between steps; tests use it to simulate a crash mid-write. */
  onStep?: (step: string) => void | Promise<void>;
}

export async function publish(input: PublishInput): Promise<Manifest> {
  const { conn, outDir, manifest } = input;
  await mkdir(input.stagingRoot, { recursive: true });
  const staging = path.join(input.stagingRoot, `release-${process.pid}-${Date.now()}`);
  await mkdir(staging, { recursive: true });
  /** The Parquet and CSV files of every table, being written on `copyConn` (when given). */
  let copies: Promise<unknown> = Promise.resolve();
  try {
    // Text cells a spreadsheet would run as a formula get a leading quote in the CSV (numbers
    // stay numbers); Arrow and Parquet keep the text as it is.
    const formula = (c: string) => ['-', '=', '+', '@'].map((x) => `starts_with("${c}", '${x}')`).join(' OR ') + ` OR starts_with("${c}", chr(9)) OR starts_with("${c}", chr(13))`;
    const copySql = (table: TableName): string[] => {
      const order = SORT[table];
      const csvColumns = TABLES[table].columns
        .map((c) => (c.type === 'VARCHAR' ? `CASE WHEN ${formula(c.name)} THEN '''' || "${c.name}" ELSE "${c.name}" END AS "${c.name}"` : `"${c.name}"`))
        .join(', ');
      const label = `SELECT ${manifest.synthetic ? `'${manifest.label.replaceAll("'", "''")}' AS dataset, ` : ''}${csvColumns} FROM "${table}"`;
      return [
        `COPY (SELECT * FROM "${table}" ORDER BY ${order}) TO '${path.join(staging, `${table}.parquet`).replaceAll("'", "''")}'
         (FORMAT parquet, COMPRESSION zstd, KV_METADATA {dataset: '${manifest.label.replaceAll("'", "''")}'})`,
        `COPY (${label} ORDER BY ${order}) TO '${path.join(staging, `${table}.csv`).replaceAll("'", "''")}' (FORMAT csv, HEADER true)`
      ];
    };
    // With a second connection, every COPY goes to DuckDB in one call, so that it works through
    // them in its own threads while this one builds the Arrow files (a chain of calls would wait
    // for the main thread between them).
    if (input.copyConn) {
      copies = input.copyConn.run(TABLE_NAMES.flatMap(copySql).join(';\n'));
      copies.catch(() => {});
    }
    const arrows = new Map<TableName, PublishedFile>();
    const rows = new Map<TableName, number>();
    for (const table of TABLE_NAMES) {
      await input.onStep?.(`write ${table}`);
      if (!input.copyConn) for (const sql of copySql(table)) await conn.run(sql);
      const arrow = await writeArrow(conn, table, path.join(staging, `${table}.arrow`));
      arrows.set(table, await describeBytes(`${table}.arrow`, arrow));
      const count = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM "${table}"`);
      rows.set(table, Number(count.getRowObjectsJS()[0]?.n ?? 0));
    }
    await copies;
    const written = await Promise.all(
      TABLE_NAMES.map(async (table) => ({ parquet: await describe(staging, `${table}.parquet`), csv: await describe(staging, `${table}.csv`) }))
    );
    const tables = {} as Record<TableName, ManifestTable>;
    TABLE_NAMES.forEach((table, i) => {
      tables[table] = {
        rows: rows.get(table) ?? 0,
        description: TABLES[table].description,
        files: { arrow: arrows.get(table)!, ...written[i]! }
      };
    });
    const full: Manifest = { ...manifest, tables };
    await writeFile(path.join(staging, 'manifest.json'), JSON.stringify(full, null, 2) + '\n');
    await input.onStep?.('verify');
    await input.verify?.(staging);
    await input.onStep?.('swap');
    await swapInto(staging, outDir);
    return full;
  } finally {
    // Nothing may still be writing into the staging folder when it is removed.
    await copies.catch(() => {});
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Replace `outDir` by `staging` with renames, so a reader sees the old release or the new one and
 * never a mixture. When staging is on another file system, the copy goes to a sibling folder first.
 */
async function swapInto(staging: string, outDir: string): Promise<void> {
  await mkdir(path.dirname(outDir), { recursive: true });
  const incoming = `${outDir}.incoming-${process.pid}`;
  const previous = `${outDir}.previous-${process.pid}`;
  try {
    await rename(staging, incoming);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await cp(staging, incoming, { recursive: true });
  }
  const hadPrevious = existsSync(outDir);
  if (hadPrevious) await rename(outDir, previous);
  try {
    await rename(incoming, outDir);
  } catch (e) {
    if (hadPrevious) await rename(previous, outDir);
    await rm(incoming, { recursive: true, force: true });
    throw e;
  }
  if (hadPrevious) await rm(previous, { recursive: true, force: true });
}
