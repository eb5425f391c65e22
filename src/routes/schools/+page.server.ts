// The schools page's first view, computed at build time on native DuckDB with the same query
// functions the browser runs later: the first page of the table (and its sparklines), the funnel
// for the default group and measure, and what the filters can offer. At national scale the
// funnel's points are left to DuckDB-WASM (FUNNEL_PRERENDER_MAX) so the page stays small.
import { funnelRows, funnelTarget, schoolFilterOptions, schoolTable, schoolTrends } from '$lib/data/school-queries';
import { publishedDb } from '$lib/server/published';
import { prerenderSchoolPages } from '$lib/ui/school-pages';
import { DEFAULT_FILTERS, FUNNEL_PRERENDER_MAX, funnelOptions, tableOptions } from '$lib/ui/schools-page';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
  const db = await publishedDb();
  const options = await schoolFilterOptions(db);
  // Without a SEN split by school (DfE's files) the first view is for all pupils.
  const filters = options.senSplit ? DEFAULT_FILTERS : { ...DEFAULT_FILTERS, group: 'All pupils' as const };
  const rows = await schoolTable(db, tableOptions(filters));
  const trends = await schoolTrends(db, { urns: rows.map((r) => r.urn), group: filters.group, measure: 'suspension_rate' });
  const funnelPrerendered = options.schools <= FUNNEL_PRERENDER_MAX;
  const funnel = funnelPrerendered ? await funnelRows(db, funnelOptions(filters)) : null;
  const target = await funnelTarget(db, funnelOptions(filters));
  return {
    options,
    filters,
    rows,
    trends,
    funnel,
    target,
    schoolPagesPrerendered: prerenderSchoolPages(options.schools)
  };
};
