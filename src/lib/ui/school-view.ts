/**
 * A school's page as figures and words: its pooled rates against its similar schools, the LA and
 * England for each pupil group (with 95% intervals), the verdict for each group, its trend, its
 * place in the funnel of its phase, its reasons and the list of similar schools.
 *
 * Pure (data in, view out) so the prerendered page and the browser-filled shell show the same
 * thing, and so the hard cases are unit-tested: a school with every figure suppressed; a trend
 * whose similar schools (or LA) have every year withheld, so there is no line for the words to
 * name; similar schools with no pooled rate, where the comparison, the one-year note and the
 * verdict say why (withheld, too few publish, not available, no pupils) as the trend does; an LA
 * or England figure missing, which says its own reason there too; and data without a SEN
 * split by school (DfE's published files), where the page falls back to all-pupil rates with the
 * SEN make-up of the school as context, and says so.
 */
import type { LineSeries } from '$lib/charts/LineChart.svelte';
import type { IntervalBlock, IntervalRow } from '$lib/charts/IntervalChart.svelte';
import { seriesColor } from '$lib/charts/palette';
import { flagShort, isNotAvailable } from '$lib/data/flags';
import { MEASURES, type MeasureKey, type NumeratorColumn } from '$lib/data/measures';
import { GROUP_PARTS, SCHOOL_GROUPS, type AreaCountRow, type CountRow, type FunnelRow, type FunnelTarget, type PhasePeriodRow, type SchoolGroup } from '$lib/data/school-queries';
import type { PupilGroup, SuppressionCode } from '$lib/data/schema';
import { dispersionFor, eventsPerPupil, type EventPair } from '$lib/stats/dispersion';
import { rateInterval } from '$lib/stats/intervals';
import { poolCounts, sumCells, type Cell } from '$lib/stats/pooled';
import { compareRates, rateRatio, type Comparison, type Ratio } from '$lib/stats/ratio';
import { compareWithSimilarRange, type Verdict } from '$lib/stats/verdict';
import { funnelView, type FunnelView } from './funnel-view';
import { disclosureWords, type DisclosureRule } from './disclosure-words';
import { count } from './plain-words';
import type { NeighbourInfo, SchoolData } from './school-data';
import { formatRate } from './trend';
import { COUNT_NOUN, GROUP_PHRASE, verdictWords } from './verdict-words';
import { formatRatio, intervalText, listJoin } from './council-words';

/** At least this share of the similar schools must have published figures for their pooled rate to be shown. */
export const MIN_POOLED_SHARE = 0.5;

export interface SchoolViewOptions {
  group: SchoolGroup;
  measure: MeasureKey;
  k: number;
  /** The release's disclosure rule (manifest), for what the text says is withheld; the pipeline's defaults when not given. */
  disclosure?: DisclosureRule | null;
  /**
   * One academic year the reader was looking at (`2022/23`: the schools list links here with the
   * year it shows), or '' for none. The page still compares pooled years; `yearNote` gives that
   * year's own figures beside them.
   */
  year?: string;
}

export interface GroupVerdict {
  group: SchoolGroup;
  verdict: Verdict;
  headline: string;
  detail: string;
  /** Similar schools whose figures went into the pool. */
  included: number;
}

export interface NeighbourRow extends NeighbourInfo {
  href: string;
  /** Pooled rate for the chosen group and measure, with its reason when missing. */
  rate: number | null;
  rateMissing: string | null;
  rateFlag: SuppressionCode | null;
}

export interface ReasonTableRow {
  code: string;
  reason: string;
  /** Suspensions by year (keyed by academic year); null when not published. */
  suspensions: Record<string, number | null>;
  suspensionFlags: Record<string, SuppressionCode | null>;
  /** Permanent exclusions over the years shown; null unless every year is published. */
  permanent: number | null;
  permanentFlag: SuppressionCode | null;
}

export interface RiskRatioView {
  group: SchoolGroup;
  ratio: Ratio;
  comparison: Comparison;
  /** One sentence: "... 4.2 times as often as pupils with no SEN (95% interval 2.9 to 6.1)". */
  sentence: string;
}

export interface SchoolView {
  /** The group the page shows: the chosen one, or All pupils when the data has no SEN split. */
  group: SchoolGroup;
  senSplit: boolean;
  /**
   * Without a SEN split: what the page compares instead and the SEN context it has, in words
   * (the census's % EHC plan and % SEN support, or why they are missing). Null with a split.
   */
  noSplitNote: string | null;
  /** Every count of the school is withheld or unavailable. */
  allSuppressed: boolean;
  periodLabel: string;
  k: number;
  neighbours: NeighbourRow[];
  blocks: IntervalBlock[];
  verdicts: GroupVerdict[];
  verdict: GroupVerdict;
  /** The chosen group's rate against No SEN at the school (SEN groups only), pooled years. */
  riskRatio: RiskRatioView | null;
  trend: LineSeries[];
  funnel: FunnelView;
  reasonYears: string[];
  reasons: ReasonTableRow[];
  /** LA and England labels as used on the page. */
  laLabel: string;
  englandLabel: string;
  comparisonSummary: string;
  /** The trend's one-line summary: the school's latest published year, and only the lines drawn. */
  trendSummary: string;
  /** The trend chart's description: the summary, then what the shading and dashes drawn stand for. */
  trendDescription: string;
  reasonsSummary: string;
  /** The chosen year's own figures and why the page pools years instead; null when no year is chosen. */
  yearNote: YearNote | null;
}

/** A few words in bold (which year), then the figures and why the comparison pools years. */
export interface YearNote {
  lead: string;
  text: string;
}

/**
 * Why a figure is missing, in a few words: the site's words for a suppression code (flags.ts), and
 * two cases of its own: a rate over no pupils, and a school with no row at all.
 */
export function missingWords(flag: SuppressionCode | 'none' | null | undefined): string {
  if (flag === 'z') return 'no pupils in this group';
  if (flag === 'none') return 'no figures';
  return flagShort(flag);
}

type Keyed = { pupil_group: PupilGroup; pupils: number | null; pupils_flag: SuppressionCode | null } & Record<
  NumeratorColumn | `${NumeratorColumn}_flag`,
  number | string | null
>;

/** A group's count and pupils from published group rows (SEND summed only when both parts are published). */
export function groupCells(rows: readonly Keyed[], group: SchoolGroup, numerator: NumeratorColumn): { count: Cell; pupils: Cell } {
  const parts = GROUP_PARTS[group].map((g) => rows.find((r) => r.pupil_group === g));
  const cells = (get: (r: Keyed) => Cell) => parts.map((r) => (r ? get(r) : { value: null, flag: 'x' as const }));
  return {
    count: sumCells(cells((r) => ({ value: r[numerator] as number | null, flag: r[`${numerator}_flag`] as SuppressionCode | null }))),
    pupils: sumCells(cells((r) => ({ value: r.pupils, flag: r.pupils_flag })))
  };
}

function cellFlag(c: { count: Cell; pupils: Cell }): SuppressionCode | null {
  if (c.count.value !== null && c.pupils.value !== null) return c.pupils.value > 0 ? null : 'z';
  if (c.count.flag === 'c' || c.pupils.flag === 'c' || c.count.flag === 'low') return 'c';
  return c.count.flag ?? c.pupils.flag ?? 'x';
}

function countsOrNull(c: { count: Cell; pupils: Cell }): { count: number; pupils: number } | null {
  return c.count.value !== null && c.pupils.value !== null && c.pupils.value > 0 ? { count: c.count.value, pupils: c.pupils.value } : null;
}

/** Sum area rows over the years of the period (each year complete, or nothing). */
function areaPeriodCells(rows: readonly AreaCountRow[], group: SchoolGroup, numerator: NumeratorColumn, years: readonly number[]) {
  const perYear = years.map((y) => groupCells(rows.filter((r) => r.year_start === y), group, numerator));
  return { count: sumCells(perYear.map((c) => c.count)), pupils: sumCells(perYear.map((c) => c.pupils)) };
}

/** The rows of one area (LA or England), for the school's phase when the area has it, else all phases. */
function areaRows(areas: readonly AreaCountRow[], type: 'LA' | 'England', phase: string): { rows: AreaCountRow[]; phase: string } {
  const own = areas.filter((a) => a.area_type === type && a.phase === phase);
  if (own.length > 0) return { rows: own, phase };
  return { rows: areas.filter((a) => a.area_type === type && a.phase === 'All'), phase: 'All' };
}

const phaseWords = (phase: string) => (phase === 'All' ? 'all schools' : `${phase.toLowerCase()} schools`);

/** Does the data split this school's figures by SEN provision? Not when every SEN group row is "not available". */
export function hasSenSplit(rows: readonly CountRow[]): boolean {
  const sen = rows.filter((r) => r.pupil_group !== 'All pupils');
  if (sen.length === 0) return false;
  return sen.some((r) => r.suspensions !== null || r.suspensions_flag !== 'x' || r.permanent_exclusions !== null || r.permanent_exclusions_flag !== 'x');
}

export function schoolView(data: SchoolData, opts: SchoolViewOptions, href: (urn: string) => string): SchoolView {
  const { profile } = data;
  const urn = profile.urn;
  const measure = MEASURES[opts.measure];
  const numerator = measure.numerator;
  const kind = measure.kind;
  const own = (rows: readonly CountRow[]) => rows.filter((r) => r.urn === urn);
  const withheld = disclosureWords(opts.disclosure);
  const senSplit = hasSenSplit(own(data.periods).length > 0 ? own(data.periods) : own(data.years));
  const group: SchoolGroup = senSplit ? opts.group : 'All pupils';
  const groups: SchoolGroup[] = senSplit ? [...SCHOOL_GROUPS] : ['All pupils'];
  const k = Math.max(1, Math.min(opts.k, data.neighbours.length || opts.k));
  const neighbours = data.neighbours.slice(0, k);
  const periodLabel = data.period?.label ?? 'the latest years';
  const periodYears = data.period
    ? Array.from({ length: data.period.last_year_start - data.period.first_year_start + 1 }, (_, i) => data.period!.first_year_start + i)
    : [];

  const allSuppressed = [...own(data.years), ...own(data.periods)].every(
    (r) => r.suspensions === null && r.pupils_suspended === null && r.permanent_exclusions === null
  );

  const la = areaRows(data.areas, 'LA', profile.phase);
  const england = areaRows(data.areas, 'England', profile.phase);
  const laName = data.areas.find((a) => a.area_type === 'LA')?.area_name ?? profile.la_name;
  const laLabel = `${laName}, ${phaseWords(la.phase)}`;
  const englandLabel = `England, ${phaseWords(england.phase)}`;

  const periodCells = (u: string, g: SchoolGroup, num: NumeratorColumn = numerator) =>
    groupCells(data.periods.filter((r) => r.urn === u), g, num);
  /**
   * The similar schools pooled, or NULL when fewer than half of them have published figures: small
   * schools' published counts are mostly zeros or 5 and more (1 to 4 is what gets withheld), so a
   * pool of the few published ones is not a fair picture of schools like this one.
   */
  /**
   * Suspensions and pupils suspended of some figures, for how much the suspensions cluster within
   * pupils (stats/dispersion.ts): `cells` gives a figure's count for a numerator column.
   */
  const pairOf = (cells: (num: NumeratorColumn) => { count: Cell }): EventPair => ({
    events: cells('suspensions').count.value,
    withEvent: cells('pupils_suspended').count.value
  });
  const periodPair = (u: string, g: SchoolGroup) => pairOf((num) => periodCells(u, g, num));
  /**
   * The dispersion for the school's figures of a group: its own suspensions and pupils suspended
   * pooled with its similar schools'. One school's few suspended pupils say little about how much
   * suspensions cluster (a low count tends to have few repeats, so its own figure would give it too
   * narrow an interval: an outside review found 9.6% of intervals missing at 3 pupils suspended),
   * and the verdict, which assumes the school and its similar schools share one process, uses the
   * same figure, so the chart and the verdict agree.
   */
  const schoolPhi = (g: SchoolGroup, pairFor: (u: string, g: SchoolGroup) => EventPair = periodPair) =>
    dispersionFor(kind, [urn, ...neighbours.map((n) => n.urn)].map((u) => pairFor(u, g)));
  const fairPool = (units: { count: number | null; pupils: number | null }[]) => {
    const pool = poolCounts(units);
    return pool && pool.included >= Math.ceil(units.length * MIN_POOLED_SHARE) ? pool : null;
  };
  const poolOf = (g: SchoolGroup) => neighbours.map((n) => countsOrNull(periodCells(n.urn, g)) ?? { count: null, pupils: null });
  const similarPool = (g: SchoolGroup) => fairPool(poolOf(g));
  const publishedNeighbours = (g: SchoolGroup) => poolOf(g).filter((u) => u.count !== null).length;
  /**
   * The pool with the similar schools whose count is withheld (their pupils published) added at the
   * least and the most their counts could be. A withheld part of the group (the EHC plan part of
   * SEND, say) is at least 0; at most what the school's all-pupil count leaves once its published
   * parts are taken away, when that count is published (counts are never negative), else the
   * largest withheld small count (for suspensions, times the suspensions per pupil suspended at the
   * published similar schools, or in the LA or England). Undefined when none is withheld that way,
   * or when suspensions per pupil suspended are known nowhere.
   */
  const withheldRange = (g: SchoolGroup, pool: { count: number; pupils: number }) => {
    const ALL_PARTS = ['EHC plan', 'SEN support', 'No SEN'] as const;
    /** Each similar school withheld that way: its pupils, its published parts, how many parts are withheld, and their bound from its all-pupil count (null when that is withheld too). */
    const found: { pupils: number; known: number; unknown: number; room: number | null }[] = [];
    for (const n of neighbours) {
      const whole = periodCells(n.urn, g);
      if (whole.count.value !== null || whole.pupils.value === null || !(whole.pupils.value > 0)) continue;
      const parts = GROUP_PARTS[g].map((p) => periodCells(n.urn, p).count);
      // Not available is not withheld: such a school stays out, as before.
      if (parts.some((c) => c.value === null && isNotAvailable(c.flag))) continue;
      const known = parts.reduce((t, c) => t + (c.value ?? 0), 0);
      const all = periodCells(n.urn, 'All pupils').count.value;
      const othersKnown = ALL_PARTS.filter((p) => !GROUP_PARTS[g].includes(p)).reduce((t, p) => t + (periodCells(n.urn, p).count.value ?? 0), 0);
      found.push({
        pupils: whole.pupils.value,
        known,
        unknown: parts.filter((c) => c.value === null).length,
        room: g !== 'All pupils' && all !== null ? Math.max(0, all - othersKnown - known) : null
      });
    }
    if (found.length === 0) return undefined;
    let perPupil = 1;
    if (kind === 'events') {
      const ratio =
        eventsPerPupil(neighbours.map((n) => periodPair(n.urn, g))) ??
        eventsPerPupil([pairOf((num) => areaPeriodCells(la.rows, g, num, periodYears))]) ??
        eventsPerPupil([pairOf((num) => areaPeriodCells(england.rows, g, num, periodYears))]);
      if (ratio === null) return undefined;
      perPupil = Math.max(1, ratio);
    }
    const smallMost = Math.ceil((withheld.minCount - 1) * perPupil);
    const sum = (f: (w: (typeof found)[number]) => number) => found.reduce((t, w) => t + f(w), 0);
    const pupils = pool.pupils + sum((w) => w.pupils);
    return {
      low: { count: pool.count + sum((w) => w.known), pupils },
      high: { count: pool.count + sum((w) => w.known + (w.room ?? w.unknown * smallMost)), pupils }
    };
  };

  // Comparison blocks and verdicts, one per group.
  const blocks: IntervalBlock[] = [];
  const verdicts: GroupVerdict[] = [];
  for (const g of groups) {
    const mine = periodCells(urn, g);
    const mineCounts = countsOrNull(mine);
    const pool = similarPool(g);
    const phi = schoolPhi(g);
    const ci = rateInterval(mine.count.value, mine.pupils.value, kind, phi);
    const poolCi = pool ? rateInterval(pool.count, pool.pupils, kind, phi) : { rate: null, lower: null, upper: null };
    // Why the similar schools left out of the pool have no figures, as the trend gives it: withheld
    // only when withholding is what leaves them out, so the table, the download and the verdict
    // never call figures withheld that are not. The row is flagged only when there is no pool.
    const othersFlag = poolFlag(neighbours.map((n) => periodCells(n.urn, g)));
    const similarFlag = pool ? null : othersFlag;
    // The LA's and England's flags are their own (a withheld count, no pupils in the group), not
    // always "not available", so the row, the summary and the one-year note say the true reason.
    const laPeriod = areaPeriodCells(la.rows, g, numerator, periodYears);
    const enPeriod = areaPeriodCells(england.rows, g, numerator, periodYears);
    const laCells = countsOrNull(laPeriod);
    const enCells = countsOrNull(enPeriod);
    const rows: IntervalRow[] = [
      {
        id: 'school',
        label: 'This school',
        value: ci.rate,
        lower: ci.lower,
        upper: ci.upper,
        color: seriesColor(0),
        marker: 'circle',
        emphasis: true,
        missing: missingWords(cellFlag(mine)),
        flag: ci.rate === null ? cellFlag(mine) : null,
        note: mine.pupils.value !== null ? `${count(mine.pupils.value)} pupil-years` : undefined
      },
      {
        id: 'similar',
        label: `${k} similar schools`,
        value: poolCi.rate,
        lower: poolCi.lower,
        upper: poolCi.upper,
        color: seriesColor(1),
        marker: 'square',
        missing: publishedNeighbours(g) > 0 ? 'too few published' : similarFlag === 'c' ? 'none published' : missingWords(similarFlag),
        flag: similarFlag,
        note: pool ? `${pool.included} of ${neighbours.length} with published figures, ${count(pool.pupils)} pupil-years` : undefined
      },
      {
        id: 'la',
        label: laLabel,
        value: laCells ? (laCells.count / laCells.pupils) * 100 : null,
        color: seriesColor(2),
        marker: 'triangle',
        missing: missingWords(cellFlag(laPeriod)),
        flag: cellFlag(laPeriod)
      },
      {
        id: 'england',
        label: englandLabel,
        value: enCells ? (enCells.count / enCells.pupils) * 100 : null,
        color: seriesColor(4),
        marker: 'diamond',
        missing: missingWords(cellFlag(enPeriod)),
        flag: cellFlag(enPeriod)
      }
    ];
    blocks.push({ id: g, label: g === 'SEND' ? 'SEND (EHC plan and SEN support)' : g, rows });
    const verdict = compareWithSimilarRange(
      kind,
      mineCounts,
      pool ? { count: pool.count, pupils: pool.pupils } : null,
      pool ? withheldRange(g, pool) : undefined,
      phi
    );
    const words = verdictWords(verdict, {
      school: profile.name,
      group: g,
      measure: opts.measure,
      period: periodLabel,
      k: neighbours.length,
      included: pool?.included ?? publishedNeighbours(g),
      observed: mineCounts?.count ?? null,
      smallCounts: withheld.smallCounts,
      othersFlag
    });
    verdicts.push({ group: g, verdict, ...words, included: pool?.included ?? publishedNeighbours(g) });
  }
  const verdict = verdicts.find((v) => v.group === group) ?? verdicts[0]!;

  // The chosen SEN group against pupils with no SEN at the same school (ratio.ts: exact conditional
  // interval for events, Katz's for pupils), over the pooled years.
  let riskRatio: RiskRatioView | null = null;
  if (senSplit && (group === 'SEND' || group === 'EHC plan' || group === 'SEN support')) {
    const a = periodCells(urn, group);
    const b = periodCells(urn, 'No SEN');
    const ratio = rateRatio(
      { numerator: a.count.value, denominator: a.pupils.value },
      { numerator: b.count.value, denominator: b.pupils.value },
      kind,
      dispersionFor(kind, [group, 'No SEN' as const].flatMap((g) => [urn, ...neighbours.map((n) => n.urn)].map((u) => periodPair(u, g))))
    );
    const comparison = compareRates(ratio);
    const ci = ratio.lower !== null || ratio.upper !== null ? ` (${intervalText(ratio)})` : '';
    const noneInB = countsOrNull(a) !== null && countsOrNull(b)?.count === 0;
    const sentence = noneInB
      ? a.count.value === 0
        ? `Over ${periodLabel}, neither ${GROUP_PHRASE[group]} nor pupils with no SEN at ${profile.name} had any ${COUNT_NOUN[opts.measure]}, so there is no ratio to give.`
        : `Over ${periodLabel}, pupils with no SEN at ${profile.name} had no ${COUNT_NOUN[opts.measure]}, so there is no ratio to give.`
      : ratio.ratio === null
        ? `The rate for ${GROUP_PHRASE[group]} against pupils with no SEN cannot be worked out: a figure is not published.`
        : `Over ${periodLabel}, ${GROUP_PHRASE[group]} at ${profile.name} had ${formatRatio(ratio.ratio)} times the rate of pupils with no SEN${ci}: ${
            comparison === 'higher' ? 'higher' : comparison === 'lower' ? 'lower' : 'no clear difference'
          }, judged by the interval.`;
    riskRatio = { group, ratio, comparison, sentence };
  }

  // Trend for the chosen group: the school with its 95% band, its similar schools pooled year by
  // year, and the LA and England.
  const years = [...new Map(data.years.map((r) => [r.year_start, r.academic_year])).entries()].sort((a, b) => a[0] - b[0]);
  const yearCells = (u: string, y: number, num: NumeratorColumn = numerator) => groupCells(data.years.filter((r) => r.urn === u && r.year_start === y), group, num);
  // Each year's similar schools: their own figures (why a year has no pooled rate) and the pool.
  const similarYears = years.map(([y, label]) => {
    const cells = neighbours.map((n) => yearCells(n.urn, y));
    const units = cells.map((c) => countsOrNull(c) ?? { count: null, pupils: null });
    return { y, label, cells, published: units.filter((u) => u.count !== null).length, pool: fairPool(units) };
  });
  const trend: LineSeries[] = [
    {
      id: 'school',
      label: 'This school',
      color: seriesColor(0),
      marker: 'circle',
      points: years.map(([y, label]) => {
        const c = yearCells(urn, y);
        const ci = rateInterval(c.count.value, c.pupils.value, kind, schoolPhi(group, (u) => pairOf((num) => yearCells(u, y, num))));
        return { x: y, xLabel: label, y: ci.rate, lower: ci.lower, upper: ci.upper, flag: ci.rate === null ? cellFlag(c) : null };
      })
    },
    {
      id: 'similar',
      label: 'Similar schools',
      color: seriesColor(1),
      marker: 'square',
      points: similarYears.map(({ y, label, cells, pool }) => ({
        x: y,
        xLabel: label,
        y: pool ? (pool.count / pool.pupils) * 100 : null,
        flag: pool ? null : poolFlag(cells)
      }))
    },
    ...(
      [
        ['la', la.rows, 2, 'triangle'],
        ['england', england.rows, 4, 'diamond']
      ] as const
    ).map(([id, rows, color, marker]) => ({
      id,
      label: id === 'la' ? laName : 'England',
      color: seriesColor(color),
      marker,
      dashed: true,
      points: years.map(([y, yl]) => {
        const cells = groupCells(rows.filter((r) => r.year_start === y), group, numerator);
        const c = countsOrNull(cells);
        return { x: y, xLabel: yl, y: c ? (c.count / c.pupils) * 100 : null, flag: c ? null : cellFlag(cells) };
      })
    }))
  ];

  // Place in the funnel of the phase (pooled years), around the LA's rate for the phase; empty
  // while the phase's rows are still loading (the shell).
  const byUrn = new Map<string, { name: string; rows: PhasePeriodRow[] }>();
  for (const r of data.phasePeriod ?? []) {
    const e = byUrn.get(r.urn) ?? { name: r.name, rows: [] };
    e.rows.push(r);
    byUrn.set(r.urn, e);
  }
  const funnelRows: FunnelRow[] = [...byUrn.entries()].map(([u, e]) => {
    const c = groupCells(e.rows, group, numerator);
    return { urn: u, name: e.name, phase: profile.phase, numerator: c.count.value, denominator: c.pupils.value, flag: cellFlag(c) };
  });
  const laTarget = countsOrNull(areaPeriodCells(la.rows, group, numerator, periodYears));
  const laWithEvent = kind === 'events' ? areaPeriodCells(la.rows, group, 'pupils_suspended', periodYears).count.value : null;
  const target: FunnelTarget = laTarget
    ? { numerator: laTarget.count, denominator: laTarget.pupils, withEvent: laWithEvent }
    : { numerator: null, denominator: null, withEvent: null };
  const funnel = funnelView(funnelRows, target, opts.measure, href);

  // Reasons for the chosen group, year by year over the period.
  const reasonRows = data.reasons ?? [];
  const reasonYears = [...new Set(reasonRows.map((r) => r.academic_year))];
  const codes = [...new Map(reasonRows.map((r) => [r.reason_code, r.reason])).entries()];
  const reasons: ReasonTableRow[] = codes
    .map(([code, reason]) => {
      const suspensions: Record<string, number | null> = {};
      const suspensionFlags: Record<string, SuppressionCode | null> = {};
      const perm: Cell[] = [];
      for (const y of reasonYears) {
        const parts = GROUP_PARTS[group].map((g) => reasonRows.find((r) => r.reason_code === code && r.academic_year === y && r.pupil_group === g));
        const s = sumCells(parts.map((p) => (p ? { value: p.suspensions, flag: p.suspensions_flag } : { value: null, flag: 'x' })));
        suspensions[y] = s.value;
        suspensionFlags[y] = s.flag;
        perm.push(sumCells(parts.map((p) => (p ? { value: p.permanent_exclusions, flag: p.permanent_exclusions_flag } : { value: null, flag: 'x' }))));
      }
      const permanent = sumCells(perm);
      return { code, reason, suspensions, suspensionFlags, permanent: permanent.value, permanentFlag: permanent.flag };
    })
    // Reasons never recorded in these years (published zeros throughout) are left out of the table.
    .filter((r) => !(Object.values(r.suspensions).every((v) => v === 0) && r.permanent === 0))
    .sort((a, b) => total(b) - total(a) || a.reason.localeCompare(b.reason));

  const neighbourRows: NeighbourRow[] = neighbours.map((n) => {
    const c = periodCells(n.urn, group);
    const r = countsOrNull(c);
    return { ...n, href: href(n.urn), rate: r ? (r.count / r.pupils) * 100 : null, rateMissing: r ? null : missingWords(cellFlag(c)), rateFlag: r ? null : cellFlag(c) };
  });

  const [schoolRow, similarRow, laRow, englandRow] = blocks.find((b) => b.id === group)?.rows ?? [];
  const comparisonSummary = allSuppressed
    ? `Every figure for ${profile.name} is withheld to protect pupils (small numbers), so it cannot be compared; the figures for its similar schools, ${laName} and England are shown for context.`
    : `${measure.label}, ${periodLabel} together, for ${GROUP_PHRASE[group]}: ${profile.name} ${
        schoolRow?.value == null ? `(${schoolRow?.missing ?? 'not published'})` : formatRate(schoolRow.value)
      }; ${similarWords(similarRow?.value, similarRow?.flag, publishedNeighbours(group))}; ${laLabel} ${fmt(laRow?.value, laRow?.flag)}; ${englandLabel} ${fmt(
        englandRow?.value,
        englandRow?.flag
      )}.`;
  const { trendSummary, trendDescription } = trendWords(trend, {
    measure: measure.label,
    group,
    school: profile.name,
    laName,
    laLabel,
    englandLabel,
    similarEverPublished: similarYears.some((s) => s.published > 0)
  });
  const yearNote = opts.year
    ? oneYearNote(opts.year, trend, {
        measure: measure.label,
        group,
        school: profile.name,
        laLabel,
        periodLabel,
        similarPublished: similarYears.find((s) => s.label === opts.year)?.published ?? 0
      })
    : null;
  const top = reasons.find((r) => total(r) > 0);
  // "Most often" only as far as the published figures can say it: another reason with a withheld
  // count (1 to 4 each, or more) could have overtaken it, and a tie has no single reason.
  const tied = top ? reasons.filter((r) => r !== top && total(r) === total(top)) : [];
  const othersWithheld = top ? reasons.some((r) => r !== top && withheldYears(r) > 0) : false;
  const topWords = !top
    ? ''
    : tied.length > 0
      ? `the reasons recorded most often for suspensions of ${GROUP_PHRASE[group]} at ${profile.name} over the years shown, as often as each other, are ${[top, ...tied].map((r) => `“${r.reason}”`).join(' and ')}`
      : `the reason recorded most often for suspensions of ${GROUP_PHRASE[group]} at ${profile.name} over the years shown is “${top.reason}”`;
  const topSentence = !top
    ? ''
    : othersWithheld
      ? `Among the published figures, ${topWords}; some other reasons’ figures are withheld, and could change that order.`
      : `${topWords.charAt(0).toUpperCase()}${topWords.slice(1)}.`;
  const reasonsSummary =
    data.reasons === null
      ? `The reasons for ${profile.name} are not loaded yet.`
      : reasons.length === 0 && !senSplit
      ? `No reasons are published for ${profile.name}: the Department for Education\u2019s school-level files, which this data comes from, give none.`
      : reasons.length === 0
      ? `No reasons are recorded for ${GROUP_PHRASE[group]} at ${profile.name} in ${reasonYears.join(', ') || 'these years'}.`
      : top
        ? `${topSentence} ${withheld.reasonsNote}`
        : `Reasons are recorded for ${GROUP_PHRASE[group]} at ${profile.name}, but the counts are too small to publish.`;

  const f = data.features;
  // No census for the year: both shares not available (`x`); a withheld share (`c`) is still context.
  const hasContext = !(f.pctEhc === null && f.pctEhcFlag === 'x' && f.pctSenSupport === null && f.pctSenSupportFlag === 'x');
  const noSplitNote = senSplit
    ? null
    : 'The data for this school has no split of exclusions by special educational needs (the Department for Education publishes school figures for all pupils only), so the page compares all-pupil rates. ' +
      (hasContext
        ? `The school\u2019s share of pupils with an EHC plan and on SEN support in ${data.latestYear}, from the school census, is the context to read them with.`
        : `Its share of pupils with an EHC plan and on SEN support is not available either: this release holds no school census figures for ${data.latestYear}, so there is no SEN context for the school.`);

  return {
    group,
    senSplit,
    noSplitNote,
    allSuppressed,
    periodLabel,
    k: neighbours.length,
    neighbours: neighbourRows,
    blocks,
    verdicts,
    verdict,
    riskRatio,
    trend,
    funnel,
    reasonYears,
    reasons,
    laLabel,
    englandLabel,
    comparisonSummary,
    trendSummary,
    trendDescription,
    reasonsSummary,
    yearNote
  };
}

/**
 * The words for a reader who arrives from one year's figures (the schools list for 2022/23): that
 * year's rates from the trend's own points, so they match the list, and why the comparison pools
 * years (a school's one year is often too few pupils to tell a difference from chance).
 */
function oneYearNote(
  year: string,
  trend: readonly LineSeries[],
  w: {
    measure: string;
    group: SchoolGroup;
    school: string;
    laLabel: string;
    periodLabel: string;
    /** How many similar schools published that year (some but too few is not the same as none). */
    similarPublished: number;
  }
): YearNote {
  const point = (id: string) => trend.find((s) => s.id === id)?.points.find((p) => p.xLabel === year);
  const own = point('school');
  const similar = point('similar');
  const pooled = `The comparison and the verdict below use ${w.periodLabel} together, because one year of one school is often too few pupils to tell a real difference from chance; every year is in the trend.`;
  if (!own) return { lead: `This release has no figures for ${year}.`, text: pooled };
  const ownWords =
    own.y === null
      ? `not published (${missingWords(own.flag as SuppressionCode | null)})`
      : `${formatRate(own.y)}${own.lower != null && own.upper != null ? ` (95% interval ${formatRate(own.lower)} to ${formatRate(own.upper)})` : ''}`;
  return {
    lead: `${year} on its own.`,
    text: `${w.measure}, for ${GROUP_PHRASE[w.group]}: ${w.school} ${ownWords}; ${similarWords(similar?.y, similar?.flag, w.similarPublished)}; ${w.laLabel} ${fmt(
      point('la')?.y,
      point('la')?.flag
    )}. ${pooled}`
  };
}

/**
 * Why similar schools are left out of a pool (and, when too few are left, why there is no pooled
 * rate): withheld (`c`) when any of those without published figures is withheld, since then it is
 * withholding that leaves them out; else their own reason (`z` no pupils in the group, `x` not
 * available), so the table, the summary and the verdict never call a figure withheld that is not.
 */
function poolFlag(cells: readonly { count: Cell; pupils: Cell }[]): SuppressionCode {
  const missing = cells.filter((c) => countsOrNull(c) === null).map(cellFlag);
  return missing.includes('c') ? 'c' : (missing[0] ?? 'x');
}

/**
 * Why figures are missing, to follow "figures are": each reason their flags give, withheld first.
 * A line's points can differ (withheld one year, not available another), and the sentence must not
 * call them all withheld.
 */
function missingWhy(flags: readonly (string | null | undefined)[]): string {
  const kinds = new Set(flags.map((f) => (f === 'c' || f === 'low' ? 'c' : f === 'z' ? 'z' : 'x')));
  const words = { c: 'withheld to protect pupils (small numbers)', x: 'not available', z: 'not applicable (no pupils in this group)' };
  return (['c', 'x', 'z'] as const).filter((k) => kinds.has(k)).map((k) => words[k]).join(' or ');
}

/**
 * The similar schools' rate as an item of a list of figures ("similar schools 10.4"), or, with no
 * pooled rate, why not, in the trend's words: too few publish when some do (a pool of the few is
 * not a fair picture), else the reason their figures are missing (`flag`, from poolFlag). A rate
 * missing because there are no pupils in the group, or no figures at all, is not called withheld.
 */
function similarWords(rate: number | null | undefined, flag: string | null | undefined, published: number): string {
  if (rate != null) return `similar schools ${formatRate(rate)}`;
  const why = missingWhy([flag]);
  return published > 0
    ? `too few similar schools have published figures for a fair pooled rate, the others’ figures being ${why}`
    : `similar schools ${why}`;
}

/**
 * The trend's summary and chart description, naming only the lines that are drawn. A comparator
 * line with no point is not drawn at all (LineChart leaves it out of the legend too): the similar
 * schools when too few of them publish in every year, as at small schools where their counts for
 * a SEN group are all withheld, or an LA whose counts are. Saying "the lines show its similar
 * schools" there would describe a line the reader cannot find, so such a line is named with why
 * it is missing instead.
 */
function trendWords(
  trend: readonly LineSeries[],
  w: {
    measure: string;
    group: SchoolGroup;
    school: string;
    laName: string;
    laLabel: string;
    englandLabel: string;
    /** Whether any similar school published a figure in any year (else none did: "too few" would mislead). */
    similarEverPublished: boolean;
  }
): { trendSummary: string; trendDescription: string } {
  const line = (id: string) => trend.find((s) => s.id === id);
  const drawn = (id: string) => line(id)?.points.some((p) => p.y !== null) ?? false;
  const own = line('school')!.points;
  const comparators = [
    { id: 'similar', name: 'its similar schools' },
    { id: 'la', name: w.laName },
    { id: 'england', name: 'England' }
  ].filter((c) => line(c.id));
  const shown = comparators.filter((c) => drawn(c.id)).map((c) => c.name);
  const absent = comparators
    .filter((c) => !drawn(c.id))
    .map(({ id, name }) => {
      const why = missingWhy(line(id)!.points.map((p) => p.flag));
      if (id !== 'similar') return ` The figures for ${name} are ${why} in every year shown, so no line is drawn for it.`;
      return w.similarEverPublished
        ? ` Too few of its similar schools have published figures in any year shown for a fair pooled rate: the others’ figures are ${why}, so no line is drawn for them.`
        : ` Its similar schools’ figures are ${why} in every year shown, so no line is drawn for them.`;
    })
    .join('');

  const latest = [...own].reverse().find((p) => p.y !== null);
  const unpublished = own.filter((p) => p.y === null).length;
  const lead = latest
    ? `${w.measure} for ${GROUP_PHRASE[w.group]} at ${w.school}: ${formatRate(latest.y!)} in ${latest.xLabel}, the latest year published; ${
        unpublished === 0 ? `all ${own.length} years are published` : `${unpublished} of ${own.length} years ${unpublished === 1 ? 'is' : 'are'} not published`
      }.`
    : `No year’s ${w.measure.toLowerCase()} is published for ${GROUP_PHRASE[w.group]} at ${w.school} (small numbers)${
        shown.length === 0 ? '' : `; the ${shown.length === 1 ? 'line shows' : 'lines show'} ${listJoin(shown)}`
      }.`;
  const trendSummary = lead + absent;

  // What the marks stand for, again only as drawn: no band without a school interval, no dashes without an area line.
  const dashed = [drawn('la') ? w.laLabel : null, drawn('england') ? w.englandLabel : null].filter((l): l is string => l !== null);
  const key = [
    own.some((p) => p.lower != null && p.upper != null) ? 'Shaded: 95% interval for the school.' : '',
    drawn('similar') ? 'Similar schools are pooled over those with published figures each year.' : '',
    dashed.length > 0 ? `Dashed: ${dashed.join('; ')}.` : ''
  ].filter((k) => k !== '');
  return { trendSummary, trendDescription: [trendSummary, ...key].join(' ') };
}

/** Years in which the reason's suspensions are withheld (not those with none to give). */
function withheldYears(r: ReasonTableRow): number {
  return Object.keys(r.suspensions).filter((y) => r.suspensions[y] === null && !isNotAvailable(r.suspensionFlags[y])).length;
}

function total(r: ReasonTableRow): number {
  return Object.values(r.suspensions).reduce<number>((s, v) => s + (v ?? 0), 0);
}

/** A rate, or why it is missing in missingWhy's words (its flag: no flag at all is "not available"). */
function fmt(v: number | null | undefined, flag?: string | null): string {
  return v == null ? missingWhy([flag]) : formatRate(v);
}
