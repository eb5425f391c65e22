/**
 * Rule 8: the manifest describes exactly what is in the folder. Every file it lists exists with the
 * SHA-256 and size it states, each table's row count matches every format of it, and no file sits in
 * the release without being listed (an unlisted file would be served, or copied on, unaudited).
 *
 * The audit reads each table from `TABLE.csv|parquet|arrow`; a manifest pointing elsewhere would
 * make the audited files and the described files differ, so any other path is a breach too.
 */
import { createHash } from 'node:crypto';
import { RULES, type Collector } from './breach';
import { FORMATS, TABLE_NAMES, isTableName, type Format, type TableName } from './layout';

export const MANIFEST_FILE = 'manifest.json';

export interface ManifestInput {
  /** The parsed manifest.json, or an explanation of why there is none. */
  manifest: { ok: true; value: unknown } | { ok: false; problem: string };
  /** Every file in the release folder, by path relative to it (with `/`), with its bytes. */
  files: Map<string, Uint8Array>;
  /** Data rows read from each format of each table, where the file could be read. */
  rows: Map<TableName, Map<Format, number>>;
  /** Each file's SHA-256 (hex), where already worked out; the others are hashed here. */
  digests?: ReadonlyMap<string, string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function checkManifest(input: ManifestInput, out: Collector): void {
  const M = 'manifest';
  const listed = new Set<string>([MANIFEST_FILE]);
  if (!input.manifest.ok) {
    out.add(RULES.manifest, M, 0, '', '', input.manifest.problem);
  } else if (!isObject(input.manifest.value) || !isObject(input.manifest.value.tables)) {
    out.add(RULES.manifest, M, 0, 'tables', '', 'manifest.json has no "tables" object');
  } else {
    const tables = input.manifest.value.tables;
    for (const name of Object.keys(tables)) {
      if (!isTableName(name)) out.add(RULES.schema, M, 0, `tables.${name}`, name, `the manifest lists a table the audit does not know ("${name}"), so its files are not audited`);
    }
    for (const table of TABLE_NAMES) {
      const entry = tables[table];
      if (!isObject(entry)) {
        out.add(RULES.manifest, M, 0, `tables.${table}`, '', `the manifest does not list ${table}`);
        continue;
      }
      const rows = entry.rows;
      const files = isObject(entry.files) ? entry.files : {};
      if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 0) {
        out.add(RULES.manifest, M, 0, `tables.${table}.rows`, String(rows), 'row count is not a whole number');
      }
      for (const format of FORMATS) {
        out.count(RULES.manifest);
        const expected = `${table}.${format}`;
        const file = files[format];
        const field = `tables.${table}.files.${format}`;
        if (!isObject(file) || typeof file.path !== 'string') {
          out.add(RULES.manifest, M, 0, field, '', `the manifest does not list the ${format} file of ${table}`);
          continue;
        }
        const rel = file.path.replaceAll('\\', '/').replace(/^\.\//, '');
        listed.add(rel);
        if (rel !== expected) {
          out.add(RULES.manifest, M, 0, `${field}.path`, file.path, `expected "${expected}" (the file the audit reads)`);
          continue;
        }
        const bytes = input.files.get(rel);
        if (!bytes) continue; // reported below, with every other missing file

        if (file.bytes !== bytes.byteLength) {
          out.add(RULES.manifest, table, 0, format, String(file.bytes), `${rel} is ${bytes.byteLength} bytes, the manifest says ${String(file.bytes)}`);
        }
        const actual = input.digests?.get(rel) ?? sha256(bytes);
        if (file.sha256 !== actual) {
          out.add(RULES.manifest, table, 0, format, String(file.sha256), `${rel} has SHA-256 ${actual}, the manifest says ${String(file.sha256)}`);
        }
        const read = input.rows.get(table)?.get(format);
        if (typeof rows === 'number' && read !== undefined && read !== rows) {
          out.add(RULES.manifest, table, 0, format, String(rows), `${rel} has ${read} data rows, the manifest says ${rows}`);
        }
      }
    }
  }
  for (const table of TABLE_NAMES) {
    for (const format of FORMATS) {
      const rel = `${table}.${format}`;
      if (!input.files.has(rel)) out.add(RULES.manifest, table, 0, format, rel, `${rel} is missing from the release`);
    }
  }
  for (const rel of input.files.keys()) {
    out.count(RULES.manifest);
    if (!listed.has(rel)) out.add(RULES.manifest, rel, 0, '', rel, `${rel} is in the release but not listed in the manifest, so it would be published unaudited`);
  }
}
