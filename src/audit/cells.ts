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

/** Rule 1: published counts from 1 to min_count - 1. */
export function checkSmallCounts(t: CountTable, minCount: number, out: Collector): void {
  for (const c of SMALL_COUNT_COLUMNS[t.table]) {
    const vals = t.values.get(c);
    if (!vals) continue;
    for (let r = 0; r < t.rows; r++) {
      const v = vals[r];
      if (v !== null && v !== undefined && v >= 1 && v < minCount) {
        out.add(RULES.smallCount, t.table, r + 1, c, v, `${c} ${v} is published; counts from 1 to ${minCount - 1} must be suppressed`);
      }
    }
    out.count(RULES.smallCount, t.rows);
  }
}

/** Rule 2: a row with 1 to min_group - 1 pupils is suppressed whole, `pupils` included. */
export function checkSmallGroups(t: CountTable, minGroup: number, out: Collector): void {
  const pupils = t.values.get('pupils');
  if (!pupils) return;
  for (let r = 0; r < t.rows; r++) {
    const p = pupils[r];
    if (p === null || p === undefined || p < 1 || p >= minGroup) continue;
    for (const [c, vals] of t.values) {
      const v = vals[r];
      if (v === null || v === undefined) continue;
      out.add(
        RULES.smallGroup,
        t.table,
        r + 1,
        c,
        v,
        c === 'pupils'
          ? `a group of ${p} pupils (fewer than ${minGroup}) is published; the whole row must be suppressed`
          : `${c} is published in a group of ${p} pupils (fewer than ${minGroup}); the whole row must be suppressed`
      );
    }
  }
  out.count(RULES.smallGroup, t.rows);
}

/** Rule 3 within a row: events are suppressed wherever `pupils_suspended` is. */
export function checkEventsFollowPupils(t: CountTable, out: Collector): void {
  const followed = t.values.get('pupils_suspended');
  if (!followed) return;
  for (const c of EVENT_COLUMNS[t.table]) {
    const vals = t.values.get(c);
    if (!vals) continue;
    for (let r = 0; r < t.rows; r++) {
      if (followed[r] !== null || vals[r] === null || vals[r] === undefined) continue;
      out.add(RULES.eventsFollow, t.table, r + 1, c, vals[r] ?? null, `${c} is published while pupils_suspended of the same row is suppressed`);
    }
    out.count(RULES.eventsFollow, t.rows);
  }
}

const key = (...parts: (string | null)[]): string => parts.map((p) => p ?? '').join('\u0001');

/**
 * Rule 3 across tables: a reason row's suspensions follow `pupils_suspended`, and its permanent
 * exclusions follow `permanent_exclusions`, of the same school, year and group in `school_year`.
 */
export function checkReasonsFollowPupils(reasons: CountTable, schoolYear: CountTable, out: Collector): void {
  const index = new Map<string, number>();
  const urn = schoolYear.text('urn');
  const year = schoolYear.text('academic_year');
  const group = schoolYear.text('pupil_group');
  for (let r = 0; r < schoolYear.rows; r++) {
    const k = key(urn[r] ?? null, year[r] ?? null, group[r] ?? null);
    if (!index.has(k)) index.set(k, r);
  }
  const rUrn = reasons.text('urn');
  const rYear = reasons.text('academic_year');
  const rGroup = reasons.text('pupil_group');
  const pairs: [string, string][] = [
    ['suspensions', 'pupils_suspended'],
    ['permanent_exclusions', 'permanent_exclusions']
  ];
  for (let r = 0; r < reasons.rows; r++) {
    const sy = index.get(key(rUrn[r] ?? null, rYear[r] ?? null, rGroup[r] ?? null));
    if (sy === undefined) {
      out.add(RULES.inconsistent, reasons.table, r + 1, 'urn', rUrn[r] ?? null, `no school_year row for urn ${rUrn[r] ?? ''} ${rYear[r] ?? ''} ${rGroup[r] ?? ''}`);
      continue;
    }
    for (const [event, follows] of pairs) {
      const v = reasons.values.get(event)?.[r];
      if (v === null || v === undefined) continue;
      if ((schoolYear.values.get(follows)?.[sy] ?? null) === null) {
        out.add(RULES.eventsFollow, reasons.table, r + 1, event, v, `${event} is published while ${follows} of school_year row ${sy + 1} (same school, year and group) is suppressed`);
      }
    }
    out.count(RULES.eventsFollow, pairs.length);
  }
}
