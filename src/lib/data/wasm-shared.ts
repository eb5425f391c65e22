/**
 * What the two DuckDB-WASM clients (browser worker, Node blocking bundle) share: turning an Arrow
 * result into plain rows or columns, and the settings every connection gets.
 */
import { plainValue, type ColumnResult, type Row } from './db';

/** Extension autoload reaches for the internet; the browser must depend only on built-ins. */
export const LOCKDOWN_STATEMENTS = [
  'SET autoinstall_known_extensions = false',
  'SET autoload_known_extensions = false'
];

interface ArrowLikeVector extends Iterable<unknown> {
  readonly length: number;
  readonly nullCount: number;
  readonly type: { readonly typeId: number };
  toArray(): unknown;
}

interface ArrowLikeTable {
  readonly numRows: number;
  readonly schema: { readonly fields: readonly { readonly name: string }[] };
  getChildAt(index: number): ArrowLikeVector | null;
}

/** Arrow's Type ids (apache-arrow's `Type` enum) of the columns read as typed arrays. */
const ARROW_INT = 2;
const ARROW_FLOAT = 3;

/**
 * A column's values: the vector's own typed array for a number column without NULLs (no copy, no
 * per-value work), otherwise each value in turn. 64-bit integers (BigInt64Array) and half floats
 * (raw Uint16Array) go the slow way, to become plain numbers.
 */
function columnValues(vector: ArrowLikeVector | null, n: number): ArrayLike<unknown> {
  if (!vector) return new Array<unknown>(n).fill(null);
  const typeId = vector.type.typeId;
  if (vector.nullCount === 0 && (typeId === ARROW_INT || typeId === ARROW_FLOAT)) {
    const a = vector.toArray();
    const ok =
      typeId === ARROW_FLOAT
        ? a instanceof Float64Array || a instanceof Float32Array
        : a instanceof Int32Array || a instanceof Int16Array || a instanceof Int8Array || a instanceof Uint32Array || a instanceof Uint16Array || a instanceof Uint8Array;
    if (ok && (a as ArrayLike<number>).length === n) return a as ArrayLike<number>;
  }
  const out = new Array<unknown>(n);
  let i = 0;
  for (const v of vector) out[i++] = plainValue(v) ?? null;
  return out;
}

/** An Arrow result as columns, by name (a name given twice keeps the last column, as rows do). */
export function arrowToColumns<T extends object = Row>(table: ArrowLikeTable): ColumnResult<T> {
  const n = table.numRows;
  const columns: Record<string, ArrayLike<unknown>> = {};
  table.schema.fields.forEach((f, c) => {
    columns[f.name] = columnValues(table.getChildAt(c), n);
  });
  return { length: n, columns: columns as ColumnResult<T>['columns'] };
}

/**
 * Plain row objects from an Arrow result, built column by column. Why not `table.toArray()` and
 * each row's `toJSON()`: those go through a row proxy per row and a lookup per cell, about three
 * times slower; at national scale a funnel of 22,000 schools spent longer becoming rows than the
 * query took to run. Each row starts as a copy of one template holding every name, so all rows
 * share one shape and each cell is a store to an existing property, not a new one (about twice as
 * fast again). Columns are read by position, so a result with two columns of one name keeps the
 * last, as `toJSON()` did.
 */
export function arrowToRows<T extends object = Row>(table: ArrowLikeTable): T[] {
  const n = table.numRows;
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((_, c) => columnValues(table.getChildAt(c), n));
  const template: Row = {};
  for (const name of names) template[name] = null;
  const rows = new Array<T>(n);
  for (let r = 0; r < n; r++) {
    const row: Row = { ...template };
    for (let c = 0; c < names.length; c++) row[names[c]!] = columns[c]![r];
    rows[r] = row as T;
  }
  return rows;
}
