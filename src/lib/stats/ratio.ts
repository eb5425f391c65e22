/**
 * The ratio of two rates with its 95% interval: SEND pupils' rate against pupils with no SEN (the
 * "risk ratio" councillors ask for), a school's rate against its similar schools'.
 *
 * Why an interval and not just the ratio: with small numbers a ratio of 3 can be chance, and the
 * dashboard must never claim a difference its intervals do not support (`compareRates` says
 * "higher", "lower" or "no clear difference" from the interval alone).
 *
 * - Pupils with an event are proportions: the risk ratio with Katz's log interval (Katz et al.
 *   1978), se(ln RR) = sqrt(1/a - 1/n1 + 1/c - 1/n2), when every count is inside (0, n). At 0 the
 *   log is undefined, and a continuity correction (0.5 added) does not mend it: 0 of 300 pupils
 *   against 2 of 40,000 gave an interval of 1.28 to 553 around a ratio of 0, "higher, beyond
 *   chance" for a group with no exclusions at all. At n (every pupil) the formula leaves that
 *   group's uncertainty out (5 of 5 against 3 of 3 gave 1.00 to 1.00). Those cases take the exact
 *   conditional interval below instead: exact where zeros happen (rare events), wider elsewhere,
 *   so it never claims more than the data show, and it always holds the ratio.
 * - Events (suspensions, several per pupil) are Poisson counts: the rate ratio with the exact
 *   conditional interval. Given a + c events, a is binomial with p = n1 RR / (n1 RR + n2), so
 *   Clopper-Pearson bounds on p become bounds on RR (Armitage, Berry & Matthews, 4th ed., 4.9).
 *   Suspensions cluster within pupils (dispersion.ts): with a dispersion φ (the two groups' pooled)
 *   the bounds are taken on a / φ and c / φ, the beta quantiles accepting non-integer counts.
 */
import { betaInc } from './distributions';

export type RateKind = 'proportion' | 'events';

export interface RateCounts {
  /** The count: pupils with an event, or events. NULL when suppressed. */
  numerator: number | null;
  /** Pupils. NULL when suppressed. */
  denominator: number | null;
}

export interface Ratio {
  /** Rate of `a` divided by rate of `b`; NULL when either rate is missing or `b`'s is 0. */
  ratio: number | null;
  lower: number | null;
  upper: number | null;
}

const Z95 = 1.959963984540054;
const NONE: Ratio = { ratio: null, lower: null, upper: null };

const usable = (c: RateCounts): c is { numerator: number; denominator: number } =>
  c.numerator !== null && c.denominator !== null && c.denominator > 0 && c.numerator >= 0;

/** `phi`: the events' dispersion, pooled over both (1, plain Poisson, by default; ignored for pupils with an event). */
export function rateRatio(a: RateCounts, b: RateCounts, kind: RateKind, phi = 1): Ratio {
  if (!usable(a) || !usable(b)) return NONE;
  const ratio = b.numerator === 0 ? null : a.numerator / a.denominator / (b.numerator / b.denominator);
  if (a.numerator === 0 && b.numerator === 0) return { ratio, lower: null, upper: null };
  const inside = (x: { numerator: number; denominator: number }) => x.numerator > 0 && x.numerator < x.denominator;
  return kind === 'proportion' && inside(a) && inside(b)
    ? { ratio, ...katz(a.numerator, a.denominator, b.numerator, b.denominator) }
    : { ratio, ...poissonRatio(a.numerator, a.denominator, b.numerator, b.denominator, kind === 'events' ? phi : 1) };
}

function katz(a: number, n1: number, c: number, n2: number): { lower: number; upper: number } {
  const ln = Math.log(a / n1 / (c / n2));
  const se = Math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2);
  return { lower: Math.exp(ln - Z95 * se), upper: Math.exp(ln + Z95 * se) };
}

function poissonRatio(events1: number, n1: number, events2: number, n2: number, phi: number): { lower: number | null; upper: number | null } {
  if (!(phi >= 1)) throw new RangeError(`rateRatio: a dispersion is 1 or more (${phi})`);
  const a = events1 / phi;
  const c = events2 / phi;
  const total = a + c;
  const pLower = a === 0 ? 0 : betaQuantile(0.025, a, c + 1);
  const pUpper = c === 0 ? 1 : betaQuantile(0.975, a + 1, c);
  const toRatio = (p: number) => (p / (1 - p)) * (n2 / n1);
  return { lower: total === 0 ? null : toRatio(pLower), upper: pUpper >= 1 ? null : toRatio(pUpper) };
}

/** Quantile of the beta(a, b) distribution, by bisection on I_x(a, b). */
export function betaQuantile(p: number, a: number, b: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (betaInc(mid, a, b) < p) lo = mid;
    else hi = mid;
    if (hi - lo < 1e-14) break;
  }
  return (lo + hi) / 2;
}

export type Comparison = 'higher' | 'lower' | 'no clear difference' | 'not available';

/**
 * What a ratio's interval supports: "higher" only when the whole interval is above 1, "lower" only
 * when it is below 1. Anything else, including a missing interval, claims nothing.
 */
export function compareRates(r: Ratio): Comparison {
  if (r.ratio === null && r.lower === null) return 'not available';
  if (r.lower !== null && r.lower > 1) return 'higher';
  if (r.upper !== null && r.upper < 1) return 'lower';
  return 'no clear difference';
}
