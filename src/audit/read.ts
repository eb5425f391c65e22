/**
 * Reading a published file back into a plain grid of strings, once per format: CSV with a parser of
 * our own, Parquet with native DuckDB (`read_parquet`), Arrow IPC with apache-arrow.
 *
 * Every format is checked, not only one, because every format is published (the site loads the
 * Arrow files, people download the CSV and Parquet): a cell hidden in one and shown in another is a
 * disclosure. Values are kept as the text a reader would see (NULL as `null`), so the three formats
 * can be compared cell by cell and the rules do their own parsing of numbers. `isCsvOf` lets the
 * audit prove a CSV holds a grid's cells without parsing it (audit.ts, readAgreeing).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DataType, tableFromIPC, type Data, type Vector } from 'apache-arrow';
import { isAscii } from 'node:buffer';

/** A table held by column: `columns[i][r]` is row r (0-based, file order) of column `names[i]`. */
export interface Grid {
  names: string[];
  columns: (string | null)[][];
  rows: number;
  /** Column types as the format declares them (Parquet and Arrow only). */
  types?: string[];
  /**
   * Columns known to hold only values a CSV writes as they are (none empty, none with a quote, a
   * comma or a line break), where the reader could tell cheaply (Arrow): `isCsvOf` then skips
   * checking each value. Absent or false means not known.
   */
  plain?: boolean[];
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

/**
 * The text of the whole numbers a release's counts mostly are, made once: a grid holds a string per
 * cell, and a published table's cells are mostly small counts and codes repeated row after row.
 * Sharing one string per value (and per distinct text, below) keeps the grids from being millions
 * of separate strings that the garbage collector copies while they live (most of the audit's
 * collection time on a million-pupil extract).
 */
const SMALL_INTEGERS = Array.from({ length: 1 << 14 }, (_, i) => String(i));
/** Distinct texts shared per column; a column with more (names, say) keeps its own strings for the rest. */
const INTERN_LIMIT = 1 << 12;

function numberText(v: number | bigint): string {
  if (typeof v === 'number') return v >= 0 && v < SMALL_INTEGERS.length && Number.isInteger(v) ? SMALL_INTEGERS[v]! : String(v);
  return v >= 0n && v < BigInt(SMALL_INTEGERS.length) ? SMALL_INTEGERS[Number(v)]! : String(v);
}

/**
 * One Arrow column as text, the same text `arrowValue` gives for each value, read straight from
 * the column's buffers for the types the published files use (integers, floats and UTF-8 text):
 * value by value through apache-arrow's accessors, these were most of the audit's reading time.
 * Any other type goes value by value.
 */
function arrowColumnText(vector: Vector): { text: (string | null)[]; plain: boolean } {
  const out: (string | null)[] = new Array<string | null>(vector.length);
  const interned = new Map<string, string>();
  let plain = true;
  let at = 0;
  const utf8 = new TextDecoder();
  for (const data of vector.data as Data[]) {
    const n = data.length;
    // Data.getValid's test, read once per batch: a bitmap only counts when there are NULLs.
    const bitmap = data.nullCount > 0 && data.nullBitmap && data.nullBitmap.byteLength > 0 ? data.nullBitmap : null;
    const offset = data.offset;
    const valid = bitmap ? (i: number) => (bitmap[(offset + i) >> 3]! & (1 << ((offset + i) & 7))) !== 0 : () => true;
    if (DataType.isInt(data.type) || DataType.isFloat(data.type)) {
      const values = data.values as ArrayLike<number | bigint>;
      const stride = data.stride;
      if (DataType.isFloat(data.type) && (data.type as { precision: number }).precision === 0) {
        // Half floats need apache-arrow's conversion.
        for (let i = 0; i < n; i++) out[at + i] = arrowValue(vector.get(at + i));
        plain = false;
      } else {
        for (let i = 0; i < n; i++) out[at + i] = valid(i) ? numberText(values[stride * i]!) : null;
      }
    } else if (DataType.isUtf8(data.type)) {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const first = offsets[0] ?? 0;
      const last = offsets[n] ?? first;
      const span = bytes.subarray(first, last);
      // No quote, comma, CR or LF among the bytes (they are never part of a longer UTF-8
      // sequence), and no empty value: then no value needs quoting in a CSV.
      if (plain) {
        for (const b of [0x22, 0x2c, 0x0a, 0x0d]) if (span.includes(b)) plain = false;
        for (let i = 0; i < n && plain; i++) if (offsets[i] === offsets[i + 1] && valid(i)) plain = false;
      }
      if (isAscii(span)) {
        // One decode for the column, then slices: for ASCII, byte offsets are character offsets.
        const text = Buffer.from(span.buffer, span.byteOffset, span.byteLength).toString('latin1');
        let previous: string | null = null;
        for (let i = 0; i < n; i++) {
          if (!valid(i)) {
            out[at + i] = null;
            continue;
          }
          const value = text.slice(offsets[i]! - first, offsets[i + 1]! - first);
          // (A sorted table repeats a value row after row: the one before is checked first.)
          let kept: string | undefined = value === previous ? previous : interned.get(value);
          if (kept === undefined) {
            kept = value;
            if (interned.size < INTERN_LIMIT) interned.set(value, value);
          }
          out[at + i] = previous = kept;
        }
      } else {
        for (let i = 0; i < n; i++) out[at + i] = valid(i) ? utf8.decode(bytes.subarray(offsets[i], offsets[i + 1])) : null;
      }
    } else {
      for (let i = 0; i < n; i++) out[at + i] = arrowValue(vector.get(at + i));
      plain = false;
    }
    at += n;
  }
  return { text: out, plain };
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
  const read = names.map((_, i) => {
    const vector = table.getChildAt(i);
    return vector ? arrowColumnText(vector) : { text: [], plain: true };
  });
  return { names, columns: read.map((r) => r.text), rows: table.numRows, types, plain: read.map((r) => r.plain) };
}

/** The same, value by value through apache-arrow's own accessors: what `readArrow` must agree with (tests). */
export function readArrowSlowly(bytes: Uint8Array): Grid {
  const table = tableFromIPC(bytes);
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

/** A CSV field as an RFC 4180 writer (DuckDB's included) writes it: quoted when it must be, NULL empty. */
export function csvField(v: string | null): string {
  if (v === null) return '';
  return v === '' || /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** Distinct rendered fields whose UTF-8 `isCsvOf` keeps at once (a column with more encodes the rest each time). */
const ENCODED_LIMIT = 1 << 12;

/**
 * Whether `bytes` are exactly the UTF-8 CSV of a grid (a header line of `names`, then one line per
 * row, every line ended by \n), written field by field as `csvField` writes them. When they are,
 * `parseCsv` of their text gives that grid back exactly (csvField quotes whatever parseCsv would
 * otherwise read differently), so the cells of the file are known without parsing it. Each field
 * is compared with the file's bytes where it should be, in place: no text of the file is decoded
 * and none of the expected text is built (a release's CSV can be longer than the longest string V8
 * can hold, 2^29 - 24 characters, about 512 MB; the reasons table at national scale is 1.9 GB, and
 * building its text a block at a time was most of this check's time and garbage). Bytes equal to
 * UTF-8 that was encoded here are valid UTF-8.
 */
export function isCsvOf(
  bytes: Uint8Array,
  names: readonly string[],
  columns: readonly (readonly (string | null)[])[],
  rows: number,
  plain: readonly boolean[] = []
): boolean {
  // (The parser refuses a header with an empty name.)
  if (names.length === 0 || columns.length !== names.length || names.includes('')) return false;
  const file = bytes;
  const size = file.length;
  let pos = 0;
  const encoder = new TextEncoder();
  const encoded = new Map<string, Uint8Array>();
  // (The last one met, kept apart: a synthetic label is the same text on every row.)
  let lastText: string | null = null;
  let lastUtf8: Uint8Array | undefined;
  /** Whether the file holds `text`'s UTF-8 at `pos` (then moves past it). */
  const take = (text: string): boolean => {
    const n = text.length;
    // (UTF-8 takes at least a byte for each UTF-16 code unit.)
    if (pos + n > size) return false;
    let k = 0;
    for (; k < n; k++) {
      const c = text.charCodeAt(k);
      if (c >= 0x80) break;
      if (file[pos + k] !== c) return false;
    }
    if (k === n) {
      pos += n;
      return true;
    }
    // The rest of a text with a character beyond ASCII, by its encoding (whose first k bytes are
    // the ASCII characters just compared).
    let utf8 = text === lastText ? lastUtf8 : encoded.get(text);
    if (utf8 === undefined) {
      utf8 = encoder.encode(text);
      if (encoded.size < ENCODED_LIMIT) encoded.set(text, utf8);
    }
    lastText = text;
    lastUtf8 = utf8;
    const m = utf8.length;
    if (pos + m > size) return false;
    for (let j = k; j < m; j++) if (file[pos + j] !== utf8[j]) return false;
    pos += m;
    return true;
  };
  /** The byte that must end a field (a comma, or the line end after the last one). */
  const end = (byte: number): boolean => {
    if (file[pos] !== byte) return false;
    pos++;
    return true;
  };
  const COMMA_BYTE = 0x2c;
  const LF_BYTE = 0x0a;
  const last = names.length - 1;
  for (let j = 0; j <= last; j++) if (!take(csvField(names[j]!)) || !end(j === last ? LF_BYTE : COMMA_BYTE)) return false;
  // Each column's fields: the values themselves where they need no quoting, else rendered once per distinct value.
  const rendered = columns.map((col, j) => {
    if (plain[j]) return (r: number): string => col[r] ?? '';
    const cache = new Map<string, string>();
    let previous: string | null = null;
    let field = '';
    return (r: number): string => {
      const v = col[r] ?? null;
      if (v === null) return '';
      if (v === previous) return field;
      let f = cache.get(v);
      if (f === undefined) cache.set(v, (f = csvField(v)));
      previous = v;
      field = f;
      return f;
    };
  });
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < last; j++) if (!take(rendered[j]!(r)) || !end(COMMA_BYTE)) return false;
    if (!take(rendered[last]!(r)) || !end(LF_BYTE)) return false;
  }
  return pos === size;
}
