// Reading and writing a view's address: defaults left out, unreadable values ignored and named.
import { describe, expect, it } from 'vitest';
import { params, readParams, writeParams } from './url-state.svelte';

const schema = {
  measure: params.oneOf(['suspension_rate', 'permanent_exclusion_rate'] as const, 'suspension_rate'),
  neighbours: params.int(3, 20, 10),
  q: params.text(),
  years: params.yearSpan(2016, 2023),
  show: params.setOf(['England', 'Region', 'Neighbour'] as const, ['England'])
};

describe('readParams', () => {
  it('gives the defaults for an empty address', () => {
    expect(readParams(schema, new URLSearchParams(''))).toEqual({
      values: { measure: 'suspension_rate', neighbours: 10, q: '', years: null, show: ['England'] },
      ignored: []
    });
  });

  it('reads every kind of parameter', () => {
    const { values, ignored } = readParams(schema, new URLSearchParams('measure=permanent_exclusion_rate&neighbours=5&q=St%20Mary&years=2018-2021&show=Neighbour,England'));
    expect(values).toEqual({ measure: 'permanent_exclusion_rate', neighbours: 5, q: 'St Mary', years: [2018, 2021], show: ['England', 'Neighbour'] });
    expect(ignored).toEqual([]);
  });

  it('ignores, and names, what it cannot read', () => {
    const { values, ignored } = readParams(schema, new URLSearchParams('measure=DROP%20TABLE&neighbours=500&years=2021-2018&show=Mars'));
    expect(values).toEqual({ measure: 'suspension_rate', neighbours: 10, q: '', years: null, show: ['England'] });
    expect(ignored).toEqual(['measure', 'neighbours', 'years', 'show']);
  });
});

describe('writeParams', () => {
  it('writes only what differs from the defaults, in a fixed order', () => {
    expect(writeParams(schema, { measure: 'suspension_rate', neighbours: 10, q: '', years: null, show: ['England'] })).toBe('');
    expect(writeParams(schema, { measure: 'suspension_rate', neighbours: 5, q: 'a&b', years: [2019, 2020], show: [] })).toBe('?neighbours=5&q=a%26b&years=2019-2020&show=');
  });

  it('round-trips', () => {
    const values = { measure: 'permanent_exclusion_rate' as const, neighbours: 7, q: 'Ørsted = 1', years: [2016, 2023] as [number, number], show: ['Region'] as const };
    expect(readParams(schema, new URLSearchParams(writeParams(schema, values).slice(1))).values).toEqual(values);
  });
});
