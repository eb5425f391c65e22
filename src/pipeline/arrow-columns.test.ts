// The fast Arrow columns must be the same data apache-arrow's own builders make from the same
// values: same types, same nulls, same strings (multi-byte ones included) and numbers, after an
// IPC round trip.
import { Float64, Int32, Table, Utf8, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrowColumn, utf8FromCodes } from './arrow-columns';

function roundTrip(cols: Record<string, ReturnType<typeof arrowColumn>>) {
  const t = tableFromIPC(tableToIPC(new Table(cols), 'stream'));
  return t.schema.fields.map((f) => ({ name: f.name, type: String(f.type), values: [...t.getChild(f.name)!].map((v) => (v === null ? null : v)) }));
}

describe('arrowColumn', () => {
  it('matches vectorFromArray on strings, integers and doubles with NULLs, non-ASCII and empty strings', () => {
    const text = ['a', null, '', 'Ysgol Gymraeg Bro Ŵyre', 'naïve’s', '𝔘nicode', null, '=1+2'];
    const ints = [1, null, 0, -5, 2147483647, null, 3, 4];
    const doubles = [1.5, null, 0, -0.25, 1e-9, null, 3.75, 100];
    const fast = roundTrip({ t: arrowColumn('VARCHAR', text), i: arrowColumn('INTEGER', ints), d: arrowColumn('DOUBLE', doubles) });
    const slow = roundTrip({
      t: vectorFromArray(text, new Utf8()),
      i: vectorFromArray(ints, new Int32()),
      d: vectorFromArray(doubles, new Float64())
    });
    expect(fast).toEqual(slow);
    expect(fast[0]!.values).toEqual(text);
  });

  it('takes bigints (what native DuckDB returns for BIGINT) as numbers', () => {
    expect([...arrowColumn('INTEGER', [1n, null, 7n])]).toEqual([1, null, 7]);
  });

  it('an empty column and a column with no NULLs', () => {
    expect(arrowColumn('VARCHAR', []).length).toBe(0);
    const v = arrowColumn('INTEGER', [1, 2, 3]);
    expect(v.nullCount).toBe(0);
    expect([...v]).toEqual([1, 2, 3]);
  });

  it('any strings and NULLs survive the round trip', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'grapheme' }), { nil: null }), { maxLength: 40 }), (xs) => {
        const [fast] = roundTrip({ t: arrowColumn('VARCHAR', xs) });
        expect(fast!.values).toEqual(xs);
      })
    );
  });

  it('a column from a dictionary and codes is the column of its values, byte for byte', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'grapheme' }), { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 40 }), fc.array(fc.boolean(), { maxLength: 40 }), (dictionary, picks, nulls) => {
        const codes = picks.map((p, i) => (dictionary.length === 0 || nulls[i] ? (i % 2 === 0 ? null : 0) : 1 + (p % dictionary.length)));
        const values = codes.map((c) => (c === null || c === 0 ? null : dictionary[c - 1]!));
        const bytes = (v: ReturnType<typeof arrowColumn>) => tableToIPC(new Table({ t: v }), 'stream');
        expect(Buffer.from(bytes(utf8FromCodes(dictionary, codes))).equals(Buffer.from(bytes(arrowColumn('VARCHAR', values))))).toBe(true);
      })
    );
  });
});
