/**
 * Similar schools: the k nearest neighbours of a school on the measures that shape its exclusion
 * rates, so a head teacher compares like with like.
 *
 * How neighbours are chosen:
 *   1. Phase must match (a primary school is only compared with primary schools): phase changes
 *      exclusion rates more than anything else, and no distance can weigh it fairly.
 *   2. Within the phase, each school is described by up to four measures: size (pupils on roll, on
 *      a log scale, so 300 against 600 pupils counts the same as 600 against 1,200), % of pupils
 *      with an EHC plan, % on SEN support, and % eligible for free school meals where published.
 *   3. Each measure is standardised over the schools of the phase (minus its mean, divided by its
 *      standard deviation), so that no measure dominates just because of its units. A measure with
 *      no spread (or fewer than two values) is left out for the whole phase.
 *   4. The distance between two schools is the square root of the sum, over the measures, of
 *      their squared standardised differences (Euclidean distance). Where a measure is not
 *      published for one of the two (suppressed for small numbers), it counts as 2: the average
 *      squared difference between two schools picked at random (standardised measures have
 *      variance 1, so E[(z_a - z_b)^2] = 2). A missing figure thus neither helps nor hurts a match
 *      on average, instead of making a school with gaps look like a perfect match.
 *   5. The k schools at the smallest distance are the similar schools (ties: by URN).
 */

export const FEATURE_KEYS = ['size', 'pctEhc', 'pctSenSupport', 'pctFsm'] as const;
export type FeatureKey = (typeof FEATURE_KEYS)[number];

export const FEATURE_LABELS: Record<FeatureKey, string> = {
  size: 'size (pupils on roll)',
  pctEhc: '% with an EHC plan',
  pctSenSupport: '% on SEN support',
  pctFsm: '% eligible for free school meals'
};

export interface SchoolFeatures {
  urn: string;
  phase: string;
  /** All pupils on roll; null when not published. */
  pupils: number | null;
  /** Percentages 0..100; null when not published. */
  pctEhc: number | null;
  pctSenSupport: number | null;
  pctFsm: number | null;
}

export interface Neighbour {
  urn: string;
  distance: number;
  /** The measures published for both schools (the others counted as a typical difference). */
  compared: FeatureKey[];
}

export interface FeatureScale {
  key: FeatureKey;
  /** Whether the measure takes part (it has spread among the phase's schools). */
  used: boolean;
  mean: number | null;
  sd: number | null;
  /** Schools of the phase with the measure published. */
  published: number;
}

export interface SimilarResult {
  neighbours: Neighbour[];
  /** Other schools of the same phase that could be neighbours. */
  candidates: number;
  scales: FeatureScale[];
}

/** Squared standardised difference that stands in for a measure missing on either side. */
export const MISSING_PENALTY = 2;

function featureValue(s: SchoolFeatures, key: FeatureKey): number | null {
  if (key === 'size') return s.pupils !== null && s.pupils > 0 ? Math.log(s.pupils) : null;
  const v = s[key];
  return v === null || !Number.isFinite(v) ? null : v;
}

function scaleOf(key: FeatureKey, pool: readonly SchoolFeatures[]): FeatureScale {
  const values = pool.map((s) => featureValue(s, key)).filter((v): v is number => v !== null);
  if (values.length < 2) return { key, used: false, mean: null, sd: null, published: values.length };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  const sd = Math.sqrt(variance);
  return { key, used: sd > 1e-12, mean, sd, published: values.length };
}

/**
 * The k schools most similar to `urn` among `schools` (see the module comment for the method).
 * Returns fewer than k when the phase has fewer other schools.
 */
export function similarSchools(urn: string, schools: readonly SchoolFeatures[], k: number): SimilarResult {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`similarSchools: k must be a whole number >= 1 (k=${k})`);
  const target = schools.find((s) => s.urn === urn);
  if (!target) throw new RangeError(`similarSchools: no school with URN ${urn}`);
  const pool = schools.filter((s) => s.phase === target.phase);
  const scales = FEATURE_KEYS.map((key) => scaleOf(key, pool));
  const used = scales.filter((s) => s.used);
  const z = (s: SchoolFeatures, sc: FeatureScale): number | null => {
    const v = featureValue(s, sc.key);
    return v === null ? null : (v - sc.mean!) / sc.sd!;
  };
  const targetZ = used.map((sc) => z(target, sc));
  const neighbours = pool
    .filter((s) => s.urn !== urn)
    .map((s): Neighbour => {
      let sum = 0;
      const compared: FeatureKey[] = [];
      used.forEach((sc, i) => {
        const a = targetZ[i];
        const b = z(s, sc);
        if (a === null || a === undefined || b === null) sum += MISSING_PENALTY;
        else {
          sum += (a - b) ** 2;
          compared.push(sc.key);
        }
      });
      return { urn: s.urn, distance: Math.sqrt(sum), compared };
    })
    .sort((a, b) => a.distance - b.distance || a.urn.localeCompare(b.urn));
  return { neighbours: neighbours.slice(0, k), candidates: pool.length - 1, scales };
}

/**
 * `similarSchools` for every school at once, with the same neighbours, distances, measures compared
 * and scales (a property test holds the two equal). Why a second function: asking one school at a
 * time standardises the phase's measures and sorts every candidate again for each school, which at
 * national scale (about 17,000 primary schools) takes minutes; here each phase's standardised
 * measures are worked out once and only the k nearest are kept while scanning, so it takes about
 * 10 s (measured at 22,000 schools, whose repeated tiles make many ties).
 * Used at build time to write every school's page data (schoolSlices in src/lib/ui/school-data.ts).
 */
export function similarSchoolsAll(schools: readonly SchoolFeatures[], k: number): Map<string, SimilarResult> {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`similarSchoolsAll: k must be a whole number >= 1 (k=${k})`);
  const phases = new Map<string, SchoolFeatures[]>();
  for (const s of schools) {
    const pool = phases.get(s.phase);
    if (pool) pool.push(s);
    else phases.set(s.phase, [s]);
  }
  const out = new Map<string, SimilarResult>();
  for (const pool of phases.values()) {
    const scales = FEATURE_KEYS.map((key) => scaleOf(key, pool));
    const used = scales.filter((s) => s.used);
    const m = used.length;
    const z = new Float64Array(pool.length * m);
    const known = new Uint8Array(pool.length * m);
    pool.forEach((s, i) => {
      used.forEach((sc, f) => {
        const v = featureValue(s, sc.key);
        if (v !== null) {
          z[i * m + f] = (v - sc.mean!) / sc.sd!;
          known[i * m + f] = 1;
        }
      });
    });
    // Nearer first; equal distances by URN, as similarSchools sorts them.
    const before = (d: number, urn: string, than: { d: number; urn: string }) => d < than.d || (d === than.d && urn.localeCompare(than.urn) < 0);
    for (let t = 0; t < pool.length; t++) {
      const target = pool[t]!;
      const best: { i: number; d: number; urn: string }[] = [];
      for (let j = 0; j < pool.length; j++) {
        const other = pool[j]!;
        if (other.urn === target.urn) continue;
        let sum = 0;
        for (let f = 0; f < m; f++) {
          if (known[t * m + f] === 0 || known[j * m + f] === 0) sum += MISSING_PENALTY;
          else sum += (z[t * m + f]! - z[j * m + f]!) ** 2;
        }
        const d = Math.sqrt(sum);
        if (best.length === k && !before(d, other.urn, best[k - 1]!)) continue;
        let at = best.length;
        while (at > 0 && before(d, other.urn, best[at - 1]!)) at--;
        best.splice(at, 0, { i: j, d, urn: other.urn });
        if (best.length > k) best.pop();
      }
      const neighbours = best.map(({ i, d, urn }) => ({
        urn,
        distance: d,
        compared: used.filter((_, f) => known[t * m + f] === 1 && known[i * m + f] === 1).map((sc) => sc.key)
      }));
      out.set(target.urn, { neighbours, candidates: pool.length - 1, scales });
    }
  }
  return out;
}
