/**
 * Reading a published file back into a plain grid of strings, once per format: CSV with a parser of
 * our own, Parquet with native DuckDB (`read_parquet`), Arrow IPC with apache-arrow.
 *
 * Every format is read, not only one, because every format is published (the site loads the Arrow
 * files, people download the CSV and Parquet): a cell hidden in one and shown in another is a
 * disclosure. Values are kept as the text a reader would see (NULL as `null`), so the three formats
 * can be compared cell by cell and the rules do their own parsing of numbers.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';

/** A table held by column: `columns[i][r]` is row r (0-based, file order) of column `names[i]`. */
export interface Grid {
  names: string[];
  columns: (string | null)[][];
  rows: number;
  /** Column types as the format declares them (Parquet and Arrow only). */
  types?: string[];
}

export class ReadError extends Error {}

export function column(grid: Grid, name: string): (string | null)[] | undefined {
  const i = grid.names.indexOf(name);
  return i < 0 ? undefined : grid.columns[i];
}

/** A grid without one column (the synthetic `dataset` label), or the grid itself when absent. */
export function withoutColumn(grid: Grid, name: string): Grid {
  const i = grid.names.indexOf(name);
  if (i < 0) return grid;
  const keep = (_: unknown, j: number) => j !== i;
  return {
    names: grid.names.filter(keep),
    columns: grid.columns.filter(keep),
    rows: grid.rows,
    types: grid.types?.filter(keep)
  };
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * RFC 4180 CSV as DuckDB writes it: a header line, `,` between fields, `"` quoting with `""` inside.
 * An unquoted empty field is NULL and a quoted empty field (`""`) is the empty string, which is how
 * DuckDB keeps the two apart. A byte order mark and `\r\n` line ends are accepted. Anything else
 * malformed (a stray quote, a short or long record) throws a ReadError naming the line.
 */
export function parseCsv(input: string): Grid {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const n = text.length;
  let pos = 0;
  let line = 1;
  let names: string[] | null = null;
  let columns: (string | null)[][] = [];
  let rows = 0;
  let record: (string | null)[] = [];

  const endRecord = (): void => {
    if (names === null) {
      if (record.some((f) => f === null || f === '')) throw new ReadError(`line 1: empty column name in the header`);
      names = record as string[];
      columns = names.map(() => []);
    } else {
      if (record.length !== names.length) {
        throw new ReadError(`line ${line}: expected ${names.length} fields, found ${record.length}`);
      }
      for (let i = 0; i < record.length; i++) (columns[i] as (string | null)[]).push(record[i] ?? null);
      rows++;
    }
    record = [];
  };

  if (n === 0) throw new ReadError('the file is empty (no header line)');
  while (pos <= n) {
    // One field starts at `pos`.
    let value: string | null;
    if (pos < n && text.charCodeAt(pos) === QUOTE) {
      let out = '';
      let start = pos + 1;
      pos = start;
      for (;;) {
        const q = text.indexOf('"', pos);
        if (q < 0) throw new ReadError(`line ${line}: a quoted field is never closed`);
        if (text.charCodeAt(q + 1) === QUOTE) {
          out += text.slice(start, q + 1);
          pos = q + 2;
          start = pos;
          continue;
        }
        out += text.slice(start, q);
        pos = q + 1;
        break;
      }
      for (let i = 0; i < out.length; i++) if (out.charCodeAt(i) === LF) line++;
      value = out;
    } else {
      const start = pos;
      while (pos < n) {
        const ch = text.charCodeAt(pos);
        if (ch === COMMA || ch === LF || ch === CR) break;
        if (ch === QUOTE) throw new ReadError(`line ${line}: a quote inside an unquoted field`);
        pos++;
      }
      value = pos === start ? null : text.slice(start, pos);
    }
    record.push(value);
    if (pos >= n) {
      // End of input: a final line without its line end still counts, an empty last line does not.
      if (!(record.length === 1 && record[0] === null)) endRecord();
      break;
    }
    const ch = text.charCodeAt(pos);
    if (ch === COMMA) {
      pos++;
      continue;
    }
    if (ch === CR && text.charCodeAt(pos + 1) === LF) pos++;
    if (ch === CR || ch === LF) {
      pos++;
      endRecord();
      line++;
      if (pos >= n) break;
      continue;
    }
    throw new ReadError(`line ${line}: unexpected character after a quoted field`);
  }
  if (names === null) throw new ReadError('the file has no header line');
  return { names, columns, rows, types: undefined };
}

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const sqlIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/**
 * A Parquet file through native DuckDB, every column cast to VARCHAR by DuckDB itself (the same
 * rendering its CSV writer uses), in file order. Also returns the file's key-value metadata, which
 * is published with the file and so is scanned for identifiers too.
 */
export async function readParquet(
  conn: DuckDBConnection,
  file: string
): Promise<{ grid: Grid; metadata: { key: string; value: string }[] }> {
  const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
  const desc = described.getRowObjectsJS();
  const names = desc.map((r) => String(r.column_name));
  const types = desc.map((r) => String(r.column_type));
  const select = names.length
    ? names.map((c) => `CAST(${sqlIdent(c)} AS VARCHAR) AS ${sqlIdent(c)}`).join(', ')
    : '*';
  // A plain scan keeps the file's row order (DuckDB preserves insertion order by default).
  const reader = await conn.runAndReadAll(`SELECT ${select} FROM read_parquet(${sqlString(file)})`);
  const raw = reader.getColumnsJS();
  const columns = names.map((_, i) => (raw[i] ?? []).map((v) => (v === null || v === undefined ? null : String(v))));
  const metaReader = await conn.runAndReadAll(
    `SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${sqlString(file)})`
  );
  const metadata = metaReader.getRowObjectsJS().map((r) => ({ key: String(r.key ?? ''), value: String(r.value ?? '') }));
  return { grid: { names, columns, rows: reader.currentRowCount, types }, metadata };
}

function arrowValue(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
}

/** An Arrow IPC stream (or file) as the browser receives it. */
export function readArrow(bytes: Uint8Array): Grid {
  let table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new ReadError(`not a readable Arrow IPC file: ${(e as Error).message}`);
  }
  const names = table.schema.fields.map((f) => f.name);
  const types = table.schema.fields.map((f) => String(f.type));
  const columns = names.map((_, i) => {
    const vector = table.getChildAt(i);
    const out: (string | null)[] = [];
    if (vector) for (const v of vector) out.push(arrowValue(v));
    return out;
  });
  return { names, columns, rows: table.numRows, types };
}
