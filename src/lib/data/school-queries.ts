/**
 * Query functions for the schools view: the sortable table of every school, the funnel plot's
 * points and target, and what a school's own page needs (its yearly and pooled counts, its
 * reasons, the measures similar schools are chosen on, and the LA and England comparators).
 *
 * Why here and not in the page: the same functions prerender the first view on native DuckDB and
 * answer every later view on DuckDB-WASM, so a filter never changes which SQL computes a figure.
 * Every value a reader can choose (year, phase, type, trust, search words, URNs, page) is a
 * parameter of the `sql` tag; the only text spliced in is a column or table name from a closed
 * list in this file. Rates are computed from counts and are NULL, with a reason, whenever a count
 * they need is not published. Paging, sorting and search run in SQL, so the table stays fast with
 * 22,000 schools: the browser only ever holds one page of rows.
 */
import type { Db } from './db';
import { MEASURES, type MeasureKey, type NumeratorColumn } from './measures';
import type { Phase, PupilGroup, SuppressionCode } from './schema';
import { ident, join, raw, sql, type Sql } from './sql';

/** The groups the schools view offers: the four published ones and SEND (EHC plan + SEN support). */
export const SCHOOL_GROUPS = ['SEND', 'EHC plan', 'SEN support', 'No SEN', 'All pupils'] as const;
export type SchoolGroup = (typeof SCHOOL_GROUPS)[number];

/** The published groups a view group is the sum of. */
export const GROUP_PARTS: Record<SchoolGroup, readonly PupilGroup[]> = {
  SEND: ['EHC plan', 'SEN support'],
  'EHC plan': ['EHC plan'],
  'SEN support': ['SEN support'],
  'No SEN': ['No SEN'],
  'All pupils': ['All pupils']
};

export function isSchoolGroup(v: unknown): v is SchoolGroup {
  return typeof v === 'string' && (SCHOOL_GROUPS as readonly string[]).includes(v);
}

/** What the figures cover: the latest three years pooled (`school_period`), or one academic year. */
export type Basis = { kind: 'period' } | { kind: 'year'; year: string };

/** Why a figure is missing: a published flag, or `none` when the school has no row at all. */
export type Missing = SuppressionCode | 'none';

const COUNT_COLUMNS = ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions'] as const;
export type CountColumn = (typeof COUNT_COLUMNS)[number];
const FLAG_COLUMNS = ['pupils_flag', 'suspensions_flag', 'pupils_suspended_flag', 'permanent_exclusions_flag'] as const;
const SOURCE_TABLES = ['school_year', 'school_period'] as const;

function col(name: CountColumn): Sql {
  return ident(name, COUNT_COLUMNS);
}
function flagCol(name: CountColumn): Sql {
  return ident(`${name}_flag` as (typeof FLAG_COLUMNS)[number], FLAG_COLUMNS);
}

/** The school rows of a basis: one year of `school_year`, or every row of `school_period`. */
function basisRows(basis: Basis): Sql {
  return basis.kind === 'year'
    ? sql`SELECT urn, pupil_group, pupils, pupils_flag, suspensions, suspensions_flag, pupils_suspended, pupils_suspended_flag,
                 permanent_exclusions, permanent_exclusions_flag
          FROM ${ident('school_year', SOURCE_TABLES)} WHERE academic_year = ${basis.year}`
    : sql`SELECT urn, pupil_group, pupils, pupils_flag, suspensions, suspensions_flag, pupils_suspended, pupils_suspended_flag,
                 permanent_exclusions, permanent_exclusions_flag
          FROM ${ident('school_period', SOURCE_TABLES)}`;
}

/**
 * A group's count, published only when every part's is (a partial sum would understate it, and a
 * suppressed part must not be recoverable); with its reason when not: `c` when any part was
 * withheld (`c` or `low`), else the parts' own flag, `x` when a part has no row at all.
 * `a` and `b` are the parts' row aliases; `b` is absent for a group of one part.
 */
function partsCount(c: CountColumn, a: Sql, b: Sql | null): Sql {
  const v = (t: Sql) => sql`${t}.${col(c)}`;
  const f = (t: Sql) => sql`${t}.${flagCol(c)}`;
  const rowOf = (t: Sql) => sql`${t}.urn IS NOT NULL`;
  if (b === null) {
    return sql`CAST(${v(a)} AS INTEGER) AS ${col(c)},
               CASE WHEN ${v(a)} IS NOT NULL THEN NULL WHEN ${f(a)} IN ('c', 'low') THEN 'c' ELSE coalesce(${f(a)}, 'x') END AS ${flagCol(c)}`;
  }
  const both = sql`${rowOf(a)} AND ${rowOf(b)} AND ${v(a)} IS NOT NULL AND ${v(b)} IS NOT NULL`;
  return sql`CASE WHEN ${both} THEN CAST(${v(a)} + ${v(b)} AS INTEGER) END AS ${col(c)},
             CASE WHEN ${both} THEN NULL
                  WHEN ${f(a)} IN ('c', 'low') OR ${f(b)} IN ('c', 'low') THEN 'c'
                  ELSE coalesce(least(${f(a)}, ${f(b)}), ${f(a)}, ${f(b)}, 'x') END AS ${flagCol(c)}`;
}

/** Columns a group's counts can be keyed by (constant names). */
export type GroupKey = 'urn' | 'academic_year' | 'year_start';

/**
 * One row per key with the group's counts. A group of two parts (SEND) is a full join of the two
 * parts' rows on the keys rather than a GROUP BY: the same figures (a property test holds it to
 * the aggregate's definition), and at national scale (22,000 schools) it runs in a fraction of
 * the time, which is what a filter change waits for.
 */
export function groupCounts(rows: Sql, group: SchoolGroup, keys: readonly GroupKey[], columns: readonly CountColumn[] = COUNT_COLUMNS): Sql {
  const [first, second] = GROUP_PARTS[group];
  const keyList = raw(keys.join(', '));
  const counts = (b: Sql | null) =>
    join(
      columns.map((c) => partsCount(c, raw('a'), b)),
      ', '
    );
  if (second === undefined) {
    return sql`SELECT ${keyList}, ${counts(null)} FROM (${rows}) a WHERE a.pupil_group = ${first!}`;
  }
  return sql`SELECT ${keyList}, ${counts(raw('b'))}
    FROM (SELECT * FROM (${rows}) r WHERE r.pupil_group = ${first!}) a
    FULL OUTER JOIN (SELECT * FROM (${rows}) r WHERE r.pupil_group = ${second}) b USING (${keyList})`;
}

/** Rate per 100 from two columns (constant SQL names), NULL unless both are published and pupils > 0. */
function rate(num: Sql, den: Sql): Sql {
  return sql`CASE WHEN ${den} > 0 AND ${num} IS NOT NULL THEN CAST(${num} AS DOUBLE) * 100 / ${den} END`;
}

/** Why a rate is NULL: `c` if either count was withheld, `z` for no pupils, else the counts' flags. */
function rateFlag(num: Sql, numFlag: Sql, den: Sql, denFlag: Sql): Sql {
  return sql`CASE WHEN ${den} > 0 AND ${num} IS NOT NULL THEN NULL
                  WHEN ${numFlag} = 'c' OR ${denFlag} = 'c' THEN 'c'
                  WHEN ${den} = 0 THEN 'z'
                  ELSE coalesce(${numFlag}, ${denFlag}, 'x') END`;
}

/**
 * A school name as the search compares it, the same folding as `searchKey` in
 * src/lib/ui/school-index.ts: accents stripped, lower case, apostrophes dropped, any other run of
 * punctuation a space. (A unit test checks both engines and the JavaScript agree.)
 */
export const SEARCH_KEY_SQL = raw(
  `trim(regexp_replace(regexp_replace(lower(strip_accents(s.name)), '[''’‘\`]', '', 'g'), '[^a-z0-9]+', ' ', 'g'))`
);

export interface SchoolFilterOptions {
  phases: Phase[];
  types: string[];
  trusts: string[];
  /** Academic years with school figures, newest first. */
  years: { academic_year: string; year_start: number }[];
  /** The pooled window of `school_period`, e.g. "2021/22 to 2023/24"; null when the table is empty. */
  period: { label: string; first_year_start: number; last_year_start: number } | null;
  schools: number;
  /**
   * Does the release split school exclusions by SEN provision? Not when every SEN group row's
   * exclusion counts are "not available" (`x`): a release built from DfE's files, which publish
   * school figures for all pupils only. Pages then show all pupils and say so.
   */
  senSplit: boolean;
}

/** What the schools page's filters can offer, read from the data (never typed in). */
export async function schoolFilterOptions(db: Db): Promise<SchoolFilterOptions> {
  const values = await db.query<{ kind: string; value: string }>(sql`
    SELECT 'phase' AS kind, phase AS value FROM schools GROUP BY phase
    UNION ALL SELECT 'type', type FROM schools GROUP BY type
    UNION ALL SELECT 'trust', trust FROM schools WHERE trust IS NOT NULL GROUP BY trust
    ORDER BY 1, 2`);
  const years = await db.query<{ academic_year: string; year_start: number }>(sql`
    SELECT academic_year, CAST(year_start AS INTEGER) AS year_start FROM school_year
    GROUP BY academic_year, year_start ORDER BY year_start DESC`);
  const period = await db.query<{ label: string; first_year_start: number; last_year_start: number }>(sql`
    SELECT period AS label, CAST(min(first_year_start) AS INTEGER) AS first_year_start,
           CAST(max(last_year_start) AS INTEGER) AS last_year_start
    FROM school_period GROUP BY period ORDER BY count(*) DESC, period LIMIT 1`);
  const [{ n }] = (await db.query<{ n: number }>(sql`SELECT CAST(count(*) AS INTEGER) AS n FROM schools`)) as [{ n: number }];
  const [{ split }] = (await db.query<{ split: number }>(sql`
    SELECT CAST(count(*) AS INTEGER) AS split FROM school_year
    WHERE pupil_group <> 'All pupils'
      AND (suspensions IS NOT NULL OR coalesce(suspensions_flag, '') <> 'x'
           OR permanent_exclusions IS NOT NULL OR coalesce(permanent_exclusions_flag, '') <> 'x')`)) as [{ split: number }];
  const of = (kind: string) => values.filter((v) => v.kind === kind).map((v) => v.value);
  return { phases: of('phase') as Phase[], types: of('type'), trusts: of('trust'), years, period: period[0] ?? null, schools: n, senSplit: split > 0 };
}

export const SORT_KEYS = [
  'name',
  'phase',
  'type',
  'pupils',
  'pct_ehc',
  'pct_sen_support',
  'suspension_rate',
  'permanent_exclusion_rate',
  'risk_ratio'
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

export function isSortKey(v: unknown): v is SortKey {
  return typeof v === 'string' && (SORT_KEYS as readonly string[]).includes(v);
}

export interface SchoolTableOptions {
  basis: Basis;
  /** The group the rate columns are for. */
  group: SchoolGroup;
  phase?: string | null;
  type?: string | null;
  trust?: string | null;
  /** Words typed in the search box: every word must be in the name; a 6-digit URN matches whole. */
  search?: string;
  sort: SortKey;
  dir: SortDir;
  limit: number;
  offset: number;
}

export interface SchoolTableRow {
  urn: string;
  name: string;
  phase: Phase;
  type: string;
  trust: string | null;
  status: string;
  /** All pupils on roll (pupil-years for the pooled basis). */
  pupils: number | null;
  pupils_flag: Missing | null;
  pct_ehc: number | null;
  pct_ehc_flag: Missing | null;
  pct_sen_support: number | null;
  pct_sen_support_flag: Missing | null;
  /** The chosen group's pupils and counts. */
  group_pupils: number | null;
  suspensions: number | null;
  suspension_rate: number | null;
  suspension_rate_flag: Missing | null;
  permanent_exclusions: number | null;
  permanent_exclusion_rate: number | null;
  permanent_exclusion_rate_flag: Missing | null;
  /** No SEN pupils and suspensions, the risk ratio's reference group. */
  nosen_pupils: number | null;
  nosen_suspensions: number | null;
  /** Suspension rate of the group over that of No SEN; NULL when either is missing or No SEN's is 0. */
  risk_ratio: number | null;
  /** Schools matching the filters, on every row (for paging). */
  total: number;
}

const SORT_SQL: Record<SortKey, string> = {
  name: 'name_key',
  phase: 'phase',
  type: 'type',
  pupils: 'pupils',
  pct_ehc: 'pct_ehc',
  pct_sen_support: 'pct_sen_support',
  suspension_rate: 'suspension_rate',
  permanent_exclusion_rate: 'permanent_exclusion_rate',
  risk_ratio: 'risk_ratio'
};

/** The words of a search as the SQL compares them (same folding as the names). */
export function searchWords(search: string | undefined): string[] {
  if (!search) return [];
  return search
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’‘`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .slice(0, 12);
}

function filters(opts: Pick<SchoolTableOptions, 'phase' | 'type' | 'trust' | 'search'>): Sql {
  const where: Sql[] = [sql`TRUE`];
  if (opts.phase) where.push(sql`s.phase = ${opts.phase}`);
  if (opts.type) where.push(sql`s.type = ${opts.type}`);
  if (opts.trust) where.push(sql`s.trust = ${opts.trust}`);
  const words = searchWords(opts.search);
  if (words.length > 0) {
    const byName = join(
      words.map((w) => sql`contains(nk.name_key, ${w})`),
      ' AND '
    );
    where.push(words.length === 1 && /^\d{6}$/.test(words[0]!) ? sql`(s.urn = ${words[0]!} OR (${byName}))` : sql`(${byName})`);
  }
  return join(where, ' AND ');
}

const keyed = new WeakMap<Db, Promise<void>>();

/**
 * `school_keys` (urn, name_key): every school's search and sort key, made once per database from
 * `schools`. Why a table: folding 22,000 names (two regular expressions each) took about 40 ms of
 * every table query at national scale, for keys that never change while the page is open. The
 * table, search, sort and count join it as `nk`.
 */
async function schoolKeys(db: Db): Promise<void> {
  let made = keyed.get(db);
  if (!made) {
    made = db.query(sql`CREATE OR REPLACE TABLE school_keys AS SELECT s.urn, ${SEARCH_KEY_SQL} AS name_key FROM schools s`).then(() => undefined);
    made.catch(() => keyed.delete(db));
    keyed.set(db, made);
  }
  return made;
}

/**
 * One page of the schools table: every school with pupils in the basis that passes the filters,
 * sorted (missing values last whichever the direction, then by name), with the total for paging.
 */
export async function schoolTable(db: Db, opts: SchoolTableOptions): Promise<SchoolTableRow[]> {
  const rows = basisRows(opts.basis);
  const dir = raw(opts.dir === 'desc' ? 'DESC' : 'ASC');
  const order = raw(SORT_SQL[opts.sort]);
  const limit = Math.max(1, Math.min(500, Math.floor(opts.limit)));
  const offset = Math.max(0, Math.floor(opts.offset));
  const isSen = opts.group === 'SEND' || opts.group === 'EHC plan' || opts.group === 'SEN support';
  await schoolKeys(db);
  return db.query<SchoolTableRow>(sql`
    WITH b AS (${rows}),
    grp AS (${groupCounts(sql`SELECT * FROM b`, opts.group, ['urn'], ['pupils', 'suspensions', 'permanent_exclusions'])}),
    allp AS (SELECT urn, pupils, pupils_flag FROM b WHERE pupil_group = 'All pupils'),
    ehc AS (SELECT urn, pupils, pupils_flag FROM b WHERE pupil_group = 'EHC plan'),
    senk AS (SELECT urn, pupils, pupils_flag FROM b WHERE pupil_group = 'SEN support'),
    nosen AS (SELECT urn, pupils, pupils_flag, suspensions, suspensions_flag FROM b WHERE pupil_group = 'No SEN'),
    t AS (
      SELECT s.urn, s.name, s.phase, s.type, s.trust, s.status, nk.name_key,
             CAST(a.pupils AS INTEGER) AS pupils, a.pupils_flag,
             ${rate(raw('e.pupils'), raw('a.pupils'))} AS pct_ehc,
             ${rateFlag(raw('e.pupils'), raw('e.pupils_flag'), raw('a.pupils'), raw('a.pupils_flag'))} AS pct_ehc_flag,
             ${rate(raw('k.pupils'), raw('a.pupils'))} AS pct_sen_support,
             ${rateFlag(raw('k.pupils'), raw('k.pupils_flag'), raw('a.pupils'), raw('a.pupils_flag'))} AS pct_sen_support_flag,
             CAST(g.pupils AS INTEGER) AS group_pupils,
             CAST(g.suspensions AS INTEGER) AS suspensions,
             ${rate(raw('g.suspensions'), raw('g.pupils'))} AS suspension_rate,
             coalesce(${rateFlag(raw('g.suspensions'), raw('g.suspensions_flag'), raw('g.pupils'), raw('g.pupils_flag'))},
                      CASE WHEN g.urn IS NULL THEN 'none' END) AS suspension_rate_flag,
             CAST(g.permanent_exclusions AS INTEGER) AS permanent_exclusions,
             ${rate(raw('g.permanent_exclusions'), raw('g.pupils'))} AS permanent_exclusion_rate,
             ${rateFlag(raw('g.permanent_exclusions'), raw('g.permanent_exclusions_flag'), raw('g.pupils'), raw('g.pupils_flag'))} AS permanent_exclusion_rate_flag,
             CAST(n.pupils AS INTEGER) AS nosen_pupils,
             CAST(n.suspensions AS INTEGER) AS nosen_suspensions,
             CASE WHEN ${isSen} AND g.pupils > 0 AND g.suspensions IS NOT NULL AND n.pupils > 0 AND n.suspensions > 0
                  THEN (CAST(g.suspensions AS DOUBLE) / g.pupils) / (CAST(n.suspensions AS DOUBLE) / n.pupils) END AS risk_ratio
      FROM schools s
      JOIN school_keys nk ON nk.urn = s.urn
      JOIN allp a ON a.urn = s.urn
      LEFT JOIN ehc e ON e.urn = s.urn
      LEFT JOIN senk k ON k.urn = s.urn
      LEFT JOIN grp g ON g.urn = s.urn
      LEFT JOIN nosen n ON n.urn = s.urn
      WHERE ${filters(opts)}
    )
    SELECT * EXCLUDE (name_key), CAST(count(*) OVER () AS INTEGER) AS total FROM t
    ORDER BY ${order} ${dir} NULLS LAST, name_key, urn
    LIMIT ${limit} OFFSET ${offset}`);
}

/** How many schools pass the filters (for a page past the end, where no row carries the total). */
export async function schoolCount(db: Db, opts: Omit<SchoolTableOptions, 'sort' | 'dir' | 'limit' | 'offset' | 'group'>): Promise<number> {
  await schoolKeys(db);
  const rows = await db.query<{ n: number }>(sql`
    WITH b AS (${basisRows(opts.basis)})
    SELECT CAST(count(*) AS INTEGER) AS n FROM schools s
    JOIN school_keys nk ON nk.urn = s.urn
    JOIN (SELECT urn FROM b WHERE pupil_group = 'All pupils') a ON a.urn = s.urn
    WHERE ${filters(opts)}`);
  return rows[0]?.n ?? 0;
}

export interface TrendPoint {
  urn: string;
  academic_year: string;
  year_start: number;
  numerator: number | null;
  denominator: number | null;
  rate: number | null;
  flag: Missing | null;
}

/** A measure's rate for a group, year by year, for the listed schools (the table's sparklines). */
export async function schoolTrends(db: Db, opts: { urns: readonly string[]; group: SchoolGroup; measure: MeasureKey }): Promise<TrendPoint[]> {
  if (opts.urns.length === 0) return [];
  const numName = MEASURES[opts.measure].numerator;
  const num = col(numName);
  const rows = sql`SELECT urn, academic_year, year_start, pupil_group, pupils, pupils_flag, ${num}, ${flagCol(numName)}
                   FROM school_year WHERE urn IN (${[...opts.urns]})`;
  return db.query<TrendPoint>(sql`
    WITH g AS (${groupCounts(rows, opts.group, ['urn', 'academic_year', 'year_start'], ['pupils', numName])})
    SELECT urn, academic_year, CAST(year_start AS INTEGER) AS year_start,
           CAST(${num} AS INTEGER) AS numerator, CAST(pupils AS INTEGER) AS denominator,
           ${rate(num, raw('pupils'))} AS rate,
           ${rateFlag(num, flagCol(MEASURES[opts.measure].numerator), raw('pupils'), raw('pupils_flag'))} AS flag
    FROM g ORDER BY urn, year_start`);
}

export interface FunnelRow {
  urn: string;
  name: string;
  phase: Phase;
  numerator: number | null;
  denominator: number | null;
  /** Why the school cannot be placed: NULL when both counts are published. */
  flag: Missing | null;
}

export interface FunnelTarget {
  /** The LA's count and pupils for the same group, measure, phase and years; NULL when not published. */
  numerator: number | null;
  denominator: number | null;
}

export interface FunnelOptions {
  basis: Basis;
  group: SchoolGroup;
  measure: MeasureKey;
  /** One phase, or every school. */
  phase?: string | null;
}

/** Every school's count and pupils for the funnel (with its phase filter), by URN. */
export async function funnelRows(db: Db, opts: FunnelOptions): Promise<FunnelRow[]> {
  const numName = MEASURES[opts.measure].numerator;
  const num = col(numName);
  return db.query<FunnelRow>(sql`
    WITH g AS (${groupCounts(basisRows(opts.basis), opts.group, ['urn'], ['pupils', numName])})
    SELECT s.urn, s.name, s.phase,
           CAST(g.${num} AS INTEGER) AS numerator, CAST(g.pupils AS INTEGER) AS denominator,
           ${rateFlag(sql`g.${num}`, sql`g.${flagCol(numName)}`, raw('g.pupils'), raw('g.pupils_flag'))} AS flag
    FROM schools s JOIN g ON g.urn = s.urn
    WHERE ${opts.phase ? sql`s.phase = ${opts.phase}` : sql`TRUE`}
    ORDER BY s.urn`);
}

/** The schools a funnel can place, and how many it cannot, by why (see funnelPoints). */
export interface FunnelPoints {
  /** Schools with both counts published and pupils, by URN. */
  rows: FunnelRow[];
  /** Schools that cannot be placed: `suppressed` when a count was withheld (`c`, `low`), `other` when not available. */
  notPlaced: { suppressed: number; other: number };
}

/**
 * What a funnel draws: the schools it can place, and only a count of those it cannot. Why not
 * every school's row (funnelRows): at national scale most of 22,000 schools' SEND figures are
 * withheld, and carrying their rows to the page (to be counted and dropped there) was most of a
 * filter change's time; the page's CSV download, which does list every school, asks funnelRows
 * when it is used.
 */
export async function funnelPoints(db: Db, opts: FunnelOptions): Promise<FunnelPoints> {
  const numName = MEASURES[opts.measure].numerator;
  const num = col(numName);
  const rows = await db.query<FunnelRow & { schools: number | null }>(sql`
    WITH g AS (${groupCounts(basisRows(opts.basis), opts.group, ['urn'], ['pupils', numName])}),
    f AS (
      SELECT s.urn, s.name, s.phase, CAST(g.${num} AS INTEGER) AS numerator, CAST(g.pupils AS INTEGER) AS denominator,
             ${rateFlag(sql`g.${num}`, sql`g.${flagCol(numName)}`, raw('g.pupils'), raw('g.pupils_flag'))} AS flag,
             g.${num} IS NOT NULL AND g.pupils > 0 AS placed
      FROM schools s JOIN g ON g.urn = s.urn
      WHERE ${opts.phase ? sql`s.phase = ${opts.phase}` : sql`TRUE`}
    )
    SELECT urn, name, phase, numerator, denominator, flag, NULL::INTEGER AS schools FROM f WHERE placed
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, flag, CAST(count(*) AS INTEGER) FROM f WHERE NOT placed GROUP BY flag
    ORDER BY urn NULLS LAST, flag`);
  const out: FunnelPoints = { rows: [], notPlaced: { suppressed: 0, other: 0 } };
  for (const r of rows) {
    if (r.urn !== null) out.rows.push({ urn: r.urn, name: r.name, phase: r.phase, numerator: r.numerator, denominator: r.denominator, flag: r.flag });
    else if (r.flag === 'c' || r.flag === 'low') out.notPlaced.suppressed += r.schools ?? 0;
    else out.notPlaced.other += r.schools ?? 0;
  }
  return out;
}

/**
 * The funnel's target: the local authority's own rate for the group, measure and phase (from
 * `area_year`, which counts every pupil, including those in schools whose figures are suppressed),
 * over the same years as the basis.
 */
export async function funnelTarget(db: Db, opts: FunnelOptions): Promise<FunnelTarget> {
  const numName: NumeratorColumn = MEASURES[opts.measure].numerator;
  const num = col(numName);
  const years =
    opts.basis.kind === 'year'
      ? sql`academic_year = ${opts.basis.year}`
      : sql`year_start BETWEEN (SELECT min(first_year_start) FROM school_period) AND (SELECT max(last_year_start) FROM school_period)`;
  const parts = [...GROUP_PARTS[opts.group]];
  const rows = await db.query<FunnelTarget & { n: number; published: number }>(sql`
    SELECT CAST(sum(${num}) AS INTEGER) AS numerator, CAST(sum(pupils) AS INTEGER) AS denominator,
           CAST(count(*) AS INTEGER) AS n,
           CAST(count(*) FILTER (WHERE ${num} IS NOT NULL AND pupils IS NOT NULL) AS INTEGER) AS published
    FROM area_year
    WHERE area_type = 'LA' AND phase = ${opts.phase || 'All'} AND pupil_group IN (${parts}) AND ${years}`);
  const r = rows[0];
  if (!r || r.n === 0 || r.published < r.n) return { numerator: null, denominator: null };
  return { numerator: r.numerator, denominator: r.denominator };
}

// ---- One school's page ------------------------------------------------------------------------

export interface SchoolProfile {
  urn: string;
  laestab: string;
  name: string;
  la_name: string;
  phase: Phase;
  type: string;
  trust: string | null;
  status: string;
}

export async function schoolProfile(db: Db, urn: string): Promise<SchoolProfile | null> {
  const rows = await db.query<SchoolProfile>(sql`
    SELECT urn, laestab, name, la_name, phase, type, trust, status FROM schools WHERE urn = ${urn}`);
  return rows[0] ?? null;
}

/** Every school's profile, by URN (the build's school files). */
export async function schoolProfiles(db: Db): Promise<SchoolProfile[]> {
  return db.query<SchoolProfile>(sql`SELECT urn, laestab, name, la_name, phase, type, trust, status FROM schools ORDER BY urn`);
}

/** Every school's URN, for prerendering one page each. */
export async function schoolUrns(db: Db): Promise<string[]> {
  return (await db.query<{ urn: string }>(sql`SELECT urn FROM schools ORDER BY urn`)).map((r) => r.urn);
}

/** Published counts of a school (or area) in a year or period, one pupil group. */
export interface CountRow {
  urn: string;
  /** `2022/23`, or the pooled period's label. */
  academic_year: string;
  year_start: number;
  pupil_group: PupilGroup;
  pupils: number | null;
  pupils_flag: SuppressionCode | null;
  suspensions: number | null;
  suspensions_flag: SuppressionCode | null;
  pupils_suspended: number | null;
  pupils_suspended_flag: SuppressionCode | null;
  permanent_exclusions: number | null;
  permanent_exclusions_flag: SuppressionCode | null;
}

const COUNT_SELECT = raw(`CAST(pupils AS INTEGER) AS pupils, pupils_flag,
  CAST(suspensions AS INTEGER) AS suspensions, suspensions_flag,
  CAST(pupils_suspended AS INTEGER) AS pupils_suspended, pupils_suspended_flag,
  CAST(permanent_exclusions AS INTEGER) AS permanent_exclusions, permanent_exclusions_flag`);

/** The listed schools' (or every school's) yearly counts, every group and year. */
export async function schoolYearRows(db: Db, urns: readonly string[] | 'all'): Promise<CountRow[]> {
  if (urns !== 'all' && urns.length === 0) return [];
  return db.query<CountRow>(sql`
    SELECT urn, academic_year, CAST(year_start AS INTEGER) AS year_start, pupil_group, ${COUNT_SELECT}
    FROM school_year WHERE ${urns === 'all' ? sql`TRUE` : sql`urn IN (${[...urns]})`} ORDER BY urn, year_start, pupil_group`);
}

/** The listed schools' (or every school's) pooled counts (latest three years), every group. */
export async function schoolPeriodRows(db: Db, urns: readonly string[] | 'all'): Promise<CountRow[]> {
  if (urns !== 'all' && urns.length === 0) return [];
  return db.query<CountRow>(sql`
    SELECT urn, period AS academic_year, CAST(last_year_start AS INTEGER) AS year_start, pupil_group, ${COUNT_SELECT}
    FROM school_period WHERE ${urns === 'all' ? sql`TRUE` : sql`urn IN (${[...urns]})`} ORDER BY urn, pupil_group`);
}

export interface AreaCountRow extends Omit<CountRow, 'urn'> {
  area_type: 'LA' | 'England';
  area_name: string;
  phase: string;
}

/**
 * The LA's and England's counts by year and group, for the school's phase and for all phases (the
 * page uses the phase when the comparator has it: England has no rows for some phases).
 */
export async function areaComparators(db: Db, phase: string): Promise<AreaCountRow[]> {
  return db.query<AreaCountRow>(sql`
    SELECT area_type, area_name, phase, academic_year, CAST(year_start AS INTEGER) AS year_start, pupil_group, ${COUNT_SELECT}
    FROM area_year
    WHERE area_type IN ('LA', 'England') AND phase IN (${[phase, 'All']})
    ORDER BY area_type, phase, year_start, pupil_group`);
}

export interface ReasonRow {
  academic_year: string;
  year_start: number;
  pupil_group: PupilGroup;
  reason_code: string;
  reason: string;
  suspensions: number | null;
  suspensions_flag: SuppressionCode | null;
  permanent_exclusions: number | null;
  permanent_exclusions_flag: SuppressionCode | null;
}

/** A school's reasons, from `fromYear` on (every group). */
export async function schoolReasons(db: Db, urn: string, fromYear: number): Promise<ReasonRow[]> {
  return db.query<ReasonRow>(sql`
    SELECT academic_year, CAST(year_start AS INTEGER) AS year_start, pupil_group, reason_code, reason,
           CAST(suspensions AS INTEGER) AS suspensions, suspensions_flag,
           CAST(permanent_exclusions AS INTEGER) AS permanent_exclusions, permanent_exclusions_flag
    FROM school_year_reason
    WHERE urn = ${urn} AND year_start >= ${fromYear}
    ORDER BY year_start, pupil_group, reason_code`);
}

export interface FeatureRow {
  urn: string;
  name: string;
  phase: Phase;
  type: string;
  pupils: number | null;
  ehc_pupils: number | null;
  ehc_flag: SuppressionCode | null;
  sen_support_pupils: number | null;
  sen_support_flag: SuppressionCode | null;
  fsm_pupils: number | null;
  fsm_flag: SuppressionCode | null;
}

/**
 * What similar schools are chosen on, for every school with pupils in the year: pupils on roll,
 * pupils with an EHC plan, on SEN support and eligible for free school meals (census counts; the
 * percentages are worked out by the caller, NULL wherever a count is not published).
 */
export async function similarityFeatures(db: Db, year: string): Promise<FeatureRow[]> {
  return db.query<FeatureRow>(sql`
    WITH y AS (SELECT * FROM school_year WHERE academic_year = ${year})
    SELECT s.urn, s.name, s.phase, s.type,
           CAST(a.pupils AS INTEGER) AS pupils,
           CAST(e.pupils AS INTEGER) AS ehc_pupils, e.pupils_flag AS ehc_flag,
           CAST(k.pupils AS INTEGER) AS sen_support_pupils, k.pupils_flag AS sen_support_flag,
           CAST(a.pupils_fsm AS INTEGER) AS fsm_pupils, a.pupils_fsm_flag AS fsm_flag
    FROM schools s
    JOIN y a ON a.urn = s.urn AND a.pupil_group = 'All pupils'
    LEFT JOIN y e ON e.urn = s.urn AND e.pupil_group = 'EHC plan'
    LEFT JOIN y k ON k.urn = s.urn AND k.pupil_group = 'SEN support'
    ORDER BY s.urn`);
}

export interface PhasePeriodRow extends CountRow {
  name: string;
}

/**
 * Every school of a phase with its pooled counts, every group: a school page draws its place in
 * the funnel of its own phase from these, for any group and measure, without another query.
 */
export async function phasePeriodRows(db: Db, phase: string): Promise<PhasePeriodRow[]> {
  return db.query<PhasePeriodRow>(sql`
    SELECT p.urn, s.name, p.period AS academic_year, CAST(p.last_year_start AS INTEGER) AS year_start, p.pupil_group, ${COUNT_SELECT}
    FROM school_period p JOIN schools s ON s.urn = p.urn
    WHERE s.phase = ${phase}
    ORDER BY p.urn, p.pupil_group`);
}
