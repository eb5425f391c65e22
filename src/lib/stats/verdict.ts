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
 *
 * The rule, in order:
 *   1. a figure is not published, or the similar schools have none: no verdict, say why;
 *   2. p < 0.002 (outside the 99.8% range): higher or lower "by more than chance would explain";
 *   3. fewer than 5 events expected at the similar schools' rate (E = n x S / N): the numbers are
 *      too small to tell, whatever the sign of the difference;
 *   4. p < 0.05 (outside the 95% range): "somewhat" higher or lower, worth watching, not conclusive;
 *   5. otherwise the difference is within what chance would explain.
 * Why 99.8% for the firm wording: a dashboard makes many comparisons (every school, group and
 * measure), and at 95% one in twenty schools would be called different by chance alone.
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
  | 'lower-strong';

export interface Verdict {
  kind: VerdictKind;
  /** Two-sided exact p-value; null when no test was run. */
  p: number | null;
  /** Events expected at the school if it had the similar schools' rate. */
  expected: number | null;
  /** Rates per 100 pupils. */
  schoolRate: number | null;
  similarRate: number | null;
}

/** Below this many expected events a test cannot tell a real difference from chance. */
export const MIN_EXPECTED = 5;
/** Two-sided p below which a difference is outside the 99.8% range. */
export const P_STRONG = 0.002;
/** Two-sided p below which a difference is outside the 95% range. */
export const P_WEAK = 0.05;

/** Two-sided exact p-value comparing a school with its similar schools (see the module comment). */
export function exactComparisonP(kind: CountKind, school: Counts, similar: Counts): number {
  const { count: o, pupils: n } = school;
  const { count: s, pupils: big } = similar;
  let lower: number;
  let upper: number;
  if (kind === 'events') {
    const total = o + s;
    if (total === 0) return 1;
    const share = n / (n + big);
    lower = binomialCdf(o, total, share);
    upper = 1 - binomialCdf(o - 1, total, share);
  } else {
    ({ lower, upper } = hypergeometricTails(o, n + big, o + s, n));
  }
  return Math.min(1, 2 * Math.min(lower, upper));
}

function valid(c: Counts | null): c is Counts {
  return c !== null && Number.isFinite(c.count) && Number.isFinite(c.pupils) && c.pupils > 0 && c.count >= 0;
}

export function compareWithSimilar(kind: CountKind, school: Counts | null, similar: Counts | null): Verdict {
  const schoolRate = valid(school) ? (school.count / school.pupils) * 100 : null;
  const similarRate = valid(similar) ? (similar.count / similar.pupils) * 100 : null;
  if (!valid(school)) return { kind: 'not-published', p: null, expected: null, schoolRate, similarRate };
  if (!valid(similar)) return { kind: 'no-comparison', p: null, expected: null, schoolRate, similarRate };
  if (kind === 'proportion' && (school.count > school.pupils || similar.count > similar.pupils)) {
    throw new RangeError('compareWithSimilar: more pupils with an event than pupils');
  }
  const expected = (school.pupils * similar.count) / similar.pupils;
  const p = exactComparisonP(kind, school, similar);
  const higher = school.count > expected;
  let verdict: VerdictKind;
  if (p < P_STRONG) verdict = higher ? 'higher-strong' : 'lower-strong';
  else if (expected < MIN_EXPECTED) verdict = 'too-small';
  else if (p < P_WEAK) verdict = higher ? 'higher' : 'lower';
  else verdict = 'no-difference';
  return { kind: verdict, p, expected, schoolRate, similarRate };
}
