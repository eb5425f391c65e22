/**
 * The demo LA's schools: phase, type, size, year groups, identifiers, and the hidden traits
 * (exclusion propensity, deprivation) that make schools differ from one another.
 *
 * The mix follows a typical English shire county: about 78% primaries (mostly 100-600 pupils,
 * with tiny rural ones of 30-60), 14% secondaries of 600-1,800, some special schools, a handful
 * of alternative provision (PRUs and AP academies) and an all-through school or two. Schools
 * must differ a lot in how often they exclude (lognormal propensity) because a real LA's data
 * has a few high-excluding schools and many small schools with no exclusions at all: the funnel
 * plots and "similar schools" views are only worth testing on data like that.
 */
import { SchoolNamer, type NamePhase, type NameType } from './names';
import { Rng } from './prng';

export type Phase = NamePhase;
export type SchoolType = NameType;

export const LA = { code: '990', name: 'Wessex', region: 'South West' } as const;

/** Year groups as numbers: 0 = Reception, 1..13 = Year 1..13. */
export const YEAR_GROUP_LABELS = ['R', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13'] as const;

export interface School {
  index: number;
  urn: string;
  laestab: string;
  name: string;
  phase: Phase;
  type: SchoolType;
  /** Lowest and highest year group taught (0 = Reception). */
  lo: number;
  hi: number;
  /** Intended pupils per year group in 2016/17, by year group (0 where not taught). */
  cohort: number[];
  /** Target roll in 2016/17 (sum of cohort). */
  size: number;
  sixthForm: boolean;
  /** log of the school's exclusion propensity (school culture, behaviour policy). */
  logPropensity: number;
  /** School-level deprivation shift (catchment), feeding FSM eligibility. */
  deprivation: number;
  /** The academy trust (academies and free schools); null for maintained schools and PRUs. */
  trust: string | null;
}

export const MIN_ROLL = 30;
export const MAX_ROLL = 1800;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** How many schools of each phase for a total, in the proportions of the default 250. */
export function phaseCounts(total: number): Record<Phase, number> {
  const secondary = Math.max(1, Math.round(total * 0.144));
  const special = Math.max(1, Math.round(total * 0.048));
  const ap = Math.max(1, Math.round(total * 0.02));
  const allThrough = Math.max(1, Math.round(total * 0.008));
  const primary = total - secondary - special - ap - allThrough;
  if (primary < 1) throw new RangeError(`too few schools (${total}) to have every phase`);
  return { Primary: primary, Secondary: secondary, Special: special, 'Alternative provision': ap, 'All-through': allThrough };
}

/** Types in fixed proportions per phase, assigned in a shuffled order. */
function typeList(rng: Rng, phase: Phase, n: number): SchoolType[] {
  const mix: [SchoolType, number][] =
    phase === 'Primary'
      ? [['Academy', 0.45], ['Maintained', 0.52], ['Free school', 0.03]]
      : phase === 'Secondary'
        ? [['Academy', 0.78], ['Maintained', 0.11], ['Free school', 0.11]]
        : phase === 'Special'
          ? [['Academy', 0.42], ['Maintained', 0.5], ['Free school', 0.08]]
          : phase === 'Alternative provision'
            ? [['Pupil referral unit', 0.6], ['Academy', 0.4]]
            : [['Academy', 0.5], ['Free school', 0.5]];
  const out: SchoolType[] = [];
  let assigned = 0;
  mix.forEach(([t, share], i) => {
    const k = i === mix.length - 1 ? n - assigned : Math.min(n - assigned, Math.round(n * share));
    for (let j = 0; j < k; j++) out.push(t);
    assigned += k;
  });
  return rng.shuffle(out);
}

function primarySize(rng: Rng): number {
  const u = rng.next();
  if (u < 0.08) return rng.int(30, 60); // tiny rural schools
  if (u < 0.2) return rng.int(61, 140);
  if (u < 0.75) return rng.int(141, 420);
  if (u < 0.98) return rng.int(421, 630);
  return rng.int(631, 720);
}

/** Fill `cohort` for year groups lo..hi so that they sum to about `size`, with a given shape. */
function spread(size: number, lo: number, hi: number, shape: (yg: number) => number): number[] {
  const cohort = new Array<number>(14).fill(0);
  let total = 0;
  for (let g = lo; g <= hi; g++) total += shape(g);
  for (let g = lo; g <= hi; g++) cohort[g] = Math.max(1, Math.round((size * shape(g)) / total));
  return cohort;
}

/**
 * Build the school list. URNs are distinct 6-digit numbers from 900000 (no real URN is that
 * high yet) and LAESTABs follow DfE's numbering conventions within LA 990 (1xxx PRUs and AP,
 * 2xxx/3xxx primaries, 4xxx/5xxx secondaries, 7xxx special), so the identifiers look right.
 */
export function buildSchools(seed: number, total: number): School[] {
  const rng = Rng.derive(seed, 'schools');
  const namer = new SchoolNamer(Rng.derive(seed, 'school-names'));
  const counts = phaseCounts(total);
  const order: Phase[] = ['Primary', 'Secondary', 'Special', 'Alternative provision', 'All-through'];

  const urns = new Set<number>();
  while (urns.size < total) urns.add(rng.int(900000, 999999));
  const urnList = rng.shuffle([...urns].sort((a, b) => a - b));

  const estabUsed = new Set<number>();
  const estab = (lo: number, hi: number): number => {
    for (;;) {
      const e = rng.int(lo, hi);
      if (!estabUsed.has(e)) {
        estabUsed.add(e);
        return e;
      }
    }
  };

  const schools: School[] = [];
  for (const phase of order) {
    const types = typeList(rng, phase, counts[phase]);
    for (const type of types) {
      let lo = 0;
      let hi = 6;
      let size: number;
      let sixthForm = false;
      let cohort: number[];
      if (phase === 'Primary') {
        size = primarySize(rng);
        cohort = spread(size, 0, 6, () => 1);
      } else if (phase === 'Secondary') {
        lo = 7;
        sixthForm = rng.chance(0.6);
        hi = sixthForm ? 13 : 11;
        size = Math.round(clamp(rng.lognormal(Math.log(1050), 0.3), 620, 1750));
        cohort = spread(size, 7, hi, (g) => (g === 12 ? 0.45 : g === 13 ? 0.42 : 1));
      } else if (phase === 'Special') {
        const u = rng.next();
        [lo, hi] = u < 0.4 ? [0, 13] : u < 0.7 ? [7, 13] : u < 0.9 ? [0, 6] : [1, 11];
        size = Math.round(clamp(rng.lognormal(Math.log(120), 0.45), 40, 250));
        cohort = spread(size, lo, hi, (g) => (g <= 2 ? 0.5 : g >= 12 ? 0.7 : 1));
      } else if (phase === 'Alternative provision') {
        lo = 5;
        hi = 11;
        size = rng.int(30, 120);
        const shape = [0, 0, 0, 0, 0, 0.04, 0.06, 0.08, 0.14, 0.2, 0.24, 0.24];
        cohort = spread(size, lo, hi, (g) => shape[g] ?? 0);
      } else {
        lo = 0;
        hi = 13;
        sixthForm = true;
        const cp = rng.int(45, 60);
        const cs = rng.int(170, 230);
        cohort = new Array<number>(14).fill(0).map((_, g) => (g <= 6 ? cp : g <= 11 ? cs : Math.round(cs * (g === 12 ? 0.45 : 0.42))));
        size = cohort.reduce((a, b) => a + b, 0);
      }
      size = cohort.reduce((a, b) => a + b, 0);

      const estabNo =
        phase === 'Primary'
          ? estab(type === 'Maintained' && rng.chance(0.35) ? 3000 : 2000, type === 'Maintained' ? 3999 : 2999)
          : phase === 'Secondary'
            ? estab(4000, rng.chance(0.2) ? 5999 : 4999)
            : phase === 'Special'
              ? estab(7000, 7099)
              : phase === 'Alternative provision'
                ? estab(1100, 1199)
                : estab(4000, 4999);

      // Propensity: lognormal, so a few schools exclude far more than the rest. AP and
      // secondary are already high through year group and need; this is the school effect.
      const logPropensity = 0.8 * rng.normal();
      const deprivation = 0.45 * rng.normal() + (phase === 'Alternative provision' ? 0.9 : 0);
      const index = schools.length;
      const urn = String(urnList[index] as number);
      schools.push({
        index,
        urn,
        laestab: `${LA.code}${String(estabNo).padStart(4, '0')}`,
        name: namer.name(phase, type, size),
        phase,
        type,
        lo,
        hi,
        cohort,
        size,
        sixthForm,
        logPropensity,
        deprivation,
        trust: null
      });
    }
  }
  assignTrusts(seed, schools);
  return schools;
}

/** Fictional multi-academy trusts of the demo LA, named like real ones. */
export const DEMO_TRUSTS = [
  'Wessex Learning Trust',
  'Avonvale Academies Trust',
  'Cathedral Schools Trust',
  'Greenway Multi-Academy Trust',
  'Kingfisher Education Partnership',
  "St Aldhelm's Catholic Academy Trust"
] as const;

/**
 * Academies and free schools belong to a trust: most to one of a handful of multi-academy trusts
 * (of very different sizes, as in a real county), some to a single-academy trust of their own.
 * Its own random stream, so that adding trusts changed no other value of the demo.
 */
function assignTrusts(seed: number, schools: School[]): void {
  const rng = Rng.derive(seed, 'trusts');
  const weights = [0.3, 0.22, 0.16, 0.14, 0.1, 0.08];
  for (const s of schools) {
    if (s.type !== 'Academy' && s.type !== 'Free school') continue;
    if (rng.chance(0.15)) {
      s.trust = `${s.name} Trust`;
      continue;
    }
    let u = rng.next();
    let i = 0;
    while (i < weights.length - 1 && u >= (weights[i] ?? 0)) u -= weights[i++] ?? 0;
    s.trust = DEMO_TRUSTS[i] ?? DEMO_TRUSTS[0];
  }
}
