import { describe, expect, it } from 'vitest';
import { ident, join, sql } from './sql';

describe('sql tag', () => {
  it('turns every interpolated value into a parameter', () => {
    const q = sql`SELECT * FROM t WHERE a = ${"x'; DROP TABLE t; --"} AND b IN (${[1, 2, 3]})`;
    expect(q.text).toBe('SELECT * FROM t WHERE a = ? AND b IN (?, ?, ?)');
    expect(q.params).toEqual(["x'; DROP TABLE t; --", 1, 2, 3]);
  });
  it('splices fragments with their parameters in order', () => {
    const where = join([sql`a = ${1}`, sql`b = ${'two'}`], ' AND ');
    const q = sql`SELECT ${ident('pupils', ['pupils', 'suspensions'])} FROM t WHERE ${where} LIMIT ${10}`;
    expect(q.text).toBe('SELECT "pupils" FROM t WHERE a = ? AND b = ? LIMIT ?');
    expect(q.params).toEqual([1, 'two', 10]);
  });
  it('refuses identifiers outside the allow-list, objects and empty lists', () => {
    expect(() => ident('pupils; DROP' as 'pupils', ['pupils'])).toThrow(/not allowed/);
    expect(() => sql`x = ${{} as unknown as string}`).toThrow(/cannot interpolate/);
    expect(() => sql`x IN (${[]})`).toThrow(/empty list/);
    expect(() => sql`x = ${Number.NaN}`).toThrow(/finite/);
  });
});
