/**
 * Builds the published tables of the data contract (src/lib/data/schema.ts) from a validated
 * extract, in native DuckDB.
 *
 * Every school-year carries all four pupil groups, with explicit zeros: a group a school has no
 * pupils in is a true zero, and disclosure control needs to see it to decide whether it may be
 * published. Rows come out unsuppressed here (`*_flag` NULL); disclosure.ts decides what is seen.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { REASONS } from './codes';
import { createTableSql } from '../lib/data/schema';

export interface AreaIdentity {
  code: string;
  name: string;
  region: string;
}

const GROUP_OF = `CASE sen_provision WHEN 'E' THEN 'EHC plan' WHEN 'K' THEN 'SEN support' ELSE 'No SEN' END`;
const YEAR_START = (c: string) => `CAST(left(${c}, 4) AS INTEGER)`;

export async function aggregate(conn: DuckDBConnection, la: AreaIdentity, neighbourCodes: string[] | null): Promise<void> {
  const run = (s: string, params?: (string | number)[]) => conn.run(s, params);

  await run(createTableSql('schools'));
  await run(`INSERT INTO schools SELECT urn, laestab, name, la_code, la_name, region, phase, type, status FROM in_schools ORDER BY urn`);

  // One row per pupil-year with that pupil's events, so every measure is a plain sum or count.
  await run(`CREATE TEMP TABLE pupil_year AS
    SELECT p.academic_year, p.urn, ${GROUP_OF} AS pupil_group,
           coalesce(e.susp, 0) AS susp, coalesce(e.sessions, 0) AS sessions, coalesce(e.perm, 0) AS perm
    FROM in_pupils p
    LEFT JOIN (
      SELECT academic_year, urn, pupil_ref,
             count(*) FILTER (WHERE category = 'SUSP') AS susp,
             sum(CAST(sessions AS INTEGER)) FILTER (WHERE category = 'SUSP') AS sessions,
             count(*) FILTER (WHERE category = 'PERM') AS perm
      FROM in_exclusions GROUP BY ALL
    ) e USING (academic_year, urn, pupil_ref)`);

  await run(createTableSql('school_year'));
  await run(`INSERT INTO school_year
    WITH groups(pupil_group) AS (VALUES ('EHC plan'), ('SEN support'), ('No SEN')),
    school_years AS (SELECT DISTINCT academic_year, urn FROM in_pupils),
    by_group AS (
      SELECT sy.urn, sy.academic_year, g.pupil_group,
             count(py.urn) AS pupils, coalesce(sum(py.susp), 0) AS suspensions,
             count(py.urn) FILTER (WHERE py.susp > 0) AS pupils_suspended,
             coalesce(sum(py.perm), 0) AS permanent_exclusions, coalesce(sum(py.sessions), 0) AS sessions_lost
      FROM school_years sy CROSS JOIN groups g
      LEFT JOIN pupil_year py ON py.urn = sy.urn AND py.academic_year = sy.academic_year AND py.pupil_group = g.pupil_group
      GROUP BY ALL
    ),
    all_groups AS (
      SELECT * FROM by_group
      UNION ALL
      SELECT urn, academic_year, 'All pupils', sum(pupils), sum(suspensions), sum(pupils_suspended), sum(permanent_exclusions), sum(sessions_lost)
      FROM by_group GROUP BY urn, academic_year
    )
    SELECT urn, academic_year, ${YEAR_START('academic_year')}, pupil_group,
           pupils, NULL, suspensions, NULL, pupils_suspended, NULL, permanent_exclusions, NULL, sessions_lost, NULL
    FROM all_groups ORDER BY urn, academic_year, pupil_group`);

  // Each reason an event records counts once for that reason (up to three from 2020/21). Every
  // reason code in use that year gets a row for every school, year and group, zeros included: were
  // zero rows left out, the absence of a row would reveal a zero about a group whose counts
  // disclosure control suppresses.
  const reasonNames = Object.entries(REASONS).map(
    ([code, r]) => `('${code}', '${r.name.replaceAll("'", "''")}', ${r.from ?? 0}, ${r.to ?? 9999})`
  );
  await run(createTableSql('school_year_reason'));
  await run(`INSERT INTO school_year_reason
    WITH reason_names(code, name, valid_from, valid_to) AS (VALUES ${reasonNames.join(', ')}),
    mentions AS (
      SELECT e.academic_year, e.urn, ${GROUP_OF} AS pupil_group, e.category, r.code
      FROM in_exclusions e
      JOIN in_pupils p USING (academic_year, urn, pupil_ref)
      CROSS JOIN LATERAL (SELECT unnest([e.reason_1, e.reason_2, e.reason_3]) AS code) r
      WHERE coalesce(trim(r.code), '') <> ''
    ),
    counted AS (
      SELECT academic_year, urn, coalesce(pupil_group, 'All pupils') AS pupil_group, code,
             count(*) FILTER (WHERE category = 'SUSP') AS suspensions,
             count(*) FILTER (WHERE category = 'PERM') AS permanent_exclusions
      FROM mentions GROUP BY GROUPING SETS ((academic_year, urn, pupil_group, code), (academic_year, urn, code))
    ),
    frame AS (
      SELECT sy.urn, sy.academic_year, sy.year_start, sy.pupil_group, r.code
      FROM school_year sy JOIN reason_names r ON sy.year_start BETWEEN r.valid_from AND r.valid_to
    )
    SELECT f.urn, f.academic_year, f.year_start, f.pupil_group, f.code, n.name,
           coalesce(c.suspensions, 0), NULL, coalesce(c.permanent_exclusions, 0), NULL
    FROM frame f
    JOIN reason_names n ON n.code = f.code
    LEFT JOIN counted c ON c.urn = f.urn AND c.academic_year = f.academic_year AND c.pupil_group = f.pupil_group AND c.code = f.code
    ORDER BY f.urn, f.academic_year, f.pupil_group, f.code`);

  // The LA's own rows come from its schools; comparators come only from the comparator file.
  await run(createTableSql('area_year'));
  await run(
    `INSERT INTO area_year
    WITH la AS (
      SELECT sy.academic_year, sy.pupil_group, coalesce(s.phase, 'All') AS phase,
             sum(sy.pupils) AS pupils, sum(sy.suspensions) AS suspensions,
             sum(sy.pupils_suspended) AS pupils_suspended, sum(sy.permanent_exclusions) AS permanent_exclusions
      FROM school_year sy JOIN schools s USING (urn)
      GROUP BY GROUPING SETS ((sy.academic_year, sy.pupil_group, s.phase), (sy.academic_year, sy.pupil_group))
    )
    SELECT 'LA', $1, $2, academic_year, ${YEAR_START('academic_year')}, phase, pupil_group,
           pupils, NULL, suspensions, NULL, pupils_suspended, NULL, permanent_exclusions, NULL, 'council extract'
    FROM la
    UNION ALL
    SELECT area_type, area_code, area_name, academic_year, ${YEAR_START('academic_year')}, phase, pupil_group,
           CAST(pupils AS INTEGER), NULL, CAST(suspensions AS INTEGER), NULL,
           CAST(pupils_suspended AS INTEGER), NULL, CAST(permanent_exclusions AS INTEGER), NULL, 'comparator file'
    FROM in_comparators
    WHERE area_type <> 'Neighbour' OR $3 = '*' OR list_contains(string_split($3, ','), area_code)
    ORDER BY 1, 2, 4, 6, 7`,
    [la.code, la.name, neighbourCodes === null ? '*' : neighbourCodes.join(',')]
  );
}
