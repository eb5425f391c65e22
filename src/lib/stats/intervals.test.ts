import { describe, expect, it } from 'vitest';
import { gammaP, poissonExact, rateInterval, wilson } from './intervals';

describe('wilson', () => {
  it('matches values computed by hand (Newcombe 1998, table I)', () => {
    // 81/263: Newcombe's example gives 0.2553 to 0.3662.
    const w = wilson(81, 263);
    expect(w.lower).toBeCloseTo(0.2553, 4);
    expect(w.upper).toBeCloseTo(0.3662, 4);
    // 0/10: lower 0, upper 0.2775 (Newcombe's example 1 with n=10... computed: z^2/(n+z^2)).
    const z = wilson(0, 10);
    expect(z.lower).toBe(0);
    expect(z.upper).toBeCloseTo(3.8415 / (10 + 3.8415), 4);
  });
  it('rejects impossible counts', () => {
    expect(() => wilson(5, 3)).toThrow(RangeError);
    expect(() => wilson(1, 0)).toThrow(RangeError);
  });
});

describe('poissonExact', () => {
  it('matches published exact Poisson limits', () => {
    // Standard tables (e.g. Ulm 1990): k=0 -> 0, 3.689; k=1 -> 0.0253, 5.572; k=10 -> 4.795, 18.39.
    expect(poissonExact(0).upper).toBeCloseTo(3.6889, 3);
    expect(poissonExact(1).lower).toBeCloseTo(0.02532, 4);
    expect(poissonExact(1).upper).toBeCloseTo(5.5716, 3);
    expect(poissonExact(10).lower).toBeCloseTo(4.7954, 3);
    expect(poissonExact(10).upper).toBeCloseTo(18.39, 2);
  });
  it('regularised gamma agrees with the exponential case', () => {
    expect(gammaP(1, 2)).toBeCloseTo(1 - Math.exp(-2), 12);
    expect(gammaP(1, 30)).toBeCloseTo(1 - Math.exp(-30), 12);
  });
});

describe('rateInterval', () => {
  it('gives NULLs for suppressed counts and a rate per 100 otherwise', () => {
    expect(rateInterval(null, 100, 'events')).toEqual({ rate: null, lower: null, upper: null });
    const r = rateInterval(10, 200, 'events');
    expect(r.rate).toBe(5);
    expect(r.lower!).toBeCloseTo((4.7954 / 200) * 100, 2);
    const p = rateInterval(81, 263, 'proportion');
    expect(p.lower!).toBeCloseTo(25.53, 1);
  });
});
