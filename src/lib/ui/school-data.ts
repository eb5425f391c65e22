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
  schoolProfiles,
  schoolReasons,
  schoolYearRows,
  similarityFeatures,
  type AreaCountRow,
  type CountRow,
  type FeatureRow,
  type PhasePeriodRow,
  type ReasonRow,
  type SchoolFilterOptions,
  type SchoolProfile
} from '$lib/data/school-queries';
import { packRows, unpackRows, type PackedRows } from '$lib/data/packed-rows';
import { group } from 'd3';
import type { SuppressionCode } from '$lib/data/schema';
import { similarSchools, similarSchoolsAll, type FeatureKey, type FeatureScale, type SchoolFeatures, type SimilarResult } from '$lib/stats/similar';

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
  /** The first year the reasons cover (the pooled period's first, else the latest year). */
  reasonsFrom: number;
  period: { label: string; first_year_start: number; last_year_start: number } | null;
  features: FeatureValues;
  /** Other schools of the phase that could be neighbours. */
  candidates: number;
  scales: FeatureScale[];
  neighbours: NeighbourInfo[];
  /** Yearly and pooled rows of the school and its neighbours. */
  years: CountRow[];
  periods: CountRow[];
  /**
   * Every school of the phase, pooled, for its place in the funnel; NULL while not loaded (the
   * national-scale shell draws everything else from the school's own file first).
   */
  phasePeriod: PhasePeriodRow[] | null;
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

/** The similar schools a school's page shows, with the measures they were chosen on. */
interface NeighbourChoice {
  features: FeatureValues;
  candidates: number;
  scales: FeatureScale[];
  neighbours: NeighbourInfo[];
}

/**
 * A school's similar schools from its phase's measures (`phaseRows`, the latest year's), chosen
 * by `similar` (similarSchools, or similarSchoolsAll's answer for it): one code path for the
 * prerender, the shell and the build's school files, so they cannot disagree.
 */
function neighbourChoice(urn: string, phaseRows: readonly FeatureRow[], similar: (features: SchoolFeatures[]) => SimilarResult): NeighbourChoice {
  const own = phaseRows.find((r) => r.urn === urn);
  if (!own) return { features: EMPTY_FEATURES, candidates: phaseRows.filter((r) => r.urn !== urn).length, scales: [], neighbours: [] };
  const result = similar(phaseRows.map(asFeatures));
  const byUrn = new Map(phaseRows.map((r) => [r.urn, r]));
  const neighbours = result.neighbours.map((n) => {
    const r = byUrn.get(n.urn)!;
    return { urn: n.urn, name: r.name, type: r.type, distance: n.distance, compared: n.compared, features: featureValues(r) };
  });
  return { features: featureValues(own), candidates: result.candidates, scales: result.scales, neighbours };
}

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
  const choice = neighbourChoice(urn, featureRows, (features) => similarSchools(urn, features, MAX_NEIGHBOURS));
  const urns = [urn, ...choice.neighbours.map((n) => n.urn)];
  const years = await schoolYearRows(db, urns);
  const periods = await schoolPeriodRows(db, urns);
  const phasePeriod = await phasePeriodRows(db, profile.phase);
  const areas = await areaComparators(db, profile.phase);
  const from = reasonsFrom(options);
  const reasons = opts.reasons === false ? null : await schoolReasons(db, urn, from);
  return { profile, latestYear, reasonsFrom: from, period: options.period, ...choice, years, periods, phasePeriod, areas, reasons };
}

/**
 * What the national-scale shell fetches for one school (`/school-data/URN.json`, written at build
 * time by scripts/school-data.ts): the whole page's data but its phase's funnel rows and its
 * reasons, which the shell asks DuckDB-WASM for afterwards. So the first chart needs one small
 * file, not the engine and 8 MB of tables.
 */
export type SchoolSlice = Omit<PackedSchoolData, 'phasePeriod' | 'reasons'>;

/** The folder of the built site holding one SchoolSlice per school (`URN.json`). */
export const SCHOOL_SLICES_PATH = '/school-data';

/**
 * Every school's SchoolSlice, from a few queries over the whole release rather than a dozen per
 * school: the same data loadSchoolData gives (a test holds them equal), at national scale (22,000
 * schools) in under three minutes, most of it packing and writing the files. Yields in URN order.
 */
export async function* schoolSlices(db: Db): AsyncGenerator<SchoolSlice> {
  const options = await schoolFilterOptions(db);
  const latestYear = options.years[0]?.academic_year ?? '';
  const features = latestYear ? await similarityFeatures(db, latestYear) : [];
  const similar = similarSchoolsAll(features.map(asFeatures), MAX_NEIGHBOURS);
  const featuresByPhase = group(features, (r) => r.phase);
  const years = group(await schoolYearRows(db, 'all'), (r) => r.urn);
  const periods = group(await schoolPeriodRows(db, 'all'), (r) => r.urn);
  const areas = new Map<string, AreaCountRow[]>();
  for (const profile of await schoolProfiles(db)) {
    const urn = profile.urn;
    const choice = neighbourChoice(urn, featuresByPhase.get(profile.phase) ?? [], () => similar.get(urn)!);
    const urns = [urn, ...choice.neighbours.map((n) => n.urn)].sort();
    let phaseAreas = areas.get(profile.phase);
    if (!phaseAreas) areas.set(profile.phase, (phaseAreas = await areaComparators(db, profile.phase)));
    yield {
      profile,
      latestYear,
      reasonsFrom: reasonsFrom(options),
      period: options.period,
      ...choice,
      years: packRows(urns.flatMap((u) => years.get(u) ?? [])),
      periods: packRows(urns.flatMap((u) => periods.get(u) ?? [])),
      areas: packRows(phaseAreas)
    };
  }
}

/** A school's page data from its file, with its phase's funnel rows and reasons still to load. */
export function schoolDataFromSlice(slice: SchoolSlice): SchoolData {
  return {
    ...slice,
    years: unpackRows(slice.years),
    periods: unpackRows(slice.periods),
    areas: unpackRows(slice.areas),
    phasePeriod: null,
    reasons: null
  };
}

/** The first year a school page's reasons cover: the pooled period's first year, else the latest year. */
function reasonsFrom(options: Pick<SchoolFilterOptions, 'period' | 'years'>): number {
  return options.period?.first_year_start ?? options.years[0]?.year_start ?? 0;
}

/**
 * A school's data as the prerendered page carries it. Why packed (packed-rows.ts): a page holds
 * about 1,800 rows (its phase's pooled rows for the funnel, its and its neighbours' years), and
 * written as objects their keys and repeated values would triple the page; every prerendered page
 * pays that twice (the HTML and its __data.json), for every school.
 */
export type PackedSchoolData = Omit<SchoolData, 'years' | 'periods' | 'phasePeriod' | 'areas' | 'reasons'> & {
  years: PackedRows<CountRow>;
  periods: PackedRows<CountRow>;
  phasePeriod: PackedRows<PhasePeriodRow> | null;
  areas: PackedRows<AreaCountRow>;
  reasons: PackedRows<ReasonRow> | null;
};

export function packSchoolData(d: SchoolData): PackedSchoolData {
  return {
    ...d,
    years: packRows(d.years),
    periods: packRows(d.periods),
    phasePeriod: d.phasePeriod === null ? null : packRows(d.phasePeriod),
    areas: packRows(d.areas),
    reasons: d.reasons === null ? null : packRows(d.reasons)
  };
}

export function unpackSchoolData(p: PackedSchoolData): SchoolData {
  return {
    ...p,
    years: unpackRows(p.years),
    periods: unpackRows(p.periods),
    phasePeriod: p.phasePeriod === null ? null : unpackRows(p.phasePeriod),
    areas: unpackRows(p.areas),
    reasons: p.reasons === null ? null : unpackRows(p.reasons)
  };
}
