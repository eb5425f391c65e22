/**
 * 95% confidence intervals for rates per 100 pupils.
 *
 * Pupils with an event (one or more suspensions, permanent exclusion) are a proportion of pupils:
 * Wilson's score interval, which behaves at 0 and at small n where the normal approximation does
 * not. Events (suspensions, of which a pupil may have several) are a Poisson count: the exact
 * (Garwood) interval from chi-squared quantiles, widened by the count's dispersion φ (dispersion.ts:
 * suspensions cluster within pupils) as φ times Garwood's interval for count / φ. Both return NULL
 * bounds when a count is missing.
 */

export interface Interval {
  lower: number;
  upper: number;
}

const Z95 = 1.959963984540054;

/** Wilson score interval for k successes in n trials, as proportions (0..1). */
export function wilson(k: number, n: number, z = Z95): Interval {
  if (!(n > 0) || k < 0 || k > n) throw new RangeError(`wilson: need 0 <= k <= n and n > 0 (k=${k}, n=${n})`);
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Natural log of the gamma function (Lanczos approximation, g=7, n=9). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised lower incomplete gamma P(a, x) (series for x < a+1, continued fraction otherwise). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lnPre = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return sum * Math.exp(lnPre);
  }
  // Lentz's continued fraction for Q(a, x).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return 1 - Math.exp(lnPre) * h;
}

/** Quantile of the gamma(shape a, scale 1) distribution, by bisection on P(a, x). */
export function gammaQuantile(p: number, a: number): number {
  if (p <= 0) return 0;
  let lo = 0;
  let hi = Math.max(1, a);
  while (gammaP(a, hi) < p) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (gammaP(a, mid) < p) lo = mid;
    else hi = mid;
    if (hi - lo < 1e-12 * Math.max(1, hi)) break;
  }
  return (lo + hi) / 2;
}

/**
 * Exact (Garwood) 95% interval for a Poisson count k, as counts. `k` may be a non-integer (a count
 * scaled by its dispersion): the chi-squared quantiles take any positive degrees of freedom.
 */
export function poissonExact(k: number, alpha = 0.05): Interval {
  if (k < 0 || !Number.isFinite(k)) throw new RangeError(`poissonExact: need k >= 0 (k=${k})`);
  // chi2(p, 2k)/2 is the gamma(k) quantile with scale 1.
  const lower = k === 0 ? 0 : gammaQuantile(alpha / 2, k);
  const upper = gammaQuantile(1 - alpha / 2, k + 1);
  return { lower, upper };
}

/**
 * A rate per 100 pupils with its 95% interval, or NULLs when a count is missing. `phi`, for events
 * only, is the count's dispersion (dispersion.ts); 1 is plain Poisson.
 */
export function rateInterval(
  numerator: number | null,
  denominator: number | null,
  kind: 'proportion' | 'events',
  phi = 1
): { rate: number | null; lower: number | null; upper: number | null } {
  if (numerator === null || denominator === null || !(denominator > 0)) return { rate: null, lower: null, upper: null };
  const rate = (numerator / denominator) * 100;
  if (kind === 'proportion' && numerator <= denominator) {
    const w = wilson(numerator, denominator);
    return { rate, lower: w.lower * 100, upper: w.upper * 100 };
  }
  if (!(phi >= 1)) throw new RangeError(`rateInterval: a dispersion is 1 or more (${phi})`);
  const p = poissonExact(numerator / phi);
  return { rate, lower: ((p.lower * phi) / denominator) * 100, upper: ((p.upper * phi) / denominator) * 100 };
}
