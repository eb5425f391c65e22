/**
 * The dashboard's query suite for the benchmark: every query function the pages call (queries.ts,
 * school-queries.ts, transparency-queries.ts) with the arguments of a typical view, so the same
 * SQL can be timed on DuckDB-WASM (in Node, through its blocking bundle) and on native DuckDB over
 * the same published data (tests/bench/site.ts). The arguments come from the data itself (latest
 * year, a school, its phase), so the suite runs on any release, demo or national.
 */
import type { Db } from '../../src/lib/data/db';
import { laTrend } from '../../src/lib/data/queries';
import {
  areaComparators,
  funnelPoints,
  funnelRows,
  funnelTarget,
  phasePeriodRows,
  schoolBasisSql,
  schoolCount,
  schoolFilterOptions,
  schoolPeriodRows,
  schoolProfile,
  schoolReasons,
  schoolTable,
  schoolTrends,
  schoolUrns,
  schoolYearRows,
  similarityFeatures
} from '../../src/lib/data/school-queries';
import { raw, sql } from '../../src/lib/data/sql';
import { keyFigures, schoolIndex, suppressionByTable } from '../../src/lib/data/transparency-queries';
import { TABLE_NAMES } from '../../src/lib/data/schema';

export interface SuiteContext {
  year: string;
  yearStart: number;
  urn: string;
  phase: string;
  urns: string[];
}

export async function suiteContext(db: Db): Promise<SuiteContext> {
  const [y] = await db.query<{ year: string; start: number }>(
    sql`SELECT academic_year AS year, CAST(year_start AS INTEGER) AS start FROM school_year ORDER BY year_start DESC LIMIT 1`
  );
  const schools = await db.query<{ urn: string; phase: string }>(sql`SELECT urn, phase FROM schools ORDER BY name, urn LIMIT 25`);
  return { year: y!.year, yearStart: y!.start, urn: schools[0]!.urn, phase: schools[0]!.phase, urns: schools.map((s) => s.urn) };
}

export type SuiteQuery = { name: string; run: (db: Db) => Promise<unknown> };

export function querySuite(c: SuiteContext): SuiteQuery[] {
  const period = { kind: 'period' } as const;
  return [
    { name: 'laTrend (overview)', run: (db) => laTrend(db, { measure: 'suspension_rate', phase: 'All', comparator: { areaType: 'England', group: 'All pupils' } }) },
    { name: 'schoolFilterOptions', run: (db) => schoolFilterOptions(db) },
    // Made once per page load (the schools page's derived table); timed by remaking it each run.
    { name: 'school_basis (made once per page load)', run: (db) => db.query(raw(schoolBasisSql())) },
    { name: 'schoolTable (page 1, by name)', run: (db) => schoolTable(db, { basis: period, group: 'SEND', sort: 'name', dir: 'asc', limit: 25, offset: 0 }) },
    { name: 'schoolTable (sorted by rate)', run: (db) => schoolTable(db, { basis: period, group: 'SEND', sort: 'suspension_rate', dir: 'desc', limit: 25, offset: 0 }) },
    { name: 'schoolTable (search)', run: (db) => schoolTable(db, { basis: period, group: 'SEND', search: 'school', sort: 'name', dir: 'asc', limit: 25, offset: 0 }) },
    { name: 'schoolCount', run: (db) => schoolCount(db, { basis: period }) },
    { name: 'schoolTrends (25 schools)', run: (db) => schoolTrends(db, { urns: c.urns, group: 'SEND', measure: 'suspension_rate' }) },
    { name: 'funnelPoints (the funnel drawn)', run: (db) => funnelPoints(db, { basis: period, group: 'SEND', measure: 'suspension_rate' }) },
    { name: 'funnelRows (all schools, its CSV)', run: (db) => funnelRows(db, { basis: period, group: 'SEND', measure: 'suspension_rate' }) },
    { name: 'funnelTarget', run: (db) => funnelTarget(db, { basis: period, group: 'SEND', measure: 'suspension_rate' }) },
    { name: 'schoolProfile', run: (db) => schoolProfile(db, c.urn) },
    { name: 'schoolUrns', run: (db) => schoolUrns(db) },
    { name: 'schoolYearRows', run: (db) => schoolYearRows(db, [c.urn]) },
    { name: 'schoolPeriodRows', run: (db) => schoolPeriodRows(db, [c.urn]) },
    { name: 'areaComparators', run: (db) => areaComparators(db, c.phase) },
    { name: 'schoolReasons', run: (db) => schoolReasons(db, c.urn, c.yearStart - 2) },
    { name: 'similarityFeatures', run: (db) => similarityFeatures(db, c.year) },
    { name: 'phasePeriodRows', run: (db) => phasePeriodRows(db, c.phase) },
    { name: 'keyFigures', run: (db) => keyFigures(db, { year: c.year }) },
    { name: 'schoolIndex', run: (db) => schoolIndex(db, { year: c.year }) },
    { name: 'suppressionByTable', run: (db) => suppressionByTable(db, TABLE_NAMES) }
  ];
}
