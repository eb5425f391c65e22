import { describe, expect, it } from 'vitest';
import { Ranges, type Linear } from './bounds';
import { schoolPrograms } from './linear';

/** Constraints as [cell, factor][] lists, each equal to 0 (`eq`) or at most 0. */
function linear(rows: { terms: [number, number][]; eq: boolean }[]): Linear {
  const cells: number[] = [];
  const signs: number[] = [];
  const start = [0];
  for (const r of rows) {
    for (const [c, a] of r.terms) {
      cells.push(c);
      signs.push(a);
    }
    start.push(cells.length);
  }
  return { cells: Int32Array.from(cells), signs: Int32Array.from(signs), start: Int32Array.from(start), equal: Int32Array.from(rows, (r) => (r.eq ? 1 : 0)) };
}

async function givenAway(values: number[], hidden: number[], rows: { terms: [number, number][]; eq: boolean }[], school = values.map(() => 0)) {
  const hide = Uint8Array.from(values, (_, i) => (hidden.includes(i) ? 1 : 0));
  const value = Float64Array.from(values);
  const lin = linear(rows);
  const ranges = new Ranges(hide, value, lin);
  const programs = await schoolPrograms({ hidden: hide, value, lin, school: Int32Array.from(school), minCount: 5 });
  return { ranges, found: programs.givenAway(ranges.lo, ranges.hi).sort() };
}

describe("a school's linear program", () => {
  // Cells 0, 1, 2 hidden (x, y, z); cell 3 a published 4: x + y = 4, y + z = 4, x + z = 4.
  const triangle = [
    { terms: [[0, 1], [1, 1], [3, -1]] as [number, number][], eq: true },
    { terms: [[1, 1], [2, 1], [3, -1]] as [number, number][], eq: true },
    { terms: [[0, 1], [2, 1], [3, -1]] as [number, number][], eq: true }
  ];

  it('finds counts that only several equations together pin, which the ranges leave open', async () => {
    // (The test fails if the program is not consulted: the ranges alone leave each count 0 to 4.)
    const { ranges, found } = await givenAway([2, 2, 2, 4], [0, 1, 2], triangle);
    expect([...ranges.lo.slice(0, 3)]).toEqual([0, 0, 0]);
    expect([...ranges.hi.slice(0, 3)]).toEqual([4, 4, 4]);
    expect(found).toEqual([0, 1, 2]);
  });

  it('finds nothing where each count can still be 0 or min_count and more', async () => {
    // x + y = 12, y + z = 12: x = z, anything from 0 to 12.
    const rows = [
      { terms: [[0, 1], [1, 1], [3, -1]] as [number, number][], eq: true },
      { terms: [[1, 1], [2, 1], [3, -1]] as [number, number][], eq: true }
    ];
    expect((await givenAway([2, 10, 2, 12], [0, 1, 2], rows)).found).toEqual([]);
  });

  it('looks at one school at a time: constraints reaching another school are left out', async () => {
    // The triangle's third equation reaches a cell of another school (cell 2 belongs to school 1):
    // with it left out, x + y = 4 and y + z = 4 leave every count free from 0 to 4.
    const { found } = await givenAway([2, 2, 2, 4], [0, 1, 2], triangle, [0, 0, 1, 0]);
    expect(found).toEqual([]);
  });
});

describe("a school's linear program, asked again", () => {
  // x + y = 4 (cell 3, published), y + z = 4, x + z = w (cell 4): with w hidden, x = z can be
  // anything from 0 to 4; once w = 4 is published, x = y = z = 2, which only the program sees.
  const rows = [
    { terms: [[0, 1], [1, 1], [3, -1]] as [number, number][], eq: true },
    { terms: [[1, 1], [2, 1], [3, -1]] as [number, number][], eq: true },
    { terms: [[0, 1], [2, 1], [4, -1]] as [number, number][], eq: true }
  ];
  const setup = async () => {
    const hidden = Uint8Array.from([1, 1, 1, 0, 1]);
    const value = Float64Array.from([2, 2, 2, 4, 4]);
    const lin = linear(rows);
    const ranges = new Ranges(hidden, value, lin);
    const programs = await schoolPrograms({ hidden, value, lin, school: new Int32Array(5), minCount: 5 });
    return { hidden, ranges, programs };
  };

  it('does not solve again while the solutions it found still hold', async () => {
    const { ranges, programs } = await setup();
    expect(programs.givenAway(ranges.lo, ranges.hi)).toEqual([]);
    const solves = programs.stats.solves;
    expect(solves).toBeGreaterThan(0);
    expect(programs.givenAway(ranges.lo, ranges.hi)).toEqual([]);
    expect(programs.stats.solves).toBe(solves);
  });

  it('does not trust a remembered solution that a newly published cell rules out', async () => {
    const { hidden, ranges, programs } = await setup();
    expect(programs.givenAway(ranges.lo, ranges.hi)).toEqual([]);
    // Publishing w: the ranges alone still leave x, y and z anywhere from 0 to 4.
    expect(ranges.tryPublish([4], 5, true)).toBe(true);
    expect(hidden[4]).toBe(0);
    expect([...ranges.lo.slice(0, 3)]).toEqual([0, 0, 0]);
    expect([...ranges.hi.slice(0, 3)]).toEqual([4, 4, 4]);
    expect(programs.givenAway(ranges.lo, ranges.hi).sort()).toEqual([0, 1, 2]);
  });
});
