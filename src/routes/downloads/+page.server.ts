// The downloads page: every published file with its size and checksum, from the release manifest,
// and the data dictionary from the schema.
import { dataDictionary } from '$lib/data/dictionary';
import { TABLES, TABLE_NAMES, SUPPRESSION_CODES } from '$lib/data/schema';
import { readManifest } from '$lib/server/published';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = () => {
  const m = readManifest();
  return {
    tables: TABLE_NAMES.map((t) => ({ name: t, description: TABLES[t].description, rows: m.tables[t].rows, files: m.tables[t].files })),
    dictionary: dataDictionary(),
    codes: Object.entries(SUPPRESSION_CODES),
    disclosure: m.disclosure,
    sources: m.sources,
    release: m.release,
    generated_at: m.generated_at,
    synthetic: m.synthetic,
    label: m.label
  };
};
