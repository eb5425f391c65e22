// /data-dictionary.csv: the data dictionary as a file, written at build time (prerendered).
import { dataDictionaryCsv } from '$lib/data/dictionary';

export const prerender = true;

export function GET(): Response {
  return new Response(dataDictionaryCsv(), { headers: { 'Content-Type': 'text/csv; charset=utf-8' } });
}
