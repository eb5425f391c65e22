// The transparency page's query functions on DuckDB-WASM (the engine users get), against tiny inline
// tables whose answers are worked out by hand in the comments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableSql } from './schema';
import { NodeDb } from './node-client';
import { keyFigures, laLatestYear, schoolIndex, suppressionByTable, type SchoolEntry } from './transparency-queries';
import { WasmNodeDb } from './wasm-node';

let db: WasmNodeDb;
/** Every fixture statement, replayed on native DuckDB to check both engines agree. */
const fixture: string[] = [];
/** The tables the fixture has. */
const TABLES = ['area_year', 'school_year', 'school_year_reason'] as const;

beforeAll(async () => {
  db = await WasmNodeDb.open();
  const run = (text: string) => {
    fixture.push(text);
    db.exec(text);
  };
  run(createTableSql('area_year'));
  // columns: area_type, area_code, area_name, academic_year, year_start, phase, pupil_group,
  //          pupils, flag, suspensions, flag, pupils_suspended, flag, permanent_exclusions, flag, source
  // Rows deliberately out of order: the function orders LA first, then EHC plan, SEN support, No SEN, All pupils.
  run(`INSERT INTO area_year (area_type, area_code, area_name, academic_year, year_start, phase, pupil_group, pupils, pupils_flag, suspensions, suspensions_flag, pupils_suspended, pupils_suspended_flag, permanent_exclusions, permanent_exclusions_flag, source) VALUES
    ('England', 'E92000001', 'England', '2023/24', 2023, 'All', 'All pupils', 8000000, NULL, 800000, NULL, 300000, NULL, 8000, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'All pupils',  1000, NULL, 120, NULL, 60, NULL, 3, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'No SEN',       800, NULL,  40, NULL, 25, NULL, 1, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'EHC plan',      50, NULL,  30, NULL, 12, NULL, 1, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'SEN support',  150, NULL,  50, NULL, 23, NULL, NULL, 'c', 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'Primary', 'EHC plan',  20, NULL,   5, NULL,  5, NULL, 0, NULL, 't'),
    ('LA', '990', 'Testshire', '2022/23', 2022, 'All', 'EHC plan',      40, NULL,  10, NULL,  8, NULL, 0, NULL, 't'),
    ('England', 'E92000001', 'England', '2023/24', 2023, 'All', 'EHC plan', 400000, NULL, 140000, NULL, 50000, NULL, 800, NULL, 't'),
    ('Neighbour', '991', 'Nearshire', '2023/24', 2023, 'All', 'All pupils', 50000, NULL, 4000, NULL, 1500, NULL, 50, NULL, 't')`);

  run(createTableSql('schools'));
  // columns: urn, laestab, name, la_code, la_name, region, phase, type, status
  run(`INSERT INTO schools (urn, laestab, name, la_code, la_name, region, phase, type, status) VALUES
    ('100001', '9902001', 'Zeta Primary School',   '990', 'Testshire', 'South West', 'Primary',   'Maintained', 'Open'),
    ('100002', '9904001', 'alpha Academy',         '990', 'Testshire', 'South West', 'Secondary', 'Academy',    'Open'),
    ('100003', '9907001', 'Beta Special School',   '990', 'Testshire', 'South West', 'Special',   'Maintained', 'Open'),
    ('100004', '9902002', 'Gamma Infant School',   '990', 'Testshire', 'South West', 'Primary',   'Academy',    'Open'),
    ('100005', '9902003', 'Delta Primary School',  '990', 'Testshire', 'South West', 'Primary',   'Maintained', 'Closed'),
    ('100006', '9902004', 'O''Brien Primary',      '990', 'Testshire', 'South West', 'Primary',   'Academy',    'Open')`);

  run(createTableSql('school_year'));
  // columns: urn, academic_year, year_start, pupil_group, pupils, flag, suspensions, flag,
  //          pupils_suspended, flag, permanent_exclusions, flag, sessions_lost, flag
  const y = `'2023/24', 2023`;
  run(`INSERT INTO school_year (urn, academic_year, year_start, pupil_group, pupils, pupils_flag, suspensions, suspensions_flag, pupils_suspended, pupils_suspended_flag, permanent_exclusions, permanent_exclusions_flag, sessions_lost, sessions_lost_flag) VALUES
    -- Zeta: everything published.
    ('100001', ${y}, 'All pupils',  200, NULL, 10, NULL, 8, NULL, 0, NULL, 20, NULL),
    ('100001', ${y}, 'EHC plan',     10, NULL,  3, NULL, NULL, 'c', 0, NULL, NULL, 'c'),
    ('100001', ${y}, 'SEN support',  30, NULL,  6, NULL, 5, NULL, 0, NULL, 12, NULL),
    ('100001', ${y}, 'No SEN',      160, NULL,  1, NULL, NULL, 'c', 0, NULL, NULL, 'c'),
    -- Zeta the year before: must not leak into 2023/24.
    ('100001', '2022/23', 2022, 'All pupils', 100, NULL, 50, NULL, 20, NULL, 0, NULL, 80, NULL),
    ('100001', '2022/23', 2022, 'EHC plan',    10, NULL, 10, NULL,  5, NULL, 0, NULL, 20, NULL),
    ('100001', '2022/23', 2022, 'SEN support', 20, NULL, 20, NULL,  5, NULL, 0, NULL, 30, NULL),
    ('100001', '2022/23', 2022, 'No SEN',      70, NULL, 20, NULL, 10, NULL, 0, NULL, 30, NULL),
    -- alpha: the EHC plan group is suppressed whole, so no SEND figure at all.
    ('100002', ${y}, 'All pupils',  500, NULL, 50, NULL, 30, NULL, 0, NULL, 90, NULL),
    ('100002', ${y}, 'EHC plan',   NULL, 'c', NULL, 'c', NULL, 'c', NULL, 'c', NULL, 'c'),
    ('100002', ${y}, 'SEN support',  60, NULL, 12, NULL, 6, NULL, 0, NULL, 20, NULL),
    ('100002', ${y}, 'No SEN',      NULL, 'c', NULL, 'c', NULL, 'c', NULL, 'c', NULL, 'c'),
    -- Beta: every pupil has an EHC plan; true zeros elsewhere.
    ('100003', ${y}, 'All pupils',   80, NULL, 40, NULL, 15, NULL, 0, NULL, 60, NULL),
    ('100003', ${y}, 'EHC plan',     80, NULL, 40, NULL, 15, NULL, 0, NULL, 60, NULL),
    ('100003', ${y}, 'SEN support',   0, NULL,  0, NULL, 0, NULL, 0, NULL, 0, NULL),
    ('100003', ${y}, 'No SEN',        0, NULL,  0, NULL, 0, NULL, 0, NULL, 0, NULL),
    -- Gamma: no pupils with SEND, no suspensions.
    ('100004', ${y}, 'All pupils',  150, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL),
    ('100004', ${y}, 'EHC plan',      0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL),
    ('100004', ${y}, 'SEN support',   0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL),
    ('100004', ${y}, 'No SEN',      150, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL),
    -- Delta (closed): figures for 2022/23 only.
    ('100005', '2022/23', 2022, 'All pupils', 90, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL),
    -- O'Brien: pupils published, suspensions suppressed in every group.
    ('100006', ${y}, 'All pupils',  120, NULL, NULL, 'c', NULL, 'c', 0, NULL, NULL, 'c'),
    ('100006', ${y}, 'EHC plan',     12, NULL, NULL, 'c', NULL, 'c', 0, NULL, NULL, 'c'),
    ('100006', ${y}, 'SEN support',  20, NULL, NULL, 'c', NULL, 'c', 0, NULL, NULL, 'c'),
    ('100006', ${y}, 'No SEN',       88, NULL, NULL, 'c', NULL, 'c', 0, NULL, NULL, 'c')`);

  run(createTableSql('school_year_reason'));
  // columns: urn, academic_year, year_start, pupil_group, reason_code, reason, suspensions, flag, permanent_exclusions, flag
  run(`INSERT INTO school_year_reason VALUES
    ('100001', ${y}, 'All pupils', 'PD', 'Persistent disruptive behaviour', 6, NULL, 0, NULL),
    ('100001', ${y}, 'EHC plan',   'PD', 'Persistent disruptive behaviour', NULL, 'c', 0, NULL),
    ('100001', ${y}, 'No SEN',     'PD', 'Persistent disruptive behaviour', NULL, 'c', NULL, 'c')`);
});

afterAll(async () => {
  await db.close();
});

describe('keyFigures', () => {
  it('gives the LA then England, by pupil group, with rates per 100 pupils from counts', async () => {
    const rows = await keyFigures(db, { year: '2023/24' });
    expect(rows.map((r) => [r.area_type, r.pupil_group, r.suspension_rate, r.permanent_exclusion_rate])).toEqual([
      ['LA', 'EHC plan', 60, 2], // 30 / 50 x 100; 1 / 50 x 100
      ['LA', 'SEN support', expect.closeTo(33.333333, 5), null], // 50 / 150 x 100; exclusions suppressed
      ['LA', 'No SEN', 5, 0.125], // 40 / 800 x 100; 1 / 800 x 100
      ['LA', 'All pupils', 12, 0.3], // 120 / 1000 x 100; 3 / 1000 x 100
      ['England', 'EHC plan', 35, 0.2], // 140,000 / 400,000 x 100; 800 / 400,000 x 100
      ['England', 'All pupils', 10, 0.1] // 800,000 / 8,000,000 x 100; 8,000 / 8,000,000 x 100
    ]);
    expect(rows[1]).toMatchObject({ area_name: 'Testshire', academic_year: '2023/24', pupils: 150, suspensions: 50, permanent_exclusions: null });
    expect(typeof rows[0]!.pupils).toBe('number');
  });

  it('leaves out phases, other years and other comparators', async () => {
    const rows = await keyFigures(db, { year: '2022/23' });
    expect(rows).toEqual([
      {
        area_type: 'LA',
        area_name: 'Testshire',
        academic_year: '2022/23',
        pupil_group: 'EHC plan',
        pupils: 40,
        suspensions: 10,
        pupils_suspended: 8,
        suspension_rate: 25, // 10 / 40 x 100
        permanent_exclusions: 0,
        permanent_exclusion_rate: 0 // a true zero stays 0
      }
    ]);
  });

  it('treats a hostile year as data, not SQL', async () => {
    expect(await keyFigures(db, { year: "2023/24' OR '1'='1" })).toEqual([]);
  });
});

describe('schoolIndex', () => {
  let rows: SchoolEntry[];
  const byUrn = (urn: string) => rows.find((r) => r.urn === urn)!;

  beforeAll(async () => {
    rows = await schoolIndex(db, { year: '2023/24' });
  });

  it('lists every school once, by name whatever its case', async () => {
    expect(rows.map((r) => r.name)).toEqual([
      'alpha Academy',
      'Beta Special School',
      'Delta Primary School',
      'Gamma Infant School',
      "O'Brien Primary",
      'Zeta Primary School'
    ]);
  });

  it('computes the all-pupil and SEND rates from counts when every part is published', async () => {
    expect(byUrn('100001')).toEqual({
      urn: '100001',
      name: 'Zeta Primary School',
      phase: 'Primary',
      type: 'Maintained',
      status: 'Open',
      in_year: true,
      pupils: 200,
      pupils_flag: null,
      suspension_rate: 5, // 10 / 200 x 100 (not 2022/23's 50 / 100)
      suspension_rate_flag: null,
      send_pupils: 40, // 10 EHC plan + 30 SEN support
      send_suspensions: 9, // 3 + 6
      send_suspension_rate: 22.5, // 9 / 40 x 100
      send_suspension_rate_flag: null
    });
    // A school where every pupil has an EHC plan: SEN support's true zeros count as published.
    expect(byUrn('100003')).toMatchObject({ send_pupils: 80, send_suspensions: 40, send_suspension_rate: 50, suspension_rate: 50 });
  });

  it('gives no SEND figure when any part is suppressed, and says why', async () => {
    // alpha: EHC plan suppressed whole; SEN support's 60 pupils and 12 suspensions alone would understate it.
    expect(byUrn('100002')).toMatchObject({
      suspension_rate: 10, // 50 / 500 x 100
      send_pupils: null,
      send_suspensions: null,
      send_suspension_rate: null,
      send_suspension_rate_flag: 'c'
    });
    // O'Brien: pupils published in both parts (12 + 20), suspensions suppressed.
    expect(byUrn('100006')).toMatchObject({
      pupils: 120,
      suspension_rate: null,
      suspension_rate_flag: 'c',
      send_pupils: 32,
      send_suspensions: null,
      send_suspension_rate: null,
      send_suspension_rate_flag: 'c'
    });
  });

  it('marks a school with no pupils with SEND as not applicable, and keeps its zero rate for all pupils', async () => {
    expect(byUrn('100004')).toMatchObject({
      suspension_rate: 0, // 0 / 150: a true zero, published
      suspension_rate_flag: null,
      send_pupils: 0,
      send_suspension_rate: null,
      send_suspension_rate_flag: 'z'
    });
  });

  it('keeps a school with no figures that year, flagged none', async () => {
    expect(byUrn('100005')).toMatchObject({
      status: 'Closed',
      in_year: false,
      pupils: null,
      pupils_flag: 'none',
      suspension_rate: null,
      suspension_rate_flag: 'none',
      send_suspension_rate: null,
      send_suspension_rate_flag: 'none'
    });
  });

  it('treats a hostile year as data, not SQL', async () => {
    const hostile = await schoolIndex(db, { year: "2023/24' OR '1'='1" });
    expect(hostile).toHaveLength(6);
    expect(hostile.every((r) => !r.in_year && r.pupils === null)).toBe(true);
  });
});

describe('laLatestYear', () => {
  it('is the latest year with the LA\'s own figures for all pupils', async () => {
    expect(await laLatestYear(db)).toBe('2023/24');
  });
});

describe('suppressionByTable', () => {
  it('counts each table\'s figures (published or withheld, never x or z) and the ones withheld with c', async () => {
    expect(await suppressionByTable(db, TABLES)).toEqual([
      // 9 rows x 4 count columns; one c (SEN support's permanent exclusions)
      { table_name: 'area_year', cells: 36, suppressed: 1 },
      // 25 rows x 5 count columns. c flags: Zeta 2023/24 4 (EHC and No SEN: pupils_suspended, sessions_lost),
      // alpha 10 (EHC, No SEN: all 5), O'Brien 4 rows x 3 (suspensions, pupils_suspended, sessions_lost) = 12: 26
      { table_name: 'school_year', cells: 125, suppressed: 26 },
      // 3 rows x 2 count columns; 3 c flags
      { table_name: 'school_year_reason', cells: 6, suppressed: 3 }
    ]);
  });
});

describe('native DuckDB (the prerender)', () => {
  it('gives the same rows as DuckDB-WASM for every function', async () => {
    const native = await NodeDb.open();
    try {
      for (const statement of fixture) await native.connection.run(statement);
      for (const year of ['2023/24', '2022/23']) {
        expect(await keyFigures(native, { year })).toEqual(await keyFigures(db, { year }));
        expect(await schoolIndex(native, { year })).toEqual(await schoolIndex(db, { year }));
      }
      expect(await suppressionByTable(native, TABLES)).toEqual(await suppressionByTable(db, TABLES));
      expect(await laLatestYear(native)).toEqual(await laLatestYear(db));
    } finally {
      await native.close();
    }
  });
});
