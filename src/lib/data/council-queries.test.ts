// The councillors' view's queries on DuckDB-WASM (the engine users get), against tiny inline tables
// whose answers are worked out by hand in the comments; and the view model on those answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { councilTrend, englandNeeds, laBreakdown, laYears } from './council-queries';
import { createTableSql } from './schema';
import { WasmNodeDb } from './wasm-node';
import { breakdownView, headline, ratioPoints, trendSummary } from '$lib/ui/council-view';

let db: WasmNodeDb;

const AY = `area_type, area_code, area_name, academic_year, year_start, phase, pupil_group, pupils, pupils_flag, suspensions, suspensions_flag, pupils_suspended, pupils_suspended_flag, pupils_repeat_suspended, pupils_repeat_suspended_flag, permanent_exclusions, permanent_exclusions_flag, sessions_lost, sessions_lost_flag, pupils_fsm, pupils_fsm_flag, source`;

beforeAll(async () => {
  db = await WasmNodeDb.open();
  db.exec(createTableSql('area_year'));
  db.exec(createTableSql('area_breakdown'));
  db.exec(`INSERT INTO area_year (${AY}) VALUES
    ('LA', '990', 'Testshire', '2022/23', 2022, 'All', 'EHC plan',   200, NULL, 50, NULL, 20, NULL, 8, NULL, 1, NULL, 120, NULL, 80, NULL, 't'),
    ('LA', '990', 'Testshire', '2022/23', 2022, 'All', 'SEN support', 800, NULL, 100, NULL, 60, NULL, 20, NULL, 2, NULL, 300, NULL, 300, NULL, 't'),
    ('LA', '990', 'Testshire', '2022/23', 2022, 'All', 'No SEN',    4000, NULL, 120, NULL, 90, NULL, 15, NULL, 0, NULL, 250, NULL, 900, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'EHC plan',   250, NULL, 75, NULL, NULL, 'c', NULL, 'c', 2, NULL, 200, NULL, 90, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'SEN support', 750, NULL, 90, NULL, 55, NULL, 18, NULL, 3, NULL, 280, NULL, 290, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'No SEN',    4000, NULL, 160, NULL, 100, NULL, 25, NULL, 1, NULL, 400, NULL, 950, NULL, 't'),
    ('England', 'E92000001', 'England', '2023/24', 2023, 'All', 'EHC plan', 400000, NULL, 100000, NULL, 30000, NULL, NULL, 'x', 800, NULL, NULL, 'x', NULL, 'x', 't'),
    ('Neighbour', '991', 'Nearshire', '2023/24', 2023, 'All', 'EHC plan', 1000, NULL, 300, NULL, 90, NULL, NULL, 'x', 3, NULL, NULL, 'x', NULL, 'x', 't'),
    ('Neighbour', '992', 'Farshire',  '2023/24', 2023, 'All', 'EHC plan', 3000, NULL, 500, NULL, 150, NULL, NULL, 'x', NULL, 'c', NULL, 'x', NULL, 'x', 't'),
    ('Neighbour', '991', 'Nearshire', '2023/24', 2023, 'Primary', 'EHC plan', 100, NULL, 5, NULL, 4, NULL, NULL, 'x', 0, NULL, NULL, 'x', NULL, 'x', 't')`);
  const B = `area_type, area_code, area_name, academic_year, year_start, phase, pupil_group, dimension, category_code, category, pupils, pupils_flag, suspensions, suspensions_flag, pupils_suspended, pupils_suspended_flag, permanent_exclusions, permanent_exclusions_flag, sessions_lost, sessions_lost_flag, source`;
  db.exec(`INSERT INTO area_breakdown (${B}) VALUES
    ('LA', '990', 'Testshire', '2022/23', 2022, 'All', 'EHC plan', 'reason', 'PD', 'Persistent disruptive behaviour', NULL, 'z', 20, NULL, NULL, 'z', 1, NULL, NULL, 'z', 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'EHC plan', 'reason', 'PD', 'Persistent disruptive behaviour', NULL, 'z', 30, NULL, NULL, 'z', NULL, 'c', NULL, 'z', 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'EHC plan', 'reason', 'OM', 'Inappropriate use of social media or online technology', NULL, 'z', 25, NULL, NULL, 'z', 0, NULL, NULL, 'z', 't'),
    ('LA', '990', 'Testshire', '2022/23', 2022, 'All', 'EHC plan', 'need', 'SEMH', 'Social, emotional and mental health', 60, NULL, 30, NULL, 12, NULL, 1, NULL, 80, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'EHC plan', 'need', 'SEMH', 'Social, emotional and mental health', 90, NULL, 45, NULL, NULL, 'c', 2, NULL, 150, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'EHC plan', 'need', 'ASD', 'Autistic spectrum disorder', 100, NULL, 20, NULL, 9, NULL, 0, NULL, 40, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'EHC plan', 'fsm', 'FSM', 'Eligible for free school meals', 90, NULL, 45, NULL, 15, NULL, 1, NULL, 100, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'EHC plan', 'fsm', 'NOT_FSM', 'Not eligible for free school meals', 160, NULL, 30, NULL, 12, NULL, 1, NULL, 100, NULL, 't'),
    ('England', 'E92000001', 'England', '2022/23', 2022, 'All', 'SEND', 'need', 'SEMH', 'Social, emotional and mental health', 180000, NULL, 70000, NULL, 30000, NULL, 900, NULL, NULL, 'x', 'DfE: c.csv'),
    ('England', 'E92000001', 'England', '2023/24', 2023, 'All', 'SEND', 'need', 'SEMH', 'Social, emotional and mental health', 190000, NULL, 72000, NULL, 31000, NULL, 1000, NULL, NULL, 'x', 'DfE: c.csv'),
    ('England', 'E92000001', 'England', '2023/24', 2023, 'All', 'SEND', 'need', 'MSI', 'Multi-sensory impairment', 2700, NULL, 90, NULL, 40, NULL, NULL, 'c', NULL, 'x', 'DfE: c.csv'),
    ('England', 'E92000001', 'England', '2023/24', 2023, 'Special', 'SEND', 'need', 'SEMH', 'Social, emotional and mental health', 20000, NULL, 2000, NULL, 800, NULL, 10, NULL, NULL, 'x', 'DfE: c.csv')`);
});

afterAll(async () => {
  await db.close();
});

describe('councilTrend', () => {
  it('gives the LA by group and year, and only the comparators asked for', async () => {
    const rows = await councilTrend(db, { measure: 'suspension_rate', phase: 'All', comparators: ['England'] });
    expect(rows.filter((r) => r.area_type === 'LA')).toHaveLength(6);
    expect(rows.filter((r) => r.area_type === 'Neighbour')).toHaveLength(0);
    const ehc = rows.find((r) => r.area_type === 'LA' && r.year_start === 2023 && r.pupil_group === 'EHC plan')!;
    expect(ehc.rate).toBe(30); // 75 / 250 x 100
    expect(rows.find((r) => r.area_type === 'England')!.rate).toBe(25); // 100,000 / 400,000 x 100
  });

  it('pools the statistical neighbours: counts added up, then the rate; NULL with c if any neighbour is suppressed', async () => {
    const sus = await councilTrend(db, { measure: 'suspension_rate', phase: 'All', comparators: ['Neighbour'] });
    const pooled = sus.find((r) => r.area_type === 'Neighbour')!;
    // (300 + 500) / (1000 + 3000) x 100 = 20, not the mean of 30 and 16.7
    expect(pooled).toMatchObject({ area_name: 'Statistical neighbours', numerator: 800, denominator: 4000, rate: 20, areas: 2 });
    const pex = await councilTrend(db, { measure: 'permanent_exclusion_rate', phase: 'All', comparators: ['Neighbour'] });
    expect(pex.find((r) => r.area_type === 'Neighbour')).toMatchObject({ numerator: null, numerator_flag: 'c', rate: null, denominator: 4000 });
    const primary = await councilTrend(db, { measure: 'suspension_rate', phase: 'Primary', comparators: ['Neighbour'] });
    expect(primary).toHaveLength(1);
    expect(primary[0]).toMatchObject({ rate: 5, areas: 1 }); // 5 / 100 x 100
  });
});

describe('laYears and laBreakdown', () => {
  it('returns every count of the LA rows for a phase', async () => {
    const rows = await laYears(db, { phase: 'All' });
    expect(rows).toHaveLength(6);
    expect(rows.find((r) => r.year_start === 2023 && r.pupil_group === 'EHC plan')).toMatchObject({ pupils_repeat_suspended: null, pupils_repeat_suspended_flag: 'c', sessions_lost: 200 });
  });

  it('sums a span of years; a reason or term takes the group\'s pupils; a suppressed year makes the sum suppressed', async () => {
    const reasons = await laBreakdown(db, { dimension: 'reason', from: 2022, to: 2023 });
    const pd = reasons.find((r) => r.category_code === 'PD')!;
    // suspensions 20 + 30 = 50 over pupils 200 + 250 = 450; permanent exclusions 1 + suppressed = suppressed
    expect(pd).toMatchObject({ years: 2, suspensions: 50, pupils: 450, permanent_exclusions: null, permanent_exclusions_flag: 'c' });
    // OM recorded in 2023/24 only: its denominator is that year's 250 pupils, not 450.
    expect(reasons.find((r) => r.category_code === 'OM')).toMatchObject({ years: 1, suspensions: 25, pupils: 250 });
    const needs = await laBreakdown(db, { dimension: 'need', from: 2022, to: 2023 });
    expect(needs.find((r) => r.category_code === 'SEMH')).toMatchObject({ pupils: 150, suspensions: 75, pupils_suspended: null, pupils_suspended_flag: 'c', sessions_lost: 230 });
    const latest = await laBreakdown(db, { dimension: 'need', from: 2023, to: 2023 });
    expect(latest.find((r) => r.category_code === 'SEMH')).toMatchObject({ years: 1, pupils: 90, suspensions: 45 });
    // England's SEND rows are not the LA's.
    expect(needs.every((r) => r.pupil_group === 'EHC plan')).toBe(true);
  });

  it('englandNeeds: England’s SEND need rows, all schools, summed over the span, with the years they cover', async () => {
    const rows = await englandNeeds(db, { from: 2020, to: 2023 });
    expect(rows).toEqual([
      expect.objectContaining({ pupil_group: 'SEND', category_code: 'MSI', area_name: 'England', years: 1, first_year: 2023, last_year: 2023, pupils: 2700, permanent_exclusions: null, permanent_exclusions_flag: 'c' }),
      // 180,000 + 190,000 pupil-years, 900 + 1,000 permanent exclusions (the Special row is not added)
      expect.objectContaining({ category_code: 'SEMH', years: 2, first_year: 2022, last_year: 2023, pupils: 370000, suspensions: 142000, permanent_exclusions: 1900, sessions_lost: null, sessions_lost_flag: 'x' })
    ]);
    for (const r of rows) for (const v of [r.years, r.first_year, r.pupils]) expect(typeof v).toBe('number'); // never BigInt
    expect(await englandNeeds(db, { from: 2010, to: 2012 })).toEqual([]);
  });
});

describe('the view model on those answers', () => {
  it('headline: risk ratio SEND to no SEN, and change on the year before', async () => {
    const h = headline(await laYears(db, { phase: 'All' }), 'Testshire')!;
    expect(h.year).toBe('2023/24');
    expect(h.previousYear).toBe('2022/23');
    expect(h.earlierYear).toBeNull();
    const sus = h.measures.find((m) => m.measure === 'suspension_rate')!;
    // SEND 2023/24: (75 + 90) / (250 + 750) = 16.5 per 100; no SEN 160 / 4000 = 4 per 100; ratio 4.125
    expect(sus.ratio!.now.ratio).toBeCloseTo(4.125, 10);
    expect(sus.groups[0]!.now.rate).toBe(30);
    // EHC plan 30 per 100 (75 of 250) against 25 (50 of 200): the interval of 1.2 includes 1
    expect(sus.groups[0]!.previous!.change).toBe('no clear change');
    expect(sus.sentence).toContain('4.1 times the rate of pupils with no SEN');
  });

  it('trend summary: pooled neighbours named with their number', async () => {
    const rows = await councilTrend(db, { measure: 'suspension_rate', phase: 'All', comparators: ['England', 'Neighbour'] });
    const s = trendSummary(rows, 'suspension_rate', 'all', 'Testshire');
    // 30 per 100 with 75 of 250. As separate events the interval would be 23.6 to 37.6, above the
    // neighbours' 20; but the LA's pupils suspended are withheld, so England's clustering (4.2 times
    // the variance) stands in: about 17.7 to 47.4, which holds both.
    expect(s).toContain('not clearly different from England (25.0)');
    expect(s).toContain('not clearly different from Statistical neighbours (2 together) (20.0)');
  });

  it('ratio points: SEND and each group against no SEN, by year', async () => {
    const pts = ratioPoints(await councilTrend(db, { measure: 'suspension_rate', phase: 'All', comparators: [] }), 'suspension_rate');
    const send22 = pts.find((p) => p.comparison === 'SEND' && p.year_start === 2022)!;
    // (50 + 100) / (200 + 800) = 15 per 100; no SEN 120 / 4000 = 3 per 100; ratio 5
    expect(send22.ratio).toBeCloseTo(5, 10);
    expect(send22.lower).toBeLessThan(5);
    expect(send22.upper).toBeGreaterThan(5);
  });

  it('breakdown: rates from the span\'s sums, the CSV rows are the rows drawn', async () => {
    const rows = await laBreakdown(db, { dimension: 'reason', from: 2022, to: 2023 });
    const v = breakdownView(rows, { dimension: 'reason', measure: 'suspension_rate', groups: ['EHC plan'], span: [2022, 2023], laName: 'Testshire' });
    // PD 50 / 450 x 100 = 11.1; OM 25 / 250 x 100 = 10: PD first
    expect(v.blocks[0]!.rows.map((r) => r.label)).toEqual(['Persistent disruptive behaviour', 'Inappropriate use of social media or online technology']);
    expect(v.data.rows.map((r) => [r[3], r[5], r[7], r[9]])).toEqual([
      ['PD', 50, 450, (50 / 450) * 100],
      ['OM', 25, 250, 10]
    ]);
    // 50 over 450 against 25 over 250: ratio 1.11, far from clear with these numbers
    expect(v.summary).toContain('was not clearly lower');
    const pex = breakdownView(rows, { dimension: 'reason', measure: 'permanent_exclusion_rate', groups: ['EHC plan'], span: [2022, 2023], laName: 'Testshire' });
    const suppressed = pex.blocks[0]!.rows.find((r) => r.label.startsWith('Persistent'))!;
    expect(suppressed).toMatchObject({ value: null, missing: 'suppressed', flag: 'c' });
    expect(pex.data.rows.find((r) => r[3] === 'PD')!.slice(5, 7)).toEqual([null, 'c']);
  });
});
