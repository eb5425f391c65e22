// The schools pages' view models on a release built from DfE's files (the hand-made fixtures in
// tests/fixtures/dfe, through the real `--dfe` pipeline, in about a second): no SEN split by school,
// no reasons, no area breakdown, no statistical neighbours. The pages must fall back to all pupils
// with the census's SEN make-up as context, say what is missing and why, and show no NaN or
// undefined anywhere. A cheap stand-in for building the whole site on a DfE release.
import { describe, expect, it } from 'vitest';
import type { NodeDb } from '$lib/data/node-client';
import { MEASURE_KEYS } from '$lib/data/measures';
import { schoolFilterOptions, schoolTable } from '$lib/data/school-queries';
import { expectHiddenFiguresAddUp, strings, useDfeRelease, type DfeRelease } from '../../../tests/unit/dfe-release';
import { loadSchoolData } from './school-data';
import { schoolView } from './school-view';
import { DEFAULT_FILTERS, tableOptions } from './schools-page';

let release: DfeRelease;
let db: NodeDb;
useDfeRelease((r) => {
  release = r;
  db = r.db;
});

describe('the schools pages on a DfE release', () => {
  it('knows the release has no SEN split, so the list starts on all pupils', async () => {
    const o = await schoolFilterOptions(db);
    expect(o.senSplit).toBe(false);
    const rows = await schoolTable(db, tableOptions({ ...DEFAULT_FILTERS, group: 'All pupils' }));
    expect(rows.map((r) => r.urn)).toEqual(['900001', '900002']);
    expect(strings(rows).filter((s) => /NaN|undefined/.test(s))).toEqual([]);
  });

  it('a school page compares all pupils, with % EHC plan and % SEN support from the census as context', async () => {
    const data = (await loadSchoolData(db, '900001'))!;
    expect(data.reasons).toEqual([]);
    // 4 pupils with an EHC plan: withheld by the disclosure control (a count of 1 to 4), and SEN
    // support with it (secondary suppression): withheld context is still context, not "no census".
    expect(data.features).toMatchObject({ pupils: 200, pctEhc: null, pctEhcFlag: 'c', pctSenSupportFlag: 'c' });
    for (const measure of MEASURE_KEYS) {
      const view = schoolView(data, { group: 'SEND', measure, k: 10 }, (u) => `/schools/${u}`);
      expect([view.senSplit, view.group]).toEqual([false, 'All pupils']);
      expect(view.noSplitNote).toContain('from the school census, is the context');
      expect(view.reasonsSummary).toContain('school-level files, which this data comes from, give none');
      expect(strings(view).filter((s) => /NaN|undefined/.test(s))).toEqual([]);
    }
  });

  it('says so when the census gives no SEN context for the year', async () => {
    const data = (await loadSchoolData(db, '900001'))!;
    const noCensus = { ...data, features: { ...data.features, pctEhc: null, pctEhcFlag: 'x' as const, pctSenSupport: null, pctSenSupportFlag: 'x' as const } };
    const view = schoolView(noCensus, { group: 'SEND', measure: 'suspension_rate', k: 10 }, (u) => `/schools/${u}`);
    expect(view.noSplitNote).toMatch(/not available either: this release holds no school census figures for 2007\/08/);
  });
});

describe('the transparency page\u2019s hidden figures by table, on a DfE release (pipeline)', () => {
  it('counts every table, and the tables add up to the release\u2019s totals in the manifest', async () => {
    await expectHiddenFiguresAddUp(release);
  });
});
