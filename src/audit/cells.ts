/**
 * The cell rules, one row at a time (DISCLOSURE.md primary suppression and the flag conventions of
 * SCHEMA.md): small counts, small groups, events following pupils, and suppression markers.
 *
 * Counts are parsed here from the text the files hold, not trusted as typed: a count that is not a
 * whole number is itself a breach (`invalid count`), since a reader could not tell what it means.
 */
import { RULES, type Collector } from './breach';
import { column, type Grid } from './read';
import {
  COUNT_COLUMNS,
  EVENT_COLUMNS,
  FLAG_CODES,
  SMALL_COUNT_COLUMNS,
  flagColumn,
  type TableName
} from './layout';

/** A table's counts parsed: `values.get(col)[r]` is the published number, or null when NULL. */
export interface CountTable {
  table: TableName;
  rows: number;
  grid: Grid;
  values: Map<string, (number | null)[]>;
  flags: Map<string, (string | null)[]>;
  /** A text column, or all NULLs when the file lacks it (reported as `schema` elsewhere). */
  text(name: string): (string | null)[];
}

const INTEGER = /^-?[0-9]+$/;

export function toCountTable(table: TableName, grid: Grid, out: Collector): CountTable {
  const values = new Map<string, (number | null)[]>();
  const flags = new Map<string, (string | null)[]>();
  const nulls: (string | null)[] = new Array<string | null>(grid.rows).fill(null);
  for (const c of COUNT_COLUMNS[table]) {
    const raw = column(grid, c);
    if (!raw) continue;
    const parsed = raw.map((v, r) => {
      if (v === null) return null;
      if (!INTEGER.test(v.trim())) {
        out.add(RULES.invalidCount, table, r + 1, c, v, 'a count must be a whole number or NULL');
        return null;
      }
      const n = Number(v.trim());
      if (n < 0) out.add(RULES.invalidCount, table, r + 1, c, v, 'a count cannot be negative');
      return n;
    });
    out.count(RULES.invalidCount, raw.length);
    values.set(c, parsed);
    flags.set(c, column(grid, flagColumn(c)) ?? nulls);
  }
  return {
    table,
    rows: grid.rows,
    grid,
    values,
    flags,
    text: (name) => column(grid, name) ?? nulls
  };
}

/** Rule 4: NULL counts carry a known flag, published counts carry none (so a suppressed 0 cannot hide). */
export function checkMarkers(t: CountTable, out: Collector): void {
  for (const [c, vals] of t.values) {
    const flags = t.flags.get(c) ?? [];
    const fc = flagColumn(c);
    const raw = column(t.grid, c) ?? [];
    for (let r = 0; r < t.rows; r++) {
      const v = vals[r] ?? null;
      const f = flags[r] ?? null;
      const rawValue = raw[r] ?? null;
      if (rawValue !== null) {
        if (f !== null) {
          out.add(RULES.marker, t.table, r + 1, fc, f, `${c} is published (${rawValue}) but flagged "${f}": a suppressed count must be NULL, never a number${v === 0 ? ' (a suppressed 0 tells the reader it is 0)' : ''}`);
        }
      } else if (f === null) {
        out.add(RULES.marker, t.table, r + 1, c, '', `${c} is NULL without a flag in ${fc}`);
      } else if (!FLAG_CODES.includes(f)) {
        out.add(RULES.marker, t.table, r + 1, fc, f, `unknown flag "${f}" (expected one of ${FLAG_CODES.join(', ')})`);
      }
    }
    out.count(RULES.marker, t.rows);
  }
}

/**
 * The rows a check looks at: every row, or only those given (the mutation tests re-check just the
 * rows one republished cell can affect).
 */
function rowsOf(t: CountTable, rows: readonly number[] | undefined): Iterable<number> {
  if (rows) return rows;
  return { [Symbol.iterator]: function* () { for (let r = 0; r < t.rows; r++) yield r; } };
}

/** Rule 1: published counts from 1 to min_count - 1. */
export function checkSmallCounts(t: CountTable, minCount: number, out: Collector, rows?: readonly number[]): void {
  for (const c of SMALL_COUNT_COLUMNS[t.table]) {
    const vals = t.values.get(c);
    if (!vals) continue;
    for (const r of rowsOf(t, rows)) {
      const v = vals[r];
      if (v !== null && v !== undefined && v >= 1 && v < minCount) {
        out.add(RULES.smallCount, t.table, r + 1, c, v, `${c} ${v} is published; counts from 1 to ${minCount - 1} must be suppressed`);
      }
    }
    out.count(RULES.smallCount, t.rows);
  }
}

/**
 * Rule 2: a row with 1 to min_group - 1 pupils is suppressed whole, `pupils` included. `size` gives
 * the group size a row is judged by when it is not its own `pupils` (a pooled row's average, a
 * breakdown's area-year); by default each row's own pupils.
 */
export function checkSmallGroups(
  t: CountTable,
  minGroup: number,
  out: Collector,
  size: (r: number) => { pupils: number | null; threshold: number; of: string } | null = (r) => {
    const p = t.values.get('pupils')?.[r];
    return p === null || p === undefined ? null : { pupils: p, threshold: minGroup, of: '' };
  },
  rows?: readonly number[]
): void {
  if (!t.values.has('pupils')) return;
  for (const r of rowsOf(t, rows)) {
    const g = size(r);
    const p = g?.pupils;
    if (!g || p === null || p === undefined || p < 1 || p >= g.threshold) continue;
    for (const [c, vals] of t.values) {
      const v = vals[r];
      if (v === null || v === undefined) continue;
      out.add(
        RULES.smallGroup,
        t.table,
        r + 1,
        c,
        v,
        c === 'pupils' && !g.of
          ? `a group of ${p} pupils (fewer than ${g.threshold}) is published; the whole row must be suppressed`
          : `${c} is published in a group of ${p} pupils${g.of} (fewer than ${g.threshold}); the whole row must be suppressed`
      );
    }
  }
  out.count(RULES.smallGroup, t.rows);
}

/**
 * Rule 3 within a row: events are suppressed wherever `pupils_suspended` is. A row whose
 * pupils_suspended does not apply (`z`, a reason row) follows another row: checkReasonsFollowPupils.
 */
export function checkEventsFollowPupils(t: CountTable, out: Collector, rows?: readonly number[]): void {
  const followed = t.values.get('pupils_suspended');
  const followedFlag = t.flags.get('pupils_suspended') ?? [];
  if (!followed) return;
  for (const c of EVENT_COLUMNS[t.table]) {
    const vals = t.values.get(c);
    if (!vals) continue;
    for (const r of rowsOf(t, rows)) {
      if (followed[r] !== null || vals[r] === null || vals[r] === undefined || followedFlag[r] === 'z') continue;
      out.add(RULES.eventsFollow, t.table, r + 1, c, vals[r] ?? null, `${c} is published while pupils_suspended of the same row is suppressed`);
    }
    out.count(RULES.eventsFollow, t.rows);
  }
}

const key = (...parts: (string | null)[]): string => parts.map((p) => p ?? '').join('\u0001');

/** Row index of `t` by the text of its key columns (first row wins). */
export function rowIndex(t: CountTable, keys: readonly string[]): Map<string, number> {
  const cols = keys.map((k) => t.text(k));
  const index = new Map<string, number>();
  for (let r = 0; r < t.rows; r++) {
    const k = key(...cols.map((c) => c[r] ?? null));
    if (!index.has(k)) index.set(k, r);
  }
  return index;
}

/**
 * For each row of `reasons`, the row of `parent` it follows (same values of `keys`), or -1: the
 * same school, year and group in `school_year` for `school_year_reason`, the same area-year in
 * `area_year` for the reason rows of `area_breakdown`.
 */
export function parentRows(reasons: CountTable, parent: CountTable, keys: readonly string[]): Int32Array {
  // `rowIndex`'s answer, with each key column's text numbered first and the numbers combined
  // (the reasons table has 100,000+ rows: a key string per row was most of this function's time).
  const dictionaries = keys.map(() => new Map<string, number>());
  const number = (j: number, v: string | null | undefined, add: boolean): number => {
    const d = dictionaries[j]!;
    const s = v ?? '';
    let id = d.get(s);
    if (id === undefined && add) d.set(s, (id = d.size));
    return id ?? -1;
  };
  const pCols = keys.map((k) => parent.text(k));
  const pIds = pCols.map((col, j) => Int32Array.from({ length: parent.rows }, (_, r) => number(j, col[r], true)));
  const sizes = dictionaries.map((d) => Math.max(d.size, 1));
  const exact = sizes.reduce((a, n) => a * n, 1) < 2 ** 52;
  const combine = (ids: number[]): number | string => (exact ? ids.reduce((k, id, j) => k * sizes[j]! + id, 0) : ids.join(','));
  const index = new Map<number | string, number>();
  for (let r = 0; r < parent.rows; r++) {
    const k = combine(pIds.map((ids) => ids[r]!));
    if (!index.has(k)) index.set(k, r);
  }
  const rCols = keys.map((k) => reasons.text(k));
  const out = new Int32Array(reasons.rows);
  const ids = new Array<number>(keys.length);
  for (let r = 0; r < reasons.rows; r++) {
    let known = true;
    for (let j = 0; j < keys.length && known; j++) known = (ids[j] = number(j, rCols[j]![r], false)) >= 0;
    out[r] = known ? (index.get(combine(ids)) ?? -1) : -1;
  }
  return out;
}

/**
 * Rule 3 across tables: a reason row's suspensions follow `pupils_suspended`, and its permanent
 * exclusions follow `permanent_exclusions`, of its parent row (`parents`, from parentRows; `only`
 * picks the rows the rule is about, `rows` limits the check to some rows).
 */
export function checkReasonsFollowPupils(
  reasons: CountTable,
  parent: CountTable,
  out: Collector,
  parents: Int32Array,
  keys: readonly string[],
  only: (r: number) => boolean = () => true,
  rows?: readonly number[]
): void {
  const pairs: [string, string][] = [
    ['suspensions', 'pupils_suspended'],
    ['permanent_exclusions', 'permanent_exclusions']
  ];
  for (const r of rowsOf(reasons, rows)) {
    if (!only(r)) continue;
    const p = parents[r] ?? -1;
    if (p < 0) {
      const values = keys.map((k) => reasons.text(k)[r] ?? '');
      out.add(RULES.inconsistent, reasons.table, r + 1, keys[0] ?? '', values[0] ?? null, `no ${parent.table} row for ${values.join(' ')}`);
      continue;
    }
    for (const [event, follows] of pairs) {
      const v = reasons.values.get(event)?.[r];
      if (v === null || v === undefined) continue;
      if ((parent.values.get(follows)?.[p] ?? null) === null) {
        out.add(RULES.eventsFollow, reasons.table, r + 1, event, v, `${event} is published while ${follows} of ${parent.table} row ${p + 1} (${keys.join(', ')} the same) is suppressed`);
      }
    }
    out.count(RULES.eventsFollow, pairs.length);
  }
}
