// The schools view's query functions on DuckDB-WASM (the engine users get), against tiny inline
// tables whose answers are worked out by hand in the comments; the same fixture is replayed on
// native DuckDB to show both engines give identical rows (the search uses strip_accents and
// regexp_replace, whose behaviour could differ between engine versions).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchKey } from '$lib/ui/school-index';
import { NodeDb } from './node-client';
import {
  areaComparators,
  funnelPoints,
  funnelRows,
  funnelTarget,
  funnelTargets,
  schoolBasisSql,
  schoolCount,
  schoolFilterOptions,
  schoolPeriodRows,
  schoolProfile,
  schoolReasons,
  schoolTable,
  schoolTrends,
  schoolYearRows,
  SEARCH_KEY_SQL,
  searchWords,
  similarityFeatures,
  type SchoolTableOptions
} from './school-queries';
import { createTableSql } from './schema';
import { sql } from './sql';
import { WasmNodeDb } from './wasm-node';

let db: WasmNodeDb;
const fixture: string[] = [];

const YEAR_COLS =
  'urn, academic_year, year_start, pupil_group, pupils, pupils_flag, suspensions, suspensions_flag, pupils_suspended, pupils_suspended_flag, permanent_exclusions, permanent_exclusions_flag, pupils_fsm, pupils_fsm_flag';

beforeAll(async () => {
  db = await WasmNodeDb.open();
  const run = (text: string) => {
    fixture.push(text);
    db.exec(text);
  };
  run(createTableSql('schools'));
  run(`INSERT INTO schools (urn, laestab, name, la_code, la_name, region, phase, type, status, trust) VALUES
    ('100001', '9902001', 'Zeta Primary School',     '990', 'Testshire', 'South West', 'Primary',   'Maintained', 'Open', NULL),
    ('100002', '9902002', 'Lady Hawkins’ School',    '990', 'Testshire', 'South West', 'Primary',   'Academy',    'Open', 'Oak Trust'),
    ('100003', '9904001', 'École Saint-Jean Academy', '990', 'Testshire', 'South West', 'Secondary', 'Academy',    'Open', 'Oak Trust'),
    ('100004', '9902003', 'St Mary''s C of E Primary', '990', 'Testshire', 'South West', 'Primary',   'Academy',    'Open', 'Ash Trust'),
    ('100005', '9902004', 'Closed Primary',          '990', 'Testshire', 'South West', 'Primary',   'Maintained', 'Closed', NULL)`);

  run(createTableSql('school_year'));
  const y = `'2023/24', 2023`;
  run(`INSERT INTO school_year (${YEAR_COLS}) VALUES
    -- Zeta: every group published. SEND = 10 + 30 = 40 pupils, 4 + 6 = 10 suspensions (25 per 100);
    -- No SEN 160 pupils, 8 suspensions (5 per 100): risk ratio 25 / 5 = 5.
    ('100001', ${y}, 'All pupils',  200, NULL, 18, NULL, 12, NULL, 1, NULL, 40, NULL),
    ('100001', ${y}, 'EHC plan',     10, NULL,  4, NULL,  3, NULL, 0, NULL,  5, NULL),
    ('100001', ${y}, 'SEN support',  30, NULL,  6, NULL,  5, NULL, 1, NULL, 10, NULL),
    ('100001', ${y}, 'No SEN',      160, NULL,  8, NULL,  6, NULL, 0, NULL, 25, NULL),
    -- Lady Hawkins': the EHC plan group is suppressed whole, so SEND is not published.
    ('100002', ${y}, 'All pupils',  300, NULL, 30, NULL, 20, NULL, 0, NULL, 60, NULL),
    ('100002', ${y}, 'EHC plan',   NULL, 'c', NULL, 'c', NULL, 'c', NULL, 'c', NULL, 'c'),
    ('100002', ${y}, 'SEN support', NULL, 'c', 12, NULL, NULL, 'c', 0, NULL, NULL, 'c'),
    ('100002', ${y}, 'No SEN',      260, NULL, 10, NULL,  8, NULL, 0, NULL, 50, NULL),
    -- Ecole: SEND 20 + 80 = 100 pupils, 30 suspensions (30 per 100); No SEN 900 pupils, 45 (5 per 100): ratio 6.
    ('100003', ${y}, 'All pupils', 1000, NULL, 75, NULL, 40, NULL, 2, NULL, 150, NULL),
    ('100003', ${y}, 'EHC plan',     20, NULL, 10, NULL,  6, NULL, 1, NULL,  5, NULL),
    ('100003', ${y}, 'SEN support',  80, NULL, 20, NULL, 10, NULL, 1, NULL, 20, NULL),
    ('100003', ${y}, 'No SEN',      900, NULL, 45, NULL, 24, NULL, 0, NULL, 125, NULL),
    -- St Mary's: SEND 5 + 15 = 20 pupils, 2 suspensions (10 per 100); No SEN has none, so no ratio.
    ('100004', ${y}, 'All pupils',  100, NULL,  2, NULL,  2, NULL, 0, NULL, NULL, 'x'),
    ('100004', ${y}, 'EHC plan',      5, NULL,  0, NULL,  0, NULL, 0, NULL, NULL, 'x'),
    ('100004', ${y}, 'SEN support',  15, NULL,  2, NULL,  2, NULL, 0, NULL, NULL, 'x'),
    ('100004', ${y}, 'No SEN',       80, NULL,  0, NULL,  0, NULL, 0, NULL, NULL, 'x'),
    -- Zeta a year earlier, and the closed school (no 2023/24 rows).
    ('100001', '2022/23', 2022, 'All pupils',  190, NULL, 19, NULL, 10, NULL, 0, NULL, 38, NULL),
    ('100001', '2022/23', 2022, 'EHC plan',      8, NULL,  2, NULL,  2, NULL, 0, NULL,  4, NULL),
    ('100001', '2022/23', 2022, 'SEN support',  32, NULL,  8, NULL,  6, NULL, 0, NULL, 10, NULL),
    ('100001', '2022/23', 2022, 'No SEN',      150, NULL,  9, NULL,  2, NULL, 0, NULL, 24, NULL),
    ('100005', '2022/23', 2022, 'All pupils',   50, NULL,  1, NULL,  1, NULL, 0, NULL,  9, NULL),
    ('100005', '2022/23', 2022, 'EHC plan',   NULL, 'c', NULL, 'c', NULL, 'c', NULL, 'c', NULL, 'c'),
    ('100005', '2022/23', 2022, 'SEN support', NULL, 'c', NULL, 'c', NULL, 'c', NULL, 'c', NULL, 'c'),
    ('100005', '2022/23', 2022, 'No SEN',       40, NULL,  1, NULL,  1, NULL, 0, NULL,  7, NULL)`);

  run(createTableSql('school_period'));
  const p = `'2022/23 to 2023/24', 2022, 2023`;
  run(`INSERT INTO school_period (urn, period, first_year_start, last_year_start, pupil_group, pupils, pupils_flag, suspensions, suspensions_flag, pupils_suspended, pupils_suspended_flag, permanent_exclusions, permanent_exclusions_flag) VALUES
    ('100001', ${p}, 'All pupils', 390, NULL, 37, NULL, 22, NULL, 1, NULL),
    ('100001', ${p}, 'EHC plan',    18, NULL,  6, NULL,  5, NULL, 0, NULL),
    ('100001', ${p}, 'SEN support', 62, NULL, 14, NULL, 11, NULL, 1, NULL),
    ('100001', ${p}, 'No SEN',     310, NULL, 17, NULL,  8, NULL, 0, NULL),
    ('100003', ${p}, 'All pupils', 1000, NULL, 75, NULL, 40, NULL, 2, NULL),
    ('100003', ${p}, 'EHC plan',     20, NULL, 10, NULL,  6, NULL, 1, NULL),
    ('100003', ${p}, 'SEN support',  80, NULL, 20, NULL, 10, NULL, 1, NULL),
    ('100003', ${p}, 'No SEN',      900, NULL, 45, NULL, 24, NULL, 0, NULL)`);

  run(createTableSql('area_year'));
  run(`INSERT INTO area_year (area_type, area_code, area_name, academic_year, year_start, phase, pupil_group, pupils, pupils_flag, suspensions, suspensions_flag, pupils_suspended, pupils_suspended_flag, permanent_exclusions, permanent_exclusions_flag, source) VALUES
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'EHC plan',     100, NULL, 40, NULL, 20, NULL, 2, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'SEN support',  400, NULL, 60, NULL, 30, NULL, 3, NULL, 't'),
    ('LA', '990', 'Testshire', '2022/23', 2022, 'All', 'EHC plan',      90, NULL, 30, NULL, 15, NULL, 1, NULL, 't'),
    ('LA', '990', 'Testshire', '2022/23', 2022, 'All', 'SEN support',  410, NULL, 70, NULL, 35, NULL, NULL, 'c', 't'),
    ('LA', '990', 'Testshire', '2021/22', 2021, 'All', 'EHC plan',      80, NULL, 99, NULL, 99, NULL, 9, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'Primary', 'EHC plan',  30, NULL,  6, NULL,  4, NULL, 0, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'Primary', 'SEN support', 120, NULL, 12, NULL, 9, NULL, 0, NULL, 't'),
    ('England', 'E92000001', 'England', '2023/24', 2023, 'All', 'EHC plan', 400000, NULL, 140000, NULL, 50000, NULL, 800, NULL, 't'),
    ('England', 'E92000001', 'England', '2023/24', 2023, 'Secondary', 'EHC plan', 100000, NULL, 60000, NULL, 20000, NULL, 400, NULL, 't'),
    ('Neighbour', '991', 'Nearshire', '2023/24', 2023, 'All', 'EHC plan', 5000, NULL, 400, NULL, 150, NULL, 5, NULL, 't')`);

  run(createTableSql('school_year_reason'));
  run(`INSERT INTO school_year_reason (urn, academic_year, year_start, pupil_group, reason_code, reason, suspensions, suspensions_flag, permanent_exclusions, permanent_exclusions_flag) VALUES
    ('100001', '2023/24', 2023, 'All pupils', 'PD', 'Persistent disruptive behaviour', 9, NULL, 1, NULL),
    ('100001', '2023/24', 2023, 'All pupils', 'VA', 'Verbal abuse or threatening behaviour against an adult', NULL, 'c', 0, NULL),
    ('100001', '2022/23', 2022, 'All pupils', 'PD', 'Persistent disruptive behaviour', 11, NULL, 0, NULL),
    ('100003', '2023/24', 2023, 'All pupils', 'PD', 'Persistent disruptive behaviour', 40, NULL, 1, NULL)`);
});

afterAll(async () => {
  await db.close();
});

const base: SchoolTableOptions = { basis: { kind: 'year', year: '2023/24' }, group: 'SEND', sort: 'name', dir: 'asc', limit: 50, offset: 0 };

describe('schoolTable', () => {
  it('sums SEND from EHC plan and SEN support, with rates from counts and the risk ratio against No SEN', async () => {
    const rows = await schoolTable(db, base);
    const zeta = rows.find((r) => r.urn === '100001')!;
    expect(zeta).toMatchObject({ pupils: 200, group_pupils: 40, suspensions: 10, suspension_rate: 25, nosen_pupils: 160, nosen_suspensions: 8 });
    expect(zeta.risk_ratio).toBeCloseTo(5, 12);
    expect(zeta.pct_ehc).toBe(5); // 10 / 200
    expect(zeta.pct_sen_support).toBe(15); // 30 / 200
    expect(zeta.permanent_exclusion_rate).toBe(2.5); // (0 + 1) / 40
    expect(rows.find((r) => r.urn === '100003')!.risk_ratio).toBeCloseTo(6, 12);
  });

  it('never shows a partial SEND sum: a suppressed part makes the figure NULL with c', async () => {
    const lady = (await schoolTable(db, base)).find((r) => r.urn === '100002')!;
    expect(lady).toMatchObject({ group_pupils: null, suspensions: null, suspension_rate: null, suspension_rate_flag: 'c', risk_ratio: null });
    expect(lady).toMatchObject({ pct_ehc: null, pct_ehc_flag: 'c' });
  });

  it('gives no risk ratio when No SEN had no suspensions (division by zero is not a ratio)', async () => {
    const mary = (await schoolTable(db, base)).find((r) => r.urn === '100004')!;
    expect(mary.suspension_rate).toBe(10);
    expect(mary.risk_ratio).toBeNull();
  });

  it('lists only schools with pupils in the year, in name order, with the total on every row', async () => {
    const rows = await schoolTable(db, base);
    expect(rows.map((r) => r.urn)).toEqual(['100003', '100002', '100004', '100001']); // École, Lady, St Mary's, Zeta
    expect(rows.every((r) => r.total === 4)).toBe(true);
  });

  it('sorts missing values last in both directions', async () => {
    const desc = await schoolTable(db, { ...base, sort: 'suspension_rate', dir: 'desc' });
    expect(desc.map((r) => r.suspension_rate)).toEqual([30, 25, 10, null]);
    const asc = await schoolTable(db, { ...base, sort: 'suspension_rate', dir: 'asc' });
    expect(asc.map((r) => r.suspension_rate)).toEqual([10, 25, 30, null]);
    const rr = await schoolTable(db, { ...base, sort: 'risk_ratio', dir: 'desc' });
    expect(rr.map((r) => r.urn).slice(0, 2)).toEqual(['100003', '100001']);
  });

  it('pages with LIMIT and OFFSET as parameters', async () => {
    const page2 = await schoolTable(db, { ...base, limit: 2, offset: 2 });
    expect(page2.map((r) => r.urn)).toEqual(['100004', '100001']);
    expect(page2[0]!.total).toBe(4);
    expect(await schoolTable(db, { ...base, limit: 2, offset: 10 })).toEqual([]);
    expect(await schoolCount(db, { basis: base.basis })).toBe(4);
  });

  it('filters by phase, type and trust', async () => {
    expect((await schoolTable(db, { ...base, phase: 'Secondary' })).map((r) => r.urn)).toEqual(['100003']);
    expect((await schoolTable(db, { ...base, type: 'Academy' })).map((r) => r.urn)).toEqual(['100003', '100002', '100004']);
    expect((await schoolTable(db, { ...base, trust: 'Oak Trust' })).map((r) => r.urn)).toEqual(['100003', '100002']);
    expect(await schoolCount(db, { basis: base.basis, trust: 'Oak Trust', phase: 'Primary' })).toBe(1);
  });

  it('searches every word typed, ignoring accents, apostrophes and case; a URN matches whole', async () => {
    const find = async (search: string) => (await schoolTable(db, { ...base, search })).map((r) => r.urn);
    expect(await find('hawkins')).toEqual(['100002']);
    expect(await find("Hawkins' school")).toEqual(['100002']);
    expect(await find('ecole jean')).toEqual(['100003']);
    expect(await find('marys primary')).toEqual(['100004']);
    expect(await find('mary st')).toEqual(['100004']);
    expect(await find('100001')).toEqual(['100001']);
    expect(await find('nothing like this')).toEqual([]);
    expect(await find("x' OR '1'='1")).toEqual([]);
  });

  it('uses the pooled period when asked (pupil-years)', async () => {
    const rows = await schoolTable(db, { ...base, basis: { kind: 'period' } });
    expect(rows.map((r) => r.urn)).toEqual(['100003', '100001']);
    const zeta = rows.find((r) => r.urn === '100001')!;
    expect(zeta).toMatchObject({ pupils: 390, group_pupils: 80, suspensions: 20, suspension_rate: 25 }); // (6 + 14) / (18 + 62)
  });

  it('other groups are the published rows themselves, and only SEN groups get a risk ratio', async () => {
    const rows = await schoolTable(db, { ...base, group: 'No SEN' });
    expect(rows.find((r) => r.urn === '100001')).toMatchObject({ group_pupils: 160, suspension_rate: 5, risk_ratio: null });
    const ehc = await schoolTable(db, { ...base, group: 'EHC plan' });
    expect(ehc.find((r) => r.urn === '100001')!.risk_ratio).toBeCloseTo(40 / 5, 12); // 4/10 per pupil against 8/160
  });
});

describe('searchWords and the SQL search key', () => {
  it('fold the same way as the A–Z list’s searchKey', async () => {
    expect(searchWords("  St. Mary's  É ")).toEqual(['st', 'marys', 'e']);
    const rows = await db.query<{ urn: string; key: string }>(sql`SELECT s.urn, ${SEARCH_KEY_SQL} AS key FROM schools s ORDER BY urn`);
    const names = await db.query<{ urn: string; name: string }>(sql`SELECT urn, name FROM schools ORDER BY urn`);
    expect(rows.map((r) => r.key)).toEqual(names.map((n) => searchKey(n.name)));
  });
});

describe('schoolTrends', () => {
  it('gives each listed school’s SEND rate year by year, NULL with c where a part is suppressed', async () => {
    const t = await schoolTrends(db, { urns: ['100001', '100005'], group: 'SEND', measure: 'suspension_rate' });
    expect(t.map((r) => [r.urn, r.academic_year, r.rate, r.flag])).toEqual([
      ['100001', '2022/23', 25, null], // (2 + 8) / (8 + 32)
      ['100001', '2023/24', 25, null],
      ['100005', '2022/23', null, 'c']
    ]);
    expect(await schoolTrends(db, { urns: [], group: 'SEND', measure: 'suspension_rate' })).toEqual([]);
  });
});

describe('funnel', () => {
  it('gives every school its count and pupils, and why when it cannot be placed', async () => {
    const rows = await funnelRows(db, { basis: base.basis, group: 'SEND', measure: 'suspension_rate' });
    expect(rows.map((r) => [r.urn, r.numerator, r.denominator, r.flag])).toEqual([
      ['100001', 10, 40, null],
      ['100002', null, null, 'c'],
      ['100003', 30, 100, null],
      ['100004', 2, 20, null]
    ]);
    const primary = await funnelRows(db, { basis: base.basis, group: 'All pupils', measure: 'permanent_exclusion_rate', phase: 'Primary' });
    expect(primary.map((r) => r.urn)).toEqual(['100001', '100002', '100004']);
  });

  it('gives the schools it can place and counts the rest by why, the same as every school’s rows', async () => {
    for (const o of [
      { basis: base.basis, group: 'SEND', measure: 'suspension_rate' },
      { basis: { kind: 'period' }, group: 'EHC plan', measure: 'permanent_exclusion_rate' },
      { basis: base.basis, group: 'All pupils', measure: 'one_plus_suspension_rate', phase: 'Primary' }
    ] as const) {
      const all = await funnelRows(db, o);
      const placed = all.filter((r) => r.numerator !== null && r.denominator !== null && r.denominator > 0);
      const missing = all.filter((r) => !placed.includes(r));
      expect(await funnelPoints(db, o)).toEqual({
        rows: placed,
        notPlaced: {
          suppressed: missing.filter((r) => r.flag === 'c' || r.flag === 'low').length,
          other: missing.filter((r) => r.flag !== 'c' && r.flag !== 'low').length
        }
      });
    }
    // 2023/24 SEND: Lady Hawkins’ is withheld (its EHC plan group is suppressed).
    expect((await funnelPoints(db, { basis: base.basis, group: 'SEND', measure: 'suspension_rate' })).notPlaced).toEqual({ suppressed: 1, other: 0 });
  });

  it('counts a school whose count is published but its pupils withheld as not placed (the two add up)', async () => {
    const o = { basis: base.basis, group: 'All pupils', measure: 'suspension_rate' } as const;
    const all = await funnelRows(db, o);
    const before = await funnelPoints(db, o);
    expect(before.rows.length + before.notPlaced.suppressed + before.notPlaced.other).toBe(all.length);
    // A count with its pupils withheld: `count IS NOT NULL AND pupils > 0` is NULL there, and
    // NOT (NULL) once left the school out of both sides.
    db.exec(`UPDATE school_basis SET all_pupils = NULL, all_pupils_flag = 'c' WHERE urn = '100001' AND basis = '2023/24'`);
    try {
      const after = await funnelPoints(db, o);
      expect(after.rows.length).toBe(before.rows.length - 1);
      expect(after.notPlaced.suppressed + after.notPlaced.other).toBe(before.notPlaced.suppressed + before.notPlaced.other + 1);
    } finally {
      db.exec(`UPDATE school_basis SET all_pupils = (SELECT pupils FROM school_year WHERE urn = '100001' AND academic_year = '2023/24' AND pupil_group = 'All pupils'), all_pupils_flag = NULL WHERE urn = '100001' AND basis = '2023/24'`);
    }
    expect(await funnelPoints(db, o)).toEqual(before);
  });

  it('targets the LA’s own rate for the group and years, from area_year', async () => {
    // 2023/24 SEND: (40 + 60) / (100 + 400) = 20 per 100, of 20 + 30 pupils suspended.
    expect(await funnelTarget(db, { basis: base.basis, group: 'SEND', measure: 'suspension_rate' })).toEqual({ numerator: 100, denominator: 500, withEvent: 50 });
    // Pooled 2022/23 to 2023/24 (2021/22 is outside the window): (40 + 60 + 30 + 70) / (100 + 400 + 90 + 410).
    expect(await funnelTarget(db, { basis: { kind: 'period' }, group: 'SEND', measure: 'suspension_rate' })).toEqual({ numerator: 200, denominator: 1000, withEvent: 100 });
    // A suppressed part anywhere in the window: no target rather than a partial one.
    expect(await funnelTarget(db, { basis: { kind: 'period' }, group: 'SEND', measure: 'permanent_exclusion_rate' })).toEqual({ numerator: null, denominator: null, withEvent: null });
    expect(await funnelTarget(db, { basis: base.basis, group: 'SEND', measure: 'suspension_rate', phase: 'Primary' })).toEqual({ numerator: 18, denominator: 150, withEvent: 13 });
    expect(await funnelTarget(db, { basis: base.basis, group: 'SEND', measure: 'suspension_rate', phase: 'Special' })).toEqual({ numerator: null, denominator: null, withEvent: null });
    // Pupils suspended matter to suspensions alone (how they cluster within pupils).
    expect(await funnelTarget(db, { basis: base.basis, group: 'SEND', measure: 'one_plus_suspension_rate' })).toEqual({ numerator: 50, denominator: 500, withEvent: null });
  });

  it('targets each phase with its own rate when no phase is chosen, never all schools’ together', async () => {
    for (const measure of ['suspension_rate', 'one_plus_suspension_rate', 'permanent_exclusion_rate'] as const) {
      for (const basis of [base.basis, { kind: 'period' as const }]) {
        const targets = await funnelTargets(db, { basis, group: 'SEND', measure });
        expect(targets.has('All')).toBe(false);
        expect(targets.size).toBeGreaterThan(0);
        for (const [phase, target] of targets) expect(target).toEqual(await funnelTarget(db, { basis, group: 'SEND', measure, phase }));
      }
    }
    expect([...(await funnelTargets(db, { basis: base.basis, group: 'SEND', measure: 'suspension_rate' })).keys()]).toContain('Primary');
    expect([...(await funnelTargets(db, { basis: base.basis, group: 'SEND', measure: 'suspension_rate', phase: 'Primary' })).entries()]).toEqual([
      ['Primary', { numerator: 18, denominator: 150, withEvent: 13 }]
    ]);
  });
});

describe('a school’s page', () => {
  it('reads the profile, yearly and pooled rows, reasons and comparators', async () => {
    expect(await schoolProfile(db, '100002')).toMatchObject({ name: 'Lady Hawkins’ School', trust: 'Oak Trust', phase: 'Primary' });
    expect(await schoolProfile(db, '999999')).toBeNull();
    const years = await schoolYearRows(db, ['100001']);
    expect(years).toHaveLength(8);
    expect(years[0]).toMatchObject({ academic_year: '2022/23', year_start: 2022, pupil_group: 'All pupils', pupils: 190 });
    const period = await schoolPeriodRows(db, ['100001', '100002']);
    expect(period.map((r) => r.urn)).toEqual(['100001', '100001', '100001', '100001']);
    expect(period[0]).toMatchObject({ academic_year: '2022/23 to 2023/24', pupil_group: 'All pupils', suspensions: 37 });
    const reasons = await schoolReasons(db, '100001', 2023);
    expect(reasons.map((r) => [r.reason_code, r.suspensions, r.suspensions_flag])).toEqual([
      ['PD', 9, null],
      ['VA', null, 'c']
    ]);
    const areas = await areaComparators(db, 'Secondary');
    expect(new Set(areas.map((a) => `${a.area_type} ${a.phase}`))).toEqual(new Set(['LA All', 'England All', 'England Secondary']));
  });

  it('reads the measures similar schools are chosen on, keeping suppression flags', async () => {
    const f = await similarityFeatures(db, '2023/24');
    expect(f.map((r) => r.urn)).toEqual(['100001', '100002', '100003', '100004']);
    expect(f[0]).toMatchObject({ pupils: 200, ehc_pupils: 10, sen_support_pupils: 30, fsm_pupils: 40 });
    expect(f[1]).toMatchObject({ ehc_pupils: null, ehc_flag: 'c', sen_support_pupils: null, sen_support_flag: 'c' });
    expect(f[3]).toMatchObject({ fsm_pupils: null, fsm_flag: 'x' });
  });

  it('reads the filter options from the data', async () => {
    const o = await schoolFilterOptions(db);
    expect(o.phases).toEqual(['Primary', 'Secondary']);
    expect(o.types).toEqual(['Academy', 'Maintained']);
    expect(o.trusts).toEqual(['Ash Trust', 'Oak Trust']);
    expect(o.years.map((y) => y.academic_year)).toEqual(['2023/24', '2022/23']);
    expect(o.period).toEqual({ label: '2022/23 to 2023/24', first_year_start: 2022, last_year_start: 2023 });
    expect(o.schools).toBe(5);
    expect(o.senSplit).toBe(true);
  });
});

describe('native DuckDB and DuckDB-WASM', () => {
  it('give identical rows for the table (search and sort included), trends, funnel and features', async () => {
    const native = await NodeDb.open();
    try {
      for (const s of fixture) await native.connection.run(s);
      const run = async (d: typeof db | NodeDb) => ({
        table: await schoolTable(d, { ...base, sort: 'risk_ratio', dir: 'desc' }),
        search: await schoolTable(d, { ...base, search: 'ecole hawkins’ mary' }),
        searchOne: await schoolTable(d, { ...base, search: 'École' }),
        keys: await d.query(sql`SELECT ${SEARCH_KEY_SQL} AS k FROM schools s ORDER BY urn`),
        period: await schoolTable(d, { ...base, basis: { kind: 'period' }, sort: 'pct_ehc', dir: 'desc' }),
        trends: await schoolTrends(d, { urns: ['100001', '100003', '100005'], group: 'SEND', measure: 'one_plus_suspension_rate' }),
        funnel: await funnelRows(d, { basis: { kind: 'period' }, group: 'EHC plan', measure: 'permanent_exclusion_rate' }),
        points: await funnelPoints(d, { basis: { kind: 'period' }, group: 'SEND', measure: 'suspension_rate' }),
        target: await funnelTarget(d, { basis: { kind: 'period' }, group: 'SEND', measure: 'suspension_rate' }),
        features: await similarityFeatures(d, '2023/24'),
        options: await schoolFilterOptions(d)
      });
      expect(await run(native)).toEqual(await run(db));
    } finally {
      await native.close();
    }
  });
});

describe('school_basis: every group side by side, SEND among them', () => {
  // The schools view's derived table (schoolBasisSql) must keep the definitions: SEND is the sum
  // of EHC plan and SEN support only when both parts have a row with the count published, else NULL
  // with c if either part was withheld (c or low), else the parts' own flag, else x; a one-part
  // group keeps its row's value, with low read as c. The reference is the plain aggregate.
  const reference = (c: string) => `
    CASE WHEN count(*) = 2 AND count(${c}) = 2 THEN CAST(sum(${c}) AS INTEGER) END AS ${c},
    CASE WHEN count(*) = 2 AND count(${c}) = 2 THEN NULL
         WHEN bool_or(${c}_flag IN ('c', 'low')) THEN 'c'
         ELSE coalesce(min(${c}_flag), 'x') END AS ${c}_flag`;
  const cell = fc.oneof(
    fc.nat({ max: 40 }).map((v) => [String(v), 'NULL'] as const),
    fc.constantFrom('c', 'low', 'x', 'z').map((f) => ['NULL', `'${f}'`] as const)
  );
  const part = fc.option(fc.tuple(cell, cell, cell, cell), { nil: null, freq: 4 });
  const cols = ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions'];
  const plain = (rows: { toJSON(): Record<string, unknown> }[]) => rows.map((r) => Object.fromEntries(Object.entries(r.toJSON()).map(([k, v]) => [k, v ?? null])));

  it('gives the figures and flags of the aggregate definition, for any mix of rows, values and flags', async () => {
    const t = await WasmNodeDb.open();
    try {
      for (const table of ['schools', 'school_year', 'school_period'] as const) t.exec(createTableSql(table));
      let round = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(part, part, part), { minLength: 1, maxLength: 30 }), async (schools) => {
          for (const table of ['schools', 'school_period'] as const) t.exec(`DELETE FROM ${table}`);
          const values: string[] = [];
          schools.forEach(([ehc, sen, all], i) => {
            const urn = String(100000 + i);
            t.exec(`INSERT INTO schools (urn, laestab, name, la_code, la_name, region, phase, type, status) VALUES ('${urn}', '9900000', 'S ${i}', '990', 'T', 'R', 'Primary', 'Academy', 'Open')`);
            for (const [group, cells] of [['EHC plan', ehc], ['SEN support', sen], ['All pupils', all]] as const) {
              if (cells === null) continue;
              values.push(`('${urn}', 2021, 2023, '${group}', ${cells.map(([value, flag]) => `${value}, ${flag}`).join(', ')})`);
            }
          });
          if (values.length > 0) {
            t.exec(`INSERT INTO school_period (urn, first_year_start, last_year_start, pupil_group, pupils, pupils_flag, suspensions,
              suspensions_flag, pupils_suspended, pupils_suspended_flag, permanent_exclusions, permanent_exclusions_flag) VALUES ${values.join(', ')}`);
          }
          t.exec(schoolBasisSql());
          const pick = (prefix: string) => cols.map((c) => `${prefix}_${c} AS ${c}, ${prefix}_${c}_flag AS ${c}_flag`).join(', ');
          // SEND: schools with a row for either part.
          expect(plain(t.connection.query(`SELECT urn, ${pick('send')} FROM school_basis WHERE send_row ORDER BY urn`).toArray())).toEqual(
            plain(t.connection.query(`SELECT urn, ${cols.map(reference).join(', ')} FROM school_period WHERE pupil_group IN ('EHC plan', 'SEN support') GROUP BY urn ORDER BY urn`).toArray())
          );
          // A one-part group: its row, low read as c, a missing count x.
          expect(plain(t.connection.query(`SELECT urn, ${pick('all')} FROM school_basis WHERE all_row ORDER BY urn`).toArray())).toEqual(
            plain(t.connection.query(`SELECT urn, ${cols.map((c) => `CAST(${c} AS INTEGER) AS ${c}, CASE WHEN ${c} IS NOT NULL THEN NULL WHEN ${c}_flag IN ('c', 'low') THEN 'c' ELSE coalesce(${c}_flag, 'x') END AS ${c}_flag`).join(', ')}
              FROM school_period WHERE pupil_group = 'All pupils' ORDER BY urn`).toArray())
          );
          round++;
        }),
        { numRuns: 30, seed: 20261206 }
      );
      expect(round).toBe(30);
    } finally {
      await t.close();
    }
  });
});
