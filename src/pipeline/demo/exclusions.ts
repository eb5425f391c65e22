/**
 * Suspensions and permanent exclusions for one year of the demo LA, by calibrated allocation.
 *
 * Drawing each pupil's exclusions at random (Poisson) would leave small groups far from their
 * calibration: with about six permanent exclusions of EHC pupils a year, chance alone moves the
 * rate by 40%. So the LA-wide totals are fixed first, for each pupil group, at
 * round(target rate x pupils / 100) (pupils with one or more suspensions, suspensions, permanent
 * exclusions), and only then handed to pupils by weighted sampling without replacement. The
 * weights carry everything that makes the data look real at school and pupil level: a lognormal
 * school propensity (a few high-excluding schools, many small schools with none), year group
 * (rare in infants, peaking in Years 9-10), FSM, primary need (SEMH highest) and a persistent
 * pupil behaviour risk (so the same pupils recur over the years). Extra suspensions beyond the
 * first go to already-suspended pupils with a heavy tail; permanent exclusions mostly follow
 * suspensions, mostly in secondary.
 */
import { calibrationTarget, PUPIL_GROUPS, type AcademicYear, type Measure, type PupilGroup } from './calibration';
import type { SchoolDay } from './calendar';
import { NEEDS, SEN_E, SEN_K, SEN_N, type Pupil, type YearSnapshot } from './population';
import { CumulativeSampler, Rng, weightedSampleWithoutReplacement } from './prng';
import type { School } from './schools';

export interface ExclusionEvent {
  /** Row in the year's snapshot (so pupil, school and year are known). */
  row: number;
  category: 'SUSP' | 'PERM';
  iso: string;
  day: number;
  sessions: number | null;
  reasons: string[];
}

/** Relative suspension risk by year group (0 = Reception): about 7x higher in secondary, KS4 peak. */
const YEAR_GROUP_RISK = [0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.8, 2.2, 3.2, 4.0, 4.2, 3.4, 0.6, 0.4];
/** Relative risk by primary need (NEEDS order): SEMH far above the rest, PMLD almost nil. */
const NEED_RISK: Record<(typeof NEEDS)[number], number> = {
  ASD: 1.2,
  SEMH: 3.0,
  SLCN: 0.9,
  MLD: 1.0,
  SPLD: 0.8,
  SLD: 0.35,
  PMLD: 0.05,
  PD: 0.4,
  HI: 0.6,
  VI: 0.5,
  MSI: 0.4,
  OTH: 1.0,
  NSA: 1.0
};
const FSM_RISK = 2.3;
const MAX_SUSPENSIONS_PER_PUPIL = 25;
/** The legal limit: 45 school days (90 sessions) of suspension per pupil per school year. */
const MAX_SESSIONS_PER_PUPIL = 90;
const PERM_FROM_SUSPENDED = 0.85;

const GROUP_OF_SEN: Record<number, PupilGroup> = { [SEN_E]: 'EHC plan', [SEN_K]: 'SEN support', [SEN_N]: 'No SEN' };

/**
 * Reason code weights for the first (or only) reason. Persistent disruptive behaviour leads
 * (about 35-40% of suspensions), then verbal abuse against an adult and physical assault against
 * a pupil, as in DfE's reason tables. Codes new in 2020/21 appear from then; PH (breaching COVID
 * protective measures) only in 2020/21 and 2021/22.
 */
function reasonWeights(category: 'SUSP' | 'PERM', startYear: number, yg: number): [string, number][] {
  const post = startYear >= 2020;
  const base: [string, number][] =
    category === 'SUSP'
      ? post
        ? [['PD', 40], ['VA', 18], ['PP', 14], ['VP', 8], ['PA', 5.5], ['OT', 3], ['DM', 2], ['DA', 2], ['TH', 0.8], ['BU', 1], ['RA', 1], ['SM', 1], ['LG', 0.6], ['DS', 0.4], ['MT', 2], ['OM', 1.2]]
        : [['PD', 37], ['VA', 20], ['PP', 15], ['VP', 9], ['PA', 7], ['OT', 7], ['DM', 2.5], ['DA', 1.5], ['TH', 1], ['BU', 0.7], ['RA', 0.6], ['SM', 0.7]]
      : post
        ? [['PD', 34], ['PP', 16], ['PA', 11], ['VA', 9], ['DA', 10], ['MT', 7], ['OT', 4], ['VP', 3], ['SM', 2], ['DM', 1.2], ['OM', 0.8], ['TH', 0.6], ['BU', 0.5], ['RA', 0.5], ['LG', 0.3], ['DS', 0.2]]
        : [['PD', 35], ['PP', 16], ['PA', 11], ['VA', 10], ['DA', 9], ['OT', 11], ['VP', 3], ['DM', 1.5], ['SM', 1.5], ['TH', 1], ['BU', 0.5], ['RA', 0.5]];
  if (startYear === 2020) base.push(['PH', category === 'SUSP' ? 2.5 : 0.5]);
  if (startYear === 2021) base.push(['PH', category === 'SUSP' ? 0.6 : 0.2]);
  if (yg <= 6) {
    // Younger pupils: more physical assault on adults, hardly any drugs, weapons or online abuse.
    const tweak: Record<string, number> = { PA: 3, PP: 1.5, DA: 0.05, MT: 0.3, OM: 0.1, SM: 0.3 };
    return base.map(([c, w]) => [c, w * (tweak[c] ?? 1)]);
  }
  return base;
}

function drawReasons(rng: Rng, category: 'SUSP' | 'PERM', startYear: number, yg: number): string[] {
  const table = reasonWeights(category, startYear, yg);
  const pick = (exclude: string[]): string => {
    const options = table.filter(([c]) => !exclude.includes(c));
    return (options[rng.weightedIndex(options.map(([, w]) => w))] as [string, number])[0];
  };
  const reasons = [pick([])];
  // Up to three reasons only from 2020/21 (one reason per exclusion before then).
  if (startYear >= 2020 && rng.chance(category === 'SUSP' ? 0.3 : 0.45)) {
    reasons.push(pick(reasons));
    if (rng.chance(0.35)) reasons.push(pick(reasons));
  }
  return reasons;
}

/** Half-day sessions of one suspension: mostly 1-10 (one to five days), rarely longer. */
function drawSessions(rng: Rng): number {
  const u = rng.next();
  if (u < 0.14) return 1;
  if (u < 0.46) return 2;
  if (u < 0.52) return 3;
  if (u < 0.68) return 4;
  if (u < 0.73) return 5;
  if (u < 0.8) return 6;
  if (u < 0.92) return rng.int(7, 10);
  if (u < 0.98) return rng.int(11, 20);
  if (u < 0.995) return rng.int(21, 40);
  return rng.int(41, 90);
}

export interface AllocationInput {
  snap: YearSnapshot;
  startYear: number;
  schools: School[];
  pupils: Pupil[];
  /** log propensity of each school this year (school index order). */
  schoolLogPropensity: Float64Array;
  days: SchoolDay[];
  rng: Rng;
}

export interface AllocationResult {
  events: ExclusionEvent[];
  /** Pupil ids permanently excluded this year. */
  permExcluded: Set<number>;
  /** Realised LA-wide counts by group, for the summary. */
  totals: Record<PupilGroup, { pupils: number; suspensions: number; pupilsSuspended: number; permanentExclusions: number }>;
}

/** LA-wide totals for a group: round(target x pupils / 100) per measure. */
export function groupTotals(year: AcademicYear, group: PupilGroup, pupils: number): Record<Measure, number> {
  const n = (m: Measure): number => Math.round((calibrationTarget(year, group, m) * pupils) / 100);
  const onePlus = Math.min(pupils, n('one_plus_suspension'));
  return {
    one_plus_suspension: onePlus,
    suspension: Math.max(onePlus, n('suspension')),
    permanent_exclusion: Math.min(pupils, n('permanent_exclusion'))
  };
}

export function allocateYear(input: AllocationInput): AllocationResult {
  const { snap, startYear, schools, pupils, schoolLogPropensity, days, rng } = input;
  const daySampler = new CumulativeSampler(days.map((d) => d.weight));

  // Pupil weights.
  const weight = new Float64Array(snap.n);
  const permWeight = new Float64Array(snap.n);
  for (let i = 0; i < snap.n; i++) {
    const s = schools[snap.school[i] as number] as School;
    const yg = snap.yg[i] as number;
    const need = snap.need[i] as number;
    const phaseRisk = s.phase === 'Special' ? 0.6 : s.phase === 'Alternative provision' ? 0.6 : 1;
    const w =
      Math.exp(schoolLogPropensity[s.index] as number) *
      (YEAR_GROUP_RISK[yg] ?? 1) *
      phaseRisk *
      ((snap.fsm[i] as number) === 1 ? FSM_RISK : 1) *
      (need >= 0 ? NEED_RISK[NEEDS[need] as (typeof NEEDS)[number]] : 1) *
      (pupils[snap.pupil[i] as number] as Pupil).behav;
    weight[i] = w;
    // Permanent exclusion: very rare before Year 7 and in special schools, highest in KS4.
    const permRisk = yg <= 6 ? 1.2 : s.phase === 'Special' ? 1 : s.phase === 'Alternative provision' ? 1.5 : yg === 10 || yg === 11 ? 1.3 : yg >= 12 ? 0.5 : 1;
    permWeight[i] = w * permRisk;
  }

  const suspCount = new Int32Array(snap.n);
  const permRows: number[] = [];
  const totals = {} as AllocationResult['totals'];

  for (const senCode of [SEN_E, SEN_K, SEN_N]) {
    const group = GROUP_OF_SEN[senCode] as PupilGroup;
    const rows: number[] = [];
    for (let i = 0; i < snap.n; i++) if (snap.sen[i] === senCode) rows.push(i);
    const t = groupTotals(snap.year, group, rows.length);

    // 1. Who is suspended at least once.
    const suspended = weightedSampleWithoutReplacement(rng, rows.map((i) => weight[i] as number), t.one_plus_suspension).map((j) => rows[j] as number);
    for (const i of suspended) suspCount[i] = 1;

    // 2. Repeat suspensions: heavy-tailed, to pupils already suspended.
    let extra = t.suspension - t.one_plus_suspension;
    if (extra > 0 && suspended.length > 0) {
      const sampler = new CumulativeSampler(suspended.map((i) => Math.pow(weight[i] as number, 0.4) * rng.lognormal(0, 0.8)));
      let guard = 0;
      while (extra > 0 && guard < 1_000_000) {
        guard++;
        const i = suspended[sampler.draw(rng)] as number;
        // Soft ceiling: the more suspensions a pupil already has, the likelier a draw is refused,
        // so the tail thins out instead of piling up at the cap.
        if (rng.next() < (suspCount[i] as number) / MAX_SUSPENSIONS_PER_PUPIL) continue;
        suspCount[i] = (suspCount[i] as number) + 1;
        extra--;
      }
    }

    // 3. Permanent exclusions: most to pupils suspended this year.
    const fromSusp = Math.min(suspended.length, Math.round(t.permanent_exclusion * PERM_FROM_SUSPENDED));
    for (const j of weightedSampleWithoutReplacement(rng, suspended.map((i) => permWeight[i] as number), fromSusp)) permRows.push(suspended[j] as number);
    const notSuspended = rows.filter((i) => suspCount[i] === 0);
    const rest = t.permanent_exclusion - fromSusp;
    for (const j of weightedSampleWithoutReplacement(rng, notSuspended.map((i) => permWeight[i] as number), rest)) permRows.push(notSuspended[j] as number);

    totals[group] = { pupils: rows.length, suspensions: t.suspension, pupilsSuspended: t.one_plus_suspension, permanentExclusions: t.permanent_exclusion };
  }

  // Dates, sessions and reasons, pupil by pupil (in row order, so the draws are reproducible).
  const events: ExclusionEvent[] = [];
  const isPerm = new Uint8Array(snap.n);
  for (const i of permRows) isPerm[i] = 1;
  for (let i = 0; i < snap.n; i++) {
    const c = suspCount[i] as number;
    if (c === 0 && isPerm[i] === 0) continue;
    const yg = snap.yg[i] as number;
    const chosen = new Set<number>();
    let tries = 0;
    while (chosen.size < c && tries < 10_000) {
      chosen.add(daySampler.draw(rng));
      tries++;
    }
    const dayIdx = [...chosen].sort((a, b) => a - b);
    const sessions = dayIdx.map(() => drawSessions(rng));
    // Respect the 90-session annual limit by shortening the longest suspensions.
    let total = sessions.reduce((a, b) => a + b, 0);
    while (total > MAX_SESSIONS_PER_PUPIL) {
      let big = 0;
      for (let k = 1; k < sessions.length; k++) if ((sessions[k] as number) > (sessions[big] as number)) big = k;
      sessions[big] = (sessions[big] as number) - 1;
      total--;
    }
    // A suspension cannot outlast the school year: at most two sessions a day for the days left.
    dayIdx.forEach((d, k) => {
      sessions[k] = Math.max(1, Math.min(sessions[k] as number, 2 * (days.length - d)));
    });
    dayIdx.forEach((d, k) => {
      const day = days[d] as SchoolDay;
      events.push({ row: i, category: 'SUSP', iso: day.iso, day: day.day, sessions: sessions[k] as number, reasons: drawReasons(rng, 'SUSP', startYear, yg) });
    });
    if (isPerm[i] === 1) {
      // The permanent exclusion comes on or after the pupil's last suspension that year.
      const after = dayIdx.length > 0 ? (dayIdx[dayIdx.length - 1] as number) : 0;
      const tail = days.slice(after);
      const d = tail[new CumulativeSampler(tail.map((x) => x.weight)).draw(rng)] as SchoolDay;
      events.push({ row: i, category: 'PERM', iso: d.iso, day: d.day, sessions: null, reasons: drawReasons(rng, 'PERM', startYear, yg) });
    }
  }

  const permExcluded = new Set<number>(permRows.map((i) => snap.pupil[i] as number));
  for (const g of PUPIL_GROUPS) if (!totals[g]) totals[g] = { pupils: 0, suspensions: 0, pupilsSuspended: 0, permanentExclusions: 0 };
  return { events, permExcluded, totals };
}
