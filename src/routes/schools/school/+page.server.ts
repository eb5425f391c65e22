// The school page shell (national scale): nothing about any one school is prerendered here; the
// page reads ?urn= in the browser and fills itself from DuckDB-WASM. The build only tells it
// which kind of link to other schools this build has (see src/lib/ui/school-pages.ts).
import { readManifest } from '$lib/server/published';
import { prerenderSchoolPages } from '$lib/ui/school-pages';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = () => {
  const m = readManifest();
  return {
    schoolPagesPrerendered: prerenderSchoolPages(m.tables.schools.rows),
    reasonsBytes: m.tables.school_year_reason?.files.arrow.bytes ?? null
  };
};
