/**
 * What the two DuckDB-WASM clients (browser worker, Node blocking bundle) share: turning an Arrow
 * result into plain rows, and the settings every connection gets.
 */
import { plainValue, type Row } from './db';

/** Extension autoload reaches for the internet; the browser must depend only on built-ins. */
export const LOCKDOWN_STATEMENTS = [
  'SET autoinstall_known_extensions = false',
  'SET autoload_known_extensions = false'
];

interface ArrowLikeVector extends Iterable<unknown> {
  readonly length: number;
}

interface ArrowLikeTable {
  readonly numRows: number;
  readonly schema: { readonly fields: readonly { readonly name: string }[] };
  getChildAt(index: number): ArrowLikeVector | null;
}

/**
 * Plain row objects from an Arrow result, built column by column. Why not `table.toArray()` and
 * each row's `toJSON()`: those go through a row proxy per row and a lookup per cell, about three
 * times slower; at national scale a funnel of 22,000 schools spent longer becoming rows than the
 * query took to run. Columns are read by position, so a result with two columns of one name keeps
 * the last, as `toJSON()` did.
 */
export function arrowToRows<T extends object = Row>(table: ArrowLikeTable): T[] {
  const n = table.numRows;
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((_, c) => {
    const out = new Array<unknown>(n);
    let i = 0;
    const vector = table.getChildAt(c);
    if (vector) for (const v of vector) out[i++] = plainValue(v);
    return out;
  });
  const rows = new Array<T>(n);
  for (let r = 0; r < n; r++) {
    const row: Row = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = columns[c]![r] ?? null;
    rows[r] = row as T;
  }
  return rows;
}
