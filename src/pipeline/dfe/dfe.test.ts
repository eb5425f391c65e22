// The DfE importer on small hand-made fixtures (tests/fixtures/dfe/), one per kind of drift: old
// and new column names, reordered and extra columns, header casing, both characteristic schemes
// with their casing drift, every symbol, weighted counts, UTF-8 with a BOM and Windows-1252, LA
// recodings and abolished LAs, census shares as fractions, a census file without a year, and a
// file that is none of DfE's formats. Then a whole release built from the fixtures alone.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../audit/audit';
import { InputError } from '../errors';
import { runPipeline } from '../run';
import { checkConsistency } from './checks';
import { buildFromDfe } from './contract';
import { readDfeFile } from './formats';
import { importDfeFiles } from './import';
import { groupOfSenProvision, needCodeOf, parseAcademicYear, parseDfeNumber, phaseOfSchoolType } from './values';

const FIX = path.resolve('tests/fixtures/dfe');
const f = (name: string) => path.join(FIX, name);

describe('values', () => {
  it('turns every DfE symbol into NULL with its reason, by the file\u2019s convention', () => {
    expect(parseDfeNumber('x', 'sfr')).toMatchObject({ value: null, flag: 'c', symbol: 'x' });
    expect(parseDfeNumber('x', 'ees')).toMatchObject({ value: null, flag: 'x' });
    expect(parseDfeNumber('c', 'ees')).toMatchObject({ value: null, flag: 'c' });
    expect(parseDfeNumber('z', 'ees')).toMatchObject({ value: null, flag: 'z' });
    expect(parseDfeNumber('.', 'sfr')).toMatchObject({ value: null, flag: 'z' });
    expect(parseDfeNumber('low', 'ees')).toMatchObject({ value: null, flag: 'low' });
    expect(parseDfeNumber('u', 'ees')).toMatchObject({ value: null, flag: 'x', reason: expect.stringContaining('reliability') });
    expect(parseDfeNumber(':', 'ees')).toMatchObject({ value: null, flag: 'x' });
    expect(parseDfeNumber('NA', 'ees')).toMatchObject({ value: null, flag: 'x', symbol: 'NA' });
    expect(parseDfeNumber('NULL', 'sfr')).toMatchObject({ value: null, flag: 'x' });
    expect(parseDfeNumber('', 'ees')).toMatchObject({ value: null, flag: 'x' });
  });
  it('keeps decimals, reads thousands separators and percentages, refuses other text', () => {
    expect(parseDfeNumber('3.3', 'sfr')?.value).toBe(3.3);
    expect(parseDfeNumber('8,025,073', 'ees')?.value).toBe(8025073);
    expect(parseDfeNumber('1.4%', 'ees')?.value).toBe(1.4);
    expect(parseDfeNumber('twelve', 'ees')).toBeNull();
  });
  it('reads academic years in every form into one, and refuses a bare year unless it is an exam year', () => {
    for (const t of ['201617', '2016/17', '2016-17', '2016/2017', '2016-2017', '2016 to 2017', '2016/17 academic year']) expect(parseAcademicYear(t), t).toBe(2016);
    expect(parseAcademicYear('2017')).toBeNull();
    expect(parseAcademicYear('2017', { examYear: true })).toBe(2016);
    expect(parseAcademicYear('2016/18')).toBeNull();
  });
  it('reads names through their casing drift', () => {
    expect(phaseOfSchoolType('state-funded primary')).toBe('Primary');
    expect(phaseOfSchoolType('Special')).toBe('Special');
    expect(phaseOfSchoolType('special')).toBe('Special');
    expect(phaseOfSchoolType('Total')).toBe('All');
    expect(groupOfSenProvision('SEN Provision No SEN')).toBe('No SEN');
    expect(groupOfSenProvision('SEN provision SEN with statement EHC')).toBe('EHC plan');
    expect(groupOfSenProvision('SEN provision SEN without statement')).toBe('SEN support');
    expect(groupOfSenProvision('SEN_provision_Unclassified')).toBe('Unclassified');
    expect(needCodeOf('SEN primary need Behavioural emotional and social difficulties')).toBe('BESD');
    expect(needCodeOf('SEN primary need Social emotional and mental health')).toBe('SEMH');
    expect(needCodeOf('SEN primary need Autistic spectrum disorder')).toBe('ASD');
  });
});

describe('recognising files by their header', () => {
  it('school-level, old names, reordered and extra columns, header casing', () => {
    const file = readDfeFile(f('school_old_names_reordered.csv'));
    expect(file.kind).toBe('school-exclusions');
    expect(file.convention).toBe('sfr');
    expect(file.columns.susp).toBe('fixed_excl');
    expect(file.rows[0]!.yearStart).toBe(2007);
    expect(file.rows[1]!.yearStart).toBe(2007); // written 2007/08
    expect(file.rows[0]!.num.perm!.value).toBe(3.3); // weighted count kept
    expect(file.rows[0]!.num.one_plus).toMatchObject({ value: null, flag: 'c' });
  });
  it('national/regional/LA, new names, UTF-8 with a BOM, every symbol', () => {
    const file = readDfeFile(f('area_new_names_bom.csv'));
    expect(file.kind).toBe('area-exclusions');
    expect(file.encoding).toBe('utf-8 with BOM');
    expect(file.convention).toBe('ees');
    const r = file.rows[1]!;
    expect([r.num.perm!.flag, r.num.susp!.flag, r.num.one_plus!.flag, r.num.one_plus_rate!.flag]).toEqual(['c', 'low', 'x', 'x']);
    expect(file.precision.perm_rate).toBe(5);
  });
  it('the older characteristic scheme, with its casing drift', () => {
    const imp = importDfeFiles([f('characteristic_old_scheme.csv')]);
    expect(imp.files[0]!.kind).toBe('characteristic-exclusions');
    expect(imp.areas.map((a) => [a.phase, a.group])).toEqual([
      ['Special', 'EHC plan'],
      ['Special', 'No SEN'],
      ['All', 'SEN support']
    ]);
    expect(imp.needs[0]!.need).toBe('BESD');
  });
  it('Windows-1252 register (0x92 is a right single quote)', () => {
    const imp = importDfeFiles([f('register_cp1252.csv')]);
    expect(imp.files[0]!.encoding).toBe('windows-1252');
    expect(imp.register[0]!.name).toBe('St Mary\u2019s School');
  });
  it('a census file that names no year needs --year, and shares as fractions are read as such', () => {
    expect(() => readDfeFile(f('census_fractions_no_year.csv'))).toThrow(/--year/);
    const imp = importDfeFiles([f('census_fractions_no_year.csv')], { year: 2007 });
    expect(imp.censusShares).toBe('fractions');
    expect(imp.census).toHaveLength(2); // the national summary row is set aside
    expect(imp.census[0]!.shareEhc).toBe(0.02);
    expect(imp.census[1]!.senSupport).toMatchObject({ value: null, flag: 'x', symbol: 'NA' });
  });
  it('an unrecognised file is refused with the headers each format expects, file and line', () => {
    let err: unknown;
    try {
      readDfeFile(f('unrecognised.csv'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const issue = (err as InputError).issues[0]!;
    expect(issue).toMatchObject({ file: 'unrecognised.csv', line: 1 });
    expect(issue.expected).toContain('school-level exclusions');
    expect(issue.expected).toContain('laestab');
    expect(issue.expected).toContain('suspension or fixed_excl');
    expect(issue.expected).toContain('tsenelse');
  });
  it('a cell that is neither a number nor a symbol is reported with file, line and column', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dfe-'));
    try {
      const bad = path.join(dir, 'bad.csv');
      const text = readFileSync(f('area_new_names_bom.csv'), 'utf8').replace('72471', 'lots');
      writeFileSync(bad, text);
      expect(() => readDfeFile(bad)).toThrow(/bad\.csv:2, column headcount: found "lots"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('consistency checks', () => {
  it('allows for a weighted count\u2019s own rounding, and still lists a rate that differs', () => {
    const imp = importDfeFiles([f('area_new_names_bom.csv')]);
    const base = imp.areas[0]!;
    const num = (value: number) => ({ value, flag: null, symbol: null, reason: null });
    // DfE's own row: 565.079 / 295,443 x 100 = 0.1912649..., published as 0.19127 (the count, to 3 decimals, can be 565.0794).
    imp.areas = [{ ...base, pupils: num(295443), perm: num(565.079), permRate: num(0.19127), susp: num(0), suspRate: undefined, onePlus: num(0), onePlusRate: undefined }];
    expect(checkConsistency(imp).rateDifferences).toEqual([]);
    imp.areas[0]!.permRate = num(0.1913);
    expect(checkConsistency(imp).rateDifferences).toEqual([expect.stringContaining('perm_excl_rate: published 0.1913, 565.079 / 295443 x 100')]);
  });
});

describe('LA codes across reorganisations', () => {
  it('keeps Somerset one series across E10000027 and E06000066, and knows Bedfordshire was abolished', () => {
    const imp = importDfeFiles([f('area_new_names_bom.csv')]);
    expect(imp.las.get('933')!.onsCodes).toEqual(['E10000027', 'E06000066']);
    expect(imp.las.resolve('E06000066')).toBe('933');
    expect(imp.las.get('820')!.abolished).toBe(true);
    expect(new Set(imp.areas.filter((a) => a.name === 'Somerset').map((a) => a.code))).toEqual(new Set(['933']));
  });
});

describe('a release from the fixtures alone', () => {
  it('maps schools, SEN context from the census of the same year and areas into the contract', async () => {
    const imp = importDfeFiles(
      ['school_old_names_reordered.csv', 'register_cp1252.csv', 'census_fractions_no_year.csv', 'area_new_names_bom.csv'].map(f),
      { year: 2007 }
    );
    const checks = checkConsistency(imp);
    expect(checks.ratesChecked).toBeGreaterThan(0);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const built = await buildFromDfe(conn, imp, { neighbours: null });
      expect(built.la.code).toBe('990');
      const rows = (await conn.runAndReadAll(`SELECT urn, pupil_group, pupils, pupils_flag, permanent_exclusions, permanent_exclusions_flag, suspensions_flag FROM school_year ORDER BY urn, pupil_group`)).getRowObjectsJS();
      const of = (urn: string, g: string) => rows.find((r) => r.urn === urn && r.pupil_group === g)!;
      // The weighted 3.3 is not rounded into a count: x.
      expect(of('900001', 'All pupils')).toMatchObject({ pupils: 200, permanent_exclusions: null, permanent_exclusions_flag: 'x' });
      // SEN context from the census; exclusions by group not available.
      expect(of('900001', 'EHC plan')).toMatchObject({ pupils: 4, suspensions_flag: 'x' });
      expect(of('900001', 'No SEN')).toMatchObject({ pupils: 176 });
      expect(of('900002', 'SEN support')).toMatchObject({ pupils: null, pupils_flag: 'x' });
      const names = (await conn.runAndReadAll(`SELECT urn, name, type, phase FROM schools ORDER BY urn`)).getRowObjectsJS();
      expect(names).toEqual([
        { urn: '900001', name: 'St Mary\u2019s School', type: 'Maintained', phase: 'Primary' },
        { urn: '900002', name: 'Testshire Academy', type: 'Academy', phase: 'Secondary' }
      ]);
      expect(built.notes.join('\n')).toContain('weighted count');
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
  it('maps SEN primary need, in both characteristic schemes, into area_breakdown as England\u2019s SEND rows', async () => {
    const imp = importDfeFiles(
      ['school_old_names_reordered.csv', 'register_cp1252.csv', 'characteristic_old_scheme.csv', 'characteristic_ees_needs.csv'].map(f)
    );
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      await buildFromDfe(conn, imp, { neighbours: null });
      const rows = (
        await conn.runAndReadAll(
          `SELECT area_type, area_code, area_name, academic_year, phase, pupil_group, dimension, category_code, category,
                  pupils, suspensions, pupils_suspended, permanent_exclusions, permanent_exclusions_flag, sessions_lost, sessions_lost_flag, source
           FROM area_breakdown ORDER BY rowid`
        )
      ).getRowObjectsJS();
      const key = (r: Record<string, unknown>) => `${r.academic_year} ${r.phase} ${r.category_code}`;
      // Every year, phase and need the files give (the old scheme's 2010/11 BESD too), in order; a
      // need a year does not have (SEMH before 2014/15, BESD after) has no row.
      expect(rows.map(key)).toEqual([
        '2007/08 All ASD',
        '2007/08 All BESD',
        '2007/08 All HI',
        '2007/08 Special ASD',
        '2010/11 All BESD',
        '2014/15 All NSA',
        '2014/15 All SEMH'
      ]);
      for (const r of rows) expect([r.area_type, r.area_code, r.area_name, r.pupil_group, r.dimension, r.sessions_lost, r.sessions_lost_flag]).toEqual(['England', 'E92000001', 'England', 'SEND', 'need', null, 'x']);
      expect(rows[0]).toMatchObject({
        category: 'Autistic spectrum disorder',
        pupils: 60000,
        suspensions: 3000,
        pupils_suspended: 1500,
        permanent_exclusions: 60,
        permanent_exclusions_flag: null,
        source: 'DfE: characteristic_ees_needs.csv'
      });
      // BESD keeps its own code and words beside SEMH; DfE's `x` (1 or 2 pupils, SFR-era names) is c.
      expect(rows[1]).toMatchObject({ category: 'Behavioural, emotional and social difficulties' });
      expect(rows[2]).toMatchObject({ category: 'Hearing impairment', permanent_exclusions: null, permanent_exclusions_flag: 'c' });
      expect(rows[4]).toMatchObject({ pupils: 400, permanent_exclusions: 4, source: 'DfE: characteristic_old_scheme.csv' });
      expect(rows[6]).toMatchObject({ category: 'Social, emotional and mental health', pupils: 180000 });
      // The rates a page computes from these counts are DfE's published ones (count / pupils x 100).
      expect(((Number(rows[0]!.permanent_exclusions) / Number(rows[0]!.pupils)) * 100).toFixed(2)).toBe('0.10');
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
  it('needs --la when the school-level files hold more than one LA', async () => {
    const imp = importDfeFiles([f('school_old_names_reordered.csv')]);
    imp.schools.push({ ...imp.schools[0]!, la: '991' });
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      await expect(buildFromDfe(conn, imp, { neighbours: null })).rejects.toThrow(/--la CODE/);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});

describe('passed through under DfE\u2019s own suppression, from the fixtures', () => {
  it('publishes only what DfE\u2019s rule allows: a school-level 2 is refused, census pupils of 4 are not', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dfe-pass-fx-'));
    try {
      const config = path.join(dir, 'config.json');
      writeFileSync(config, JSON.stringify({ dfe_pass_through: true }));
      const run = (school: string) =>
        runPipeline({
          input: '',
          out: path.join(dir, 'out'),
          config,
          stagingRoot: path.join(dir, 'staging'),
          log: () => {},
          dfe: { files: [school, f('register_cp1252.csv'), f('census_fractions_no_year.csv'), f('area_new_names_bom.csv')], year: 2007 }
        });
      // The hand-made school file publishes a permanent exclusion count of 2, which DfE withholds.
      await expect(run(f('school_old_names_reordered.csv'))).rejects.toThrow(/permanent_exclusions 2 is published; DfE withholds school-level counts from 1 to 2/);
      // With 3 instead, the release is DfE's rule's to publish, the census's 4 EHC plan pupils included.
      const school = path.join(dir, 'school.csv');
      writeFileSync(school, readFileSync(f('school_old_names_reordered.csv'), 'utf8').replace(',1000,2,100,', ',1000,3,100,'));
      const manifest = await run(school);
      expect(manifest.disclosure.mode).toBe('dfe-published');
      expect(manifest.sources.map((s) => s.rule)).toEqual(['dfe-published', 'dfe-published', 'dfe-published', 'dfe-published']);
      const report = await runAudit(path.join(dir, 'out'), { minCount: 5, minGroup: 10 });
      expect([report.mode, report.breaches]).toEqual(['dfe-published', []]);
      expect(readFileSync(path.join(dir, 'out', 'school_year.csv'), 'utf8')).toMatch(/900001,2007\/08,2007,EHC plan,4,/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
