/**
 * Secondary suppression, checked from the outside (DISCLOSURE.md "Secondary suppression: additive
 * sets"): every equation total = sum of parts of sets A to N is rebuilt from the published files,
 * then recovery is propagated the way a determined reader would do it, who also knows that counts
 * are never negative: a suppressed count under a known 0 is told (boundsOf), and a recovered 0
 * tells in turn. An equation with exactly one unknown cell gives that cell away; the recovered cell
 * then counts as known in every other equation it is in, which may give away the next one, and so
 * on to a fixed point.
 *
 * The propagation is a work queue over equations keyed by their count of unknown cells, so each
 * recovery costs only the equations that cell is in (linear in the size of the system, not a
 * rescan per round). Equations whose cells are all published are checked for arithmetic too: a
 * total that does not equal its parts means the files cannot be trusted (`inconsistent`).
 */
import { RULES, type Collector } from './breach';
import { Bounds, type BoundsSystem } from './bounds';
import { SchoolPrograms } from './lp';
import type { CountTable } from './cells';
import { column, type Grid } from './read';
import {
  ADDITIVE_BY_DIMENSION,
  ALL_PHASES,
  ALL_PUPILS,
  COUNT_COLUMNS,
  GROUP_PARTS,
  LA_AREA_TYPE,
  NEED_DIMENSION,
  NEED_ONLY_GROUP,
  NOT_DISCLOSIVE_FLAGS,
  PUPIL_GROUPS,
  REASON_DIMENSION,
  SINGLE_REASON_UNTIL
} from './layout';

export interface EquationInput {
  schools?: Grid;
  schoolYear?: CountTable;
  reasons?: CountTable;
  areaYear?: CountTable;
  period?: CountTable;
  breakdown?: CountTable;
}

const PUBLISHED = 0;
const UNKNOWN = 1;
const RECOVERED = 2;

/** A list of whole numbers that grows by doubling a typed array. */
class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
}

/**
 * The equations total = sum of parts, in flat typed arrays rather than an object and two arrays
 * each (the reasons table alone makes 100,000 of them at demo scale, millions at national scale,
 * which the garbage collector had to copy): equation e's cells are `cells[start[e]]` to
 * `cells[start[e + 1] - 1]`, its totals first (`totals[e]` of them: one cell for most sets, one per
 * year for set J, none when the total is a missing row, which means zero), then its parts.
 */
class Equations {
  private readonly cellList = new IntList();
  private readonly starts = new IntList();
  private readonly totalCounts = new IntList();
  /** What each equation says, in words, for a breach: `labels[e](columns[e])` (made only when reported). */
  private readonly labels: ((column: string) => string)[] = [];
  private readonly columns: string[] = [];
  cells = new Int32Array(0);
  start = new Int32Array(1);
  totals = new Int32Array(0);

  get length(): number {
    return this.labels.length;
  }

  add(totalRows: readonly number[], totalCell: (row: number) => number, partRows: readonly number[], partCell: (row: number) => number, label: (column: string) => string, column: string): void {
    this.starts.push(this.cellList.length);
    for (const r of totalRows) this.cellList.push(totalCell(r));
    for (const r of partRows) this.cellList.push(partCell(r));
    this.totalCounts.push(totalRows.length);
    this.labels.push(label);
    this.columns.push(column);
  }

  /** Makes `cells`, `start` and `totals` whole, once every equation is added. */
  finish(): void {
    this.cells = this.cellList.data.slice(0, this.cellList.length);
    this.start = new Int32Array(this.starts.length + 1);
    this.start.set(this.starts.data.subarray(0, this.starts.length));
    this.start[this.starts.length] = this.cellList.length;
    this.totals = this.totalCounts.data.slice(0, this.totalCounts.length);
  }

  label(e: number): string {
    return this.labels[e]!(this.columns[e]!);
  }

  /** Equation e's cells, totals first (a copy: for reporting). */
  cellsOf(e: number): number[] {
    return Array.from(this.cells.subarray(this.start[e], this.start[e + 1]));
  }
}

const SEP = '\u0001';
/** How a row of DfE's own published figures names its source in `area_year.source`. */
const DFE_SOURCE_PREFIX = 'DfE: ';
const key = (...parts: (string | number | null | undefined)[]): string => {
  // (A loop, not map and join: this runs a few times for each of 100,000+ rows.)
  let k = String(parts[0] ?? '');
  for (let i = 1; i < parts.length; i++) k += SEP + String(parts[i] ?? '');
  return k;
};

/**
 * Keys of many rows as numbers rather than strings (the reasons table has 100,000+ rows): each
 * column's text is numbered (`idsOf`, NULL as empty text, as `key` treats it) and the numbers are
 * combined (`NumericKey`). Two rows get the same number exactly when `key` gives them the same
 * string (for columns without the separator in them, which is all of them: see `key`).
 */
class Dictionary {
  readonly ids = new Map<string, number>();
  /** The number of a text, numbering it if new. */
  add(v: string | null | undefined): number {
    const s = v ?? '';
    let id = this.ids.get(s);
    if (id === undefined) this.ids.set(s, (id = this.ids.size));
    return id;
  }
  /** The number of a text already numbered, or -1. */
  find(v: string | null | undefined): number {
    return this.ids.get(v ?? '') ?? -1;
  }
  get size(): number {
    return this.ids.size;
  }
}

/**
 * A key made of three or four numbered parts (each below its size in `sizes`), as one number:
 * exact while the product of the sizes stays below 2^52, else (never at any scale seen) a string.
 */
function numericKey(sizes: readonly number[]): (a: number, b: number, c: number, d?: number) => number | string {
  const [, nb = 1, nc = 1, nd = 1] = sizes.map((n) => Math.max(n, 1));
  const exact = sizes.reduce((x, n) => x * Math.max(n, 1), 1) < 2 ** 52;
  if (!exact) return (a, b, c, d) => `${a},${b},${c},${d ?? ''}`;
  return sizes.length === 4 ? (a, b, c, d) => ((a * nb + b) * nc + c) * nd + d! : (a, b, c) => (a * nb + b) * nc + c;
}

/** Every count cell of the three count tables, numbered, with its state and published value. */
class CellSpace {
  readonly tables: CountTable[] = [];
  private readonly offsets: number[] = [];
  private readonly columns: string[][] = [];
  state = new Uint8Array(0);
  value = new Float64Array(0);
  flag: (string | null)[] = [];
  size = 0;

  add(t: CountTable): number {
    const cols = COUNT_COLUMNS[t.table].filter((c) => t.values.has(c));
    this.tables.push(t);
    this.offsets.push(this.size);
    this.columns.push(cols);
    this.size += t.rows * cols.length;
    return this.tables.length - 1;
  }

  finish(): void {
    this.state = new Uint8Array(this.size);
    this.value = new Float64Array(this.size);
    this.flag = new Array<string | null>(this.size).fill(null);
    this.tables.forEach((t, ti) => {
      const cols = this.columns[ti] ?? [];
      cols.forEach((c, ci) => {
        const vals = t.values.get(c) ?? [];
        const flags = t.flags.get(c) ?? [];
        for (let r = 0; r < t.rows; r++) {
          const id = this.id(ti, r, ci);
          const v = vals[r];
          if (v === null || v === undefined) {
            this.state[id] = UNKNOWN;
            this.flag[id] = flags[r] ?? null;
          } else {
            this.value[id] = v;
          }
        }
      });
    });
  }

  private id(ti: number, row: number, ci: number): number {
    return (this.offsets[ti] ?? 0) + row * (this.columns[ti]?.length ?? 0) + ci;
  }

  /** The cell id of table ti's row and column, or undefined when the table lacks that column. */
  cell(ti: number, row: number, col: string): number | undefined {
    const ci = this.columns[ti]?.indexOf(col) ?? -1;
    return ci < 0 ? undefined : this.id(ti, row, ci);
  }

  /** `cell` for one column of many rows: the function from row to cell id, or undefined without the column. */
  cellsOf(ti: number, col: string): ((row: number) => number) | undefined {
    const ci = this.columns[ti]?.indexOf(col) ?? -1;
    if (ci < 0) return undefined;
    const offset = this.offsets[ti] ?? 0;
    const width = this.columns[ti]?.length ?? 0;
    return (row) => offset + row * width + ci;
  }

  hasColumn(ti: number, col: string): boolean {
    return (this.columns[ti]?.indexOf(col) ?? -1) >= 0;
  }

  locate(id: number): { table: string; row: number; column: string } {
    let ti = this.offsets.length - 1;
    while (ti > 0 && (this.offsets[ti] ?? 0) > id) ti--;
    const cols = this.columns[ti] ?? [];
    const local = id - (this.offsets[ti] ?? 0);
    return {
      table: this.tables[ti]?.table ?? '',
      row: Math.floor(local / Math.max(cols.length, 1)) + 1,
      column: cols[local % Math.max(cols.length, 1)] ?? ''
    };
  }

  describe(id: number): string {
    const l = this.locate(id);
    return `${l.table}.csv:${l.row} ${l.column}`;
  }
}

/** First academic year of `2019/20` (2019); falls back to `year_start`; NaN when neither parses. */
function startYear(academicYear: string | null | undefined, yearStart: string | null | undefined): number {
  const m = /^([0-9]{4})\/[0-9]{2}$/.exec(academicYear ?? '');
  if (m?.[1]) return Number(m[1]);
  return yearStart && /^[0-9]{4}$/.test(yearStart) ? Number(yearStart) : Number.NaN;
}

/**
 * Rule 5 over the tables given, reporting into `out`; returns the system of equations at its fixed
 * point, so that the mutation tests can ask what one more published cell would give away.
 */
export function checkEquations(input: EquationInput, out: Collector, opts: { minCount?: number } = {}): Recovery {
  const space = new CellSpace();
  const SY = input.schoolYear ? space.add(input.schoolYear) : -1;
  const SYR = input.reasons ? space.add(input.reasons) : -1;
  const AY = input.areaYear ? space.add(input.areaYear) : -1;
  const SP = input.period ? space.add(input.period) : -1;
  const AB = input.breakdown ? space.add(input.breakdown) : -1;
  space.finish();

  const equations = new Equations();
  /** Adds one equation per column both sides have; a part or total outside the file is skipped. */
  const addEquations = (
    columns: readonly string[],
    totalTable: number,
    totalRows: number | readonly number[] | undefined,
    partTable: number,
    partRows: readonly number[],
    label: (col: string) => string
  ): void => {
    const rows = totalRows === undefined ? [] : typeof totalRows === 'number' ? [totalRows] : totalRows;
    for (const col of columns) {
      const totalCell = space.cellsOf(totalTable, col);
      const partCell = space.cellsOf(partTable, col);
      if (!totalCell || !partCell) continue;
      equations.add(rows, totalCell, partRows, partCell, label, col);
    }
  };

  const sy = input.schoolYear;
  const syr = input.reasons;
  const ay = input.areaYear;
  const groupsLabel = `${ALL_PUPILS} = ${GROUP_PARTS.join(' + ')}`;

  // --- school_year: index, and set A (pupil groups within a school-year).
  const syIndex = new Map<string, number>();
  const syByLaYearGroup = new Map<string, number[]>();
  /** The LA-years that have school rows at all (sets C and D need them). */
  const syLaYears = new Set<string>();
  const syByLaYearGroupPhase = new Map<string, number[]>();
  if (sy) {
    const urn = sy.text('urn');
    const year = sy.text('academic_year');
    const group = sy.text('pupil_group');
    const bySchoolYear = new Map<string, Map<string, number>>();
    for (let r = 0; r < sy.rows; r++) {
      const g = group[r] ?? '';
      if (!PUPIL_GROUPS.includes(g)) {
        out.add(RULES.inconsistent, sy.table, r + 1, 'pupil_group', g, `unknown pupil group (expected ${PUPIL_GROUPS.join(', ')})`);
        continue;
      }
      const k = key(urn[r], year[r], g);
      if (syIndex.has(k)) {
        out.add(RULES.inconsistent, sy.table, r + 1, 'pupil_group', g, `duplicate row for urn ${urn[r] ?? ''} ${year[r] ?? ''} ${g} (first at row ${(syIndex.get(k) ?? 0) + 1})`);
        continue;
      }
      syIndex.set(k, r);
      const sk = key(urn[r], year[r]);
      let groups = bySchoolYear.get(sk);
      if (!groups) bySchoolYear.set(sk, (groups = new Map()));
      groups.set(g, r);
    }
    for (const groups of bySchoolYear.values()) {
      const any = groups.values().next().value ?? 0;
      const u = urn[any] ?? '';
      const y = year[any] ?? '';
      const missing = PUPIL_GROUPS.filter((g) => !groups.has(g));
      if (missing.length) {
        out.add(RULES.inconsistent, sy.table, any + 1, 'pupil_group', '', `urn ${u} ${y} lacks the ${missing.join(', ')} row(s); every school-year has all four groups`);
      }
      const all = groups.get(ALL_PUPILS);
      if (all === undefined) continue;
      const parts = GROUP_PARTS.flatMap((g) => (groups.has(g) ? [groups.get(g) as number] : []));
      addEquations(COUNT_COLUMNS.school_year, SY, all, SY, parts, (c) => `A: urn ${u} ${y} ${c}: ${groupsLabel}`);
    }
  }

  // --- area_year: set B (pupil groups within an area-year), and the LA rows for C, D, E.
  interface LaRow { row: number; code: string; year: string; group: string; phase: string }
  const laRows: LaRow[] = [];
  /** area_year rows by area type, code, year, phase and group. */
  const areaIndex = new Map<string, number>();
  if (ay) {
    const type = ay.text('area_type');
    const code = ay.text('area_code');
    const year = ay.text('academic_year');
    const phase = ay.text('phase');
    const group = ay.text('pupil_group');
    const areaSource = ay.text('source');
    const byArea = new Map<string, Map<string, number>>();
    const seen = new Set<string>();
    for (let r = 0; r < ay.rows; r++) {
      const g = group[r] ?? '';
      if (!PUPIL_GROUPS.includes(g)) {
        out.add(RULES.inconsistent, ay.table, r + 1, 'pupil_group', g, `unknown pupil group (expected ${PUPIL_GROUPS.join(', ')})`);
        continue;
      }
      const k = key(type[r], code[r], year[r], phase[r], g);
      if (seen.has(k)) {
        out.add(RULES.inconsistent, ay.table, r + 1, 'pupil_group', g, `duplicate row for ${type[r] ?? ''} ${code[r] ?? ''} ${year[r] ?? ''} ${phase[r] ?? ''} ${g}`);
        continue;
      }
      seen.add(k);
      areaIndex.set(k, r);
      const ak = key(type[r], code[r], year[r], phase[r]);
      let groups = byArea.get(ak);
      if (!groups) byArea.set(ak, (groups = new Map()));
      groups.set(g, r);
      if (type[r] === LA_AREA_TYPE) laRows.push({ row: r, code: code[r] ?? '', year: year[r] ?? '', group: g, phase: phase[r] ?? '' });
    }
    for (const groups of byArea.values()) {
      const any = groups.values().next().value ?? 0;
      const all = groups.get(ALL_PUPILS);
      const name = `${type[any] ?? ''} ${code[any] ?? ''} ${year[any] ?? ''} phase ${phase[any] ?? ''}`;
      if (all === undefined) {
        out.add(RULES.inconsistent, ay.table, any + 1, 'pupil_group', '', `${name} has group rows but no ${ALL_PUPILS} row`);
        continue;
      }
      const parts = GROUP_PARTS.flatMap((g) => (groups.has(g) ? [groups.get(g) as number] : []));
      // An area published for all pupils only (DfE's LA-level files have no SEN split) has no
      // additive set of groups; once any group row exists, the missing ones mean zero.
      if (parts.length === 0) continue;
      // DfE's own published area figures (source `DfE: FILE`) are public already, and their groups
      // do not add up to all pupils (unclassified pupils, counts rounded to 5): no equation B there.
      if ((areaSource[all] ?? '').startsWith(DFE_SOURCE_PREFIX)) continue;
      addEquations(COUNT_COLUMNS.area_year, AY, all, AY, parts, (c) => `B: ${name} ${c}: ${groupsLabel}`);
    }
  }

  // --- the schools' phases and LAs, for the sets that add schools up to their LA.
  const schoolPhase = new Map<string, string>();
  const schoolLa = new Map<string, string>();
  if (input.schools) {
    const sUrn = column(input.schools, 'urn') ?? [];
    const sPhase = column(input.schools, 'phase') ?? [];
    const sLa = column(input.schools, 'la_code') ?? [];
    for (let r = 0; r < input.schools.rows; r++) {
      const u = sUrn[r] ?? '';
      if (schoolPhase.has(u)) {
        out.add(RULES.inconsistent, 'schools', r + 1, 'urn', u, `duplicate urn ${u}`);
        continue;
      }
      schoolPhase.set(u, sPhase[r] ?? '');
      schoolLa.set(u, sLa[r] ?? '');
    }
  }
  const laCodes = new Set(laRows.map((l) => l.code));
  const onlyLa = laCodes.size === 1 ? [...laCodes][0] : undefined;

  // --- sets C, D, E: schools within the LA-year (and within its phases), phases within the LA-year.
  if (sy && ay && laRows.length) {
    const urn = sy.text('urn');
    const year = sy.text('academic_year');
    const group = sy.text('pupil_group');
    const orphans = new Set<string>();
    for (const r of syIndex.values()) {
      const u = urn[r] ?? '';
      const phase = schoolPhase.get(u);
      if (phase === undefined && !orphans.has(u)) {
        orphans.add(u);
        out.add(RULES.inconsistent, sy.table, r + 1, 'urn', u, `urn ${u} is not in schools`);
      }
      const la = onlyLa ?? schoolLa.get(u);
      if (la === undefined) continue;
      syLaYears.add(key(la, year[r]));
      const k = key(la, year[r], group[r]);
      let list = syByLaYearGroup.get(k);
      if (!list) syByLaYearGroup.set(k, (list = []));
      list.push(r);
      if (phase !== undefined) {
        const kp = key(la, year[r], group[r], phase);
        let pl = syByLaYearGroupPhase.get(kp);
        if (!pl) syByLaYearGroupPhase.set(kp, (pl = []));
        pl.push(r);
      }
    }
    const laPhaseRows = new Map<string, LaRow[]>();
    for (const l of laRows) {
      if (l.phase === ALL_PHASES) continue;
      const k = key(l.code, l.year, l.group);
      let list = laPhaseRows.get(k);
      if (!list) laPhaseRows.set(k, (list = []));
      list.push(l);
    }
    const cols = COUNT_COLUMNS.area_year;
    for (const l of laRows) {
      const name = `LA ${l.code} ${l.year} ${l.group}`;
      // A year the release publishes for the LA as a whole but for none of its schools (DfE's LA
      // series runs on after its school-level files stop) has no additive set of schools.
      if (!syLaYears.has(key(l.code, l.year))) continue;
      if (l.phase === ALL_PHASES) {
        const parts = syByLaYearGroup.get(key(l.code, l.year, l.group)) ?? [];
        addEquations(cols, AY, l.row, SY, parts, (c) => `C: ${name} ${c}: LA total = sum of ${parts.length} schools`);
      } else {
        const parts = syByLaYearGroupPhase.get(key(l.code, l.year, l.group, l.phase)) ?? [];
        addEquations(cols, AY, l.row, SY, parts, (c) => `D: ${name} ${c}: LA ${l.phase} total = sum of ${parts.length} ${l.phase} schools`);
      }
    }
    for (const l of laRows) {
      if (l.phase !== ALL_PHASES) continue;
      const phases = laPhaseRows.get(key(l.code, l.year, l.group));
      if (!phases?.length) continue;
      addEquations(cols, AY, l.row, AY, phases.map((p) => p.row), (c) => `E: LA ${l.code} ${l.year} ${l.group} ${c}: phase All = ${phases.map((p) => p.phase).join(' + ')}`);
    }
  }

  // --- sets F (reasons within a school-year, one reason per event until 2019/20) and G (pupil
  // groups within a school-year-reason; a missing reason row is a zero).
  // The reasons table's keys, numbered (see numericKey): urn, year and reason code by row, and
  // the pupil group as its index in PUPIL_GROUPS (-1 for any other).
  const urnIds = new Dictionary();
  const yearIds = new Dictionary();
  const reasonIds = new Dictionary();
  let reasonRows: { urn: Int32Array; year: Int32Array; reason: Int32Array; group: Int8Array } | undefined;
  if (syr) {
    const urn = syr.text('urn');
    const year = syr.text('academic_year');
    const group = syr.text('pupil_group');
    const reason = syr.text('reason_code');
    reasonRows = { urn: new Int32Array(syr.rows), year: new Int32Array(syr.rows), reason: new Int32Array(syr.rows), group: new Int8Array(syr.rows) };
    for (let r = 0; r < syr.rows; r++) {
      reasonRows.urn[r] = urnIds.add(urn[r]);
      reasonRows.year[r] = yearIds.add(year[r]);
      reasonRows.reason[r] = reasonIds.add(reason[r]);
      reasonRows.group[r] = PUPIL_GROUPS.indexOf(group[r] ?? '');
    }
    const { urn: u, year: y, reason: rc, group: gi } = reasonRows;
    const familyKey = numericKey([urnIds.size, yearIds.size, reasonIds.size]);
    const groupKey = numericKey([urnIds.size, yearIds.size, PUPIL_GROUPS.length]);
    /** Rows by urn, year and group, for set F; and set G's families (urn, year, reason) in the order first met. */
    const byGroup = new Map<number | string, number[]>();
    const familyOf = new Map<number | string, number>();
    /** Per family: its first row, and its row for each pupil group (-1 for none). */
    const familyFirst: number[] = [];
    const familyRows: number[] = [];
    for (let r = 0; r < syr.rows; r++) {
      const g = gi[r]!;
      if (g < 0) {
        out.add(RULES.inconsistent, syr.table, r + 1, 'pupil_group', group[r] ?? '', `unknown pupil group (expected ${PUPIL_GROUPS.join(', ')})`);
        continue;
      }
      const rk = familyKey(u[r]!, y[r]!, rc[r]!);
      let f = familyOf.get(rk);
      if (f === undefined) {
        familyOf.set(rk, (f = familyFirst.length));
        familyFirst.push(r);
        familyRows.push(-1, -1, -1, -1);
      }
      if (familyRows[4 * f + g] !== -1) {
        out.add(RULES.inconsistent, syr.table, r + 1, 'reason_code', reason[r] ?? '', `duplicate row for urn ${urn[r] ?? ''} ${year[r] ?? ''} ${group[r] ?? ''} reason ${reason[r] ?? ''}`);
        continue;
      }
      familyRows[4 * f + g] = r;
      const gk = groupKey(u[r]!, y[r]!, g);
      let list = byGroup.get(gk);
      if (!list) byGroup.set(gk, (list = []));
      list.push(r);
    }
    // A release with no reason rows at all publishes no reasons (DfE's school-level files have
    // none): there is nothing for set F to add up. Where reasons are published they are dense, so
    // a school-year without rows among them is a school-year of zero reasons, and F holds it to that.
    if (sy && syr.rows > 0) {
      const sUrn = sy.text('urn');
      const sYear = sy.text('academic_year');
      const sGroup = sy.text('pupil_group');
      const sStart = sy.text('year_start');
      for (const r of syIndex.values()) {
        const start = startYear(sYear[r], sStart[r]);
        // Unparseable years are held to set F too: better a false alarm than a missed recovery.
        if (start >= SINGLE_REASON_UNTIL) continue;
        const su = urnIds.find(sUrn[r]);
        const sy_ = yearIds.find(sYear[r]);
        const sg = PUPIL_GROUPS.indexOf(sGroup[r] ?? '');
        const parts = su < 0 || sy_ < 0 || sg < 0 ? [] : (byGroup.get(groupKey(su, sy_, sg)) ?? []);
        addEquations(COUNT_COLUMNS.school_year_reason, SY, r, SYR, parts, (c) => `F: urn ${sUrn[r] ?? ''} ${sYear[r] ?? ''} ${sGroup[r] ?? ''} ${c}: school_year total = sum of ${parts.length} reasons (one reason per event before 2020/21)`);
      }
    }
    const all = PUPIL_GROUPS.indexOf(ALL_PUPILS);
    const partsAt = GROUP_PARTS.map((g) => PUPIL_GROUPS.indexOf(g));
    familyFirst.forEach((any, f) => {
      const rows = familyRows.slice(4 * f, 4 * f + 4);
      const parts = partsAt.filter((g) => rows[g] !== -1).map((g) => rows[g]!);
      const total = rows[all] === -1 ? undefined : rows[all];
      addEquations(COUNT_COLUMNS.school_year_reason, SYR, total, SYR, parts, (c) => `G: urn ${urn[any] ?? ''} ${year[any] ?? ''} reason ${reason[any] ?? ''} ${c}: ${groupsLabel}${total !== undefined ? '' : ` (no ${ALL_PUPILS} row: a missing row is zero)`}`);
    });
  }

  // --- sets H (years within a school's pooled period), I (pupil groups within it) and J (the
  // schools' periods add up to the LA's rows for those years, overall and by phase).
  const sp = input.period;
  if (sp) {
    const urn = sp.text('urn');
    const group = sp.text('pupil_group');
    const first = sp.text('first_year_start');
    const last = sp.text('last_year_start');
    const seen = new Map<string, number>();
    const byPeriod = new Map<string, Map<string, number>>();
    const schoolsOf = new Map<string, number[]>();
    for (let r = 0; r < sp.rows; r++) {
      const g = group[r] ?? '';
      if (!PUPIL_GROUPS.includes(g)) {
        out.add(RULES.inconsistent, sp.table, r + 1, 'pupil_group', g, `unknown pupil group (expected ${PUPIL_GROUPS.join(', ')})`);
        continue;
      }
      const k = key(urn[r], first[r], last[r], g);
      if (seen.has(k)) {
        out.add(RULES.inconsistent, sp.table, r + 1, 'pupil_group', g, `duplicate row for urn ${urn[r] ?? ''} ${first[r] ?? ''}-${last[r] ?? ''} ${g} (first at row ${(seen.get(k) ?? 0) + 1})`);
        continue;
      }
      seen.set(k, r);
      const pk = key(urn[r], first[r], last[r]);
      let groups = byPeriod.get(pk);
      if (!groups) byPeriod.set(pk, (groups = new Map()));
      groups.set(g, r);
      const from = Number(first[r]);
      const to = Number(last[r]);
      if (sy) {
        const years: number[] = [];
        for (let y = from; y <= to; y++) {
          const row = syIndex.get(key(urn[r], `${y}/${String((y + 1) % 100).padStart(2, '0')}`, g));
          if (row !== undefined) years.push(row);
        }
        addEquations(COUNT_COLUMNS.school_period, SP, r, SY, years, (c) => `H: urn ${urn[r] ?? ''} ${g} ${c}: ${from}-${to} pooled = sum of ${years.length} years`);
      }
      for (const phase of [ALL_PHASES, schoolPhase.get(urn[r] ?? '') ?? '']) {
        const la = onlyLa ?? schoolLa.get(urn[r] ?? '') ?? '';
        const sk = key(la, first[r], last[r], g, phase);
        let list = schoolsOf.get(sk);
        if (!list) schoolsOf.set(sk, (list = []));
        list.push(r);
      }
    }
    for (const groups of byPeriod.values()) {
      const all = groups.get(ALL_PUPILS);
      if (all === undefined) continue;
      const parts = GROUP_PARTS.flatMap((g) => (groups.has(g) ? [groups.get(g) as number] : []));
      addEquations(COUNT_COLUMNS.school_period, SP, all, SP, parts, (c) => `I: urn ${urn[all] ?? ''} pooled ${c}: ${groupsLabel}`);
    }
    if (ay) {
      for (const [sk, parts] of schoolsOf) {
        const [la, from, to, g, phase] = sk.split(SEP) as [string, string, string, string, string];
        const totals = laRows.filter((l) => l.code === la && l.group === g && l.phase === phase && startYear(l.year, null) >= Number(from) && startYear(l.year, null) <= Number(to)).map((l) => l.row);
        if (totals.length === 0) continue;
        addEquations(COUNT_COLUMNS.school_period, AY, totals, SP, parts, (c) => `J: LA ${la} ${g} phase ${phase} ${c}: ${from}-${to}, sum of ${totals.length} LA years = sum of ${parts.length} schools' pooled rows`);
      }
    }
  }

  // --- sets K (schools' reasons add up to the LA's), L (a breakdown's categories add up to the
  // area-year) and M (pupil groups within a breakdown category).
  const ab = input.breakdown;
  /** school_year_reason rows by LA, year, group and reason, for set K. */
  const reasonsOf = new Map<number | string, number[]>();
  const laIds = new Dictionary();
  let reasonKey: ReturnType<typeof numericKey> | undefined;
  if (ab && syr && reasonRows) {
    const urn = syr.text('urn');
    // The LA of each school, numbered once per school rather than once per row.
    const laOfUrn = [...urnIds.ids.keys()].map((u) => laIds.add(onlyLa ?? schoolLa.get(u) ?? ''));
    reasonKey = numericKey([laIds.size, yearIds.size, PUPIL_GROUPS.length, reasonIds.size]);
    const { urn: u, year: y, reason: rc, group: gi } = reasonRows;
    for (let r = 0; r < syr.rows; r++) {
      // A row of any other group is never looked for (set K asks for the four groups only).
      if (gi[r]! < 0) continue;
      const k = reasonKey(laOfUrn[u[r]!]!, y[r]!, gi[r]!, rc[r]!);
      let list = reasonsOf.get(k);
      if (!list) reasonsOf.set(k, (list = []));
      list.push(r);
    }
    void urn;
  }
  if (ab) {
    const type = ab.text('area_type');
    const code = ab.text('area_code');
    const year = ab.text('academic_year');
    const start = ab.text('year_start');
    const phase = ab.text('phase');
    const group = ab.text('pupil_group');
    const dimension = ab.text('dimension');
    const category = ab.text('category_code');
    const seen = new Set<string>();
    const byCategory = new Map<string, Map<string, number>>();
    const byDimension = new Map<string, number[]>();
    for (let r = 0; r < ab.rows; r++) {
      const g = group[r] ?? '';
      if (!PUPIL_GROUPS.includes(g) && !(g === NEED_ONLY_GROUP && dimension[r] === NEED_DIMENSION)) {
        out.add(RULES.inconsistent, ab.table, r + 1, 'pupil_group', g, `unknown pupil group (expected ${PUPIL_GROUPS.join(', ')}, or ${NEED_ONLY_GROUP} for dimension ${NEED_DIMENSION})`);
        continue;
      }
      const k = key(type[r], code[r], year[r], phase[r], g, dimension[r], category[r]);
      if (seen.has(k)) {
        out.add(RULES.inconsistent, ab.table, r + 1, 'category_code', category[r] ?? '', `duplicate row for ${type[r] ?? ''} ${code[r] ?? ''} ${year[r] ?? ''} ${phase[r] ?? ''} ${g} ${dimension[r] ?? ''} ${category[r] ?? ''}`);
        continue;
      }
      seen.add(k);
      const ck = key(type[r], code[r], year[r], phase[r], dimension[r], category[r]);
      let groups = byCategory.get(ck);
      if (!groups) byCategory.set(ck, (groups = new Map()));
      groups.set(g, r);
      const dk = key(type[r], code[r], year[r], phase[r], g, dimension[r]);
      let list = byDimension.get(dk);
      if (!list) byDimension.set(dk, (list = []));
      list.push(r);
      if (sy && syr && dimension[r] === REASON_DIMENSION && type[r] === LA_AREA_TYPE && phase[r] === ALL_PHASES) {
        const la = laIds.find(code[r]);
        const yr = yearIds.find(year[r]);
        const rc = reasonIds.find(category[r]);
        const parts = !reasonKey || la < 0 || yr < 0 || rc < 0 ? [] : (reasonsOf.get(reasonKey(la, yr, PUPIL_GROUPS.indexOf(g), rc)) ?? []);
        addEquations(COUNT_COLUMNS.school_year_reason, AB, r, SYR, parts, (c) => `K: LA ${code[r] ?? ''} ${year[r] ?? ''} ${g} reason ${category[r] ?? ''} ${c}: LA total = sum of ${parts.length} schools`);
      }
    }
    for (const groups of byCategory.values()) {
      const all = groups.get(ALL_PUPILS);
      if (all === undefined) continue;
      const parts = GROUP_PARTS.flatMap((g) => (groups.has(g) ? [groups.get(g) as number] : []));
      addEquations(COUNT_COLUMNS.area_breakdown, AB, all, AB, parts, (c) => `M: ${type[all] ?? ''} ${code[all] ?? ''} ${year[all] ?? ''} ${dimension[all] ?? ''} ${category[all] ?? ''} ${c}: ${groupsLabel}`);
    }
    if (ay) {
      for (const parts of byDimension.values()) {
        const r = parts[0] as number;
        const dim = dimension[r] ?? '';
        // SEND need rows (DfE's) add up to no area_year row: see NEED_ONLY_GROUP.
        if (group[r] === NEED_ONLY_GROUP) continue;
        // Unparseable years are held to the reason equations too, as for set F.
        if (dim === REASON_DIMENSION && startYear(year[r], start[r]) >= SINGLE_REASON_UNTIL) continue;
        const parent = areaIndex.get(key(type[r], code[r], year[r], phase[r], group[r]));
        if (parent === undefined) {
          out.add(RULES.inconsistent, ab.table, r + 1, 'dimension', dim, `no area_year row for ${type[r] ?? ''} ${code[r] ?? ''} ${year[r] ?? ''} ${phase[r] ?? ''} ${group[r] ?? ''}`);
          continue;
        }
        const columns = ADDITIVE_BY_DIMENSION[dim];
        if (!columns) {
          out.add(RULES.inconsistent, ab.table, r + 1, 'dimension', dim, `unknown dimension (expected ${Object.keys(ADDITIVE_BY_DIMENSION).join(', ')})`);
          continue;
        }
        addEquations(columns, AY, parent, AB, parts, (c) => `L: ${type[r] ?? ''} ${code[r] ?? ''} ${year[r] ?? ''} ${group[r] ?? ''} ${c}: area_year total = sum of ${parts.length} ${dim} categories`);
      }
      // Set N: the FSM category's pupils are the area-year's pupils_fsm, counted again.
      const fsmTotal = space.cellsOf(AY, 'pupils_fsm');
      const fsmPart = space.cellsOf(AB, 'pupils');
      if (fsmTotal && fsmPart) {
        for (let r = 0; r < ab.rows; r++) {
          if (dimension[r] !== 'fsm' || category[r] !== 'FSM') continue;
          const parent = areaIndex.get(key(type[r], code[r], year[r], phase[r], group[r]));
          if (parent === undefined) continue;
          equations.add([parent], fsmTotal, [r], fsmPart, () => `N: ${type[r] ?? ''} ${code[r] ?? ''} ${year[r] ?? ''} ${group[r] ?? ''}: area_year pupils_fsm = the FSM category's pupils`, 'pupils');
        }
      }
    }
  }

  // Bounds between counts as inequalities, for the ranges (bounds.ts): a reason's or term's count
  // is at most its year's (pinBoth, below), and within a row those in WITHIN_ROW.
  const atMost: BoundsSystem['atMost'] = [];
  type Pin = (fromTable: number, fromRow: number, fromCol: string, toTable: number, toRow: number, toCol: string) => void;
  const pinBoth = (pin: Pin, ft: number, fr: number, fc: string, tt: number, tr: number, tc: string) => {
    pin(ft, fr, fc, tt, tr, tc);
    const big = space.cell(ft, fr, fc);
    const small = space.cell(tt, tr, tc);
    if (big !== undefined && small !== undefined) atMost.push({ small: [[small, 1]], big: [[big, 1]], label: () => `${space.describe(small)} is at most ${space.describe(big)}` });
  };
  for (const ti of [SY, AY, SP, AB]) if (ti >= 0) atMost.push(...withinRows(space, ti));
  const bounds = boundsOf(space, [SY, AY, SP, AB], (pin) => {
    // A reason's counts are bounded by its school-year's, a term's or reason's by its area-year's.
    if (sy && syr) {
      const urn = syr.text('urn');
      const year = syr.text('academic_year');
      const group = syr.text('pupil_group');
      for (let r = 0; r < syr.rows; r++) {
        const parent = syIndex.get(key(urn[r], year[r], group[r]));
        if (parent === undefined) continue;
        for (const c of ['suspensions', 'permanent_exclusions']) pinBoth(pin, SY, parent, c, SYR, r, c);
      }
    }
    if (ay && ab) {
      const t = ['area_type', 'area_code', 'academic_year', 'phase', 'pupil_group'].map((c) => ab.text(c));
      const dimension = ab.text('dimension');
      for (let r = 0; r < ab.rows; r++) {
        const dim = dimension[r];
        if (dim !== 'term' && dim !== REASON_DIMENSION) continue;
        const parent = areaIndex.get(key(...t.map((col) => col[r])));
        if (parent === undefined) continue;
        for (const c of ['suspensions', 'permanent_exclusions', 'pupils_suspended', 'sessions_lost']) pinBoth(pin, AY, parent, c, AB, r, c);
      }
    }
  });
  equations.finish();
  const recovery = new Recovery(space, equations, bounds);
  recovery.start(out);
  if (opts.minCount !== undefined) {
    recovery.ranges = new Bounds(
      {
        size: space.size,
        unknown: (id) => space.state[id] === UNKNOWN,
        value: (id) => space.value[id] ?? 0,
        notDisclosive: (id) => NOT_DISCLOSIVE_FLAGS.includes(space.flag[id] ?? ''),
        describe: (id) => ({ ...space.locate(id), flag: space.flag[id] ?? null }),
        equations: { count: equations.length, cells: equations.cells, start: equations.start, totals: equations.totals, label: (e) => equations.label(e) },
        atMost
      },
      opts.minCount
    );
    recovery.ranges.report(out);
    // Then what the ranges cannot see, one program at a time (lp.ts): each school's rows in the
    // school tables (school-year, pooled and reasons), by URN, and each area's rows of a year in
    // the area tables (area_year and area_breakdown), which are bound the same way: a release of
    // a small LA (10 schools) gave away LA counts that only its year's tables together pin.
    const names = new Dictionary();
    const school = new Int32Array(space.size).fill(-1);
    const owner = new Int32Array(space.size).fill(-1);
    const byProgram = (ti: number, name: (t: CountTable) => (r: number) => string) => {
      if (ti < 0) return;
      const t = space.tables[ti]!;
      const of = name(t);
      const columns = COUNT_COLUMNS[t.table].flatMap((c) => space.cellsOf(ti, c) ?? []);
      for (let r = 0; r < t.rows; r++) {
        const s = names.add(of(r));
        for (const cell of columns) owner[cell(r)] = school[cell(r)] = s;
      }
    };
    const byUrn = (t: CountTable) => {
      const urn = t.text('urn');
      return (r: number) => `urn ${urn[r] ?? ''}`;
    };
    const byAreaYear = (t: CountTable) => {
      const [type, code, year] = ['area_type', 'area_code', 'academic_year'].map((c) => t.text(c));
      return (r: number) => `${type![r] ?? ''} ${code![r] ?? ''} in ${year![r] ?? ''}`;
    };
    byProgram(SY, byUrn);
    byProgram(SP, byUrn);
    byProgram(SYR, byUrn);
    byProgram(AY, byAreaYear);
    byProgram(AB, byAreaYear);
    const ranges = recovery.ranges;
    recovery.programs = new SchoolPrograms(() => ranges.view(), {
      unknown: (id) => space.state[id] === UNKNOWN,
      notDisclosive: (id) => NOT_DISCLOSIVE_FLAGS.includes(space.flag[id] ?? ''),
      describe: (id) => ({ ...space.locate(id), flag: space.flag[id] ?? null }),
      school,
      owner,
      names: [...names.ids.keys()]
    });
    recovery.programs.report(out);
  }
  return recovery;
}

/**
 * What a reader knows of any row, whatever its numbers: sum of `small` (column, factor) at most
 * sum of `big`. Pupils suspended more than once are among those suspended and had two suspensions
 * or more; a suspension is at least one session; pupils suspended, permanently excluded or eligible
 * for free school meals are among the row's pupils; no pupil loses more than 90 sessions to
 * suspensions in a year. A relation is used for a table only when every row of it with all its
 * counts published keeps it: DfE's census pupils and exclusions come from different files, so in a
 * release built from them the pupils can be fewer than those suspended, and a reader could not
 * rely on it.
 */
const WITHIN_ROW: { small: [string, number][]; big: [string, number][] }[] = [
  { small: [['pupils_repeat_suspended', 1]], big: [['pupils_suspended', 1]] },
  { small: [['pupils_suspended', 1], ['pupils_repeat_suspended', 1]], big: [['suspensions', 1]] },
  { small: [['pupils_suspended', 1]], big: [['suspensions', 1]] },
  { small: [['suspensions', 1]], big: [['sessions_lost', 1]] },
  { small: [['pupils_suspended', 1]], big: [['pupils', 1]] },
  { small: [['permanent_exclusions', 1]], big: [['pupils', 1]] },
  { small: [['pupils_fsm', 1]], big: [['pupils', 1]] },
  // The law: no pupil suspended for more than 45 school days (90 sessions) in a school year.
  { small: [['sessions_lost', 1]], big: [['pupils_suspended', 90]] }
];

function withinRows(space: CellSpace, ti: number): BoundsSystem['atMost'] {
  const out: BoundsSystem['atMost'] = [];
  const rows = space.tables[ti]!.rows;
  for (const rel of WITHIN_ROW) {
    const cols = [...rel.small, ...rel.big].map(([c]) => space.cellsOf(ti, c));
    if (cols.some((f) => f === undefined)) continue;
    const small = cols.slice(0, rel.small.length) as ((r: number) => number)[];
    const big = cols.slice(rel.small.length) as ((r: number) => number)[];
    let kept = true;
    const candidates: BoundsSystem['atMost'] = [];
    for (let r = 0; r < rows && kept; r++) {
      const s = small.map((f, i) => [f(r), rel.small[i]![1]] as [number, number]);
      const b = big.map((f, i) => [f(r), rel.big[i]![1]] as [number, number]);
      if ([...s, ...b].every(([id]) => space.state[id] !== UNKNOWN)) {
        const sum = (xs: [number, number][]) => xs.reduce((t, [id, f]) => t + f * (space.value[id] ?? 0), 0);
        if (sum(s) > sum(b)) kept = false;
        continue;
      }
      candidates.push({ small: s, big: b, label: () => `${rel.small.map(([c]) => c).join(' + ')} at most ${rel.big.map(([c]) => c).join(' + ')} in ${space.describe(s[0]![0])}` });
    }
    if (kept) out.push(...candidates);
  }
  return out;
}

/**
 * Counts that bound others (a 0 in the first makes the second 0 too, counts being never negative):
 * in a row, no pupils suspended means no suspensions, repeat suspensions or sessions lost, and no
 * suspensions no pupils suspended (not pupils: DfE's census pupils and exclusions come from
 * different files, and a group with none in the census can have exclusions). Across tables
 * (`more`), a school-year with no suspensions (or permanent exclusions) has none for any reason;
 * an area-year none in any term or for any reason. A suppressed count under a known 0 is so *told*: Recovery
 * treats it as recovered (DISCLOSURE.md, "Secondary suppression": told zeros).
 */
function boundsOf(
  space: CellSpace,
  rowTables: readonly number[],
  more: (pin: (fromTable: number, fromRow: number, fromCol: string, toTable: number, toRow: number, toCol: string) => void) => void
): Map<number, number[]> {
  const bounds = new Map<number, number[]>();
  const link = (from: number | undefined, to: number | undefined) => {
    if (from === undefined || to === undefined) return;
    let list = bounds.get(from);
    if (!list) bounds.set(from, (list = []));
    list.push(to);
  };
  const WITHIN: [string, string[]][] = [
    ['pupils_suspended', ['suspensions', 'pupils_repeat_suspended', 'sessions_lost']],
    ['suspensions', ['pupils_suspended', 'pupils_repeat_suspended', 'sessions_lost']]
  ];
  for (const ti of rowTables) {
    if (ti < 0) continue;
    const rows = space.tables[ti]!.rows;
    for (const [from, tos] of WITHIN) {
      const f = space.cellsOf(ti, from);
      if (!f) continue;
      for (const to of tos) {
        const t = space.cellsOf(ti, to);
        if (t) for (let r = 0; r < rows; r++) link(f(r), t(r));
      }
    }
  }
  more((ft, fr, fc, tt, tr, tc) => {
    if (ft >= 0 && tt >= 0) link(space.cell(ft, fr, fc), space.cell(tt, tr, tc));
  });
  return bounds;
}

/**
 * Recovery by subtraction, propagated to a fixed point: a work queue over equations keyed by their
 * count of unknown cells.
 */
/** A republish question's changes, undone once it is answered (`Recovery.republish`). */
interface Trial {
  setState: (id: number, state: number, v: number) => void;
  touched: number[];
}

export class Recovery {
  /** The ranges across every equation (set when the audit has a threshold to hold them to). */
  ranges: Bounds | null = null;
  /** The linear programs over each school's cells, after the ranges (set with them). */
  programs: SchoolPrograms | null = null;
  private readonly unknown: Int32Array;
  /** The equations each unknown cell is in: `cellEquations.list` from `start[cell]` to `start[cell + 1]`. */
  private cellEquations: { start: Int32Array; list: Int32Array } = { start: new Int32Array(1), list: new Int32Array(0) };

  constructor(
    private readonly space: CellSpace,
    private readonly equations: Equations,
    private readonly bounds: Map<number, number[]> = new Map()
  ) {
    this.unknown = new Int32Array(equations.length);
  }

  /** The full check: arithmetic of every equation, then every recovery. */
  start(out: Collector): void {
    // Told zeros first: they are known before any subtraction.
    for (const id of this.bounds.keys()) {
      if (this.space.state[id] !== UNKNOWN && this.space.value[id] === 0) this.tell(id, out, null, null);
    }
    const { queue, cellEquations } = propagateSetup(this.space, this.equations, this.unknown, out);
    this.cellEquations = cellEquations;
    this.run(queue, out, null);
  }

  /**
   * What publishing one more cell (with `value`) would give away, reported into `out`; the system
   * is left as it was. Only the equations that cell is in, and those its recoveries reach, are
   * visited, so each question costs a handful of equations, not a re-audit.
   */
  republish(table: CountTable, row: number, column: string, value: number, out: Collector, bounds: 'always' | 'if-clean' = 'always'): void {
    const ti = this.space.tables.indexOf(table);
    const cell = ti < 0 ? undefined : this.space.cell(ti, row, column);
    if (cell === undefined || this.space.state[cell] !== UNKNOWN) return;
    const undo: { cell: number; state: number; value: number }[] = [];
    const touched: number[] = [];
    const setState = (id: number, state: number, v: number) => {
      undo.push({ cell: id, state: this.space.state[id] ?? 0, value: this.space.value[id] ?? 0 });
      this.space.state[id] = state;
      this.space.value[id] = v;
    };
    const trial: Trial = { setState, touched };
    setState(cell, PUBLISHED, value);
    const queue: number[] = [];
    this.known(cell, trial, queue);
    if (value === 0) this.tell(cell, out, trial, queue);
    this.run(queue, out, trial);
    // The bounds across every equation, with this cell known: a whole pass over the system, so
    // asked only when nothing else objected when the caller needs only whether anything does.
    if (this.ranges && (bounds === 'always' || out.breaches.length === 0)) {
      const known = undo.filter((u) => u.state === UNKNOWN).map((u) => ({ id: u.cell, value: this.space.value[u.cell] ?? 0 }));
      // Then the linear programs of the schools the trial reached (the cells it made known or
      // narrowed), as the full audit runs them after the ranges: a cell suppressed only to stop
      // what a program would work out is needed too. With `if-clean`, again only while nothing
      // has objected.
      const programs = this.programs;
      this.ranges.trial(known, out, (changed) => {
        if (programs && (bounds === 'always' || out.breaches.length === 0)) programs.trial([...known.map((k) => k.id), ...changed], out);
      });
    }
    for (const eq of touched) this.unknown[eq] = (this.unknown[eq] ?? 0) + 1;
    for (let i = undo.length - 1; i >= 0; i--) {
      const u = undo[i]!;
      this.space.state[u.cell] = u.state;
      this.space.value[u.cell] = u.value;
    }
  }

  private run(queue: number[], out: Collector, trial: Trial | null): void {
    const { space, equations, unknown } = this;
    for (let head = 0; head < queue.length; head++) {
      const ei = queue[head] as number;
      if (unknown[ei] !== 1) continue;
      const cells = equations.cellsOf(ei);
      const at0 = cells.findIndex((id) => space.state[id] === UNKNOWN);
      if (at0 < 0) continue;
      const cell = cells[at0]!;
      // Its value, from the others (the totals equal the parts): a recovered 0 tells in turn.
      const nTotals = equations.totals[ei] ?? 0;
      let sumTotals = 0;
      let sumParts = 0;
      cells.forEach((id, k) => {
        if (k === at0) return;
        if (k < nTotals) sumTotals += space.value[id] ?? 0;
        else sumParts += space.value[id] ?? 0;
      });
      const v = at0 < nTotals ? sumParts - sumTotals : sumTotals - sumParts;
      this.recover(cell, v, trial);
      const flag = space.flag[cell] ?? null;
      if (flag === null || !NOT_DISCLOSIVE_FLAGS.includes(flag)) {
        // Name the earlier recoveries this one relied on, so a chain can be followed by hand.
        const used = cells.filter((id) => id !== cell && space.state[id] === RECOVERED);
        const via = used.length
          ? `; uses cell(s) recovered earlier: ${used.slice(0, 3).map((id) => space.describe(id)).join(', ')}${used.length > 3 ? ` and ${used.length - 3} more` : ''}`
          : '';
        const at = space.locate(cell);
        out.add(RULES.recoverable, at.table, at.row, at.column, flag, `${equations.label(ei)}${via}`);
      }
      this.known(cell, trial, queue);
      if (v === 0) this.tell(cell, out, trial, queue);
    }
  }

  /**
   * The suppressed counts a known 0 at `from` bounds become known (0), and so on down the bounds,
   * each reported. With `queue` (once the equations are counted), their equations lose an unknown.
   */
  private tell(from: number, out: Collector, trial: Trial | null, queue: number[] | null): void {
    const { space } = this;
    const stack = [from];
    while (stack.length > 0) {
      const d = stack.pop()!;
      for (const to of this.bounds.get(d) ?? []) {
        // Counts that do not apply (`z`) or were never available (`x`) are not hidden figures.
        if (space.state[to] !== UNKNOWN || NOT_DISCLOSIVE_FLAGS.includes(space.flag[to] ?? '')) continue;
        this.recover(to, 0, trial);
        const at = space.locate(to);
        out.add(RULES.recoverable, at.table, at.row, at.column, space.flag[to] ?? null, `told: ${space.describe(d)} is 0, and counts are never negative`);
        if (queue) this.known(to, trial, queue);
        stack.push(to);
      }
    }
  }

  /** `cell` is recovered with value `v` (in a trial, to be undone). */
  private recover(cell: number, v: number, trial: Trial | null): void {
    if (trial) trial.setState(cell, RECOVERED, v);
    else {
      this.space.state[cell] = RECOVERED;
      this.space.value[cell] = v;
    }
  }

  /** `cell` is known now: each of its equations has one unknown fewer, and one left is queued. */
  private known(cell: number, trial: Trial | null, queue: number[]): void {
    const { start, list } = this.cellEquations;
    for (let k = start[cell] ?? 0; k < (start[cell + 1] ?? 0); k++) {
      const eq = list[k]!;
      this.unknown[eq] = (this.unknown[eq] ?? 0) - 1;
      trial?.touched.push(eq);
      if (this.unknown[eq] === 1) queue.push(eq);
    }
  }
}

/**
 * Count each equation's unknown cells and check the arithmetic of its known ones; returns the
 * equations with one unknown, and for each unknown cell the equations it is in (in equation order;
 * a cell twice in one equation is listed twice), as one array indexed by cell.
 */
function propagateSetup(space: CellSpace, equations: Equations, unknown: Int32Array, out: Collector): { queue: number[]; cellEquations: { start: Int32Array; list: Int32Array } } {
  const queue: number[] = [];
  const { state, value } = space;
  const { cells, start: eqStart, totals } = equations;
  const start = new Int32Array(space.size + 1);
  for (let k = 0; k < cells.length; k++) {
    const id = cells[k]!;
    if (state[id] === UNKNOWN) start[id + 1]!++;
  }
  let cellsInEquations = 0;
  for (let c = 0; c < space.size; c++) {
    if (start[c + 1]! > 0) cellsInEquations++;
    start[c + 1]! += start[c]!;
  }
  const list = new Int32Array(start[space.size] ?? 0);
  const fill = start.slice(0, space.size);
  /** The sum of the known cells among `cells[from]` to `cells[to - 1]`, and how many are unknown (`tally`). */
  let sum = 0;
  let tally = 0;
  /** Adds up cells of equation ei, listing each unknown one for it. */
  const add = (from: number, to: number, ei: number): void => {
    sum = 0;
    tally = 0;
    for (let k = from; k < to; k++) {
      const id = cells[k]!;
      if (state[id] === UNKNOWN) {
        tally++;
        list[fill[id]!++] = ei;
      } else sum += value[id] ?? 0;
    }
  };
  // Each equation's unknown cells are listed for it in the order of its parts, then its totals.
  const n = equations.length;
  for (let ei = 0; ei < n; ei++) {
    const partsFrom = eqStart[ei]! + totals[ei]!;
    const end = eqStart[ei + 1]!;
    add(partsFrom, end, ei);
    const knownParts = sum;
    const unknownParts = tally;
    add(eqStart[ei]!, partsFrom, ei);
    const total = sum;
    const unknownTotals = tally;
    const missing = unknownParts + unknownTotals;
    unknown[ei] = missing;
    if (unknownTotals === 0) {
      if (missing === 0 && total !== knownParts) {
        reportInconsistent(space, equations, ei, out, `total ${total} but its ${end - partsFrom} parts add up to ${knownParts}`);
      } else if (missing > 0 && knownParts > total) {
        reportInconsistent(space, equations, ei, out, `total ${total} but its published parts already add up to ${knownParts}`);
      }
    }
    if (missing === 1) queue.push(ei);
  }
  if (n > 0) out.count(RULES.inconsistent, n);
  out.count(RULES.recoverable, cellsInEquations);
  return { queue, cellEquations: { start, list } };
}

function reportInconsistent(space: CellSpace, equations: Equations, e: number, out: Collector, detail: string): void {
  const cells = equations.cellsOf(e);
  const totals = cells.slice(0, equations.totals[e]);
  const parts = cells.slice(equations.totals[e]);
  const at = totals[0] ?? (parts.find((id) => space.state[id] !== UNKNOWN && space.value[id] !== 0) ?? parts[0]);
  if (at === undefined) return;
  const l = space.locate(at);
  out.add(RULES.inconsistent, l.table, l.row, l.column, space.state[at] === UNKNOWN ? '' : String(space.value[at]), `${equations.label(e)}: ${detail}`);
}
