// Rate ratios against values worked out by hand from their formulas, and the exact interval checked
// against the binomial tail probabilities it must hit (summed here term by term, independently).
import { describe, expect, it } from 'vitest';
import { betaInc } from './distributions';
import { betaQuantile, compareRates, rateRatio } from './ratio';

/** P(X >= k) for X ~ Binomial(n, p), summed directly. */
function upperTail(k: number, n: number, p: number): number {
  let sum = 0;
  for (let x = k; x <= n; x++) {
    let lnC = 0;
    for (let i = 1; i <= x; i++) lnC += Math.log((n - x + i) / i);
    sum += Math.exp(lnC + x * Math.log(p) + (n - x) * Math.log(1 - p));
  }
  return sum;
}

describe('betaInc and betaQuantile', () => {
  it('give the uniform distribution for beta(1, 1) and a known value', () => {
    expect(betaInc(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    // I_0.5(2, 3) = 11/16 (expand (1-x)^... by hand: P(X >= 2) for Binomial(4, 0.5) = 11/16).
    expect(betaInc(0.5, 2, 3)).toBeCloseTo(11 / 16, 12);
    expect(betaQuantile(betaInc(0.42, 7, 4), 7, 4)).toBeCloseTo(0.42, 10);
  });
});

describe('rateRatio for proportions (Katz log interval)', () => {
  it('gives the hand-computed ratio and interval', () => {
    // 20 of 100 against 10 of 200: RR = 0.2 / 0.05 = 4; se = sqrt(1/20 - 1/100 + 1/10 - 1/200)
    // = sqrt(0.135) = 0.3674235; bounds 4 exp(-+1.959964 x 0.3674235) = 1.94674 and 8.21886.
    const r = rateRatio({ numerator: 20, denominator: 100 }, { numerator: 10, denominator: 200 }, 'proportion');
    expect(r.ratio).toBeCloseTo(4, 12);
    expect(r.lower).toBeCloseTo(1.94674, 4);
    expect(r.upper).toBeCloseTo(8.21886, 4);
    expect(compareRates(r)).toBe('higher');
  });

  it('a count of 0: the exact conditional interval, from 0, never "beyond chance" for the group with none', () => {
    // 0 of 50 against 10 of 500: a = 0 of 10 events, so the lower bound is 0; Clopper-Pearson's upper
    // bound for 0 of 10 is 1 - 0.025^(1/10) = 0.30850, so RR up to 0.30850/0.69150 x 500/50 = 4.4613.
    const r = rateRatio({ numerator: 0, denominator: 50 }, { numerator: 10, denominator: 500 }, 'proportion');
    expect(r.ratio).toBe(0);
    expect(r.lower).toBe(0);
    expect(r.upper).toBeCloseTo(((1 - 0.025 ** 0.1) / 0.025 ** 0.1) * 10, 6);
    expect(compareRates(r)).toBe('no clear difference');
    // Cases where Katz with 0.5 added claimed a difference (Fisher's exact test: p = 1 for each).
    for (const [n1, c, n2] of [
      [300, 2, 40_000],
      [15, 1, 1_200],
      [10, 1, 1_000],
      [100, 1, 20_000]
    ] as const) {
      const z = rateRatio({ numerator: 0, denominator: n1 }, { numerator: c, denominator: n2 }, 'proportion');
      expect(z.lower).toBe(0);
      expect(compareRates(z), `0/${n1} vs ${c}/${n2}`).toBe('no clear difference');
      // ... and the same rate falling to 0 is not "down, beyond chance" the other way round.
      expect(compareRates(rateRatio({ numerator: c, denominator: n2 }, { numerator: 0, denominator: n1 }, 'proportion'))).toBe('no clear difference');
    }
  });

  it('every pupil with an event: an interval that keeps that group\'s uncertainty', () => {
    // 5 of 5 against 3 of 3 (Katz: 1.00 to 1.00); 1 of 1 against 10 of 100 (Katz: 5.55 to 18.0,
    // "higher", while Fisher's exact test gives p = 0.11).
    const all = rateRatio({ numerator: 5, denominator: 5 }, { numerator: 3, denominator: 3 }, 'proportion');
    expect(all.ratio).toBe(1);
    expect(all.lower!).toBeLessThan(0.3);
    expect(all.upper!).toBeGreaterThan(3);
    expect(compareRates(rateRatio({ numerator: 1, denominator: 1 }, { numerator: 10, denominator: 100 }, 'proportion'))).toBe('no clear difference');
  });

  it('the interval always holds the ratio', () => {
    for (const [a, n1, c, n2] of [
      [0, 300, 2, 40_000],
      [1, 10, 0, 500],
      [5, 5, 3, 3],
      [20, 100, 10, 200],
      [1, 1, 10, 100],
      [7, 9, 1, 2]
    ]) {
      const r = rateRatio({ numerator: a!, denominator: n1! }, { numerator: c!, denominator: n2! }, 'proportion');
      if (r.ratio === null) continue;
      expect(r.lower ?? 0, `${a}/${n1} vs ${c}/${n2}`).toBeLessThanOrEqual(r.ratio);
      expect(r.upper ?? Infinity, `${a}/${n1} vs ${c}/${n2}`).toBeGreaterThanOrEqual(r.ratio);
    }
  });

  it('says nothing when a count is suppressed or a denominator is zero', () => {
    expect(rateRatio({ numerator: null, denominator: 40 }, { numerator: 5, denominator: 400 }, 'proportion')).toEqual({ ratio: null, lower: null, upper: null });
    expect(compareRates(rateRatio({ numerator: 3, denominator: 0 }, { numerator: 5, denominator: 400 }, 'proportion'))).toBe('not available');
  });
});

describe('rateRatio for events (exact conditional interval)', () => {
  it('puts the bounds where the binomial tails are 2.5%', () => {
    // 10 events in 1,000 pupils against 5 in 1,000: RR = 2; a = 10 of 15 events.
    const r = rateRatio({ numerator: 10, denominator: 1000 }, { numerator: 5, denominator: 1000 }, 'events');
    expect(r.ratio).toBeCloseTo(2, 12);
    const pOf = (rr: number) => rr / (rr + 1); // equal denominators: p = RR / (RR + 1)
    expect(upperTail(10, 15, pOf(r.lower!))).toBeCloseTo(0.025, 6);
    expect(1 - upperTail(11, 15, pOf(r.upper!))).toBeCloseTo(0.025, 6);
    // Clopper-Pearson for 10 of 15 is 0.38380 to 0.88176, so RR from 0.6229 to 7.457.
    expect(r.lower).toBeCloseTo(0.3838 / 0.6162, 2);
    expect(r.upper).toBeCloseTo(0.88176 / 0.11824, 1);
    expect(compareRates(r)).toBe('no clear difference');
  });

  it('scales by the denominators, and finds a large difference', () => {
    // 300 events in 1,000 against 200 in 4,000: RR = 0.3 / 0.05 = 6.
    const r = rateRatio({ numerator: 300, denominator: 1000 }, { numerator: 200, denominator: 4000 }, 'events');
    expect(r.ratio).toBeCloseTo(6, 12);
    expect(r.lower!).toBeGreaterThan(4.9);
    expect(r.upper!).toBeLessThan(7.3);
    expect(compareRates(r)).toBe('higher');
    expect(compareRates(rateRatio({ numerator: 200, denominator: 4000 }, { numerator: 300, denominator: 1000 }, 'events'))).toBe('lower');
  });

  it('has no upper bound when the comparison has no events', () => {
    const r = rateRatio({ numerator: 4, denominator: 100 }, { numerator: 0, denominator: 100 }, 'events');
    expect(r.ratio).toBeNull();
    expect(r.upper).toBeNull();
    expect(r.lower!).toBeGreaterThan(0);
  });
});
