/**
 * A query's Arrow result as the explorer shows it: columns of plain values (numbers, text,
 * booleans, dates as ISO text, NULL as null), whatever Arrow types DuckDB chose.
 *
 * Why column-major plain values: the results table renders only the rows in view, the chart and the
 * CSV read whole columns, and Arrow's own values are awkward to show (BIGINT is a BigInt, a DATE is
 * milliseconds, a LIST is a Vector). Converting once, with the row cap already applied, keeps every
 * consumer simple and fast on 100,000 rows.
 */
import { DataType, Type, type Field, type Table } from 'apache-arrow';

export type Cell = string | number | boolean | null;

/** How a column behaves: what can be charted and how it aligns. */
export type ColumnKind = 'number' | 'text' | 'boolean' | 'date' | 'other';

export interface ResultColumn {
  name: string;
  kind: ColumnKind;
  /** The Arrow type, in Arrow's words (Int32, Utf8, Date32<DAY>, …), for the column's header title. */
  type: string;
  values: Cell[];
}

export interface QueryResult {
  columns: ResultColumn[];
  rowCount: number;
  /** The query returned more rows than the cap: only the first `rowCount` are here. */
  truncated: boolean;
  ms: number;
}

/** Join IPC chunks (header, batches, end) into one stream. */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function bigintCell(v: bigint): Cell {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function isoDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function isoTimestamp(ms: number): string {
  const d = new Date(ms);
  const frac = d.getUTCMilliseconds() ? `.${pad(d.getUTCMilliseconds(), 3)}` : '';
  return `${isoDate(ms)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac}`;
}

/** Milliseconds from a timestamp value in its unit (0 s, 1 ms, 2 µs, 3 ns). */
function toMs(v: unknown, unit: number): number {
  if (typeof v === 'bigint') return Number(v) / [1e-3, 1, 1e3, 1e6][unit]!;
  if (v instanceof Date) return v.getTime();
  return Number(v);
}

function timeOfDay(v: unknown, unit: number): string {
  const ms = typeof v === 'bigint' ? Number(v) / [1e-3, 1, 1e3, 1e6][unit]! : Number(v);
  const s = Math.floor(ms / 1000);
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

function jsonText(v: unknown): string {
  const plain = typeof (v as { toJSON?: unknown })?.toJSON === 'function' ? (v as { toJSON(): unknown }).toJSON() : v;
  if (plain instanceof Uint8Array) return `\\x${[...plain].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  return JSON.stringify(plain, (_k, x: unknown) => (typeof x === 'bigint' ? bigintCell(x) : x)) ?? String(v);
}

interface Converter {
  kind: ColumnKind;
  cell: (v: unknown) => Cell;
}

function converter(type: DataType): Converter {
  if (DataType.isDictionary(type)) return converter(type.dictionary);
  switch (type.typeId) {
    case Type.Int:
      return { kind: 'number', cell: (v) => (typeof v === 'bigint' ? bigintCell(v) : (v as number)) };
    case Type.Float:
      return { kind: 'number', cell: (v) => v as number };
    case Type.Decimal:
      // ENGINE_CONFIG casts DECIMAL to DOUBLE; kept as text if one slips through, never misread.
      return { kind: 'number', cell: (v) => (typeof v === 'number' ? v : String(v)) };
    case Type.Bool:
      return { kind: 'boolean', cell: (v) => v as boolean };
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
      return { kind: 'text', cell: (v) => v as string };
    case Type.Date:
      return { kind: 'date', cell: (v) => isoDate(v instanceof Date ? v.getTime() : Number(v)) };
    case Type.Timestamp: {
      const unit = (type as unknown as { unit: number }).unit;
      return { kind: 'date', cell: (v) => isoTimestamp(toMs(v, unit)) };
    }
    case Type.Time: {
      const unit = (type as unknown as { unit: number }).unit;
      return { kind: 'text', cell: (v) => timeOfDay(v, unit) };
    }
    case Type.Null:
      return { kind: 'other', cell: () => null };
    default:
      return { kind: 'other', cell: jsonText };
  }
}

/** The result as the explorer shows it, cut to `cap` rows (`truncated` says when rows were cut). */
export function shapeResult(table: Table, cap: number, ms: number): QueryResult {
  const rowCount = Math.min(table.numRows, cap);
  const columns = table.schema.fields.map((field: Field, i) => {
    const vector = table.getChildAt(i)!;
    const { kind, cell } = converter(field.type);
    const values: Cell[] = new Array(rowCount);
    for (let r = 0; r < rowCount; r++) {
      const v: unknown = vector.get(r);
      values[r] = v === null || v === undefined ? null : cell(v);
    }
    return { name: field.name, kind, type: String(field.type), values };
  });
  return { columns, rowCount, truncated: table.numRows > cap, ms };
}
