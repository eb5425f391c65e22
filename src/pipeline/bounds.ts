/**
 * The suppressor's own reckoning of what the published cells leave open about each suppressed one,
 * across all its equations and bounds at once (counts never negative): the range each suppressed
 * count can still take, narrowed equation by equation to a fixed point. disclosure.ts suppresses
 * more wherever a count would be worked out exactly (1 or more) or narrowed to within 1 to
 * min_count - 1, which an outside review showed one equation at a time could not see (two hidden
 * cells that add up to 0 are both 0, and give away the cells beside them).
 *
 * Independent of the audit's version (src/audit/bounds.ts), which checks the result: the two are
 * written apart on purpose, so that one's mistake is the other's finding.
 */

export interface Linear {
  /** Cells and their factors: sum of factor x value, equal to 0 (`equal`) or at most 0. */
  cells: Int32Array;
  signs: Int32Array;
  start: Int32Array;
  equal: Int32Array;
}

/**
 * The range of every hidden cell (`hidden[id]`), the others being `value[id]`, kept up to date as
 * cells are published again (`tryPublish`): publishing only narrows ranges, so the new fixed point
 * is reached from the old one by visiting the constraints the change reaches, not the whole system.
 * Constraints whose bounds creep one step a round stop after a fixed amount of work: a range left
 * wider than it could be errs towards suppressing less, which the audit would catch.
 */
export class Ranges {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  private readonly rhs: Float64Array;
  private readonly of: { start: Int32Array; list: Int32Array };
  private readonly waiting: Uint8Array;
  /**
   * In a trial (`tryPublish`): the right-hand sides (constraint, old value) and ranges (cell, old
   * lo, old hi) it changed, to undo; NULL outside one.
   */
  private rhsLog: number[] | null = null;
  private rangeLog: number[] = [];

  constructor(
    private readonly hidden: Uint8Array,
    private readonly value: Float64Array,
    private readonly lin: Linear
  ) {
    const size = hidden.length;
    const n = lin.start.length - 1;
    this.lo = new Float64Array(size);
    this.hi = new Float64Array(size).fill(Infinity);
    this.rhs = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      for (let j = lin.start[k]!; j < lin.start[k + 1]!; j++) {
        const id = lin.cells[j]!;
        if (!hidden[id]) this.rhs[k]! -= lin.signs[j]! * value[id]!;
      }
    }
    this.of = constraintsOfCells(lin, size);
    this.waiting = new Uint8Array(n);
    const all: number[] = [];
    for (let k = 0; k < n; k++) all.push(k);
    this.propagate(all, null);
  }

  /**
   * Whether publishing `cells` (hidden now) would give any hidden count away; with `keep`, they
   * are published (the ranges follow), else everything is left as it was. `alsoSafe`, asked with
   * the cells published and the ranges narrowed (`narrowed`: those cells), can still say no (a
   * school's linear program).
   */
  tryPublish(cells: readonly number[], minCount: number, keep: boolean, alsoSafe?: (narrowed: readonly number[]) => boolean): boolean {
    this.rhsLog = [];
    const work: number[] = [];
    for (const c of cells) {
      this.hidden[c] = 0;
      for (let q = this.of.start[c]!; q < this.of.start[c + 1]!; q++) {
        const k = this.of.list[q]!;
        // A cell twice in one constraint is listed twice, side by side: its factors are summed once.
        if (q > this.of.start[c]! && this.of.list[q - 1] === k) continue;
        let a = 0;
        for (let j = this.lin.start[k]!; j < this.lin.start[k + 1]!; j++) if (this.lin.cells[j] === c) a += this.lin.signs[j]!;
        this.rhsLog.push(k, this.rhs[k]!);
        this.rhs[k]! -= a * this.value[c]!;
        work.push(k);
      }
    }
    const changed: number[] = [];
    this.propagate(work, changed);
    let givenAway = false;
    for (const id of changed) if (this.hidden[id] && givesAway(this.lo[id]!, this.hi[id]!, minCount)) givenAway = true;
    if (!givenAway && alsoSafe && !alsoSafe(changed)) givenAway = true;
    if (!keep || givenAway) {
      const u = this.rhsLog;
      for (let i = u.length - 2; i >= 0; i -= 2) this.rhs[u[i]!] = u[i + 1]!;
      const r = this.rangeLog;
      for (let i = r.length - 3; i >= 0; i -= 3) {
        this.lo[r[i]!] = r[i + 1]!;
        this.hi[r[i]!] = r[i + 2]!;
      }
      for (const c of cells) this.hidden[c] = 1;
    }
    this.rhsLog = null;
    this.rangeLog = [];
    return !givenAway;
  }

  private propagate(work: number[], changed: number[] | null): void {
    const { lin, lo, hi, hidden, rhs, waiting } = this;
    const { start, cells, signs, equal } = lin;
    for (const k of work) waiting[k] = 1;
    let left = work.length * 200 + 1000;
    for (let w = 0; w < work.length && left > 0; w++, left--) {
      const k = work[w]!;
      waiting[k] = 0;
      const from = start[k]!;
      const to = start[k + 1]!;
      // Least and most of the hidden terms' sum (a term a x runs from a lo to a hi, or the other
      // way for a < 0), with infinite ends counted apart.
      let least = 0;
      let most = 0;
      let leastInf = 0;
      let mostInf = 0;
      let terms = 0;
      for (let j = from; j < to; j++) {
        const id = cells[j]!;
        if (!hidden[id]) continue;
        terms++;
        const a = signs[j]!;
        const low = a > 0 ? a * lo[id]! : a * hi[id]!;
        const high = a > 0 ? a * hi[id]! : a * lo[id]!;
        if (low === -Infinity) leastInf++;
        else least += low;
        if (high === Infinity) mostInf++;
        else most += high;
      }
      // Nothing to narrow: no hidden term, or no end of the sum known on the side that binds.
      if (terms === 0 || (leastInf > 1 && (!equal[k] || mostInf > 1))) continue;
      const isEqual = equal[k] === 1;
      const r = rhs[k]!;
      for (let j = from; j < to; j++) {
        const id = cells[j]!;
        if (!hidden[id]) continue;
        const a = signs[j]!;
        const own = a > 0 ? a * lo[id]! : a * hi[id]!;
        const ownMost = a > 0 ? a * hi[id]! : a * lo[id]!;
        const othersLeast = own === -Infinity ? (leastInf === 1 ? least : -Infinity) : leastInf > 0 ? -Infinity : least - own;
        const othersMost = ownMost === Infinity ? (mostInf === 1 ? most : Infinity) : mostInf > 0 ? Infinity : most - ownMost;
        // a x <= rhs - othersLeast; with equality also a x >= rhs - othersMost.
        const cap = r - othersLeast;
        const floor = isEqual ? r - othersMost : -Infinity;
        let x = lo[id]!;
        let y = hi[id]!;
        if (a > 0) {
          y = Math.min(y, Math.floor(cap / a + 1e-9));
          x = Math.max(x, Math.ceil(floor / a - 1e-9));
        } else {
          x = Math.max(x, Math.ceil(cap / a - 1e-9));
          y = Math.min(y, Math.floor(floor / a + 1e-9));
        }
        if ((x > lo[id]! || y < hi[id]!) && x <= y) {
          if (this.rhsLog) this.rangeLog.push(id, lo[id]!, hi[id]!);
          lo[id] = x;
          hi[id] = y;
          changed?.push(id);
          for (let q = this.of.start[id]!; q < this.of.start[id + 1]!; q++) {
            const other = this.of.list[q]!;
            if (!waiting[other]) {
              waiting[other] = 1;
              work.push(other);
            }
          }
        }
      }
    }
    // Work left over when the budget ran out is dropped (see the class comment).
    for (const k of work) waiting[k] = 0;
  }
}

/**
 * Each cell's constraints (by cell, `list` from `start[id]` to `start[id + 1]`): the same for every
 * Ranges over one system, and disclosure control makes one afresh after each round of suppressing.
 */
const constraintsOf = new WeakMap<Linear, { start: Int32Array; list: Int32Array }>();
function constraintsOfCells(lin: Linear, size: number): { start: Int32Array; list: Int32Array } {
  const known = constraintsOf.get(lin);
  if (known && known.start.length === size + 1) return known;
  const n = lin.start.length - 1;
  const start = new Int32Array(size + 1);
  for (let j = 0; j < lin.cells.length; j++) start[lin.cells[j]! + 1]!++;
  for (let i = 0; i < size; i++) start[i + 1]! += start[i]!;
  const list = new Int32Array(start[size]!);
  const at = start.slice(0, size);
  for (let k = 0; k < n; k++) for (let j = lin.start[k]!; j < lin.start[k + 1]!; j++) list[at[lin.cells[j]!]!++] = k;
  const of = { start, list };
  constraintsOf.set(lin, of);
  return of;
}

/** Whether a range gives a hidden count away: one value of 1 or more, or nothing outside 1 to min_count - 1. */
export function givesAway(lo: number, hi: number, minCount: number): boolean {
  return lo >= 1 && (lo === hi || hi <= minCount - 1);
}
