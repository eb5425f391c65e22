// The transparency page's figures, computed once at build time on native DuckDB so that the page is
// complete with JavaScript off and never downloads DuckDB-WASM: the latest year's key figures, the
// two trends, one line per school, and the release facts (manifest and data/site.json).
import { statSync } from 'node:fs';
import { base } from '$app/paths';
import path from 'node:path';
import { laSenSplit, laTrend } from '$lib/data/queries';
import { keyFigures, laLatestYear, schoolIndex, suppressionByTable } from '$lib/data/transparency-queries';
import { schoolFilterOptions } from '$lib/data/school-queries';
import { PUBLISHED_DIR, publishedDb, readManifest } from '$lib/server/published';
import { TABLE_NAMES, type TableName } from '$lib/data/schema';
import { readSiteFacts } from '$lib/server/site';
import type { PageServerLoad } from './$types';

interface DownloadFile {
  href: string;
  file: string;
  format: 'CSV' | 'Parquet' | 'JSON';
  bytes: number;
}

interface Download {
  name: string;
  description: string;
  rows: number | null;
  files: DownloadFile[];
}

export const load: PageServerLoad = async () => {
  const manifest = readManifest();
  const site = readSiteFacts();
  const db = await publishedDb();
  // Schools' figures are for the release's latest year; the key figures for the LA's latest year,
  // which a release built from DfE's files can have later than its school-level figures.
  const year = manifest.latest_year;
  const comparator = { areaType: 'England', group: 'All pupils' } as const;

  // One connection: run the queries one after another.
  const keyYear = (await laLatestYear(db)) ?? year;
  const figures = await keyFigures(db, { year: keyYear });
  const suspensions = await laTrend(db, { measure: 'suspension_rate', phase: 'All', comparator });
  const exclusions = await laTrend(db, { measure: 'permanent_exclusion_rate', phase: 'All', comparator });
  const schools = await schoolIndex(db, { year });
  const byTable = await suppressionByTable(db, TABLE_NAMES.filter((t) => t in manifest.tables));
  // Whether schools' figures are split by SEN group at all (DfE publishes them for all pupils only).
  const schoolSenSplit = (await schoolFilterOptions(db)).senSplit;
  // DfE's LA-level files have no SEN split: the page then shows all pupils and says so.
  const senSplit = await laSenSplit(db);

  const downloads: Download[] = (Object.entries(manifest.tables) as [TableName, (typeof manifest.tables)[TableName]][]).map(
    ([name, t]) => ({
      name,
      description: t.description,
      rows: t.rows,
      files: [
        { href: `${base}/data/${t.files.csv.path}`, file: t.files.csv.path, format: 'CSV', bytes: t.files.csv.bytes },
        { href: `${base}/data/${t.files.parquet.path}`, file: t.files.parquet.path, format: 'Parquet', bytes: t.files.parquet.bytes }
      ]
    })
  );
  downloads.push({
    name: 'manifest',
    description: 'What this release contains: every file with its size and SHA-256 checksum, the sources, and the disclosure control applied.',
    rows: null,
    files: [{ href: `${base}/data/manifest.json`, file: 'manifest.json', format: 'JSON', bytes: statSync(path.join(PUBLISHED_DIR, 'manifest.json')).size }]
  });

  return {
    year,
    keyYear,
    schoolSenSplit,
    figures,
    senSplit,
    suspensions,
    exclusions,
    schools,
    schoolRows: manifest.tables.schools.rows,
    disclosure: manifest.disclosure,
    byTable,
    downloads,
    site
  };
};
