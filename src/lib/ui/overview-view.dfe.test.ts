// The overview's view model and the disclosure wording on a release built from DfE's files (the
// hand-made fixtures in tests/fixtures/dfe, through the real `--dfe` pipeline with DfE's figures
// passed through): DfE's LA-level files have no SEN split, so the overview shows all pupils and
// says why, instead of listing each SEN group as "not available"; the withheld-figures text says
// DfE's rule, not this pipeline's thresholds. The demo-like case (a split) is unchanged.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '$lib/data/manifest';
import type { NodeDb } from '$lib/data/node-client';
import { laSenSplit, laTrend, type RatePoint } from '$lib/data/queries';
import { expectHiddenFiguresAddUp, useDfeRelease, type DfeRelease } from '../../../tests/unit/dfe-release';
import { disclosureWords } from './disclosure-words';
import { DEFAULT_TREND } from './overview-defaults';
import { NO_SEN_SPLIT_NOTE, overviewView } from './overview-view';

let release: DfeRelease;
let db: NodeDb;
useDfeRelease((r) => {
  release = r;
  db = r.db;
}, { passThrough: true });

describe('the overview on a DfE release', () => {
  it('has no SEN split at LA level, so shows all pupils and says why', async () => {
    expect(await laSenSplit(db)).toBe(false);
    const points = await laTrend(db, DEFAULT_TREND);
    expect(points.some((p) => p.area_type === 'LA' && p.pupil_group === 'All pupils' && p.rate !== null)).toBe(true);
    const v = overviewView(points, 'suspension_rate', 'Testshire', false);
    expect(v.points.filter((p) => p.area_type === 'LA').every((p) => p.pupil_group === 'All pupils')).toBe(true);
    expect(v.title).toMatch(/^Suspensions per 100 pupils, all pupils, \d{4}\/\d{2} to \d{4}\/\d{2}$/);
    expect(v.title).not.toContain('SEN provision');
    expect(v.summary).toContain('for all pupils');
    expect(v.summary).toContain(NO_SEN_SPLIT_NOTE);
    expect(v.summary.replace(NO_SEN_SPLIT_NOTE, '')).not.toMatch(/not available|EHC plan|SEN support|no SEN|NaN|undefined/);
    expect(v.noSplitNote).toBe('DfE\u2019s LA-level files imported here have no SEN split, so only all pupils are shown.');
  });

  it('words withheld figures by DfE’s rule, from the manifest', () => {
    const m = JSON.parse(readFileSync(path.join(release.out, 'manifest.json'), 'utf8')) as Manifest;
    expect(m.disclosure.mode).toBe('dfe-published');
    const w = disclosureWords(m.disclosure);
    expect(w.passThrough).toBe(true);
    expect([w.tableNote, ...w.rules].join(' ')).not.toContain('1 to 4');
    expect(w.tableNote).toContain('1 or 2');
  });
});

describe('the overview with an SEN split (the demo, a council extract)', () => {
  const pt = (group: RatePoint['pupil_group'], year: number, rate: number | null, area: 'LA' | 'England' = 'LA'): RatePoint => ({
    area_type: area,
    area_code: area === 'LA' ? '999' : 'E92000001',
    area_name: area === 'LA' ? 'Demo' : 'England',
    academic_year: `${year}/${String((year + 1) % 100).padStart(2, '0')}`,
    year_start: year,
    pupil_group: group,
    denominator: rate === null ? null : 100,
    denominator_flag: null,
    numerator: rate,
    numerator_flag: rate === null ? 'c' : null,
    rate
  });
  it('keeps every group, the "by SEN provision" title and the summary as before', () => {
    const points = [pt('EHC plan', 2022, 20), pt('EHC plan', 2023, null), pt('All pupils', 2022, 5), pt('All pupils', 2023, 6), pt('All pupils', 2023, 4, 'England')];
    const v = overviewView(points, 'suspension_rate', 'Demo', true);
    expect(v.points).toEqual(points);
    expect(v.title).toBe('Suspensions per 100 pupils, by SEN provision, 2022/23 to 2023/24');
    expect(v.summary).toBe('In 2023/24, Demo recorded these suspensions per 100 pupils: not available for pupils with an EHC plan and 6.00 for all pupils; England: 4.00 for all pupils.');
    expect(v.noSplitNote).toBeNull();
  });
});

describe('the transparency page\u2019s hidden figures by table, on a DfE release (dfe-published)', () => {
  it('counts every table, and the tables add up to the release\u2019s totals in the manifest', async () => {
    await expectHiddenFiguresAddUp(release);
  });
});
