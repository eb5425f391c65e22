// The dispersion of suspension counts, and what it is for: simulated schools that all share one
// underlying rate, with suspensions clustered within pupils as the model says, must land outside
// the 99.8% funnel limits, and be called different from each other, about as rarely as 99.8%
// promises. With plain Poisson methods they do not (the test checks that too, so it can fail).
import { describe, expect, it } from 'vitest';
// The demo generator's seeded generator, so the simulation gives the same figures every run.
import { Rng } from '../../pipeline/demo/prng';
import { DEFAULT_DISPERSION, dispersion, dispersionOf, eventsPerPupil } from './dispersion';
import { funnelPosition, isOutlier } from './funnel';
import { rateInterval } from './intervals';
import { rateRatio } from './ratio';
import { compareWithSimilar, exactComparisonP } from './verdict';
import { binomialCdf } from './distributions';

/** One school: n pupils, each suspended with probability q, a suspended pupil's count geometric with mean m. */
function school(next: () => number, n: number, q: number, m: number): { events: number; withEvent: number } {
  let events = 0;
  let withEvent = 0;
  for (let i = 0; i < n; i++) {
    if (next() >= q) continue;
    withEvent++;
    let y = 1;
    while (next() > 1 / m) y++;
    events += y;
  }
  return { events, withEvent };
}

describe('dispersion', () => {
  it('is 2m − 1 for m events per pupil with one, and never below 1', () => {
    expect(dispersionOf(1)).toBe(1);
    expect(dispersionOf(2.5)).toBe(4);
    expect(dispersionOf(0.5)).toBe(1);
    expect(() => dispersionOf(Number.NaN)).toThrow(RangeError);
  });
  it('pools the pairs where both figures are published, and falls back to England 2022/23', () => {
    expect(eventsPerPupil([{ events: 12, withEvent: 4 }, { events: null, withEvent: null }, { events: 8, withEvent: 6 }])).toBe(2);
    expect(dispersion([{ events: 12, withEvent: 4 }, { events: 8, withEvent: 6 }])).toBe(3);
    expect(eventsPerPupil([{ events: 0, withEvent: 0 }, { events: 5, withEvent: null }])).toBeNull();
    // 786,961 suspensions of 304,040 pupils: 2.588 each, so 2 x 2.588 - 1.
    expect(DEFAULT_DISPERSION).toBeCloseTo(4.1767, 4);
    expect(dispersion([])).toBe(DEFAULT_DISPERSION);
  });
  it('widens the exact Poisson interval: φ times Garwood’s for count / φ', () => {
    // Garwood for 4 events: 1.0899 to 10.2416 (chi-squared 2.1797 / 2 on 8 and 20.4832 / 2 on 10 df).
    const r = rateInterval(12, 100, 'events', 3);
    expect(r.rate).toBeCloseTo(12, 12);
    expect(r.lower).toBeCloseTo(3 * 1.0898654, 5);
    expect(r.upper).toBeCloseTo(3 * 10.2415887, 5);
    expect(rateInterval(12, 100, 'events', 1)).toEqual(rateInterval(12, 100, 'events'));
    // A proportion is one per pupil: no dispersion.
    expect(rateInterval(12, 100, 'proportion', 3)).toEqual(rateInterval(12, 100, 'proportion'));
    expect(() => rateInterval(12, 100, 'events', 0.9)).toThrow(RangeError);
  });
  it('compares scaled counts below 1 without a jump (the binomial between whole numbers)', () => {
    // A school of 100 pupils against 5 suspensions among 100,000, φ = 4.2: 4 and 5 suspensions
    // are 0.95 and 1.19 scaled, and their p-values are near each other (4 once gave p = 1).
    const p4 = exactComparisonP('events', { count: 4, pupils: 100 }, { count: 5, pupils: 100_000 }, 4.2);
    const p5 = exactComparisonP('events', { count: 5, pupils: 100 }, { count: 5, pupils: 100_000 }, 4.2);
    expect(p4).toBeLessThan(0.05);
    expect(p5).toBeLessThan(p4);
    expect(p4 / p5).toBeLessThan(10);
    expect(binomialCdf(-1, 10, 0.3)).toBe(0);
    expect(binomialCdf(-0.5, 10, 0.3)).toBeGreaterThan(0);
    expect(binomialCdf(-0.5, 10, 0.3)).toBeLessThan(binomialCdf(0, 10, 0.3));
    expect(binomialCdf(3, 10, 0.3)).toBeCloseTo(0.6496107184, 9);
  });
  it('widens the rate ratio’s interval for events, around the same ratio', () => {
    const plain = rateRatio({ numerator: 60, denominator: 200 }, { numerator: 120, denominator: 1000 }, 'events');
    const wide = rateRatio({ numerator: 60, denominator: 200 }, { numerator: 120, denominator: 1000 }, 'events', 4);
    expect(wide.ratio).toBeCloseTo(plain.ratio!, 12);
    expect(wide.lower!).toBeLessThan(plain.lower!);
    expect(wide.upper!).toBeGreaterThan(plain.upper!);
    expect(wide.lower!).toBeLessThan(wide.ratio!);
    expect(wide.upper!).toBeGreaterThan(wide.ratio!);
  });

  // 600 pupils, 5% suspended, 2.6 suspensions each: about 78 suspensions a school, as a secondary's
  // SEN support group might have over three years.
  const N = 600;
  const Q = 0.05;
  const M = 2.6;
  const SCHOOLS = 10_000;
  const schools = (() => {
    const rng = new Rng(20261207);
    const next = () => rng.next();
    return Array.from({ length: SCHOOLS }, () => school(next, N, Q, M));
  })();
  const target = Q * M;

  it('puts identical schools outside the 99.8% funnel limits about 0.2% of the time, not many times that', () => {
    const phi = dispersion(schools);
    expect(phi).toBeGreaterThan(3.8);
    expect(phi).toBeLessThan(4.6);
    const outside = (f: number) => schools.filter((s) => isOutlier(funnelPosition('events', s.events, N, target, f))).length / SCHOOLS;
    // 0.23% of 10,000 (0.2% promised); Poisson's limits put 12% outside.
    expect(outside(phi)).toBeLessThan(0.0045);
    // Without it, Poisson limits single out schools that differ only by chance.
    expect(outside(1)).toBeGreaterThan(0.05);
  });
  it('calls identical schools different from each other beyond the 99.8% range about as rarely', () => {
    // Each school against the next nine pooled, as a school page compares it with its similar schools.
    const strong = (phiOf: (s: { events: number; withEvent: number }[]) => number) => {
      let n = 0;
      for (let i = 0; i + 10 <= SCHOOLS; i += 10) {
        const me = schools[i]!;
        const others = schools.slice(i + 1, i + 10);
        const pool = { count: others.reduce((t, s) => t + s.events, 0), pupils: N * others.length };
        const v = compareWithSimilar('events', { count: me.events, pupils: N }, pool, phiOf([me, ...others]));
        if (v.kind === 'higher-strong' || v.kind === 'lower-strong') n++;
      }
      return n / (SCHOOLS / 10);
    };
    // 3 of 1,000 (0.2% promised); as separate events, 10%.
    expect(strong(dispersion)).toBeLessThan(0.006);
    expect(strong(() => 1)).toBeGreaterThan(0.04);
  });
});
