/**
 * The explorer's backend in the browser: a DuckDB-WASM instance of its own, in its own worker.
 * Import only with a dynamic `import()` from browser code (DuckDB-WASM would crash prerendering).
 *
 * Why its own instance rather than the page-wide one (`browserDb` in wasm-client.ts):
 * - Locking is for the whole database. `enable_external_access = false` and `lock_configuration`
 *   are global settings, and a lock cannot be undone. On the shared instance they would follow the
 *   analyst to every page they then open by client-side navigation (it is one JavaScript session):
 *   any page that later needs a setting, or to read a registered file, would break there and only
 *   there. A separate instance keeps the other pages exactly as they are.
 * - The analyst's tables stay out of the other pages' catalogue: a file called `schools.csv` can
 *   never shadow or collide with a published table another page queries.
 * - A runaway query blocks only the explorer's worker. DuckDB-WASM runs one statement at a time per
 *   worker; on the shared one, a cross join would stall every chart of a page opened meanwhile.
 * The cost is a second engine start (the wasm file comes from the HTTP cache; compiling it takes a
 * second or so) and a second copy of the published tables this page queries, loaded only when a
 * query first refers to them.
 */
import type { AsyncDuckDB, AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import type { Row } from '$lib/data/db';
import type { Sql } from '$lib/data/sql';
import { startEngine } from '$lib/data/wasm-client';
import { arrowToRows } from '$lib/data/wasm-shared';
import type { ExploreBackend, ScriptTokens } from './backend';
import { Explorer } from './explorer';
import { ENGINE_CONFIG } from './lockdown';

class BrowserExploreBackend implements ExploreBackend {
  constructor(
    private readonly db: AsyncDuckDB,
    private readonly conn: AsyncDuckDBConnection
  ) {}

  private unsafe<R>(f: (db: AsyncDuckDB, conn: number) => R): R {
    return this.conn.useUnsafe(f);
  }

  async query<T extends object = Row>(statement: Sql): Promise<T[]> {
    const stmt = await this.conn.prepare(statement.text);
    try {
      return arrowToRows<T>(await stmt.query(...statement.params));
    } finally {
      await stmt.close();
    }
  }

  startPending(text: string): Promise<Uint8Array | null> {
    return this.unsafe((db, c) => db.startPendingQuery(c, text, false));
  }

  pollPending(): Promise<Uint8Array | null> {
    return this.unsafe((db, c) => db.pollPendingQuery(c));
  }

  cancelPending(): Promise<boolean> {
    return this.unsafe((db, c) => db.cancelPendingQuery(c));
  }

  fetchResults(): Promise<Uint8Array | null> {
    return this.unsafe((db, c) => db.fetchQueryResults(c));
  }

  tokenize(text: string): Promise<ScriptTokens> {
    return this.db.tokenize(text);
  }

  tableNames(text: string): Promise<string[]> {
    return this.conn.getTableNames(text);
  }

  insertArrow(name: string, ipc: Uint8Array): Promise<void> {
    return this.conn.insertArrowFromIPCStream(ipc, { name, create: true });
  }

  async close(): Promise<void> {
    await this.conn.close();
    await this.db.terminate();
  }
}

/** A published table the explorer can load: its name (from the manifest) and its Arrow file's URL. */
export interface PublishedArrow {
  name: string;
  url: string;
}

/** Start the explorer's own engine, locked down, with the published tables available on first use. */
export async function openExplorer(tables: readonly PublishedArrow[]): Promise<Explorer> {
  const db = await startEngine();
  try {
    await db.open(ENGINE_CONFIG);
    const conn = await db.connect();
    const urls = new Map(tables.map((t) => [t.name, t.url]));
    return await Explorer.open(new BrowserExploreBackend(db, conn), {
      names: tables.map((t) => t.name),
      async load(name) {
        const res = await fetch(urls.get(name)!);
        if (!res.ok) throw new Error(`Could not load the published table ${name}: HTTP ${res.status}`);
        return new Uint8Array(await res.arrayBuffer());
      }
    });
  } catch (e) {
    await db.terminate();
    throw e;
  }
}
