/**
 * The overview's chart title, one-line summary, lines and notes from the trend rows. A release with
 * an SEN split at LA level (a council's extract, the demo) shows each SEN group; one without
 * (DfE's LA-level files are for all pupils only) shows all pupils and says why, instead of listing
 * every SEN group as "not available". Pure: the prerender and the browser give the same view.
 */
import type { MeasureKey } from '$lib/data/measures';
import { MEASURES } from '$lib/data/measures';
import type { RatePoint } from '$lib/data/queries';
import { trendSummary } from './trend';

export const NO_SEN_SPLIT_NOTE =
  'DfE\u2019s LA-level files imported here have no SEN split, so only all pupils are shown.';

export interface OverviewView {
  /** The rows to draw: without the LA's SEN groups when the release has no SEN split. */
  points: RatePoint[];
  title: string;
  summary: string;
  /** Said under the chart and in the notes when there is no SEN split; null otherwise. */
  noSplitNote: string | null;
}

export function overviewView(points: RatePoint[], measure: MeasureKey, laName: string, senSplit: boolean): OverviewView {
  const shown = senSplit ? points : points.filter((p) => p.area_type !== 'LA' || p.pupil_group === 'All pupils');
  const la = shown.filter((p) => p.area_type === 'LA').sort((a, b) => a.year_start - b.year_start);
  const span = la.length ? `, ${la[0]!.academic_year} to ${la.at(-1)!.academic_year}` : '';
  const label = MEASURES[measure].label;
  const summary = trendSummary(shown, measure, laName);
  return {
    points: shown,
    title: senSplit ? `${label}, by SEN provision${span}` : `${label}, all pupils${span}`,
    summary: senSplit ? summary : `${summary} ${NO_SEN_SPLIT_NOTE}`,
    noSplitNote: senSplit ? null : NO_SEN_SPLIT_NOTE
  };
}
