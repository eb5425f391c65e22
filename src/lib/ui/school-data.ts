/**
 * Everything a school's page needs, loaded with the query functions in one go: the prerender runs
 * it on native DuckDB for every school page, and the national-scale shell runs it on DuckDB-WASM
 * in the browser, so both pages are built from identical data.
 *
 * Similar schools are chosen here (the kNN in src/lib/stats/similar.ts, on the latest year's
 * census figures) for the largest number a reader can ask for, so that changing the number of
 * neighbours on the page needs no new query.
 */
import type { Db } from '$lib/data/db';
import {
  areaComparators,
  phasePeriodRows,
  schoolFilterOptions,
  schoolPeriodRows,
  schoolProfile,
  schoolReasons,
  schoolYearRows,
  similarityFeatures,
  type AreaCountRow,
  type CountRow,
  type FeatureRow,
  type PhasePeriodRow,
  type ReasonRow,
  type SchoolProfile
} from '$lib/data/school-queries';
import type { SuppressionCode } from '$lib/data/schema';
import { similarSchools, type FeatureKey, type FeatureScale, type SchoolFeatures } from '$lib/stats/similar';

/** The number of similar schools a reader can choose from, and the default. */
export const NEIGHBOUR_CHOICES = [5, 10, 15, 20] as const;
export const DEFAULT_NEIGHBOURS = 10;
export const MAX_NEIGHBOURS = 20;

export interface FeatureValues {
  pupils: number | null;
  pctEhc: number | null;
  pctEhcFlag: SuppressionCode | null;
  pctSenSupport: number | null;
  pctSenSupportFlag: SuppressionCode | null;
  pctFsm: number | null;
  pctFsmFlag: SuppressionCode | null;
}

export interface NeighbourInfo {
  urn: string;
  name: string;
  type: string;
  distance: number;
  compared: FeatureKey[];
  features: FeatureValues;
}

export interface SchoolData {
  profile: SchoolProfile;
  /** The year the similarity measures are from. */
  latestYear: string;
  period: { label: string; first_year_start: number; last_year_start: number } | null;
  features: FeatureValues;
  /** Other schools of the phase that could be neighbours. */
  candidates: number;
  scales: FeatureScale[];
  neighbours: NeighbourInfo[];
  /** Yearly and pooled rows of the school and its neighbours. */
  years: CountRow[];
  periods: CountRow[];
  /** Every school of the phase, pooled, for its place in the funnel. */
  phasePeriod: PhasePeriodRow[];
  areas: AreaCountRow[];
  /** NULL when not loaded (the shell loads reasons, a large table, only when asked). */
  reasons: ReasonRow[] | null;
}

function pct(part: number | null, whole: number | null): number | null {
  return part === null || whole === null || !(whole > 0) ? null : (part / whole) * 100;
}

export function featureValues(r: FeatureRow): FeatureValues {
  return {
    pupils: r.pupils,
    pctEhc: pct(r.ehc_pupils, r.pupils),
    pctEhcFlag: r.ehc_pupils === null ? (r.ehc_flag ?? 'x') : null,
    pctSenSupport: pct(r.sen_support_pupils, r.pupils),
    pctSenSupportFlag: r.sen_support_pupils === null ? (r.sen_support_flag ?? 'x') : null,
    pctFsm: pct(r.fsm_pupils, r.pupils),
    pctFsmFlag: r.fsm_pupils === null ? (r.fsm_flag ?? 'x') : null
  };
}

function asFeatures(r: FeatureRow): SchoolFeatures {
  const f = featureValues(r);
  return { urn: r.urn, phase: r.phase, pupils: f.pupils, pctEhc: f.pctEhc, pctSenSupport: f.pctSenSupport, pctFsm: f.pctFsm };
}

const EMPTY_FEATURES: FeatureValues = {
  pupils: null,
  pctEhc: null,
  pctEhcFlag: 'x',
  pctSenSupport: null,
  pctSenSupportFlag: 'x',
  pctFsm: null,
  pctFsmFlag: 'x'
};

/**
 * Load a school's page data; NULL when no school has this URN. Queries run one after another (one
 * connection). `reasons: false` leaves out the reasons, whose table is the largest of the release.
 */
export async function loadSchoolData(db: Db, urn: string, opts: { reasons?: boolean } = {}): Promise<SchoolData | null> {
  const profile = await schoolProfile(db, urn);
  if (!profile) return null;
  const options = await schoolFilterOptions(db);
  const latestYear = options.years[0]?.academic_year ?? '';
  const featureRows = latestYear ? (await similarityFeatures(db, latestYear)).filter((r) => r.phase === profile.phase) : [];
  const own = featureRows.find((r) => r.urn === urn);
  let neighbours: NeighbourInfo[] = [];
  let scales: FeatureScale[] = [];
  let candidates = featureRows.filter((r) => r.urn !== urn).length;
  if (own) {
    const result = similarSchools(urn, featureRows.map(asFeatures), MAX_NEIGHBOURS);
    const byUrn = new Map(featureRows.map((r) => [r.urn, r]));
    neighbours = result.neighbours.map((n) => {
      const r = byUrn.get(n.urn)!;
      return { urn: n.urn, name: r.name, type: r.type, distance: n.distance, compared: n.compared, features: featureValues(r) };
    });
    scales = result.scales;
    candidates = result.candidates;
  }
  const urns = [urn, ...neighbours.map((n) => n.urn)];
  const years = await schoolYearRows(db, urns);
  const periods = await schoolPeriodRows(db, urns);
  const phasePeriod = await phasePeriodRows(db, profile.phase);
  const areas = await areaComparators(db, profile.phase);
  const reasons = opts.reasons === false ? null : await loadSchoolReasons(db, urn);
  return {
    profile,
    latestYear,
    period: options.period,
    features: own ? featureValues(own) : EMPTY_FEATURES,
    candidates,
    scales,
    neighbours,
    years,
    periods,
    phasePeriod,
    areas,
    reasons
  };
}

/** The school's reasons over the pooled period's years (the latest year when there is no period). */
export async function loadSchoolReasons(db: Db, urn: string): Promise<ReasonRow[]> {
  const options = await schoolFilterOptions(db);
  const fromYear = options.period?.first_year_start ?? options.years[0]?.year_start ?? 0;
  return schoolReasons(db, urn, fromYear);
}

/** Rows as columns of a table: the keys once, then one array of values per row. */
export interface PackedRows<T> {
  keys: (keyof T & string)[];
  values: unknown[][];
}

export function packRows<T extends object>(rows: readonly T[]): PackedRows<T> {
  const keys = (rows[0] ? Object.keys(rows[0]) : []) as (keyof T & string)[];
  return { keys, values: rows.map((r) => keys.map((k) => r[k])) };
}

export function unpackRows<T extends object>(p: PackedRows<T>): T[] {
  return p.values.map((v) => Object.fromEntries(p.keys.map((k, i) => [k, v[i]])) as T);
}

/**
 * A school's data as the prerendered page carries it. Why packed: a page holds about 1,800 rows
 * (its phase's pooled rows for the funnel, its and its neighbours' years), and written as objects
 * their keys repeat in every row, tripling the page; every prerendered page pays that twice (the
 * HTML and its __data.json), for every school.
 */
export type PackedSchoolData = Omit<SchoolData, 'years' | 'periods' | 'phasePeriod' | 'areas' | 'reasons'> & {
  years: PackedRows<CountRow>;
  periods: PackedRows<CountRow>;
  phasePeriod: PackedRows<PhasePeriodRow>;
  areas: PackedRows<AreaCountRow>;
  reasons: PackedRows<ReasonRow> | null;
};

export function packSchoolData(d: SchoolData): PackedSchoolData {
  return {
    ...d,
    years: packRows(d.years),
    periods: packRows(d.periods),
    phasePeriod: packRows(d.phasePeriod),
    areas: packRows(d.areas),
    reasons: d.reasons === null ? null : packRows(d.reasons)
  };
}

export function unpackSchoolData(p: PackedSchoolData): SchoolData {
  return {
    ...p,
    years: unpackRows(p.years),
    periods: unpackRows(p.periods),
    phasePeriod: unpackRows(p.phasePeriod),
    areas: unpackRows(p.areas),
    reasons: p.reasons === null ? null : unpackRows(p.reasons)
  };
}
