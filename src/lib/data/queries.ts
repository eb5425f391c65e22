/**
 * Typed query functions: the dashboard's questions, answered in SQL on either engine.
 *
 * Each function takes a `Db` and typed options, builds its SQL with the `sql` tag (values become
 * parameters, column names come from closed lists) and returns plain rows. Rates are computed here
 * from counts (count / pupils x 100, DfE's convention), never averaged and never stored, and are NULL
 * when either count is suppressed. Casts keep BIGINT out of the results (DuckDB-WASM returns it as
 * BigInt).
 */
import type { Db } from './db';
import { MEASURES, NUMERATOR_COLUMNS, NUMERATOR_FLAG_COLUMNS, type MeasureKey } from './measures';
import type { PupilGroup } from './schema';
import { ident, sql } from './sql';

export interface RatePoint {
  area_type: string;
  area_code: string;
  area_name: string;
  academic_year: string;
  year_start: number;
  pupil_group: PupilGroup;
  /** Pupils on roll; NULL when suppressed. */
  denominator: number | null;
  /** Why `denominator` is NULL (c, x, z, low), else NULL. */
  denominator_flag: string | null;
  /** The measure's count; NULL when suppressed. */
  numerator: number | null;
  /** Why `numerator` is NULL, else NULL. */
  numerator_flag: string | null;
  /** Per 100 pupils; NULL unless both counts are published. */
  rate: number | null;
  /**
   * Pupils suspended in the same row, whatever the measure: how much suspensions cluster within
   * pupils widens their intervals (stats/dispersion.ts). NULL when withheld; absent in figures
   * made without it, where England's clustering stands in.
   */
  with_event?: number | null;
}

export type AreaPhase = 'All' | 'Primary' | 'Secondary' | 'Special' | 'Alternative provision';

export interface TrendOptions {
  measure: MeasureKey;
  phase: AreaPhase;
  /** A comparator line: which area type and which pupil group of it. */
  comparator?: { areaType: 'England' | 'Region' | 'Neighbour'; group: PupilGroup };
}

/**
 * The local authority's rate for the chosen measure by pupil group and year, plus one comparator
 * series (England, all pupils, on the overview).
 */
export async function laTrend(db: Db, opts: TrendOptions): Promise<RatePoint[]> {
  const num = ident(MEASURES[opts.measure].numerator, NUMERATOR_COLUMNS);
  const numFlag = ident(`${MEASURES[opts.measure].numerator}_flag`, NUMERATOR_FLAG_COLUMNS);
  const comparator = opts.comparator
    ? sql`OR (area_type = ${opts.comparator.areaType} AND pupil_group = ${opts.comparator.group})`
    : sql``;
  const rows = await db.query<RatePoint>(sql`
    SELECT area_type, area_code, area_name, academic_year,
           CAST(year_start AS INTEGER) AS year_start,
           pupil_group,
           CAST(pupils AS INTEGER) AS denominator, pupils_flag AS denominator_flag,
           CAST(${num} AS INTEGER) AS numerator, ${numFlag} AS numerator_flag,
           CASE WHEN pupils > 0 AND ${num} IS NOT NULL
                THEN CAST(${num} AS DOUBLE) * 100 / pupils END AS rate,
           CAST(pupils_suspended AS INTEGER) AS with_event
    FROM area_year
    WHERE phase = ${opts.phase}
      AND (area_type = 'LA' ${comparator})
    ORDER BY CASE area_type WHEN 'LA' THEN 0 ELSE 1 END, pupil_group, year_start`);
  return rows;
}

/**
 * Whether the release has an SEN split at LA level: any figure for the LA's SEN groups (EHC plan,
 * SEN support, No SEN) published, in any year or measure. DfE's LA-level files have none (its LA
 * rows are for all pupils; the SEN groups' rows only carry `x`), a council's own extract has one.
 */
export async function laSenSplit(db: Db): Promise<boolean> {
  const rows = await db.query<{ n: number }>(sql`
    SELECT CAST(count(*) AS INTEGER) AS n
    FROM area_year
    WHERE area_type = 'LA' AND pupil_group <> 'All pupils'
      AND (suspensions IS NOT NULL OR pupils_suspended IS NOT NULL OR permanent_exclusions IS NOT NULL)`);
  return (rows[0]?.n ?? 0) > 0;
}
