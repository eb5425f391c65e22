/**
 * The councillors' view's sentences: comparisons of two rates, and changes over time, worded only
 * as far as their 95% intervals go. Pure, so the prerendered sentence and the hydrated one match,
 * and so the rules can be tested with fixtures where a difference must be claimed and where it
 * must not.
 *
 * The rules (also in the README's councillors' view section):
 * - Two rates of the LA (two pupil groups, two years, two needs, two terms): the ratio's 95%
 *   interval (`rateRatio`; Katz for pupils, exact conditional Poisson for events). "Higher" or
 *   "lower" only when the whole interval is above or below 1 (`compareRates`); otherwise "not
 *   clearly different".
 * - The LA against a comparator (England, the region, the pooled neighbours): the comparator is a
 *   whole population, taken as fixed; the LA is "higher" only when the LA's own 95% interval lies
 *   wholly above the comparator's rate, "lower" only when wholly below.
 * - Two ratios (the risk ratio now and in an earlier year): "higher"/"lower" only when their 95%
 *   intervals do not overlap, a conservative rule that never claims more than either interval
 *   supports.
 */
import type { Measure } from '$lib/data/measures';
import type { PupilGroup } from '$lib/data/schema';
import { compareRates, rateRatio, type Ratio, type RateCounts, type RateKind } from '$lib/stats/ratio';
import { dispersionFor } from '$lib/stats/dispersion';
import { rateInterval } from '$lib/stats/intervals';
import { flagShort } from '$lib/data/flags';
import { formatRate } from './trend';

export const GROUP_PHRASE: Record<PupilGroup | 'SEND', string> = {
  'EHC plan': 'pupils with an EHC plan',
  'SEN support': 'pupils on SEN support',
  'No SEN': 'pupils with no SEN',
  'All pupils': 'all pupils',
  SEND: 'pupils with SEND (an EHC plan or SEN support)'
};

export interface Counted extends RateCounts {
  /** Why a count is missing (suppression code), when one is. */
  flag?: string | null;
  /**
   * For suspensions, the pupils suspended in the same figures: how much the suspensions cluster
   * within pupils widens their intervals (stats/dispersion.ts). Absent or NULL: England's figure.
   */
  withEvent?: number | null;
}

/** The dispersion of the figures' counts pooled (stats/dispersion.ts), 1 for counts of pupils. */
export function phiOf(kind: RateKind, ...figures: Counted[]): number {
  return dispersionFor(kind, figures.map((f) => ({ events: f.numerator, withEvent: f.withEvent ?? null })));
}

/** A ratio as people read it: 4.9, 1.25, 0.62. */
export function formatRatio(v: number): string {
  return v >= 10 ? v.toFixed(0) : v >= 2 ? v.toFixed(1) : v.toFixed(2);
}

export function listJoin(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** "42.4 per 100 pupils" or "suppressed". */
export function rateText(c: Counted): string {
  const r = rateInterval(c.numerator, c.denominator, 'events').rate;
  return r === null ? flagShort(c.flag) : `${formatRate(r)} per 100 pupils`;
}

/**
 * An interval's limit: as `formatRatio`, with more decimals when that would round a limit that is
 * not 1 to 1 (1.004 is "1.004", not "1.00"), so that an interval beside "higher" never reads as
 * holding 1.
 */
export function formatLimit(v: number): string {
  let text = formatRatio(v);
  for (let digits = 3; Number(text) === 1 && v !== 1 && digits <= 6; digits++) text = v.toFixed(digits);
  return text;
}

export function intervalText(r: Pick<Ratio, 'lower' | 'upper'>): string {
  if (r.lower === null && r.upper === null) return 'no interval';
  return `95% interval ${r.lower === null ? '0' : formatLimit(r.lower)} to ${r.upper === null ? 'no upper limit' : formatLimit(r.upper)}`;
}

/**
 * "pupils with an EHC plan were suspended at 4.9 times the rate of pupils with no SEN (95% interval
 * 4.6 to 5.2)", or, when the interval includes 1, that the two were not clearly different.
 */
export function contrast(aLabel: string, a: Counted, bLabel: string, b: Counted, kind: RateKind, verb: string): string {
  const r = rateRatio(a, b, kind, phiOf(kind, a, b));
  const c = compareRates(r);
  const published = (x: Counted) => x.numerator !== null && x.denominator !== null && x.denominator > 0;
  if (published(a) && published(b) && b.numerator === 0) {
    // Both figures are there: the group compared with had none, which is a finding, not a gap.
    return a.numerator === 0
      ? `neither ${aLabel} nor ${bLabel} were ${verb}`
      : `${aLabel} were ${verb} (${rateText(a)}) and ${bLabel} were not, so there is no ratio to give`;
  }
  if (c === 'not available' || r.ratio === null) {
    return `${aLabel} and ${bLabel} cannot be compared, because a figure is ${flagShort(a.numerator === null || a.denominator === null ? a.flag : b.flag)}`;
  }
  if (c === 'higher' || c === 'lower') {
    return `${aLabel} were ${verb} at ${formatRatio(r.ratio)} times the rate of ${bLabel} (${intervalText(r)})`;
  }
  return `the rates for ${aLabel} (${rateText(a)}) and ${bLabel} (${rateText(b)}) were not clearly different: the 95% interval of their ratio (${formatLimit(r.lower ?? 0)} to ${r.upper === null ? 'no upper limit' : formatLimit(r.upper)}) includes 1, so the gap could be chance`;
}

/**
 * How often one group had events against another, as a phrase after "were suspended": "about 6
 * times as often", "less often (0.62 times as often)", or, when the ratio's 95% interval includes
 * 1, that the two were not clearly different, as the councillors' view says of the same figures
 * (an outside review found "about 1.3 times as often" on the transparency page where the council
 * page said "not clearly different"). Null when a figure is missing or the second group had none.
 */
export function asOften(a: Counted, b: Counted, kind: RateKind): string | null {
  const r = rateRatio(a, b, kind, phiOf(kind, a, b));
  if (r.ratio === null) return null;
  const c = compareRates(r);
  const times = r.ratio >= 3 ? String(Math.round(r.ratio)) : r.ratio.toFixed(1).replace(/\.0$/, '');
  if (c === 'higher') return `about ${times} times as often`;
  if (c === 'lower') return `less often (${formatRatio(r.ratio)} times as often)`;
  if (c === 'not available') return null;
  return `at a rate not clearly different (${formatRatio(r.ratio)} times as often, a gap chance could explain)`;
}

export type Change = 'up' | 'down' | 'no clear change' | 'not available';

/** Did a rate change between two years, beyond what chance would explain? */
export function changeOf(now: Counted, before: Counted, kind: RateKind): Change {
  const c = compareRates(rateRatio(now, before, kind, phiOf(kind, now, before)));
  return c === 'higher' ? 'up' : c === 'lower' ? 'down' : c === 'no clear difference' ? 'no clear change' : 'not available';
}

export const CHANGE_WORDS: Record<Change, string> = {
  up: 'up, beyond chance',
  down: 'down, beyond chance',
  'no clear change': 'no clear change',
  'not available': 'cannot be compared'
};

/** The LA's rate against a comparator's (a whole population, taken as fixed). */
export function againstComparator(la: Counted, comparatorRate: number | null, kind: RateKind): 'higher' | 'lower' | 'no clear difference' | 'not available' {
  const ci = rateInterval(la.numerator, la.denominator, kind, phiOf(kind, la));
  if (ci.rate === null || comparatorRate === null || ci.lower === null || ci.upper === null) return 'not available';
  if (ci.lower > comparatorRate) return 'higher';
  if (ci.upper < comparatorRate) return 'lower';
  return 'no clear difference';
}

/** Two ratios compared by their intervals: different only when the intervals do not overlap. */
export function ratioChange(now: Ratio, before: Ratio): Change {
  if (now.ratio === null || before.ratio === null || now.lower === null || before.lower === null) return 'not available';
  if (before.upper !== null && now.lower > before.upper) return 'up';
  if (now.upper !== null && now.upper < before.lower) return 'down';
  return 'no clear change';
}

/** The sentence's verb for a measure: "suspended", "permanently excluded" ... */
export function verbOf(m: Measure): string {
  return m.verb;
}
