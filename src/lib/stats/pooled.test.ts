// Sums of groups and pools of schools: published only when complete, rates from counts.
import { describe, expect, it } from 'vitest';
import { poolCounts, ratePer100, sumCells } from './pooled';

describe('sumCells', () => {
  it('adds published parts (SEND = EHC plan + SEN support)', () => {
    expect(sumCells([{ value: 12, flag: null }, { value: 30, flag: null }])).toEqual({ value: 42, flag: null });
  });
  it('is suppressed when any part is, never a partial sum', () => {
    expect(sumCells([{ value: 12, flag: null }, { value: null, flag: 'c' }])).toEqual({ value: null, flag: 'c' });
    expect(sumCells([{ value: null, flag: 'x' }, { value: null, flag: 'c' }])).toEqual({ value: null, flag: 'c' });
  });
  it('keeps "not available" when that is the reason', () => {
    expect(sumCells([{ value: null, flag: 'x' }, { value: null, flag: 'x' }])).toEqual({ value: null, flag: 'x' });
    expect(sumCells([])).toEqual({ value: null, flag: 'x' });
  });
});

describe('poolCounts', () => {
  it('pools counts over pupils, not the average of rates', () => {
    // 1 of 30 (3.3 per 100) and 150 of 1,500 (10 per 100): pooled 151 / 1,530 = 9.87, not (3.33 + 10) / 2 = 6.67.
    const p = poolCounts([
      { count: 1, pupils: 30 },
      { count: 150, pupils: 1500 }
    ])!;
    expect(p).toEqual({ count: 151, pupils: 1530, included: 2, excluded: 0 });
    expect(ratePer100(p.count, p.pupils)).toBeCloseTo(9.869281, 5);
  });
  it('leaves out units with a suppressed figure and says how many', () => {
    expect(poolCounts([{ count: null, pupils: 200 }, { count: 5, pupils: 100 }, { count: 3, pupils: null }])).toEqual({
      count: 5,
      pupils: 100,
      included: 1,
      excluded: 2
    });
    expect(poolCounts([{ count: null, pupils: 200 }])).toBeNull();
  });
});

describe('ratePer100', () => {
  it('is NULL unless both counts are published and pupils are more than 0', () => {
    expect(ratePer100(3, 60)).toBe(5);
    expect(ratePer100(null, 60)).toBeNull();
    expect(ratePer100(0, 0)).toBeNull();
  });
});
