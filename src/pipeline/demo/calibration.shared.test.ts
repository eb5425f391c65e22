// The generator's calibration constants are published figures typed in by hand; this checks each
// one against the DfE file it names, so a typo cannot quietly skew the demo. Reads ../shared only
// in tests, never at run time.
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { dfeFile } from '../../../tests/unit/shared-data';
import { ENGLAND_TOTALS, NATIONAL_BASE_2016, SOUTH_WEST_TOTALS, YEARS } from './calibration';

const regional = dfeFile('exclusions_national_regional_la_2006-2023.csv');
const characteristic = dfeFile('national_exclusions_by_characteristic_2011-2017.csv');

async function rows(sql: string, params: string[]): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql, params)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

const toYear = (tp: string) => `${tp.slice(0, 4)}/${tp.slice(4)}`;

describe.skipIf(!regional)('England and South West totals match exclusions_national_regional_la_2006-2023.csv', () => {
  it('reproduces every typed-in England and South West figure to the file precision', async () => {
    const found = await rows(
      `SELECT CAST(time_period AS VARCHAR) AS tp, geographic_level AS level, region_name AS region,
              CAST(headcount AS BIGINT) AS headcount, CAST(perm_excl_rate AS DOUBLE) AS perm,
              CAST(susp_rate AS DOUBLE) AS susp, CAST(one_plus_susp_rate AS DOUBLE) AS one_plus
       FROM read_csv($1, all_varchar = true)
       WHERE school_type = 'Total' AND (geographic_level = 'National' OR (geographic_level = 'Regional' AND region_name = 'South West'))`,
      [regional!]
    );
    let checked = 0;
    for (const r of found) {
      const year = toYear(String(r.tp)) as (typeof YEARS)[number];
      const typed = r.level === 'National' ? ENGLAND_TOTALS[year] : SOUTH_WEST_TOTALS[year];
      if (!typed || year === '2023/24') continue;
      expect(typed.headcount, `${r.level} ${year} headcount`).toBe(Number(r.headcount));
      expect(typed.permanent_exclusion).toBeCloseTo(Number(r.perm), 5);
      expect(typed.suspension).toBeCloseTo(Number(r.susp), 5);
      expect(typed.one_plus_suspension).toBeCloseTo(Number(r.one_plus), 5);
      checked++;
    }
    expect(checked).toBe(14); // 2016/17 to 2022/23, England and South West
  });

  it('includes the published facts the brief quotes', () => {
    expect(ENGLAND_TOTALS['2016/17'].headcount).toBe(8_025_073);
    expect(ENGLAND_TOTALS['2022/23'].suspension).toBeCloseTo(9.33458, 5);
  });
});

describe.skipIf(!characteristic)('2016/17 rates by SEN provision match national_exclusions_by_characteristic_2011-2017.csv', () => {
  it('reproduces the typed-in base rates', async () => {
    const found = await rows(
      `SELECT lower(characteristic) AS c, CAST(perm_excl_rate AS DOUBLE) AS perm, CAST(fixed_excl_rate AS DOUBLE) AS susp,
              CAST(one_plus_fixed_rate AS DOUBLE) AS one_plus
       FROM read_csv($1, all_varchar = true)
       WHERE time_period = '201617' AND school_type = 'Total' AND lower(characteristic) IN
         ('sen provision sen with statement ehc', 'sen provision sen without statement', 'sen provision no sen')`,
      [characteristic!]
    );
    const byName: Record<string, keyof typeof NATIONAL_BASE_2016> = {
      'sen provision sen with statement ehc': 'EHC plan',
      'sen provision sen without statement': 'SEN support',
      'sen provision no sen': 'No SEN'
    };
    expect(found).toHaveLength(3);
    for (const r of found) {
      const base = NATIONAL_BASE_2016[byName[String(r.c)]!];
      expect(base.permanent_exclusion).toBe(Number(r.perm));
      expect(base.suspension).toBe(Number(r.susp));
      expect(base.one_plus_suspension).toBe(Number(r.one_plus));
    }
  });
});
