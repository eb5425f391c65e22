/**
 * Adding counts up honestly: combined pupil groups (SEND = EHC plan + SEN support) and pooled
 * groups of schools (similar schools, the funnel's target).
 *
 * Two rules, both from the data contract: a sum is published only when every part of it is (a
 * partial sum would understate the figure, and a suppressed part must not be recoverable from it);
 * and a pooled rate is the summed count over the summed pupils (never an average of rates, which
 * would give a 30-pupil school the weight of a 1,500-pupil one).
 */
import type { SuppressionCode } from '$lib/data/schema';

export interface Cell {
  value: number | null;
  /** Why `value` is NULL (the published `_flag`); null when published. */
  flag: SuppressionCode | null;
}

/**
 * The sum of cells when all are published; else NULL with the most telling reason: `c` when any
 * part was withheld to protect pupils, else the first part's own flag (`x` not available, `z` not
 * applicable). No parts at all is "not available".
 */
export function sumCells(cells: readonly Cell[]): Cell {
  if (cells.length === 0) return { value: null, flag: 'x' };
  if (cells.every((c) => c.value !== null)) return { value: cells.reduce((s, c) => s + c.value!, 0), flag: null };
  if (cells.some((c) => c.value === null && (c.flag === 'c' || c.flag === 'low'))) return { value: null, flag: 'c' };
  return { value: null, flag: cells.find((c) => c.value === null)?.flag ?? 'x' };
}

export interface PooledCounts {
  count: number;
  pupils: number;
  /** Units (schools) whose count and pupils were both published and went into the pool. */
  included: number;
  /** Units left out because one of their two figures was not published. */
  excluded: number;
}

/**
 * Pool units whose count and pupils are both published: Σ count / Σ pupils is their rate. Units
 * with either figure missing are left out (and counted, so a page can say how many); NULL when
 * none is left.
 */
export function poolCounts(units: readonly { count: number | null; pupils: number | null }[]): PooledCounts | null {
  let count = 0;
  let pupils = 0;
  let included = 0;
  for (const u of units) {
    if (u.count === null || u.pupils === null) continue;
    count += u.count;
    pupils += u.pupils;
    included++;
  }
  if (included === 0) return null;
  return { count, pupils, included, excluded: units.length - included };
}

/** Rate per 100 from counts; NULL unless both are published and pupils > 0. */
export function ratePer100(count: number | null, pupils: number | null): number | null {
  return count === null || pupils === null || !(pupils > 0) ? null : (count / pupils) * 100;
}
