// The overview's default view: what the page prerenders, and what the browser starts from.
import type { TrendOptions } from '$lib/data/queries';

export const DEFAULT_TREND = {
  measure: 'suspension_rate',
  phase: 'All',
  comparator: { areaType: 'England', group: 'All pupils' }
} as const satisfies TrendOptions;

/** Tables the overview's queries read: all DuckDB-WASM has to load for this page. */
export const OVERVIEW_TABLES = ['area_year'] as const;
