/**
 * Native DuckDB client (Node): the engine for prerendering pages at build time and for benchmarks.
 *
 * It loads the published Parquet files (native DuckDB reads Parquet with no extension download),
 * which hold the same rows as the Arrow IPC files the browser loads. Values come back through
 * `plainRow`, so results are the same plain JSON-able rows DuckDB-WASM gives.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { plainRow, plainValue, QueryError, type ColumnResult, type Db, type Row } from './db';
import { TABLE_NAMES, type TableName } from './schema';
import type { Sql } from './sql';

export class NodeDb implements Db {
  readonly engine = 'duckdb-native' as const;
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection
  ) {}

  static async open(): Promise<NodeDb> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    // Never reach for the network: an extension download at build time would be a silent dependency.
    await connection.run('SET autoinstall_known_extensions = false');
    await connection.run('SET autoload_known_extensions = false');
    return new NodeDb(instance, connection);
  }

  /** Open a database holding the published tables found in `dir` (as written by the pipeline). */
  static async fromPublished(dir: string, tables: readonly TableName[] = TABLE_NAMES): Promise<NodeDb> {
    const db = await NodeDb.open();
    for (const table of tables) {
      const file = path.join(dir, `${table}.parquet`);
      if (!existsSync(file)) throw new Error(`Published table missing: ${file}. Run \`npm run data\` first.`);
      await db.connection.run(`CREATE TABLE "${table}" AS SELECT * FROM read_parquet($1)`, [file]);
    }
    return db;
  }

  async query<T extends object = Row>(statement: Sql): Promise<T[]> {
    try {
      const reader = await this.connection.runAndReadAll(statement.text, statement.params as DuckDBValue[]);
      return reader.getRowObjectsJS().map((r) => plainRow(r as Row) as T);
    } catch (e) {
      throw new QueryError(`native DuckDB query failed: ${(e as Error).message}`, statement);
    }
  }

  async queryColumns<T extends object = Row>(statement: Sql): Promise<ColumnResult<T>> {
    try {
      const reader = await this.connection.runAndReadAll(statement.text, statement.params as DuckDBValue[]);
      const values = reader.getColumnsJS();
      const columns: Record<string, unknown[]> = {};
      reader.columnNames().forEach((name, c) => {
        columns[name] = (values[c] ?? []).map(plainValue);
      });
      return { length: reader.currentRowCount, columns: columns as ColumnResult<T>['columns'] };
    } catch (e) {
      throw new QueryError(`native DuckDB query failed: ${(e as Error).message}`, statement);
    }
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
