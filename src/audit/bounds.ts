/**
 * Rule 5, as a determined reader would push it past one equation at a time: every equation and
 * every bound between counts at once, with counts never negative. Each suppressed count starts
 * anywhere from 0 up; each equation (total = sum of parts) and each inequality (WITHIN_ROW in
 * equations.ts: pupils suspended and those suspended more than once together at most the
 * suspensions, at most 90 sessions for each pupil suspended, and so on; a reason's or term's count
 * at most its year's) narrows the range of each of its unknown cells to what the others leave room
 * for, and a narrowed cell narrows the others in turn, to a fixed point (bounds propagation, the
 * interval half of what a linear-programming audit such as tau-ARGUS's does).
 *
 * Why: an outside review worked out suppressed counts that no single equation gives away. Two
 * hidden cells whose equation says they add up to 0 are both 0, which then gives away the cells
 * beside them; three equations over four hidden cells can pin all four. A suppressed count worked
 * out exactly (1 or more), or narrowed to within 1 to min_count - 1, is a breach. A count narrowed
 * to 0 is not one here: a set whose total is 0 tells its parts, the documented limit of the rules
 * (DISCLOSURE.md, "Known limits"); the single-equation check still reports a 0 one subtraction
 * gives away.
 *
 * Written for the audit alone; the suppressor has its own (src/pipeline/bounds.ts).
 */
import { reportRange, type Collector } from './breach';

/** What the bounds need of the audit's system: its cells, and which are unknown. */
export interface BoundsSystem {
  size: number;
  /** Unknown (suppressed, not recovered) when true. */
  unknown: (id: number) => boolean;
  value: (id: number) => number;
  /** Whether the cell's flag marks a figure that does not exist (`x`, `z`): nothing to protect. */
  notDisclosive: (id: number) => boolean;
  describe: (id: number) => { table: string; row: number; column: string; flag: string | null };
  equations: { count: number; cells: Int32Array; start: Int32Array; totals: Int32Array; label: (e: number) => string };
  /** Inequalities: the sum of `small` is at most the sum of `big`, each cell times its factor. */
  atMost: { small: [number, number][]; big: [number, number][]; label: () => string }[];
}

/**
 * The constraints as the bounds hold them, and the ranges as they stand (lp.ts reads them, during a
 * trial too, when they carry its known cells and narrowed ranges): constraint k is the sum over j
 * from `start[k]` to `start[k + 1]` of `factors[j]` x `cells[j]`, equal to `constant[k]` when
 * `isEquality[k]`, else at most it; `ofList` from `ofStart[id]` to `ofStart[id + 1]` are the
 * constraints cell id is in; a cell with `known[id]` set is known in the trial under way (its term
 * is already in the constant). Read only.
 */
export interface RangesView {
  readonly start: Int32Array;
  readonly cells: Int32Array;
  readonly factors: Float64Array;
  readonly constant: Float64Array;
  readonly isEquality: Uint8Array;
  readonly ofStart: Int32Array;
  readonly ofList: Int32Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly known: Uint8Array;
  readonly minCount: number;
}

/** Work allowed per constraint before the propagation stops (bounds that creep by 1 a round). */
const VISITS_PER_CONSTRAINT = 200;

/**
 * The ranges of a release's unknown cells at their fixed point (`report` names the breaches), and
 * what they become with some more cells known (`trial`, for the mutation tests' "what if this cell
 * were published"): knowing more only narrows, so a trial starts from the ranges as they are and
 * visits only the constraints the change reaches, then puts everything back.
 */
export class Bounds {
  private readonly start: Int32Array;
  private readonly cells: Int32Array;
  private readonly factors: Float64Array;
  private readonly constant: Float64Array;
  private readonly isEquality: Uint8Array;
  private readonly labels: (() => string)[];
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  /** The constraint that last narrowed each cell, to name in the breach. */
  private readonly why: Int32Array;
  private readonly ofStart: Int32Array;
  private readonly ofList: Int32Array;
  private readonly queued: Uint8Array;
  /** Cells known in the trial under way. */
  private readonly knownNow: Uint8Array;
  private log: number[] | null = null;

  constructor(
    private readonly sys: BoundsSystem,
    private readonly minCount: number
  ) {
    // Constraints over unknown cells only, the known ones folded into the constant: sum of
    // factor x cell (<= or =) constant.
    const start: number[] = [0];
    const cells: number[] = [];
    const factors: number[] = [];
    const constant: number[] = [];
    const isEquality: number[] = [];
    const labels: (() => string)[] = [];
    // One constraint at a time: its terms go in with `term`, and `close` keeps it if any is unknown.
    let c = 0;
    let open = 0;
    const term = (id: number, f: number) => {
      if (sys.unknown(id)) {
        cells.push(id);
        factors.push(f);
      } else c -= f * sys.value(id);
    };
    const close = (eq: boolean, label: () => string) => {
      if (cells.length > open) {
        start.push(cells.length);
        constant.push(c);
        isEquality.push(eq ? 1 : 0);
        labels.push(label);
      }
      c = 0;
      open = cells.length;
    };
    const { equations } = sys;
    for (let e = 0; e < equations.count; e++) {
      const from = equations.start[e]!;
      const mid = from + equations.totals[e]!;
      for (let k = from; k < equations.start[e + 1]!; k++) term(equations.cells[k]!, k < mid ? -1 : 1);
      close(true, () => equations.label(e));
    }
    for (const a of sys.atMost) {
      for (const [id, f] of a.small) term(id, f);
      for (const [id, f] of a.big) term(id, -f);
      close(false, a.label);
    }
    this.start = Int32Array.from(start);
    this.cells = Int32Array.from(cells);
    this.factors = Float64Array.from(factors);
    this.constant = Float64Array.from(constant);
    this.isEquality = Uint8Array.from(isEquality);
    this.labels = labels;
    const n = constant.length;
    this.lo = new Float64Array(sys.size);
    this.hi = new Float64Array(sys.size).fill(Infinity);
    this.why = new Int32Array(sys.size).fill(-1);
    this.ofStart = new Int32Array(sys.size + 1);
    for (const id of cells) this.ofStart[id + 1]!++;
    for (let i = 0; i < sys.size; i++) this.ofStart[i + 1]! += this.ofStart[i]!;
    this.ofList = new Int32Array(cells.length);
    const fill = this.ofStart.slice(0, sys.size);
    for (let k = 0; k < n; k++) for (let j = start[k]!; j < start[k + 1]!; j++) this.ofList[fill[cells[j]!]!++] = k;
    this.queued = new Uint8Array(n);
    this.knownNow = new Uint8Array(sys.size);
    this.propagate(Array.from({ length: n }, (_, k) => k), null);
  }

  /** Every unknown cell the ranges give away, into `out`; returns how many cells were looked at. */
  report(out: Collector): number {
    let looked = 0;
    for (let id = 0; id < this.sys.size; id++) {
      if (!this.sys.unknown(id) || this.sys.notDisclosive(id) || this.ofStart[id + 1] === this.ofStart[id]) continue;
      looked++;
      this.reportCell(id, out);
    }
    return looked;
  }

  /** The constraints and the ranges as they stand, for the linear programs (lp.ts). */
  view(): RangesView {
    const { start, cells, factors, constant, isEquality, ofStart, ofList, lo, hi, knownNow, minCount } = this;
    return { start, cells, factors, constant, isEquality, ofStart, ofList, lo, hi, known: knownNow, minCount };
  }

  /**
   * What the ranges give away once `known` cells (unknown now) have these values; then as before.
   * `then`, if given, is called with the trial still in place (the cells whose range it narrowed),
   * for the linear programs to look at the same state before it is put back.
   */
  trial(known: readonly { id: number; value: number }[], out: Collector, then?: (changed: readonly number[]) => void): void {
    this.log = [];
    const work: number[] = [];
    const constantLog: number[] = [];
    for (const { id, value } of known) {
      if (this.knownNow[id] || this.ofStart[id + 1] === this.ofStart[id]) continue;
      this.knownNow[id] = 1;
      for (let q = this.ofStart[id]!; q < this.ofStart[id + 1]!; q++) {
        const k = this.ofList[q]!;
        // A cell twice in one constraint is listed twice, side by side: its factors count once.
        if (q > this.ofStart[id]! && this.ofList[q - 1] === k) continue;
        let f = 0;
        for (let j = this.start[k]!; j < this.start[k + 1]!; j++) if (this.cells[j] === id) f += this.factors[j]!;
        constantLog.push(k, this.constant[k]!);
        this.constant[k]! -= f * value;
        work.push(k);
      }
    }
    const changed: number[] = [];
    this.propagate(work, changed);
    const seen = new Set<number>();
    for (const id of changed) {
      if (seen.has(id) || this.knownNow[id] || !this.sys.unknown(id) || this.sys.notDisclosive(id)) continue;
      seen.add(id);
      this.reportCell(id, out);
    }
    try {
      then?.(changed);
    } finally {
      const log = this.log;
      for (let i = log.length - 4; i >= 0; i -= 4) {
        this.lo[log[i]!] = log[i + 1]!;
        this.hi[log[i]!] = log[i + 2]!;
        this.why[log[i]!] = log[i + 3]!;
      }
      for (let i = constantLog.length - 2; i >= 0; i -= 2) this.constant[constantLog[i]!] = constantLog[i + 1]!;
      for (const { id } of known) this.knownNow[id] = 0;
      this.log = null;
    }
  }

  private reportCell(id: number, out: Collector): void {
    reportRange(out, () => this.sys.describe(id), this.lo[id]!, this.hi[id]!, this.minCount, () => {
      const via = this.why[id]! >= 0 ? this.labels[this.why[id]!]!() : '';
      return `combining the equations and bounds it is in, counts being never negative (last narrowed by ${via})`;
    });
  }

  private propagate(work: number[], changed: number[] | null): void {
    const { start, cells, factors, constant, isEquality, lo, hi, why, queued, knownNow } = this;
    for (const k of work) queued[k] = 1;
    let budget = work.length * VISITS_PER_CONSTRAINT + 1000;
    // A term a x runs from a lo to a hi (a > 0) or a hi to a lo (a < 0).
    const least = (a: number, id: number) => (a > 0 ? a * lo[id]! : a * hi[id]!);
    const most = (a: number, id: number) => (a > 0 ? a * hi[id]! : a * lo[id]!);
    for (let head = 0; head < work.length && budget > 0; head++, budget--) {
      const k = work[head]!;
      queued[k] = 0;
      // The least and the most the terms can add up to (infinite ends counted apart).
      let minSum = 0;
      let maxSum = 0;
      let minInf = 0;
      let maxInf = 0;
      for (let j = start[k]!; j < start[k + 1]!; j++) {
        if (knownNow[cells[j]!]) continue;
        const a = factors[j]!;
        const tMin = least(a, cells[j]!);
        const tMax = most(a, cells[j]!);
        if (tMin === -Infinity) minInf++;
        else minSum += tMin;
        if (tMax === Infinity) maxInf++;
        else maxSum += tMax;
      }
      const c = constant[k]!;
      for (let j = start[k]!; j < start[k + 1]!; j++) {
        const id = cells[j]!;
        if (knownNow[id]) continue;
        const a = factors[j]!;
        const tMin = least(a, id);
        const tMax = most(a, id);
        const restMin = tMin === -Infinity ? (minInf === 1 ? minSum : -Infinity) : minInf > 0 ? -Infinity : minSum - tMin;
        const restMax = tMax === Infinity ? (maxInf === 1 ? maxSum : Infinity) : maxInf > 0 ? Infinity : maxSum - tMax;
        // a x <= c - restMin, and for an equation a x >= c - restMax.
        const upper = c - restMin;
        const lower = isEquality[k] ? c - restMax : -Infinity;
        let newLo = lo[id]!;
        let newHi = hi[id]!;
        if (a > 0) {
          newHi = Math.min(newHi, Math.floor(upper / a + 1e-9));
          newLo = Math.max(newLo, Math.ceil(lower / a - 1e-9));
        } else {
          newLo = Math.max(newLo, Math.ceil(upper / a - 1e-9));
          newHi = Math.min(newHi, Math.floor(lower / a + 1e-9));
        }
        // An impossible range means the files disagree, which the arithmetic check reports.
        if ((newLo > lo[id]! || newHi < hi[id]!) && newLo <= newHi) {
          this.log?.push(id, lo[id]!, hi[id]!, why[id]!);
          lo[id] = newLo;
          hi[id] = newHi;
          why[id] = k;
          changed?.push(id);
          for (let q = this.ofStart[id]!; q < this.ofStart[id + 1]!; q++) {
            const other = this.ofList[q]!;
            if (other !== k && !queued[other]) {
              queued[other] = 1;
              work.push(other);
            }
          }
        }
      }
    }
    // Work left when the budget ran out is dropped (see VISITS_PER_CONSTRAINT).
    for (const k of work) queued[k] = 0;
  }
}
