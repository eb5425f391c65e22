// Loading a school page's data on DuckDB-WASM (the engine the shell uses), on a tiny inline
// release: the right profile, similar schools of the same phase only, the neighbours' rows loaded,
// reasons left out when asked; and the packed form the prerendered pages carry unpacks to the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableSql } from '$lib/data/schema';
import { WasmNodeDb } from '$lib/data/wasm-node';
import { packRows, unpackRows } from '$lib/data/packed-rows';
import { loadSchoolData, packSchoolData, schoolDataFromSlice, schoolSlices, unpackSchoolData, type SchoolSlice } from './school-data';

let db: WasmNodeDb;

beforeAll(async () => {
  db = await WasmNodeDb.open();
  for (const t of ['schools', 'school_year', 'school_period', 'area_year', 'school_year_reason'] as const) db.exec(createTableSql(t));
  const schools = [
    ['100001', 'Primary', 300, 6, 30, 60],
    ['100002', 'Primary', 310, 7, 31, 62],
    ['100003', 'Primary', 900, 40, 120, 300],
    ['100004', 'Primary', 305, 6, 29, 58],
    ['200001', 'Secondary', 300, 6, 30, 60]
  ] as const;
  db.exec(`INSERT INTO schools (urn, laestab, name, la_code, la_name, region, phase, type, status) VALUES ${schools
    .map(([u, ph]) => `('${u}', '990${u.slice(2)}', 'School ${u}', '990', 'Testshire', 'South West', '${ph}', 'Academy', 'Open')`)
    .join(', ')}`);
  const rows: string[] = [];
  for (const [u, , all, ehc, sen, fsm] of schools) {
    for (const [g, n] of [['All pupils', all], ['EHC plan', ehc], ['SEN support', sen], ['No SEN', all - ehc - sen]] as const) {
      rows.push(`('${u}', '2023/24', 2023, '${g}', ${n}, NULL, 5, NULL, 5, NULL, 0, NULL, ${g === 'All pupils' ? fsm : 'NULL'}, ${g === 'All pupils' ? 'NULL' : "'c'"})`);
    }
  }
  db.exec(`INSERT INTO school_year (urn, academic_year, year_start, pupil_group, pupils, pupils_flag, suspensions, suspensions_flag, pupils_suspended, pupils_suspended_flag, permanent_exclusions, permanent_exclusions_flag, pupils_fsm, pupils_fsm_flag) VALUES ${rows.join(', ')}`);
  db.exec(`INSERT INTO school_period (urn, period, first_year_start, last_year_start, pupil_group, pupils, pupils_flag, suspensions, suspensions_flag) VALUES
    ('100001', '2023/24 to 2023/24', 2023, 2023, 'All pupils', 300, NULL, 5, NULL),
    ('100002', '2023/24 to 2023/24', 2023, 2023, 'All pupils', 310, NULL, 5, NULL)`);
  db.exec(`INSERT INTO area_year (area_type, area_code, area_name, academic_year, year_start, phase, pupil_group, pupils, suspensions, pupils_suspended, permanent_exclusions, source) VALUES
    ('LA', '990', 'Testshire', '2023/24', 2023, 'Primary', 'All pupils', 1815, 20, 20, 0, 't')`);
  db.exec(`INSERT INTO school_year_reason (urn, academic_year, year_start, pupil_group, reason_code, reason, suspensions, permanent_exclusions) VALUES
    ('100001', '2023/24', 2023, 'All pupils', 'PD', 'Persistent disruptive behaviour', 5, 0)`);
});

afterAll(async () => {
  await db.close();
});

describe('loadSchoolData', () => {
  it('loads the profile, similar schools of the phase (nearest first), their rows, comparators and reasons', async () => {
    const d = (await loadSchoolData(db, '100001'))!;
    expect(d.profile).toMatchObject({ urn: '100001', phase: 'Primary' });
    expect(d.latestYear).toBe('2023/24');
    // 100002 and 100004 are nearly identical to 100001; 100003 is three times the size and has
    // twice the share with an EHC plan; the secondary school is never a candidate.
    expect(d.neighbours.map((n) => n.urn).slice(0, 2).sort()).toEqual(['100002', '100004']);
    expect(d.neighbours.at(-1)!.urn).toBe('100003');
    expect(d.neighbours).toHaveLength(3);
    expect(d.candidates).toBe(3);
    expect(d.features).toMatchObject({ pupils: 300, pctEhc: 2, pctSenSupport: 10, pctFsm: 20 });
    expect(new Set(d.years.map((r) => r.urn))).toEqual(new Set(['100001', '100002', '100003', '100004']));
    expect(d.periods.map((r) => r.urn).sort()).toEqual(['100001', '100002']);
    expect(new Set(d.phasePeriod!.map((r) => r.urn))).toEqual(new Set(['100001', '100002']));
    expect(d.areas).toHaveLength(1);
    expect(d.reasons!.map((r) => r.reason_code)).toEqual(['PD']);
    expect(d.period).toEqual({ label: '2023/24 to 2023/24', first_year_start: 2023, last_year_start: 2023 });
  });

  it('leaves the reasons out when asked, and gives NULL for an unknown URN', async () => {
    expect((await loadSchoolData(db, '100001', { reasons: false }))!.reasons).toBeNull();
    expect(await loadSchoolData(db, '999999')).toBeNull();
  });

  it('packs for the prerendered page and unpacks to the same data', async () => {
    const d = (await loadSchoolData(db, '100002'))!;
    const packed = packSchoolData(d);
    expect(packed.years.keys).toContain('pupils_flag');
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(d).length);
    expect(unpackSchoolData(JSON.parse(JSON.stringify(packed)))).toEqual(d);
    expect(unpackRows(packRows([]))).toEqual([]);
  });

  it('writes every school’s file (the shell’s first view) with the data its own page loads, but the funnel rows and reasons', async () => {
    const slices: SchoolSlice[] = [];
    for await (const slice of schoolSlices(db)) slices.push(JSON.parse(JSON.stringify(slice)) as SchoolSlice);
    expect(slices.map((x) => x.profile.urn)).toEqual(['100001', '100002', '100003', '100004', '200001']);
    for (const slice of slices) {
      const loaded = (await loadSchoolData(db, slice.profile.urn, { reasons: false }))!;
      expect(schoolDataFromSlice(slice)).toEqual({ ...loaded, phasePeriod: null, reasons: null });
    }
  });
});
