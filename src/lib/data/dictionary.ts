/**
 * The data dictionary people download beside the data: one row per published column, built from
 * the schema the code uses (schema.ts), so it cannot drift from the files. Shown on /downloads and
 * served as /data-dictionary.csv.
 */
import { csvField } from './csv';
import { TABLES, TABLE_NAMES } from './schema';

export { csvField };

export interface DictionaryRow {
  table: string;
  column: string;
  type: string;
  description: string;
}

export function dataDictionary(): DictionaryRow[] {
  return TABLE_NAMES.flatMap((t) =>
    TABLES[t].columns.map((c) => ({ table: t, column: c.name, type: c.type, description: c.description }))
  );
}

export function dataDictionaryCsv(): string {
  const lines = ['table,column,type,description'];
  for (const r of dataDictionary()) lines.push([r.table, r.column, r.type, r.description].map(csvField).join(','));
  return lines.join('\n') + '\n';
}
