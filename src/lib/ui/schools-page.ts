/**
 * The schools page's view state and its translation into query options, shared by the prerender
 * (which computes the default view) and the browser (which answers every later one), so the two
 * cannot drift. Every filter is a plain string or number, so the whole view can live in the
 * page's address.
 */
import type { SparkPoint } from '$lib/charts/Sparkline.svelte';
import type { MeasureKey } from '$lib/data/measures';
import {
  type Basis,
  type FunnelOptions,
  type SchoolGroup,
  type SchoolTableOptions,
  type SortDir,
  type SortKey,
  type TrendPoint
} from '$lib/data/school-queries';
import type { TableName } from '$lib/data/schema';

/** Rows per page of the schools table. */
export const SCHOOLS_PAGE_SIZE = 25;

/** The tables the schools table reads (the pooled or yearly rows, and every year for the sparklines). */
export const SCHOOLS_TABLE_TABLES: readonly TableName[] = ['schools', 'school_year', 'school_period'];
/** The tables the funnel reads: the same, and the LA's own rows for its target. */
export const SCHOOLS_FUNNEL_TABLES: readonly TableName[] = ['schools', 'school_year', 'school_period', 'area_year'];

/**
 * The funnel's first view is prerendered with up to this many placed schools (every school of
 * England has room): their rows go into the page packed as columns, without the schools that
 * cannot be placed (counted instead), so that the first chart needs no DuckDB-WASM at national
 * scale. Measured at 22,000 schools, 10 years: the default view (SEND, three years pooled) places
 * about 2,100 schools and adds about 30 KB to the page over the wire. Above 5,000 points the
 * funnel paints on a canvas once the page runs (FunnelPlot's `canvasAbove`).
 */
export const FUNNEL_PRERENDER_MAX = 25_000;

/** `period` for the latest three years pooled, else an academic year like `2023/24`. */
export const PERIOD = 'period';

export interface SchoolsFilters {
  basis: string;
  group: SchoolGroup;
  phase: string;
  type: string;
  trust: string;
  search: string;
  sort: SortKey;
  dir: SortDir;
  page: number;
  measure: MeasureKey;
}

export const DEFAULT_FILTERS: SchoolsFilters = {
  basis: PERIOD,
  group: 'SEND',
  phase: '',
  type: '',
  trust: '',
  search: '',
  sort: 'name',
  dir: 'asc',
  page: 0,
  measure: 'suspension_rate'
};

export function basisOf(f: Pick<SchoolsFilters, 'basis'>): Basis {
  return f.basis === PERIOD ? { kind: 'period' } : { kind: 'year', year: f.basis };
}

export function tableOptions(f: SchoolsFilters): SchoolTableOptions {
  return {
    basis: basisOf(f),
    group: f.group,
    phase: f.phase || null,
    type: f.type || null,
    trust: f.trust || null,
    search: f.search,
    sort: f.sort,
    dir: f.dir,
    limit: SCHOOLS_PAGE_SIZE,
    offset: f.page * SCHOOLS_PAGE_SIZE
  };
}

export function funnelOptions(f: SchoolsFilters): FunnelOptions {
  return { basis: basisOf(f), group: f.group, measure: f.measure, phase: f.phase || null };
}

/** A first click on a column sorts names A to Z, and numbers highest first; a second click reverses. */
export function nextSort(f: Pick<SchoolsFilters, 'sort' | 'dir'>, key: SortKey): { sort: SortKey; dir: SortDir } {
  if (f.sort === key) return { sort: key, dir: f.dir === 'asc' ? 'desc' : 'asc' };
  return { sort: key, dir: key === 'name' || key === 'phase' || key === 'type' ? 'asc' : 'desc' };
}

/** What the table shows depends on these; a change to any of them is a new table query. */
export function tableKey(f: SchoolsFilters): string {
  return JSON.stringify([f.basis, f.group, f.phase, f.type, f.trust, f.search, f.sort, f.dir, f.page]);
}

/** What the funnel shows depends on these (not on the search, the sort or the page). */
export function funnelKey(f: SchoolsFilters): string {
  return JSON.stringify([f.basis, f.group, f.phase, f.measure]);
}

/** Sparkline points by URN from the trend query's rows (a year not published is a gap). */
export function sparkTrends(points: readonly TrendPoint[]): Record<string, SparkPoint[]> {
  const out: Record<string, SparkPoint[]> = {};
  for (const p of points) (out[p.urn] ??= []).push({ x: p.year_start, xLabel: p.academic_year, y: p.rate });
  return out;
}
