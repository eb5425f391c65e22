/**
 * What the two DuckDB-WASM clients (browser worker, Node blocking bundle) share: turning an Arrow
 * result into plain rows, and the settings every connection gets.
 */
import { plainRow, type Row } from './db';

/** Extension autoload reaches for the internet; the browser must depend only on built-ins. */
export const LOCKDOWN_STATEMENTS = [
  'SET autoinstall_known_extensions = false',
  'SET autoload_known_extensions = false'
];

interface ArrowLikeTable {
  toArray(): Array<{ toJSON(): Record<string, unknown> }>;
}

export function arrowToRows<T extends object = Row>(table: ArrowLikeTable): T[] {
  return table.toArray().map((r) => plainRow(r.toJSON()) as T);
}
