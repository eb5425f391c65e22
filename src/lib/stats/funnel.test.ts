// Funnel limits against reference values computed independently with SciPy 1.17
// (scipy.stats.binom / poisson: r = ppf(p), α = (cdf(r) - p) / (cdf(r) - cdf(r - 1)), limit = (r - α) / n),
// and the position rule against the limits it is meant to reproduce.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { betaInc, binomialCdf, hypergeometricTails, poissonCdf } from './distributions';
import { exactLimit, funnelCurve, funnelLimits, funnelPosition, quantileCount, type CountKind } from './funnel';

describe('distributions', () => {
  it('binomial CDF matches SciPy', () => {
    expect(binomialCdf(15, 100, 0.1)).toBeCloseTo(0.9601094728889165, 12);
    expect(binomialCdf(16, 100, 0.1)).toBeCloseTo(0.9794011898546998, 12);
    expect(binomialCdf(3, 20, 0.3)).toBeCloseTo(0.10708680450373087, 12);
    expect(binomialCdf(400, 6000, 0.07)).toBeCloseTo(0.16193308288538566, 10);
    expect(binomialCdf(-1, 10, 0.5)).toBe(0);
    expect(binomialCdf(10, 10, 0.5)).toBe(1);
  });
  it('binomial CDF by direct summation for a case worked by hand: Bin(4, 0.5), P(R <= 1) = 5/16', () => {
    expect(binomialCdf(1, 4, 0.5)).toBeCloseTo(5 / 16, 14);
    expect(betaInc(0.5, 2, 2)).toBeCloseTo(0.5, 14);
  });
  it('Poisson CDF matches SciPy and e^-λ at 0', () => {
    expect(poissonCdf(16, 10)).toBeCloseTo(0.9729583902151989, 12);
    expect(poissonCdf(17, 10)).toBeCloseTo(0.9857223864029503, 12);
    expect(poissonCdf(0, 0.5)).toBeCloseTo(Math.exp(-0.5), 14);
    expect(poissonCdf(250, 300)).toBeCloseTo(0.0016811284694823387, 10);
  });
  it('hypergeometric tails match SciPy (hypergeom.cdf and sf)', () => {
    const a = hypergeometricTails(12, 500, 40, 100);
    expect(a.lower).toBeCloseTo(0.9633172593239656, 10);
    expect(a.upper).toBeCloseTo(0.07872409223067242, 10);
    const b = hypergeometricTails(3, 12000, 300, 1000);
    expect(b.lower).toBeCloseTo(1.3184566369114174e-8, 14);
    expect(b.upper).toBeCloseTo(0.9999999986298089, 10);
  });
});

describe('exact control limits (Spiegelhalter 2005, appendix A.1)', () => {
  // [n, θ, p, r_p, limit as a rate per pupil]
  const binomial: [number, number, number, number, number][] = [
    [100, 0.1, 0.001, 2, 0.014178865008434753],
    [100, 0.1, 0.025, 5, 0.04038059552439343],
    [100, 0.1, 0.975, 16, 0.1577186116391268],
    [100, 0.1, 0.999, 20, 0.19835671850288553],
    [30, 0.05, 0.975, 4, 0.1264175829692631],
    [30, 0.05, 0.999, 6, 0.19475191894626306],
    [1000, 0.002, 0.975, 5, 0.004762761212432696],
    [1000, 0.002, 0.999, 8, 0.007093952729209397],
    [6000, 0.07, 0.001, 360, 0.059943345471533176],
    [6000, 0.07, 0.025, 382, 0.06352860741330711],
    [6000, 0.07, 0.975, 459, 0.07644117794987525],
    [6000, 0.07, 0.999, 482, 0.08029792245219276]
  ];
  const poisson: [number, number, number, number, number][] = [
    [100, 0.1, 0.001, 2, 0.012205293158961341],
    [100, 0.1, 0.025, 4, 0.03775187947688401],
    [100, 0.1, 0.975, 17, 0.1615995067334478],
    [100, 0.1, 0.999, 21, 0.20662000835994992],
    [50, 0.04, 0.975, 5, 0.09532472723430377],
    [50, 0.04, 0.999, 8, 0.1422511849199161],
    [1500, 0.25, 0.001, 317, 0.21073439870302374],
    [1500, 0.25, 0.975, 413, 0.2752824254019728],
    [1500, 0.25, 0.999, 436, 0.2905045231542205]
  ];
  it.each(binomial)('binomial n=%d θ=%d p=%d', (n, t, p, r, limit) => {
    expect(quantileCount('proportion', p, n, t)).toBe(r);
    expect(exactLimit('proportion', p, n, t)).toBeCloseTo(limit, 10);
  });
  it.each(poisson)('Poisson n=%d θ=%d p=%d', (n, t, p, r, limit) => {
    expect(quantileCount('events', p, n, t)).toBe(r);
    expect(exactLimit('events', p, n, t)).toBeCloseTo(limit, 10);
  });
  it('finds the smallest count with P(R <= r) >= p, as a count-by-count scan does (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<CountKind>('proportion', 'events'),
        fc.integer({ min: 1, max: 2500 }),
        fc.double({ min: 0.0005, max: 0.95, noNaN: true }),
        fc.constantFrom(0.001, 0.025, 0.975, 0.999),
        (kind, n, t, p) => {
          const target = kind === 'events' ? t * 3 : t;
          const cdf = (r: number) => (kind === 'proportion' ? binomialCdf(r, n, target) : poissonCdf(r, n * target));
          let r = 0;
          while (cdf(r) < p) r++;
          expect(quantileCount(kind, p, n, target)).toBe(r);
        }
      ),
      { numRuns: 150 }
    );
  });
  it('draws a lower limit that would fall below zero at zero (SciPy gives -0.033 for n=30, θ=0.05, p=0.001)', () => {
    expect(exactLimit('proportion', 0.001, 30, 0.05)).toBe(0);
    expect(exactLimit('events', 0.025, 50, 0.04)).toBe(0);
  });
  it('funnelLimits gives the four limits per 100 pupils, nested around the target', () => {
    const l = funnelLimits('proportion', 100, 0.1);
    expect(l.upper95).toBeCloseTo(15.77186116391268, 8);
    expect(l.upper998).toBeCloseTo(19.835671850288553, 8);
    expect(l.lower95).toBeCloseTo(4.038059552439343, 8);
    expect(l.lower998).toBeCloseTo(1.4178865008434753, 8);
    expect(l.lower998).toBeLessThan(l.lower95);
    expect(l.upper95).toBeLessThan(l.upper998);
  });
  it('funnelCurve narrows as schools get bigger and spans the pupils asked for', () => {
    const curve = funnelCurve('events', 0.08, 20, 2000, 60);
    expect(curve[0]!.n).toBe(20);
    expect(curve.at(-1)!.n).toBe(2000);
    expect(curve.length).toBeLessThanOrEqual(61);
    const width = (l: (typeof curve)[number]) => l.upper998 - l.lower998;
    expect(width(curve.at(-1)!)).toBeLessThan(width(curve[0]!) / 5);
    // Around a target of 8 per 100, the limits of a large school hug 8.
    expect(curve.at(-1)!.upper95).toBeGreaterThan(8);
    expect(curve.at(-1)!.upper95).toBeLessThan(9.5);
  });
});

describe('funnelPosition', () => {
  it('places schools worked by hand: Bin(100, 0.1) has 95% limits 4.0 and 15.8, 99.8% limits 1.4 and 19.8 per 100', () => {
    expect(funnelPosition('proportion', 10, 100, 0.1)).toBe('inside');
    expect(funnelPosition('proportion', 16, 100, 0.1)).toBe('above-95');
    expect(funnelPosition('proportion', 19, 100, 0.1)).toBe('above-95');
    expect(funnelPosition('proportion', 20, 100, 0.1)).toBe('above-998');
    expect(funnelPosition('proportion', 4, 100, 0.1)).toBe('below-95');
    expect(funnelPosition('proportion', 1, 100, 0.1)).toBe('below-998');
    expect(funnelPosition('proportion', 0, 100, 0.1)).toBe('below-998');
  });
  it('never calls zero events "above", however tiny the expected count', () => {
    expect(funnelPosition('events', 0, 10, 0.0001)).toBe('inside');
    expect(funnelPosition('events', 1, 10, 0.0001)).toBe('above-998');
  });
  it('agrees with comparing the rate with the limits at the school’s own size (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<CountKind>('proportion', 'events'),
        fc.integer({ min: 5, max: 3000 }),
        fc.double({ min: 0.001, max: 0.4, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (kind, n, target, u) => {
          const count = Math.round(u * Math.min(n, n * target * 3 + 10));
          const l = funnelLimits(kind, n, target);
          const rate = (count / n) * 100;
          const pos = funnelPosition(kind, count, n, target);
          const eps = 1e-9;
          // Away from the lines (a rate exactly on a limit is a tie either way), the rule and the lines agree.
          if ([l.lower95, l.upper95, l.lower998, l.upper998].some((v) => Math.abs(v - rate) < eps)) return;
          const byLimits =
            rate > l.upper998 ? 'above-998' : rate < l.lower998 ? 'below-998' : rate > l.upper95 ? 'above-95' : rate < l.lower95 ? 'below-95' : 'inside';
          expect(pos).toBe(byLimits);
        }
      ),
      { numRuns: 400, seed: 6 }
    );
  });
  it('with a dispersion, still agrees with the limits drawn at the school’s own size (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 3000 }),
        fc.double({ min: 0.001, max: 0.6, noNaN: true }),
        fc.double({ min: 1, max: 8, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, target, phi, u) => {
          const count = Math.round(u * (n * target * 3 + 10));
          const l = funnelLimits('events', n, target, phi);
          const rate = (count / n) * 100;
          if ([l.lower95, l.upper95, l.lower998, l.upper998].some((v) => Math.abs(v - rate) < 1e-9)) return;
          const byLimits =
            rate > l.upper998 ? 'above-998' : rate < l.lower998 ? 'below-998' : rate > l.upper95 ? 'above-95' : rate < l.lower95 ? 'below-95' : 'inside';
          expect(funnelPosition('events', count, n, target, phi)).toBe(byLimits);
        }
      ),
      { numRuns: 400, seed: 11 }
    );
  });
  it('with a dispersion φ, the limits at n pupils are the Poisson limits at n / φ, and wider', () => {
    const plain = funnelLimits('events', 250, 0.1);
    const wide = funnelLimits('events', 1000, 0.1, 4);
    expect(wide.n).toBe(1000);
    for (const k of ['lower95', 'upper95', 'lower998', 'upper998'] as const) expect(wide[k]).toBeCloseTo(plain[k], 12);
    const same = funnelLimits('events', 1000, 0.1);
    expect(wide.upper998).toBeGreaterThan(same.upper998);
    expect(wide.lower998).toBeLessThan(same.lower998);
    // Pupils with an event are one per pupil: a dispersion does not apply to them.
    expect(funnelLimits('proportion', 1000, 0.1, 4)).toEqual(funnelLimits('proportion', 1000, 0.1));
    expect(() => funnelLimits('events', 1000, 0.1, 0.5)).toThrow(RangeError);
  });
});
