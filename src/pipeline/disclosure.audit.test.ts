// The suppressor judged by the independent audit (src/audit), which shares none of its code:
// - property: any random extract, once through the pipeline, passes the audit;
// - mutation: publishing any single suppressed cell again (with its true value) makes the audit
//   fail, so nothing is suppressed that need not be, and nothing is left recoverable;
// - cells that need no protection are published.
import fc from 'fast-check';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRelease, auditTables, formatBreach, parseCsv, prepareRepublish, withoutColumn, type AuditTableName, type Breach, type Grid } from '../audit/audit';
import { generateDemo } from './demo/generate';
import { AuditFailed, runPipeline } from './run';

const NO_SUPPRESSION = path.resolve('tests/fixtures/config-no-suppression.json');
const TABLES: AuditTableName[] = ['schools', 'school_year', 'school_year_reason', 'school_period', 'area_year', 'area_breakdown'];
const COUNTS = ['pupils', 'suspensions', 'pupils_suspended', 'pupils_repeat_suspended', 'permanent_exclusions', 'sessions_lost', 'pupils_fsm'];

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'disclosure-audit-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function grids(dir: string): Promise<Map<AuditTableName, Grid>> {
  const out = new Map<AuditTableName, Grid>();
  for (const t of TABLES) out.set(t, withoutColumn(parseCsv(await readFile(path.join(dir, `${t}.csv`), 'utf8')), 'dataset'));
  return out;
}

interface Cell {
  table: AuditTableName;
  row: number;
  column: string;
  truth: string;
}

/** Every cell suppressed in `published`, with its true value from the same rows unsuppressed. */
function suppressedCells(published: Map<AuditTableName, Grid>, truth: Map<AuditTableName, Grid>): Cell[] {
  const cells: Cell[] = [];
  for (const [table, grid] of published) {
    const raw = truth.get(table)!;
    expect(raw.rows).toBe(grid.rows);
    for (const column of COUNTS) {
      const i = grid.names.indexOf(column);
      const f = grid.names.indexOf(`${column}_flag`);
      if (i < 0) continue;
      grid.columns[i]!.forEach((v, r) => {
        if (v === null && grid.columns[f]![r] === 'c') cells.push({ table, row: r, column, truth: raw.columns[raw.names.indexOf(column)]![r]! });
      });
    }
  }
  return cells;
}

/** The release with one cell published again: its true value, its flag cleared. */
function unsuppress(published: Map<AuditTableName, Grid>, cell: Cell): Map<AuditTableName, Grid> {
  const grid = published.get(cell.table)!;
  const i = grid.names.indexOf(cell.column);
  const f = grid.names.indexOf(`${cell.column}_flag`);
  const columns = [...grid.columns];
  columns[i] = [...grid.columns[i]!];
  columns[f] = [...grid.columns[f]!];
  columns[i]![cell.row] = cell.truth;
  columns[f]![cell.row] = null;
  return new Map(published).set(cell.table, { ...grid, columns });
}

async function releasePair(name: string, input: string): Promise<{ published: Map<AuditTableName, Grid>; truth: Map<AuditTableName, Grid> }> {
  const stagingRoot = path.join(tmp, 'staging');
  await runPipeline({ input, out: path.join(tmp, `${name}-published`), stagingRoot });
  await runPipeline({ input, out: path.join(tmp, `${name}-truth`), stagingRoot, config: NO_SUPPRESSION });
  return { published: await grids(path.join(tmp, `${name}-published`)), truth: await grids(path.join(tmp, `${name}-truth`)) };
}

const THRESHOLDS = { minCount: 5, minGroup: 10 };

/**
 * Cells whose re-publication the audit did not catch, less the one case it cannot see by design:
 * a count in a group of 1 to 9 pupils whose pupil count is itself suppressed. Such a group is
 * suppressed whole (a published 0 would say something about every pupil in it), but with the
 * group's size hidden nothing published tells the audit that the group is small. (A pooled row's
 * group is small at up to 9 pupils a year: up to 9 x the years it pools.) A term's or reason's
 * breakdown row has no pupil count of its own (`pupils` is `z`): it takes its group's, from the
 * LA's all-phase row of that year and group. (A random extract of a school or two has LA-wide
 * groups that small; the demo never has.) Nothing is excused in the reasons table, which has no
 * pupil count either: the audit holds each reason to its school-year group there.
 */
function unexplained(survivors: Cell[], published: Map<AuditTableName, Grid>, truth: Map<AuditTableName, Grid>): Cell[] {
  const value = (grid: Grid, column: string, row: number) => grid.columns[grid.names.indexOf(column)]![row] ?? null;
  /** The first row of a table of the truth with these values. */
  const rowOf = (table: AuditTableName, match: Record<string, string | null>) => {
    const grid = truth.get(table)!;
    for (let r = 0; r < grid.rows; r++) if (Object.entries(match).every(([k, v]) => value(grid, k, r) === v)) return r;
    return -1;
  };
  return survivors.filter((c) => {
    const raw = truth.get(c.table)!;
    let group = { table: c.table, row: c.row };
    if (c.table === 'area_breakdown' && value(raw, 'pupils', c.row) === null) {
      group = { table: 'area_year', row: rowOf('area_year', { area_type: 'LA', academic_year: value(raw, 'academic_year', c.row), phase: 'All', pupil_group: value(raw, 'pupil_group', c.row) }) };
    }
    const pub = published.get(group.table)!;
    const sizes = truth.get(group.table)!;
    if (group.row < 0 || !pub.names.includes('pupils')) return true;
    const hidden = value(pub, 'pupils', group.row) === null;
    const size = Number(value(sizes, 'pupils', group.row));
    const years = group.table === 'school_period' ? Number(value(sizes, 'last_year_start', group.row)) - Number(value(sizes, 'first_year_start', group.row)) + 1 : 1;
    return !(hidden && size >= 1 && size <= (THRESHOLDS.minGroup - 1) * years);
  });
}

/** The cells whose publication the audit (asked one cell at a time) does not object to. */
function survivorsOf(published: Map<AuditTableName, Grid>, cells: Cell[]): Cell[] {
  const audit = prepareRepublish(published, THRESHOLDS);
  expect(audit.baseline.map(formatBreach)).toEqual([]);
  return cells.filter((c) => audit.republish(c.table, c.row, c.column, Number(c.truth), 'if-clean').length === 0);
}

describe("an area's year as a linear program", () => {
  // A council of 10 schools (the generator's seed 3): its LA counts are small too, and without a
  // program over each area's year (area_year and area_breakdown) the release gave away 29 LA counts
  // that the ranges and the schools' programs all passed (e.g. its 2018/19 pupils suspended more than
  // once in one phase and group, worked out as 9). The audit must see it, and the suppressor must not leave it.
  it('the audit refuses the release without them, and the release with them passes', async () => {
    const input = path.join(tmp, 'area-extract');
    await generateDemo({ outDir: input, schools: 10, seed: 3 });
    const stagingRoot = path.join(tmp, 'staging');
    const without = runPipeline({ input, out: path.join(tmp, 'area-without'), stagingRoot, withoutAreaPrograms: true, log: () => {} });
    const failed = await without.then(() => null, (e: unknown) => e);
    expect(failed).toBeInstanceOf(AuditFailed);
    const breaches = (failed as AuditFailed).breaches;
    expect(breaches.length).toBeGreaterThan(0);
    // Every breach is one only an area's program sees: the rest of the release is as sound as ever.
    for (const b of breaches) expect(b).toMatch(/^area_(year|breakdown)\.csv:\d+ \w+: recoverable — .* by combining the equations and bounds of the rows of LA 990 in \d{4}\/\d{2} \(linear programming over \d+ constraints\)/);
    await expect(runPipeline({ input, out: path.join(tmp, 'area-with'), stagingRoot, log: () => {} })).resolves.toBeDefined();
  }, 300_000);
});

describe('mutation: every suppressed cell is needed', () => {
  let small: { published: Map<AuditTableName, Grid>; truth: Map<AuditTableName, Grid> };
  beforeAll(async () => {
    const input = path.join(tmp, 'small-extract');
    await generateDemo({ outDir: input, schools: 10, seed: 7 });
    await writeFile(
      path.join(input, 'comparators.csv'),
      'area_type,area_code,area_name,academic_year,phase,pupil_group,pupils,suspensions,pupils_suspended,permanent_exclusions\n'
    );
    small = await releasePair('small', input);
  }, 300_000);

  it('asks the audit one cell at a time and gets the answers a full re-audit gives', () => {
    // The incremental questions are only worth trusting if they agree with re-auditing the whole
    // release: a deterministic spread of cells over every table, breach for breach.
    const cells = suppressedCells(small.published, small.truth);
    const audit = prepareRepublish(small.published, THRESHOLDS);
    const step = Math.max(1, Math.floor(cells.length / 150));
    const sample = cells.filter((_, i) => i % step === 0);
    expect(new Set(sample.map((c) => c.table)).size).toBeGreaterThanOrEqual(5);
    // Which equation gave a cell away first, or narrowed its range last, depends on the order the
    // propagation went in (from the start, or from the one cell): the cell, the rule, the value
    // and any range worked out are what must agree, not the path the words name.
    const same = (b: Breach) => `${formatBreach({ ...b, detail: /worked out as \d+|narrowed to \d+ to \d+/.exec(b.detail)?.[0] ?? '' })}`;
    for (const c of sample) {
      const full = auditTables(unsuppress(small.published, c), THRESHOLDS).map(same).sort();
      const asked = audit.republish(c.table, c.row, c.column, Number(c.truth)).map(same).sort();
      expect(asked, `${c.table}.csv:${c.row + 1} ${c.column}`).toEqual(full);
    }
    // And it left the release as it was.
    expect(audit.republish(sample[0]!.table, sample[0]!.row, sample[0]!.column, Number(sample[0]!.truth))).not.toEqual([]);
    expect(auditTables(small.published, THRESHOLDS)).toEqual([]);
  }, 300_000);

  it('on a small generated dataset (10 schools, 8 years, no comparators), publishing any one suppressed cell breaks the audit (every cell)', () => {
    const cells = suppressedCells(small.published, small.truth);
    expect(cells.length).toBeGreaterThan(1000);
    expect(unexplained(survivorsOf(small.published, cells), small.published, small.truth)).toEqual([]);
  });

  it('on the demo dataset, publishing any one suppressed cell breaks the audit (every cell)', async () => {
    const input = path.join(tmp, 'demo-extract');
    await generateDemo({ outDir: input });
    const { published, truth } = await releasePair('demo', input);
    const cells = suppressedCells(published, truth);
    const tables = new Set(cells.map((c) => c.table));
    expect([...tables].sort()).toEqual(['area_breakdown', 'area_year', 'school_period', 'school_year', 'school_year_reason']);
    expect(cells.length).toBeGreaterThan(100_000);
    expect(unexplained(survivorsOf(published, cells), published, truth)).toEqual([]);
  }, 600_000);
});

/** A school of a random extract: its phase, the years it has pupils in, and how its pupils fare. */
const randomSchool = fc.record({
  phase: fc.constantFrom('Primary', 'Secondary', 'Special', 'Alternative provision'),
  years: fc.subarray([0, 1, 2, 3, 4, 5], { minLength: 1 }),
  // Tiny groups as often as larger ones: they are where suppression has the most to do.
  ehc: fc.oneof(fc.nat({ max: 12 }), fc.nat({ max: 60 })),
  support: fc.oneof(fc.nat({ max: 12 }), fc.nat({ max: 120 })),
  none: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 300 })),
  suspendedShare: fc.double({ min: 0, max: 0.5, noNaN: true }),
  permShare: fc.double({ min: 0, max: 0.08, noNaN: true }),
  extra: fc.nat({ max: 4 }),
  fsmShare: fc.double({ min: 0, max: 0.6, noNaN: true }),
  salt: fc.nat({ max: 1000 })
});
type RandomSchool = typeof randomSchool extends fc.Arbitrary<infer T> ? T : never;

const RANDOM_YEARS = [
  ['2017/18', '2017-10-02'],
  ['2018/19', '2018-10-01'],
  ['2019/20', '2019-11-04'],
  ['2020/21', '2020-10-05'],
  ['2021/22', '2021-10-04'],
  ['2022/23', '2022-10-03']
] as const;
const RANDOM_NEEDS = ['ASD', 'SLCN', 'SEMH', 'MLD', 'SPLD', 'PD', 'HI'];
const REASONS_TO_2019 = ['PP', 'PA', 'VP', 'VA', 'BU', 'RA', 'SM', 'DA', 'DM', 'TH', 'PD', 'OT'];
const REASONS_FROM_2020 = [...REASONS_TO_2019, 'LG', 'DS', 'MT', 'OM'];

/**
 * An extract of these schools in `dir`: pupils in every group, need and FSM status, suspensions
 * (one or two reasons from 2020/21, one before) and permanent exclusions, in years before and
 * after the change of reasons; no comparators.
 */
async function writeRandomExtract(dir: string, schools: RandomSchool[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const s = ['urn,laestab,name,phase,type,status,la_code,la_name,region'];
  const p = ['academic_year,pupil_ref,urn,year_group,sen_provision,primary_need,fsm'];
  const e = ['academic_year,pupil_ref,urn,category,start_date,sessions,reason_1,reason_2,reason_3'];
  schools.forEach((sc, i) => {
    const urn = String(900100 + i);
    s.push(`${urn},990${String(2100 + i)},School ${i},${sc.phase},Academy,Open,990,Randomshire,South West`);
    for (const y of sc.years) {
      const [year, date] = RANDOM_YEARS[y]!;
      const reasons = Number(year.slice(0, 4)) >= 2020 ? REASONS_FROM_2020 : REASONS_TO_2019;
      let k = 0;
      for (const [code, count] of [['E', sc.ehc], ['K', sc.support], ['N', sc.none]] as const) {
        for (let j = 0; j < count; j++) {
          const ref = `R${urn}${year.slice(2, 4)}${String(k++).padStart(4, '0')}`;
          const yg = sc.phase === 'Primary' ? String(1 + (j % 6)) : sc.phase === 'Secondary' ? String(7 + (j % 5)) : String(1 + (j % 11));
          const need = code === 'N' ? '' : RANDOM_NEEDS[(j * 7 + sc.salt) % RANDOM_NEEDS.length]!;
          const fsm = ((j * 13 + sc.salt) % 100) / 100 < sc.fsmShare ? 1 : 0;
          p.push(`${year},${ref},${urn},${yg},${code},${need},${fsm}`);
          // Where in the group this pupil falls, differently each year: pupils with SEND are
          // suspended more often than others, as in the real data.
          const frac = ((j * 37 + sc.salt + y * 11) % 101) / 101;
          if (frac < sc.suspendedShare * (code === 'N' ? 0.4 : 1.5)) {
            for (let x = 0; x <= (j + sc.salt) % (sc.extra + 1); x++) {
              const first = reasons[(j + x + sc.salt) % reasons.length]!;
              const second = reasons === REASONS_FROM_2020 && (j + x) % 3 === 0 ? reasons[(j + x + sc.salt + 1) % reasons.length]! : '';
              e.push(`${year},${ref},${urn},SUSP,${date},${1 + ((j + x) % 9)},${first},${second},`);
            }
          }
          if (1 - frac < sc.permShare) e.push(`${year},${ref},${urn},PERM,${date},,${REASONS_TO_2019[(j + sc.salt) % REASONS_TO_2019.length]},,`);
        }
      }
    }
  });
  await writeFile(path.join(dir, 'schools.csv'), s.join('\n') + '\n');
  await writeFile(path.join(dir, 'pupils.csv'), p.join('\n') + '\n');
  await writeFile(path.join(dir, 'exclusions.csv'), e.join('\n') + '\n');
  await writeFile(
    path.join(dir, 'comparators.csv'),
    'area_type,area_code,area_name,academic_year,phase,pupil_group,pupils,suspensions,pupils_suspended,permanent_exclusions\n'
  );
}

describe('property: random extracts always pass the audit after suppression', () => {
  it('holds for 20 random extracts', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(randomSchool, { minLength: 1, maxLength: 8 }), async (schools) => {
        const dir = path.join(tmp, `random-${n++}`);
        await writeRandomExtract(dir, schools);
        const out = path.join(dir, 'published');
        // runPipeline runs the audit itself and throws on a breach; check again from outside.
        await runPipeline({ input: dir, out, stagingRoot: path.join(tmp, 'staging') });
        expect(await auditRelease(out, { ...THRESHOLDS, extractDir: dir })).toEqual([]);
      }),
      { numRuns: 20, seed: 20241124 }
    );
  }, 300_000);

  it('on 12 random extracts, publishing any one suppressed cell breaks the audit (every cell)', async () => {
    let n = 0;
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(randomSchool, { minLength: 1, maxLength: 6 }), async (schools) => {
        const dir = path.join(tmp, `random-mutation-${n++}`);
        await writeRandomExtract(dir, schools);
        const { published, truth } = await releasePair(`random-mutation-${n}`, dir);
        const cells = suppressedCells(published, truth);
        checked += cells.length;
        expect(unexplained(survivorsOf(published, cells), published, truth)).toEqual([]);
      }),
      {
        numRuns: 12,
        seed: 20261207,
        // One school, one year, a pupil on SEN support and one with no SEN: LA-wide groups of one
        // pupil, whose term and reason rows (with no pupil count of their own) once looked like
        // suppression that was not needed.
        examples: [[[{ phase: 'Primary', years: [5], ehc: 0, support: 1, none: 1, suspendedShare: 0, permShare: 0, extra: 0, fsmShare: 0, salt: 0 }]]]
      }
    );
    expect(checked).toBeGreaterThan(1000);
  }, 300_000);
});

describe('cells needing no protection are published', () => {
  it('publishes every cell of large groups with counts of 5 or more', async () => {
    const dir = path.join(tmp, 'large');
    await mkdir(dir, { recursive: true });
    const p = ['academic_year,pupil_ref,urn,year_group,sen_provision,primary_need,fsm'];
    const e = ['academic_year,pupil_ref,urn,category,start_date,sessions,reason_1,reason_2,reason_3'];
    for (const [code, need, n] of [
      ['E', 'ASD', 40],
      ['K', 'SEMH', 80],
      ['N', '', 300]
    ] as const) {
      for (let j = 0; j < n; j++) {
        const ref = `L${code}${String(j).padStart(5, '0')}`;
        p.push(`2022/23,${ref},900200,${7 + (j % 5)},${code},${need},0`);
        if (j < 10) e.push(`2022/23,${ref},900200,SUSP,2022-11-07,2,PD,,`);
        if (j >= 10 && j < 16) e.push(`2022/23,${ref},900200,PERM,2023-01-09,,PA,,`);
      }
    }
    await writeFile(path.join(dir, 'schools.csv'), 'urn,laestab,name,phase,type,status,la_code,la_name,region\n900200,9904200,Big School,Secondary,Academy,Open,990,Bigshire,South West\n');
    await writeFile(path.join(dir, 'pupils.csv'), p.join('\n') + '\n');
    await writeFile(path.join(dir, 'exclusions.csv'), e.join('\n') + '\n');
    await writeFile(path.join(dir, 'comparators.csv'), 'area_type,area_code,area_name,academic_year,phase,pupil_group,pupils,suspensions,pupils_suspended,permanent_exclusions\n');
    const m = await runPipeline({ input: dir, out: path.join(dir, 'published'), stagingRoot: path.join(tmp, 'staging') });
    expect(m.disclosure.cells_suppressed).toEqual({ small_count: 0, small_group: 0, follows_pupils: 0, secondary: 0, source: 0 });
    const sy = await readFile(path.join(dir, 'published', 'school_year.csv'), 'utf8');
    expect(sy).not.toMatch(/,c(,|\n)/);
  });
});
