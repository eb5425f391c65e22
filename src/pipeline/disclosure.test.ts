// The suppressor on hand-made tables (native DuckDB, the pipeline's engine), one rule at a time.
// Property and mutation tests against the independent audit live in disclosure.audit.test.ts.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTableSql } from '../lib/data/schema';
import { applyDisclosureControl, DEFAULT_DISCLOSURE } from './disclosure';

let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeEach(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  for (const t of ['schools', 'school_year', 'school_year_reason', 'area_year'] as const) await conn.run(createTableSql(t));
  await conn.run(`INSERT INTO schools VALUES ('900001', '9902001', 'A', '990', 'T', 'SW', 'Secondary', 'Academy', 'Open')`);
});
afterEach(() => {
  conn.closeSync();
  instance.closeSync();
});

type Counts = [pupils: number, suspensions: number, suspended: number, perm: number, sessions: number];

async function schoolYear(groups: Record<string, Counts>, urn = '900001', year = '2022/23'): Promise<void> {
  for (const [group, [p, s, ps, pe, se]] of Object.entries(groups)) {
    await conn.run(
      `INSERT INTO school_year VALUES ('${urn}', '${year}', ${year.slice(0, 4)}, '${group}', ${p}, NULL, ${s}, NULL, ${ps}, NULL, ${pe}, NULL, ${se}, NULL)`
    );
  }
}

async function read(): Promise<Record<string, Record<string, unknown>>> {
  const r = await conn.runAndReadAll(
    `SELECT pupil_group, pupils, pupils_flag, suspensions, suspensions_flag, pupils_suspended, pupils_suspended_flag,
            permanent_exclusions, permanent_exclusions_flag, sessions_lost, sessions_lost_flag FROM school_year`
  );
  return Object.fromEntries(r.getRowObjectsJS().map((row) => [String(row.pupil_group), row as Record<string, unknown>]));
}

describe('primary suppression', () => {
  it('publishes everything when nothing needs protecting, true zeros included', async () => {
    await schoolYear({
      'EHC plan': [40, 12, 6, 0, 30],
      'SEN support': [120, 30, 10, 0, 70],
      'No SEN': [800, 60, 25, 5, 140],
      'All pupils': [960, 102, 41, 5, 240]
    });
    const summary = await applyDisclosureControl(conn, DEFAULT_DISCLOSURE);
    expect(summary.cells_suppressed).toEqual({ small_count: 0, small_group: 0, follows_pupils: 0, secondary: 0, source: 0 });
    expect(summary.cells_published).toBe(20);
    expect((await read())['EHC plan']!.permanent_exclusions).toBe(0);
  });

  it('suppresses a pupil count of 1 to 4 with its events, and protects it from subtraction', async () => {
    await schoolYear({
      'EHC plan': [40, 7, 3, 0, 14], // 3 pupils suspended: suppressed, and their 7 suspensions and 14 sessions with them
      'SEN support': [120, 30, 10, 0, 70],
      'No SEN': [800, 60, 25, 0, 140],
      'All pupils': [960, 97, 38, 0, 224]
    });
    const summary = await applyDisclosureControl(conn, DEFAULT_DISCLOSURE);
    const t = await read();
    expect(t['EHC plan']).toMatchObject({
      pupils_suspended: null,
      pupils_suspended_flag: 'c',
      suspensions: null,
      suspensions_flag: 'c',
      sessions_lost: null,
      sessions_lost_flag: 'c',
      pupils: 40,
      permanent_exclusions: 0
    });
    // 38 - 25 - 10 would give the 3 away: the next-smallest part (SEN support, 10) goes too.
    expect(t['SEN support']).toMatchObject({ pupils_suspended: null, pupils_suspended_flag: 'c', suspensions: null, sessions_lost: null });
    expect(t['No SEN']!.pupils_suspended).toBe(25);
    expect(t['All pupils']!.pupils_suspended).toBe(38);
    expect(summary.cells_suppressed).toMatchObject({ small_count: 1, follows_pupils: 4, secondary: 1 });
    // Never 0 and never a number where suppressed.
    const zeros = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM school_year WHERE pupils_suspended_flag = 'c' AND pupils_suspended IS NOT NULL`);
    expect(zeros.getRowObjectsJS()[0]!.n).toBe(0);
  });

  it('suppresses a group of fewer than 10 pupils whole, zeros included', async () => {
    await schoolYear({
      'EHC plan': [7, 0, 0, 0, 0],
      'SEN support': [120, 30, 10, 0, 70],
      'No SEN': [800, 60, 25, 0, 140],
      'All pupils': [927, 90, 35, 0, 210]
    });
    const summary = await applyDisclosureControl(conn, DEFAULT_DISCLOSURE);
    const t = await read();
    for (const c of ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost']) {
      expect(t['EHC plan']![c], c).toBeNull();
      expect(t['EHC plan']![`${c}_flag`], c).toBe('c');
    }
    expect(summary.cells_suppressed.small_group).toBe(5);
  });

  it('publishes a group with no pupils as zeros (nothing to protect)', async () => {
    await schoolYear({
      'EHC plan': [0, 0, 0, 0, 0],
      'SEN support': [120, 30, 10, 0, 70],
      'No SEN': [800, 60, 25, 0, 140],
      'All pupils': [920, 90, 35, 0, 210]
    });
    await applyDisclosureControl(conn, DEFAULT_DISCLOSURE);
    expect((await read())['EHC plan']!.pupils).toBe(0);
  });

  it('honours configured thresholds', async () => {
    await schoolYear({
      'EHC plan': [40, 12, 6, 0, 30],
      'SEN support': [120, 30, 10, 0, 70],
      'No SEN': [800, 60, 25, 5, 140],
      'All pupils': [960, 102, 41, 5, 240]
    });
    const summary = await applyDisclosureControl(conn, { min_count: 7, min_group: 50 });
    const t = await read();
    expect(t['EHC plan']!.pupils).toBeNull(); // 40 < 50: whole group
    expect(t['No SEN']!.permanent_exclusions).toBeNull(); // 5 < 7
    expect(summary.thresholds).toEqual({ min_count: 7, min_group: 50 });
  });
});
