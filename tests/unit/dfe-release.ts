// A small release built from the hand-made DfE fixtures (tests/fixtures/dfe) through the real
// `--dfe` pipeline, in about a second: what the view-model tests read to see how the pages behave
// on DfE's data (no SEN split by school, no reasons, no neighbours) without building a site.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Manifest } from '../../src/lib/data/manifest';
import { NodeDb } from '../../src/lib/data/node-client';
import { TABLE_NAMES } from '../../src/lib/data/schema';
import { laLatestYear, suppressionByTable } from '../../src/lib/data/transparency-queries';
import { runPipeline } from '../../src/pipeline/run';

const FIX = path.resolve('tests/fixtures/dfe');

export interface DfeRelease {
  db: NodeDb;
  /** The published release folder. */
  out: string;
  close(): Promise<void>;
}

/**
 * The release for one test file: built before its tests (`ready` gets it), removed after them.
 * Call at the top level of the file.
 */
export function useDfeRelease(ready: (release: DfeRelease) => void, opts: { passThrough?: boolean } = {}): void {
  let release: DfeRelease | undefined;
  beforeAll(async () => {
    release = await buildDfeRelease(opts);
    ready(release);
  }, 60_000);
  afterAll(async () => release?.close());
}

/** Builds the release; `passThrough` publishes DfE's figures under DfE's own suppression. */
export async function buildDfeRelease(opts: { passThrough?: boolean } = {}): Promise<DfeRelease> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dfe-release-'));
  const out = path.join(dir, 'out');
  const config = path.join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ statistical_neighbours: null, ...(opts.passThrough ? { dfe_pass_through: true } : {}) }));
  let school = path.join(FIX, 'school_old_names_reordered.csv');
  if (opts.passThrough) {
    // The hand-made school file publishes a count of 2, which DfE withholds (the pass-through
    // audit refuses it, src/pipeline/dfe/dfe.test.ts); 3 makes it a file DfE could have published.
    const copy = path.join(dir, 'school.csv');
    writeFileSync(copy, readFileSync(school, 'utf8').replace(',1000,2,100,', ',1000,3,100,'));
    school = copy;
  }
  await runPipeline({
    input: '',
    out,
    config,
    stagingRoot: path.join(dir, 'staging'),
    log: () => {},
    dfe: { files: [school, ...['register_cp1252.csv', 'census_fractions_no_year.csv', 'area_new_names_bom.csv', 'characteristic_ees_needs.csv'].map((f) => path.join(FIX, f))], year: 2007 }
  });
  const db = await NodeDb.fromPublished(out);
  return {
    db,
    out,
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Every string in a value, to look for NaN and undefined rendered into words. */
export function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (typeof v === 'number') return Number.isNaN(v) ? ['NaN'] : [];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

/**
 * The transparency page's hidden figures by table, on the release: every table with figures
 * counted, and the tables adding up to the release's totals in its manifest.
 */
export async function expectHiddenFiguresAddUp(release: DfeRelease): Promise<void> {
  const m = JSON.parse(readFileSync(path.join(release.out, 'manifest.json'), 'utf8')) as Manifest;
  const byTable = await suppressionByTable(release.db, TABLE_NAMES);
  expect(byTable.map((t) => t.table_name).sort()).toEqual(['area_breakdown', 'area_year', 'school_period', 'school_year', 'school_year_reason']);
  const hidden = Object.values(m.disclosure.cells_suppressed).reduce((a, b) => a + b, 0);
  expect(byTable.reduce((a, t) => a + t.suppressed, 0)).toBe(hidden);
  expect(byTable.reduce((a, t) => a + t.cells, 0)).toBe(m.disclosure.cells_published + hidden);
  expect(byTable.find((t) => t.table_name === 'area_breakdown')!.cells).toBeGreaterThan(0);
  expect(await laLatestYear(release.db)).toBe('2007/08');
}
