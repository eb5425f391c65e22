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
import { checkReleaseDir } from './out-dir';
import { besideTemp, makeTempDir, uninterrupted } from './temp';

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

/** The copy of a table, sorted by SORT, that its three files are written from (publish). */
const sorted = (table: TableName) => `publish_${table}`;
const dropSorted = (conn: DuckDBConnection) => conn.run(TABLE_NAMES.map((t) => `DROP TABLE IF EXISTS "${sorted(t)}"`).join(';\n'));

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
 * Gives the bytes written and the table's row count (for the manifest).
 */
async function writeArrow(conn: DuckDBConnection, table: TableName, source: string, file: string): Promise<{ bytes: Uint8Array; rows: number }> {
  const def = TABLES[table];
  const toVectors = (columns: unknown[][]): Record<string, Vector> => {
    const vectors: Record<string, Vector> = {};
    def.columns.forEach((c, i) => {
      vectors[c.name] = arrowColumn(c.type, (columns[i] ?? []) as never[]);
    });
    return vectors;
  };
  const count = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM "${source}"`);
  const rows = Number(count.getRowObjectsJS()[0]?.n ?? 0);
  if (rows <= ARROW_BATCH_ROWS) {
    // Text comes back as a code per row into a dictionary of the column's distinct values
    // (numbered in sorted order), numbers as numbers: decoding a string per cell from DuckDB and
    // encoding it again was most of this function's time. The codes are an ENUM's of those values:
    // a cast keeps the rows in the sorted table's order, where a join with the dictionary would
    // need sorting again.
    const text = def.columns.map((c) => c.type === 'VARCHAR');
    const dictionaries: string[][] = def.columns.map(() => []);
    const textColumns = def.columns.map((c, i) => ({ c, i })).filter(({ i }) => text[i]);
    const enumName = (i: number) => `publish_enum_${i}`;
    if (textColumns.length > 0) {
      const d = await conn.runAndReadAll(
        textColumns.map(({ c, i }) => `SELECT ${i} AS i, v FROM (SELECT DISTINCT "${c.name}" AS v FROM "${source}" WHERE "${c.name}" IS NOT NULL)`).join(' UNION ALL ') + ' ORDER BY i, v'
      );
      const [is, vs] = d.getColumns() as [number[], string[]];
      (is ?? []).forEach((i, k) => dictionaries[i]!.push(vs[k]!));
      for (const { i } of textColumns) {
        if (dictionaries[i]!.length === 0) continue;
        await conn.run(`CREATE OR REPLACE TYPE ${enumName(i)} AS ENUM (${dictionaries[i]!.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ')})`);
      }
    }
    // No NULL comes back (code 0 for text, NaN for an integer): reading a column with NULLs in
    // it through the node API costs twice as much.
    const integer = def.columns.map((c) => c.type === 'INTEGER');
    const reader = await conn.runAndReadAll(
      `SELECT ${def.columns
        .map((c, i) =>
          text[i]
            ? dictionaries[i]!.length === 0
              ? '0'
              : `coalesce(enum_code("${c.name}"::${enumName(i)})::INTEGER + 1, 0)`
            : integer[i]
              ? `coalesce("${c.name}"::DOUBLE, 'NaN'::DOUBLE)`
              : `"${c.name}"`
        )
        .join(', ')}
       FROM "${source}"`
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
    return { bytes, rows };
  }
  const result = await conn.stream(`SELECT * FROM "${source}"`);
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
  return { bytes, rows };
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
   * Checks the staged release before it is moved into place; throwing refuses the release (the
   * pipeline runs the independent disclosure audit here). Called as soon as the Arrow files are
   * written, with `written`, which settles once the Parquet and CSV files and the manifest are
   * too (rejecting if one could not be written): nothing else may be read before it settles.
   * The check can so start on the Arrow files while DuckDB is still writing the others.
   */
  verify?: (stagingDir: string, written: Promise<void>) => Promise<void>;
  /** Called between steps; tests use it to simulate a crash mid-write. */
  onStep?: (step: string) => void | Promise<void>;
}

export async function publish(input: PublishInput): Promise<Manifest> {
  const { conn, outDir, manifest } = input;
  // What a killed run left is removed first; this run's own goes however it ends (temp.ts).
  const { dir: staging, done: kept } = makeTempDir(input.stagingRoot, 'release-');
  /** The Parquet and CSV files of every table, being written on `copyConn` (when given). */
  let copies: Promise<unknown> = Promise.resolve();
  /** Everything after the Arrow files: the copies, then the manifest. */
  let written: Promise<Manifest> | null = null;
  try {
    // Each table is sorted once, into a copy its three files are then written from in that
    // order: DuckDB keeps a table's insertion order in a scan without ORDER BY
    // (preserve_insertion_order, on by default), where sorting for each file was three sorts.
    // (Not TEMP tables: those are seen by their own connection only, and the COPYs run on another.)
    await conn.run(TABLE_NAMES.map((t) => `CREATE OR REPLACE TABLE "${sorted(t)}" AS SELECT * FROM "${t}" ORDER BY ${SORT[t]}`).join(';\n'));
    // Text cells a spreadsheet would run as a formula get a leading quote in the CSV (numbers
    // stay numbers); Arrow and Parquet keep the text as it is. (One regular expression is
    // cheaper for DuckDB than six starts_with.)
    const formula = (c: string) => `regexp_matches("${c}", '^[=+\\-@\\t\\r]')`;
    const copySql = (table: TableName): string[] => {
      const csvColumns = TABLES[table].columns
        .map((c) => (c.type === 'VARCHAR' ? `CASE WHEN ${formula(c.name)} THEN '''' || "${c.name}" ELSE "${c.name}" END AS "${c.name}"` : `"${c.name}"`))
        .join(', ');
      const label = `SELECT ${manifest.synthetic ? `'${manifest.label.replaceAll("'", "''")}' AS dataset, ` : ''}${csvColumns} FROM "${sorted(table)}"`;
      return [
        `COPY "${sorted(table)}" TO '${path.join(staging, `${table}.parquet`).replaceAll("'", "''")}'
         (FORMAT parquet, COMPRESSION zstd, KV_METADATA {dataset: '${manifest.label.replaceAll("'", "''")}'})`,
        `COPY (${label}) TO '${path.join(staging, `${table}.csv`).replaceAll("'", "''")}' (FORMAT csv, HEADER true)`
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
      const arrow = await writeArrow(conn, table, sorted(table), path.join(staging, `${table}.arrow`));
      arrows.set(table, await describeBytes(`${table}.arrow`, arrow.bytes));
      rows.set(table, arrow.rows);
    }
    written = (async () => {
      await copies;
      // Every file is written from the sorted copies by now: they go before the audit starts
      // reading (a second copy of every table: gigabytes at national scale).
      await dropSorted(conn);
      const files = await Promise.all(
        TABLE_NAMES.map(async (table) => ({ parquet: await describe(staging, `${table}.parquet`), csv: await describe(staging, `${table}.csv`) }))
      );
      const tables = {} as Record<TableName, ManifestTable>;
      TABLE_NAMES.forEach((table, i) => {
        tables[table] = {
          rows: rows.get(table) ?? 0,
          description: TABLES[table].description,
          files: { arrow: arrows.get(table)!, ...files[i]! }
        };
      });
      const full: Manifest = { ...manifest, tables };
      await writeFile(path.join(staging, 'manifest.json'), JSON.stringify(full, null, 2) + '\n');
      return full;
    })();
    written.catch(() => {});
    const ready = written.then(() => {});
    ready.catch(() => {});
    await input.onStep?.('verify');
    await input.verify?.(staging, ready);
    const full = await written;
    await input.onStep?.('swap');
    await swapInto(staging, outDir);
    return full;
  } finally {
    // Nothing may still be writing into the staging folder when it is removed.
    await copies.catch(() => {});
    await written?.catch(() => {});
    await rm(staging, { recursive: true, force: true });
    kept();
    await dropSorted(conn).catch(() => {});
  }
}

/**
 * Replace `outDir` by `staging` with renames, so a reader sees the old release or the new one and
 * never a mixture. When staging is on another file system, the copy goes to a sibling folder first.
 * `outDir` is replaced whole, so it is asked once more, here, whether it holds only an earlier
 * release (out-dir.ts): the run checked at its start, but the folder may have changed since.
 */
async function swapInto(staging: string, outDir: string): Promise<void> {
  await checkReleaseDir(outDir);
  await mkdir(path.dirname(outDir), { recursive: true });
  // (A killed run's copy beside outDir goes; never a .previous-, which may be the only release left.)
  const { dir: incoming, done: kept } = besideTemp(outDir);
  const previous = `${outDir}.previous-${process.pid}`;
  try {
    try {
      await rename(staging, incoming);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      await cp(staging, incoming, { recursive: true });
    }
    // From the first rename to the end, Ctrl+C waits (temp.ts): stopping between the two renames
    // would leave no folder at outDir.
    await uninterrupted(async () => {
      const hadPrevious = existsSync(outDir);
      if (hadPrevious) await rename(outDir, previous);
      try {
        await rename(incoming, outDir);
      } catch (e) {
        if (hadPrevious) await rename(previous, outDir);
        throw e;
      }
      if (hadPrevious) await rm(previous, { recursive: true, force: true });
    });
  } catch (e) {
    await rm(incoming, { recursive: true, force: true });
    throw e;
  } finally {
    kept();
  }
}
