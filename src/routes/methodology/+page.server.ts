// The methodology page's facts, read at build time from the release it describes (sources and
// their checksums, thresholds, the rules as recorded, the years covered) and from data/site.json
// (update frequency, contact), so the page can never describe a different release from the data.
import { readManifest } from '$lib/server/published';
import { readSiteFacts } from '$lib/server/site';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = () => {
  const m = readManifest();
  return {
    sources: m.sources,
    disclosure: m.disclosure,
    years: m.years,
    neighbours: m.neighbours,
    schemaVersion: m.schema_version,
    site: readSiteFacts()
  };
};
