/**
 * Rule 5, the linear-programming half: what an exact linear program over one school's own cells
 * still works out after the bounds propagation (bounds.ts) has reached its fixed point.
 *
 * Why: propagation narrows each cell by one constraint at a time, so it cannot see what only
 * several constraints taken together imply. An outside review ran an exact linear program (HiGHS)
 * over the same equations and inequalities of the demo release and worked out about 60 suppressed
 * small counts that the ranges left wide: almost all in one school-year's rows, where the pupil
 * groups add up to All pupils and, within each row, pupils suspended plus those suspended more than
 * once are at most the suspensions, so that e.g. a SEN support row's suspensions, pupils suspended
 * and sessions lost were exact. x + y = 4, y + z = 4, x + z = 4 is the smallest such case: each
 * alone leaves 0..4, the three together give 2 each.
 *
 * One program per school (URN): its variables are the unknown cells of that school's rows in
 * school_year, school_period and school_year_reason (the reasons too: without them a school's
 * reason counts that add up to its suspensions before 2020 were still worked out); and one per
 * area and year over its rows in area_year and area_breakdown (its phases, groups and breakdowns
 * are bound as a school's rows are: in the release of a 10-school LA they gave LA counts away).
 * Its constraints are every constraint of the propagation (known cells folded into the constant) whose
 * unknown cells are all among them, and each variable keeps the range the propagation ended with.
 * Leaving out the constraints that reach other cells only widens what the program allows, so a
 * range it finds contains the true one and a breach it reports is real. The same test as the
 * propagation's: a cell whose whole numbers left are one value of 1 or more, or lie within 1 to
 * min_count - 1, is a breach.
 *
 * Few solves: a program's minimum and maximum for every cell would be two solves a cell. Most
 * cells are safe, and any solution is a witness: a cell at 0 in one can be 0 (never a breach), a
 * cell seen at two whole numbers, one of them min_count or more, is safe too. So the sum of the
 * cells not yet cleared is minimised and maximised by turns while that clears some, on one model
 * whose objective alone changes (HiGHS starts each solve from the last basis), and only the cells
 * left get their own minimum and maximum.
 *
 * Written for the audit alone: the suppressor (src/pipeline) has its own, and shares no code with it.
 */
import highsLoader from 'highs';
import type { RangesView } from './bounds';
import { reportRange, type Collector } from './breach';

// Loaded once, when the audit is (the solver is WebAssembly, ~40 ms to instantiate): the rest of
// the audit is synchronous (auditTables, the mutation tests' republish), and solves are too.
const highs = await highsLoader();

/** What the programs need of the audit besides the ranges. */
export interface SchoolSystem {
  /** Unknown (suppressed, not recovered) when true. */
  unknown: (id: number) => boolean;
  notDisclosive: (id: number) => boolean;
  describe: (id: number) => { table: string; row: number; column: string; flag: string | null };
  /** The program (0-based: a school, or an area's year) each cell is a variable of; else -1. */
  school: Int32Array;
  /** The program a cell is of, for the trials to know which programs a cell reaches; else -1. */
  owner: Int32Array;
  /** What each program is of, to name in a breach: `urn 918396`, `LA 990 in 2017/18`. */
  names: readonly string[];
}

/** Slack for the solver's tolerances: a value within it of a whole number counts as that number. */
const EPS = 1e-6;
/** An upper bound for cells the ranges left unbounded, so that no program is unbounded. */
const CAP = 1e7;
/** Rounds of maximising then minimising the sum of the cells left, after the first minimisations. */
const SUM_ROUNDS = 3;

export interface ProgramStats {
  /** Schools whose program was solved. */
  programs: number;
  solves: number;
  /** Time spent building and solving, in milliseconds. */
  ms: number;
}

/**
 * The programs of a release, over the ranges of `ranges` as they stand when asked: `report` once
 * the propagation has reached its fixed point, `trial` during one of its trials (Bounds.trial's
 * `then`), for the schools the trial reached.
 */
export class SchoolPrograms {
  readonly stats: ProgramStats = { programs: 0, solves: 0, ms: 0 };
  /** Each school's cells that are in a constraint: `memberList` from `memberStart[s]` to `memberStart[s + 1]`. */
  private readonly memberStart: Int32Array;
  private readonly memberList: Int32Array;
  /** Column of each cell in the program being built, or -1 (put back to -1 after each). */
  private readonly columnOf: Int32Array;
  /** The last program that looked at each constraint, so that each is taken once. */
  private readonly seenBy: Int32Array;
  private stamp = 0;

  constructor(
    private readonly ranges: () => RangesView,
    private readonly sys: SchoolSystem
  ) {
    const view = ranges();
    const size = sys.school.length;
    const schools = sys.names.length;
    this.memberStart = new Int32Array(schools + 1);
    const inConstraint = (id: number) => view.ofStart[id + 1]! > view.ofStart[id]!;
    for (let id = 0; id < size; id++) if (sys.school[id]! >= 0 && inConstraint(id)) this.memberStart[sys.school[id]! + 1]!++;
    for (let s = 0; s < schools; s++) this.memberStart[s + 1]! += this.memberStart[s]!;
    this.memberList = new Int32Array(this.memberStart[schools]!);
    const fill = this.memberStart.slice(0, schools);
    for (let id = 0; id < size; id++) if (sys.school[id]! >= 0 && inConstraint(id)) this.memberList[fill[sys.school[id]!]!++] = id;
    this.columnOf = new Int32Array(size).fill(-1);
    this.seenBy = new Int32Array(view.constant.length).fill(-1);
  }

  /** Every school's program, its breaches into `out`. */
  report(out: Collector): void {
    const view = this.ranges();
    for (let s = 0; s < this.sys.names.length; s++) this.solveSchool(s, view, out);
  }

  /** The programs of the schools `cells` are of (a trial's known and narrowed cells), breaches into `out`. */
  trial(cells: readonly number[], out: Collector): void {
    const schools = new Set<number>();
    for (const id of cells) if (this.sys.owner[id]! >= 0) schools.add(this.sys.owner[id]!);
    const view = this.ranges();
    for (const s of [...schools].sort((a, b) => a - b)) this.solveSchool(s, view, out);
  }

  private solveSchool(s: number, view: RangesView, out: Collector): void {
    const { sys, columnOf, seenBy } = this;
    const { start, cells, factors, constant, isEquality, ofStart, ofList, lo, hi, known, minCount } = view;
    const began = performance.now();
    // The variables: the school's cells still unknown here (a trial's known ones are in the constants).
    const vars: number[] = [];
    for (let q = this.memberStart[s]!; q < this.memberStart[s + 1]!; q++) {
      const id = this.memberList[q]!;
      if (sys.unknown(id) && !known[id]) vars.push(id);
    }
    // What could be a breach the ranges did not already report: a cell whose range is 0 alone is
    // none, and one the ranges give away was reported by them.
    const isTarget = (id: number) => {
      const l = lo[id]!;
      const h = hi[id]!;
      return !sys.notDisclosive(id) && h > 0 && !(l >= 1 && (l === h || h <= minCount - 1));
    };
    if (!vars.some(isTarget)) return;
    vars.forEach((id, c) => (columnOf[id] = c));
    try {
      // The constraints whose unknown cells are all variables, each cell once (its factors added),
      // in one sparse matrix by rows. Smaller programs solve much faster, so a cell the ranges
      // already fix goes into the constant, and an inequality that the ranges alone keep (its
      // terms at their most are within it) is left out: neither changes what the program allows.
      const stamp = ++this.stamp;
      const rowStart: number[] = [0];
      const rowIndex: number[] = [];
      const rowValue: number[] = [];
      const rowLower: number[] = [];
      const rowUpper: number[] = [];
      for (const id of vars) {
        for (let q = ofStart[id]!; q < ofStart[id + 1]!; q++) {
          const k = ofList[q]!;
          if (seenBy[k] === stamp) continue;
          seenBy[k] = stamp;
          const from = rowIndex.length;
          let inside = true;
          let c0 = constant[k]!;
          for (let j = start[k]!; j < start[k + 1]! && inside; j++) {
            const cell = cells[j]!;
            if (known[cell]) continue;
            const c = columnOf[cell]!;
            if (c < 0) inside = false;
            else if (lo[cell] === hi[cell]) c0 -= factors[j]! * lo[cell]!;
            else {
              let at = rowIndex.indexOf(c, from);
              if (at < 0) {
                at = rowIndex.push(c) - 1;
                rowValue.push(0);
              }
              rowValue[at]! += factors[j]!;
            }
          }
          // A constraint reaching past the school is left out (the relaxation), and so is a term
          // whose factors cancelled.
          let end = from;
          let most = 0;
          if (inside) {
            for (let t = from; t < rowIndex.length; t++) {
              const a = rowValue[t]!;
              if (a === 0) continue;
              const id2 = vars[rowIndex[t]!]!;
              most += a > 0 ? a * hi[id2]! : a * lo[id2]!;
              rowIndex[end] = rowIndex[t]!;
              rowValue[end++] = a;
            }
          }
          rowIndex.length = rowValue.length = end;
          if (end === from || (!isEquality[k] && most <= c0 + EPS)) {
            rowIndex.length = rowValue.length = from;
            continue;
          }
          rowStart.push(end);
          rowLower.push(isEquality[k] ? c0 : -Infinity);
          rowUpper.push(c0);
        }
      }
      // The constraints fall apart into sets sharing no cell (a school's years are tied only
      // through its pooled rows, and the ranges fix many cells): a set without a cell to look at
      // is left out of the program (a school with none is not solved at all). The sets that are
      // left stay in one program: a program's fixed cost (about as much as a solve) outweighs
      // what smaller ones save, as tried on the demo. A cell in no constraint keeps its range,
      // which the ranges already judged.
      const parent = Int32Array.from(vars, (_, c) => c);
      const find = (c: number): number => {
        while (parent[c] !== c) c = parent[c] = parent[parent[c]!]!;
        return c;
      };
      const rows = rowLower.length;
      for (let r = 0; r < rows; r++) {
        const a = find(rowIndex[rowStart[r]!]!);
        for (let t = rowStart[r]! + 1; t < rowStart[r + 1]!; t++) {
          const b = find(rowIndex[t]!);
          if (a !== b) parent[b] = a;
        }
      }
      const inRow = new Uint8Array(vars.length);
      for (const c of rowIndex) inRow[c] = 1;
      const looked = new Set<number>();
      vars.forEach((id, c) => {
        if (inRow[c] && isTarget(id)) looked.add(find(c));
      });
      if (looked.size === 0) return;
      const cols = vars.flatMap((_, c) => (inRow[c] && looked.has(find(c)) ? [c] : []));
      const rowList: number[] = [];
      for (let r = 0; r < rows; r++) if (looked.has(find(rowIndex[rowStart[r]!]!))) rowList.push(r);
      this.solveProgram(s, vars, cols, rowList, { rowStart, rowIndex, rowValue, rowLower, rowUpper }, isTarget, view, out);
    } finally {
      for (const id of vars) columnOf[id] = -1;
      this.stats.ms += performance.now() - began;
    }
  }

  /** School s's program: columns `cols` (of `vars`) and rows `rowList` of `m`; its breaches into `out`. */
  private solveProgram(
    s: number,
    vars: readonly number[],
    cols: readonly number[],
    rowList: readonly number[],
    m: { rowStart: number[]; rowIndex: number[]; rowValue: number[]; rowLower: number[]; rowUpper: number[] },
    isTarget: (id: number) => boolean,
    view: RangesView,
    out: Collector
  ): void {
    const { sys } = this;
    const { lo, hi, minCount } = view;
    const n = cols.length;
    const local = new Map<number, number>();
    cols.forEach((c, i) => local.set(c, i));
    const starts = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (const r of rowList) {
      for (let t = m.rowStart[r]!; t < m.rowStart[r + 1]!; t++) {
        indices.push(local.get(m.rowIndex[t]!)!);
        values.push(m.rowValue[t]!);
      }
      starts.push(indices.length);
    }
    const ids = cols.map((c) => vars[c]!);
    let remaining = ids.flatMap((id, i) => (isTarget(id) ? [i] : []));
    this.stats.programs++;
    const lp = highs.createModel();
    try {
      // Presolve would run again at every solve; after the first, each starts from the last basis
      // with only the objective changed, where presolve costs more than it saves.
      lp.options.set({ output_flag: false, presolve: 'off' });
      lp.passModel({
        numCols: n,
        numRows: rowList.length,
        colCost: new Float64Array(n),
        colLower: Float64Array.from(ids, (id) => lo[id]!),
        colUpper: Float64Array.from(ids, (id) => Math.min(hi[id]!, CAP)),
        rowLower: rowList.map((r) => m.rowLower[r]!),
        rowUpper: rowList.map((r) => m.rowUpper[r]!),
        matrix: { format: 'csr', numRows: rowList.length, numCols: n, starts, indices, values }
      });
      const seenMin = new Float64Array(n).fill(Infinity);
      const seenMax = new Float64Array(n).fill(-Infinity);
      const cost = new Float64Array(n);
      const whole = { kind: 'range', from: 0, to: n - 1 } as const;
      /** Solves with `cost` (minimised); the values, or null when there is no optimum (files that disagree). */
      const solve = (): Float64Array | null => {
        lp.changeColsCost(whole, cost);
        lp.run();
        this.stats.solves++;
        if (lp.getModelStatus() !== highs.constants.modelStatus.optimal) return null;
        return lp.getSolution().colValue;
      };
      /** Takes a solution as a witness: the cells it shows to be safe leave `remaining`; how many did. */
      const witness = (x: Float64Array): number => {
        const before = remaining.length;
        remaining = remaining.filter((c) => {
          const v = x[c]!;
          if (v < seenMin[c]!) seenMin[c] = v;
          if (v > seenMax[c]!) seenMax[c] = v;
          const top = Math.floor(seenMax[c]! + EPS);
          return !(seenMin[c]! <= EPS || (top >= minCount && top > Math.ceil(seenMin[c]! - EPS)));
        });
        return before - remaining.length;
      };
      /** Minimises (sign 1) or maximises (sign -1) the sum of the cells left; how many that cleared, or null. */
      const sum = (sign: 1 | -1): number | null => {
        cost.fill(0);
        for (const c of remaining) cost[c] = sign;
        const x = solve();
        return x && witness(x);
      };
      // Most cells can be 0 together: the least sum clears them, then the least sum of the rest.
      for (;;) {
        const cleared = sum(1);
        if (cleared === null) return;
        if (cleared === 0 || remaining.length === 0) break;
      }
      // Then the most sum, which sends cells to the most they can be, and the least again, by turns.
      for (let round = 0; round < 2 * SUM_ROUNDS && remaining.length > 0; round++) {
        const cleared = sum(round % 2 === 0 ? -1 : 1);
        if (cleared === null) return;
        if (cleared === 0) break;
      }
      // The cells left, one at a time: their exact least and most (each solve a witness for the others).
      for (const c of [...remaining]) {
        if (!remaining.includes(c)) continue;
        cost.fill(0);
        cost[c] = 1;
        const low = solve();
        if (!low) return;
        witness(low);
        if (!remaining.includes(c)) continue;
        cost[c] = -1;
        const high = solve();
        if (!high) return;
        witness(high);
        if (!remaining.includes(c)) continue;
        const l = Math.ceil(low[c]! - EPS);
        const h = Math.floor(high[c]! + EPS);
        // No whole number at all would mean files that disagree, which the arithmetic check reports.
        const how = () => `combining the equations and bounds of the rows of ${sys.names[s] ?? ''} (linear programming over ${rowList.length} constraints)`;
        reportRange(out, () => sys.describe(ids[c]!), l, h, minCount, how);
      }
    } finally {
      lp.dispose();
    }
  }
}
