/**
 * The demo LA's pupils, year by year: who is on roll where, in which year group, with which SEN
 * provision, primary need and FSM eligibility.
 *
 * Pupils are simulated as cohorts rather than drawn afresh each year, because the dashboard (and
 * any council analyst) follows pupils over time: a pupil in Year 4 at a school this year is in
 * Year 5 there next year, Year 6 leavers move on to the LA's secondaries (keeping their
 * reference), some pupils move away and others arrive, a permanently excluded pupil turns up in
 * alternative provision or another school. SEN status is mostly persistent (a pupil's need does
 * not change from one census to the next) but each year's totals are pinned to the national
 * shares, which rise like England's (EHC plans 2.8% to 4.8%, SEN support 11.6% to 13.6%), so the
 * demo reproduces the real growth in EHC plans that every SEND dashboard is asked about.
 */
import { groupShares, YEARS, type AcademicYear } from './calibration';
import { Rng, weightedSampleWithoutReplacement } from './prng';
import { MAX_ROLL, MIN_ROLL, type School } from './schools';

export const SEN_N = 0;
export const SEN_K = 1;
export const SEN_E = 2;
export const SEN_CODES = ['N', 'K', 'E'] as const;

/** DfE school census primary need codes; the index is what the simulation stores. */
export const NEEDS = ['ASD', 'SEMH', 'SLCN', 'MLD', 'SPLD', 'SLD', 'PMLD', 'PD', 'HI', 'VI', 'MSI', 'OTH', 'NSA'] as const;
const NSA = NEEDS.indexOf('NSA');

/**
 * Primary need mixes (weights in NEEDS order). Shaped on DfE's "Special educational needs in
 * England": among EHC plans autism is the largest need and SEMH next in this LA; among SEN
 * support speech and language, SEMH and moderate learning difficulty lead; NSA (no specialist
 * assessment) exists only for SEN support. Special schools are dominated by autism and severe
 * learning difficulties, alternative provision by SEMH.
 */
const NEED_MIX = {
  ehcMainstream: [30, 19, 15, 9, 4, 5, 1, 6, 2.5, 1.2, 0.3, 4, 0],
  ehcSpecial: [38, 15, 6, 8, 1, 18, 7, 4, 1, 1, 0.5, 2.5, 0],
  senSupport: [8, 20, 24, 19, 14, 0.5, 0, 2.5, 1.5, 0.8, 0.2, 5, 3.5],
  ap: [8, 70, 6, 6, 4, 0, 0, 0.5, 0.5, 0.3, 0, 4, 1]
} as const;

/** How much more likely a SEN support pupil with this need is to get an EHC plan (NEEDS order). */
const PROMOTE_TO_EHC = [3, 1.4, 0.7, 0.6, 0.25, 6, 6, 2, 1.5, 1.5, 2, 1, 0.4];

/** Relative chance of an EHC plan / SEN support by year group (0 = Reception): plans accumulate with age, SEN support peaks in KS2. */
const AGE_EHC = [0.4, 0.6, 0.8, 0.9, 1.0, 1.05, 1.1, 1.2, 1.2, 1.2, 1.2, 1.2, 0.9, 0.8];
const AGE_SUPPORT = [0.5, 0.8, 1.0, 1.15, 1.2, 1.2, 1.2, 1.1, 1.05, 1.0, 0.95, 0.9, 0.6, 0.5];

/** Share of pupils eligible for free school meals (%): Wessex's own, rising like England's through the pandemic. */
const FSM_SHARE: Record<AcademicYear, number> = {
  '2016/17': 19.0,
  '2017/18': 19.2,
  '2018/19': 19.8,
  '2019/20': 20.7,
  '2020/21': 22.4,
  '2021/22': 23.3,
  '2022/23': 24.2,
  '2023/24': 25.0
};

/** Roll trends relative to 2016/17: falling primary intakes (lower births), bigger secondary cohorts, growing special schools. */
const PRIMARY_TREND = [1, 1, 0.99, 0.98, 0.97, 0.955, 0.94, 0.93];
const SECONDARY_TREND = [1, 1.02, 1.04, 1.06, 1.08, 1.1, 1.11, 1.12];
const SPECIAL_TREND = [1, 1.04, 1.08, 1.12, 1.16, 1.2, 1.25, 1.3];

export interface Pupil {
  id: number;
  ref: string;
  yg: number;
  sen: number;
  /** Index into NEEDS, or -1 with no SEN. */
  need: number;
  /** Latent deprivation (persistent): FSM eligibility is this above a yearly threshold. */
  dep: number;
  /** Latent behaviour risk (persistent, lognormal): repeat exclusions cluster in the same pupils. */
  behav: number;
}

/** One year's census, in output order (schools by URN, then year group, then pupil reference). */
export interface YearSnapshot {
  year: AcademicYear;
  yearIndex: number;
  n: number;
  pupil: Int32Array;
  school: Int16Array;
  yg: Int8Array;
  sen: Int8Array;
  need: Int8Array;
  fsm: Uint8Array;
}

const REF_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

type Context = 'mainstream' | 'mover' | 'special' | 'ap';

export class Population {
  readonly pupils: Pupil[] = [];
  /** rosters[school][yearGroup] for the current year. */
  private rosters: Pupil[][][];
  private readonly refs = new Set<string>();
  private readonly rng: Rng;
  private readonly refRng: Rng;
  private readonly senRng: Rng;
  private readonly urnOrder: School[];

  constructor(
    private readonly schools: School[],
    seed: number
  ) {
    this.rng = Rng.derive(seed, 'cohorts');
    this.refRng = Rng.derive(seed, 'pupil-refs');
    this.senRng = Rng.derive(seed, 'sen');
    this.rosters = schools.map(() => Array.from({ length: 14 }, () => [] as Pupil[]));
    this.urnOrder = [...schools].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  }

  private newRef(): string {
    for (;;) {
      let a = this.refRng.u32();
      let b = this.refRng.u32();
      let s = 'P';
      for (let i = 0; i < 9; i++) {
        // 45 bits: 32 from a, 13 from b.
        let v: number;
        if (i < 6) {
          v = a & 31;
          a >>>= 5;
        } else {
          v = b & 31;
          b >>>= 5;
        }
        s += REF_ALPHABET[v];
      }
      if (!this.refs.has(s)) {
        this.refs.add(s);
        return s;
      }
    }
  }

  private drawNeed(mix: readonly number[], yg: number, sen: number): number {
    const w = [...mix];
    if (sen === SEN_K && yg <= 2) {
      w[2] = (w[2] as number) * 1.8; // speech and language is identified early
      w[4] = (w[4] as number) * 0.3; // specific learning difficulties later
    }
    if (yg >= 7) {
      w[1] = (w[1] as number) * 1.4; // SEMH grows in adolescence
      w[2] = (w[2] as number) * 0.6;
    }
    if (sen === SEN_E) w[NSA] = 0;
    return this.senRng.weightedIndex(w);
  }

  private newPupil(yg: number, school: School, yearIndex: number, ctx: Context): Pupil {
    const r = this.rng;
    const year = YEARS[yearIndex] as AcademicYear;
    const shares = groupShares(year);
    let sen = SEN_N;
    let need = -1;
    const u = this.senRng.next();
    if (ctx === 'special') {
      sen = u < 0.97 ? SEN_E : SEN_K;
      need = this.drawNeed(sen === SEN_E ? NEED_MIX.ehcSpecial : NEED_MIX.senSupport, yg, sen);
    } else if (ctx === 'ap') {
      sen = u < 0.2 ? SEN_E : u < 0.7 ? SEN_K : SEN_N;
      if (sen !== SEN_N) need = this.drawNeed(NEED_MIX.ap, yg, sen);
    } else {
      const lift = ctx === 'mover' ? 1.3 : 1;
      const pE = shares['EHC plan'] * 0.5 * (AGE_EHC[yg] ?? 1) * lift;
      const pK = shares['SEN support'] * (AGE_SUPPORT[yg] ?? 1) * lift;
      if (u < pE) sen = SEN_E;
      else if (u < pE + pK) sen = SEN_K;
      if (sen !== SEN_N) need = this.drawNeed(sen === SEN_E ? NEED_MIX.ehcMainstream : NEED_MIX.senSupport, yg, sen);
    }
    const dep = r.normal() + school.deprivation + (ctx === 'ap' ? 0.6 : 0);
    const behav = Math.exp(0.8 * r.normal() + (ctx === 'ap' ? 0.8 : 0));
    const p: Pupil = { id: this.pupils.length, ref: this.newRef(), yg, sen, need, dep, behav };
    this.pupils.push(p);
    return p;
  }

  private contextOf(school: School): Context {
    return school.phase === 'Special' ? 'special' : school.phase === 'Alternative provision' ? 'ap' : 'mainstream';
  }

  /** Status changes between one census and the next (before the yearly totals are pinned). */
  private drift(p: Pupil, school: School): void {
    if (school.phase === 'Special') return;
    const r = this.senRng;
    if (p.sen === SEN_K) {
      if (r.chance(0.07)) {
        p.sen = SEN_N;
        p.need = -1;
      } else if (r.chance(0.025)) {
        p.sen = SEN_E;
        if (p.need === NSA || r.chance(0.5)) p.need = this.drawNeed(NEED_MIX.ehcMainstream, p.yg, SEN_E);
      }
    } else if (p.sen === SEN_N) {
      if (r.chance(0.02 * (AGE_SUPPORT[p.yg] ?? 1))) {
        p.sen = SEN_K;
        p.need = this.drawNeed(NEED_MIX.senSupport, p.yg, SEN_K);
      }
    } else if (r.chance(0.004)) {
      p.sen = SEN_K;
    }
  }

  /** The first census (2016/17): every school filled to its intended cohorts. */
  initialise(): void {
    for (const s of this.schools) {
      const ctx = this.contextOf(s);
      for (let g = s.lo; g <= s.hi; g++) {
        const n = s.cohort[g] ?? 0;
        const roster = this.rosters[s.index]?.[g];
        if (!roster) continue;
        for (let i = 0; i < n; i++) roster.push(this.newPupil(g, s, 0, ctx));
      }
    }
    this.finishYear(0);
  }

  /**
   * Move everyone on one year. `permExcluded` are last year's permanently excluded pupils: they
   * leave that school, and most go to alternative provision or another school in the LA.
   */
  advance(yearIndex: number, permExcluded: ReadonlySet<number>): void {
    const r = this.rng;
    const prev = this.rosters;
    const next: Pupil[][][] = this.schools.map(() => Array.from({ length: 14 }, () => [] as Pupil[]));
    const pool: Pupil[] = []; // Year 6 leavers of the LA's primaries, now Year 7
    const excluded: { p: Pupil; from: number }[] = [];

    const put = (s: School, p: Pupil): void => {
      next[s.index]?.[p.yg]?.push(p);
    };

    for (const s of this.schools) {
      for (let g = s.lo; g <= s.hi; g++) {
        for (const p of prev[s.index]?.[g] ?? []) {
          const ng = g + 1;
          if (permExcluded.has(p.id)) {
            if (ng <= 11 && r.chance(0.85)) {
              p.yg = ng;
              excluded.push({ p, from: s.index });
            }
            continue;
          }
          let stays: boolean;
          if (s.phase === 'Primary' && g === 6) {
            if (r.chance(0.97)) {
              p.yg = ng;
              this.drift(p, s);
              pool.push(p);
            }
            continue;
          } else if (ng > s.hi) {
            stays = false;
          } else if (s.phase === 'Alternative provision') {
            stays = r.chance(0.45);
          } else if (g === 11) {
            const pStay = s.phase === 'Special' ? 0.7 : p.sen === SEN_N ? 0.55 : p.sen === SEN_K ? 0.4 : 0.35;
            stays = r.chance(pStay);
          } else if (g === 12) {
            stays = r.chance(0.92);
          } else {
            stays = !r.chance(s.phase === 'Special' ? 0.02 : s.phase === 'Primary' ? 0.04 : 0.03);
          }
          if (!stays) continue;
          p.yg = ng;
          this.drift(p, s);
          put(s, p);
        }
      }
    }

    // Pupils arriving mid-phase (moving house, returning from elsewhere), about as many as left.
    for (const s of this.schools) {
      if (s.phase === 'Alternative provision') continue;
      const ctx: Context = s.phase === 'Special' ? 'special' : 'mover';
      for (let g = s.lo + 1; g <= s.hi; g++) {
        if ((s.phase === 'Secondary' || s.phase === 'All-through') && g === 7) continue;
        const have = next[s.index]?.[g]?.length ?? 0;
        const base = s.cohort[g] ?? 0;
        const mob = s.phase === 'Special' ? 0.02 : s.phase === 'Primary' ? 0.04 : 0.03;
        let joiners = Math.round(have * mob * r.uniform(0.5, 1.5));
        if (g === 12) joiners += Math.round(base * 0.12);
        for (let i = 0; i < joiners; i++) put(s, this.newPupil(g, s, yearIndex, ctx));
      }
    }

    // Reception intakes and special school entry: new pupils.
    for (const s of this.schools) {
      if (s.lo === 0 && s.phase !== 'Special') {
        const n = Math.max(2, Math.round((s.cohort[0] ?? 0) * (PRIMARY_TREND[yearIndex] ?? 1) * r.uniform(0.88, 1.12)));
        for (let i = 0; i < n; i++) put(s, this.newPupil(0, s, yearIndex, 'mainstream'));
      }
      if (s.phase === 'Special' && s.lo !== 7) {
        const n = Math.max(1, Math.round((s.cohort[s.lo] ?? 0) * (SPECIAL_TREND[yearIndex] ?? 1) * r.uniform(0.8, 1.2)));
        for (let i = 0; i < n; i++) put(s, this.newPupil(s.lo, s, yearIndex, 'special'));
      }
    }

    // Year 7: some EHC pupils move to special schools; the rest of the pool fills secondary
    // places in proportion to the space left, and new arrivals fill what remains.
    r.shuffle(pool);
    const specials7 = this.schools.filter((s) => s.phase === 'Special' && s.lo <= 7 && s.hi >= 7);
    const room7 = new Map<number, number>();
    for (const s of specials7) room7.set(s.index, Math.round((s.cohort[7] ?? 0) * (SPECIAL_TREND[yearIndex] ?? 1)) - (next[s.index]?.[7]?.length ?? 0));
    const seconds = this.schools.filter((s) => s.phase === 'Secondary' || s.phase === 'All-through');
    for (const s of seconds) {
      const cap = Math.round((s.cohort[7] ?? 0) * (SECONDARY_TREND[yearIndex] ?? 1) * r.uniform(0.94, 1.06));
      room7.set(s.index, cap - (next[s.index]?.[7]?.length ?? 0));
    }
    for (const p of pool) {
      if (p.sen === SEN_E && specials7.length > 0 && r.chance(0.25)) {
        const open = specials7.filter((s) => (room7.get(s.index) ?? 0) > 0);
        if (open.length > 0) {
          const s = r.pick(open);
          room7.set(s.index, (room7.get(s.index) ?? 0) - 1);
          put(s, p);
          continue;
        }
      }
      const weights = seconds.map((s) => Math.max(0, room7.get(s.index) ?? 0));
      if (weights.every((w) => w === 0)) break; // no places left: the rest leave the LA
      const s = seconds[r.weightedIndex(weights)] as School;
      room7.set(s.index, (room7.get(s.index) ?? 0) - 1);
      put(s, p);
    }
    for (const s of [...seconds, ...specials7]) {
      const left = room7.get(s.index) ?? 0;
      for (let i = 0; i < left; i++) put(s, this.newPupil(7, s, yearIndex, s.phase === 'Special' ? 'special' : 'mover'));
    }

    // Alternative provision: last year's permanently excluded pupils first, then new referrals.
    r.shuffle(excluded);
    const aps = this.schools.filter((s) => s.phase === 'Alternative provision');
    const apRoom = new Map<number, number>();
    for (const s of aps) {
      const have = (next[s.index] ?? []).reduce((a, l) => a + l.length, 0);
      apRoom.set(s.index, Math.round(s.size * r.uniform(0.85, 1.15)) - have);
    }
    for (const { p, from } of excluded) {
      const apOpen = aps.filter((s) => (apRoom.get(s.index) ?? 0) > 0 && p.yg >= s.lo && p.yg <= s.hi);
      if (apOpen.length > 0 && r.chance(0.7)) {
        const s = r.pick(apOpen);
        apRoom.set(s.index, (apRoom.get(s.index) ?? 0) - 1);
        put(s, p);
        continue;
      }
      const others = this.schools.filter(
        (s) => s.index !== from && (s.phase === 'Primary' || s.phase === 'Secondary' || s.phase === 'All-through') && p.yg >= s.lo && p.yg <= s.hi
      );
      if (others.length > 0) put(r.pick(others), p);
    }
    const apShape = [0, 0, 0, 0, 0, 0.04, 0.06, 0.08, 0.14, 0.2, 0.24, 0.24];
    for (const s of aps) {
      const left = apRoom.get(s.index) ?? 0;
      for (let i = 0; i < left; i++) {
        const g = s.lo + r.weightedIndex(apShape.slice(s.lo, s.hi + 1));
        put(s, this.newPupil(g, s, yearIndex, 'ap'));
      }
    }

    // Special schools grow (as England's do): top up to the year's target with new EHC pupils.
    for (const s of this.schools) {
      if (s.phase !== 'Special') continue;
      const target = Math.min(260, Math.round(s.size * (SPECIAL_TREND[yearIndex] ?? 1)));
      let have = (next[s.index] ?? []).reduce((a, l) => a + l.length, 0);
      const shape = s.cohort.slice(s.lo, s.hi + 1);
      while (have < target) {
        const g = s.lo + r.weightedIndex(shape);
        put(s, this.newPupil(g, s, yearIndex, 'special'));
        have++;
      }
    }

    // Keep every roll within the demo's bounds.
    for (const s of this.schools) {
      const roster = next[s.index] ?? [];
      let total = roster.reduce((a, l) => a + l.length, 0);
      const ctx = this.contextOf(s);
      while (total < MIN_ROLL) {
        const g = r.int(s.lo, s.hi);
        put(s, this.newPupil(g, s, yearIndex, ctx === 'mainstream' ? 'mover' : ctx));
        total++;
      }
      while (total > MAX_ROLL) {
        // Trim the largest year group: the admissions limit at work.
        let big = s.lo;
        for (let g = s.lo; g <= s.hi; g++) if ((roster[g]?.length ?? 0) > (roster[big]?.length ?? 0)) big = g;
        const list = roster[big] ?? [];
        list.splice(r.int(0, list.length - 1), 1);
        total--;
      }
    }

    this.rosters = next;
    this.finishYear(yearIndex);
  }

  private snapshotCache: YearSnapshot | null = null;

  /** The census of the year just simulated. */
  snapshot(): YearSnapshot {
    if (!this.snapshotCache) throw new Error('no year simulated yet');
    return this.snapshotCache;
  }

  /** Pin SEN totals to the year's national shares, set FSM, and freeze the census. */
  private finishYear(yearIndex: number): void {
    const year = YEARS[yearIndex] as AcademicYear;
    const members: { p: Pupil; s: School }[] = [];
    for (const s of this.urnOrder) {
      for (let g = s.lo; g <= s.hi; g++) {
        const list = this.rosters[s.index]?.[g] ?? [];
        list.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
        for (const p of list) members.push({ p, s });
      }
    }
    this.pinSen(year, members);
    this.setFsmAndFreeze(year, yearIndex, members);
  }

  private pinSen(year: AcademicYear, members: { p: Pupil; s: School }[]): void {
    const shares = groupShares(year);
    const total = members.length;
    const targetE = Math.round(shares['EHC plan'] * total);
    const targetK = Math.round(shares['SEN support'] * total);
    const adjustable = members.filter((m) => m.s.phase !== 'Special');
    const count = (sen: number): number => members.reduce((a, m) => a + (m.p.sen === sen ? 1 : 0), 0);

    let e = count(SEN_E);
    if (e < targetE) {
      // Most new plans go to pupils already on SEN support, more for some needs than others.
      const k = adjustable.filter((m) => m.p.sen === SEN_K);
      const w = k.map((m) => (PROMOTE_TO_EHC[m.p.need] ?? 1) * (AGE_EHC[m.p.yg] ?? 1));
      const chosen = weightedSampleWithoutReplacement(this.senRng, w, targetE - e);
      for (const i of chosen) {
        const p = (k[i] as { p: Pupil }).p;
        p.sen = SEN_E;
        if (p.need === NSA || this.senRng.chance(0.5)) p.need = this.drawNeed(NEED_MIX.ehcMainstream, p.yg, SEN_E);
      }
      e += chosen.length;
      if (e < targetE) {
        const n = adjustable.filter((m) => m.p.sen === SEN_N);
        const chosenN = weightedSampleWithoutReplacement(this.senRng, n.map((m) => AGE_EHC[m.p.yg] ?? 1), targetE - e);
        for (const i of chosenN) {
          const p = (n[i] as { p: Pupil }).p;
          p.sen = SEN_E;
          p.need = this.drawNeed(NEED_MIX.ehcMainstream, p.yg, SEN_E);
        }
      }
    } else if (e > targetE) {
      const list = adjustable.filter((m) => m.p.sen === SEN_E);
      const chosen = weightedSampleWithoutReplacement(this.senRng, list.map(() => 1), e - targetE);
      for (const i of chosen) (list[i] as { p: Pupil }).p.sen = SEN_K;
    }

    const k = count(SEN_K);
    if (k < targetK) {
      const n = adjustable.filter((m) => m.p.sen === SEN_N);
      const w = n.map((m) => (AGE_SUPPORT[m.p.yg] ?? 1) * (m.p.dep > 0.8 ? 1.6 : 1));
      for (const i of weightedSampleWithoutReplacement(this.senRng, w, targetK - k)) {
        const p = (n[i] as { p: Pupil }).p;
        p.sen = SEN_K;
        p.need = this.drawNeed(NEED_MIX.senSupport, p.yg, SEN_K);
      }
    } else if (k > targetK) {
      const list = adjustable.filter((m) => m.p.sen === SEN_K);
      const w = list.map((m) => (m.p.need === NSA ? 2 : 1));
      for (const i of weightedSampleWithoutReplacement(this.senRng, w, k - targetK)) {
        const p = (list[i] as { p: Pupil }).p;
        p.sen = SEN_N;
        p.need = -1;
      }
    }
  }

  private setFsmAndFreeze(year: AcademicYear, yearIndex: number, members: { p: Pupil; s: School }[]): void {
    const n = members.length;
    // FSM: the pupils with the highest deprivation score, SEN pupils more often (as nationally).
    const score = new Float64Array(n);
    members.forEach((m, i) => {
      score[i] = m.p.dep + (m.p.sen !== SEN_N ? 0.6 : 0);
    });
    const sorted = Float64Array.from(score).sort();
    const cut = sorted[Math.max(0, Math.min(n - 1, Math.round(n * (1 - FSM_SHARE[year] / 100))))] as number;

    const snap: YearSnapshot = {
      year,
      yearIndex,
      n,
      pupil: new Int32Array(n),
      school: new Int16Array(n),
      yg: new Int8Array(n),
      sen: new Int8Array(n),
      need: new Int8Array(n),
      fsm: new Uint8Array(n)
    };
    members.forEach((m, i) => {
      snap.pupil[i] = m.p.id;
      snap.school[i] = m.s.index;
      snap.yg[i] = m.p.yg;
      snap.sen[i] = m.p.sen;
      snap.need[i] = m.p.sen === SEN_N ? -1 : m.p.need;
      snap.fsm[i] = (score[i] as number) >= cut ? 1 : 0;
    });
    this.snapshotCache = snap;
  }
}
