// Query functions on DuckDB-WASM (the engine users get), against tiny inline tables whose answers
// are worked out by hand in the comments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laTrend } from './queries';
import { createTableSql } from './schema';
import { WasmNodeDb } from './wasm-node';

let db: WasmNodeDb;

beforeAll(async () => {
  db = await WasmNodeDb.open();
  db.exec(createTableSql('area_year'));
  // columns: area_type, area_code, area_name, academic_year, year_start, phase, pupil_group,
  //          pupils, flag, suspensions, flag, pupils_suspended, flag, permanent_exclusions, flag, source
  db.exec(`INSERT INTO area_year (area_type, area_code, area_name, academic_year, year_start, phase, pupil_group, pupils, pupils_flag, suspensions, suspensions_flag, pupils_suspended, pupils_suspended_flag, permanent_exclusions, permanent_exclusions_flag, source) VALUES
    ('LA', '990', 'Testshire', '2022/23', 2022, 'All', 'EHC plan',    200, NULL, 50, NULL, 20, NULL, 1, NULL, 't'),
    ('LA', '990', 'Testshire', '2023/24', 2023, 'All', 'EHC plan',    250, NULL, 75, NULL, NULL, 'c', 2, NULL, 't'),
    ('LA', '990', 'Testshire', '2022/23', 2022, 'All', 'No SEN',     1000, NULL, 30, NULL, 25, NULL, 0, NULL, 't'),
    ('LA', '990', 'Testshire', '2022/23', 2022, 'Primary', 'EHC plan', 80, NULL,  4, NULL,  3, NULL, 0, NULL, 't'),
    ('England', 'E92000001', 'England', '2022/23', 2022, 'All', 'All pupils', 8000000, NULL, 400000, NULL, 180000, NULL, 8000, NULL, 't'),
    ('England', 'E92000001', 'England', '2022/23', 2022, 'All', 'EHC plan', 400000, NULL, 60000, NULL, 25000, NULL, 600, NULL, 't'),
    ('Neighbour', '991', 'Nearshire', '2022/23', 2022, 'All', 'All pupils', 50000, NULL, 4000, NULL, 1500, NULL, 50, NULL, 't')`);
});

afterAll(async () => {
  await db.close();
});

describe('laTrend', () => {
  it('computes suspensions per 100 pupils from counts, by group and year', async () => {
    const rows = await laTrend(db, { measure: 'suspension_rate', phase: 'All' });
    expect(rows.map((r) => [r.pupil_group, r.academic_year, r.rate])).toEqual([
      ['EHC plan', '2022/23', 25], // 50 / 200 x 100
      ['EHC plan', '2023/24', 30], // 75 / 250 x 100
      ['No SEN', '2022/23', 3] // 30 / 1000 x 100
    ]);
    expect(rows[0]).toMatchObject({ numerator: 50, denominator: 200, area_type: 'LA', year_start: 2022 });
    expect(typeof rows[0]!.year_start).toBe('number');
  });

  it('returns NULL for a rate whose count is suppressed, never 0', async () => {
    const rows = await laTrend(db, { measure: 'one_plus_suspension_rate', phase: 'All' });
    const suppressed = rows.find((r) => r.academic_year === '2023/24' && r.pupil_group === 'EHC plan');
    expect(suppressed).toMatchObject({ numerator: null, rate: null, denominator: 250 });
    expect(rows.find((r) => r.pupil_group === 'No SEN')!.rate).toBe(2.5); // 25 / 1000 x 100
  });

  it('filters the phase and adds only the comparator asked for', async () => {
    const rows = await laTrend(db, {
      measure: 'permanent_exclusion_rate',
      phase: 'All',
      comparator: { areaType: 'England', group: 'All pupils' }
    });
    const england = rows.filter((r) => r.area_type === 'England');
    expect(england).toHaveLength(1);
    expect(england[0]!.rate).toBeCloseTo(0.1, 10); // 8000 / 8,000,000 x 100
    expect(rows.some((r) => r.area_type === 'Neighbour')).toBe(false);
    const primary = await laTrend(db, { measure: 'suspension_rate', phase: 'Primary' });
    expect(primary.map((r) => r.rate)).toEqual([5]); // 4 / 80 x 100
  });

  it('treats a hostile phase value as data, not SQL', async () => {
    const rows = await laTrend(db, { measure: 'suspension_rate', phase: "All' OR '1'='1" as 'All' });
    expect(rows).toEqual([]);
  });
});
