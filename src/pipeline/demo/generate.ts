/**
 * Demo dataset v1: writes a complete, clearly synthetic pupil-level extract for a fictional LA
 * ("Wessex", code 990, South West) in the same format a council would supply (data/SCHEMA.md).
 *
 * Why it exists: the dashboard has to be built, tested, benchmarked and shown to people without
 * any real pupil data, and a demo that looks wrong (flat trends, rates nothing like England's,
 * every school alike) would hide the bugs and mislead the people judging it. So the data is
 * calibrated to DfE's published figures (calibration.ts), simulated as real cohorts
 * (population.ts), and its exclusions are allocated so the LA-wide rates hit their targets in
 * every year and group (exclusions.ts).
 *
 * Same seed => byte-identical files: every random draw comes from seeded streams (prng.ts),
 * nothing reads the clock, and every file is written in a fixed sort order.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkDemoDir, DEMO_FILES } from '../out-dir';
import { besideTemp, uninterrupted } from '../temp';
import { calibrationTarget, PUPIL_GROUPS, YEARS, type AcademicYear, type PupilGroup } from './calibration';
import { schoolDays } from './calendar';
import { buildComparators, COMPARATOR_PHASES, type ComparatorRow } from './comparators';
import { CsvWriter, csvLine } from './csv';
import { allocateYear, type ExclusionEvent } from './exclusions';
import { NEIGHBOURS } from './names';
import { NEEDS, Population, SEN_CODES } from './population';
import { Rng } from './prng';
import { buildSchools, LA, YEAR_GROUP_LABELS } from './schools';

export { calibrationTarget } from './calibration';
export type { AcademicYear, Measure, PupilGroup } from './calibration';

export const DEFAULT_SEED = 20240901;
export const DEFAULT_SCHOOLS = 250;
export const MIN_SCHOOLS = 10;
export const MAX_SCHOOLS = 1000;
export const GENERATOR = 'demo-v1';
export const SYNTHETIC_LABEL = 'SYNTHETIC DEMO DATA – fictional pupils, schools and local authority';

export interface DemoOptions {
  outDir: string;
  seed?: number;
  schools?: number;
}

export interface GroupYearTotals {
  pupils: number;
  suspensions: number;
  pupilsSuspended: number;
  permanentExclusions: number;
}

export interface DemoSummary {
  outDir: string;
  seed: number;
  schools: number;
  years: AcademicYear[];
  /** Data rows (header excluded) per file. */
  files: { 'schools.csv': number; 'pupils.csv': number; 'exclusions.csv': number; 'comparators.csv': number };
  /** LA-wide counts by year and pupil group, as written. */
  totals: Record<AcademicYear, Record<PupilGroup, GroupYearTotals>>;
  /** Wall-clock time of the run (not written to any file, so it cannot break determinism). */
  elapsedMs: number;
}

export const FILE_HEADERS = {
  schools: ['urn', 'laestab', 'name', 'phase', 'type', 'status', 'la_code', 'la_name', 'region', 'trust'],
  pupils: ['academic_year', 'pupil_ref', 'urn', 'year_group', 'sen_provision', 'primary_need', 'fsm'],
  exclusions: ['academic_year', 'pupil_ref', 'urn', 'category', 'start_date', 'sessions', 'reason_1', 'reason_2', 'reason_3'],
  comparators: ['area_type', 'area_code', 'area_name', 'academic_year', 'phase', 'pupil_group', 'pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions']
} as const;

function checkOptions(opts: DemoOptions): { seed: number; schools: number } {
  const seed = opts.seed ?? DEFAULT_SEED;
  const schools = opts.schools ?? DEFAULT_SCHOOLS;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be a whole number from 0 to 4294967295 (got ${seed})`);
  if (!Number.isInteger(schools) || schools < MIN_SCHOOLS || schools > MAX_SCHOOLS) {
    throw new RangeError(`schools must be a whole number from ${MIN_SCHOOLS} to ${MAX_SCHOOLS} (got ${schools})`);
  }
  if (!opts.outDir) throw new RangeError('outDir is required');
  return { seed, schools };
}

const cmp = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Generate the demo extract into opts.outDir (created if needed). The five files of an earlier
 * demo there are overwritten; any other extract's files make it refuse (out-dir.ts). They are
 * written into a folder beside it and moved in only once all five are complete (extract.json, which
 * marks the folder as the demo's, last), so an interrupted run leaves the folder as it was.
 */
export async function generateDemo(opts: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const { seed, schools } = checkOptions(opts);
  const outDir = opts.outDir;
  await checkDemoDir(outDir);
  const { dir: work, done: kept } = besideTemp(outDir);
  try {
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    const summary = await writeDemo(work, seed, schools);
    await mkdir(outDir, { recursive: true });
    await uninterrupted(async () => {
      for (const f of [...DEMO_FILES.filter((f) => f !== 'extract.json'), 'extract.json']) await rename(path.join(work, f), path.join(outDir, f));
    });
    return { ...summary, outDir, elapsedMs: Math.round(performance.now() - started) };
  } finally {
    await rm(work, { recursive: true, force: true });
    kept();
  }
}

async function writeDemo(outDir: string, seed: number, schoolCount: number): Promise<DemoSummary> {
  const started = performance.now();

  const schools = buildSchools(seed, schoolCount);
  const population = new Population(schools, seed);
  const exclusionRng = Rng.derive(seed, 'exclusions');
  const propensityRng = Rng.derive(seed, 'school-propensity');

  // School propensity drifts a little from year to year (new heads, new policies) around its level.
  const drift = new Float64Array(schools.length).map(() => 0.15 * propensityRng.normal());

  const pupilsOut = await CsvWriter.create(path.join(outDir, 'pupils.csv'), FILE_HEADERS.pupils);
  const exclusionLines: { key: string; line: string }[] = [];
  const totals = {} as DemoSummary['totals'];
  let permPrev = new Set<number>();

  for (let yi = 0; yi < YEARS.length; yi++) {
    const year = YEARS[yi] as AcademicYear;
    const startYear = 2016 + yi;
    if (yi === 0) population.initialise();
    else population.advance(yi, permPrev);
    const snap = population.snapshot();

    if (yi > 0) for (let s = 0; s < drift.length; s++) drift[s] = 0.7 * (drift[s] as number) + 0.15 * propensityRng.normal();
    const logProp = new Float64Array(schools.length);
    for (const s of schools) logProp[s.index] = s.logPropensity + (drift[s.index] as number);

    const result = allocateYear({
      snap,
      startYear,
      schools,
      pupils: population.pupils,
      schoolLogPropensity: logProp,
      days: schoolDays(startYear),
      rng: exclusionRng
    });
    permPrev = result.permExcluded;
    totals[year] = result.totals;

    for (let i = 0; i < snap.n; i++) {
      const p = population.pupils[snap.pupil[i] as number];
      const s = schools[snap.school[i] as number];
      if (!p || !s) throw new Error('internal: snapshot row without pupil or school');
      const need = snap.need[i] as number;
      // Every field here is a code, a number or a generated reference (never a comma or a
      // quote), so the row is joined directly: this file has close to a million rows.
      await pupilsOut.line(
        `${year},${p.ref},${s.urn},${YEAR_GROUP_LABELS[snap.yg[i] as number]},${SEN_CODES[snap.sen[i] as number]},${need >= 0 ? NEEDS[need] : ''},${snap.fsm[i] as number}\n`
      );
    }

    for (const e of result.events as ExclusionEvent[]) {
      const p = population.pupils[snap.pupil[e.row] as number];
      const s = schools[snap.school[e.row] as number];
      if (!p || !s) throw new Error('internal: event without pupil or school');
      exclusionLines.push({
        key: `${year}|${s.urn}|${e.iso}|${p.ref}|${e.category}`,
        line: csvLine([year, p.ref, s.urn, e.category, e.iso, e.sessions, e.reasons[0], e.reasons[1], e.reasons[2]])
      });
    }
  }
  await pupilsOut.close();

  exclusionLines.sort((a, b) => cmp(a.key, b.key));
  const exclusionsOut = await CsvWriter.create(path.join(outDir, 'exclusions.csv'), FILE_HEADERS.exclusions);
  for (const e of exclusionLines) await exclusionsOut.line(e.line);
  await exclusionsOut.close();

  const schoolsOut = await CsvWriter.create(path.join(outDir, 'schools.csv'), FILE_HEADERS.schools);
  for (const s of [...schools].sort((a, b) => cmp(a.urn, b.urn))) {
    await schoolsOut.line(csvLine([s.urn, s.laestab, s.name, s.phase, s.type, 'Open', LA.code, LA.name, LA.region, s.trust ?? '']));
  }
  await schoolsOut.close();

  const areaOrder = { England: 0, Region: 1, Neighbour: 2 } as const;
  const groupOrder = (g: ComparatorRow['pupil_group']): number => (g === 'All pupils' ? 3 : PUPIL_GROUPS.indexOf(g));
  const comparators = buildComparators(seed).sort(
    (a, b) =>
      areaOrder[a.area_type] - areaOrder[b.area_type] ||
      cmp(a.area_code, b.area_code) ||
      cmp(a.academic_year, b.academic_year) ||
      COMPARATOR_PHASES.indexOf(a.phase) - COMPARATOR_PHASES.indexOf(b.phase) ||
      groupOrder(a.pupil_group) - groupOrder(b.pupil_group)
  );
  const comparatorsOut = await CsvWriter.create(path.join(outDir, 'comparators.csv'), FILE_HEADERS.comparators);
  for (const r of comparators) {
    await comparatorsOut.line(
      csvLine([r.area_type, r.area_code, r.area_name, r.academic_year, r.phase, r.pupil_group, r.pupils, r.suspensions, r.pupils_suspended, r.permanent_exclusions])
    );
  }
  await comparatorsOut.close();

  const files = {
    'schools.csv': schoolsOut.rows,
    'pupils.csv': pupilsOut.rows,
    'exclusions.csv': exclusionsOut.rows,
    'comparators.csv': comparatorsOut.rows
  };
  const manifest = {
    synthetic: true,
    label: SYNTHETIC_LABEL,
    generator: GENERATOR,
    seed,
    la: { code: LA.code, name: LA.name, region: LA.region },
    neighbours: [...NEIGHBOURS].sort((a, b) => cmp(a.code, b.code)).map((n) => ({ code: n.code, name: n.name })),
    years: [...YEARS],
    files
  };
  await writeFile(path.join(outDir, 'extract.json'), JSON.stringify(manifest, null, 2) + '\n', 'utf8');

  return { outDir, seed, schools: schools.length, years: [...YEARS], files, totals, elapsedMs: Math.round(performance.now() - started) };
}

/** Realised LA-wide rate per 100 pupils next to its calibration target, for summaries. */
export function realisedVsTarget(summary: DemoSummary, year: AcademicYear): { group: PupilGroup; measure: string; realised: number; target: number }[] {
  const out: { group: PupilGroup; measure: string; realised: number; target: number }[] = [];
  for (const g of PUPIL_GROUPS) {
    const t = summary.totals[year][g];
    const rate = (n: number): number => (t.pupils > 0 ? (100 * n) / t.pupils : 0);
    out.push({ group: g, measure: 'suspension', realised: rate(t.suspensions), target: calibrationTarget(year, g, 'suspension') });
    out.push({ group: g, measure: 'one_plus_suspension', realised: rate(t.pupilsSuspended), target: calibrationTarget(year, g, 'one_plus_suspension') });
    out.push({ group: g, measure: 'permanent_exclusion', realised: rate(t.permanentExclusions), target: calibrationTarget(year, g, 'permanent_exclusion') });
  }
  return out;
}
