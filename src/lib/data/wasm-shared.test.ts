// arrowToRows and arrowToColumns on real DuckDB-WASM results (the blocking bundle, as the browser's
// worker returns them): rows across several record batches, NULLs, BIGINT as numbers, a repeated
// column name, typed arrays only where no value is NULL, and the native client's columns alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from './node-client';
import { raw, sql } from './sql';
import { WasmNodeDb } from './wasm-node';
import { arrowToColumns, arrowToRows } from './wasm-shared';

let db: WasmNodeDb;
beforeAll(async () => {
  db = await WasmNodeDb.open();
});
afterAll(async () => {
  await db.close();
});

describe('arrowToRows', () => {
  it('gives one plain object per row, in order, across record batches', () => {
    const table = db.connection.query(
      `SELECT CAST(i AS INTEGER) AS i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'r' || i END AS s, i * 10 AS big, i / 2 AS half
       FROM range(5000) t(i) ORDER BY i`
    );
    expect(table.batches.length).toBeGreaterThan(1);
    const rows = arrowToRows<{ i: number; s: string | null; big: number; half: number }>(table);
    expect(rows).toHaveLength(5000);
    expect(rows[0]).toEqual({ i: 0, s: null, big: 0, half: 0 });
    expect(rows[4999]).toEqual({ i: 4999, s: 'r4999', big: 49990, half: 2499.5 });
    expect(rows.filter((r) => r.s === null)).toHaveLength(1667);
    // BIGINT (i * 10 over a BIGINT range) comes back as a number, not a BigInt.
    expect(typeof rows[123]!.big).toBe('number');
    expect(rows.every((r, k) => r.i === k)).toBe(true);
  });

  it('keeps the last of two columns with one name, as Arrow rows did', () => {
    expect(arrowToRows(db.connection.query(`SELECT 1 AS a, 2 AS a`))).toEqual([{ a: 2 }]);
  });

  it('gives no rows for an empty result', () => {
    expect(arrowToRows(db.connection.query(`SELECT 1 AS a WHERE false`))).toEqual([]);
  });
});

describe('arrowToColumns', () => {
  const typed = `SELECT CAST(i AS INTEGER) AS i, CAST(i % 100 AS TINYINT) AS tiny, CAST(i AS SMALLINT) AS small, CAST(i AS UINTEGER) AS u,
      CAST(i / 4 AS FLOAT) AS f, i / 2 AS d, i * 10 AS big,
      CASE WHEN i % 3 = 0 THEN NULL ELSE i END AS holes, CASE WHEN i % 3 = 0 THEN NULL ELSE 'r' || i END AS s, i % 2 = 0 AS even
    FROM range(5000) t(i) ORDER BY i`;

  it('gives the same values as the rows, column by column, across record batches', () => {
    const table = db.connection.query(typed);
    expect(table.batches.length).toBeGreaterThan(1);
    const rows = arrowToRows<Record<string, unknown>>(table);
    const { length, columns } = arrowToColumns<Record<string, unknown>>(table);
    expect(length).toBe(5000);
    expect(Object.keys(columns)).toEqual(Object.keys(rows[0]!));
    for (const [name, values] of Object.entries(columns)) {
      expect(values.length, name).toBe(5000);
      expect(Array.from(values), name).toEqual(rows.map((r) => r[name]));
    }
  });

  it('hands number columns without NULLs over as typed arrays, and everything else as plain values', () => {
    const { columns } = arrowToColumns<Record<string, unknown>>(db.connection.query(typed));
    for (const name of ['i', 'tiny', 'small', 'u', 'f', 'd']) expect(ArrayBuffer.isView(columns[name]), name).toBe(true);
    // BIGINT becomes numbers, not a BigInt64Array; a column with NULLs keeps them as null.
    expect(Array.isArray(columns.big)).toBe(true);
    expect(typeof columns.big![7]).toBe('number');
    expect(columns.holes![3]).toBeNull();
    expect(columns.holes![4]).toBe(4);
    expect(columns.s![0]).toBeNull();
    expect(columns.even![2]).toBe(true);
  });

  it('agrees with native DuckDB (the prerender) through queryColumns', async () => {
    const native = await NodeDb.open();
    try {
      const q = sql`SELECT * FROM (${raw(typed)}) WHERE i < ${300}`;
      const a = await db.queryColumns<Record<string, unknown>>(q);
      const b = await native.queryColumns<Record<string, unknown>>(q);
      expect(a.length).toBe(300);
      expect(b.length).toBe(300);
      for (const name of Object.keys(a.columns)) expect(Array.from(b.columns[name]!), name).toEqual(Array.from(a.columns[name]!));
    } finally {
      await native.close();
    }
  });
});
