// The overview's first view, computed at build time on native DuckDB with the same query function
// the browser runs later, so the prerendered chart needs no JavaScript and no DuckDB-WASM download.
import { laSenSplit, laTrend } from '$lib/data/queries';
import { publishedDb } from '$lib/server/published';
import { DEFAULT_TREND } from '$lib/ui/overview-defaults';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
  const db = await publishedDb();
  const points = await laTrend(db, DEFAULT_TREND);
  // DfE's LA-level files have no SEN split: the page then shows all pupils and says so.
  return { measure: DEFAULT_TREND.measure, points, senSplit: await laSenSplit(db) };
};
