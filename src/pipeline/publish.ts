/**
 * Writes a release: each published table as Arrow IPC (for DuckDB-WASM in the browser), Parquet
 * (for native DuckDB and people) and CSV (for people), plus `manifest.json`, into a staging folder
 * that is moved into place only once everything is written. A failure at any point leaves the
 * previous release where it was.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { RecordBatch, Table, tableToIPC, type Vector } from 'apache-arrow';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile, cp } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest, ManifestTable, PublishedFile } from '../lib/data/manifest';
import { TABLES, TABLE_NAMES, type TableName } from '../lib/data/schema';
import { arrowColumn } from './arrow-columns';

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

async function describe(dir: string, rel: string): Promise<PublishedFile> {
  const bytes = await readFile(path.join(dir, rel));
  return { path: rel, bytes: (await stat(path.join(dir, rel))).size, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Above this many rows a table's Arrow file is built batch by batch (national scale). */
const ARROW_BATCH_ROWS = 1_000_000;

/**
 * Native DuckDB cannot write Arrow IPC, so the IPC stream is built in JavaScript from the columns.
 * A table of more than ARROW_BATCH_ROWS rows is streamed and written as several record batches,
 * so that millions of rows (the national-scale synthetic release) never sit in memory as JS
 * values all at once; smaller tables are one batch, as before, so their bytes are unchanged.
 */
async function writeArrow(conn: DuckDBConnection, table: TableName, file: string): Promise<void> {
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
    const reader = await conn.runAndReadAll(`SELECT * FROM "${table}" ORDER BY ${SORT[table]}`);
    await writeFile(file, tableToIPC(new Table(toVectors(reader.getColumnsJS())), 'stream'));
    return;
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
  await writeFile(file, tableToIPC(new Table(batches), 'stream'));
}

export interface PublishInput {
  conn: DuckDBConnection;
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
  try {
    const tables = {} as Record<TableName, ManifestTable>;
    for (const table of TABLE_NAMES) {
      await input.onStep?.(`write ${table}`);
      const order = SORT[table];
      // Text cells a spreadsheet would run as a formula get a leading quote in the CSV (numbers
      // stay numbers); Arrow and Parquet keep the text as it is.
      const csvColumns = TABLES[table].columns
        .map((c) => (c.type === 'VARCHAR' ? `CASE WHEN regexp_matches("${c.name}", '^[-=+@]') OR starts_with("${c.name}", chr(9)) OR starts_with("${c.name}", chr(13)) THEN '''' || "${c.name}" ELSE "${c.name}" END AS "${c.name}"` : `"${c.name}"`))
        .join(', ');
      const label = `SELECT ${manifest.synthetic ? `'${manifest.label.replaceAll("'", "''")}' AS dataset, ` : ''}${csvColumns} FROM "${table}"`;
      await conn.run(
        `COPY (SELECT * FROM "${table}" ORDER BY ${order}) TO '${path.join(staging, `${table}.parquet`).replaceAll("'", "''")}'
         (FORMAT parquet, COMPRESSION zstd, KV_METADATA {dataset: '${manifest.label.replaceAll("'", "''")}'})`
      );
      await conn.run(
        `COPY (${label} ORDER BY ${order}) TO '${path.join(staging, `${table}.csv`).replaceAll("'", "''")}' (FORMAT csv, HEADER true)`
      );
      await writeArrow(conn, table, path.join(staging, `${table}.arrow`));
      const count = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM "${table}"`);
      tables[table] = {
        rows: Number(count.getRowObjectsJS()[0]?.n ?? 0),
        description: TABLES[table].description,
        files: {
          arrow: await describe(staging, `${table}.arrow`),
          parquet: await describe(staging, `${table}.parquet`),
          csv: await describe(staging, `${table}.csv`)
        }
      };
    }
    const full: Manifest = { ...manifest, tables };
    await writeFile(path.join(staging, 'manifest.json'), JSON.stringify(full, null, 2) + '\n');
    await input.onStep?.('verify');
    await input.verify?.(staging);
    await input.onStep?.('swap');
    await swapInto(staging, outDir);
    return full;
  } finally {
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
