/**
 * The schools page's view state and its translation into query options, shared by the prerender
 * (which computes the default view) and the browser (which answers every later one), so the two
 * cannot drift. Every filter is a plain string or number, so the whole view can live in the
 * page's address.
 */
import type { SparkPoint } from '$lib/charts/Sparkline.svelte';
import { isMeasureKey, type MeasureKey } from '$lib/data/measures';
import {
  isSchoolGroup,
  isSortKey,
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

/** The tables the schools page loads into DuckDB-WASM. */
export const SCHOOLS_TABLES: readonly TableName[] = ['schools', 'school_year', 'school_period', 'area_year'];

/**
 * Above this many schools the funnel's points are not written into the prerendered page (they
 * would make it megabytes); the page draws the axes and limits' summary and fills the points from
 * DuckDB-WASM. At LA scale the whole funnel is prerendered.
 */
export const FUNNEL_PRERENDER_MAX = 5000;

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

/** Filters from untrusted strings (an address typed or pasted): anything unknown falls back to its default. */
export function parseFilters(get: (key: string) => string | null, years: readonly string[]): SchoolsFilters {
  const d = DEFAULT_FILTERS;
  const basis = get('basis');
  const group = get('group');
  const sort = get('sort');
  const measure = get('measure');
  const page = Number(get('page'));
  return {
    basis: basis === PERIOD || (basis !== null && years.includes(basis)) ? basis : d.basis,
    group: isSchoolGroup(group) ? group : d.group,
    phase: get('phase') ?? d.phase,
    type: get('type') ?? d.type,
    trust: get('trust') ?? d.trust,
    search: (get('q') ?? d.search).slice(0, 100),
    sort: isSortKey(sort) ? sort : d.sort,
    dir: get('dir') === 'desc' ? 'desc' : get('dir') === 'asc' ? 'asc' : d.dir,
    page: Number.isInteger(page) && page > 0 ? page : d.page,
    measure: isMeasureKey(measure) ? measure : d.measure
  };
}

/** Sparkline points by URN from the trend query's rows (a year not published is a gap). */
export function sparkTrends(points: readonly TrendPoint[]): Record<string, SparkPoint[]> {
  const out: Record<string, SparkPoint[]> = {};
  for (const p of points) (out[p.urn] ??= []).push({ x: p.year_start, xLabel: p.academic_year, y: p.rate });
  return out;
}
