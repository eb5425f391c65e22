// arrowToRows on real DuckDB-WASM results (the blocking bundle, as the browser's worker returns
// them): rows across several record batches, NULLs, BIGINT as numbers, and a repeated column name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WasmNodeDb } from './wasm-node';
import { arrowToRows } from './wasm-shared';

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
