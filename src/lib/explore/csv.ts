/**
 * A query result as a CSV download, written the way every CSV this project writes is written
 * (src/lib/data/csv.ts: quoted only when needed, spreadsheet formulas neutralised). NULL is an
 * empty field, as in the published CSVs, where the `_flag` column beside a count says why it is
 * empty. Built in the browser from the rows on screen: nothing is fetched to make it.
 */
import { csvField } from '$lib/data/csv';
import type { Cell, QueryResult } from './result';

function field(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return csvField(v);
}

export function resultCsv(result: QueryResult): string {
  const lines = [result.columns.map((c) => csvField(c.name)).join(',')];
  for (let r = 0; r < result.rowCount; r++) lines.push(result.columns.map((c) => field(c.values[r]!)).join(','));
  return `${lines.join('\n')}\n`;
}

/** A file name for the download: the explorer's name, the release and the time it ran. */
export function csvFileName(release: string, at: Date): string {
  const stamp = at.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `explore-${release.replace(/[^A-Za-z0-9._-]+/g, '-')}-${stamp}.csv`;
}
