// The DfE importer against DfE's real published files in ../shared/data/dfe/ (never copied into
// the repository): it reproduces the published facts listed in that folder's README, each to the
// precision of the file it comes from, and builds and audits a whole release from those files
// alone. Skipped, saying so, when the folder is absent; with REQUIRE_SHARED_DATA=1 (CI, when the
// folder exists) a missing file fails instead (tests/unit/shared-data.ts).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dfeFile } from '../../../tests/unit/shared-data';
import { auditRelease, auditTables, formatBreach, parseCsv, runAudit, type AuditTableName, type Grid } from '../../audit/audit';
import { runPipeline } from '../run';
import { importDfeFiles } from './import';

const NAMES = [
  'school_level_exclusions_2006-2017_sample.csv',
  'exclusions_national_regional_la_2006-2023.csv',
  'national_exclusions_by_characteristic_2011-2017.csv',
  'school_laestab_urn_lookup_2017_cp1252.csv',
  'school_census_sen_counts_older_year.csv',
  'la_region_lookup.csv'
];
const files = NAMES.map((n) => dfeFile(n));
const present = files.every((f) => f !== null);
const all = files as string[];

describe.skipIf(!present)('DfE\u2019s published files (../shared/data/dfe)', () => {
  // The census names no year; the README dates it to about 2018/19.
  const imp = present ? importDfeFiles(all, { year: 2018 }) : null;
  const england = (file: string, year: number, group = 'All pupils') =>
    imp!.areas.find((a) => a.file === file && a.level === 'England' && a.phase === 'All' && a.group === group && a.yearStart === year)!;

  it('recognises each file by its header, with its encoding', () => {
    expect(imp!.files.map((f) => [f.kind, f.encoding])).toEqual([
      ['school-exclusions', 'utf-8'],
      ['area-exclusions', 'utf-8 with BOM'],
      ['characteristic-exclusions', 'utf-8'],
      ['register', 'windows-1252'],
      ['census-sen', 'utf-8 with BOM'],
      ['la-region', 'utf-8']
    ]);
    expect(imp!.register.find((r) => r.urn === '137608')!.name).toBe('Lady Hawkins\u2019 School and Sixth Form');
    expect(imp!.censusShares).toBe('percentages');
  });

  it('England 2016/17 and 2022/23 from exclusions_national_regional_la_2006-2023.csv (5 decimals)', () => {
    const f = NAMES[1]!;
    const a = england(f, 2016);
    expect([a.pupils.value, a.perm.value, a.permRate!.value, a.susp.value, a.suspRate!.value]).toEqual([8025073, 7719, 0.09619, 381864, 4.75839]);
    expect(((a.perm.value! / a.pupils.value!) * 100).toFixed(5)).toBe('0.09619');
    expect(((a.susp.value! / a.pupils.value!) * 100).toFixed(5)).toBe('4.75839');
    const b = england(f, 2022);
    expect([b.pupils.value, b.perm.value, b.permRate!.value, b.susp.value, b.suspRate!.value]).toEqual([8430600, 9376, 0.11121, 786961, 9.33458]);
    expect(((b.susp.value! / b.pupils.value!) * 100).toFixed(5)).toBe('9.33458');
  });

  it('the National row of school_level_exclusions_2006-2017_sample.csv, 2016/17 (counts rounded to 5, rates to 2)', () => {
    const a = england(NAMES[0]!, 2016);
    expect([a.pupils.value, a.perm.value, a.susp.value, a.onePlus.value]).toEqual([8025075, 7720, 381865, 183475]);
    expect([a.permRate!.value, a.suspRate!.value, a.onePlusRate!.value]).toEqual([0.1, 4.76, 2.29]);
    const nat = imp!.files[0]!.rows.find((r) => r.text.level === 'National' && r.yearStart === 2016 && r.text.school_type === 'Total')!;
    expect(Number(readFileSync(all[0]!, 'utf8').split('\n')[nat.line - 1]!.split(',')[15])).toBe(21319); // num_schools
    expect(((a.onePlus.value! / a.pupils.value!) * 100).toFixed(2)).toBe('2.29');
  });

  it('national_exclusions_by_characteristic_2011-2017.csv, 2016/17 by SEN provision (rates to 2 decimals)', () => {
    const f = NAMES[2]!;
    const rates = (g: string) => {
      const a = england(f, 2016, g);
      return [a.permRate!.value, a.suspRate!.value, a.onePlusRate!.value];
    };
    expect(rates('EHC plan')).toEqual([0.16, 15.93, 6.44]);
    expect(rates('SEN support')).toEqual([0.35, 14.76, 6.18]);
    expect(rates('No SEN')).toEqual([0.06, 3.06, 1.63]);
    // The casing drift (`SEN Provision No SEN`, `special`) is read through.
    expect(imp!.areas.filter((a) => a.file === f && a.phase === 'Special' && a.group === 'No SEN').length).toBeGreaterThan(0);
  });

  it('Somerset\u2019s 2022/23 totals, and weighted counts kept to their decimals', () => {
    const s = imp!.areas.find((a) => a.level === 'LA' && a.code === '933' && a.yearStart === 2022 && a.phase === 'All')!;
    expect([s.pupils.value, s.perm.value, s.susp.value, s.onePlus.value]).toEqual([72471, 95, 10955, 3544]);
    expect(imp!.schools.some((r) => r.perm.value !== null && !Number.isInteger(r.perm.value))).toBe(true);
    expect(imp!.las.get('820')!.abolished).toBe(true);
    // The lookup's regions are sub-regions; each is placed in its English region.
    expect(imp!.laRegions.get('878')).toMatchObject({ subRegion: 'South West A', region: 'South West' });
  });

  it('builds and audits a whole release from the DfE files alone', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dfe-release-'));
    const lines: string[] = [];
    try {
      const out = path.join(dir, 'out');
      const manifest = await runPipeline({ input: '', out, stagingRoot: path.join(dir, 'staging'), log: (l) => lines.push(l), dfe: { files: all, year: 2018, la: '878' } });
      expect(manifest.la).toMatchObject({ code: '878', name: 'Devon', region: 'South West' });
      expect(manifest.sources).toHaveLength(6);
      for (const s of manifest.sources) {
        expect(s.kind).toBe('DfE open data');
        expect(s.files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(s.rule).toBe('pipeline');
      }
      expect(manifest.latest_year).toBe('2016/17');
      expect(manifest.tables.schools.rows).toBeGreaterThan(300);
      const summary = lines.join('\n');
      expect(summary).toMatch(/published rates recomputed from their counts: 0 differ beyond rounding/);
      expect(summary).toMatch(/LA totals against their schools summed: 0 differ/);
      expect(summary).toContain('census for 2018/19 matches no year');
      expect(await auditRelease(out, { minCount: 5, minGroup: 10 })).toEqual([]);

      // SEN primary need, through the published release: national_exclusions_by_characteristic_2011-2017.csv,
      // 2016/17, Total, autistic spectrum disorder: headcount 108,405, permanent exclusions 125 (rate
      // 0.12), fixed-period 10,365 (9.56), one or more fixed-period 4,840 (4.46); rates to 2 decimals.
      const needs = parseCsv(readFileSync(path.join(out, 'area_breakdown.csv'), 'utf8'));
      const c = (name: string) => needs.columns[needs.names.indexOf(name)]!;
      const rowOf = (year: string, phase: string, code: string) =>
        c('academic_year').findIndex((y, r) => y === year && c('phase')[r] === phase && c('category_code')[r] === code && c('dimension')[r] === 'need');
      const asd = rowOf('2016/17', 'All', 'ASD');
      expect(asd).toBeGreaterThanOrEqual(0);
      const at = (name: string) => Number(c(name)[asd]);
      expect([c('area_type')[asd], c('pupil_group')[asd], c('category')[asd], c('source')[asd]]).toEqual([
        'England',
        'SEND',
        'Autistic spectrum disorder',
        'DfE: national_exclusions_by_characteristic_2011-2017.csv'
      ]);
      expect([at('pupils'), at('permanent_exclusions'), at('suspensions'), at('pupils_suspended')]).toEqual([108405, 125, 10365, 4840]);
      const rate = (n: string) => ((at(n) / at('pupils')) * 100).toFixed(2);
      expect([rate('permanent_exclusions'), rate('suspensions'), rate('pupils_suspended')]).toEqual(['0.12', '9.56', '4.46']);
      // BESD to 2013/14, SEMH from 2014/15, never both in a year; every school type the file gives.
      expect([rowOf('2013/14', 'All', 'BESD'), rowOf('2014/15', 'All', 'SEMH')].every((r) => r >= 0)).toBe(true);
      expect([rowOf('2013/14', 'All', 'SEMH'), rowOf('2014/15', 'All', 'BESD')]).toEqual([-1, -1]);
      expect(new Set(c('phase'))).toEqual(new Set(['All', 'Primary', 'Secondary', 'Special']));
      expect(needs.rows).toBe(300);
      // DfE's x (1 or 2 pupils) stays withheld: multi-sensory impairment's permanent exclusions.
      const msi = rowOf('2016/17', 'All', 'MSI');
      expect([c('permanent_exclusions')[msi], c('permanent_exclusions_flag')[msi]]).toEqual([null, 'c']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  describe('passed through under DfE\u2019s own suppression (dfe_pass_through)', () => {
    let dir = '';
    let out = '';
    let manifest: Awaited<ReturnType<typeof runPipeline>>;
    const lines: string[] = [];
    const THRESHOLDS = { minCount: 5, minGroup: 10 };
    const read = (table: AuditTableName): Grid => parseCsv(readFileSync(path.join(out, `${table}.csv`), 'utf8'));
    const tables = () => new Map<AuditTableName, Grid>((['schools', 'school_year', 'school_year_reason', 'school_period', 'area_year', 'area_breakdown'] as const).map((t) => [t, read(t)]));
    const col = (g: Grid, name: string) => g.columns[g.names.indexOf(name)]!;

    it('publishes the Devon release from the shared files and passes the audit under DfE\u2019s rule', async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'dfe-pass-'));
      out = path.join(dir, 'out');
      const config = path.join(dir, 'config.json');
      writeFileSync(config, JSON.stringify({ dfe_pass_through: true }));
      manifest = await runPipeline({ input: '', out, config, stagingRoot: path.join(dir, 'staging'), log: (l) => lines.push(l), dfe: { files: all, year: 2018, la: '878' } });
      expect(manifest.disclosure.mode).toBe('dfe-published');
      for (const s of manifest.sources) expect([s.kind, s.rule, s.published_under]).toEqual(['DfE open data', 'dfe-published', expect.stringContaining('DfE\u2019s own suppression')]);
      expect(lines.join('\n')).toContain('checked against DfE\u2019s own rule');
      const report = await runAudit(out, THRESHOLDS);
      expect(report.breaches.map(formatBreach)).toEqual([]);
      expect(report.mode).toBe('dfe-published');
      expect(report.checked.get('DfE pass-through')).toBeGreaterThan(1000);
      // England's primary-need rows pass through too, each naming its DfE file.
      expect(read('area_breakdown').rows).toBe(300);
      // The same release held to the pipeline's thresholds would not pass: DfE publishes 3s and 4s.
      expect(auditTables(tables(), THRESHOLDS).length).toBeGreaterThan(100);
    }, 120_000);

    it('is refused when a source is not DfE open data, or lacks its checksum', async () => {
      const copy = path.join(dir, 'not-dfe');
      cpSync(out, copy, { recursive: true });
      const m = JSON.parse(readFileSync(path.join(copy, 'manifest.json'), 'utf8'));
      m.sources[1].kind = 'council extract';
      delete m.sources[2].files[0].sha256;
      writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify(m));
      const report = await runAudit(copy, THRESHOLDS);
      expect(report.mode).toBe('pipeline');
      const refused = report.breaches.filter((b) => b.rule === 'DfE pass-through').map((b) => b.detail);
      expect(refused).toEqual([
        expect.stringMatching(/exclusions_national_regional_la_2006-2023\.csv is "council extract", not "DfE open data"/),
        expect.stringMatching(/national_exclusions_by_characteristic_2011-2017\.csv has no SHA-256 checksum/)
      ]);
      // And held to the pipeline's thresholds besides.
      expect(report.breaches.some((b) => b.rule === 'small count')).toBe(true);
    }, 60_000);

    it('catches figures DfE would not have published', () => {
      const base = tables();
      expect(auditTables(base, { ...THRESHOLDS, manifest })).toEqual([]);
      const sy = base.get('school_year')!;
      const group = col(sy, 'pupil_group');
      const ps = col(sy, 'pupils_suspended');
      const psFlag = col(sy, 'pupils_suspended_flag');
      const mutate = (f: (t: Map<AuditTableName, Grid>) => void) => {
        const t = new Map([...base].map(([k, g]) => [k, { ...g, columns: g.columns.map((c) => [...c]) }]));
        f(t);
        return auditTables(t, { ...THRESHOLDS, manifest }).map(formatBreach);
      };
      // A count of 2 where DfE withheld one (x: 1 or 2 pupils).
      const withheld = ps.findIndex((v, r) => v === null && psFlag[r] === 'c' && group[r] === 'All pupils');
      expect(withheld).toBeGreaterThanOrEqual(0);
      expect(
        mutate((t) => {
          const g = t.get('school_year')!;
          col(g, 'pupils_suspended')[withheld] = '2';
          col(g, 'pupils_suspended_flag')[withheld] = null;
        })
      ).toEqual([expect.stringMatching(new RegExp(`^school_year\\.csv:${withheld + 1} pupils_suspended: small count — .*DfE withholds school-level counts from 1 to 2`))]);
      // An SEN split by school, which DfE does not publish.
      const ehc = group.findIndex((v) => v === 'EHC plan');
      expect(
        mutate((t) => {
          const g = t.get('school_year')!;
          col(g, 'permanent_exclusions')[ehc] = '7';
          col(g, 'permanent_exclusions_flag')[ehc] = null;
        })
      ).toEqual([expect.stringMatching(/permanent_exclusions: DfE pass-through — .*for EHC plan; DfE publishes school-level exclusions for all pupils only/)]);
      // ... and the sessions lost with them (an outside review found these were not checked).
      expect(
        mutate((t) => {
          const g = t.get('school_year')!;
          col(g, 'sessions_lost')[ehc] = '37';
          col(g, 'sessions_lost_flag')[ehc] = null;
        })
      ).toEqual([expect.stringMatching(/sessions_lost: DfE pass-through — .*for EHC plan; DfE publishes school-level exclusions for all pupils only/)]);
      // An area row from somewhere else.
      expect(mutate((t) => (col(t.get('area_year')!, 'source')[0] = 'Council extract'))).toEqual([expect.stringMatching(/area_year\.csv:1 source: DfE pass-through — source "Council extract" is not a DfE file/)]);
      // A pooled figure over a year DfE withheld.
      const sp = base.get('school_period')!;
      const spFlag = col(sp, 'pupils_suspended_flag');
      const pooled = spFlag.findIndex((f) => f === 'c');
      expect(pooled).toBeGreaterThanOrEqual(0);
      expect(
        mutate((t) => {
          const g = t.get('school_period')!;
          col(g, 'pupils_suspended')[pooled] = '40';
          col(g, 'pupils_suspended_flag')[pooled] = null;
        })
      ).toEqual([expect.stringMatching(/school_period\.csv:\d+ pupils_suspended: DfE pass-through — pupils_suspended is pooled over years whose figure is not published/)]);
      rmSync(dir, { recursive: true, force: true });
    });
  });
});
