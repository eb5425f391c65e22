/**
 * Query functions for the councillors' view (/council): the local authority's rates by pupil
 * group and phase with its comparators, its years with every count (headline figures, repeat
 * suspensions, sessions lost), and its breakdowns by reason, primary need, term and FSM over a
 * span of years.
 *
 * Same rules as `queries.ts`: SQL only through the `sql` tag (values are parameters, column names
 * come from closed lists), rates from counts, NULL wherever a count is suppressed. Sums over
 * several rows (statistical neighbours pooled; years of a span) are NULL as soon as one of the
 * rows summed is, with the most telling flag beside them (`c` wins), so a pooled figure never
 * quietly leaves out a suppressed one.
 */
import type { Db } from './db';
import { MEASURES, NUMERATOR_COLUMNS, NUMERATOR_FLAG_COLUMNS, type MeasureKey } from './measures';
import type { AreaPhase, RatePoint } from './queries';
import type { Dimension, PupilGroup, TableName } from './schema';
import { ident, raw, sql, type Sql } from './sql';

export const COUNCIL_PHASES = ['All', 'Primary', 'Secondary', 'Special', 'Alternative provision'] as const satisfies readonly AreaPhase[];
export type CouncilPhase = (typeof COUNCIL_PHASES)[number];

export const COMPARATOR_TYPES = ['England', 'Region', 'Neighbour'] as const;
export type ComparatorType = (typeof COMPARATOR_TYPES)[number];

/** The pooled statistical neighbours' area code and name in results. */
export const NEIGHBOURS_CODE = 'neighbours';
export const NEIGHBOURS_NAME = 'Statistical neighbours';

export const TREND_TABLES = ['area_year'] as const satisfies readonly TableName[];
export const BREAKDOWN_TABLES = ['area_breakdown', 'area_year'] as const satisfies readonly TableName[];

export interface CouncilPoint extends RatePoint {
  /** How many areas the row stands for: the number of statistical neighbours pooled, else 1. */
  areas: number;
}

/** SUM that is NULL unless every row summed is published. */
const total = (col: string): Sql => raw(`CASE WHEN COUNT(${col}) = COUNT(*) THEN CAST(SUM(${col}) AS INTEGER) END`);
/** The flag of such a sum: NULL when published, `c` when any row was suppressed, else the first flag. */
const totalFlag = (col: string, flag: string): Sql =>
  raw(`CASE WHEN COUNT(${col}) = COUNT(*) THEN NULL WHEN COUNT(CASE WHEN ${flag} = 'c' THEN 1 END) > 0 THEN 'c' ELSE MIN(${flag}) END`);

/** A breakdown's five counts summed over its rows, each with its flag (laBreakdown, englandNeeds). */
const BREAKDOWN_TOTALS = raw(
  ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost']
    .map((c) => `${total(c).text} AS ${c}, ${totalFlag(c, `${c}_flag`).text} AS ${c}_flag`)
    .join(',\n           ')
);

/**
 * The LA's rate for one measure by pupil group and year in one phase, with the comparators asked
 * for: England and the region as published, the statistical neighbours pooled into one area
 * (their counts summed, then the rate computed: never an average of rates).
 */
export async function councilTrend(
  db: Db,
  opts: { measure: MeasureKey; phase: CouncilPhase; comparators: readonly ComparatorType[] }
): Promise<CouncilPoint[]> {
  const num = ident(MEASURES[opts.measure].numerator, NUMERATOR_COLUMNS);
  const numFlag = ident(`${MEASURES[opts.measure].numerator}_flag`, NUMERATOR_FLAG_COLUMNS);
  const types = ['LA', ...COMPARATOR_TYPES.filter((t) => opts.comparators.includes(t))];
  return db.query<CouncilPoint>(sql`
    WITH picked AS (
      SELECT area_type, area_code, area_name, academic_year, year_start, pupil_group,
             pupils, pupils_flag, ${num} AS num, ${numFlag} AS num_flag, pupils_suspended AS with_event
      FROM area_year
      WHERE phase = ${opts.phase} AND area_type IN (${types})
    ),
    areas AS (
      SELECT area_type, area_code, area_name, academic_year, year_start, pupil_group,
             pupils, pupils_flag, num, num_flag, with_event, 1 AS areas
      FROM picked WHERE area_type <> 'Neighbour'
      UNION ALL
      SELECT 'Neighbour', ${NEIGHBOURS_CODE}, ${NEIGHBOURS_NAME}, academic_year, year_start, pupil_group,
             ${total('pupils')}, ${totalFlag('pupils', 'pupils_flag')},
             ${total('num')}, ${totalFlag('num', 'num_flag')}, ${total('with_event')},
             COUNT(DISTINCT area_code)
      FROM picked WHERE area_type = 'Neighbour'
      GROUP BY academic_year, year_start, pupil_group
    )
    SELECT area_type, area_code, area_name, academic_year,
           CAST(year_start AS INTEGER) AS year_start, pupil_group,
           CAST(pupils AS INTEGER) AS denominator, pupils_flag AS denominator_flag,
           CAST(num AS INTEGER) AS numerator, num_flag AS numerator_flag,
           CASE WHEN pupils > 0 AND num IS NOT NULL THEN CAST(num AS DOUBLE) * 100 / pupils END AS rate,
           CAST(with_event AS INTEGER) AS with_event,
           CAST(areas AS INTEGER) AS areas
    FROM areas
    ORDER BY CASE area_type WHEN 'LA' THEN 0 WHEN 'England' THEN 1 WHEN 'Region' THEN 2 ELSE 3 END,
             pupil_group, year_start`);
}

/** One LA year and pupil group with every count the councillors' view reads. */
export interface LaYearRow {
  academic_year: string;
  year_start: number;
  pupil_group: PupilGroup;
  pupils: number | null;
  pupils_flag: string | null;
  suspensions: number | null;
  suspensions_flag: string | null;
  pupils_suspended: number | null;
  pupils_suspended_flag: string | null;
  pupils_repeat_suspended: number | null;
  pupils_repeat_suspended_flag: string | null;
  permanent_exclusions: number | null;
  permanent_exclusions_flag: string | null;
  sessions_lost: number | null;
  sessions_lost_flag: string | null;
}

/** The LA's own rows for one phase, every year and group, with all their counts. */
export async function laYears(db: Db, opts: { phase: CouncilPhase }): Promise<LaYearRow[]> {
  return db.query<LaYearRow>(sql`
    SELECT academic_year, CAST(year_start AS INTEGER) AS year_start, pupil_group,
           CAST(pupils AS INTEGER) AS pupils, pupils_flag,
           CAST(suspensions AS INTEGER) AS suspensions, suspensions_flag,
           CAST(pupils_suspended AS INTEGER) AS pupils_suspended, pupils_suspended_flag,
           CAST(pupils_repeat_suspended AS INTEGER) AS pupils_repeat_suspended, pupils_repeat_suspended_flag,
           CAST(permanent_exclusions AS INTEGER) AS permanent_exclusions, permanent_exclusions_flag,
           CAST(sessions_lost AS INTEGER) AS sessions_lost, sessions_lost_flag
    FROM area_year
    WHERE area_type = 'LA' AND phase = ${opts.phase}
    ORDER BY pupil_group, year_start`);
}

/** One category of a breakdown for one pupil group, its counts summed over the span's years. */
export interface BreakdownRow {
  pupil_group: PupilGroup;
  category_code: string;
  category: string;
  /** Years summed (a reason recorded only in some years of the span counts only those). */
  years: number;
  /**
   * The rate's denominator: the category's own pupils for `need` and `fsm`; for `term` and
   * `reason`, which have no pupils of their own, the pupil group's pupils in the same years.
   */
  pupils: number | null;
  pupils_flag: string | null;
  suspensions: number | null;
  suspensions_flag: string | null;
  pupils_suspended: number | null;
  pupils_suspended_flag: string | null;
  permanent_exclusions: number | null;
  permanent_exclusions_flag: string | null;
  sessions_lost: number | null;
  sessions_lost_flag: string | null;
  /**
   * The pupil group's own suspensions and pupils suspended in the same years (NULL unless every
   * year's is published): a reason has no pupils suspended of its own, and how much the group's
   * suspensions cluster within pupils stands for its reasons' (stats/dispersion.ts).
   */
  group_suspensions?: number | null;
  group_pupils_suspended?: number | null;
}

/** The LA's breakdown by one dimension, counts summed over the academic years `from` to `to` (start years). */
export async function laBreakdown(db: Db, opts: { dimension: Dimension; from: number; to: number }): Promise<BreakdownRow[]> {
  return db.query<BreakdownRow>(sql`
    WITH j AS (
      SELECT b.pupil_group, b.category_code, b.category,
             CASE WHEN b.dimension IN ('term', 'reason') THEN a.pupils ELSE b.pupils END AS pupils,
             CASE WHEN b.dimension IN ('term', 'reason') THEN a.pupils_flag ELSE b.pupils_flag END AS pupils_flag,
             b.suspensions, b.suspensions_flag, b.pupils_suspended, b.pupils_suspended_flag,
             b.permanent_exclusions, b.permanent_exclusions_flag, b.sessions_lost, b.sessions_lost_flag,
             a.suspensions AS group_suspensions, a.pupils_suspended AS group_pupils_suspended
      FROM area_breakdown b
      LEFT JOIN area_year a
        ON a.area_type = b.area_type AND a.area_code = b.area_code AND a.phase = b.phase
       AND a.year_start = b.year_start AND a.pupil_group = b.pupil_group
      WHERE b.area_type = 'LA' AND b.phase = 'All' AND b.dimension = ${opts.dimension}
        AND b.year_start BETWEEN ${opts.from} AND ${opts.to}
    )
    SELECT pupil_group, category_code, category, CAST(COUNT(*) AS INTEGER) AS years,
           ${BREAKDOWN_TOTALS},
           ${total('group_suspensions')} AS group_suspensions, ${total('group_pupils_suspended')} AS group_pupils_suspended
    FROM j
    GROUP BY pupil_group, category_code, category
    ORDER BY pupil_group, category_code`);
}

/**
 * England's figures by SEN primary need, as DfE publishes them: every pupil with SEN together
 * (statement or EHC plan and SEN support alike), `area_breakdown` rows of pupil group `SEND`
 * (data/SCHEMA.md), all schools, counts summed over the academic years `from` to `to`. A release
 * built from DfE's files has them; the demo and a council's extract do not (the query returns no
 * rows). They are context, never the LA's per-group figures: see `needView`.
 */
export const NEED_CONTEXT_GROUP = 'SEND';

export interface NeedContextRow extends Omit<BreakdownRow, 'pupil_group'> {
  pupil_group: typeof NEED_CONTEXT_GROUP;
  area_name: string;
  /** The first and last academic years (start years) of the span that have the need. */
  first_year: number;
  last_year: number;
}

export async function englandNeeds(db: Db, opts: { from: number; to: number }): Promise<NeedContextRow[]> {
  return db.query<NeedContextRow>(sql`
    SELECT pupil_group, category_code, category, MIN(area_name) AS area_name,
           CAST(COUNT(*) AS INTEGER) AS years,
           CAST(MIN(year_start) AS INTEGER) AS first_year, CAST(MAX(year_start) AS INTEGER) AS last_year,
           ${BREAKDOWN_TOTALS}
    FROM area_breakdown
    WHERE area_type = 'England' AND phase = 'All' AND dimension = 'need' AND pupil_group = ${NEED_CONTEXT_GROUP}
      AND year_start BETWEEN ${opts.from} AND ${opts.to}
    GROUP BY pupil_group, category_code, category
    ORDER BY category_code`);
}
