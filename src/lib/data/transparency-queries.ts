/**
 * Query functions for the transparency page: the headline figures a parent or journalist asks for
 * first, and one line of figures per school for the A–Z list.
 *
 * Why separate from queries.ts: these answer plain-English questions about a single year, and the
 * school list needs a derived group (SEND = EHC plan + SEN support) that the rest of the dashboard
 * does not. The rules are the same as everywhere else: SQL built only with the `sql` tag, rates
 * computed from counts (count / pupils x 100, DfE's convention), and a rate is NULL whenever any
 * count it needs is not published, with a flag saying why, so a hidden figure is never shown as 0.
 */
import type { Db } from './db';
import { TABLES, type Phase, type PupilGroup, type SuppressionCode, type TableName } from './schema';
import { raw, sql } from './sql';

export interface KeyFigure {
  area_type: 'LA' | 'England';
  area_name: string;
  academic_year: string;
  pupil_group: PupilGroup;
  /** Pupils on roll; NULL when not published. */
  pupils: number | null;
  suspensions: number | null;
  /** Pupils suspended: how much suspensions cluster within pupils widens comparisons of them (stats/dispersion.ts). */
  pupils_suspended: number | null;
  /** Suspensions per 100 pupils; NULL unless both counts are published. */
  suspension_rate: number | null;
  permanent_exclusions: number | null;
  /** Permanent exclusions per 100 pupils; NULL unless both counts are published. */
  permanent_exclusion_rate: number | null;
}

/**
 * The local authority's and England's suspension and permanent exclusion rates for one academic
 * year, every phase together, by pupil group (EHC plan, SEN support, No SEN, All pupils; LA first).
 */
export async function keyFigures(db: Db, opts: { year: string }): Promise<KeyFigure[]> {
  return db.query<KeyFigure>(sql`
    SELECT area_type, area_name, academic_year, pupil_group,
           CAST(pupils AS INTEGER) AS pupils,
           CAST(suspensions AS INTEGER) AS suspensions,
           CAST(pupils_suspended AS INTEGER) AS pupils_suspended,
           CASE WHEN pupils > 0 AND suspensions IS NOT NULL
                THEN CAST(suspensions AS DOUBLE) * 100 / pupils END AS suspension_rate,
           CAST(permanent_exclusions AS INTEGER) AS permanent_exclusions,
           CASE WHEN pupils > 0 AND permanent_exclusions IS NOT NULL
                THEN CAST(permanent_exclusions AS DOUBLE) * 100 / pupils END AS permanent_exclusion_rate
    FROM area_year
    WHERE academic_year = ${opts.year}
      AND phase = 'All'
      AND area_type IN ('LA', 'England')
    ORDER BY CASE area_type WHEN 'LA' THEN 0 ELSE 1 END,
             CASE pupil_group WHEN 'EHC plan' THEN 0 WHEN 'SEN support' THEN 1 WHEN 'No SEN' THEN 2 ELSE 3 END`);
}

/**
 * The latest academic year with the local authority's own figures (all schools, pupils published).
 * Usually the release's latest year; a release built from DfE's files can have LA figures for later
 * years than its school-level file (DfE's LA file runs on), and the key figures use the latest.
 */
export async function laLatestYear(db: Db): Promise<string | null> {
  const rows = await db.query<{ year: string | null }>(sql`
    SELECT max(academic_year) AS year FROM area_year
    WHERE area_type = 'LA' AND phase = 'All' AND pupil_group = 'All pupils' AND pupils IS NOT NULL`);
  return rows[0]?.year ?? null;
}

/** Why a school figure is missing: a published flag, or `none` when the school has no row that year. */
export type MissingReason = SuppressionCode | 'none';

export interface SchoolEntry {
  urn: string;
  name: string;
  phase: Phase;
  type: string;
  status: string;
  /** False when the school has no figures for the year (for example, it was not open). */
  in_year: boolean;
  /** All pupils on roll. */
  pupils: number | null;
  pupils_flag: MissingReason | null;
  /** Suspensions per 100 pupils, all pupils. */
  suspension_rate: number | null;
  /** Why `suspension_rate` is NULL; NULL when it is published. */
  suspension_rate_flag: MissingReason | null;
  /** Pupils with SEND (EHC plan + SEN support), NULL when either part is not published. */
  send_pupils: number | null;
  send_suspensions: number | null;
  /** Suspensions per 100 pupils with SEND, from the summed counts. */
  send_suspension_rate: number | null;
  /** Why `send_suspension_rate` is NULL (`z`: the school had no pupils with SEND); NULL when published. */
  send_suspension_rate_flag: MissingReason | null;
}

/**
 * Every school in the `schools` table (one row each, by name) with its figures for one year: pupils,
 * suspensions per 100 pupils, and the same for pupils with SEND, summed from the EHC plan and SEN
 * support rows. A sum is published only when every part of it is (a suppressed part must not be
 * recoverable, and a partial sum would understate the figure).
 */
export async function schoolIndex(db: Db, opts: { year: string }): Promise<SchoolEntry[]> {
  return db.query<SchoolEntry>(sql`
    WITH yr AS (
      SELECT * FROM school_year WHERE academic_year = ${opts.year}
    ),
    allp AS (
      SELECT urn, pupils, pupils_flag, suspensions, suspensions_flag
      FROM yr WHERE pupil_group = 'All pupils'
    ),
    send AS (
      SELECT urn,
             count(*) AS parts,
             count(pupils) AS pupils_published,
             count(suspensions) AS suspensions_published,
             sum(pupils) AS pupils,
             sum(suspensions) AS suspensions,
             bool_or(pupils_flag = 'c' OR suspensions_flag = 'c') AS any_confidential,
             min(coalesce(pupils_flag, suspensions_flag)) AS other_flag
      FROM yr WHERE pupil_group IN ('EHC plan', 'SEN support')
      GROUP BY urn
    ),
    send_total AS (
      SELECT urn, any_confidential, other_flag,
             CASE WHEN parts = 2 AND pupils_published = 2 THEN pupils END AS pupils,
             CASE WHEN parts = 2 AND pupils_published = 2 AND suspensions_published = 2 THEN suspensions END AS suspensions
      FROM send
    )
    SELECT s.urn, s.name, s.phase, s.type, s.status,
           a.urn IS NOT NULL AS in_year,
           CAST(a.pupils AS INTEGER) AS pupils,
           CASE WHEN a.urn IS NULL THEN 'none' ELSE a.pupils_flag END AS pupils_flag,
           CASE WHEN a.pupils > 0 AND a.suspensions IS NOT NULL
                THEN CAST(a.suspensions AS DOUBLE) * 100 / a.pupils END AS suspension_rate,
           CASE WHEN a.urn IS NULL THEN 'none'
                WHEN a.pupils > 0 AND a.suspensions IS NOT NULL THEN NULL
                WHEN a.pupils_flag = 'c' OR a.suspensions_flag = 'c' THEN 'c'
                WHEN a.pupils = 0 THEN 'z'
                ELSE coalesce(a.suspensions_flag, a.pupils_flag, 'x') END AS suspension_rate_flag,
           CAST(t.pupils AS INTEGER) AS send_pupils,
           CAST(t.suspensions AS INTEGER) AS send_suspensions,
           CASE WHEN t.pupils > 0 AND t.suspensions IS NOT NULL
                THEN CAST(t.suspensions AS DOUBLE) * 100 / t.pupils END AS send_suspension_rate,
           CASE WHEN a.urn IS NULL AND t.urn IS NULL THEN 'none'
                WHEN t.pupils > 0 AND t.suspensions IS NOT NULL THEN NULL
                WHEN t.any_confidential THEN 'c'
                WHEN t.pupils = 0 THEN 'z'
                ELSE coalesce(t.other_flag, 'x') END AS send_suspension_rate_flag
    FROM schools s
    LEFT JOIN allp a ON a.urn = s.urn
    LEFT JOIN send_total t ON t.urn = s.urn
    ORDER BY lower(s.name), s.urn`);
}

export interface TableSuppression {
  table_name: TableName;
  /**
   * Figures in the table: count cells published or withheld (flag `c` or `low`). Cells that were
   * never figures (`x` not available, `z` not applicable) are not counted, as in the manifest's
   * disclosure totals, so the tables add up to the release's total.
   */
  cells: number;
  /** Of those, the cells withheld (`c`: by disclosure control or by the source; `low`). */
  suppressed: number;
}

/** A table's count columns: those with a `_flag` column beside them (the schema's closed list). */
function countColumns(table: TableName): string[] {
  const names = TABLES[table].columns.map((c) => c.name);
  return names.filter((n) => names.includes(`${n}_flag`));
}

/**
 * How many figures each published table holds and how many of them are withheld, so the page can
 * say where the hiding falls instead of asserting it. Every count column of the schema is counted;
 * `tables` lists the tables to count (those the release has), each from the schema's closed list.
 */
export async function suppressionByTable(db: Db, tables: readonly TableName[]): Promise<TableSuppression[]> {
  const parts = tables
    .filter((t) => TABLES[t] !== undefined && countColumns(t).length > 0)
    .map((t) => {
      const cols = countColumns(t);
      const published = cols.map((c) => `count("${c}")`).join(' + ');
      const hidden = cols.map((c) => `count(*) FILTER (WHERE "${c}_flag" IN ('c', 'low'))`).join(' + ');
      return `SELECT '${t}' AS table_name, CAST(${published} + ${hidden} AS INTEGER) AS cells, CAST(${hidden} AS INTEGER) AS suppressed FROM "${t}"`;
    });
  if (parts.length === 0) return [];
  // Table and column names come from the schema (TABLES), never from a caller's string.
  return db.query<TableSuppression>(sql`${raw(parts.join('\nUNION ALL\n'))} ORDER BY 1`);
}
