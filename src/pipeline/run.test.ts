// The pipeline end to end on a hand-made extract (tests/fixtures/extract-small), on native DuckDB,
// the engine it uses; plus the published Arrow read back on DuckDB-WASM, the engine users get.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../lib/data/manifest';
import { NodeDb } from '../lib/data/node-client';
import { laTrend } from '../lib/data/queries';
import { sql } from '../lib/data/sql';
import { WasmNodeDb } from '../lib/data/wasm-node';
import { InputError } from './errors';
import { OutputRefused } from './out-dir';
import { runPipeline } from './run';

const FIXTURE = path.resolve('tests/fixtures/extract-small');
// Thresholds of 1 suppress nothing, so the aggregation can be checked against hand-worked counts;
// disclosure.test.ts checks the suppression itself.
const NO_SUPPRESSION = path.resolve('tests/fixtures/config-no-suppression.json');
let tmp: string;
let out: string;
let manifest: Manifest;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pipeline-'));
  out = path.join(tmp, 'published');
  manifest = await runPipeline({ input: FIXTURE, out, config: NO_SUPPRESSION, stagingRoot: path.join(tmp, 'staging') });
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('aggregation of the small extract', () => {
  it('counts pupils and events per school, year and pupil group (worked by hand)', async () => {
    const db = await NodeDb.fromPublished(out);
    const rows = await db.query<Record<string, unknown>>(sql`
      SELECT pupil_group, pupils, suspensions, pupils_suspended, permanent_exclusions, sessions_lost
      FROM school_year WHERE urn = ${'900002'} AND academic_year = ${'2022/23'} ORDER BY pupil_group`);
    expect(rows).toEqual([
      // P101..P105: 5 pupils; P101 two suspensions (2 + 4 sessions), P102 one (1), P103 permanently excluded
      { pupil_group: 'All pupils', pupils: 5, suspensions: 3, pupils_suspended: 2, permanent_exclusions: 1, sessions_lost: 7 },
      { pupil_group: 'EHC plan', pupils: 1, suspensions: 2, pupils_suspended: 1, permanent_exclusions: 0, sessions_lost: 6 },
      { pupil_group: 'No SEN', pupils: 3, suspensions: 0, pupils_suspended: 0, permanent_exclusions: 1, sessions_lost: 0 },
      { pupil_group: 'SEN support', pupils: 1, suspensions: 1, pupils_suspended: 1, permanent_exclusions: 0, sessions_lost: 1 }
    ]);
    await db.close();
  });

  it('writes all four pupil groups for every school-year, zeros included', async () => {
    const db = await NodeDb.fromPublished(out);
    const [r] = await db.query<{ n: number; zeros: number }>(sql`
      SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE pupils = 0)::INTEGER AS zeros FROM school_year`);
    expect(r).toEqual({ n: 16, zeros: 0 }); // 2 schools x 2 years x 4 groups
    await db.close();
  });

  it('counts every reason an event records (up to three from 2020/21)', async () => {
    const db = await NodeDb.fromPublished(out);
    const rows = await db.query<{ reason_code: string; suspensions: number }>(sql`
      SELECT reason_code, suspensions FROM school_year_reason
      WHERE urn = ${'900002'} AND academic_year = ${'2023/24'} AND pupil_group = ${'EHC plan'} ORDER BY reason_code`);
    // Every code in use in 2023/24 is listed, zeros included (16 codes: PH ended in 2021/22).
    expect(rows).toHaveLength(16);
    expect(rows.filter((r) => r.suspensions > 0)).toEqual([
      { reason_code: 'PD', suspensions: 1 },
      { reason_code: 'VA', suspensions: 1 }
    ]);
    await db.close();
  });

  it('builds the LA rows from its schools and keeps comparators apart', async () => {
    const db = await NodeDb.fromPublished(out);
    const rows = await db.query<Record<string, unknown>>(sql`
      SELECT area_type, phase, pupil_group, pupils, suspensions, pupils_suspended, permanent_exclusions
      FROM area_year WHERE academic_year = ${'2022/23'} AND pupil_group = ${'All pupils'} AND area_type IN (${['LA', 'England']})
      ORDER BY area_type DESC, phase`);
    expect(rows).toEqual([
      { area_type: 'LA', phase: 'All', pupil_group: 'All pupils', pupils: 9, suspensions: 3, pupils_suspended: 2, permanent_exclusions: 1 },
      { area_type: 'LA', phase: 'Primary', pupil_group: 'All pupils', pupils: 4, suspensions: 0, pupils_suspended: 0, permanent_exclusions: 0 },
      { area_type: 'LA', phase: 'Secondary', pupil_group: 'All pupils', pupils: 5, suspensions: 3, pupils_suspended: 2, permanent_exclusions: 1 },
      { area_type: 'England', phase: 'All', pupil_group: 'All pupils', pupils: 8400000, suspensions: 780000, pupils_suspended: 260000, permanent_exclusions: 9300 }
    ]);
    await db.close();
  });
});

describe('published release', () => {
  it('has a manifest whose checksums and row counts match the files', async () => {
    const { createHash } = await import('node:crypto');
    for (const [name, t] of Object.entries(manifest.tables)) {
      for (const f of Object.values(t.files)) {
        const bytes = await readFile(path.join(out, f.path));
        expect(createHash('sha256').update(bytes).digest('hex'), `${name} ${f.path}`).toBe(f.sha256);
        expect(bytes.length).toBe(f.bytes);
      }
    }
    expect(manifest.tables.school_year.rows).toBe(16);
    expect(manifest.synthetic).toBe(true);
    expect(manifest.years).toEqual(['2022/23', '2023/24']);
    expect(manifest.la).toEqual({ code: '990', name: 'Testshire', region: 'South West' });
  });

  it('labels synthetic data in every CSV download', async () => {
    for (const t of Object.values(manifest.tables)) {
      const lines = (await readFile(path.join(out, t.files.csv.path), 'utf8')).trim().split('\n');
      expect(lines[0]!.startsWith('dataset,')).toBe(true);
      expect(lines.slice(1).every((l) => l.startsWith('SYNTHETIC TEST FIXTURE,'))).toBe(true);
    }
  });

  it('gives the same answers from Arrow on DuckDB-WASM as from Parquet on native DuckDB', async () => {
    const native = await NodeDb.fromPublished(out);
    const wasm = await WasmNodeDb.open();
    wasm.insertArrow('area_year', new Uint8Array(await readFile(path.join(out, 'area_year.arrow'))));
    for (const measure of ['suspension_rate', 'one_plus_suspension_rate', 'permanent_exclusion_rate'] as const) {
      const opts = { measure, phase: 'All' as const, comparator: { areaType: 'England' as const, group: 'All pupils' as const } };
      expect(await laTrend(wasm, opts)).toEqual(await laTrend(native, opts));
    }
    await wasm.close();
    await native.close();
  });
});

describe('safety of the output', () => {
  it('leaves the previous release untouched when a stage fails mid-write', async () => {
    const before = Object.fromEntries(readdirSync(out).map((f) => [f, f]));
    const manifestBefore = await readFile(path.join(out, 'manifest.json'), 'utf8');
    await expect(
      runPipeline({
        input: FIXTURE,
        out,
        stagingRoot: path.join(tmp, 'staging'),
        onStep: (step) => {
          if (step === 'write school_year_reason') throw new Error('simulated crash');
        }
      })
    ).rejects.toThrow('simulated crash');
    expect(Object.fromEntries(readdirSync(out).map((f) => [f, f]))).toEqual(before);
    expect(await readFile(path.join(out, 'manifest.json'), 'utf8')).toBe(manifestBefore);
    expect(readdirSync(path.join(tmp, 'staging'))).toEqual([]);
  });

  it('refuses, before any work, an --out folder holding anything but an earlier release, and keeps what is there', async () => {
    const mine = path.join(tmp, 'my-documents');
    await mkdir(mine);
    await writeFile(path.join(mine, 'notes.txt'), 'mine');
    const steps: string[] = [];
    const lines: string[] = [];
    await expect(
      runPipeline({ input: FIXTURE, out: mine, stagingRoot: path.join(tmp, 'staging'), onStep: (s) => void steps.push(s), log: (l) => lines.push(l) })
    ).rejects.toThrow(OutputRefused);
    expect([steps, lines]).toEqual([[], []]);
    expect(readdirSync(mine)).toEqual(['notes.txt']);
    expect(await readFile(path.join(mine, 'notes.txt'), 'utf8')).toBe('mine');
    // A file given as --out is not replaced by a folder.
    const file = path.join(mine, 'notes.txt');
    await expect(runPipeline({ input: FIXTURE, out: file, stagingRoot: path.join(tmp, 'staging') })).rejects.toThrow('is a file, not a folder');
    expect(await readFile(file, 'utf8')).toBe('mine');
  });

  it('asks again at the swap: a file put in the release folder during the run is not deleted', async () => {
    const manifestBefore = await readFile(path.join(out, 'manifest.json'), 'utf8');
    const before = readdirSync(out);
    await expect(
      runPipeline({
        input: FIXTURE,
        out,
        stagingRoot: path.join(tmp, 'staging'),
        onStep: async (step) => {
          if (step === 'swap') await writeFile(path.join(out, 'my-notes.txt'), 'mine');
        }
      })
    ).rejects.toThrow(/files that are not part of it, which replacing it would delete: my-notes\.txt\./);
    expect(readdirSync(out).sort()).toEqual([...before, 'my-notes.txt'].sort());
    expect(await readFile(path.join(out, 'manifest.json'), 'utf8')).toBe(manifestBefore);
    expect(readdirSync(path.join(tmp, 'staging'))).toEqual([]);
    await rm(path.join(out, 'my-notes.txt'));
  });

  it('publishes an extract not marked synthetic with disclosure control applied and no synthetic label', async () => {
    const input = path.join(tmp, 'real');
    await cp(FIXTURE, input, { recursive: true });
    await rm(path.join(input, 'extract.json'));
    const target = path.join(tmp, 'real-out');
    const m = await runPipeline({ input, out: target, stagingRoot: path.join(tmp, 'staging') });
    expect(m.synthetic).toBe(false);
    expect(m.la).toEqual({ code: '990', name: 'Testshire', region: 'South West' });
    // With no extract.json to list them, the neighbours are those the comparator file has.
    expect(m.neighbours).toEqual([
      { code: '991', name: 'Nearshire' },
      { code: '992', name: 'Farshire' }
    ]);
    expect(m.disclosure.applied).toBe(true);
    // Every school-year group here has fewer than 10 pupils: nothing about them may be published.
    const db = await NodeDb.fromPublished(target);
    const [r] = await db.query<{ published: number }>(sql`SELECT count(pupils)::INTEGER AS published FROM school_year WHERE pupils > 0`);
    expect(r!.published).toBe(0);
    await db.close();
    const csv = await readFile(path.join(target, 'school_year.csv'), 'utf8');
    expect(csv.startsWith('urn,')).toBe(true);
  });

  it('reports bad values with file, line, column, value and what was expected', async () => {
    const input = path.join(tmp, 'bad');
    await cp(FIXTURE, input, { recursive: true });
    const pupils = (await readFile(path.join(input, 'pupils.csv'), 'utf8')).split('\n');
    pupils[2] = pupils[2]!.replace(',K,', ',Q,'); // line 3
    pupils[5] = pupils[5]!.replace('2022/23', '2022-23'); // line 6
    await writeFile(path.join(input, 'pupils.csv'), pupils.join('\n'));
    const target = path.join(tmp, 'bad-out');
    const err = await runPipeline({ input, out: target, stagingRoot: path.join(tmp, 'staging') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const issues = (err as InputError).issues;
    expect(issues).toContainEqual({ file: 'pupils.csv', line: 3, column: 'sen_provision', value: 'Q', expected: 'one of E, K, N' });
    expect(issues).toContainEqual({
      file: 'pupils.csv',
      line: 6,
      column: 'academic_year',
      value: '2022-23',
      expected: 'an academic year like 2022/23'
    });
    expect(existsSync(target)).toBe(false);
  });

  it('refuses an extract.json that names another LA than its schools, pointing at la.code', async () => {
    const input = path.join(tmp, 'other-la');
    await cp(FIXTURE, input, { recursive: true });
    const meta = await readFile(path.join(input, 'extract.json'), 'utf8');
    await writeFile(path.join(input, 'extract.json'), meta.replace('"code": "990"', '"code": "123"'));
    const target = path.join(tmp, 'other-la-out');
    const err = await runPipeline({ input, out: target, stagingRoot: path.join(tmp, 'staging') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issues).toEqual([
      { file: 'extract.json', line: 4, column: 'la.code', value: '"123"', expected: 'the LA code of the schools in schools.csv (990)' }
    ]);
    expect(existsSync(target)).toBe(false);
  });

  it('neutralises spreadsheet formulas in CSV text cells, and only there', async () => {
    const input = path.join(tmp, 'formula');
    await cp(FIXTURE, input, { recursive: true });
    const schools = await readFile(path.join(input, 'schools.csv'), 'utf8');
    await writeFile(path.join(input, 'schools.csv'), schools.replace('Test Primary School', '"=HYPERLINK(""http://x.invalid"";""click"")"').replace('Test Academy', '-Test Academy'));
    const target = path.join(tmp, 'formula-out');
    await runPipeline({ input, out: target, config: NO_SUPPRESSION, stagingRoot: path.join(tmp, 'staging') });
    const csv = await readFile(path.join(target, 'schools.csv'), 'utf8');
    expect(csv).toContain(`"'=HYPERLINK(""http://x.invalid"";""click"")"`);
    expect(csv).toContain(`,'-Test Academy,`);
    // Numbers stay numbers, and the Parquet keeps the text as it was.
    expect((await readFile(path.join(target, 'school_year.csv'), 'utf8')).split('\n')[1]).toMatch(/,2022,All pupils,4,/);
    const db = await NodeDb.fromPublished(target);
    const names = await db.query<{ name: string }>(sql`SELECT name FROM schools ORDER BY urn`);
    expect(names.map((n) => n.name)).toEqual(['=HYPERLINK("http://x.invalid";"click")', '-Test Academy']);
    await db.close();
  });

  it('finds events for pupils who are not on roll at that school that year', async () => {
    const input = path.join(tmp, 'orphan');
    await cp(FIXTURE, input, { recursive: true });
    const ex = await readFile(path.join(input, 'exclusions.csv'), 'utf8');
    await writeFile(path.join(input, 'exclusions.csv'), ex + '2023/24,P003,900002,SUSP,2023-12-01,1,PD,,\n');
    const err = (await runPipeline({ input, out: path.join(tmp, 'o'), stagingRoot: path.join(tmp, 'staging') }).catch((e: unknown) => e)) as InputError;
    expect(err.issues).toEqual([
      {
        file: 'exclusions.csv',
        line: 8,
        column: 'pupil_ref',
        value: 'P003',
        expected: 'a pupil on roll at this school in this academic year (pupils.csv)'
      }
    ]);
  });
});
