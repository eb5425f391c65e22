/**
 * How the explorer's own DuckDB-WASM instance is configured, shared by its browser and Node backends.
 *
 * The explorer runs text a person typed, so its instance is locked down before that text can reach
 * it: extension autoload off (an extension would be downloaded), external access off (no file, URL
 * or registered buffer can be read: `read_csv('https://…')`, `FROM 'file.csv'`, `glob('*')` all fail
 * with a permission error), then the configuration locked, so that no later statement can switch
 * either back on. Tables still arrive by `insertArrowFromIPCStream`, which reads from memory and is
 * allowed with external access off (a unit test proves it on this engine).
 */
import type { DuckDBConfig } from '@duckdb/duckdb-wasm';
import { sql, type Sql } from '$lib/data/sql';

/** DECIMAL and HUGEINT (e.g. `sum()` of a BIGINT) arrive as doubles, which JavaScript can show. */
export const ENGINE_CONFIG: DuckDBConfig = { query: { castDecimalToDouble: true } };

export const EXPLORER_LOCKDOWN: readonly Sql[] = [
  sql`SET autoinstall_known_extensions = false`,
  sql`SET autoload_known_extensions = false`,
  sql`SET enable_external_access = false`,
  // Last: once locked, SET of any option fails ("the configuration has been locked").
  sql`SET lock_configuration = true`
];
