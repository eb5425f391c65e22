// A school's page, prerendered: every school gets its own page while the release has at most
// PRERENDER_SCHOOL_PAGES_MAX schools (src/lib/ui/school-pages.ts, the scale switch). Above that,
// `entries` returns none, the build writes no per-school pages (svelte.config.js lets this one
// route go unseen), and every link points at the shell /schools/school?urn=... instead, which
// fills itself from DuckDB-WASM. The data are loaded by the same function in both cases.
import { error } from '@sveltejs/kit';
import { schoolUrns } from '$lib/data/school-queries';
import { publishedDb } from '$lib/server/published';
import { loadSchoolData, packSchoolData } from '$lib/ui/school-data';
import { prerenderSchoolPages } from '$lib/ui/school-pages';
import type { EntryGenerator, PageServerLoad } from './$types';

export const entries: EntryGenerator = async () => {
  const urns = await schoolUrns(await publishedDb());
  return prerenderSchoolPages(urns.length) ? urns.map((urn) => ({ urn })) : [];
};

export const load: PageServerLoad = async ({ params }) => {
  const db = await publishedDb();
  const school = await loadSchoolData(db, params.urn);
  if (!school) error(404, `No school with URN ${params.urn}`);
  return { school: packSchoolData(school) };
};
