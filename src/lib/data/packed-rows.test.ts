// Packed rows unpack to exactly the rows packed (through JSON, as pages and files carry them), and
// choose the smaller form for each column.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packRows, unpackRows } from './packed-rows';

describe('packRows', () => {
  it('round-trips any rows through JSON', () => {
    const value = fc.oneof(fc.constantFrom(null, 'c', 'x', 'EHC plan', 0, 1, true), fc.integer({ min: -5, max: 5000 }), fc.string({ maxLength: 6 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value, value), { maxLength: 60 }), (tuples) => {
        const rows = tuples.map(([a, b, c]) => ({ a, b, c }));
        const back = unpackRows(JSON.parse(JSON.stringify(packRows(rows))));
        // JSON has no -0; everything else comes back exactly.
        expect(back).toEqual(JSON.parse(JSON.stringify(rows)));
      }),
      { numRuns: 300, seed: 20261206 }
    );
  });

  it('writes a constant column once, a repetitive one as a dictionary, and others as values', () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ urn: i < 20 ? '100001' : '100002', flag: null, pupils: i * 7 }));
    const p = packRows(rows);
    expect(p.columns).toEqual([{ d: ['100001', '100002'], i: rows.map((_, i) => (i < 20 ? 0 : 1)) }, { c: null }, { v: rows.map((r) => r.pupils) }]);
    expect(unpackRows(packRows([]))).toEqual([]);
  });
});
