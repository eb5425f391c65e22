// The explorer's prerendered part: the published tables (names from the release manifest, columns
// and types as native DuckDB reads the published files) and the example queries, so that the page
// makes sense with JavaScript off. The editor itself runs in the browser.
import { base } from '$app/paths';
import { sql } from '$lib/data/sql';
import { TABLES } from '$lib/data/schema';
import { examplesFor } from '$lib/explore/examples';
import { publishedDb, readManifest } from '$lib/server/published';
import type { PageServerLoad } from './$types';

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
}

export const load: PageServerLoad = async () => {
  const manifest = readManifest();
  const names = Object.keys(manifest.tables).sort();
  const db = await publishedDb();
  const columns = await db.query<ColumnRow>(
    sql`SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_name IN (${names}) ORDER BY table_name, ordinal_position`
  );
  const described = (t: string, c: string) =>
    (TABLES as Record<string, { columns: { name: string; description: string }[] } | undefined>)[t]?.columns.find((x) => x.name === c)?.description ?? '';
  return {
    tables: names.map((name) => {
      const t = manifest.tables[name as keyof typeof manifest.tables];
      return {
        name,
        rows: t.rows,
        description: t.description,
        arrow: `${base}/data/${t.files.arrow.path}`,
        columns: columns.filter((c) => c.table_name === name).map((c) => ({ name: c.column_name, type: c.data_type, description: described(name, c.column_name) }))
      };
    }),
    examples: examplesFor(names),
    release: manifest.release
  };
};
