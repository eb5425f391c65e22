/**
 * The similar-schools verdict in plain English. The test behind it is in src/lib/stats/verdict.ts;
 * this module only words its result, so that what the page claims can never be stronger than
 * what the test found: "by more than chance would explain" appears only for a difference outside
 * the 99.8% range, and small numbers are said to be too small to tell, not "no difference". When
 * similar schools lack figures, it says why as it is (withheld, not available, no pupils in the
 * group): only withholding makes the published few an unfair sample.
 */
import type { MeasureKey } from '$lib/data/measures';
import type { SchoolGroup } from '$lib/data/school-queries';
import type { SuppressionCode } from '$lib/data/schema';
import type { Verdict, VerdictKind } from '$lib/stats/verdict';
import { formatRate } from './trend';
import { count } from './plain-words';

export const GROUP_PHRASE: Record<SchoolGroup, string> = {
  SEND: 'pupils with SEND',
  'EHC plan': 'pupils with an EHC plan',
  'SEN support': 'pupils on SEN support',
  'No SEN': 'pupils with no SEN',
  'All pupils': 'all pupils'
};

/** What the measure counts, as a noun phrase ("suspensions", "pupils suspended at least once"). */
export const COUNT_NOUN: Record<MeasureKey, string> = {
  suspension_rate: 'suspensions',
  one_plus_suspension_rate: 'pupils suspended at least once',
  permanent_exclusion_rate: 'permanent exclusions'
};

export const VERDICT_HEADLINE: Record<VerdictKind, string> = {
  'higher-strong': 'Higher than similar schools by more than chance would explain',
  higher: 'Somewhat higher than similar schools, but not beyond doubt',
  'no-difference': 'Within what chance would explain: no clear difference from similar schools',
  lower: 'Somewhat lower than similar schools, but not beyond doubt',
  'lower-strong': 'Lower than similar schools by more than chance would explain',
  'too-small': 'The numbers are too small to tell',
  'depends-on-withheld': 'Cannot tell: it depends on figures withheld at similar schools',
  'not-published': 'Not published for this school',
  'no-comparison': 'Too few similar schools publish figures to compare with'
};

/**
 * The no-comparison headline when the similar schools' figures are missing for a reason other than
 * withholding: "publish" would suggest figures held back that do not exist.
 */
const NO_COMPARISON_HEADLINE: Record<'x' | 'z', string> = {
  x: 'Too few similar schools have figures available to compare with',
  z: 'Too few similar schools have pupils in this group to compare with'
};

/** "less than 1 time in 1,000", "about 1 time in 40", "about 1 time in 2". */
export function chanceWords(p: number): string {
  if (p < 0.001) return 'less than 1 time in 1,000';
  // "About 1 time in 1" reads oddly for what chance gives two times in three or more.
  if (1 / p < 1.5) return 'most of the time';
  const n = 1 / p;
  const step = n >= 100 ? 10 ** (Math.floor(Math.log10(n)) - 1) : 1;
  return `about 1 time in ${count(Math.max(1, Math.round(n / step) * step))}`;
}

export interface VerdictContext {
  school: string;
  group: SchoolGroup;
  measure: MeasureKey;
  /** The years pooled, e.g. "2021/22 to 2023/24". */
  period: string;
  /** Similar schools asked for, and how many of them had published figures. */
  k: number;
  included: number;
  /** What is withheld, from the release's disclosure rule (disclosure-words.ts); "counts of 1 to 4" when not given. */
  smallCounts?: string;
  /** The school's own count, for the sentence about what was expected. */
  observed: number | null;
  /**
   * Why the similar schools left out of the pool have no figures (school-view.ts poolFlag): `c`
   * withheld, `x` not available, `z` no pupils in the group. Withheld when not given.
   */
  othersFlag?: SuppressionCode | null;
}

/** A number of independent events, which is below 5 here: "2.4", or "less than one". */
function formatWorth(n: number): string {
  return n < 1 ? 'less than one' : n.toFixed(1);
}

/** The verdict's headline and a paragraph saying what was compared, what was found and what it means. */
export function verdictWords(v: Verdict, c: VerdictContext): { headline: string; detail: string } {
  const who = GROUP_PHRASE[c.group];
  const noun = COUNT_NOUN[c.measure];
  // Only `x` and `z` say the figures do not exist; anything else (`c`, `low`, none) is withheld.
  const why = c.othersFlag === 'x' || c.othersFlag === 'z' ? c.othersFlag : 'c';
  // Who the group's pupils are, after "no" or "any" ("pupils with an EHC plan"; "all pupils" would not read).
  const members = c.group === 'All pupils' ? 'pupils' : who;
  const headline = v.kind === 'no-comparison' && why !== 'c' ? NO_COMPARISON_HEADLINE[why] : VERDICT_HEADLINE[v.kind];
  const withheldCount = c.k - c.included;
  const rates =
    v.schoolRate !== null && v.similarRate !== null
      ? `Over ${c.period}, ${who} at ${c.school} had a rate of ${formatRate(v.schoolRate)} per 100 pupils, against ${formatRate(v.similarRate)} at ${
          v.bound
            ? `its ${c.k} similar schools taken together, counting the withheld ${withheldCount === 1 ? 'figure' : 'figures'} as ${
                v.bound === 'low' ? 'none' : 'the most a withheld count could be'
              }: of the two ways to count them, the one that gives the weaker answer.`
            : `${c.included === c.k ? `its ${c.k} similar schools` : `the ${c.included} of its ${c.k} similar schools with published figures`} taken together.`
        }`
      : '';
  const expected =
    v.expected !== null && c.observed !== null
      ? ` At the similar schools’ rate it would have had about ${v.expected < 10 ? v.expected.toFixed(1) : count(Math.round(v.expected))} ${noun}; it had ${count(c.observed)}.`
      : '';
  const chance = v.p !== null ? ` Chance alone would give a difference at least this large ${chanceWords(v.p)}.` : '';
  let meaning = '';
  switch (v.kind) {
    case 'higher-strong':
    case 'lower-strong':
      meaning =
        ' That is outside the 99.8% range, so the difference is very unlikely to be chance. It is a signal to look into, not a verdict on the school: the comparison cannot see everything that differs between schools.';
      break;
    case 'higher':
    case 'lower':
      meaning =
        ' That is outside the 95% range but inside the 99.8% range: worth watching over the coming years, but a dashboard that compares every school will show some differences this large by chance.';
      break;
    case 'no-difference':
      meaning = ' The difference is within what chance would explain.';
      break;
    case 'depends-on-withheld':
      meaning = ` ${withheldCount} of its ${c.k} similar schools have their figures withheld to protect pupils. Counted as none, or as the most they could be, they give different answers, so whether ${c.school} differs from schools like it cannot be told from the published figures.`;
      break;
    case 'too-small':
      meaning =
        v.dispersion !== undefined && v.expected !== null && v.expected >= 5
          ? ` Pupils suspended once are often suspended again, so the ${v.expected < 10 ? v.expected.toFixed(1) : count(Math.round(v.expected))} ${noun} expected tell about as much as ${formatWorth(v.expected / v.dispersion)} independent ones would. With fewer than 5, the figures cannot tell a real difference from chance, whichever way they point.`
          : ` With fewer than 5 ${noun} expected, the figures cannot tell a real difference from chance, whichever way they point.`;
      break;
    case 'not-published':
      meaning = ` ${c.school}’s figures for ${who} over ${c.period} are not published, usually because the numbers are small enough to identify pupils, so no comparison can be made.`;
      break;
    case 'no-comparison':
      // The few published are an unfair sample only when the rest are withheld (small counts held
      // back, zeros published); figures not available, or no pupils in the group, are said as such.
      meaning =
        why === 'c'
          ? c.included === 0
            ? ` None of its similar schools has published figures for ${who} over ${c.period}, so there is nothing to compare with.`
            : ` Only ${c.included} of its ${c.k} similar schools ${c.included === 1 ? 'has' : 'have'} published figures for ${who} over ${c.period}. That is too few to stand for schools like it: the figures withheld are mostly ${c.smallCounts ?? 'counts of 1 to 4'}, while zeros are published, so the few published ones are not a fair sample.`
          : c.included === 0
            ? why === 'x'
              ? ` None of its similar schools has figures for ${who} over ${c.period}: they are not available, so there is nothing to compare with.`
              : ` None of its similar schools had any ${members} over ${c.period}, so there is nothing to compare with.`
            : ` Only ${c.included} of its ${c.k} similar schools ${c.included === 1 ? 'has' : 'have'} figures for ${who} over ${c.period}; ${
                why === 'x' ? 'the others’ figures are not available' : `the others had no ${members}`
              }. That is too few to stand for schools like it, so no comparison is made.`;
      break;
  }
  const others = c.k - c.included;
  const hidden =
    c.included > 0 && c.included < c.k && v.similarRate !== null && !v.bound && v.kind !== 'depends-on-withheld'
      ? why === 'z'
        ? ` The other ${others} similar ${others === 1 ? 'school' : 'schools'} had no ${members}, so the similar schools’ rate is for those with figures.`
        : ` The other ${others} similar ${others === 1 ? 'school’s figures are' : 'schools’ figures are'} ${
            why === 'x' ? 'not available' : 'withheld (small numbers)'
          }, so the similar schools’ rate is for those published.`
      : '';
  meaning = meaning + hidden;
  return { headline, detail: `${rates}${expected}${chance}${meaning}`.trim() };
}
