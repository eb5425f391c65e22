/**
 * Turns rate rows from the query layer into what the overview's chart, summary and table show:
 * one line per pupil group (and one per comparator), each point with its 95% interval. Pure, so
 * the prerender and the browser produce identical views from identical rows.
 */
import type { LineSeries } from '$lib/charts/LineChart.svelte';
import type { TableColumn } from '$lib/ui/DataTable.svelte';
import type { ChartData } from '$lib/ui/downloads';
import { rateFlag } from '$lib/data/flags';
import type { Marker } from '$lib/charts/palette';
import { seriesColor } from '$lib/charts/palette';
import { MEASURES, type MeasureKey } from '$lib/data/measures';
import type { RatePoint } from '$lib/data/queries';
import type { PupilGroup } from '$lib/data/schema';
import { dispersionFor } from '$lib/stats/dispersion';
import { rateInterval } from '$lib/stats/intervals';

const GROUP_STYLE: Record<PupilGroup, { color: number; marker: Marker; label: string }> = {
  'EHC plan': { color: 0, marker: 'circle', label: 'EHC plan' },
  'SEN support': { color: 1, marker: 'square', label: 'SEN support' },
  'No SEN': { color: 2, marker: 'triangle', label: 'No SEN' },
  'All pupils': { color: 3, marker: 'diamond', label: 'All pupils' }
};

const GROUP_ORDER: PupilGroup[] = ['EHC plan', 'SEN support', 'No SEN', 'All pupils'];

/** A point's dispersion: how much its suspensions cluster within its pupils (stats/dispersion.ts), 1 for counts of pupils. */
export function phiOfPoint(p: Pick<RatePoint, 'numerator' | 'with_event'>, kind: 'proportion' | 'events'): number {
  return dispersionFor(kind, [{ events: p.numerator, withEvent: p.with_event ?? null }]);
}

export function seriesKey(p: Pick<RatePoint, 'area_type' | 'pupil_group'>): string {
  return p.area_type === 'LA' ? p.pupil_group : `${p.area_type}: ${p.pupil_group}`;
}

export function trendSeries(points: RatePoint[], measure: MeasureKey): LineSeries[] {
  const kind = MEASURES[measure].kind;
  const keys = [...new Set(points.map(seriesKey))].sort((a, b) => order(a) - order(b));
  return keys.map((key) => {
    const rows = points.filter((p) => seriesKey(p) === key).sort((a, b) => a.year_start - b.year_start);
    const first = rows[0]!;
    const isLa = first.area_type === 'LA';
    const style = GROUP_STYLE[first.pupil_group];
    return {
      id: key,
      label: isLa ? style.label : `${first.area_name}${first.pupil_group === 'All pupils' ? '' : `, ${first.pupil_group}`}`,
      color: isLa ? seriesColor(style.color) : seriesColor(4),
      marker: isLa ? style.marker : 'cross',
      dashed: !isLa,
      points: rows.map((r) => {
        const ci = rateInterval(r.numerator, r.denominator, kind, phiOfPoint(r, kind));
        // Comparators are whole populations (England): an interval would suggest sampling error.
        return {
          x: r.year_start,
          xLabel: r.academic_year,
          y: r.rate,
          lower: isLa ? ci.lower : null,
          upper: isLa ? ci.upper : null,
          flag: r.rate === null ? rateFlag(r.numerator_flag, r.denominator_flag) : null
        };
      })
    };
  });
}

function order(key: string): number {
  const i = GROUP_ORDER.indexOf(key as PupilGroup);
  return i === -1 ? 100 + key.charCodeAt(0) : i;
}

export function formatRate(v: number): string {
  return v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3).replace(/0$/, '');
}

const PHRASE: Record<PupilGroup, string> = {
  'EHC plan': 'pupils with an EHC plan',
  'SEN support': 'pupils on SEN support',
  'No SEN': 'pupils with no SEN',
  'All pupils': 'all pupils'
};

/** The chart's one-line text summary: the latest year's figures, stated without comparisons. */
export function trendSummary(points: RatePoint[], measure: MeasureKey, laName: string): string {
  const la = points.filter((p) => p.area_type === 'LA');
  const latest = Math.max(...la.map((p) => p.year_start));
  if (!Number.isFinite(latest)) return 'No figures are available for this selection.';
  const inYear = la.filter((p) => p.year_start === latest);
  const year = inYear[0]?.academic_year ?? '';
  const parts = GROUP_ORDER.map((g) => inYear.find((p) => p.pupil_group === g))
    .filter((p): p is RatePoint => p !== undefined)
    .map((p) => `${p.rate === null ? 'not available' : formatRate(p.rate)} for ${PHRASE[p.pupil_group]}`);
  const comparator = points.find((p) => p.area_type !== 'LA' && p.year_start === latest);
  const label = MEASURES[measure].label.toLowerCase();
  const tail =
    comparator && comparator.rate !== null
      ? `; ${comparator.area_name}: ${formatRate(comparator.rate)} for ${PHRASE[comparator.pupil_group]}`
      : '';
  return `In ${year}, ${laName} recorded these ${label}: ${listJoin(parts)}${tail}.`;
}

function listJoin(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

export interface TableRow {
  year: string;
  year_start: number;
  values: Record<string, number | null>;
  /** Why a value is NULL, by series. */
  flags: Record<string, string | null>;
}

/** Years down, series across: the layout a reader compares a chart against. */
export function trendTable(series: LineSeries[]): TableRow[] {
  const years = new Map<number, string>();
  series.forEach((s) => s.points.forEach((p) => years.set(p.x, p.xLabel)));
  return [...years.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([x, label]) => ({
      year: label,
      year_start: x,
      values: Object.fromEntries(series.map((s) => [s.id, s.points.find((p) => p.x === x)?.y ?? null])),
      flags: Object.fromEntries(series.map((s) => [s.id, s.points.find((p) => p.x === x)?.flag ?? null]))
    }));
}

/** The table alternative's columns: the year as row header, then one column per series. */
export function trendColumns(series: LineSeries[], yearLabel = 'Academic year'): TableColumn<TableRow>[] {
  return [
    { key: 'year', label: yearLabel, rowHeader: true, value: (r) => r.year },
    ...series.map((s) => ({
      key: s.id,
      label: s.label,
      numeric: true,
      value: (r: TableRow) => r.values[s.id] ?? null,
      flag: (r: TableRow) => r.flags[s.id] ?? null,
      format: formatRate
    }))
  ];
}

/**
 * The figures a trend chart draws, for its CSV download: one row per line and year, with the
 * counts the rate comes from, their suppression flags, and the interval drawn around it.
 */
export function trendData(points: RatePoint[], measure: MeasureKey): ChartData {
  const m = MEASURES[measure];
  const kind = m.kind;
  const sorted = [...points].sort((a, b) => order(seriesKey(a)) - order(seriesKey(b)) || a.year_start - b.year_start);
  return {
    columns: ['area_type', 'area_name', 'pupil_group', 'academic_year', m.numerator, `${m.numerator}_flag`, 'pupils', 'pupils_flag', 'rate_per_100', 'lower_95', 'upper_95'],
    rows: sorted.map((r) => {
      const ci = r.area_type === 'LA' ? rateInterval(r.numerator, r.denominator, kind, phiOfPoint(r, kind)) : { lower: null, upper: null };
      return [r.area_type, r.area_name, r.pupil_group, r.academic_year, r.numerator, r.numerator_flag, r.denominator, r.denominator_flag, r.rate, ci.lower, ci.upper];
    })
  };
}
