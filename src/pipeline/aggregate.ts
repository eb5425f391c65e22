/**
 * Builds the published tables of the data contract (src/lib/data/schema.ts) from a validated
 * extract, in native DuckDB.
 *
 * Every school-year carries all four pupil groups, with explicit zeros: a group a school has no
 * pupils in is a true zero, and disclosure control needs to see it to decide whether it may be
 * published. Breakdowns are dense for the same reason (every category of every group and year).
 * Rows come out unsuppressed here (`*_flag` NULL, or `z` where a count does not apply, `x` where a
 * comparator file lacks it); disclosure.ts decides what is seen.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { FSM_CATEGORIES, PRIMARY_NEEDS, REASONS, TERMS, academicYear, easterSunday } from './codes';
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
  const values = (rows: string[][]) => rows.map((r) => `(${r.map(lit).join(', ')})`).join(', ');

  await run(createTableSql('schools'));
  await run(`INSERT INTO schools SELECT urn, laestab, name, la_code, la_name, region, phase, type, status, nullif(trim(trust), '') FROM in_schools ORDER BY urn`);

  // The pupils in one pass, grouped as finely as any table needs them (school, year, group,
  // primary need, FSM), with their events: every measure is then a sum over these few thousand
  // cells instead of another pass over a million pupil-year rows. `pupils_suspended` counts the
  // pupils with one or more suspensions, `pupils_repeat_suspended` two or more. A pupil with
  // events keeps a row (and reference) of their own, so that their events can take their group
  // from here rather than from another pass over the pupils.
  await run(`CREATE TEMP TABLE pupil_parts AS
    SELECT p.academic_year, p.urn, ${GROUP_OF} AS pupil_group, p.primary_need, p.fsm = '1' AS fsm,
           CASE WHEN e.pupil_ref IS NOT NULL THEN p.pupil_ref END AS pupil_ref,
           count(*) AS pupils, coalesce(sum(e.susp), 0) AS suspensions,
           count(*) FILTER (WHERE e.susp > 0) AS pupils_suspended,
           count(*) FILTER (WHERE e.susp > 1) AS pupils_repeat_suspended,
           coalesce(sum(e.perm), 0) AS permanent_exclusions, coalesce(sum(e.sessions), 0) AS sessions_lost
    FROM in_pupils p
    LEFT JOIN (
      SELECT academic_year, urn, pupil_ref,
             count(*) FILTER (WHERE category = 'SUSP') AS susp,
             sum(CAST(sessions AS INTEGER)) FILTER (WHERE category = 'SUSP') AS sessions,
             count(*) FILTER (WHERE category = 'PERM') AS perm
      FROM in_exclusions GROUP BY ALL
    ) e USING (academic_year, urn, pupil_ref)
    GROUP BY ALL`);
  await run(`CREATE TEMP TABLE pupil_cells AS
    SELECT academic_year, urn, pupil_group, primary_need, fsm, sum(pupils) AS pupils, sum(suspensions) AS suspensions,
           sum(pupils_suspended) AS pupils_suspended, sum(pupils_repeat_suspended) AS pupils_repeat_suspended,
           sum(permanent_exclusions) AS permanent_exclusions, sum(sessions_lost) AS sessions_lost
    FROM pupil_parts GROUP BY ALL`);
  // Each event with its pupil's group, for the counts by reason and by term (validation has made
  // sure every event's pupil is on roll that year at that school, once).
  await run(`CREATE TEMP TABLE event_rows AS
    SELECT e.academic_year, e.urn, e.pupil_ref, p.pupil_group, e.category, e.start_date, e.sessions,
           e.reason_1, e.reason_2, e.reason_3
    FROM in_exclusions e
    JOIN (SELECT academic_year, urn, pupil_ref, pupil_group FROM pupil_parts WHERE pupil_ref IS NOT NULL) p USING (academic_year, urn, pupil_ref)`);

  await run(createTableSql('school_year'));
  await run(`INSERT INTO school_year (${COUNTS_INSERT('urn, academic_year, year_start, pupil_group', YEAR_COUNTS)})
    WITH groups(pupil_group) AS (VALUES ('EHC plan'), ('SEN support'), ('No SEN')),
    school_years AS (SELECT DISTINCT academic_year, urn FROM pupil_cells),
    by_group AS (
      SELECT sy.urn, sy.academic_year, g.pupil_group, ${MEASURES_OF('pc')}
      FROM school_years sy CROSS JOIN groups g
      LEFT JOIN pupil_cells pc ON pc.urn = sy.urn AND pc.academic_year = sy.academic_year AND pc.pupil_group = g.pupil_group
      GROUP BY ALL
    ),
    all_groups AS (
      SELECT * FROM by_group
      UNION ALL
      SELECT urn, academic_year, 'All pupils', ${YEAR_COUNTS.map((c) => `sum(${c})`).join(', ')}
      FROM by_group GROUP BY urn, academic_year
    )
    SELECT urn, academic_year, ${YEAR_START('academic_year')}, pupil_group, ${YEAR_COUNTS.join(', ')}
    FROM all_groups ORDER BY urn, academic_year, pupil_group`);

  // Each reason an event records counts once for that reason (up to three from 2020/21). Every
  // reason code in use that year gets a row for every school, year and group, zeros included: were
  // zero rows left out, the absence of a row would reveal a zero about a group whose counts
  // disclosure control suppresses.
  const reasonNames = Object.entries(REASONS).map(([code, r]) => [code, r.name, String(r.from ?? 0), String(r.to ?? 9999)]);
  await run(`CREATE TEMP TABLE reason_names(code VARCHAR, name VARCHAR, valid_from INTEGER, valid_to INTEGER)`);
  await run(`INSERT INTO reason_names VALUES ${values(reasonNames)}`);
  await run(`CREATE TEMP TABLE mentions AS
    SELECT e.academic_year, e.urn, e.pupil_group, e.category, r.code
    FROM event_rows e
    CROSS JOIN LATERAL (SELECT unnest([e.reason_1, e.reason_2, e.reason_3]) AS code) r
    WHERE coalesce(trim(r.code), '') <> ''`);
  await run(createTableSql('school_year_reason'));
  await run(`INSERT INTO school_year_reason
    WITH counted AS (
      SELECT academic_year, urn, coalesce(pupil_group, 'All pupils') AS pupil_group, code,
             count(*) FILTER (WHERE category = 'SUSP') AS suspensions,
             count(*) FILTER (WHERE category = 'PERM') AS permanent_exclusions
      FROM mentions GROUP BY GROUPING SETS ((academic_year, urn, pupil_group, code), (academic_year, urn, code))
    ),
    frame AS (
      SELECT sy.urn, sy.academic_year, sy.year_start, sy.pupil_group, r.code, r.name
      FROM school_year sy JOIN reason_names r ON sy.year_start BETWEEN r.valid_from AND r.valid_to
    )
    SELECT f.urn, f.academic_year, f.year_start, f.pupil_group, f.code, f.name,
           coalesce(c.suspensions, 0), NULL, coalesce(c.permanent_exclusions, 0), NULL
    FROM frame f
    LEFT JOIN counted c ON c.urn = f.urn AND c.academic_year = f.academic_year AND c.pupil_group = f.pupil_group AND c.code = f.code
    ORDER BY f.urn, f.academic_year, f.pupil_group, f.code`);

  // The latest three years pooled, school by school: small schools' yearly counts are mostly
  // suppressed, but three years together are often large enough to publish.
  await run(createTableSql('school_period'));
  const last = await conn.runAndReadAll('SELECT max(year_start)::INTEGER AS y FROM school_year');
  const lastYear = Number(last.getRowObjectsJS()[0]?.y ?? NaN);
  if (Number.isFinite(lastYear)) {
    const first = await conn.runAndReadAll('SELECT min(year_start)::INTEGER AS y FROM school_year WHERE year_start > $1', [lastYear - 3]);
    const firstYear = Number(first.getRowObjectsJS()[0]?.y ?? lastYear);
    await run(
      `INSERT INTO school_period (${COUNTS_INSERT('urn, period, first_year_start, last_year_start, pupil_group', PERIOD_COUNTS)})
       SELECT urn, $1, $2, $3, pupil_group, ${PERIOD_COUNTS.map((c) => `sum(${c})`).join(', ')}
       FROM school_year WHERE year_start BETWEEN $2 AND $3
       GROUP BY urn, pupil_group ORDER BY urn, pupil_group`,
      [`${academicYear(firstYear)} to ${academicYear(lastYear)}`, firstYear, lastYear]
    );
  }

  // The LA's own rows come from its schools; comparators come only from the comparator file, which
  // has no repeat suspensions, sessions or FSM counts: those are `x`, not available.
  await run(createTableSql('area_year'));
  const notInComparators = ['pupils_repeat_suspended', 'sessions_lost', 'pupils_fsm'];
  await run(
    `INSERT INTO area_year (${COUNTS_INSERT('area_type, area_code, area_name, academic_year, year_start, phase, pupil_group', YEAR_COUNTS)}, source)
    WITH la AS (
      SELECT sy.academic_year, sy.pupil_group, coalesce(s.phase, 'All') AS phase, ${YEAR_COUNTS.map((c) => `sum(sy.${c}) AS ${c}`).join(', ')}
      FROM school_year sy JOIN schools s USING (urn)
      GROUP BY GROUPING SETS ((sy.academic_year, sy.pupil_group, s.phase), (sy.academic_year, sy.pupil_group))
    )
    SELECT 'LA', $1, $2, academic_year, ${YEAR_START('academic_year')}, phase, pupil_group, ${YEAR_COUNTS.join(', ')}, 'council extract'
    FROM la
    UNION ALL
    SELECT area_type, area_code, area_name, academic_year, ${YEAR_START('academic_year')}, phase, pupil_group,
           ${YEAR_COUNTS.map((c) => (notInComparators.includes(c) ? 'NULL' : `CAST(${c} AS INTEGER)`)).join(', ')}, 'comparator file'
    FROM in_comparators
    WHERE area_type <> 'Neighbour' OR $3 = '*' OR list_contains(string_split($3, ','), area_code)
    ORDER BY 1, 2, 4, 6, 7`,
    [la.code, la.name, neighbourCodes === null ? '*' : neighbourCodes.join(',')]
  );
  await run(`UPDATE area_year SET ${notInComparators.map((c) => `${c}_flag = 'x'`).join(', ')} WHERE source = 'comparator file'`);

  await breakdowns(conn, la);
}

/**
 * The LA's year broken down four ways (area_breakdown), all phases together: by SEN primary need
 * (pupils with an EHC plan or on SEN support only), by FSM eligibility, by the term a suspension or
 * permanent exclusion started in, and by reason. A term or reason has no pupils of its own (the
 * group's pupils are the denominator), and reasons count events only, so those cells are `z`.
 */
async function breakdowns(conn: DuckDBConnection, la: AreaIdentity): Promise<void> {
  const run = (s: string, params?: (string | number)[]) => conn.run(s, params);
  const values = (rows: string[][]) => rows.map((r) => `(${r.map(lit).join(', ')})`).join(', ');
  await run(createTableSql('area_breakdown'));
  const years = (await conn.runAndReadAll('SELECT DISTINCT year_start::INTEGER AS y FROM school_year ORDER BY 1'))
    .getRowObjectsJS()
    .map((r) => Number(r.y));
  if (years.length === 0) return;

  // Every category of a dimension, with the groups it applies to (NSA is SEN support only).
  const frame: string[][] = [];
  const sen = ['EHC plan', 'SEN support'];
  const all = ['EHC plan', 'SEN support', 'No SEN', 'All pupils'];
  for (const [code, name] of Object.entries(PRIMARY_NEEDS)) for (const g of code === 'NSA' ? ['SEN support'] : sen) frame.push(['need', code, name, g, '0', '9999']);
  for (const [code, name] of Object.entries(FSM_CATEGORIES)) for (const g of all) frame.push(['fsm', code, name, g, '0', '9999']);
  for (const [code, name] of Object.entries(TERMS)) for (const g of all) frame.push(['term', code, name, g, '0', '9999']);
  for (const [code, r] of Object.entries(REASONS)) for (const g of all) frame.push(['reason', code, r.name, g, String(r.from ?? 0), String(r.to ?? 9999)]);
  await run(`CREATE TEMP TABLE breakdown_frame(dimension VARCHAR, code VARCHAR, name VARCHAR, pupil_group VARCHAR, valid_from INTEGER, valid_to INTEGER)`);
  await run(`INSERT INTO breakdown_frame VALUES ${values(frame)}`);
  await run(`CREATE TEMP TABLE easter(year_start INTEGER, easter DATE)`);
  await run(`INSERT INTO easter VALUES ${years.map((y) => `(${y}, DATE '${easterSunday(y + 1)}')`).join(', ')}`);

  await run(`CREATE TEMP TABLE breakdown_counts AS
    WITH pupil_rows AS (
      SELECT academic_year, pupil_group, primary_need, CASE WHEN fsm THEN 'FSM' ELSE 'NOT_FSM' END AS fsm_code,
             pupils, suspensions, pupils_suspended, permanent_exclusions, sessions_lost
      FROM pupil_cells
    ),
    pupil_parts AS (
      SELECT academic_year, pupil_group, 'need' AS dimension, primary_need AS code, ${BREAKDOWN_MEASURES('pupil_rows')}
      FROM pupil_rows WHERE pupil_group <> 'No SEN' GROUP BY academic_year, pupil_group, primary_need
      UNION ALL
      SELECT academic_year, coalesce(pupil_group, 'All pupils'), 'fsm', fsm_code, ${BREAKDOWN_MEASURES('pupil_rows')}
      FROM pupil_rows GROUP BY GROUPING SETS ((academic_year, pupil_group, fsm_code), (academic_year, fsm_code))
    ),
    events AS (
      SELECT e.academic_year, e.pupil_group, e.pupil_ref, e.category, TRY_CAST(e.sessions AS INTEGER) AS sessions,
             CASE WHEN month(CAST(e.start_date AS DATE)) >= 9 THEN 'AUT'
                  WHEN CAST(e.start_date AS DATE) <= x.easter THEN 'SPR' ELSE 'SUM' END AS term
      FROM event_rows e
      JOIN easter x ON x.year_start = ${YEAR_START('e.academic_year')}
    ),
    term_parts AS (
      SELECT academic_year, coalesce(pupil_group, 'All pupils') AS pupil_group, 'term' AS dimension, term AS code,
             NULL::BIGINT AS pupils, count(*) FILTER (WHERE category = 'SUSP') AS suspensions,
             count(DISTINCT pupil_ref) FILTER (WHERE category = 'SUSP') AS pupils_suspended,
             count(*) FILTER (WHERE category = 'PERM') AS permanent_exclusions,
             coalesce(sum(sessions) FILTER (WHERE category = 'SUSP'), 0) AS sessions_lost
      FROM events GROUP BY GROUPING SETS ((academic_year, pupil_group, term), (academic_year, term))
    ),
    reason_parts AS (
      SELECT academic_year, coalesce(pupil_group, 'All pupils') AS pupil_group, 'reason' AS dimension, code,
             NULL::BIGINT AS pupils, count(*) FILTER (WHERE category = 'SUSP') AS suspensions, NULL::BIGINT AS pupils_suspended,
             count(*) FILTER (WHERE category = 'PERM') AS permanent_exclusions, NULL::BIGINT AS sessions_lost
      FROM mentions GROUP BY GROUPING SETS ((academic_year, pupil_group, code), (academic_year, code))
    )
    SELECT academic_year, pupil_group, dimension, code, pupils, suspensions, pupils_suspended, permanent_exclusions, sessions_lost FROM pupil_parts
    UNION ALL SELECT * FROM term_parts
    UNION ALL SELECT * FROM reason_parts`);

  // Zeros where a category had nothing; `z` where a count does not apply to the dimension.
  const z = (dims: string[]) => `CASE WHEN f.dimension IN (${dims.map(lit).join(', ')}) THEN NULL ELSE 0 END`;
  const zFlag = (dims: string[]) => `CASE WHEN f.dimension IN (${dims.map(lit).join(', ')}) THEN 'z' END`;
  await run(
    `INSERT INTO area_breakdown
     SELECT 'LA', $1, $2, y.academic_year, y.year_start, 'All', f.pupil_group, f.dimension, f.code, f.name,
            coalesce(c.pupils, ${z(['term', 'reason'])}), ${zFlag(['term', 'reason'])},
            coalesce(c.suspensions, 0), NULL,
            coalesce(c.pupils_suspended, ${z(['reason'])}), ${zFlag(['reason'])},
            coalesce(c.permanent_exclusions, 0), NULL,
            coalesce(c.sessions_lost, ${z(['reason'])}), ${zFlag(['reason'])},
            'council extract'
     FROM (SELECT DISTINCT academic_year, year_start FROM school_year) y
     JOIN breakdown_frame f ON y.year_start BETWEEN f.valid_from AND f.valid_to
     LEFT JOIN breakdown_counts c ON c.academic_year = y.academic_year AND c.pupil_group = f.pupil_group AND c.dimension = f.dimension AND c.code = f.code
     ORDER BY y.year_start, f.dimension, f.pupil_group, f.code`,
    [la.code, la.name]
  );
}

/** The count columns of a year (school_year and area_year), in the schema's order. */
const YEAR_COUNTS = ['pupils', 'suspensions', 'pupils_suspended', 'pupils_repeat_suspended', 'permanent_exclusions', 'sessions_lost', 'pupils_fsm'];
const PERIOD_COUNTS = ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost'];

/** An INSERT's column list: the key columns, then the counts (their flags are left NULL). */
const COUNTS_INSERT = (keys: string, counts: string[]) => `${keys}, ${counts.join(', ')}`;

/** The year counts of a set of pupil cells `t` (the LEFT JOIN's NULL rows count as none). */
const MEASURES_OF = (t: string) =>
  `coalesce(sum(${t}.pupils), 0) AS pupils, coalesce(sum(${t}.suspensions), 0) AS suspensions,
   coalesce(sum(${t}.pupils_suspended), 0) AS pupils_suspended,
   coalesce(sum(${t}.pupils_repeat_suspended), 0) AS pupils_repeat_suspended,
   coalesce(sum(${t}.permanent_exclusions), 0) AS permanent_exclusions, coalesce(sum(${t}.sessions_lost), 0) AS sessions_lost,
   coalesce(sum(${t}.pupils) FILTER (WHERE ${t}.fsm), 0) AS pupils_fsm`;

/** The counts of a breakdown category (area_breakdown has no repeat or FSM columns). */
const BREAKDOWN_MEASURES = (t: string) =>
  `sum(${t}.pupils) AS pupils, sum(${t}.suspensions) AS suspensions, sum(${t}.pupils_suspended) AS pupils_suspended,
   sum(${t}.permanent_exclusions) AS permanent_exclusions, sum(${t}.sessions_lost) AS sessions_lost`;

const lit = (v: string) => `'${v.replaceAll("'", "''")}'`;
