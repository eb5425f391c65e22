/**
 * DuckDB-WASM in the browser: a lazy singleton, self-hosted, that loads the published Arrow IPC.
 *
 * Import this module only with a dynamic `import()` from browser code: DuckDB-WASM touches
 * `Worker` and `WebAssembly` at import time and would crash prerendering. The wasm and worker files
 * are imported with Vite's `?url`, so they are emitted into the build and served from the site's
 * own origin; nothing is fetched from a CDN. Extension autoload is switched off because Parquet,
 * JSON and ICU are extensions DuckDB-WASM would download at run time; the site feeds it Arrow IPC,
 * which is built in.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import { QueryError, type Db, type Row } from './db';
import type { Manifest } from './manifest';
import type { TableName } from './schema';
import type { Sql } from './sql';
import { arrowToRows, LOCKDOWN_STATEMENTS } from './wasm-shared';

/** Long enough for a 35 MB download on a slow line; short enough that a hang becomes an error. */
const START_TIMEOUT_MS = 60_000;

class BrowserWasmDb implements Db {
  readonly engine = 'duckdb-wasm' as const;
  /** Every statement this client ran, so tests (and the curious) can see that a view was queried. */
  readonly log: { sql: string; rows: number; ms: number }[] = [];

  private readonly loaded = new Map<TableName, Promise<void>>();

  constructor(
    private readonly db: duckdb.AsyncDuckDB,
    private readonly connection: duckdb.AsyncDuckDBConnection,
    readonly manifest: Manifest,
    private readonly dataBase: string
  ) {}

  /**
   * Load the tables a view needs, each at most once: a page pays only for the tables it queries.
   * A failed load is forgotten so that a retry fetches again.
   */
  ensureTables(names: readonly TableName[]): Promise<void> {
    return Promise.all(
      names.map((name) => {
        let p = this.loaded.get(name);
        if (!p) {
          p = this.loadTable(name).catch((e: unknown) => {
            this.loaded.delete(name);
            throw e;
          });
          this.loaded.set(name, p);
        }
        return p;
      })
    ).then(() => undefined);
  }

  private async loadTable(name: TableName): Promise<void> {
    const file = this.manifest.tables[name]?.files.arrow;
    if (!file) throw new Error(`The data manifest lists no Arrow file for table ${name}`);
    const bytes = await fetchBytes(`${this.dataBase}/${file.path}`);
    await this.connection.insertArrowFromIPCStream(bytes, { name, create: true });
  }

  async query<T extends object = Row>(statement: Sql): Promise<T[]> {
    const t0 = performance.now();
    let rows: T[];
    try {
      const stmt = await this.connection.prepare(statement.text);
      try {
        rows = arrowToRows<T>(await stmt.query(...statement.params));
      } finally {
        await stmt.close();
      }
    } catch (e) {
      throw new QueryError(`DuckDB-WASM query failed: ${(e as Error).message}`, statement);
    }
    this.log.push({ sql: statement.text, rows: rows.length, ms: performance.now() - t0 });
    return rows;
  }

  async close(): Promise<void> {
    await this.connection.close();
    await this.db.terminate();
  }
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`Could not load ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * A started DuckDB-WASM engine in its own worker, from the self-hosted bundles. Shared by the
 * page-wide database below and by the explorer's own locked-down instance (src/lib/explore), so that
 * both pick bundles, check the wasm file and give up on a hang the same way.
 */
export async function startEngine(): Promise<duckdb.AsyncDuckDB> {
  const bundle = await duckdb.selectBundle({
    mvp: { mainModule: mvpWasm, mainWorker: mvpWorker },
    eh: { mainModule: ehWasm, mainWorker: ehWorker }
  });
  if (!bundle.mainWorker) throw new Error('DuckDB-WASM: no worker in the selected bundle');
  // DuckDB-WASM's instantiate never settles when the wasm file is missing or broken, so a page
  // would show "loading" for ever: check the file is there, and give up after a generous wait.
  const head = await fetch(bundle.mainModule, { method: 'HEAD' });
  if (!head.ok) throw new Error(`Could not load the DuckDB engine (${bundle.mainModule.split('/').pop()}): HTTP ${head.status}`);
  const worker = new Worker(bundle.mainWorker);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      db.instantiate(bundle.mainModule, bundle.pthreadWorker),
      new Promise<never>((_, reject) => {
        worker.addEventListener('error', (e) => reject(new Error(`The DuckDB engine failed to start: ${e.message || 'worker error'}`)));
        timer = setTimeout(() => reject(new Error(`The DuckDB engine did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      })
    ]);
  } catch (e) {
    worker.terminate();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return db;
}

async function open(dataBase: string): Promise<BrowserWasmDb> {
  const manifestRes = await fetch(`${dataBase}/manifest.json`);
  if (!manifestRes.ok) throw new Error(`Could not load the data manifest: HTTP ${manifestRes.status}`);
  const manifest = (await manifestRes.json()) as Manifest;
  const db = await startEngine();
  const connection = await db.connect();
  for (const s of LOCKDOWN_STATEMENTS) await connection.query(s);
  return new BrowserWasmDb(db, connection, manifest, dataBase);
}

let instance: Promise<BrowserWasmDb> | null = null;

/**
 * The page-wide database. The first call starts the download; later calls share it. A failed start
 * is forgotten so that a retry can try again.
 */
export function browserDb(dataBase: string): Promise<BrowserWasmDb> {
  if (!instance) {
    instance = open(dataBase).catch((e: unknown) => {
      instance = null;
      throw e;
    });
  }
  return instance;
}

export type { BrowserWasmDb };
