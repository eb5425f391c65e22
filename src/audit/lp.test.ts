// Tests of the linear programs over each school's cells (lp.ts): what they work out that the
// ranges (bounds.ts) cannot, that they keep quiet where the ranges they find are wide, and that the
// mutation tests' "what if this cell were published" sees what they would work out.
import { describe, expect, it } from 'vitest';
import { auditTables, formatBreach, parseCsv, prepareRepublish, type AuditTableName, type Breach } from './audit';
import { Bounds, type BoundsSystem } from './bounds';
import { Collector } from './breach';
import { SchoolPrograms } from './lp';

const OPTS = { minCount: 5, minGroup: 10 };

/**
 * One school of the synthetic demo release (URN 918396, as published before the suppressor knew of
 * linear programs): its 2023/24 No SEN pupils suspended more than once are suppressed, and no
 * equation or range gives them away, but together the pupil groups adding up to All pupils, the
 * pooled 2021/22 to 2023/24 rows adding up over the years, and within each row the pupils
 * suspended and those suspended more than once being at most the suspensions, leave them exactly 2.
 */
const SCHOOL_YEAR = [
  'urn,academic_year,year_start,pupil_group,pupils,pupils_flag,suspensions,suspensions_flag,pupils_suspended,pupils_suspended_flag,pupils_repeat_suspended,pupils_repeat_suspended_flag,permanent_exclusions,permanent_exclusions_flag,sessions_lost,sessions_lost_flag,pupils_fsm,pupils_fsm_flag',
  '918396,2016/17,2016,All pupils,574,,15,,8,,6,,,c,66,,149,',
  '918396,2016/17,2016,EHC plan,11,,0,,0,,0,,0,,0,,5,',
  '918396,2016/17,2016,No SEN,494,,,c,,c,,c,,c,,c,111,',
  '918396,2016/17,2016,SEN support,69,,,c,,c,,c,0,,,c,33,',
  '918396,2017/18,2017,All pupils,579,,5,,5,,0,,0,,22,,143,',
  '918396,2017/18,2017,EHC plan,,c,,c,,c,,c,,c,,c,,c',
  '918396,2017/18,2017,No SEN,513,,,c,,c,0,,0,,,c,113,',
  '918396,2017/18,2017,SEN support,,c,,c,,c,,c,,c,,c,,c',
  '918396,2018/19,2018,All pupils,578,,18,,7,,5,,0,,102,,142,',
  '918396,2018/19,2018,EHC plan,,c,,c,,c,,c,,c,,c,,c',
  '918396,2018/19,2018,No SEN,519,,,c,,c,,c,0,,,c,116,',
  '918396,2018/19,2018,SEN support,,c,,c,,c,,c,,c,,c,,c',
  '918396,2019/20,2019,All pupils,568,,12,,7,,,c,0,,64,,146,',
  '918396,2019/20,2019,EHC plan,,c,,c,,c,,c,,c,,c,,c',
  '918396,2019/20,2019,No SEN,509,,,c,,c,,c,0,,,c,121,',
  '918396,2019/20,2019,SEN support,,c,,c,,c,,c,,c,,c,,c',
  '918396,2020/21,2020,All pupils,575,,6,,6,,0,,0,,20,,151,',
  '918396,2020/21,2020,EHC plan,,c,,c,,c,,c,,c,,c,,c',
  '918396,2020/21,2020,No SEN,512,,5,,5,,0,,0,,17,,122,',
  '918396,2020/21,2020,SEN support,,c,,c,,c,,c,,c,,c,,c',
  '918396,2021/22,2021,All pupils,566,,10,,5,,,c,,c,32,,150,',
  '918396,2021/22,2021,EHC plan,,c,,c,,c,,c,,c,,c,,c',
  '918396,2021/22,2021,No SEN,494,,,c,,c,0,,0,,,c,118,',
  '918396,2021/22,2021,SEN support,,c,,c,,c,,c,,c,,c,,c',
  '918396,2022/23,2022,All pupils,554,,23,,10,,5,,,c,102,,159,',
  '918396,2022/23,2022,EHC plan,,c,0,,0,,0,,0,,0,,7,',
  '918396,2022/23,2022,No SEN,485,,,c,,c,,c,0,,,c,126,',
  '918396,2022/23,2022,SEN support,,c,,c,,c,,c,,c,,c,26,',
  '918396,2023/24,2023,All pupils,546,,28,,10,,7,,0,,134,,163,',
  '918396,2023/24,2023,EHC plan,10,,,c,,c,,c,0,,,c,6,',
  '918396,2023/24,2023,No SEN,472,,7,,5,,,c,0,,36,,127,',
  '918396,2023/24,2023,SEN support,64,,,c,,c,,c,0,,,c,30,',
];
const SCHOOL_PERIOD = [
  'urn,period,first_year_start,last_year_start,pupil_group,pupils,pupils_flag,suspensions,suspensions_flag,pupils_suspended,pupils_suspended_flag,permanent_exclusions,permanent_exclusions_flag,sessions_lost,sessions_lost_flag',
  '918396,2021/22 to 2023/24,2021,2023,All pupils,1666,,61,,25,,,c,268,',
  '918396,2021/22 to 2023/24,2021,2023,EHC plan,,c,,c,,c,,c,,c',
  '918396,2021/22 to 2023/24,2021,2023,No SEN,1451,,,c,,c,0,,,c',
  '918396,2021/22 to 2023/24,2021,2023,SEN support,,c,35,,12,,,c,172,',
];
/** 0-based data row of the 2023/24 All pupils row, whose repeat suspensions (7) pin the No SEN ones. */
const ALL_2023 = SCHOOL_YEAR.findIndex((l) => l.includes(',2023/24,2023,All pupils,')) - 1;
const NO_SEN_2023 = SCHOOL_YEAR.findIndex((l) => l.includes(',2023/24,2023,No SEN,')) - 1;

/** The school's tables, with `hide` (0-based school_year rows and columns) suppressed too. */
function release(hide: { row: number; column: string }[] = []): Map<AuditTableName, ReturnType<typeof parseCsv>> {
  const names = SCHOOL_YEAR[0]!.split(',');
  const rows = SCHOOL_YEAR.map((line, i) => {
    const cells = line.split(',');
    for (const h of hide) {
      if (h.row !== i - 1) continue;
      const at = names.indexOf(h.column);
      cells[at] = '';
      cells[at + 1] = 'c';
    }
    return cells.join(',');
  });
  return new Map<AuditTableName, ReturnType<typeof parseCsv>>([
    ['school_year', parseCsv(rows.join('\n') + '\n')],
    ['school_period', parseCsv(SCHOOL_PERIOD.join('\n') + '\n')]
  ]);
}

const byProgram = (b: Breach) => b.detail.includes('(linear programming');

describe('rule 5: linear programs over a school\'s cells', () => {
  it('work out a suppressed count that the ranges leave wide', () => {
    const breaches = auditTables(release(), OPTS);
    // Reported by the programs alone: the ranges report what they find first, and a cell they
    // report is not reported again, so a breach in these words is one the ranges did not see.
    expect(breaches.map(formatBreach)).toEqual([
      expect.stringMatching(/^school_year\.csv:\d+ pupils_repeat_suspended: recoverable — worked out as 2 by combining the equations and bounds of the rows of urn 918396 \(linear programming over \d+ constraints\)/)
    ]);
    expect(breaches[0]).toMatchObject({ table: 'school_year', row: NO_SEN_2023 + 1, column: 'pupils_repeat_suspended', value: 'c' });
  });

  it('keep quiet once one more cell is suppressed and the range is wide again', () => {
    expect(auditTables(release([{ row: ALL_2023, column: 'pupils_repeat_suspended' }]), OPTS).map(formatBreach)).toEqual([]);
  });

  it('are asked when the mutation tests ask what publishing one more cell would give away', () => {
    const republisher = prepareRepublish(release([{ row: ALL_2023, column: 'pupils_repeat_suspended' }]), OPTS);
    expect(republisher.baseline).toEqual([]);
    // Neither subtraction nor the ranges object to publishing it: the program of its school does.
    for (const mode of ['if-clean', 'always'] as const) {
      const breaches = republisher.republish('school_year', ALL_2023, 'pupils_repeat_suspended', 7, mode);
      expect(breaches.map(formatBreach), mode).toEqual([expect.stringContaining('worked out as 2')]);
      expect(breaches.every(byProgram)).toBe(true);
      expect(breaches[0]).toMatchObject({ row: NO_SEN_2023 + 1, column: 'pupils_repeat_suspended' });
    }
    // The question leaves the release as it was.
    expect(republisher.republish('school_year', ALL_2023, 'pupils_repeat_suspended', 6, 'if-clean').length).toBeGreaterThanOrEqual(0);
    expect(auditTables(release([{ row: ALL_2023, column: 'pupils_repeat_suspended' }]), OPTS)).toEqual([]);
  });
});

/**
 * The bounds and programs over a hand-made system: cells 0 to n-1 of one school, equations given
 * as lists of cells with their total (all known), and the propagation run first, as the audit does.
 */
function system(n: number, equations: { cells: number[]; total: number }[]) {
  const cells: number[] = [];
  const start = [0];
  const totals: number[] = [];
  // Each equation's total is a known cell (ids n and up), then its parts.
  const value = new Map<number, number>();
  equations.forEach((e, k) => {
    value.set(n + k, e.total);
    cells.push(n + k, ...e.cells);
    start.push(cells.length);
    totals.push(1);
  });
  const size = n + equations.length;
  const sys: BoundsSystem = {
    size,
    unknown: (id) => id < n,
    value: (id) => value.get(id) ?? 0,
    notDisclosive: () => false,
    describe: (id) => ({ table: 'school_year', row: id + 1, column: 'suspensions', flag: 'c' }),
    equations: { count: equations.length, cells: Int32Array.from(cells), start: Int32Array.from(start), totals: Int32Array.from(totals), label: (e) => `equation ${e}` },
    atMost: []
  };
  const bounds = new Bounds(sys, OPTS.minCount);
  const school = new Int32Array(size).fill(-1).fill(0, 0, n);
  const programs = new SchoolPrograms(() => bounds.view(), { ...sys, school, owner: school, names: ['900001'] });
  return { bounds, programs };
}

describe('SchoolPrograms', () => {
  it('works out x = y = z = 2 from x + y = y + z = x + z = 4, which the ranges leave at 0 to 4', () => {
    const { bounds, programs } = system(3, [
      { cells: [0, 1], total: 4 },
      { cells: [1, 2], total: 4 },
      { cells: [0, 2], total: 4 }
    ]);
    const ranges = new Collector();
    bounds.report(ranges);
    expect(ranges.breaches).toEqual([]);
    const out = new Collector();
    programs.report(out);
    expect(out.breaches.map((b) => [b.row, /worked out as \d+/.exec(b.detail)?.[0]])).toEqual([
      [1, 'worked out as 2'],
      [2, 'worked out as 2'],
      [3, 'worked out as 2']
    ]);
  });

  it('reports nothing where the range is wide, in a few solves', () => {
    // x = z, y = 10 - x: each anywhere from 0 to 10.
    const { programs } = system(3, [
      { cells: [0, 1], total: 10 },
      { cells: [1, 2], total: 10 }
    ]);
    const out = new Collector();
    programs.report(out);
    expect(out.breaches).toEqual([]);
    expect(programs.stats.programs).toBe(1);
    expect(programs.stats.solves).toBeLessThanOrEqual(3);
  });

  it('in a trial, sees what a cell made known gives away, then puts everything back', () => {
    // x + y = 4, y + z = 4, x + z + w = 8: w = 2y, all safe; with w known as 4, x = y = z = 2.
    const { bounds, programs } = system(4, [
      { cells: [0, 1], total: 4 },
      { cells: [1, 2], total: 4 },
      { cells: [0, 2, 3], total: 8 }
    ]);
    const base = new Collector();
    bounds.report(base);
    programs.report(base);
    expect(base.breaches).toEqual([]);
    const out = new Collector();
    bounds.trial([{ id: 3, value: 4 }], out, (changed) => programs.trial([3, ...changed], out));
    expect(out.breaches.map((b) => [b.row, /worked out as \d+/.exec(b.detail)?.[0]])).toEqual([
      [1, 'worked out as 2'],
      [2, 'worked out as 2'],
      [3, 'worked out as 2']
    ]);
    const after = new Collector();
    programs.report(after);
    expect(after.breaches).toEqual([]);
  });
});
