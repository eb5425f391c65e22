/**
 * DuckDB-WASM in the browser: a lazy singleton, self-hosted, that loads the published Arrow IPC.
 *
 * Import this module only with a dynamic `import()` from browser code: DuckDB-WASM touches
 * `Worker` and `WebAssembly` at import time and would crash prerendering. The wasm and worker files
 * are imported with Vite's `?url`, so they are emitted into the build and served from the site's
 * own origin; nothing is fetched from a CDN. Extension autoload is switched off because Parquet,
 * JSON and ICU are extensions DuckDB-WASM would download at run time; the site feeds it Arrow IPC,
 * which is built in.
 *
 * Nothing fetched is trusted blindly: the manifest's shape, and each Arrow file's size, SHA-256 and
 * row count, are checked against the release manifest (verify.ts). Each table loads on its own, so
 * a broken file fails only the charts that read it. The engine is started through a small guard
 * worker (duckdb-guard.worker.js) so that a wasm file that cannot be compiled is an error at once,
 * not a page that says "loading" until the start-up timeout.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import guardWorker from './duckdb-guard.worker.js?url&no-inline';
import { QueryError, type ColumnResult, type Db, type Row } from './db';
import type { Manifest } from './manifest';
import type { TableName } from './schema';
import type { Sql } from './sql';
import { DataFileError, loadVerifiedTable, parseManifest, type ArrowSink } from './verify';
import { arrowToColumns, arrowToRows, LOCKDOWN_STATEMENTS } from './wasm-shared';

type ArrowTable = Awaited<ReturnType<duckdb.AsyncPreparedStatement['query']>>;

/** Long enough for a 35 MB download on a slow line; short enough that a hang becomes an error. */
const START_TIMEOUT_MS = 60_000;
/** How many recent statements `log` keeps. */
const LOG_LIMIT = 100;
/** How many prepared statements are kept for reuse (a page asks a few dozen distinct ones). */
const STATEMENT_LIMIT = 48;

class BrowserWasmDb implements Db {
  readonly engine = 'duckdb-wasm' as const;
  /**
   * The latest statements this client ran, so tests (and the curious) can see that a view was
   * queried. Bounded: a tab left open all afternoon must not keep every query it ever ran.
   */
  readonly log: { sql: string; rows: number; ms: number }[] = [];

  private readonly loaded = new Map<TableName, Promise<void>>();
  /**
   * Prepared statements by SQL text, least recently used first. A filter change asks the same
   * statements with other parameters; preparing one again (parsing, binding, planning: about a
   * third of the engine's time for the schools funnel at national scale) and closing it each time
   * were two more round trips to the worker, which answers one message at a time.
   */
  private readonly statements = new Map<string, Promise<duckdb.AsyncPreparedStatement>>();

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

  private loadTable(name: TableName): Promise<void> {
    const sink: ArrowSink = {
      // A connection per file: DuckDB-WASM keeps a partly read IPC stream on its connection, so
      // one bad file must not share a connection with the next (see ArrowSink).
      insert: async (table, bytes) => {
        const c = await this.db.connect();
        try {
          await c.insertArrowFromIPCStream(bytes, { name: table, create: true });
        } finally {
          await c.close();
        }
      },
      count: async (table) => {
        const [row] = arrowToRows<{ n: number }>(await this.connection.query(`SELECT count(*)::INTEGER AS n FROM "${table}"`));
        return row?.n ?? 0;
      },
      drop: async (table) => {
        await this.connection.query(`DROP TABLE IF EXISTS "${table}"`);
      }
    };
    return loadVerifiedTable(this.manifest, name, (path) => fetch(`${this.dataBase}/${path}`), sink);
  }

  async query<T extends object = Row>(statement: Sql): Promise<T[]> {
    return this.run(statement, (table) => arrowToRows<T>(table));
  }

  async queryColumns<T extends object = Row>(statement: Sql): Promise<ColumnResult<T>> {
    return this.run(statement, (table) => arrowToColumns<T>(table));
  }

  private async run<R extends { length: number }>(statement: Sql, convert: (table: ArrowTable) => R): Promise<R> {
    const t0 = performance.now();
    let out: R;
    try {
      const stmt = await this.prepared(statement.text);
      try {
        out = convert(await stmt.query(...statement.params));
      } catch (e) {
        // Not kept after a failure: the next attempt prepares afresh (the tables may have changed).
        this.forget(statement.text);
        throw e;
      }
    } catch (e) {
      throw new QueryError(`DuckDB-WASM query failed: ${(e as Error).message}`, statement);
    }
    this.log.push({ sql: statement.text, rows: out.length, ms: performance.now() - t0 });
    // A User Timing entry per query (no cost to speak of): the benchmark splits a filter change's
    // time into the engine's and the page's with them (tests/bench/site.ts).
    performance.measure('duckdb-wasm:query', { start: t0, detail: { rows: out.length, sql: statement.text.slice(0, 120) } });
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    return out;
  }

  private prepared(text: string): Promise<duckdb.AsyncPreparedStatement> {
    let p = this.statements.get(text);
    if (p) this.statements.delete(text);
    else {
      p = this.connection.prepare(text);
      p.catch(() => this.forget(text));
    }
    this.statements.set(text, p);
    if (this.statements.size > STATEMENT_LIMIT) this.forget(this.statements.keys().next().value!);
    return p;
  }

  /**
   * Drop a kept statement and close it. The worker answers messages in order, so a query already
   * sent on it runs before the close does.
   */
  private forget(text: string): void {
    const p = this.statements.get(text);
    if (!p) return;
    this.statements.delete(text);
    void p.then((stmt) => stmt.close()).catch(() => {});
  }

  async close(): Promise<void> {
    await this.connection.close();
    await this.db.terminate();
  }
}

async function fetchManifest(dataBase: string): Promise<Manifest> {
  const unavailable = (why: string) =>
    new DataFileError('manifest.json', 'unavailable', `The release manifest (manifest.json) could not be downloaded (${why}).`);
  let res: Response;
  try {
    res = await fetch(`${dataBase}/manifest.json`);
  } catch (e) {
    throw unavailable(e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) throw unavailable(`HTTP ${res.status}`);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new DataFileError('manifest.json', 'manifest', 'The release manifest (manifest.json) is not usable: it is not valid JSON.');
  }
  return parseManifest(json);
}

/**
 * Check the engine's wasm file before the worker fetches it: a missing file or one served with the
 * wrong MIME type (a static host that does not know .wasm, or answers every path with a page) gets
 * a message that says so, instead of a compile error from inside the worker.
 */
async function checkWasm(url: string): Promise<void> {
  const name = url.split('/').pop();
  let head: Response;
  try {
    head = await fetch(url, { method: 'HEAD' });
  } catch (e) {
    throw new Error(`The DuckDB engine (${name}) could not be downloaded (${e instanceof Error ? e.message : String(e)}).`);
  }
  // A host that does not answer HEAD says nothing either way; the worker's own fetch will tell.
  if (head.status === 405 || head.status === 501) return;
  if (!head.ok) throw new Error(`The DuckDB engine (${name}) could not be downloaded (HTTP ${head.status}).`);
  const type = head.headers.get('content-type')?.split(';')[0]?.trim();
  if (type && type !== 'application/wasm') {
    throw new Error(`The DuckDB engine (${name}) is served as ${type}; the web server must send .wasm files as application/wasm.`);
  }
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
  // DuckDB-WASM's instantiate never settles when the wasm file is missing or cannot be compiled:
  // check the file first, start the engine inside the guard worker (which turns a failed compile
  // into a worker error), and give up after a generous wait whatever happens.
  await checkWasm(bundle.mainModule);
  const workerUrl = new URL(guardWorker, location.href);
  workerUrl.searchParams.set('engine', new URL(bundle.mainWorker, location.href).href);
  const worker = new Worker(workerUrl);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let starting = true;
  try {
    await Promise.race([
      db.instantiate(bundle.mainModule, bundle.pthreadWorker),
      new Promise<never>((_, reject) => {
        worker.addEventListener('error', (e) => {
          // Once started, a worker error is left to reach the console like any other.
          if (!starting) return;
          e.preventDefault();
          const why = (e.message || 'worker error').replace(/^Uncaught /, '');
          reject(new Error(`The DuckDB engine (${bundle.mainModule.split('/').pop()}) failed to start: ${why}`));
        });
        timer = setTimeout(() => reject(new Error(`The DuckDB engine did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      })
    ]);
  } catch (e) {
    worker.terminate();
    throw e;
  } finally {
    starting = false;
    clearTimeout(timer);
  }
  return db;
}

async function open(dataBase: string): Promise<BrowserWasmDb> {
  const manifest = await fetchManifest(dataBase);
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
