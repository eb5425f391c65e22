// The explorer on DuckDB-WASM in Node (the blocking bundle: the engine users get): read-only by
// DuckDB's own parse, no files or URLs, configuration locked, the row cap, cancelling a runaway
// query, published tables loaded on first use.
import { Int32, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NodeExploreBackend } from './backend-node';
import { Explorer, ROW_CAP, type RunOutcome } from './explorer';

function ipc(columns: Record<string, { type: 'int' | 'text'; values: (string | number | null)[] }>): Uint8Array {
  const vectors = Object.fromEntries(
    Object.entries(columns).map(([name, c]) => [name, vectorFromArray(c.values, c.type === 'int' ? new Int32() : new Utf8())])
  );
  return tableToIPC(new Table(vectors), 'stream');
}

const PUBLISHED: Record<string, Uint8Array> = {
  schools: ipc({
    urn: { type: 'text', values: ['100001', '100002', '100003'] },
    name: { type: 'text', values: ['Ash Primary', 'Beech Academy', 'Cedar School'] },
    phase: { type: 'text', values: ['Primary', 'Secondary', 'Secondary'] }
  }),
  school_year: ipc({
    urn: { type: 'text', values: ['100001', '100001', '100002', '100002'] },
    academic_year: { type: 'text', values: ['2022/23', '2023/24', '2022/23', '2023/24'] },
    year_start: { type: 'int', values: [2022, 2023, 2022, 2023] },
    pupils: { type: 'int', values: [200, 210, 900, null] },
    pupils_flag: { type: 'text', values: [null, null, null, 'c'] }
  })
};

let explorer: Explorer;
const requested: string[] = [];

beforeAll(async () => {
  const backend = await NodeExploreBackend.open();
  explorer = await Explorer.open(backend, {
    names: Object.keys(PUBLISHED),
    load: async (name) => {
      requested.push(name);
      return PUBLISHED[name]!;
    }
  });
});
afterAll(() => explorer.close());

function rows(o: RunOutcome): Record<string, unknown>[] {
  if (!o.ok) throw new Error(`${o.kind}: ${o.message}`);
  const { columns, rowCount } = o.result;
  return Array.from({ length: rowCount }, (_, r) => Object.fromEntries(columns.map((c) => [c.name, c.values[r]])));
}

describe('running SELECT statements', () => {
  test('loads a published table on first use only, and answers from it', async () => {
    const before = requested.length;
    expect(rows(await explorer.run('SELECT name FROM schools ORDER BY urn'))).toEqual([{ name: 'Ash Primary' }, { name: 'Beech Academy' }, { name: 'Cedar School' }]);
    expect(requested.slice(before)).toEqual(['schools']);
    await explorer.run('SELECT count(*) FROM schools');
    expect(requested.filter((n) => n === 'schools')).toHaveLength(1);
  });

  test('a table the parser cannot name in advance (inside a CTE joined late) is loaded when DuckDB says it is missing', async () => {
    const o = await explorer.run(`WITH y AS (FROM query_table('school_year')) SELECT urn, sum(pupils)::INTEGER AS p FROM y GROUP BY urn ORDER BY urn`);
    expect(rows(o)).toEqual([
      { urn: '100001', p: 410 },
      { urn: '100002', p: 900 }
    ]);
  });

  test.each([
    ['WITH', 'WITH a AS (SELECT 1 AS x) SELECT x FROM a'],
    ['VALUES', 'VALUES (1), (2)'],
    ['FROM-first', 'FROM schools SELECT urn LIMIT 1'],
    ['DESCRIBE', 'DESCRIBE schools'],
    ['SHOW TABLES', 'SHOW TABLES'],
    ['SUMMARIZE', 'SUMMARIZE schools'],
    ['a comment and a trailing semicolon', '-- the schools\nSELECT urn FROM schools;'],
    ['UNION', 'SELECT 1 AS x UNION ALL SELECT 2']
  ])('accepts %s, which DuckDB parses as SELECT', async (_label, text) => {
    const o = await explorer.run(text);
    expect(o.ok, o.ok ? '' : o.message).toBe(true);
  });

  test('NULLs arrive as null, BIGINT and HUGEINT as numbers, dates as ISO text', async () => {
    const o = await explorer.run(
      `SELECT pupils, pupils_flag, count(*) OVER () AS n, sum(year_start::BIGINT) OVER () AS s, DATE '2024-09-01' AS d, 1.25::DECIMAL(5,2) AS dec
       FROM school_year WHERE pupils IS NULL`
    );
    expect(rows(o)).toEqual([{ pupils: null, pupils_flag: 'c', n: 1, s: 2023, d: '2024-09-01', dec: 1.25 }]);
    if (!o.ok) return;
    expect(o.result.columns.map((c) => c.kind)).toEqual(['number', 'text', 'number', 'number', 'date', 'number']);
  });

  test(`caps results at ${ROW_CAP.toLocaleString('en-GB')} rows, in the query's order, and says so`, async () => {
    const o = await explorer.run('SELECT range AS i FROM range(250000) ORDER BY i DESC');
    expect(o.ok).toBe(true);
    if (!o.ok) return;
    expect(o.result.rowCount).toBe(ROW_CAP);
    expect(o.result.truncated).toBe(true);
    expect(o.result.columns[0]!.values[0]).toBe(249_999);
    const exact = await explorer.run(`SELECT range AS i FROM range(${ROW_CAP})`);
    expect(exact.ok && exact.result.truncated).toBe(false);
  });

  test('a syntax error reads as DuckDB says it, without the excerpt of the explorer’s wrapper', async () => {
    const o = await explorer.run('SELEC urn FROM schools');
    expect(o).toMatchObject({ ok: false, kind: 'error' });
    if (o.ok) return;
    expect(o.message).toMatch(/^Parser Error: syntax error at or near "SELEC"/);
    expect(o.message).not.toContain('LINE');
    expect(o.message).not.toContain('explore_sql');
  });
});

describe('read-only: anything but one SELECT is refused, by DuckDB’s parse', () => {
  test.each([
    ['INSERT', 'INSERT INTO schools VALUES (1, 2, 3)', 'an INSERT statement'],
    ['UPDATE', "UPDATE schools SET name = 'x'", 'an UPDATE statement'],
    ['DELETE', 'DELETE FROM schools', 'a DELETE statement'],
    ['DROP', 'DROP TABLE schools', 'a DROP statement'],
    ['CREATE', 'CREATE TABLE t AS SELECT 1', 'a CREATE statement'],
    ['CREATE MACRO', 'CREATE MACRO m(x) AS x + 1', 'a CREATE statement'],
    ['COPY', "COPY schools TO 'out.csv'", 'a COPY statement'],
    ['ATTACH', "ATTACH 'other.db'", 'an ATTACH statement'],
    ['INSTALL', 'INSTALL httpfs', 'an INSTALL statement'],
    ['LOAD', 'LOAD httpfs', 'a LOAD statement'],
    ['SET', 'SET enable_external_access = true', 'a SET statement'],
    ['RESET', 'RESET lock_configuration', 'a RESET statement'],
    ['PRAGMA', 'PRAGMA enable_profiling', 'a PRAGMA statement'],
    ['EXPLAIN ANALYZE', 'EXPLAIN ANALYZE SELECT 1', 'an EXPLAIN statement'],
    ['CALL', 'CALL pragma_version()', 'a CALL statement'],
    ['EXPORT', "EXPORT DATABASE 'dir'", 'an EXPORT statement'],
    ['a comment first', '/* harmless? */ DROP TABLE schools', 'a DROP statement'],
    ['lower case', 'drop table schools', 'a DROP statement']
  ])('%s', async (_label, text, what) => {
    const o = await explorer.run(text);
    expect(o).toMatchObject({ ok: false, kind: 'refused' });
    if (o.ok) return;
    expect(o.message).toContain(`DuckDB read this as ${what}`);
    expect(o.message).toContain('only reads');
  });

  test('two statements, even if both are SELECT, or a SELECT smuggling a second one', async () => {
    for (const text of ['SELECT 1; SELECT 2', 'SELECT 1; DROP TABLE schools', "SELECT 1; SET enable_external_access = true; --"]) {
      const o = await explorer.run(text);
      expect(o).toMatchObject({ ok: false, kind: 'refused' });
      if (!o.ok) expect(o.message).toMatch(/holds [23] statements/);
    }
  });

  test('a CTE cannot hide a write', async () => {
    const o = await explorer.run('WITH x AS (DELETE FROM schools RETURNING *) SELECT * FROM x');
    expect(o.ok).toBe(false);
  });

  test('empty text is refused before DuckDB sees it', async () => {
    expect(await explorer.run('  \n ')).toMatchObject({ ok: false, kind: 'refused', message: expect.stringContaining('no statement') });
  });

  test('nothing refused left a trace: the tables are as published and no other table exists', async () => {
    expect(rows(await explorer.run('SELECT count(*)::INTEGER AS n FROM schools'))).toEqual([{ n: 3 }]);
    const tables = rows(await explorer.run("SELECT table_name FROM duckdb_tables() WHERE table_name NOT IN ('schools', 'school_year') AND NOT temporary"));
    expect(tables.map((t) => t.table_name).filter((n) => !String(n).startsWith('my_'))).toEqual([]);
  });
});

describe('no files or URLs, configuration locked', () => {
  test.each([
    ["read_csv of a URL", "SELECT * FROM read_csv('http://127.0.0.1:9/secret.csv')"],
    ['a replacement scan of a file name', "SELECT * FROM 'static/data/schools.csv'"],
    ['read_text of a local file', "SELECT * FROM read_text('/etc/passwd')"],
    ['glob', "SELECT * FROM glob('*')"],
    ['read_blob', "SELECT * FROM read_blob('package.json')"]
  ])('%s fails with a permission error', async (_label, text) => {
    const o = await explorer.run(text);
    expect(o).toMatchObject({ ok: false, kind: 'error' });
    if (!o.ok) expect(o.message).toMatch(/Permission Error|disabled by configuration/);
  });

  test('external access is off and the configuration is locked, as DuckDB reports them', async () => {
    const o = await explorer.run(
      `SELECT current_setting('enable_external_access') AS external, current_setting('lock_configuration') AS locked,
              current_setting('autoload_known_extensions') AS autoload`
    );
    expect(rows(o)).toEqual([{ external: false, locked: true, autoload: false }]);
  });
});

describe('cancelling', () => {
  test('stops a runaway query within a poll slice, and the engine answers at once afterwards', async () => {
    // About 10^12 row pairs: hours of work if nothing stopped it.
    const running = explorer.run('SELECT count(*) FROM range(1000000) a, range(1000000) b');
    await new Promise((r) => setTimeout(r, 400));
    const t0 = performance.now();
    explorer.cancel();
    const o = await running;
    const stoppedIn = performance.now() - t0;
    expect(o).toMatchObject({ ok: false, kind: 'cancelled' });
    expect(stoppedIn).toBeLessThan(2000);
    const t1 = performance.now();
    expect(rows(await explorer.run('SELECT 42 AS answer'))).toEqual([{ answer: 42 }]);
    expect(performance.now() - t1).toBeLessThan(2000);
  });

  test('a cancel with nothing running does not cancel the next query', async () => {
    explorer.cancel();
    expect(rows(await explorer.run('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
  });
});

test('when the parser names no table, a catalog error naming a published table loads it and the query runs again', async () => {
  const inner = await NodeExploreBackend.open();
  // A backend whose parser never names tables: only DuckDB's "does not exist" can trigger a load.
  const blind = Object.assign(Object.create(inner) as NodeExploreBackend, { tableNames: async () => [] as string[] });
  const loads: string[] = [];
  const e = await Explorer.open(blind, { names: Object.keys(PUBLISHED), load: async (n) => (loads.push(n), PUBLISHED[n]!) });
  const o = await e.run('SELECT count(*)::INTEGER AS n FROM schools JOIN school_year USING (urn)');
  expect(rows(o)).toEqual([{ n: 4 }]);
  expect(loads.sort()).toEqual(['school_year', 'schools']);
  expect((await e.run('SELECT * FROM no_such_table')).ok).toBe(false);
  await e.close();
});
