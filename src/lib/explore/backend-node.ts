/**
 * The explorer's backend on DuckDB-WASM's blocking bundle in Node: what the unit tests run, so they
 * exercise the engine (and its settings) that users get in the browser. Not imported by the site.
 *
 * The blocking bundle runs each call to completion on the calling thread, so cancellation is tested
 * the way the browser does it: the query is started and polled one slice at a time, and a cancel
 * between two polls stops it.
 */
import { createDuckDB, NODE_RUNTIME, VoidLogger, type DuckDBBindings } from '@duckdb/duckdb-wasm/blocking';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Row } from '$lib/data/db';
import type { Sql } from '$lib/data/sql';
import { arrowToRows } from '$lib/data/wasm-shared';
import type { ExploreBackend, ScriptTokens } from './backend';
import { ENGINE_CONFIG } from './lockdown';

type Connection = ReturnType<DuckDBBindings['connect']>;

export class NodeExploreBackend implements ExploreBackend {
  private constructor(
    private readonly db: DuckDBBindings,
    private readonly conn: Connection
  ) {}

  static async open(): Promise<NodeExploreBackend> {
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm'));
    const db = await createDuckDB(
      {
        mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: path.join(dist, 'duckdb-node-mvp.worker.cjs') },
        eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: path.join(dist, 'duckdb-node-eh.worker.cjs') }
      },
      new VoidLogger(),
      NODE_RUNTIME
    );
    await db.instantiate();
    db.open(ENGINE_CONFIG);
    return new NodeExploreBackend(db, db.connect());
  }

  private unsafe<R>(f: (b: DuckDBBindings, conn: number) => R): R {
    return this.conn.useUnsafe(f);
  }

  async query<T extends object = Row>(statement: Sql): Promise<T[]> {
    const stmt = this.conn.prepare(statement.text);
    try {
      return arrowToRows<T>(stmt.query(...statement.params));
    } finally {
      stmt.close();
    }
  }

  async startPending(text: string): Promise<Uint8Array | null> {
    return this.unsafe((b, c) => b.startPendingQuery(c, text, false));
  }

  async pollPending(): Promise<Uint8Array | null> {
    return this.unsafe((b, c) => b.pollPendingQuery(c));
  }

  async cancelPending(): Promise<boolean> {
    return this.unsafe((b, c) => b.cancelPendingQuery(c));
  }

  async fetchResults(): Promise<Uint8Array | null> {
    return this.unsafe((b, c) => b.fetchQueryResults(c));
  }

  async tokenize(text: string): Promise<ScriptTokens> {
    return this.db.tokenize(text);
  }

  async tableNames(text: string): Promise<string[]> {
    return this.conn.getTableNames(text);
  }

  async insertArrow(name: string, ipc: Uint8Array): Promise<void> {
    this.conn.insertArrowFromIPCStream(ipc, { name, create: true });
  }

  async close(): Promise<void> {
    this.conn.close();
    this.db.reset();
  }
}
