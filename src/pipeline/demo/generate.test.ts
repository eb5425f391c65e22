/**
 * Tests of the demo generator: that it is reproducible, that it hits its calibration in every
 * year and pupil group, and that the files it writes obey the data contract (data/SCHEMA.md).
 *
 * Every check reads the written CSV files back with a small independent parser rather than
 * trusting the generator's own summary, so a bug in how events are written (wrong URN, wrong
 * year, a lost row) fails here even if the allocation itself was right.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrationTarget, MEASURES, PUPIL_GROUPS, YEARS, type Measure, type PupilGroup } from './calibration';
import { OutputRefused } from '../out-dir';
import { parseArgs, UsageError } from './cli';
import { DEFAULT_SCHOOLS, FILE_HEADERS, generateDemo, type DemoSummary } from './generate';

const FILES = ['schools.csv', 'pupils.csv', 'exclusions.csv', 'comparators.csv', 'extract.json'] as const;
const tempDirs: string[] = [];

async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `demo-${label}-`));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const d of tempDirs) await rm(d, { recursive: true, force: true });
});

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** RFC 4180 parsing (quoted fields with doubled quotes), with a fast path for lines without quotes. */
function parseLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

interface Csv {
  header: string[];
  rows: string[][];
  raw: string;
}

async function readCsv(dir: string, name: string): Promise<Csv> {
  const raw = await readFile(path.join(dir, name), 'utf8');
  const lines = raw.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const [head, ...body] = lines;
  return { header: parseLine(head ?? ''), rows: body.map(parseLine), raw };
}

/** Column accessor by header name, failing loudly on a missing column. */
function columns<T extends string>(csv: Csv, names: readonly T[]): Record<T, number> {
  const idx = {} as Record<T, number>;
  for (const n of names) {
    const i = csv.header.indexOf(n);
    if (i < 0) throw new Error(`missing column ${n}`);
    idx[n] = i;
  }
  return idx;
}

describe('determinism', () => {
  it('writes byte-identical files for the same seed, and different bytes for another seed', async () => {
    const [a, b, c] = [await tempDir('a'), await tempDir('b'), await tempDir('c')];
    await generateDemo({ outDir: a, seed: 42, schools: 30 });
    await generateDemo({ outDir: b, seed: 42, schools: 30 });
    await generateDemo({ outDir: c, seed: 43, schools: 30 });
    for (const f of FILES) {
      expect(await sha256(path.join(b, f)), f).toBe(await sha256(path.join(a, f)));
    }
    for (const f of ['schools.csv', 'pupils.csv', 'exclusions.csv', 'comparators.csv', 'extract.json']) {
      expect(await sha256(path.join(c, f)), f).not.toBe(await sha256(path.join(a, f)));
    }
  }, 60_000);

  it('rejects bad options instead of guessing', async () => {
    const dir = await tempDir('bad');
    await expect(generateDemo({ outDir: dir, schools: 3 })).rejects.toThrow(/schools/);
    await expect(generateDemo({ outDir: dir, seed: -1 })).rejects.toThrow(/seed/);
    await expect(generateDemo({ outDir: dir, seed: 1.5 })).rejects.toThrow(/seed/);
  });

  it('writes over an earlier demo, but never over a council\u2019s extract', async () => {
    const dir = await tempDir('over');
    await generateDemo({ outDir: dir, seed: 42, schools: 30 });
    await generateDemo({ outDir: dir, seed: 43, schools: 30 });
    expect(JSON.parse(await readFile(path.join(dir, 'extract.json'), 'utf8')).seed).toBe(43);

    const council = await tempDir('council');
    await writeFile(path.join(council, 'pupils.csv'), 'the council\u2019s pupils\n');
    await expect(generateDemo({ outDir: council, seed: 42, schools: 30 })).rejects.toThrow(OutputRefused);
    expect(await readdir(council)).toEqual(['pupils.csv']);
    expect(await readFile(path.join(council, 'pupils.csv'), 'utf8')).toBe('the council\u2019s pupils\n');
  }, 60_000);
});

describe('cli arguments', () => {
  it('parses the documented flags', () => {
    expect(parseArgs(['--out', 'x', '--seed', '7', '--schools=40'])).toEqual({ out: 'x', seed: 7, schools: 40 });
    expect(parseArgs(['--help']).help).toBe(true);
  });
  it('refuses unknown, repeated, missing and malformed flags', () => {
    for (const argv of [['--seed', '1'], ['--out'], ['--out', 'x', '--sed', '1'], ['--out', 'x', '--seed', 'abc'], ['--out', 'x', '--schools', '5'], ['--out', 'x', '--out', 'y'], ['x']]) {
      expect(() => parseArgs(argv), argv.join(' ')).toThrow(UsageError);
    }
  });
});

describe('calibration constants', () => {
  it('starts from the published 2016/17 national rates by SEN provision', () => {
    // No SEN has an LA factor of 1: its 2016/17 targets are the national figures themselves.
    expect(calibrationTarget('2016/17', 'No SEN', 'suspension')).toBeCloseTo(3.06, 10);
    expect(calibrationTarget('2016/17', 'No SEN', 'one_plus_suspension')).toBeCloseTo(1.63, 10);
    expect(calibrationTarget('2016/17', 'No SEN', 'permanent_exclusion')).toBeCloseTo(0.06, 10);
    expect(calibrationTarget('2016/17', 'EHC plan', 'suspension')).toBeCloseTo(15.93 * 1.3, 10);
  });
  it('follows the national trend: a COVID dip, then a steep rise', () => {
    const s = (y: string): number => calibrationTarget(y, 'No SEN', 'suspension');
    expect(s('2019/20')).toBeLessThan(s('2018/19'));
    expect(s('2020/21')).toBeLessThan(s('2018/19'));
    expect(s('2023/24')).toBeGreaterThan(2 * s('2016/17'));
    expect(() => calibrationTarget('2030/31', 'No SEN', 'suspension')).toThrow(RangeError);
  });
});

describe('the default demo', () => {
  let dir = '';
  let summary: DemoSummary;
  let schools: Csv;
  let pupils: Csv;
  let exclusions: Csv;
  let comparators: Csv;
  /** year -> pupil_ref -> [urn, sen_provision, year_group] */
  const roll = new Map<string, Map<string, [string, string, string]>>();

  beforeAll(async () => {
    dir = await tempDir('full');
    summary = await generateDemo({ outDir: dir });
    [schools, pupils, exclusions, comparators] = await Promise.all(['schools.csv', 'pupils.csv', 'exclusions.csv', 'comparators.csv'].map((f) => readCsv(dir, f))) as [Csv, Csv, Csv, Csv];
    const c = columns(pupils, ['academic_year', 'pupil_ref', 'urn', 'sen_provision', 'year_group']);
    for (const r of pupils.rows) {
      const y = r[c.academic_year] as string;
      let m = roll.get(y);
      if (!m) roll.set(y, (m = new Map()));
      m.set(r[c.pupil_ref] as string, [r[c.urn] as string, r[c.sen_provision] as string, r[c.year_group] as string]);
    }
  }, 180_000);

  // How long it takes is for a benchmark to say, not a unit test on a shared machine.
  it('is the right size', () => {
    expect(pupils.rows.length).toBeGreaterThan(700_000);
    expect(pupils.rows.length).toBeLessThan(900_000);
  });

  it('writes the documented headers, UTF-8 without BOM, \\n line ends', async () => {
    for (const [csv, header] of [
      [schools, FILE_HEADERS.schools],
      [pupils, FILE_HEADERS.pupils],
      [exclusions, FILE_HEADERS.exclusions],
      [comparators, FILE_HEADERS.comparators]
    ] as const) {
      expect(csv.header).toEqual([...header]);
      expect(csv.raw.charCodeAt(0)).not.toBe(0xfeff);
      expect(csv.raw.includes('\r')).toBe(false);
      expect(csv.raw.endsWith('\n')).toBe(true);
      for (const r of csv.rows.slice(0, 2000)) expect(r.length).toBe(header.length);
    }
    const manifest = JSON.parse(await readFile(path.join(dir, 'extract.json'), 'utf8'));
    expect(manifest).toMatchObject({ synthetic: true, generator: 'demo-v1', seed: 20240901, la: { code: '990', name: 'Wessex', region: 'South West' } });
    expect(manifest.label).toMatch(/SYNTHETIC/);
    expect(manifest.years).toEqual([...YEARS]);
    expect(manifest.neighbours).toHaveLength(10);
    expect(manifest.files).toEqual({
      'schools.csv': schools.rows.length,
      'pupils.csv': pupils.rows.length,
      'exclusions.csv': exclusions.rows.length,
      'comparators.csv': comparators.rows.length
    });
  });

  it('realises the calibration targets within 15% for every year, group and measure', () => {
    const groupOf: Record<string, PupilGroup> = { E: 'EHC plan', K: 'SEN support', N: 'No SEN' };
    const c = columns(exclusions, ['academic_year', 'pupil_ref', 'category']);
    const counts = new Map<string, { pupils: number; suspensions: number; suspended: Set<string>; perm: number }>();
    const key = (y: string, g: PupilGroup): string => `${y}|${g}`;
    for (const y of YEARS) for (const g of PUPIL_GROUPS) counts.set(key(y, g), { pupils: 0, suspensions: 0, suspended: new Set(), perm: 0 });
    for (const [y, m] of roll) for (const [, [, sen]] of m) (counts.get(key(y, groupOf[sen] as PupilGroup)) as { pupils: number }).pupils++;
    for (const r of exclusions.rows) {
      const y = r[c.academic_year] as string;
      const ref = r[c.pupil_ref] as string;
      const sen = roll.get(y)?.get(ref)?.[1];
      if (!sen) throw new Error(`event for a pupil not on roll: ${y} ${ref}`);
      const cell = counts.get(key(y, groupOf[sen] as PupilGroup));
      if (!cell) throw new Error('unknown group');
      if (r[c.category] === 'SUSP') {
        cell.suspensions++;
        cell.suspended.add(ref);
      } else cell.perm++;
    }
    const failures: string[] = [];
    const table: string[] = [];
    for (const y of YEARS) {
      for (const g of PUPIL_GROUPS) {
        const cell = counts.get(key(y, g));
        if (!cell || cell.pupils === 0) {
          failures.push(`${y} ${g}: no pupils`);
          continue;
        }
        const realised: Record<Measure, number> = {
          suspension: (100 * cell.suspensions) / cell.pupils,
          one_plus_suspension: (100 * cell.suspended.size) / cell.pupils,
          permanent_exclusion: (100 * cell.perm) / cell.pupils
        };
        for (const m of MEASURES) {
          const target = calibrationTarget(y, g, m);
          const rel = Math.abs(realised[m] / target - 1);
          table.push(`${y} ${g} ${m}: ${realised[m].toFixed(3)} vs ${target.toFixed(3)}`);
          if (!(rel <= 0.15)) failures.push(`${y} ${g} ${m}: realised ${realised[m].toFixed(4)}, target ${target.toFixed(4)} (${(rel * 100).toFixed(1)}% off)`);
        }
      }
    }
    expect(table).toHaveLength(YEARS.length * 9);
    expect(failures).toEqual([]);
  });

  it('has about 250 schools of every phase, identifiers of the right shape, rolls of 30 to 1,800', () => {
    const c = columns(schools, ['urn', 'laestab', 'phase', 'type', 'status', 'la_code', 'la_name', 'region', 'name']);
    expect(schools.rows).toHaveLength(DEFAULT_SCHOOLS);
    const phases = new Set(schools.rows.map((r) => r[c.phase]));
    expect([...phases].sort()).toEqual(['All-through', 'Alternative provision', 'Primary', 'Secondary', 'Special']);
    expect(new Set(schools.rows.map((r) => r[c.type]))).toEqual(new Set(['Academy', 'Maintained', 'Free school', 'Pupil referral unit']));
    expect(new Set(schools.rows.map((r) => r[c.urn])).size).toBe(DEFAULT_SCHOOLS);
    expect(new Set(schools.rows.map((r) => r[c.name])).size).toBe(DEFAULT_SCHOOLS);
    for (const r of schools.rows) {
      expect(r[c.urn]).toMatch(/^9\d{5}$/);
      expect(r[c.laestab]).toMatch(/^990\d{4}$/);
      expect([r[c.status], r[c.la_code], r[c.la_name], r[c.region]]).toEqual(['Open', '990', 'Wessex', 'South West']);
    }
    const rollSize = new Map<string, number>();
    const p = columns(pupils, ['academic_year', 'urn']);
    for (const r of pupils.rows) {
      const k = `${r[p.academic_year]}|${r[p.urn]}`;
      rollSize.set(k, (rollSize.get(k) ?? 0) + 1);
    }
    expect(rollSize.size).toBe(DEFAULT_SCHOOLS * YEARS.length);
    const sizes = [...rollSize.values()];
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(30);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1800);
  });

  it('writes valid pupil rows: one school per pupil per year, codes from the DfE lists', () => {
    const c = columns(pupils, ['academic_year', 'pupil_ref', 'year_group', 'sen_provision', 'primary_need', 'fsm']);
    const urns = new Set(schools.rows.map((r) => r[0]));
    const needs = new Set(['ASD', 'SEMH', 'SLCN', 'MLD', 'SPLD', 'SLD', 'PMLD', 'PD', 'HI', 'VI', 'MSI', 'OTH', 'NSA']);
    const yearGroups = new Set(['R', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13']);
    let perYear = 0;
    for (const m of roll.values()) perYear += m.size;
    expect(perYear).toBe(pupils.rows.length); // no pupil twice in a year
    let bad = 0;
    for (const r of pupils.rows) {
      const [sen, need] = [r[c.sen_provision] as string, r[c.primary_need] as string];
      const ok =
        /^20\d\d\/\d\d$/.test(r[c.academic_year] as string) &&
        /^P[0-9A-Z]{9}$/.test(r[c.pupil_ref] as string) &&
        urns.has(r[2]) &&
        yearGroups.has(r[c.year_group] as string) &&
        (r[c.fsm] === '0' || r[c.fsm] === '1') &&
        (sen === 'N' ? need === '' : sen === 'E' ? needs.has(need) && need !== 'NSA' : sen === 'K' && needs.has(need));
      if (!ok) bad++;
    }
    expect(bad).toBe(0);
  });

  it('follows cohorts: most pupils move up one year group at the same school', () => {
    let followed = 0;
    let total = 0;
    for (let i = 0; i + 1 < YEARS.length; i++) {
      const now = roll.get(YEARS[i] as string);
      const next = roll.get(YEARS[i + 1] as string);
      if (!now || !next) throw new Error('missing year');
      for (const [ref, [urn, , yg]] of now) {
        if (yg === 'R' || !['1', '2', '3', '4', '5', '8', '9'].includes(yg)) continue;
        total++;
        const n = next.get(ref);
        if (n && n[0] === urn && n[2] === String(Number(yg) + 1)) followed++;
      }
    }
    expect(followed / total).toBeGreaterThan(0.9);
    // SEN status is mostly persistent: EHC plans hardly ever lapse from one year to the next.
    const a = roll.get('2021/22');
    const b = roll.get('2022/23');
    let ehc = 0;
    let kept = 0;
    for (const [ref, [, sen]] of a ?? []) {
      const n = b?.get(ref);
      if (sen === 'E' && n) {
        ehc++;
        if (n[1] === 'E') kept++;
      }
    }
    expect(kept / ehc).toBeGreaterThan(0.95);
  });

  it('shapes SEN, needs and FSM like England', () => {
    const c = columns(pupils, ['academic_year', 'sen_provision', 'primary_need', 'fsm']);
    const share = (year: string, pred: (r: string[]) => boolean): number => {
      const rows = pupils.rows.filter((r) => r[c.academic_year] === year);
      return rows.filter(pred).length / rows.length;
    };
    expect(share('2016/17', (r) => r[c.sen_provision] === 'E')).toBeCloseTo(0.028, 3);
    expect(share('2023/24', (r) => r[c.sen_provision] === 'E')).toBeCloseTo(0.048, 3);
    expect(share('2016/17', (r) => r[c.sen_provision] === 'K')).toBeCloseTo(0.116, 3);
    expect(share('2023/24', (r) => r[c.sen_provision] === 'K')).toBeCloseTo(0.136, 3);
    const fsm16 = share('2016/17', (r) => r[c.fsm] === '1');
    const fsm23 = share('2023/24', (r) => r[c.fsm] === '1');
    expect(fsm16).toBeGreaterThan(0.17);
    expect(fsm23).toBeGreaterThan(fsm16);
    expect(fsm23).toBeLessThan(0.27);
    const ehcNeeds = new Map<string, number>();
    for (const r of pupils.rows) if (r[c.sen_provision] === 'E') ehcNeeds.set(r[c.primary_need] as string, (ehcNeeds.get(r[c.primary_need] as string) ?? 0) + 1);
    const ranked = [...ehcNeeds.entries()].sort((x, y) => y[1] - x[1]).map(([n]) => n);
    expect(ranked.slice(0, 2)).toEqual(['ASD', 'SEMH']);
  });

  it('writes valid events: pupil on roll at that school, school-day dates in the year, reasons by era', () => {
    const c = columns(exclusions, ['academic_year', 'pupil_ref', 'urn', 'category', 'start_date', 'sessions', 'reason_1', 'reason_2', 'reason_3']);
    const oldCodes = ['PP', 'PA', 'VP', 'VA', 'BU', 'RA', 'SM', 'DA', 'DM', 'TH', 'PD', 'OT'];
    const newCodes = ['LG', 'DS', 'MT', 'OM'];
    const problems: string[] = [];
    const perm = new Set<string>();
    const sessionsByPupil = new Map<string, number>();
    const months = new Map<number, number>();
    for (const r of exclusions.rows) {
      const [y, ref, urn, cat, date, sessions, r1, r2, r3] = [c.academic_year, c.pupil_ref, c.urn, c.category, c.start_date, c.sessions, c.reason_1, c.reason_2, c.reason_3].map((i) => r[i] ?? '') as [string, string, string, string, string, string, string, string, string];
      const start = Number(y.slice(0, 4));
      const where = `${y} ${ref} ${date}`;
      if (roll.get(y)?.get(ref)?.[0] !== urn) problems.push(`${where}: not on roll at ${urn}`);
      const d = new Date(`${date}T00:00:00Z`);
      if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) problems.push(`${where}: bad date`);
      if (d < new Date(Date.UTC(start, 8, 1)) || d > new Date(Date.UTC(start + 1, 7, 31))) problems.push(`${where}: outside the academic year`);
      if (d.getUTCDay() === 0 || d.getUTCDay() === 6) problems.push(`${where}: weekend`);
      if (d.getUTCMonth() === 7) problems.push(`${where}: August`);
      months.set(d.getUTCMonth(), (months.get(d.getUTCMonth()) ?? 0) + 1);
      if (cat === 'SUSP') {
        const s = Number(sessions);
        if (!/^\d+$/.test(sessions) || s < 1 || s > 90) problems.push(`${where}: sessions ${sessions}`);
        sessionsByPupil.set(`${y}|${ref}`, (sessionsByPupil.get(`${y}|${ref}`) ?? 0) + s);
      } else if (cat === 'PERM') {
        if (sessions !== '') problems.push(`${where}: PERM with sessions`);
        if (perm.has(`${y}|${ref}`)) problems.push(`${where}: second PERM`);
        perm.add(`${y}|${ref}`);
      } else problems.push(`${where}: category ${cat}`);
      const allowed = new Set([...oldCodes, ...(start >= 2020 ? newCodes : []), ...(start === 2020 || start === 2021 ? ['PH'] : [])]);
      if (!allowed.has(r1)) problems.push(`${where}: reason_1 ${r1}`);
      if (start < 2020 && (r2 !== '' || r3 !== '')) problems.push(`${where}: second reason before 2020/21`);
      if (r2 !== '' && (!allowed.has(r2) || r2 === r1)) problems.push(`${where}: reason_2 ${r2}`);
      if (r3 !== '' && (r2 === '' || !allowed.has(r3) || r3 === r1 || r3 === r2)) problems.push(`${where}: reason_3 ${r3}`);
    }
    expect(problems.slice(0, 20)).toEqual([]);
    expect(Math.max(...sessionsByPupil.values())).toBeLessThanOrEqual(90);
    // Spread over all three terms (Sep-Dec, Jan-Mar/Apr, Apr-Jul).
    for (const m of [8, 9, 10, 11, 0, 1, 2, 4, 5, 6]) expect(months.get(m) ?? 0).toBeGreaterThan(exclusions.rows.length * 0.02);
    // Second reasons are used from 2020/21, but not on most events.
    const late = exclusions.rows.filter((r) => Number(r[c.academic_year]?.slice(0, 4)) >= 2020);
    const withSecond = late.filter((r) => r[c.reason_2] !== '').length / late.length;
    expect(withSecond).toBeGreaterThan(0.1);
    expect(withSecond).toBeLessThan(0.6);
    // Persistent disruptive behaviour is the most common reason, at 35-45% of suspensions.
    const susp = exclusions.rows.filter((r) => r[c.category] === 'SUSP');
    const pd = susp.filter((r) => r[c.reason_1] === 'PD').length / susp.length;
    expect(pd).toBeGreaterThan(0.33);
    expect(pd).toBeLessThan(0.45);
  });

  it('varies between schools: many school-years with no suspensions, a few with high rates, most permanent exclusions in secondary', () => {
    const e = columns(exclusions, ['academic_year', 'urn', 'category']);
    const p = columns(pupils, ['academic_year', 'urn']);
    const phaseOf = new Map(schools.rows.map((r) => [r[0] as string, r[3] as string]));
    const onRoll = new Map<string, number>();
    for (const r of pupils.rows) onRoll.set(`${r[p.academic_year]}|${r[p.urn]}`, (onRoll.get(`${r[p.academic_year]}|${r[p.urn]}`) ?? 0) + 1);
    const susp = new Map<string, number>();
    let permPrimary = 0;
    let permAll = 0;
    for (const r of exclusions.rows) {
      if (r[e.category] === 'SUSP') susp.set(`${r[e.academic_year]}|${r[e.urn]}`, (susp.get(`${r[e.academic_year]}|${r[e.urn]}`) ?? 0) + 1);
      else {
        permAll++;
        if (phaseOf.get(r[e.urn] as string) === 'Primary') permPrimary++;
      }
    }
    for (const y of YEARS) {
      const rates = schools.rows.map((s) => (100 * (susp.get(`${y}|${s[0]}`) ?? 0)) / (onRoll.get(`${y}|${s[0]}`) ?? 1));
      expect(rates.filter((x) => x === 0).length, `${y} schools with none`).toBeGreaterThanOrEqual(10);
      expect(rates.filter((x) => x >= 25).length, `${y} high-excluding schools`).toBeGreaterThanOrEqual(2);
      expect(rates.filter((x) => x >= 25).length, `${y} high-excluding schools`).toBeLessThan(40);
    }
    expect(permPrimary / permAll).toBeLessThan(0.2);
  });

  it('writes consistent comparators: integer counts, All pupils = the three groups, England on its published headcount', () => {
    const c = columns(comparators, ['area_type', 'area_code', 'area_name', 'academic_year', 'phase', 'pupil_group', 'pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions']);
    const nums = ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions'] as const;
    const cells = new Map<string, Record<string, number>>();
    for (const r of comparators.rows) {
      for (const n of nums) expect(r[c[n]], `${n} ${r.join(',')}`).toMatch(/^\d+$/);
      const v = Object.fromEntries(nums.map((n) => [n, Number(r[c[n]])]));
      expect(v.pupils_suspended).toBeLessThanOrEqual(v.suspensions as number);
      expect(v.pupils_suspended).toBeLessThanOrEqual(v.pupils as number);
      cells.set([r[c.area_type], r[c.area_code], r[c.academic_year], r[c.phase], r[c.pupil_group]].join('|'), v);
    }
    const areas = new Set(comparators.rows.map((r) => `${r[c.area_type]}|${r[c.area_code]}`));
    expect([...areas].filter((a) => a.startsWith('Neighbour|'))).toHaveLength(10);
    expect(areas.has('England|E92000001')).toBe(true);
    expect(areas.has('Region|E12000009')).toBe(true);
    expect(cells.size).toBe(areas.size * YEARS.length * 4 * 4);
    for (const area of areas) {
      for (const y of YEARS) {
        for (const phase of ['All', 'Primary', 'Secondary', 'Special']) {
          const k = (g: string): Record<string, number> => {
            const v = cells.get(`${area}|${y}|${phase}|${g}`);
            if (!v) throw new Error(`missing ${area} ${y} ${phase} ${g}`);
            return v;
          };
          for (const n of nums) expect(k('All pupils')[n]).toBe((k('EHC plan')[n] as number) + (k('SEN support')[n] as number) + (k('No SEN')[n] as number));
        }
      }
    }
    const eng16 = cells.get('England|E92000001|2016/17|All|All pupils');
    expect(eng16?.pupils).toBe(8_025_073);
    // The England series reproduces the published all-pupil suspension rate (4.76 in 2016/17).
    expect((100 * (eng16?.suspensions ?? 0)) / (eng16?.pupils ?? 1)).toBeCloseTo(4.76, 1);
    const eng23 = cells.get('England|E92000001|2022/23|All|All pupils');
    expect((100 * (eng23?.suspensions ?? 0)) / (eng23?.pupils ?? 1)).toBeCloseTo(9.33, 0);
  });
});
