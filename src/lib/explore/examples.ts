/**
 * Example queries shown on /explore: each says what it answers and which published tables it needs,
 * so the page lists only those the release has (table names come from the manifest, never from
 * here). They are text for the analyst to run and change, prerendered so they can be read (and
 * copied into any DuckDB) without JavaScript.
 */
export interface ExampleQuery {
  id: string;
  title: string;
  description: string;
  /** Published tables the query reads. */
  tables: string[];
  sql: string;
}

export const EXAMPLES: ExampleQuery[] = [
  {
    id: 'la-trend',
    title: 'Suspension rates by SEN provision, year by year',
    description: 'The local authority’s suspensions per 100 pupils for each pupil group: a line chart, one line per group.',
    tables: ['area_year'],
    sql: `SELECT academic_year, pupil_group,
       round(100.0 * suspensions / pupils, 2) AS suspensions_per_100
FROM area_year
WHERE area_type = 'LA' AND phase = 'All'
ORDER BY year_start, pupil_group`
  },
  {
    id: 'la-england',
    title: 'Pupils with an EHC plan: the local authority beside England',
    description: 'Suspensions per 100 pupils with an EHC plan, here and in England.',
    tables: ['area_year'],
    sql: `SELECT academic_year, area_name,
       round(100.0 * suspensions / pupils, 2) AS suspensions_per_100
FROM area_year
WHERE area_type IN ('LA', 'England') AND phase = 'All' AND pupil_group = 'EHC plan'
ORDER BY year_start, area_type`
  },
  {
    id: 'by-phase',
    title: 'Suspensions by school phase, latest year',
    description:
      'A bar chart by phase. Suppressed figures are NULL and left out of the sums, so these are totals of the published figures only.',
    tables: ['school_year', 'schools'],
    sql: `SELECT s.phase,
       round(100.0 * sum(y.suspensions) / sum(y.pupils), 2) AS suspensions_per_100,
       sum(y.suspensions) AS suspensions,
       sum(y.pupils) AS pupils
FROM school_year y
JOIN schools s USING (urn)
WHERE y.pupil_group = 'All pupils'
  AND y.year_start = (SELECT max(year_start) FROM school_year)
  AND y.suspensions IS NOT NULL AND y.pupils IS NOT NULL
GROUP BY s.phase
ORDER BY suspensions_per_100 DESC`
  },
  {
    id: 'ehcp-schools',
    title: 'Schools with the most suspensions per 100 pupils with an EHC plan',
    description: 'The latest year, schools with at least 10 pupils with an EHC plan; the 15 highest rates.',
    tables: ['school_year', 'schools'],
    sql: `SELECT s.name,
       round(100.0 * y.suspensions / y.pupils, 1) AS suspensions_per_100,
       y.pupils AS pupils_with_ehc_plan
FROM school_year y
JOIN schools s USING (urn)
WHERE y.pupil_group = 'EHC plan'
  AND y.year_start = (SELECT max(year_start) FROM school_year)
  AND y.pupils >= 10
ORDER BY suspensions_per_100 DESC NULLS LAST
LIMIT 15`
  },
  {
    id: 'reasons',
    title: 'Reasons for suspension, latest year',
    description: 'Suspensions recording each reason, for all pupils. Since 2020/21 a suspension can record up to three reasons.',
    tables: ['school_year_reason'],
    sql: `SELECT reason, sum(suspensions) AS suspensions
FROM school_year_reason
WHERE pupil_group = 'All pupils'
  AND year_start = (SELECT max(year_start) FROM school_year_reason)
GROUP BY reason
ORDER BY suspensions DESC NULLS LAST`
  },
  {
    id: 'suppression',
    title: 'How many figures are suppressed, and why',
    description: 'Each count has a _flag column beside it: NULL when the count is published, else the reason it is not (c: confidential).',
    tables: ['school_year'],
    sql: `SELECT coalesce(suspensions_flag, 'published') AS suspensions_status,
       count(*) AS rows
FROM school_year
GROUP BY ALL
ORDER BY rows DESC`
  },
  {
    id: 'everything',
    title: 'Every row of the largest table',
    description: 'More rows than the explorer shows at once: it keeps the first 100,000 and says so.',
    tables: ['school_year_reason'],
    sql: `SELECT * FROM school_year_reason`
  }
];

/** The examples a release can run: those whose tables are all published. */
export function examplesFor(published: readonly string[]): ExampleQuery[] {
  return EXAMPLES.filter((e) => e.tables.every((t) => published.includes(t)));
}
