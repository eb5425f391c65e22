/**
 * Is a school's rate different from its similar schools' by more than chance would explain?
 *
 * The school's count is compared with the similar schools' pooled count (their counts summed over
 * their pupils summed: a rate computed from counts, never an average of rates) by an exact test
 * that conditions on the total, so the similar schools' own uncertainty is counted too (a
 * comparison with a fixed rate would not):
 *   - events (suspensions): if both had the same rate, the school's share of all the events
 *     would be Binomial(O + S, n / (n + N)) (the exact test for two Poisson rates, Przyborowski and
 *     Wilenski 1940);
 *   - pupils with an event (one or more suspensions, permanent exclusions): Fisher's exact test on
 *     the 2 x 2 table (with the event or not, this school or the similar schools).
 * Two-sided p = twice the smaller tail (at most 1), the convention that matches equal-tailed
 * 95% and 99.8% limits. O, n: the school's count and pupils; S, N: the similar schools'.
 * Suspensions cluster within pupils (dispersion.ts), so with a dispersion φ the test runs on O / φ
 * of (O + S) / φ, the binomial's cumulative probability taken at those non-integer points through
 * the incomplete beta function, and rule 3 below counts E / φ: the events are worth 1 / φ
 * independent ones each.
 *
 * The rule, in order:
 *   1. a figure is not published, or the similar schools have none: no verdict, say why;
 *   2. p < 0.002 (outside the 99.8% range): higher or lower "by more than chance would explain";
 *   3. fewer than 5 events expected at the similar schools' rate (E = n x S / N, divided by φ for
 *      suspensions): the numbers are too small to tell, whatever the sign of the difference;
 *   4. p < 0.05 (outside the 95% range): "somewhat" higher or lower, worth watching, not conclusive;
 *   5. otherwise the difference is within what chance would explain.
 * Why 99.8% for the firm wording: a dashboard makes many comparisons (every school, group and
 * measure), and at 95% one in twenty schools would be called different by chance alone.
 *
 * Similar schools whose count is withheld (`compareWithSimilarRange`): leaving them out is not
 * neutral, because what gets withheld is mostly small counts of 1 or more while zeros are
 * published, so the published ones understate the similar schools' rate (an outside review: five
 * published zeros and five withheld gave "higher by more than chance" to a school that, with the
 * withheld at their smallest possible, was too small to tell). So the test is also run with the
 * withheld schools' pupils counted and their counts at the bottom and the top of what they could
 * be; a difference is claimed only as far as every one of those agrees.
 */
import { binomialCdf, hypergeometricTails } from './distributions';
import type { CountKind } from './funnel';

export interface Counts {
  /** Events, or pupils with an event. */
  count: number;
  /** Pupils (or pupil-years). */
  pupils: number;
}

export type VerdictKind =
  | 'not-published'
  | 'no-comparison'
  | 'too-small'
  | 'no-difference'
  | 'higher'
  | 'higher-strong'
  | 'lower'
  | 'lower-strong'
  | 'depends-on-withheld';

export interface Verdict {
  kind: VerdictKind;
  /** Two-sided exact p-value; null when no test was run. */
  p: number | null;
  /** Events expected at the school if it had the similar schools' rate. */
  expected: number | null;
  /** Rates per 100 pupils. */
  schoolRate: number | null;
  similarRate: number | null;
  /**
   * Set when the figures are those of the similar schools with their withheld counts put at the
   * least (`low`: 0) or the most (`high`) they could be, because that is the weaker claim
   * (`compareWithSimilarRange`); absent when they are the published schools' alone.
   */
  bound?: 'low' | 'high';
  /** The events' dispersion when above 1 (dispersion.ts): `expected` is worth `expected / dispersion` independent events. */
  dispersion?: number;
}

/** Below this many expected events a test cannot tell a real difference from chance. */
export const MIN_EXPECTED = 5;
/** Two-sided p below which a difference is outside the 99.8% range. */
export const P_STRONG = 0.002;
/** Two-sided p below which a difference is outside the 95% range. */
export const P_WEAK = 0.05;

/**
 * Two-sided exact p-value comparing a school with its similar schools (see the module comment);
 * `phi` is the events' dispersion (1, plain Poisson, by default; ignored for pupils with an event).
 */
export function exactComparisonP(kind: CountKind, school: Counts, similar: Counts, phi = 1): number {
  const { count: o, pupils: n } = school;
  const { count: s, pupils: big } = similar;
  let lower: number;
  let upper: number;
  if (kind === 'events') {
    if (!(phi >= 1)) throw new RangeError(`exactComparisonP: a dispersion is 1 or more (${phi})`);
    const total = (o + s) / phi;
    if (total === 0) return 1;
    const share = n / (n + big);
    lower = binomialCdf(o / phi, total, share);
    upper = 1 - binomialCdf(o / phi - 1, total, share);
  } else {
    ({ lower, upper } = hypergeometricTails(o, n + big, o + s, n));
  }
  return Math.min(1, 2 * Math.min(lower, upper));
}

function valid(c: Counts | null): c is Counts {
  return c !== null && Number.isFinite(c.count) && Number.isFinite(c.pupils) && c.pupils > 0 && c.count >= 0;
}

/** The verdict (see the module comment); `phi` as for `exactComparisonP`. */
export function compareWithSimilar(kind: CountKind, school: Counts | null, similar: Counts | null, phi = 1): Verdict {
  const schoolRate = valid(school) ? (school.count / school.pupils) * 100 : null;
  const similarRate = valid(similar) ? (similar.count / similar.pupils) * 100 : null;
  if (!valid(school)) return { kind: 'not-published', p: null, expected: null, schoolRate, similarRate };
  if (!valid(similar)) return { kind: 'no-comparison', p: null, expected: null, schoolRate, similarRate };
  if (kind === 'proportion' && (school.count > school.pupils || similar.count > similar.pupils)) {
    throw new RangeError('compareWithSimilar: more pupils with an event than pupils');
  }
  const expected = (school.pupils * similar.count) / similar.pupils;
  const p = exactComparisonP(kind, school, similar, phi);
  const higher = school.count > expected;
  let verdict: VerdictKind;
  if (p < P_STRONG) verdict = higher ? 'higher-strong' : 'lower-strong';
  else if (expected / (kind === 'events' ? phi : 1) < MIN_EXPECTED) verdict = 'too-small';
  else if (p < P_WEAK) verdict = higher ? 'higher' : 'lower';
  else verdict = 'no-difference';
  return { kind: verdict, p, expected, schoolRate, similarRate, ...(kind === 'events' && phi > 1 ? { dispersion: phi } : {}) };
}

/** How far a verdict claims a difference: 2 firm, 1 somewhat, with its sign; absent when it claims none. */
const CLAIM: Partial<Record<VerdictKind, number>> = { 'higher-strong': 2, higher: 1, lower: -1, 'lower-strong': -2 };

/**
 * The verdict against similar schools some of whose counts are withheld. `similar` holds the
 * published ones pooled; `low` and `high` the same with the withheld schools' pupils added and
 * their counts at the least and the most they could be. The published verdict stands when no
 * variant claims a difference, or when every one claims it as strongly in the same direction.
 * When they all claim it in the same direction but not as strongly, the weakest claim is given,
 * with the figures of the variant that makes it (`bound` says which). When they disagree, whether
 * the school differs depends on the withheld figures: `depends-on-withheld`, with no p-value,
 * since no one test stands for the answer. Without `withheld` it is `compareWithSimilar`.
 */
export function compareWithSimilarRange(
  kind: CountKind,
  school: Counts | null,
  similar: Counts | null,
  withheld?: { low: Counts; high: Counts },
  phi = 1
): Verdict {
  const published = compareWithSimilar(kind, school, similar, phi);
  if (!withheld || published.kind === 'not-published' || published.kind === 'no-comparison') return published;
  const variants: Verdict[] = [
    published,
    { ...compareWithSimilar(kind, school, withheld.low, phi), bound: 'low' },
    { ...compareWithSimilar(kind, school, withheld.high, phi), bound: 'high' }
  ];
  const claims = variants.map((v) => CLAIM[v.kind] ?? 0);
  if (claims.every((c) => c === 0)) return published;
  if (claims.every((c) => c > 0) || claims.every((c) => c < 0)) {
    return variants.reduce((a, b) => (Math.abs(CLAIM[b.kind]!) < Math.abs(CLAIM[a.kind]!) ? b : a));
  }
  return { kind: 'depends-on-withheld', p: null, expected: null, schoolRate: published.schoolRate, similarRate: published.similarRate };
}
