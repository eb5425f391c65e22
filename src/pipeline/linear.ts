/**
 * The suppressor's linear-programming check of one school's rows at a time: the exact range each
 * suppressed count of a school can take, given every equation and bound among that school's own
 * cells at once, found with a linear-program solver (HiGHS, compiled to WebAssembly).
 *
 * Why: ranges narrowed one constraint at a time (bounds.ts) are the interval half of what a reader
 * with a linear-program solver can do. An outside review ran one (SciPy's HiGHS) on a release that
 * passed the ranges and still worked out about 60 small counts of the demo, nearly all within one
 * school's rows: groups adding up to the school's All pupils row, years adding up to its pooled
 * row, and the bounds within a row (pupils suspended and those suspended more than once together at
 * most the suspensions, at most 90 sessions a pupil suspended) combined with multipliers that no
 * single constraint shows. disclosure.ts suppresses one more cell wherever this finds a count given
 * away, as it does for the ranges.
 *
 * One school at a time (its school-year, pooled and reasons rows: without the reasons, the same
 * attack still worked out a school's 2018/19 suspensions for one reason as 1), and one area's year
 * at a time (its area_year and area_breakdown rows, which disclosure.ts groups the same way: any
 * grouping of cells works here). Constraints
 * reaching a suppressed cell outside the school are left out, and the ranges from bounds.ts stand
 * in for them as each variable's bounds. That is a relaxation, so what it finds is given away for certain; what it misses needs
 * several schools at once (the audit's own check has the same reach).
 *
 * The suppressor knows the true counts, which keeps the solves few: a count of 0 is never given
 * away (its range holds 0), and a count is safe as soon as some solution shows it at 0 or at
 * min_count or more (for a small count), or at a value 1 or more away from the true one (for a
 * larger count). Solutions that push the sum of all the counts not yet shown safe down, then up,
 * clear most of them at once; only the rest get a program of their own each. Each school's last
 * solutions are kept: disclosure control asks the same school again and again as it tries cells
 * one by one, and a solution that still meets every constraint and range shows the same counts
 * safe without solving anything. Cells the ranges pin to one value are constants, not variables.
 *
 * Independent of the audit's version (src/audit), which checks the result.
 */
import highsLoader from 'highs';
import type { Linear } from './bounds';

type Highs = Awaited<ReturnType<typeof highsLoader>>;
let solver: Promise<Highs> | null = null;

/** A value counts as reached when the solution is within this of it (the solver's tolerance). */
const EPS = 1e-6;
/** Upper bound for a count nothing bounds (the program must stay bounded when maximised). */
const CAP = 1e7;
/** Rounds of "all the remaining counts down, then up" before each remaining count is solved alone. */
const ROUNDS = 6;

export interface SchoolCheck {
  /** Hidden (suppressed) cells: 1. Read at each call: cells are suppressed and published meanwhile. */
  hidden: Uint8Array;
  /** True values (+Infinity where the source withheld a count: never a variable of interest). */
  value: Float64Array;
  lin: Linear;
  /** The school each cell belongs to (an index), or -1 for cells no school program holds. */
  school: Int32Array;
  minCount: number;
}

/**
 * The check for one release (loading the solver is the only asynchronous part): `givenAway` lists
 * the hidden cells that the programs of the given schools (all, by default) work out exactly (1 or
 * more) or narrow to within 1 to min_count - 1, with the ranges (bounds.ts) as they are now
 * (with `first`, those of the first school that has any: enough to say no).
 */
export async function schoolPrograms(s: SchoolCheck): Promise<{
  givenAway: (lo: Float64Array, hi: Float64Array, only?: Iterable<number>, first?: boolean) => number[];
  /** Solves run so far (the tests check that remembered solutions spare them). */
  readonly stats: { solves: number };
}> {
  const highs = await (solver ??= highsLoader());
  const { lin, school } = s;
  // Each school's cells, and the constraints that reach any of them, found once.
  const cellsOf: number[][] = [];
  const place = new Int32Array(school.length).fill(-1);
  for (let id = 0; id < school.length; id++) {
    const sc = school[id]!;
    if (sc < 0) continue;
    const list = (cellsOf[sc] ??= []);
    place[id] = list.length;
    list.push(id);
  }
  const constraintsOf: number[][] = cellsOf.map(() => []);
  const n = lin.start.length - 1;
  for (let k = 0; k < n; k++) {
    let last = -1;
    for (let j = lin.start[k]!; j < lin.start[k + 1]!; j++) {
      const sc = school[lin.cells[j]!]!;
      if (sc >= 0 && sc !== last) {
        const list = constraintsOf[sc]!;
        if (list[list.length - 1] !== k) list.push(k);
        last = sc;
      }
    }
  }
  const stats = { solves: 0 };
  /**
   * Solutions found before, each a value for every cell of its school (the true value for a cell
   * published then), newest first. Ranges narrow and cells are published between checks, but most
   * of a school stays as it was: a solution that still meets every bound and constraint shows the
   * same counts safe without a solve (the last pass, which asks each school again after each cell
   * it tries, needed a sixth of the solves with them on the benchmark's extract).
   */
  const memory: Float64Array[][] = cellsOf.map(() => []);
  return {
    stats,
    givenAway: (lo, hi, only, first = false) => {
      const out: number[] = [];
      for (const sc of only ?? cellsOf.keys()) {
        if (!cellsOf[sc]) continue;
        const all = cellsOf[sc];
        const cells = all.filter((id) => s.hidden[id]);
        let todo = cells.filter((id) => s.value[id]! >= 1 && Number.isFinite(s.value[id]!));
        if (todo.length === 0) continue;
        // A constraint belongs to the school when every hidden cell in it is the school's, and
        // says something when it has one (the others hold at the true counts whatever happens).
        const own = constraintsOf[sc]!.filter((k) => {
          let any = false;
          for (let j = lin.start[k]!; j < lin.start[k + 1]!; j++) {
            const id = lin.cells[j]!;
            if (!s.hidden[id]) continue;
            if (school[id] !== sc) return false;
            any = true;
          }
          return any;
        });
        const known = memory[sc]!;
        for (const x of known) {
          if (todo.length === 0) break;
          if (!solves(s, sc, all, place, own, lo, hi, x)) continue;
          todo = todo.filter((id) => !shownSafe(id, x[place[id]!]!, s.value, s.minCount));
        }
        if (todo.length === 0) continue;
        const remember = (x: Float64Array) => {
          known.unshift(x);
          if (known.length > MEMORY) known.pop();
        };
        out.push(...checkSchool(highs, s, sc, all, place, cells, own, todo, lo, hi, remember, stats));
        if (first && out.length > 0) break;
      }
      return out;
    }
  };
}

/** Solutions kept per school. */
const MEMORY = 12;

/**
 * Whether `x` (a value for each of the school's cells `all`) is a solution of the school's program
 * as it is now: the published cells at their true values, the hidden ones within their ranges,
 * every constraint of the school's own met.
 */
function solves(s: SchoolCheck, sc: number, all: number[], place: Int32Array, own: number[], lo: Float64Array, hi: Float64Array, x: Float64Array): boolean {
  for (let i = 0; i < all.length; i++) {
    const id = all[i]!;
    const v = x[i]!;
    if (s.hidden[id]) {
      if (v < Math.max(0, lo[id]!) - EPS || v > Math.min(CAP, hi[id]!) + EPS) return false;
    } else if (Math.abs(v - s.value[id]!) > EPS) return false;
  }
  const { lin } = s;
  for (const k of own) {
    let sum = 0;
    let size = 1;
    for (let j = lin.start[k]!; j < lin.start[k + 1]!; j++) {
      const id = lin.cells[j]!;
      const term = lin.signs[j]! * (s.school[id] === sc ? x[place[id]!]! : s.value[id]!);
      sum += term;
      size += Math.abs(term);
    }
    const slack = EPS * size;
    if (sum > slack || (lin.equal[k] && sum < -slack)) return false;
  }
  return true;
}

/**
 * Safe once a solution shows the count at 0 or at min_count or more (a small count), or 1 or more
 * away from its true value (a larger one): the true counts are a solution too.
 */
function shownSafe(id: number, x: number, value: Float64Array, minCount: number): boolean {
  const v = value[id]!;
  return v < minCount ? x <= EPS || x >= minCount - EPS : Math.abs(x - v) >= 1 - EPS;
}

function checkSchool(
  highs: Highs,
  s: SchoolCheck,
  sc: number,
  all: number[],
  place: Int32Array,
  cells: number[],
  constraints: number[],
  candidates: number[],
  lo: Float64Array,
  hi: Float64Array,
  remember: (x: Float64Array) => void,
  stats: { solves: number }
): number[] {
  const { hidden, value, lin, minCount } = s;
  // The program's variables: the hidden cells whose range still holds more than one value. A cell
  // the ranges pin (nearly half of them, mostly zeros) is a constant, as a published one is.
  const slot = new Int32Array(all.length).fill(-1);
  const free: number[] = [];
  for (const id of cells) if (lo[id]! < hi[id]!) slot[place[id]!] = free.push(id) - 1;
  const fixedAt = (id: number) => (hidden[id] ? lo[id]! : value[id]!);
  // The constraints as rows of a sparse matrix (constants folded into the right-hand side),
  // passed once: each solve changes only the objective, and HiGHS starts from the last basis.
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  const varOf = (id: number) => (s.school[id] === sc ? slot[place[id]!]! : -1);
  for (const k of constraints) {
    let rhs = 0;
    const row = indices.length;
    for (let j = lin.start[k]!; j < lin.start[k + 1]!; j++) {
      const id = lin.cells[j]!;
      const a = lin.signs[j]!;
      const v = varOf(id);
      if (v < 0) {
        rhs -= a * fixedAt(id);
        continue;
      }
      // A cell twice in one constraint (side by side or not) is one variable with the factors summed.
      let at = row;
      while (at < indices.length && indices[at] !== v) at++;
      if (at === indices.length) {
        indices.push(v);
        values.push(a);
      } else values[at]! += a;
    }
    let most = 0;
    for (let at = indices.length - 1; at >= row; at--) {
      const a = values[at]!;
      if (a !== 0) {
        const id = free[indices[at]!]!;
        most += a > 0 ? a * Math.min(CAP, hi[id]!) : a * Math.max(0, lo[id]!);
        continue;
      }
      indices.splice(at, 1);
      values.splice(at, 1);
    }
    // No variable left, or an inequality the variables' ranges keep by themselves (a fifth of the
    // rows with a variable on the benchmark's extract): either way the row changes nothing the
    // program allows, so the findings are the same and the solves smaller.
    if (indices.length === row || (!lin.equal[k] && most <= rhs + EPS)) {
      indices.length = values.length = row;
      continue;
    }
    starts.push(indices.length);
    rowLower.push(lin.equal[k] ? rhs : -Infinity);
    rowUpper.push(rhs);
  }
  const n = free.length;
  const model = highs.createModel();
  try {
    // Presolve off: it would run again at every solve, and each solve after the first starts from
    // the last basis, where only the objective changed (half the solver's time on the benchmark).
    model.options.set({ output_flag: false, presolve: 'off' });
    model.passModel({
      numCols: n,
      numRows: rowLower.length,
      colCost: new Float64Array(n),
      colLower: Float64Array.from(free, (id) => Math.max(0, lo[id]!)),
      colUpper: Float64Array.from(free, (id) => Math.min(CAP, hi[id]!)),
      rowLower,
      rowUpper,
      matrix: { format: 'csr', numRows: rowLower.length, numCols: n, starts, indices, values }
    });
    const cost = new Float64Array(n);
    const whole = { kind: 'range', from: 0, to: n - 1 } as const;
    // Every cell of the school at its constant (true value, or the one value its range holds).
    const base = Float64Array.from(all, fixedAt);
    const solve = (sign: 1 | -1, of: readonly number[]): Float64Array => {
      cost.fill(0);
      for (const id of of) if (varOf(id) >= 0) cost[varOf(id)] = sign;
      model.changeColsCost(whole, cost);
      model.run();
      stats.solves++;
      const status = model.getModelStatus();
      if (status !== highs.constants.modelStatus.optimal) throw new Error(`disclosure control: a school's linear program ended with status ${status}, which the true counts rule out`);
      const col = model.getSolution().colValue;
      // The solution over every cell of the school, kept for later checks (see `memory`).
      const x = base.slice();
      free.forEach((id, i) => (x[place[id]!] = col[i]!));
      remember(x);
      return x;
    };
    return witnesses(solve, candidates, (id, x) => x[place[id]!]!, value, minCount);
  } finally {
    model.dispose();
  }
}

/**
 * The candidates no solution shows safe: sums pushed down and up by turns, then each left alone.
 */
function witnesses(
  solve: (sign: 1 | -1, of: readonly number[]) => Float64Array,
  candidates: number[],
  at: (id: number, x: Float64Array) => number,
  value: Float64Array,
  minCount: number
): number[] {
  let todo = candidates;
  const sweep = (x: Float64Array) => {
    todo = todo.filter((id) => !shownSafe(id, at(id, x), value, minCount));
  };
  for (let round = 0, still = 0; round < ROUNDS && todo.length > 0 && still < 2; round++) {
    const before = todo.length;
    sweep(solve(round % 2 === 0 ? 1 : -1, todo));
    still = todo.length === before ? still + 1 : 0;
  }
  const givenAway: number[] = [];
  for (const id of [...todo]) {
    if (!todo.includes(id)) continue;
    sweep(solve(1, [id]));
    if (todo.includes(id)) sweep(solve(-1, [id]));
    if (todo.includes(id)) {
      givenAway.push(id);
      todo = todo.filter((c) => c !== id);
    }
  }
  return givenAway;
}
