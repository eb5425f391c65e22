// Hostile text through the pipeline: an extract whose school names (and a comparator's area name)
// hold markup, script and spreadsheet formulas is published with the names intact in Arrow and
// Parquet (they are data; the site renders them as text) and neutralised in CSV, where a
// spreadsheet would otherwise run a leading =, +, - or @ as a formula.
import { tableFromIPC } from 'apache-arrow';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../lib/data/manifest';
import { NodeDb } from '../lib/data/node-client';
import { sql } from '../lib/data/sql';
import { COMBINED, HOSTILE } from '../../tests/unit/hostile-html';
import { runPipeline } from './run';

const FIXTURE = path.resolve('tests/fixtures/extract-small');
const NO_SUPPRESSION = path.resolve('tests/fixtures/config-no-suppression.json');

/** A field as the council's own CSV export would write it: quoted when needed, never neutralised. */
const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** School URN -> the hostile name it is given: the fixture's two schools, then one school each for the rest. */
const NAMES = new Map(HOSTILE.map((name, i) => [String(900001 + i), name]));

let tmp: string;
let out: string;
let manifest: Manifest;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'hostile-'));
  const input = path.join(tmp, 'extract');
  await cp(FIXTURE, input, { recursive: true });
  const [header, ...rows] = (await readFile(path.join(input, 'schools.csv'), 'utf8')).trimEnd().split('\n');
  const template = rows[0]!.split(',');
  const schools = [...NAMES].map(([urn, name], i) => {
    const base = i < rows.length ? rows[i]!.split(',') : [...template];
    base[0] = urn;
    base[1] = i < rows.length ? base[1]! : `990${String(5000 + i).padStart(4, '0')}`;
    base[2] = quote(name);
    return base.join(',');
  });
  await writeFile(path.join(input, 'schools.csv'), [header, ...schools].join('\n') + '\n');
  const comparators = (await readFile(path.join(input, 'comparators.csv'), 'utf8')).replaceAll(',England,', `,${quote(COMBINED)},`);
  await writeFile(path.join(input, 'comparators.csv'), comparators);
  out = path.join(tmp, 'published');
  manifest = await runPipeline({ input, out, config: NO_SUPPRESSION, stagingRoot: path.join(tmp, 'staging') });
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A CSV file's records as arrays of fields (RFC 4180: quoted fields, doubled quotes). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') record.push(field), (field = '');
    else if (c === '\n') record.push(field), records.push(record), (record = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field || record.length) records.push([...record, field]);
  return records;
}

describe('hostile school and area names', () => {
  it('pass validation and the audit, and are published', () => {
    expect(manifest.tables.schools.rows).toBe(NAMES.size);
  });

  it('are intact in Arrow, the file the browser loads', async () => {
    const t = tableFromIPC(await readFile(path.join(out, manifest.tables.schools.files.arrow.path)));
    const names = new Map(t.toArray().map((r) => [String(r.urn), String(r.name)]));
    expect(names).toEqual(NAMES);
    const areas = tableFromIPC(await readFile(path.join(out, manifest.tables.area_year.files.arrow.path)));
    expect(new Set(areas.getChild('area_name')!.toArray())).toContain(COMBINED);
  });

  it('are intact in Parquet', async () => {
    const db = await NodeDb.fromPublished(out);
    const rows = await db.query<{ urn: string; name: string }>(sql`SELECT urn, name FROM schools ORDER BY urn`);
    expect(new Map(rows.map((r) => [r.urn, r.name]))).toEqual(NAMES);
    await db.close();
  });

  it('are neutralised in CSV: a leading =, +, - or @ gets an apostrophe; nothing else changes', async () => {
    const [header, ...rows] = parseCsv(await readFile(path.join(out, manifest.tables.schools.files.csv.path), 'utf8'));
    const urn = header!.indexOf('urn');
    const name = header!.indexOf('name');
    expect(rows).toHaveLength(NAMES.size);
    for (const r of rows) {
      const original = NAMES.get(r[urn]!)!;
      expect(r[name]).toBe(/^[=+\-@\t\r]/.test(original) ? `'${original}` : original);
      expect(r[name]).not.toMatch(/^[=+\-@\t\r]/);
    }
    // Every text field of every published CSV, not just names.
    for (const t of Object.values(manifest.tables)) {
      const records = parseCsv(await readFile(path.join(out, t.files.csv.path), 'utf8'));
      const starts = records.slice(1).flat().filter((f) => /^[=+@\t\r]/.test(f) || /^-[^0-9.]/.test(f));
      expect(starts, t.files.csv.path).toEqual([]);
    }
    const areas = await readFile(path.join(out, manifest.tables.area_year.files.csv.path), 'utf8');
    expect(parseCsv(areas).some((r) => r.includes(COMBINED))).toBe(true);
  });
});
