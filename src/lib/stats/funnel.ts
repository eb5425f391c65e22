/**
 * Funnel plot control limits (Spiegelhalter 2005) and where a school sits against them.
 *
 * A funnel plot draws each school's rate against its number of pupils, around a target (here the
 * local authority's rate). If every school had the target's underlying rate, chance alone would
 * put about 95% of schools inside the 95% limits and 99.8% inside the 99.8% limits; the limits
 * narrow as schools get bigger, which is the point: a small school's rate is noisy. A school
 * outside the 99.8% limits is a signal worth looking into, not a verdict.
 *
 * Limits are exact, not normal approximations, because school counts are small:
 *   - pupils with an event (one or more suspensions, permanent exclusions): R ~ Binomial(n, θ);
 *   - events (suspensions, several per pupil possible): R ~ Poisson(n θ).
 * For a limit at probability p, Spiegelhalter's Appendix A.1 takes r_p, the smallest r with
 * P(R <= r) >= p, and interpolates between the discrete steps so the funnel is smooth:
 *   α = (P(R <= r_p) - p) / (P(R <= r_p) - P(R <= r_p - 1)),   limit = (r_p - α) / n.
 * The 95% limits use p = 0.025 and 0.975; the 99.8% limits p = 0.001 and 0.999. A limit below 0
 * (possible for the lower limit of a small school) is drawn at 0.
 *
 * Suspensions cluster within pupils, so the variance of their count is φ times a Poisson count's
 * (dispersion.ts; a quasi-Poisson approximation, in the spirit of Spiegelhalter's over-dispersed
 * funnels, though his φ measures differences between institutions). A count of R among n pupils
 * is then treated as φ times a Poisson count of R / φ among n / φ: the limits at n pupils are the
 * Poisson limits at n / φ (the rate is unchanged by the scaling), and a school's position is judged
 * on R / φ. φ is the target's (the LA's): under "no difference" the school shares its process.
 *
 * Reference: D. J. Spiegelhalter, "Funnel plots for comparing institutional performance",
 * Statistics in Medicine 24 (2005) 1185–1202, sections 3–4 and Appendix A.1.
 */
import { binomialCdf, poissonCdf } from './distributions';

export type CountKind = 'proportion' | 'events';

/** The two funnels drawn: 95% ("about 2 standard deviations") and 99.8% ("about 3"). */
export const FUNNEL_LEVELS = [0.95, 0.998] as const;

function cdf(kind: CountKind, r: number, n: number, target: number): number {
  return kind === 'proportion' ? binomialCdf(r, n, target) : poissonCdf(r, n * target);
}

/** Smallest whole r with P(R <= r) >= p (bisection on the monotone CDF). */
export function quantileCount(kind: CountKind, p: number, n: number, target: number): number {
  let lo = 0;
  // Start the search near the mean (ten standard deviations above it, or more): bisecting the
  // whole of 0..n for a binomial took twice the steps, and the funnel's curve is 480 searches.
  const mean = n * target;
  const cap = kind === 'proportion' ? Math.floor(n) : Infinity;
  let hi = Math.min(cap, Math.ceil(mean + 10 * Math.sqrt(mean) + 10));
  while (hi < cap && cdf(kind, hi, n, target) < p) hi = Math.min(cap, hi * 2);
  if (cdf(kind, lo, n, target) >= p) return 0;
  // Invariant: F(lo) < p <= F(hi).
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (cdf(kind, mid, n, target) >= p) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The exact control limit at probability p for a unit with n pupils, as a rate per pupil
 * (multiply by 100 for per 100 pupils). `target` is the target rate per pupil (θ).
 */
export function exactLimit(kind: CountKind, p: number, n: number, target: number): number {
  if (!(n > 0)) throw new RangeError(`exactLimit: n must be positive (n=${n})`);
  if (!(target >= 0) || (kind === 'proportion' && target > 1)) throw new RangeError(`exactLimit: target out of range (${target})`);
  if (target === 0) return 0;
  const r = quantileCount(kind, p, n, target);
  const fr = cdf(kind, r, n, target);
  const fr1 = cdf(kind, r - 1, n, target);
  const alpha = fr > fr1 ? (fr - p) / (fr - fr1) : 0;
  return Math.max(0, (r - alpha) / n);
}

export interface FunnelLimits {
  /** Pupils (or pupil-years) at which the limits are computed. */
  n: number;
  /** Limits as rates per 100 pupils. */
  lower95: number;
  upper95: number;
  lower998: number;
  upper998: number;
}

function tailProbabilities(level: number): { lower: number; upper: number } {
  const tail = (1 - level) / 2;
  return { lower: tail, upper: 1 - tail };
}

/** Pupils as the limits see them: n / φ for events (see the module comment), n for pupils with an event. */
function effectivePupils(kind: CountKind, n: number, phi: number): number {
  if (!(phi >= 1)) throw new RangeError(`funnel: a dispersion is 1 or more (${phi})`);
  return kind === 'events' ? n / phi : n;
}

/**
 * The four limits at n pupils around a target rate per pupil, in rates per 100. `phi`: the
 * dispersion of the events (1, plain Poisson, by default; ignored for pupils with an event).
 */
export function funnelLimits(kind: CountKind, n: number, target: number, phi = 1): FunnelLimits {
  const [inner, outer] = FUNNEL_LEVELS.map(tailProbabilities) as [{ lower: number; upper: number }, { lower: number; upper: number }];
  const m = effectivePupils(kind, n, phi);
  return {
    n,
    lower95: exactLimit(kind, inner.lower, m, target) * 100,
    upper95: exactLimit(kind, inner.upper, m, target) * 100,
    lower998: exactLimit(kind, outer.lower, m, target) * 100,
    upper998: exactLimit(kind, outer.upper, m, target) * 100
  };
}

/**
 * Limits along the funnel, for drawing: whole numbers of pupils from nMin to nMax, spaced
 * geometrically (the funnel changes fastest where schools are small), at most `steps` of them.
 */
export function funnelCurve(kind: CountKind, target: number, nMin: number, nMax: number, steps = 120, phi = 1): FunnelLimits[] {
  const lo = Math.max(1, Math.floor(nMin));
  const hi = Math.max(lo, Math.ceil(nMax));
  const ns = new Set<number>([lo, hi]);
  const ratio = hi / lo;
  for (let i = 1; i < steps; i++) ns.add(Math.round(lo * ratio ** (i / steps)));
  return [...ns].sort((a, b) => a - b).map((n) => funnelLimits(kind, n, target, phi));
}

export type FunnelPosition = 'above-998' | 'above-95' | 'inside' | 'below-95' | 'below-998';

/**
 * Where a school with `count` events among `n` pupils sits against the funnel around `target`
 * (rate per pupil). Equivalent to comparing count / n with the interpolated limits at the school's
 * own n (the unit tests check this), but needs one cumulative probability F = P(R <= count)
 * instead of four quantile searches, which matters for 22,000 schools:
 *   above the upper p-limit  <=>  count > 0 and F > p      (count >= r_p, and the limit r_p - α < count)
 *   below the lower p-limit  <=>  F < p                     (count < r_p, and the limit r_p - α > count)
 * With a dispersion φ the count is judged as R / φ among n / φ, which is not a whole number. The
 * limit r_p - α is where the straight line through (r - 1, F(r - 1)) and (r, F(r)) reaches p, so
 * the same rule holds with F at R / φ read off those straight lines between whole numbers: two
 * cumulative probabilities, and the position still agrees with the limits drawn.
 */
export function funnelPosition(kind: CountKind, count: number, n: number, target: number, phi = 1): FunnelPosition {
  if (!(n > 0) || count < 0) throw new RangeError(`funnelPosition: need n > 0 and count >= 0 (count=${count}, n=${n})`);
  if (target === 0) return count > 0 ? 'above-998' : 'inside';
  const m = effectivePupils(kind, n, phi);
  const x = kind === 'events' ? count / phi : count;
  const whole = Math.floor(x);
  const fWhole = cdf(kind, whole, m, target);
  const f = x === whole ? fWhole : fWhole + (x - whole) * (cdf(kind, whole + 1, m, target) - fWhole);
  const outer = tailProbabilities(FUNNEL_LEVELS[1]);
  const inner = tailProbabilities(FUNNEL_LEVELS[0]);
  if (count > 0 && f > outer.upper) return 'above-998';
  if (f < outer.lower) return 'below-998';
  if (count > 0 && f > inner.upper) return 'above-95';
  if (f < inner.lower) return 'below-95';
  return 'inside';
}

/** Positions outside the 99.8% limits: the schools a funnel plot singles out. */
export function isOutlier(position: FunnelPosition): boolean {
  return position === 'above-998' || position === 'below-998';
}
