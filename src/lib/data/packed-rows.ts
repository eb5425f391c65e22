/**
 * Rows as compact columns, for data written into prerendered pages and build-time files: the
 * schools funnel's first view, a school page's data and every school's file for the national shell.
 *
 * Why: written as objects, a row's keys repeat in every row; as arrays per row, its repeated values
 * do (a school's URN, the year, the pupil group in each of ~800 rows). Here each column is one of:
 * a constant (`c`: every row has the same value, such as a flag column that is all NULL), a
 * dictionary of its distinct values with each row's index (`d`, `i`: worth it when values repeat),
 * or the values themselves (`v`). A school's file shrinks to about a third, and a prerendered page's
 * data with it. Values must be JSON values (strings, numbers, booleans, NULL).
 */

type Value = string | number | boolean | null;

export type PackedColumn = { c: Value } | { d: Value[]; i: number[] } | { v: Value[] };

export interface PackedRows<T> {
  /** How many rows. */
  n: number;
  keys: (keyof T & string)[];
  columns: PackedColumn[];
}

function packColumn(values: Value[]): PackedColumn {
  const first = values[0] ?? null;
  if (values.every((v) => v === first)) return { c: first };
  const index = new Map<Value, number>();
  const d: Value[] = [];
  const i = values.map((v) => {
    let k = index.get(v);
    if (k === undefined) {
      k = d.length;
      d.push(v);
      index.set(v, k);
    }
    return k;
  });
  // A dictionary pays off only when values repeat: at most a quarter of them distinct.
  return d.length * 4 <= values.length ? { d, i } : { v: values };
}

export function packRows<T extends object>(rows: readonly T[]): PackedRows<T> {
  const keys = (rows[0] ? Object.keys(rows[0]) : []) as (keyof T & string)[];
  return {
    n: rows.length,
    keys,
    columns: keys.map((k) => packColumn(rows.map((r) => (r[k] ?? null) as Value)))
  };
}

export function unpackRows<T extends object>(p: PackedRows<T>): T[] {
  const columns = p.columns.map((c): ((r: number) => Value) => {
    if ('c' in c) return () => c.c;
    if ('d' in c) return (r) => c.d[c.i[r]!]!;
    return (r) => c.v[r]!;
  });
  const rows = new Array<T>(p.n);
  for (let r = 0; r < p.n; r++) {
    const row: Record<string, Value> = {};
    for (let k = 0; k < p.keys.length; k++) row[p.keys[k]!] = columns[k]!(r);
    rows[r] = row as T;
  }
  return rows;
}
