/**
 * The one database interface that every query function talks to.
 *
 * Two clients implement it: DuckDB-WASM in the browser (`wasm-client.ts`, also run in Node by the
 * unit tests through its blocking bundle) and native DuckDB in Node (`node-client.ts`, used at
 * prerender time and by benchmarks). Query functions take a `Db` and never know which engine they
 * run on, so the first view computed at build time and every later view computed in the browser
 * come from the same SQL.
 */
import type { Sql } from './sql';

export type Engine = 'duckdb-wasm' | 'duckdb-native';

export type Row = Record<string, unknown>;

/**
 * A result column by column: one array per column, each `length` long. A numeric column with no
 * NULLs may be a typed array (a view on the engine's own buffer, nothing copied).
 */
export interface ColumnResult<T extends object = Row> {
  readonly length: number;
  readonly columns: { readonly [K in keyof T]: ArrayLike<T[K]> };
}

export interface Db {
  readonly engine: Engine;
  query<T extends object = Row>(statement: Sql): Promise<T[]>;
  /**
   * The same answer as `query`, by column: for results of thousands of rows that a page turns into
   * its own objects anyway (a funnel's schools), where making a row object per result row first
   * was most of the time between the engine's answer and the chart.
   */
  queryColumns<T extends object = Row>(statement: Sql): Promise<ColumnResult<T>>;
  close(): Promise<void>;
}

/**
 * Engines hand back BIGINT as BigInt and HUGEINT/DECIMAL in engine-specific shapes. Query functions
 * cast in SQL so that this is a no-op; it remains as a guard so a forgotten cast becomes a number
 * (exact below 2^53, which every count here is) instead of a BigInt that breaks JSON and D3.
 */
export function plainValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  return v;
}

export function plainRow(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = plainValue(v);
  return out;
}

/** A failed query, carrying the statement so error states and logs can say what was asked. */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly statement: Sql
  ) {
    super(message);
    this.name = 'QueryError';
  }
}
