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

function col(name: CountColumn): Sql {
  return ident(name, COUNT_COLUMNS);
}
function flagCol(name: CountColumn): Sql {
  return ident(`${name}_flag` as (typeof FLAG_COLUMNS)[number], FLAG_COLUMNS);
}

/** The column prefix of each group in `school_basis`. */
const PREFIX: Record<SchoolGroup, string> = { 'All pupils': 'all', 'EHC plan': 'ehc', 'SEN support': 'sen', 'No SEN': 'nosen', SEND: 'send' };
const PUBLISHED_GROUPS = ['All pupils', 'EHC plan', 'SEN support', 'No SEN'] as const satisfies readonly SchoolGroup[];

/** A column of `school_basis` for a group: names only from the closed lists above, never a reader's. */
function basisColumn(group: SchoolGroup, suffix: string): Sql {
  const prefix = PREFIX[group];
  if (prefix === undefined || !/^[a-z_]+$/.test(suffix)) throw new Error(`school_basis: no column for ${group} ${suffix}`);
  return raw(`b.${prefix}_${suffix}`);
}
/** A group's count in `school_basis`, and its flag. */
function g(group: SchoolGroup, c: CountColumn): Sql {
  if (!COUNT_COLUMNS.includes(c)) throw new Error(`school_basis: not a count: ${c}`);
  return basisColumn(group, c);
}
function gFlag(group: SchoolGroup, c: CountColumn): Sql {
  if (!COUNT_COLUMNS.includes(c)) throw new Error(`school_basis: not a count: ${c}`);
  return basisColumn(group, `${c}_flag`);
}
/** Whether the school has a row for the group in the basis (SEND: a row for either part). */
function gRow(group: SchoolGroup): Sql {
  return basisColumn(group, 'row');
}

/**
 * `school_basis`: the schools view's own table, one row per school and basis (each academic year
 * of `school_year`, and `period` for the pooled rows of `school_period`), with every group's counts
 * side by side (`all_pupils`, `ehc_suspensions_flag`, ...), SEND among them, and the school's name,
 * phase, type, trust and search key. Derived once per database from the published tables, so that
 * each change of the schools page's table, sparklines or funnel is a filter of one table rather
 * than joins of groups and schools and a fold of 22,000 names: at national scale (242,000 rows) a
 * change's queries went from about 200 ms to about 40 ms on DuckDB-WASM, for a one-off 1.5 s.
 *
 * A group's count is published only when all of it is: SEND is EHC plan + SEN support only when
 * both parts have a row with the count published (a partial sum would understate it, and a
 * suppressed part must not be recoverable); its flag is `c` when any part was withheld (`c` or
 * `low`), else the parts' own flag, `x` when a part has no row. A one-part group keeps its row's
 * value, with `low` read as `c`. (A property test holds this to the aggregate's definition.)
 */
export function schoolBasisSql(): string {
  const pivot = PUBLISHED_GROUPS.flatMap((grp) => [
    `bool_or(pupil_group = '${grp}') AS ${PREFIX[grp]}_row`,
    ...COUNT_COLUMNS.flatMap((c) => [
      `max(${c}) FILTER (WHERE pupil_group = '${grp}') AS ${PREFIX[grp]}_${c}`,
      `max(${c}_flag) FILTER (WHERE pupil_group = '${grp}') AS ${PREFIX[grp]}_${c}_raw`
    ])
  ]);
  const one = PUBLISHED_GROUPS.flatMap((grp) => [
    `p.${PREFIX[grp]}_row`,
    ...COUNT_COLUMNS.flatMap((c) => {
      const v = `p.${PREFIX[grp]}_${c}`;
      const f = `p.${PREFIX[grp]}_${c}_raw`;
      return [`CAST(${v} AS INTEGER) AS ${PREFIX[grp]}_${c}`, `CASE WHEN ${v} IS NOT NULL THEN NULL WHEN ${f} IN ('c', 'low') THEN 'c' ELSE coalesce(${f}, 'x') END AS ${PREFIX[grp]}_${c}_flag`];
    })
  ]);
  const send = COUNT_COLUMNS.flatMap((c) => {
    const [a, b] = [`p.ehc_${c}`, `p.sen_${c}`];
    const [fa, fb] = [`p.ehc_${c}_raw`, `p.sen_${c}_raw`];
    const both = `p.ehc_row AND p.sen_row AND ${a} IS NOT NULL AND ${b} IS NOT NULL`;
    return [
      `CASE WHEN ${both} THEN CAST(${a} + ${b} AS INTEGER) END AS send_${c}`,
      `CASE WHEN ${both} THEN NULL WHEN ${fa} IN ('c', 'low') OR ${fb} IN ('c', 'low') THEN 'c' ELSE coalesce(least(${fa}, ${fb}), ${fa}, ${fb}, 'x') END AS send_${c}_flag`
    ];
  });
  const counts = COUNT_COLUMNS.map((c) => `${c}, ${c}_flag`).join(', ');
  return `CREATE OR REPLACE TABLE school_basis AS
    WITH r AS (
      SELECT urn, academic_year AS basis, year_start, pupil_group, ${counts} FROM school_year
      UNION ALL
      SELECT urn, 'period', last_year_start, pupil_group, ${counts} FROM school_period
    ),
    p AS (SELECT urn, basis, year_start, ${pivot.join(', ')} FROM r GROUP BY urn, basis, year_start),
    k AS (SELECT s.urn, s.name, s.phase, s.type, s.trust, s.status, ${SEARCH_KEY_SQL.text} AS name_key,
                 CAST(row_number() OVER (ORDER BY s.urn) - 1 AS INTEGER) AS school_index FROM schools s)
    SELECT p.urn, p.basis, CAST(p.year_start AS INTEGER) AS year_start, s.name, s.phase, s.type, s.trust, s.status, s.name_key, s.school_index,
           ${one.join(', ')},
           coalesce(p.ehc_row OR p.sen_row, false) AS send_row, ${send.join(', ')}
    FROM p JOIN k s ON s.urn = p.urn
    ORDER BY p.basis, p.urn`;
}

const derived = new WeakMap<Db, Promise<void>>();

/**
 * Make `school_basis` on this database if it has not been made (once per database; a failure is
 * forgotten, so the next query tries again). The schools page also calls it as soon as DuckDB-WASM
 * is ready, so the reader's first change does not wait for it.
 */
export function prepareSchoolBasis(db: Db): Promise<void> {
  let made = derived.get(db);
  if (!made) {
    made = db.query(raw(schoolBasisSql())).then(() => undefined);
    made.catch(() => derived.delete(db));
    derived.set(db, made);
  }
  return made;
}

/**
 * Everything the schools page's queries make once per database: `school_basis` and the list of
 * schools funnelPoints names its points from. The page does it before DuckDB-WASM counts as ready,
 * so the reader's first change waits for neither.
 */
export async function prepareSchoolsPage(db: Db): Promise<void> {
  await prepareSchoolBasis(db);
  await schoolNames(db);
}

/** The rows of a basis in `school_basis` (alias `b`): one academic year, or the pooled period. */
function basisWhere(basis: Basis): Sql {
  return sql`b.basis = ${basis.kind === 'year' ? basis.year : 'period'}`;
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
  /** Pupils suspended in the group and in No SEN: how much suspensions cluster within pupils widens the ratio's interval (stats/dispersion.ts). */
  pupils_suspended: number | null;
  nosen_pupils_suspended: number | null;
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
  if (opts.phase) where.push(sql`b.phase = ${opts.phase}`);
  if (opts.type) where.push(sql`b.type = ${opts.type}`);
  if (opts.trust) where.push(sql`b.trust = ${opts.trust}`);
  const words = searchWords(opts.search);
  if (words.length > 0) {
    const byName = join(
      words.map((w) => sql`contains(b.name_key, ${w})`),
      ' AND '
    );
    where.push(words.length === 1 && /^\d{6}$/.test(words[0]!) ? sql`(b.urn = ${words[0]!} OR (${byName}))` : sql`(${byName})`);
  }
  return join(where, ' AND ');
}

/**
 * One page of the schools table: every school with pupils in the basis that passes the filters,
 * sorted (missing values last whichever the direction, then by name), with the total for paging.
 */
export async function schoolTable(db: Db, opts: SchoolTableOptions): Promise<SchoolTableRow[]> {
  const dir = raw(opts.dir === 'desc' ? 'DESC' : 'ASC');
  const order = raw(SORT_SQL[opts.sort]);
  const limit = Math.max(1, Math.min(500, Math.floor(opts.limit)));
  const offset = Math.max(0, Math.floor(opts.offset));
  const grp = opts.group;
  const isSen = grp === 'SEND' || grp === 'EHC plan' || grp === 'SEN support';
  const [pupils, suspensions, perm] = [g(grp, 'pupils'), g(grp, 'suspensions'), g(grp, 'permanent_exclusions')];
  const [allPupils, allFlag] = [g('All pupils', 'pupils'), gFlag('All pupils', 'pupils')];
  const [nosenPupils, nosenSuspensions] = [g('No SEN', 'pupils'), g('No SEN', 'suspensions')];
  await prepareSchoolBasis(db);
  return db.query<SchoolTableRow>(sql`
    WITH t AS (
      SELECT b.urn, b.name, b.phase, b.type, b.trust, b.status, b.name_key,
             ${allPupils} AS pupils, ${allFlag} AS pupils_flag,
             ${rate(g('EHC plan', 'pupils'), allPupils)} AS pct_ehc,
             ${rateFlag(g('EHC plan', 'pupils'), gFlag('EHC plan', 'pupils'), allPupils, allFlag)} AS pct_ehc_flag,
             ${rate(g('SEN support', 'pupils'), allPupils)} AS pct_sen_support,
             ${rateFlag(g('SEN support', 'pupils'), gFlag('SEN support', 'pupils'), allPupils, allFlag)} AS pct_sen_support_flag,
             ${pupils} AS group_pupils,
             ${suspensions} AS suspensions,
             ${rate(suspensions, pupils)} AS suspension_rate,
             coalesce(${rateFlag(suspensions, gFlag(grp, 'suspensions'), pupils, gFlag(grp, 'pupils'))},
                      CASE WHEN NOT ${gRow(grp)} THEN 'none' END) AS suspension_rate_flag,
             ${perm} AS permanent_exclusions,
             ${rate(perm, pupils)} AS permanent_exclusion_rate,
             ${rateFlag(perm, gFlag(grp, 'permanent_exclusions'), pupils, gFlag(grp, 'pupils'))} AS permanent_exclusion_rate_flag,
             ${nosenPupils} AS nosen_pupils,
             ${nosenSuspensions} AS nosen_suspensions,
             ${g(grp, 'pupils_suspended')} AS pupils_suspended,
             ${g('No SEN', 'pupils_suspended')} AS nosen_pupils_suspended,
             CASE WHEN ${isSen} AND ${pupils} > 0 AND ${suspensions} IS NOT NULL AND ${nosenPupils} > 0 AND ${nosenSuspensions} > 0
                  THEN (CAST(${suspensions} AS DOUBLE) / ${pupils}) / (CAST(${nosenSuspensions} AS DOUBLE) / ${nosenPupils}) END AS risk_ratio
      FROM school_basis b
      WHERE ${basisWhere(opts.basis)} AND ${gRow('All pupils')} AND ${filters(opts)}
    )
    SELECT * EXCLUDE (name_key), CAST(count(*) OVER () AS INTEGER) AS total FROM t
    ORDER BY ${order} ${dir} NULLS LAST, name_key, urn
    LIMIT ${limit} OFFSET ${offset}`);
}

/** How many schools pass the filters (for a page past the end, where no row carries the total). */
export async function schoolCount(db: Db, opts: Omit<SchoolTableOptions, 'sort' | 'dir' | 'limit' | 'offset' | 'group'>): Promise<number> {
  await prepareSchoolBasis(db);
  const rows = await db.query<{ n: number }>(sql`
    SELECT CAST(count(*) AS INTEGER) AS n FROM school_basis b
    WHERE ${basisWhere(opts.basis)} AND ${gRow('All pupils')} AND ${filters(opts)}`);
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
  const [num, pupils] = [g(opts.group, numName), g(opts.group, 'pupils')];
  await prepareSchoolBasis(db);
  return db.query<TrendPoint>(sql`
    SELECT b.urn, b.basis AS academic_year, b.year_start,
           ${num} AS numerator, ${pupils} AS denominator,
           ${rate(num, pupils)} AS rate,
           ${rateFlag(num, gFlag(opts.group, numName), pupils, gFlag(opts.group, 'pupils'))} AS flag
    FROM school_basis b
    WHERE b.basis <> 'period' AND ${gRow(opts.group)} AND b.urn IN (${[...opts.urns]})
    ORDER BY b.urn, b.year_start`);
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
  /**
   * For suspensions, the LA's pupils suspended in the same cells, from which the funnel takes how
   * much suspensions cluster within pupils (stats/dispersion.ts); NULL when not published, and for
   * the other measures.
   */
  withEvent: number | null;
}

export interface FunnelOptions {
  basis: Basis;
  group: SchoolGroup;
  measure: MeasureKey;
  /** One phase, or every school. */
  phase?: string | null;
}

/** The funnel's pieces of SQL for a view: its two counts, why a school is not placed, which schools. */
function funnelParts(opts: FunnelOptions): { num: Sql; pupils: Sql; flag: Sql; placed: Sql; where: Sql } {
  const numName = MEASURES[opts.measure].numerator;
  const [num, pupils] = [g(opts.group, numName), g(opts.group, 'pupils')];
  return {
    num,
    pupils,
    flag: rateFlag(num, gFlag(opts.group, numName), pupils, gFlag(opts.group, 'pupils')),
    // coalesce: a withheld pupil count makes the comparison NULL, and NOT (NULL) would leave the
    // school out of both the placed and the not-placed counts (they then did not add up).
    placed: sql`coalesce(${num} IS NOT NULL AND ${pupils} > 0, FALSE)`,
    where: sql`${basisWhere(opts.basis)} AND ${gRow(opts.group)} AND ${opts.phase ? sql`b.phase = ${opts.phase}` : sql`TRUE`}`
  };
}

/** The funnel's columns for every school of the basis with a row for the group (and the phase). */
function funnelSelect(opts: FunnelOptions): Sql {
  const { num, pupils, flag, placed, where } = funnelParts(opts);
  return sql`
    SELECT b.urn, b.name, b.phase, b.school_index, ${num} AS numerator, ${pupils} AS denominator, ${flag} AS flag, ${placed} AS placed
    FROM school_basis b WHERE ${where}`;
}

/** Every school's count and pupils for the funnel (with its phase filter), by URN. */
export async function funnelRows(db: Db, opts: FunnelOptions): Promise<FunnelRow[]> {
  await prepareSchoolBasis(db);
  return db.query<FunnelRow>(sql`
    SELECT urn, name, phase, numerator, denominator, flag FROM (${funnelSelect(opts)}) ORDER BY urn`);
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
  const names = await schoolNames(db);
  // Each placed school by its index in `names` and two numbers: text is the dearest part of a
  // result to carry from the engine and decode (about 100 ms for 12,000 schools' names at national
  // scale, on every change).
  // (Not a filter of funnelSelect: as a common table the flag was worked out for every school,
  // placed or not, 5 ms more a change for SEND at national scale.)
  const { num, pupils, flag, placed, where } = funnelParts(opts);
  // Every column a number and none NULL, so each arrives as a typed array on the engine's own
  // buffer: the schools placed (i, the two counts), then one row per reason for the rest
  // (i = -1, numerator 1 when a count was withheld, denominator how many schools).
  const res = await db.queryColumns<{ i: number; numerator: number; denominator: number }>(sql`
    SELECT b.school_index AS i, ${num} AS numerator, ${pupils} AS denominator
    FROM school_basis b WHERE ${where} AND ${placed}
    UNION ALL
    SELECT -1, CASE WHEN ${flag} IN ('c', 'low') THEN 1 ELSE 0 END, CAST(count(*) AS INTEGER)
    FROM school_basis b WHERE ${where} AND NOT (${placed}) GROUP BY 2`);
  const { i, numerator, denominator } = res.columns;
  const out: FunnelPoints = { rows: [], notPlaced: { suppressed: 0, other: 0 } };
  // In URN order (the list's order): each school's result row put at its index, which is dense
  // and unique, so no sort (the engine sorting the union, or JavaScript sorting row objects, took
  // longer than this whole function).
  const at = new Int32Array(names.urn.length).fill(-1);
  for (let r = 0; r < res.length; r++) {
    const k = i[r]!;
    if (k >= 0) at[k] = r;
    else if (numerator[r] === 1) out.notPlaced.suppressed += denominator[r]!;
    else out.notPlaced.other += denominator[r]!;
  }
  for (let k = 0; k < at.length; k++) {
    const r = at[k]!;
    if (r >= 0) out.rows.push({ urn: names.urn[k]!, name: names.name[k]!, phase: names.phase[k]!, numerator: numerator[r]!, denominator: denominator[r]!, flag: null });
  }
  return out;
}

const named = new WeakMap<Db, Promise<{ urn: string[]; name: string[]; phase: Phase[] }>>();

/**
 * Every school's URN, name and phase in `school_basis`'s `school_index` order (URN order), read
 * once per database (and `school_basis` made), so that funnelPoints can carry schools as numbers.
 */
function schoolNames(db: Db): Promise<{ urn: string[]; name: string[]; phase: Phase[] }> {
  let made = named.get(db);
  if (!made) {
    made = prepareSchoolBasis(db)
      .then(() => db.query<{ urn: string; name: string; phase: Phase; i: number }>(sql`
        SELECT urn, name, phase, CAST(row_number() OVER (ORDER BY urn) - 1 AS INTEGER) AS i FROM schools ORDER BY urn`))
      .then((rows) => {
        if (rows.some((r, k) => r.i !== k)) throw new Error('schools: URNs are not unique');
        return { urn: rows.map((r) => r.urn), name: rows.map((r) => r.name), phase: rows.map((r) => r.phase) };
      });
    made.catch(() => named.delete(db));
    named.set(db, made);
  }
  return made;
}

/**
 * The funnel's target: the local authority's own rate for the group, measure and phase (from
 * `area_year`, which counts every pupil, including those in schools whose figures are suppressed),
 * over the same years as the basis. Without a phase, the LA's rate for all schools.
 */
export async function funnelTarget(db: Db, opts: FunnelOptions): Promise<FunnelTarget> {
  return (await targetsByPhase(db, opts, opts.phase || 'All')).get(opts.phase || 'All') ?? NO_TARGET;
}

/**
 * The target of each phase's funnel, by phase: the chosen phase's only, or, without one, every
 * phase's own (not the LA's rate for all schools together, unless the release has no other: phase
 * changes exclusion rates more than anything else, so schools of every phase set against one rate
 * put the secondary schools above it and the primary schools below it).
 */
export async function funnelTargets(db: Db, opts: FunnelOptions): Promise<Map<string, FunnelTarget>> {
  const targets = await targetsByPhase(db, opts, opts.phase || null);
  // A release whose LA rows have no phases (only `All`) still gets a funnel, around that rate.
  return targets.size > 0 || opts.phase ? targets : targetsByPhase(db, opts, 'All');
}

const NO_TARGET: FunnelTarget = { numerator: null, denominator: null, withEvent: null };

/** The LA's targets of one phase (`All` for all schools), or of every school phase (`null`). */
async function targetsByPhase(db: Db, opts: FunnelOptions, phase: string | null): Promise<Map<string, FunnelTarget>> {
  const numName: NumeratorColumn = MEASURES[opts.measure].numerator;
  const num = col(numName);
  const years =
    opts.basis.kind === 'year'
      ? sql`academic_year = ${opts.basis.year}`
      : sql`year_start BETWEEN (SELECT min(first_year_start) FROM school_period) AND (SELECT max(last_year_start) FROM school_period)`;
  const parts = [...GROUP_PARTS[opts.group]];
  const rows = await db.query<{ phase: string; numerator: number | null; denominator: number | null; n: number; published: number; with_event: number | null; with_event_published: number }>(sql`
    SELECT phase, CAST(sum(${num}) AS INTEGER) AS numerator, CAST(sum(pupils) AS INTEGER) AS denominator,
           CAST(count(*) AS INTEGER) AS n,
           CAST(count(*) FILTER (WHERE ${num} IS NOT NULL AND pupils IS NOT NULL) AS INTEGER) AS published,
           CAST(sum(pupils_suspended) AS INTEGER) AS with_event,
           CAST(count(pupils_suspended) AS INTEGER) AS with_event_published
    FROM area_year
    WHERE area_type = 'LA' AND ${phase === null ? sql`phase <> 'All'` : sql`phase = ${phase}`} AND pupil_group IN (${parts}) AND ${years}
    GROUP BY phase ORDER BY phase`);
  const events = MEASURES[opts.measure].kind === 'events';
  return new Map(
    rows.map((r) => [
      r.phase,
      r.n === 0 || r.published < r.n
        ? NO_TARGET
        : { numerator: r.numerator, denominator: r.denominator, withEvent: events && r.with_event_published === r.n ? r.with_event : null }
    ])
  );
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
