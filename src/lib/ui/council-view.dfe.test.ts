// The councillors' primary-need chart on a release built from DfE's files (the hand-made fixtures
// in tests/fixtures/dfe, through the real `--dfe` pipeline): DfE publishes primary need for England
// only, for every pupil with SEN together, so the LA has no need rows and England's are shown as
// context, with a note saying what they are. Then, on hand-made rows, the case of an LA with its
// own need rows by group beside England's: both shown, each named for whom it counts, never paired.
import { describe, expect, it } from 'vitest';
import { councilTrend, englandNeeds, laBreakdown, laYears, type BreakdownRow, type NeedContextRow } from '$lib/data/council-queries';
import { laSenSplit } from '$lib/data/queries';
import type { NodeDb } from '$lib/data/node-client';
import { strings, useDfeRelease } from '../../../tests/unit/dfe-release';
import { breakdownView, ENGLAND_NEEDS_LABEL, headline, needView, ratioPoints, ratioSummary, yearSummary } from './council-view';

let db: NodeDb;
useDfeRelease((release) => (db = release.db));

describe('the primary-need chart on a DfE release', () => {
  it('shows England\u2019s figures by need as context, with a note, when the LA has none', async () => {
    const span = { from: 2007, to: 2007 };
    const la = await laBreakdown(db, { dimension: 'need', ...span });
    expect(la).toEqual([]);
    const england = await englandNeeds(db, span);
    expect(england.map((r) => r.category_code)).toEqual(['ASD', 'BESD', 'HI']); // all schools only: not the special schools' row
    const v = needView(la, england, { measure: 'permanent_exclusion_rate', span: [2007, 2007], laName: 'Testshire' });
    expect(v.englandOnly).toBe(true);
    expect(v.blocks.map((b) => b.label)).toEqual([ENGLAND_NEEDS_LABEL]);
    // Rates are count / pupils x 100, highest first; DfE's withheld figure last, said so; no interval (a whole population).
    expect(v.blocks[0]!.rows.map((r) => [r.label, r.value, r.missing, r.lower, r.upper])).toEqual([
      ['Behavioural, emotional and social difficulties', (600 / 150000) * 100, undefined, null, null],
      ['Autistic spectrum disorder', (60 / 60000) * 100, undefined, null, null],
      ['Hearing impairment', null, 'suppressed', null, null]
    ]);
    expect(v.summary).toBe(
      'In 2007/08, among all pupils with SEN in England (DfE\u2019s figures, every SEN provision together), those whose primary need was behavioural, emotional and social difficulties were permanently excluded at the highest rate (0.40 per 100 pupils), then autistic spectrum disorder (0.10). Testshire has no figures by primary need in this release.'
    );
    expect(v.note).toContain('DfE publishes SEN primary need for England only, counting every pupil with SEN together (an EHC plan or statement, and SEN support)');
    expect(v.note).toContain('Before 2015/16 no primary need was recorded for pupils at School Action');
    expect(v.rows.map((r) => r.group)).toEqual([ENGLAND_NEEDS_LABEL, ENGLAND_NEEDS_LABEL, ENGLAND_NEEDS_LABEL]);
    expect(v.data.columns.at(-1)).toBe('area');
    expect(v.data.rows.map((r) => [r[1], r[3], r[5], r[7], r[12]])).toEqual([
      ['SEND', 'BESD', 600, 150000, 'England'],
      ['SEND', 'ASD', 60, 60000, 'England'],
      ['SEND', 'HI', null, 20000, 'England']
    ]);
    expect(strings(v).filter((s) => /NaN|undefined/.test(s))).toEqual([]);
  });

  it('says when the span runs past England\u2019s years, and when it crosses the BESD-to-SEMH change', async () => {
    const england = await englandNeeds(db, { from: 2006, to: 2016 });
    const v = needView([], england, { measure: 'suspension_rate', span: [2006, 2016], laName: 'Testshire' });
    expect(v.note).toContain('England\u2019s figures by need cover 2007/08 to 2014/15 only.');
    expect(v.note).toContain('Behavioural, emotional and social difficulties (to 2013/14) was replaced by social, emotional and mental health (from 2014/15)');
    expect(v.summary.startsWith('From 2006/07 to 2016/17 together, among all pupils with SEN in England')).toBe(true);
  });
});

describe('the rest of the councillors\u2019 view on a DfE release (no SEN split for the LA)', () => {
  it('headline figures for all pupils, no risk ratio, and sentences that say what is missing', async () => {
    expect(await laSenSplit(db)).toBe(false);
    const rows = await laYears(db, { phase: 'All' });
    const h = headline(rows, 'Testshire', false)!;
    for (const m of h.measures) {
      expect(m.groups.map((g) => g.group)).toEqual(['All pupils']);
      expect(m.ratio).toBeNull();
      expect(m.sentence).toMatch(/^In \d{4}\/\d{2}, Testshire's .* for all pupils\.$/);
    }
    const trend = await councilTrend(db, { measure: 'suspension_rate', phase: 'All', comparators: ['England'] });
    const ratio = ratioSummary(ratioPoints(trend, 'suspension_rate'), 'suspension_rate', 'Testshire', false);
    expect(ratio).toMatch(/^Testshire's ratio cannot be worked out: the LA-level figures in this release have no SEN split\./);
    expect(yearSummary(rows, 'repeat', 'Testshire')).toBe('This release has no figures for pupils suspended more than once in Testshire: its source does not give them.');
    expect(yearSummary(rows, 'sessions', 'Testshire')).toBe('This release has no figures for sessions lost to suspensions in Testshire: its source does not give them.');
    const reasons = await laBreakdown(db, { dimension: 'reason', from: 2007, to: 2007 });
    expect(breakdownView(reasons, { dimension: 'reason', measure: 'suspension_rate', groups: ['EHC plan'], span: [2007, 2007], laName: 'Testshire' }).summary).toBe(
      'In 2007/08, this release has no figures for Testshire by reason.'
    );
    expect(strings([h, ratio]).filter((x) => /NaN|undefined/.test(x))).toEqual([]);
  });
});

describe('the primary-need chart with the LA\u2019s own need rows', () => {
  const la = (group: BreakdownRow['pupil_group'], code: string, pupils: number, perm: number): BreakdownRow => ({
    pupil_group: group,
    category_code: code,
    category: code === 'ASD' ? 'Autistic spectrum disorder' : 'Social, emotional and mental health',
    years: 1,
    pupils,
    pupils_flag: null,
    suspensions: 0,
    suspensions_flag: null,
    pupils_suspended: 0,
    pupils_suspended_flag: null,
    permanent_exclusions: perm,
    permanent_exclusions_flag: null,
    sessions_lost: 0,
    sessions_lost_flag: null
  });
  const rows = [la('EHC plan', 'ASD', 200, 1), la('EHC plan', 'SEMH', 100, 2), la('SEN support', 'SEMH', 400, 3)];
  const england: NeedContextRow[] = [
    { ...la('EHC plan', 'SEMH', 186795, 2030), pupil_group: 'SEND', area_name: 'England', first_year: 2023, last_year: 2023 }
  ];

  it('keeps the LA\u2019s groups with their intervals and adds England\u2019s as a block of its own, saying they are not the same groups', () => {
    const v = needView(rows, england, { measure: 'permanent_exclusion_rate', span: [2023, 2023], laName: 'Testshire' });
    expect(v.englandOnly).toBe(false);
    expect(v.blocks.map((b) => b.label)).toEqual(['Pupils with an EHC plan', 'Pupils on SEN support', ENGLAND_NEEDS_LABEL]);
    expect(v.blocks[0]!.rows[0]!.lower).not.toBeNull();
    expect(v.note).toContain('They are not the same groups, so England\u2019s are context for both, not a benchmark for either.');
    expect(v.summary).toContain('Among all pupils with SEN in England');
    expect(v.data.rows.map((r) => r[12])).toEqual(['Testshire', 'Testshire', 'Testshire', 'England']);
  });

  it('on a release with no England need rows (the demo), is the chart it was, with no note', () => {
    const v = needView(rows, [], { measure: 'permanent_exclusion_rate', span: [2023, 2023], laName: 'Testshire' });
    expect(v.note).toBeNull();
    expect(v.blocks.map((b) => b.label)).toEqual(['Pupils with an EHC plan', 'Pupils on SEN support']);
    expect(needView([], [], { measure: 'permanent_exclusion_rate', span: [2023, 2023], laName: 'Testshire' }).summary).toBe(
      'In 2023/24, this release has no figures for Testshire by primary need.'
    );
  });
});
