/**
 * The councillors' view (/council) as pure functions of query rows: the headline figures, the
 * trend and risk-ratio lines, repeat suspensions and sessions lost, and the breakdowns by reason,
 * primary need, term and FSM, each with its summary sentence, its table rows and the figures its
 * CSV download holds (exactly what is drawn, flags kept). The prerender and the browser run the
 * same functions on the same rows, so the first view and later ones never disagree.
 */
import { NOT_COMPARABLE_YEARS, type TimeAnnotation } from '$lib/charts/annotations';
import type { IntervalBlock, IntervalRow } from '$lib/charts/IntervalChart.svelte';
import type { LineSeries } from '$lib/charts/LineChart.svelte';
import { seriesColor, type Marker } from '$lib/charts/palette';
import type { Target } from '$lib/config/events';
import type { BreakdownRow, ComparatorType, CouncilPoint, LaYearRow, NeedContextRow } from '$lib/data/council-queries';
import { flagLong, flagShort, isNotAvailable, rateFlag } from '$lib/data/flags';
import { MEASURES, type MeasureKey, type NumeratorColumn } from '$lib/data/measures';
import type { Dimension, PupilGroup } from '$lib/data/schema';
import { dispersion, type EventPair } from '$lib/stats/dispersion';
import { rateInterval } from '$lib/stats/intervals';
import { rateRatio, type Ratio } from '$lib/stats/ratio';
import type { TableColumn } from './DataTable.svelte';
import type { ChartData } from './downloads';
import { count } from './plain-words';
import { formatRate, phiOfPoint } from './trend';
import {
  againstComparator,
  changeOf,
  contrast,
  formatRatio,
  GROUP_PHRASE,
  intervalText,
  listJoin,
  ratioChange,
  phiOf,
  type Change,
  type Counted
} from './council-words';

export const SEN_GROUPS = ['EHC plan', 'SEN support', 'No SEN'] as const satisfies readonly PupilGroup[];
export const TREND_GROUPS = ['all', 'EHC plan', 'SEN support', 'No SEN', 'All pupils'] as const;
export type TrendGroup = (typeof TREND_GROUPS)[number];

const GROUP_STYLE: Record<PupilGroup, { color: number; marker: Marker }> = {
  'EHC plan': { color: 0, marker: 'circle' },
  'SEN support': { color: 1, marker: 'square' },
  'No SEN': { color: 2, marker: 'triangle' },
  'All pupils': { color: 3, marker: 'diamond' }
};
const AREA_COLOR: Record<ComparatorType, number> = { England: 4, Region: 5, Neighbour: 3 };
const AREA_ORDER = ['LA', 'England', 'Region', 'Neighbour'];
const GROUP_ORDER: PupilGroup[] = ['EHC plan', 'SEN support', 'No SEN', 'All pupils'];

export function academicYear(start: number): string {
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
}

/** A span's words: "2023/24" or "2021/22 to 2023/24". */
export function spanLabel(span: readonly [number, number]): string {
  return span[0] === span[1] ? academicYear(span[0]) : `${academicYear(span[0])} to ${academicYear(span[1])}`;
}

/** The span the breakdowns show: the one chosen, else the latest year. */
export function spanOrLatest(span: readonly [number, number] | null, latest: number): [number, number] {
  return span ? [span[0], span[1]] : [latest, latest];
}

/** Annotations for a chart of years first..last: the national ones and the local events (data/events.json). */
export function axisAnnotations(first: number, last: number, national: TimeAnnotation[], local: TimeAnnotation[]): TimeAnnotation[] {
  return [...national, ...local].filter((a) => (a.to ?? a.from) >= first && a.from <= last).sort((a, b) => a.from - b.from);
}

// ---- Trend --------------------------------------------------------------------------------------

/** The points a trend draws for a group choice: the LA's three SEN groups (or the one chosen) and each comparator's same groups. */
export function trendPoints(points: CouncilPoint[], group: TrendGroup): CouncilPoint[] {
  const groups: readonly PupilGroup[] = group === 'all' ? SEN_GROUPS : [group];
  return points
    .filter((p) => groups.includes(p.pupil_group))
    .sort(
      (a, b) =>
        GROUP_ORDER.indexOf(a.pupil_group) - GROUP_ORDER.indexOf(b.pupil_group) ||
        AREA_ORDER.indexOf(a.area_type) - AREA_ORDER.indexOf(b.area_type) ||
        a.year_start - b.year_start
    );
}

function seriesId(p: Pick<CouncilPoint, 'area_type' | 'pupil_group'>): string {
  return p.area_type === 'LA' ? p.pupil_group : `${p.area_type}: ${p.pupil_group}`;
}

/** One line per area and group; the LA's lines carry 95% intervals, comparators (whole populations) none. */
export function councilSeries(drawn: CouncilPoint[], measure: MeasureKey): LineSeries[] {
  const kind = MEASURES[measure].kind;
  const ids = [...new Set(drawn.map(seriesId))];
  return ids.map((id) => {
    const rows = drawn.filter((p) => seriesId(p) === id);
    const first = rows[0]!;
    const la = first.area_type === 'LA';
    const style = GROUP_STYLE[first.pupil_group];
    return {
      id,
      label: la ? first.pupil_group : `${first.area_name}: ${first.pupil_group}`,
      color: la ? seriesColor(style.color) : seriesColor(AREA_COLOR[first.area_type as ComparatorType] ?? 4),
      marker: style.marker,
      dashed: !la,
      points: rows.map((r) => {
        const ci = la ? rateInterval(r.numerator, r.denominator, kind, phiOfPoint(r, kind)) : { lower: null, upper: null };
        return { x: r.year_start, xLabel: r.academic_year, y: r.rate, lower: ci.lower, upper: ci.upper, flag: r.rate === null ? rateFlag(r.numerator_flag, r.denominator_flag) : null };
      })
    };
  });
}

/** Target lines (data/events.json) that belong on this trend: same measure and phase, a group drawn. */
export function trendTargets(targets: Target[], measure: MeasureKey, phase: string, group: TrendGroup): { y: number; label: string; short: string }[] {
  return targets
    .filter((t) => t.measure === measure && t.phase === phase && (group === 'all' ? (SEN_GROUPS as readonly string[]).includes(t.group) : t.group === group))
    .map((t) => ({ y: t.value, label: `${t.label}, ${t.group}, by ${t.byLabel}`, short: 'Target' }));
}

const counted = (p: Pick<CouncilPoint, 'numerator' | 'denominator' | 'numerator_flag' | 'denominator_flag' | 'with_event'> | undefined): Counted => ({
  numerator: p?.numerator ?? null,
  denominator: p?.denominator ?? null,
  flag: p ? rateFlag(p.numerator_flag, p.denominator_flag) : null,
  withEvent: p?.with_event ?? null
});

/**
 * The trend's summary: the latest year's rates, the main group against pupils with no SEN, the
 * LA against each comparator drawn, and the change since the first year; every difference only as
 * far as its interval supports.
 */
export function trendSummary(points: CouncilPoint[], measure: MeasureKey, group: TrendGroup, laName: string): string {
  const m = MEASURES[measure];
  const kind = m.kind;
  const la = points.filter((p) => p.area_type === 'LA');
  const years = [...new Set(la.filter((p) => p.rate !== null).map((p) => p.year_start))].sort((a, b) => a - b);
  const latest = years.at(-1);
  if (latest === undefined) return 'No published figures are available for this choice.';
  const at = (g: PupilGroup, y: number, type = 'LA') => points.find((p) => p.area_type === type && p.pupil_group === g && p.year_start === y);
  const main: PupilGroup = group === 'all' ? 'EHC plan' : group;
  const shown: readonly PupilGroup[] = group === 'all' ? SEN_GROUPS : [group];
  const rates = shown.map((g) => {
    const p = at(g, latest);
    return `${p?.rate == null ? flagShort(p ? rateFlag(p.numerator_flag, p.denominator_flag) : null) : formatRate(p.rate)} for ${GROUP_PHRASE[g]}`;
  });
  const parts = [`In ${academicYear(latest)}, ${laName}'s ${m.label.toLowerCase()} was ${listJoin(rates)}.`];
  if (main !== 'No SEN' && main !== 'All pupils') {
    const s = contrast(GROUP_PHRASE[main], counted(at(main, latest)), GROUP_PHRASE['No SEN'], counted(at('No SEN', latest)), kind, m.verb);
    parts.push(`${s[0]!.toUpperCase()}${s.slice(1)}.`);
  }
  const comparators = [...new Set(points.filter((p) => p.area_type !== 'LA').map((p) => p.area_type))];
  const against = comparators
    .map((type) => {
      const c = at(main, latest, type);
      if (!c) return null;
      const verdict = againstComparator(counted(at(main, latest)), c.rate, kind);
      const words =
        verdict === 'higher'
          ? 'higher than'
          : verdict === 'lower'
            ? 'lower than'
            : verdict === 'no clear difference'
              ? 'not clearly different from'
              : 'not comparable with';
      return `${words} ${c.area_name}${c.area_type === 'Neighbour' ? ` (${c.areas} together)` : ''} (${c.rate === null ? flagShort(rateFlag(c.numerator_flag, c.denominator_flag)) : formatRate(c.rate)})`;
    })
    .filter((x): x is string => x !== null);
  if (against.length > 0) parts.push(`For ${GROUP_PHRASE[main]}, ${laName}'s rate was ${listJoin(against)}.`);
  const first = years.find((y) => at(main, y)?.rate != null);
  if (first !== undefined && first !== latest) {
    const a = at(main, first)!;
    const b = at(main, latest)!;
    const c = changeOf(counted(b), counted(a), kind);
    const verb = c === 'up' ? 'rose' : c === 'down' ? 'fell' : 'went';
    parts.push(
      `Since ${academicYear(first)} it ${verb} from ${formatRate(a.rate!)} to ${b.rate === null ? 'a suppressed figure' : formatRate(b.rate)} for ${GROUP_PHRASE[main]}${c === 'up' || c === 'down' ? ', more than chance would explain' : c === 'no clear change' ? ', a change within what chance would explain' : ''}.`
    );
  }
  return parts.join(' ');
}

// ---- Risk ratio over time -----------------------------------------------------------------------

export interface RatioPoint {
  area_type: string;
  area_name: string;
  /** `EHC plan`, `SEN support` or `SEND`, each against pupils with no SEN. */
  comparison: 'EHC plan' | 'SEN support' | 'SEND';
  academic_year: string;
  year_start: number;
  ratio: number | null;
  lower: number | null;
  upper: number | null;
  flag: string | null;
  numerator: number | null;
  denominator: number | null;
  reference_numerator: number | null;
  reference_denominator: number | null;
}

function sum(a: number | null | undefined, b: number | null | undefined): number | null {
  return a == null || b == null ? null : a + b;
}

/** Each area's SEND-to-no-SEN (and EHC plan, SEN support to no SEN) ratio by year; intervals for the LA only. */
export function ratioPoints(points: CouncilPoint[], measure: MeasureKey): RatioPoint[] {
  const kind = MEASURES[measure].kind;
  const out: RatioPoint[] = [];
  const keys = [...new Set(points.map((p) => `${p.area_type}|${p.year_start}`))];
  for (const key of keys) {
    const [type, y] = key.split('|') as [string, string];
    const year = Number(y);
    const get = (g: PupilGroup) => points.find((p) => p.area_type === type && p.year_start === year && p.pupil_group === g);
    const ref = get('No SEN');
    const ehc = get('EHC plan');
    const k = get('SEN support');
    if (!ref) continue;
    const comparisons: RatioPoint['comparison'][] = type === 'LA' ? ['EHC plan', 'SEN support', 'SEND'] : ['SEND'];
    for (const c of comparisons) {
      const a: Counted =
        c === 'SEND'
          ? {
              numerator: sum(ehc?.numerator, k?.numerator),
              denominator: sum(ehc?.denominator, k?.denominator),
              flag: rateFlag(ehc?.numerator_flag, k?.numerator_flag, ehc?.denominator_flag, k?.denominator_flag),
              withEvent: sum(ehc?.with_event, k?.with_event)
            }
          : counted(c === 'EHC plan' ? ehc : k);
      const b = counted(ref);
      const r = rateRatio(a, b, kind, phiOf(kind, a, b));
      out.push({
        area_type: type,
        area_name: ref.area_name,
        comparison: c,
        academic_year: ref.academic_year,
        year_start: year,
        ratio: r.ratio,
        lower: type === 'LA' ? r.lower : null,
        upper: type === 'LA' ? r.upper : null,
        flag: r.ratio === null ? (rateFlag(a.flag, b.flag) ?? (b.numerator === 0 ? 'z' : null)) : null,
        numerator: a.numerator,
        denominator: a.denominator,
        reference_numerator: b.numerator,
        reference_denominator: b.denominator
      });
    }
  }
  const cOrder = ['SEND', 'EHC plan', 'SEN support'];
  return out.sort(
    (a, b) => AREA_ORDER.indexOf(a.area_type) - AREA_ORDER.indexOf(b.area_type) || cOrder.indexOf(a.comparison) - cOrder.indexOf(b.comparison) || a.year_start - b.year_start
  );
}

const RATIO_STYLE: Record<RatioPoint['comparison'], { color: number; marker: Marker; label: string }> = {
  SEND: { color: 2, marker: 'diamond', label: 'SEND' },
  'EHC plan': { color: 0, marker: 'circle', label: 'EHC plan' },
  'SEN support': { color: 1, marker: 'square', label: 'SEN support' }
};

export function ratioSeries(points: RatioPoint[]): LineSeries[] {
  const ids = [...new Set(points.map((p) => `${p.area_type}|${p.comparison}`))];
  return ids.map((id) => {
    const rows = points.filter((p) => `${p.area_type}|${p.comparison}` === id);
    const first = rows[0]!;
    const la = first.area_type === 'LA';
    const style = RATIO_STYLE[first.comparison];
    return {
      id,
      // "against no SEN" is the chart's title and axis: the labels stay short enough for a phone.
      label: la ? style.label : `${first.area_name}: SEND`,
      color: la ? seriesColor(style.color) : seriesColor(AREA_COLOR[first.area_type as ComparatorType] ?? 4),
      marker: style.marker,
      dashed: !la,
      points: rows.map((r) => ({ x: r.year_start, xLabel: r.academic_year, y: r.ratio, lower: r.lower, upper: r.upper, flag: r.flag }))
    };
  });
}

export function ratioData(points: RatioPoint[]): ChartData {
  return {
    columns: ['area_type', 'area_name', 'comparison', 'academic_year', 'count', 'pupils', 'no_sen_count', 'no_sen_pupils', 'ratio', 'lower_95', 'upper_95', 'flag'],
    rows: points.map((p) => [p.area_type, p.area_name, `${p.comparison} vs No SEN`, p.academic_year, p.numerator, p.denominator, p.reference_numerator, p.reference_denominator, p.ratio, p.lower, p.upper, p.flag])
  };
}

export function ratioSummary(points: RatioPoint[], measure: MeasureKey, laName: string, senSplit = true): string {
  const m = MEASURES[measure];
  if (!senSplit) {
    // No SEN split for the LA (DfE's LA-level files): say so, and give the comparators' latest ratios.
    const latest = new Map<string, RatioPoint>();
    for (const p of points) if (p.area_type !== 'LA' && p.ratio !== null) latest.set(p.area_name, p);
    const others = [...latest.values()];
    return `${laName}'s ratio cannot be worked out: the LA-level figures in this release have no SEN split.${
      others.length > 0 ? ` ${listJoin(others.map((o) => `${o.area_name}'s was ${formatRatio(o.ratio!)} in ${o.academic_year}`))}.` : ''
    }`;
  }
  const send = points.filter((p) => p.area_type === 'LA' && p.comparison === 'SEND' && p.ratio !== null);
  const last = send.at(-1);
  if (!last) return 'The ratio cannot be worked out for this choice: a figure it needs is suppressed or zero.';
  const parts = [
    `In ${last.academic_year}, ${GROUP_PHRASE.SEND} in ${laName} were ${m.verb} at ${formatRatio(last.ratio!)} times the rate of pupils with no SEN (${intervalText(last)}).`
  ];
  const first = send[0]!;
  if (first !== last) {
    const c = ratioChange(last, first);
    parts.push(
      c === 'up' || c === 'down'
        ? `The ratio was ${c === 'up' ? 'higher' : 'lower'} than in ${first.academic_year} (${formatRatio(first.ratio!)}, ${intervalText(first)}): the two intervals do not overlap.`
        : `In ${first.academic_year} it was ${formatRatio(first.ratio!)} (${intervalText(first)}); the intervals overlap, so the ratio has not clearly changed.`
    );
  }
  const others = points.filter((p) => p.area_type !== 'LA' && p.year_start === last.year_start && p.ratio !== null);
  if (others.length > 0) parts.push(`The same ratio was ${listJoin(others.map((o) => `${formatRatio(o.ratio!)} in ${o.area_name}`))}.`);
  return parts.join(' ');
}

// ---- Headline figures ---------------------------------------------------------------------------

export const HEADLINE_MEASURES = ['suspension_rate', 'permanent_exclusion_rate'] as const satisfies readonly MeasureKey[];

export interface HeadlineCell extends Counted {
  rate: number | null;
  lower: number | null;
  upper: number | null;
}

export interface HeadlineGroup {
  group: PupilGroup;
  now: HeadlineCell;
  previous: { cell: HeadlineCell; change: Change } | null;
  earlier: { cell: HeadlineCell; change: Change } | null;
}

export interface HeadlineMeasure {
  measure: MeasureKey;
  groups: HeadlineGroup[];
  /** The SEND-to-no-SEN risk ratio; null when the release has no SEN split for the LA. */
  ratio: { now: Ratio; previous: (Ratio & { change: Change }) | null; earlier: (Ratio & { change: Change }) | null } | null;
  sentence: string;
}

export interface Headline {
  year: string;
  previousYear: string | null;
  earlierYear: string | null;
  measures: HeadlineMeasure[];
}

function numeratorOf(r: LaYearRow | undefined, col: NumeratorColumn | 'pupils_repeat_suspended' | 'sessions_lost'): Counted {
  if (!r) return { numerator: null, denominator: null, flag: 'x' };
  return { numerator: r[col], denominator: r.pupils, flag: rateFlag(r[`${col}_flag`], r.pupils_flag), withEvent: r.pupils_suspended };
}

function cell(c: Counted, kind: 'proportion' | 'events'): HeadlineCell {
  const ci = rateInterval(c.numerator, c.denominator, kind, phiOf(kind, c));
  return { ...c, rate: ci.rate, lower: ci.lower, upper: ci.upper };
}

function sendOf(rows: LaYearRow[], year: number, col: NumeratorColumn): Counted {
  const e = numeratorOf(rows.find((r) => r.year_start === year && r.pupil_group === 'EHC plan'), col);
  const k = numeratorOf(rows.find((r) => r.year_start === year && r.pupil_group === 'SEN support'), col);
  return { numerator: sum(e.numerator, k.numerator), denominator: sum(e.denominator, k.denominator), flag: rateFlag(e.flag, k.flag), withEvent: sum(e.withEvent, k.withEvent) };
}

/**
 * The latest year's figures for each group, the change on the year before and on three years
 * before (or the last comparable year before that), and the SEND risk ratio. With `senSplit` false (DfE's LA-level files have no SEN split),
 * all pupils instead, and no ratio.
 */
export function headline(rows: LaYearRow[], laName: string, senSplit = true): Headline | null {
  const years = [...new Set(rows.map((r) => r.year_start))].sort((a, b) => a - b);
  const latest = years.at(-1);
  if (latest === undefined) return null;
  // The COVID years are not set against as if they were ordinary ones: no "against the year
  // before" when that was one, and "against three years before" goes back to the last year before
  // them (2018/19 for 2023/24), the baseline DfE's own commentary uses.
  const comparable = (y: number) => years.includes(y) && !NOT_COMPARABLE_YEARS.has(y);
  const previous = comparable(latest - 1) ? latest - 1 : null;
  const earlier = years.filter((y) => y <= latest - 3 && comparable(y)).at(-1) ?? null;
  const measures = HEADLINE_MEASURES.map((key): HeadlineMeasure => {
    const m = MEASURES[key];
    const at = (g: PupilGroup, y: number) => numeratorOf(rows.find((r) => r.year_start === y && r.pupil_group === g), m.numerator);
    const groups = (senSplit ? SEN_GROUPS : (['All pupils'] as const)).map((g): HeadlineGroup => {
      const now = at(g, latest);
      const vs = (y: number | null) => (y === null ? null : { cell: cell(at(g, y), m.kind), change: changeOf(now, at(g, y), m.kind) });
      return { group: g, now: cell(now, m.kind), previous: vs(previous), earlier: vs(earlier) };
    });
    const rr = (y: number) => {
      const send = sendOf(rows, y, m.numerator);
      const none = at('No SEN', y);
      return rateRatio(send, none, m.kind, phiOf(m.kind, send, none));
    };
    const now = rr(latest);
    const vsRatio = (y: number | null) => (y === null ? null : { ...rr(y), change: ratioChange(now, rr(y)) });
    const ratio = senSplit ? { now, previous: vsRatio(previous), earlier: vsRatio(earlier) } : null;
    const main = groups[0]!;
    const who = GROUP_PHRASE[main.group];
    const parts = [
      `In ${academicYear(latest)}, ${laName}'s ${m.label.toLowerCase()} was ${listJoin(groups.map((g) => `${g.now.rate === null ? flagShort(g.now.flag) : formatRate(g.now.rate)} for ${GROUP_PHRASE[g.group]}`))}.`
    ];
    if (senSplit && now.ratio !== null) parts.push(`${GROUP_PHRASE.SEND[0]!.toUpperCase()}${GROUP_PHRASE.SEND.slice(1)} were ${m.verb} at ${formatRatio(now.ratio)} times the rate of pupils with no SEN (${intervalText(now)}).`);
    if (main.previous) {
      parts.push(
        main.previous.change === 'up' || main.previous.change === 'down'
          ? `For ${who} the rate ${main.previous.change === 'up' ? 'rose' : 'fell'} from ${academicYear(previous!)} by more than chance would explain.`
          : main.previous.change === 'no clear change'
            ? `For ${who} it has not clearly changed since ${academicYear(previous!)}.`
            : ''
      );
    }
    return { measure: key, groups, ratio, sentence: parts.filter(Boolean).join(' ') };
  });
  return {
    year: academicYear(latest),
    previousYear: previous === null ? null : academicYear(previous),
    earlierYear: earlier === null ? null : academicYear(earlier),
    measures
  };
}

// ---- Repeat suspensions and sessions lost (LA only, by year) -----------------------------------

export type YearMeasure = 'repeat' | 'sessions';
export const YEAR_MEASURES: Record<YearMeasure, { column: 'pupils_repeat_suspended' | 'sessions_lost'; label: string; yLabel: string }> = {
  repeat: { column: 'pupils_repeat_suspended', label: 'Pupils suspended more than once, per 100 pupils', yLabel: 'per 100 pupils' },
  sessions: { column: 'sessions_lost', label: 'Sessions lost to suspensions, per 100 pupils', yLabel: 'sessions per 100 pupils' }
};

/**
 * A line per pupil group of one LA count per 100 pupils. Repeat suspensions are pupils (a
 * proportion: Wilson intervals); sessions lost are not independent events (one suspension loses
 * several), so no interval is drawn for them rather than one that would look too sure.
 */
export function yearSeries(rows: LaYearRow[], which: YearMeasure): LineSeries[] {
  const col = YEAR_MEASURES[which].column;
  return GROUP_ORDER.map((g) => {
    const style = GROUP_STYLE[g];
    return {
      id: g,
      label: g,
      color: seriesColor(style.color),
      marker: style.marker,
      points: rows
        .filter((r) => r.pupil_group === g)
        .map((r) => {
          const c = numeratorOf(r, col);
          const ci = rateInterval(c.numerator, c.denominator, 'proportion');
          return {
            x: r.year_start,
            xLabel: r.academic_year,
            y: ci.rate,
            lower: which === 'repeat' ? ci.lower : null,
            upper: which === 'repeat' ? ci.upper : null,
            flag: ci.rate === null ? c.flag : null
          };
        })
    };
  }).filter((s) => s.points.length > 0);
}

export function yearData(rows: LaYearRow[], which: YearMeasure): ChartData {
  const col = YEAR_MEASURES[which].column;
  const sorted = [...rows].sort((a, b) => GROUP_ORDER.indexOf(a.pupil_group) - GROUP_ORDER.indexOf(b.pupil_group) || a.year_start - b.year_start);
  return {
    columns: ['pupil_group', 'academic_year', col, `${col}_flag`, 'pupils', 'pupils_flag', 'per_100_pupils', ...(which === 'repeat' ? ['lower_95', 'upper_95'] : [])],
    rows: sorted.map((r) => {
      const ci = rateInterval(r[col], r.pupils, 'proportion');
      return [r.pupil_group, r.academic_year, r[col], r[`${col}_flag`], r.pupils, r.pupils_flag, ci.rate, ...(which === 'repeat' ? [ci.lower, ci.upper] : [])];
    })
  };
}

export function yearSummary(rows: LaYearRow[], which: YearMeasure, laName: string): string {
  const latest = Math.max(...rows.map((r) => r.year_start));
  if (!Number.isFinite(latest)) return 'No published figures are available for this choice.';
  const at = (g: PupilGroup) => rows.find((r) => r.year_start === latest && r.pupil_group === g);
  const col = YEAR_MEASURES[which].column;
  // A source without the count at all (DfE's files have no repeat suspensions or sessions lost).
  if (rows.every((r) => r[col] === null && r[`${col}_flag`] !== 'c')) {
    return `This release has no figures for ${which === 'repeat' ? 'pupils suspended more than once' : 'sessions lost to suspensions'} in ${laName}: its source does not give them.`;
  }
  const year = academicYear(latest);
  if (which === 'repeat') {
    const ehc = at('EHC plan');
    const s = contrast(GROUP_PHRASE['EHC plan'], numeratorOf(ehc, col), GROUP_PHRASE['No SEN'], numeratorOf(at('No SEN'), col), 'proportion', 'suspended more than once');
    const share = ehc && ehc.pupils_repeat_suspended !== null && ehc.pupils_suspended ? Math.round((ehc.pupils_repeat_suspended / ehc.pupils_suspended) * 100) : null;
    return `In ${year}, ${s}.${share === null ? '' : ` Of the pupils with an EHC plan suspended in ${laName} that year, ${share}% were suspended more than once.`}`;
  }
  const parts = SEN_GROUPS.map((g) => {
    const r = at(g);
    if (!r || r.sessions_lost === null || !r.pupils) return `${flagShort(r ? rateFlag(r.sessions_lost_flag, r.pupils_flag) : 'x')} for ${GROUP_PHRASE[g]}`;
    const per100 = (r.sessions_lost / r.pupils) * 100;
    return `${formatRate(per100)} sessions per 100 ${GROUP_PHRASE[g]} (about ${formatRate(per100 / 2)} school days)`;
  });
  return `In ${year}, suspensions in ${laName} cost ${listJoin(parts)}. A session is half a school day; no interval is shown, because the sessions of one suspension are not independent of each other.`;
}

// ---- Breakdowns by reason, need, term and FSM --------------------------------------------------

export const REASON_MEASURES = ['suspension_rate', 'permanent_exclusion_rate'] as const satisfies readonly MeasureKey[];
export type ReasonMeasure = (typeof REASON_MEASURES)[number];

export interface BreakdownView {
  blocks: IntervalBlock[];
  /** Table rows: one per row drawn. */
  rows: BreakdownTableRow[];
  data: ChartData;
  summary: string;
}

export interface BreakdownTableRow {
  /** The pupil group, or for England's need figures the words for whom they count. */
  group: PupilGroup | string;
  category: string;
  count: number | null;
  countFlag: string | null;
  pupils: number | null;
  pupilsFlag: string | null;
  rate: number | null;
  lower: number | null;
  upper: number | null;
  flag: string | null;
}

const CATEGORY_MARKERS: Marker[] = ['circle', 'square', 'triangle'];

/**
 * A breakdown drawn as dots and 95% whiskers, one block per pupil group. Reasons and needs are
 * sorted by rate (highest first, missing last); terms keep their order; FSM comes before not FSM.
 */
export function breakdownView(
  rows: BreakdownRow[],
  opts: { dimension: Dimension; measure: MeasureKey; groups: readonly PupilGroup[]; span: readonly [number, number]; laName: string }
): BreakdownView {
  const m = MEASURES[opts.measure];
  // Reasons are events per pupil of the group (one pupil can have several); the rest follow the measure.
  const kind = opts.dimension === 'reason' ? 'events' : m.kind;
  const byGroup = opts.groups.map((g) => {
    const list = rows
      .filter((r) => r.pupil_group === g)
      .map((r) => {
        const c: Counted = { numerator: r[m.numerator], denominator: r.pupils, flag: rateFlag(r[`${m.numerator}_flag`], r.pupils_flag), withEvent: r.pupils_suspended };
        const pair = suspensionPair(r, opts.dimension, m.numerator);
        const ci = rateInterval(c.numerator, c.denominator, kind, pair ? dispersion([pair]) : 1);
        return { r, c, pair, ...ci };
      });
    if (opts.dimension === 'reason' || opts.dimension === 'need') list.sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1) || a.r.category.localeCompare(b.r.category));
    if (opts.dimension === 'term') list.sort((a, b) => ['AUT', 'SPR', 'SUM'].indexOf(a.r.category_code) - ['AUT', 'SPR', 'SUM'].indexOf(b.r.category_code));
    if (opts.dimension === 'fsm') list.sort((a, b) => (a.r.category_code === 'FSM' ? -1 : 1) - (b.r.category_code === 'FSM' ? -1 : 1));
    return { group: g, list };
  });
  const blocks: IntervalBlock[] = byGroup.map(({ group, list }) => ({
    id: group,
    label: GROUP_PHRASE[group][0]!.toUpperCase() + GROUP_PHRASE[group].slice(1),
    rows: list.map(({ r, c, rate, lower, upper }, i): IntervalRow => ({
      id: `${group}|${r.category_code}`,
      label: r.category,
      value: rate,
      lower,
      upper,
      color: seriesColor(GROUP_STYLE[group].color),
      marker: opts.dimension === 'term' || opts.dimension === 'fsm' ? CATEGORY_MARKERS[i % 3]! : GROUP_STYLE[group].marker,
      missing: rate === null ? (r.pupils === 0 ? 'no pupils' : flagShort(c.flag)) : undefined,
      flag: rate === null ? (c.flag ?? null) : null,
      note: rate === null ? (r.pupils === 0 ? 'no pupils in this category that year' : flagLong(c.flag)) : c.numerator === null ? undefined : `${count(c.numerator)} ${m.numerator === 'pupils_suspended' ? 'pupils' : m.numerator === 'suspensions' ? 'suspensions' : 'permanent exclusions'}`
    }))
  }));
  const tableRows: BreakdownTableRow[] = byGroup.flatMap(({ group, list }) =>
    list.map(({ r, c, rate, lower, upper }) => ({
      group,
      category: r.category,
      count: r[m.numerator],
      countFlag: r[`${m.numerator}_flag`],
      pupils: r.pupils,
      pupilsFlag: r.pupils_flag,
      rate,
      lower,
      upper,
      flag: rate === null ? (c.flag ?? null) : null
    }))
  );
  const data: ChartData = {
    columns: ['years', 'pupil_group', 'dimension', 'category_code', 'category', m.numerator, `${m.numerator}_flag`, 'pupils', 'pupils_flag', 'rate_per_100', 'lower_95', 'upper_95'],
    rows: byGroup.flatMap(({ group, list }) =>
      list.map(({ r, rate, lower, upper }) => [spanLabel(opts.span), group, opts.dimension, r.category_code, r.category, r[m.numerator], r[`${m.numerator}_flag`], r.pupils, r.pupils_flag, rate, lower, upper])
    )
  };
  return { blocks, rows: tableRows, data, summary: breakdownSummary(byGroup, opts, kind) };
}

/**
 * The suspensions and pupils suspended whose clustering widens a breakdown row's interval
 * (stats/dispersion.ts): the row's own, or for a reason, which has no pupils suspended of its own,
 * the pupil group's. Null for permanent exclusions and pupils suspended: one per pupil, no clustering.
 */
function suspensionPair(r: BreakdownRow, dimension: Dimension, numerator: NumeratorColumn): EventPair | null {
  if (numerator !== 'suspensions') return null;
  return dimension === 'reason'
    ? { events: r.group_suspensions ?? null, withEvent: r.group_pupils_suspended ?? null }
    : { events: r.suspensions, withEvent: r.pupils_suspended };
}

/** The dispersion for comparing two breakdown rows: their pairs pooled, 1 when neither has one. */
function pairPhi(a: EventPair | null, b: EventPair | null): number {
  const pairs = [a, b].filter((p): p is EventPair => p !== null);
  return pairs.length > 0 ? dispersion(pairs) : 1;
}

type Ranked = { group: PupilGroup; list: { r: BreakdownRow; c: Counted; pair: EventPair | null; rate: number | null }[] };

function breakdownSummary(byGroup: Ranked[], opts: { dimension: Dimension; measure: MeasureKey; span: readonly [number, number]; laName: string }, kind: 'proportion' | 'events'): string {
  const m = MEASURES[opts.measure];
  const span = spanLabel(opts.span);
  const inSpan = opts.span[0] === opts.span[1] ? `In ${span}` : `From ${span} together`;
  const sentences: string[] = [];
  for (const { group, list } of byGroup) {
    const known = list.filter((x) => x.rate !== null);
    const who = GROUP_PHRASE[group];
    if (known.length === 0) {
      sentences.push(`for ${who} the figures are suppressed or not available.`);
      continue;
    }
    if (opts.dimension === 'reason' || opts.dimension === 'need') {
      const [top, next] = [known[0]!, known[1]];
      // A withheld category could have been the highest: the claim is then about the published ones.
      const withheld = list.some((x) => x.rate === null && !isNotAvailable(x.c.flag));
      const published = withheld ? 'among the published figures, ' : '';
      const what =
        opts.dimension === 'reason'
          ? `${published}the reason recorded most often when ${who} were ${m.verb} was`
          : `among ${who}, the primary need with the highest ${withheld ? 'published ' : ''}rate was`;
      let s = `${what} ${top.r.category.toLowerCase()} (${formatRate(top.rate!)} per 100 pupils)`;
      if (next) {
        const c = rateRatio(top.c, next.c, kind, pairPhi(top.pair, next.pair));
        const clear = c.lower !== null && c.lower > 1;
        s += clear
          ? `, more than the next, ${next.r.category.toLowerCase()} (${formatRate(next.rate!)}), by more than chance would explain`
          : `; the next, ${next.r.category.toLowerCase()} (${formatRate(next.rate!)}), was not clearly lower`;
      }
      sentences.push(`${s}.`);
    } else if (opts.dimension === 'term') {
      const hi = [...known].sort((a, b) => b.rate! - a.rate!)[0]!;
      const lo = [...known].sort((a, b) => a.rate! - b.rate!)[0]!;
      const c = rateRatio(hi.c, lo.c, kind, pairPhi(hi.pair, lo.pair));
      sentences.push(
        hi === lo
          ? `for ${who} only the ${hi.r.category.toLowerCase()} has a published figure (${formatRate(hi.rate!)} per 100 pupils).`
          : c.lower !== null && c.lower > 1
            ? `for ${who} the rate was highest in the ${hi.r.category.toLowerCase()} (${formatRate(hi.rate!)} per 100 pupils), higher than in the ${lo.r.category.toLowerCase()} (${formatRate(lo.rate!)}) by more than chance would explain.`
            : `for ${who} the terms were not clearly different (${listJoin(known.map((x) => `${x.r.category.toLowerCase()} ${formatRate(x.rate!)}`))}).`
      );
    } else {
      const fsm = list.find((x) => x.r.category_code === 'FSM');
      const not = list.find((x) => x.r.category_code === 'NOT_FSM');
      if (fsm && not) sentences.push(`${contrast(`${who} eligible for free school meals`, fsm.c, 'those not eligible', not.c, kind, m.verb)}.`);
    }
  }
  const tail =
    opts.dimension === 'reason' && opts.span[1] >= 2020
      ? ' From 2020/21 an exclusion can record up to three reasons, so the reasons add up to more than the exclusions.'
      : opts.dimension === 'term'
        ? ' Rates are per 100 pupils of the group; terms differ in length (autumn is usually the longest).'
        : '';
  if (byGroup.every((g) => g.list.length === 0)) {
    const what = { reason: 'reason', need: 'primary need', term: 'term', fsm: 'free school meal eligibility' }[opts.dimension];
    return `${inSpan}, this release has no figures for ${opts.laName} by ${what}.`;
  }
  const body = sentences.map((x, i) => (i === 0 ? x : `${x[0]!.toUpperCase()}${x.slice(1)}`)).join(' ');
  return `${inSpan}, ${body}${tail}`;
}

export function breakdownColumns(countLabel: string): TableColumn<BreakdownTableRow>[] {
  return [
    { key: 'group', label: 'Pupil group', value: (r) => r.group },
    { key: 'category', label: 'Category', rowHeader: true, value: (r) => r.category },
    { key: 'rate', label: 'Per 100 pupils', numeric: true, value: (r) => r.rate, flag: (r) => r.flag, format: formatRate },
    { key: 'lower', label: '95% interval from', numeric: true, value: (r) => r.lower, flag: (r) => r.flag, format: formatRate },
    { key: 'upper', label: '95% interval to', numeric: true, value: (r) => r.upper, flag: (r) => r.flag, format: formatRate },
    { key: 'count', label: countLabel, numeric: true, value: (r) => r.count, flag: (r) => r.countFlag },
    { key: 'pupils', label: 'Pupils', numeric: true, value: (r) => r.pupils, flag: (r) => r.pupilsFlag }
  ];
}

// ---- Primary need, with England's figures as context ---------------------------------------------

/** The need chart's LA groups: DfE's census codes E and K (a pupil with no SEN has no primary need). */
const NEED_GROUPS = ['EHC plan', 'SEN support'] as const satisfies readonly PupilGroup[];
/** England's need figures in a table row or block label: whom they count. */
export const ENGLAND_NEEDS_LABEL = 'England: all pupils with SEN (DfE)';

export interface NeedView extends BreakdownView {
  /**
   * What England's figures are, why they are shown and what limits them (years covered, the
   * BESD-to-SEMH change, School Action before 2015/16); null when the release has none.
   */
  note: string | null;
  /** The LA has no figures by need for the span, so England's stand alone. */
  englandOnly: boolean;
}

/**
 * The primary-need chart: the LA's rates for pupils with an EHC plan and on SEN support (with 95%
 * intervals), and, where the release has them (one built from DfE's files), England's rates by
 * need as DfE publishes them: for every pupil with SEN together, whatever their provision. Those
 * are a different group from either of the LA's, so they are drawn as a block of their own, named
 * for whom they count, never beside one LA group as if comparable, and the note says so. England
 * is a whole population: its rates have no interval and the summary ranks them without any claim
 * about chance. Rates are count / pupils x 100, as everywhere.
 */
export function needView(
  la: BreakdownRow[],
  england: NeedContextRow[],
  opts: { measure: MeasureKey; span: readonly [number, number]; laName: string }
): NeedView {
  const m = MEASURES[opts.measure];
  const base = breakdownView(la, { dimension: 'need', measure: opts.measure, groups: NEED_GROUPS, span: opts.span, laName: opts.laName });
  const laHas = la.some((r) => (NEED_GROUPS as readonly string[]).includes(r.pupil_group));
  const span = spanLabel(opts.span);
  const inSpan = opts.span[0] === opts.span[1] ? `In ${span}` : `From ${span} together`;
  const columns = [...base.data.columns, 'area'];
  const laData = base.data.rows.map((r) => [...r, opts.laName]);
  if (england.length === 0) {
    return {
      ...base,
      data: { columns, rows: laData },
      summary: base.summary,
      note: null,
      englandOnly: false
    };
  }

  const ranked = england
    .map((r) => {
      const numerator = r[m.numerator];
      const flag = rateFlag(r[`${m.numerator}_flag`], r.pupils_flag);
      return { r, numerator, flag, rate: rateInterval(numerator, r.pupils, m.kind).rate };
    })
    .sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1) || a.r.category.localeCompare(b.r.category));
  const unit = m.numerator === 'pupils_suspended' ? 'pupils suspended' : m.numerator === 'suspensions' ? 'suspensions' : 'permanent exclusions';
  const block: IntervalBlock = {
    id: 'England',
    label: ENGLAND_NEEDS_LABEL,
    rows: ranked.map(({ r, numerator, flag, rate }) => ({
      id: `England|${r.category_code}`,
      label: r.category,
      value: rate,
      lower: null,
      upper: null,
      color: seriesColor(AREA_COLOR.England),
      marker: 'diamond',
      missing: rate === null ? (r.pupils === 0 ? 'no pupils' : flagShort(flag)) : undefined,
      flag: rate === null ? flag : null,
      note: rate === null ? flagLong(flag) : `England, ${count(numerator!)} ${unit} among ${count(r.pupils!)} pupils with SEN`
    }))
  };
  const tableRows: BreakdownTableRow[] = ranked.map(({ r, numerator, flag, rate }) => ({
    group: ENGLAND_NEEDS_LABEL,
    category: r.category,
    count: numerator,
    countFlag: r[`${m.numerator}_flag`],
    pupils: r.pupils,
    pupilsFlag: r.pupils_flag,
    rate,
    lower: null,
    upper: null,
    flag: rate === null ? flag : null
  }));
  const englandData = ranked.map(({ r, rate }) => [span, r.pupil_group, 'need', r.category_code, r.category, r[m.numerator], r[`${m.numerator}_flag`], r.pupils, r.pupils_flag, rate, null, null, r.area_name]);

  const known = ranked.filter((x) => x.rate !== null);
  const [top, next] = known;
  const englandSentence = top
    ? `Among all pupils with SEN in England (DfE\u2019s figures, every SEN provision together), those whose primary need was ${top.r.category.toLowerCase()} were ${m.verb} at the highest rate (${formatRate(top.rate!)} per 100 pupils)${next ? `, then ${next.r.category.toLowerCase()} (${formatRate(next.rate!)})` : ''}.`
    : 'England\u2019s figures by primary need are withheld or not available for this choice.';
  const summary = laHas
    ? `${base.summary} ${englandSentence}`
    : `${inSpan}, ${englandSentence[0]!.toLowerCase()}${englandSentence.slice(1)} ${opts.laName} has no figures by primary need in this release.`;

  const notes = [
    laHas
      ? `England\u2019s figures are DfE\u2019s for every pupil with SEN together (an EHC plan or statement, and SEN support); ${opts.laName}\u2019s are for pupils with an EHC plan and pupils on SEN support separately. They are not the same groups, so England\u2019s are context for both, not a benchmark for either.`
      : `DfE publishes SEN primary need for England only, counting every pupil with SEN together (an EHC plan or statement, and SEN support), so ${opts.laName}\u2019s own figures by need are not in this release: England\u2019s are shown as context, not as ${opts.laName}\u2019s.`
  ];
  const first = Math.min(...england.map((r) => r.first_year));
  const last = Math.max(...england.map((r) => r.last_year));
  if (first > opts.span[0] || last < opts.span[1]) notes.push(`England\u2019s figures by need cover ${spanLabel([first, last])} only.`);
  const codes = new Set(england.map((r) => r.category_code));
  if (codes.has('BESD') && codes.has('SEMH')) {
    notes.push('Behavioural, emotional and social difficulties (to 2013/14) was replaced by social, emotional and mental health (from 2014/15), a changed definition: each is added up over its own years.');
  }
  if (first < 2015) notes.push('Before 2015/16 no primary need was recorded for pupils at School Action, so those years count fewer pupils with SEN.');

  return {
    blocks: laHas ? [...base.blocks, block] : [block],
    rows: laHas ? [...base.rows, ...tableRows] : tableRows,
    data: { columns, rows: [...(laHas ? laData : []), ...englandData] },
    summary,
    note: notes.join(' '),
    englandOnly: !laHas
  };
}
