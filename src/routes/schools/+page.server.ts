// The schools page's first view, computed at build time on native DuckDB with the same query
// functions the browser runs later: the first page of the table (and its sparklines), the funnel
// for the default group and measure (the schools it can place, packed as columns, and a count of
// the rest), and what the filters can offer. So the first chart needs no DuckDB-WASM, at
// national scale too (up to FUNNEL_PRERENDER_MAX placed schools).
import { funnelPoints, funnelTargets, schoolFilterOptions, schoolTable, schoolTrends } from '$lib/data/school-queries';
import { packRows } from '$lib/data/packed-rows';
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
  const points = await funnelPoints(db, funnelOptions(filters));
  const funnel = points.rows.length <= FUNNEL_PRERENDER_MAX ? { rows: packRows(points.rows), notPlaced: points.notPlaced } : null;
  // Each phase's target, by phase (entries: a page's data is plain values).
  const targets = [...(await funnelTargets(db, funnelOptions(filters))).entries()];
  return {
    options,
    filters,
    rows,
    trends,
    funnel,
    targets,
    schoolPagesPrerendered: prerenderSchoolPages(options.schools)
  };
};
