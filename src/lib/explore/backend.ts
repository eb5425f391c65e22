/**
 * The few DuckDB-WASM operations the explorer needs, behind one interface so that the same explorer
 * code runs on the browser's worker (backend-browser.ts) and on the blocking bundle in Node
 * (backend-node.ts, for the unit tests): the engine users get, in both places.
 *
 * Why not the shared `Db` interface: the explorer needs what `Db` deliberately hides. A user's query
 * runs as a *pending* query that is polled, so that it can be cancelled between polls; its result
 * comes back as Arrow IPC bytes (read with this project's own apache-arrow, whatever version the
 * engine bundles); and the analyst's own file is inserted as Arrow IPC.
 */
import type { Row } from '$lib/data/db';
import type { Sql } from '$lib/data/sql';

export interface ScriptTokens {
  offsets: number[];
  /** DuckDB's token types: 0 identifier, 1 number, 2 string, 3 operator, 4 keyword, 5 comment. */
  types: number[];
}

export interface ExploreBackend {
  /** The app's own statements (set-up, staging, checks): prepared, with `?` parameters. */
  query<T extends object = Row>(statement: Sql): Promise<T[]>;
  /** Start a pending query; resolves to the result's IPC header once done, or null while running. */
  startPending(text: string): Promise<Uint8Array | null>;
  /** Run the pending query for one time slice (about 100 ms); header when done, else null. */
  pollPending(): Promise<Uint8Array | null>;
  /** Stop the pending query; the next poll or fetch fails. */
  cancelPending(): Promise<boolean>;
  /** Next chunk of a finished query's result as IPC bytes; empty (or null) when there are no more. */
  fetchResults(): Promise<Uint8Array | null>;
  /** DuckDB's own tokenizer (keywords, operators, ... with comments skipped). */
  tokenize(text: string): Promise<ScriptTokens>;
  /** Tables a statement refers to, by DuckDB's parser (best effort: it may also bind, and throw). */
  tableNames(text: string): Promise<string[]>;
  /** Create table `name` from Arrow IPC *stream* bytes (the file format is silently ignored). */
  insertArrow(name: string, ipc: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
