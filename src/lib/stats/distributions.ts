/**
 * Exact discrete distributions the funnel limits and the similar-schools verdict are built on:
 * binomial and Poisson cumulative probabilities, and the hypergeometric tails of Fisher's exact
 * test.
 *
 * Why exact: school counts are small (a primary school has a handful of suspensions of pupils with
 * an EHC plan), and the normal approximation gives limits below zero and tails that are wrong by
 * a factor of two exactly where the decisions are made. Everything here is computed in log space
 * from `lnGamma` (Lanczos, in intervals.ts) and the regularised incomplete gamma and beta
 * functions, so it stays accurate for the 6,000 pupil-years of a large secondary school.
 */
import { gammaP, lnGamma } from './intervals';

/** ln(n choose k). */
export function lnChoose(n: number, k: number): number {
  return lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1);
}

/**
 * Continued fraction for the incomplete beta function (modified Lentz; Numerical Recipes 6.4),
 * converging quickly for x < (a + 1) / (a + b + 2).
 */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b) for a, b > 0 and 0 <= x <= 1. */
export function betaInc(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * P(R <= k) for R ~ Binomial(n, p). For whole numbers, the binomial's; between them (a count
 * scaled by its dispersion, verdict.ts) the incomplete beta's smooth extension, which is valid for
 * k > -1 and reaches 0 there: cutting it off at 0 instead made the upper tail, and so the p-value,
 * jump to 1 for any scaled count below 1 (an outside review).
 */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k <= -1) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  // P(R <= k) = I_{1-p}(n - k, k + 1)
  return betaInc(1 - p, n - k, k + 1);
}

/** P(X <= k) for X ~ Poisson(mean). */
export function poissonCdf(k: number, mean: number): number {
  if (k < 0) return 0;
  if (mean <= 0) return 1;
  // P(X <= k) = Q(k + 1, mean) = 1 - P(k + 1, mean)
  return Math.max(0, 1 - gammaP(k + 1, mean));
}

/** Point probability of the hypergeometric distribution: k of `draws` from a population of `total` holding `successes`. */
function hypergeometricLnPmf(k: number, total: number, successes: number, draws: number): number {
  return lnChoose(successes, k) + lnChoose(total - successes, draws - k) - lnChoose(total, draws);
}

/**
 * Both tails of the hypergeometric distribution at k: P(K <= k) and P(K >= k), where K is the
 * number of successes among `draws` items drawn without replacement from `total` items of which
 * `successes` are successes (Fisher's exact test conditions on all three margins).
 */
export function hypergeometricTails(
  k: number,
  total: number,
  successes: number,
  draws: number
): { lower: number; upper: number } {
  const lo = Math.max(0, draws - (total - successes));
  const hi = Math.min(draws, successes);
  // Sum point probabilities relative to the largest, so tiny terms do not underflow to 0 / 0.
  const ln: number[] = [];
  for (let j = lo; j <= hi; j++) ln.push(hypergeometricLnPmf(j, total, successes, draws));
  const top = Math.max(...ln);
  const w = ln.map((v) => Math.exp(v - top));
  const sum = w.reduce((s, v) => s + v, 0);
  let lower = 0;
  let upper = 0;
  w.forEach((v, i) => {
    const j = lo + i;
    if (j <= k) lower += v;
    if (j >= k) upper += v;
  });
  return { lower: Math.min(1, lower / sum), upper: Math.min(1, upper / sum) };
}
