/**
 * DuckDB-WASM run in Node through its blocking bundle: the engine users get, for unit tests.
 *
 * Tests open one with inline fixture tables (`createTableSql` + INSERT) or with published Arrow IPC
 * bytes, then run the same query functions the pages run. Not imported by the site.
 */
import { createDuckDB, NODE_RUNTIME, VoidLogger, type DuckDBBindings } from '@duckdb/duckdb-wasm/blocking';
import { createRequire } from 'node:module';
import path from 'node:path';
import { QueryError, type ColumnResult, type Db, type Row } from './db';
import type { Sql } from './sql';
import { arrowToColumns, arrowToRows, LOCKDOWN_STATEMENTS } from './wasm-shared';

type Connection = ReturnType<DuckDBBindings['connect']>;

export class WasmNodeDb implements Db {
  readonly engine = 'duckdb-wasm' as const;
  private constructor(
    private readonly db: DuckDBBindings,
    readonly connection: Connection
  ) {}

  static async open(): Promise<WasmNodeDb> {
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
    const connection = db.connect();
    for (const s of LOCKDOWN_STATEMENTS) connection.query(s);
    return new WasmNodeDb(db, connection);
  }

  /** Run DDL/DML written by a test (fixtures only; query functions go through `query`). */
  exec(text: string): void {
    this.connection.query(text);
  }

  /** Another connection to the same database (tables are shared; per-connection state is not). */
  openConnection(): Connection {
    return this.db.connect();
  }

  insertArrow(name: string, ipc: Uint8Array): void {
    this.connection.insertArrowFromIPCStream(ipc, { name, create: true });
  }

  async query<T extends object = Row>(statement: Sql): Promise<T[]> {
    return this.run(statement, (table) => arrowToRows<T>(table));
  }

  async queryColumns<T extends object = Row>(statement: Sql): Promise<ColumnResult<T>> {
    return this.run(statement, (table) => arrowToColumns<T>(table));
  }

  private run<R>(statement: Sql, convert: (table: ReturnType<ReturnType<Connection['prepare']>['query']>) => R): R {
    try {
      const stmt = this.connection.prepare(statement.text);
      try {
        return convert(stmt.query(...statement.params));
      } finally {
        stmt.close();
      }
    } catch (e) {
      throw new QueryError(`DuckDB-WASM query failed: ${(e as Error).message}`, statement);
    }
  }

  async close(): Promise<void> {
    this.connection.close();
    this.db.reset();
  }
}
