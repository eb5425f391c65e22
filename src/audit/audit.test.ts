// Tests of the independent disclosure audit on tiny hand-made releases, each written in all three
// formats (CSV and Parquet by native DuckDB COPY, Arrow by apache-arrow) with a real manifest, so the
// audit reads exactly what a release holds. A clean, correctly suppressed release must pass; each
// fixture then plants exactly one kind of breach and the audit must name that rule and that cell.
// Finally the audit runs on the full synthetic demo release, and its own sources are checked for
// imports from the pipeline or the shared library it must stay independent of.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Int32, Table, Utf8, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRelease, formatBreach, runAudit, type Breach } from './audit';
import { scanValue } from './identifiers';
import { passThroughGate } from './dfe-published';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const OPTS = { minCount: 5, minGroup: 10 };

// ---------------------------------------------------------------------------------------------
// Fixture builder: the published columns, written out here (not imported: see the independence test).

type Value = string | number | null;
type Row = Record<string, Value>;
type TableName = 'schools' | 'school_year' | 'school_year_reason' | 'school_period' | 'area_year' | 'area_breakdown';
interface Release {
  schools: Row[];
  school_year: Row[];
  school_year_reason: Row[];
  school_period: Row[];
  area_year: Row[];
  area_breakdown: Row[];
}
const TABLES: TableName[] = ['schools', 'school_year', 'school_year_reason', 'school_period', 'area_year', 'area_breakdown'];

const counted = (...names: string[]): [string, 'INTEGER' | 'VARCHAR'][] => names.flatMap((n) => [[n, 'INTEGER'], [`${n}_flag`, 'VARCHAR']] as [string, 'INTEGER' | 'VARCHAR'][]);
const text = (...names: string[]): [string, 'VARCHAR'][] => names.map((n) => [n, 'VARCHAR']);
const YEAR_COUNTS = ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost', 'pupils_repeat_suspended', 'pupils_fsm'] as const;
const PERIOD_COUNTS = ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost'] as const;
const COLUMNS: Record<TableName, [string, 'INTEGER' | 'VARCHAR'][]> = {
  schools: text('urn', 'laestab', 'name', 'la_code', 'la_name', 'region', 'phase', 'type', 'status', 'trust'),
  school_year: [...text('urn', 'academic_year'), ['year_start', 'INTEGER'], ...text('pupil_group'), ...counted(...YEAR_COUNTS)],
  school_year_reason: [...text('urn', 'academic_year'), ['year_start', 'INTEGER'], ...text('pupil_group', 'reason_code', 'reason'), ...counted('suspensions', 'permanent_exclusions')],
  school_period: [...text('urn', 'period'), ['first_year_start', 'INTEGER'], ['last_year_start', 'INTEGER'], ...text('pupil_group'), ...counted(...PERIOD_COUNTS)],
  area_year: [...text('area_type', 'area_code', 'area_name', 'academic_year'), ['year_start', 'INTEGER'], ...text('phase', 'pupil_group'), ...counted(...YEAR_COUNTS), ...text('source')],
  area_breakdown: [
    ...text('area_type', 'area_code', 'area_name', 'academic_year'),
    ['year_start', 'INTEGER'],
    ...text('phase', 'pupil_group', 'dimension', 'category_code', 'category'),
    ...counted(...PERIOD_COUNTS),
    ...text('source')
  ]
};
/** A school-year's counts: the five of a `Counts` tuple, then repeat suspensions and FSM (zeros here). */
const SY_COUNTS = YEAR_COUNTS;
const PARTS = ['EHC plan', 'SEN support', 'No SEN'] as const;
const REASONS: Record<string, string> = {
  PD: 'Persistent disruptive behaviour',
  PA: 'Physical assault against an adult',
  VA: 'Verbal abuse or threatening behaviour against an adult'
};

const SCHOOLS = [
  { urn: '900001', name: 'Casterbridge Primary School', phase: 'Primary', estab: '2001' },
  { urn: '900002', name: 'Budmouth Primary School', phase: 'Primary', estab: '2002' },
  { urn: '900003', name: 'Sherton Abbas Academy', phase: 'Secondary', estab: '4003' },
  { urn: '900004', name: 'Kingsbere School', phase: 'Secondary', estab: '4004' },
  { urn: '900005', name: 'Mellstock Primary School', phase: 'Primary', estab: '2005' }
];
/** [pupils, suspensions, pupils_suspended, permanent_exclusions, sessions_lost]: all 0 or at least 5. */
type Counts = [number, number, number, number, number];
const BASE: Record<string, Record<(typeof PARTS)[number], Counts>> = {
  '900001': { 'EHC plan': [12, 10, 5, 0, 20], 'SEN support': [40, 12, 6, 0, 24], 'No SEN': [300, 30, 20, 0, 60] },
  '900002': { 'EHC plan': [15, 8, 5, 0, 16], 'SEN support': [45, 14, 7, 0, 28], 'No SEN': [320, 25, 18, 0, 50] },
  '900003': { 'EHC plan': [20, 25, 10, 0, 60], 'SEN support': [80, 40, 20, 0, 90], 'No SEN': [900, 120, 60, 5, 250] },
  '900004': { 'EHC plan': [25, 30, 12, 0, 70], 'SEN support': [90, 45, 22, 0, 100], 'No SEN': [950, 130, 65, 6, 260] },
  '900005': { 'EHC plan': [11, 6, 5, 0, 12], 'SEN support': [30, 10, 5, 0, 20], 'No SEN': [200, 20, 10, 0, 40] }
};
const ENGLAND: Record<(typeof PARTS)[number], number[]> = {
  'EHC plan': [200000, 30000, 12000, 300],
  'SEN support': [1000000, 100000, 50000, 2000],
  'No SEN': [7000000, 200000, 100000, 4000]
};

interface BuildOptions {
  years?: string[];
  /** Also write each school's pooled years (school_period), fully published. */
  period?: boolean;
  /** Also write the LA's breakdowns (area_breakdown) by need, FSM, term and reason, fully published. */
  breakdown?: boolean;
  /** Replace a school group's counts in a year. */
  counts?: (urn: string, year: string, group: string, base: Counts) => Counts;
  /** The reasons of a school group: [code, suspensions, permanent exclusions]. Default: all PD / PA. */
  reasons?: (urn: string, year: string, group: string, c: Counts) => [string, number, number][];
}

const withFlags = (names: readonly string[], values: number[]): Row =>
  Object.fromEntries(names.flatMap((n, i) => [[n, values[i] ?? 0], [`${n}_flag`, null]]));
const yearStart = (y: string) => Number(y.slice(0, 4));
const sum = (rows: number[][], n: number) => Array.from({ length: n }, (_, i) => rows.reduce((s, r) => s + (r[i] ?? 0), 0));

/** A fully published, internally consistent release (every total the sum of its parts). */
function build(opts: BuildOptions = {}): Release {
  const years = opts.years ?? ['2021/22'];
  const rel: Release = { schools: [], school_year: [], school_year_reason: [], school_period: [], area_year: [], area_breakdown: [] };
  for (const s of SCHOOLS) {
    rel.schools.push({ urn: s.urn, laestab: `990${s.estab}`, name: s.name, la_code: '990', la_name: 'Wessex', region: 'South West', phase: s.phase, type: 'Academy', status: 'Open', trust: 'Wessex Learning Trust' });
  }
  const la: Record<string, number[][]> = {};
  for (const year of years) {
    for (const s of SCHOOLS) {
      const groups = PARTS.map((g) => {
        const base = BASE[s.urn]?.[g] as Counts;
        return [g, opts.counts ? opts.counts(s.urn, year, g, base) : base] as const;
      });
      const all = sum(groups.map(([, c]) => c), 5);
      for (const [g, c] of [['All pupils', all] as const, ...groups]) {
        rel.school_year.push({ urn: s.urn, academic_year: year, year_start: yearStart(year), pupil_group: g, ...withFlags(SY_COUNTS, [...c, 0, 0]) });
        for (const phase of ['All', s.phase]) (la[`${year}|${phase}|${g}`] ??= []).push([...c, 0, 0]);
      }
      const byReason = new Map<string, Map<string, [number, number]>>();
      for (const [g, c] of groups) {
        const reasons = opts.reasons ? opts.reasons(s.urn, year, g, c) : ([...(c[1] > 0 ? [['PD', c[1], 0]] : []), ...(c[3] > 0 ? [['PA', 0, c[3]]] : [])] as [string, number, number][]);
        for (const [code, susp, pe] of reasons) {
          if (!byReason.has(code)) byReason.set(code, new Map());
          byReason.get(code)?.set(g, [susp, pe]);
        }
      }
      for (const [code, groupsOf] of byReason) {
        const all2 = sum([...groupsOf.values()], 2);
        for (const [g, v] of [['All pupils', all2] as const, ...groupsOf]) {
          rel.school_year_reason.push({ urn: s.urn, academic_year: year, year_start: yearStart(year), pupil_group: g, reason_code: code, reason: REASONS[code] ?? code, ...withFlags(['suspensions', 'permanent_exclusions'], v) });
        }
      }
    }
    for (const phase of ['All', 'Primary', 'Secondary']) {
      for (const g of ['All pupils', ...PARTS]) {
        const v = sum(la[`${year}|${phase}|${g}`] ?? [], 7);
        rel.area_year.push({ area_type: 'LA', area_code: '990', area_name: 'Wessex', academic_year: year, year_start: yearStart(year), phase, pupil_group: g, ...withFlags(SY_COUNTS, v), source: 'council extract' });
      }
    }
    const eng = sum(Object.values(ENGLAND), 4);
    for (const [g, v] of [['All pupils', eng] as const, ...Object.entries(ENGLAND)]) {
      rel.area_year.push({
        area_type: 'England', area_code: 'E92000001', area_name: 'England', academic_year: year, year_start: yearStart(year), phase: 'All', pupil_group: g,
        ...withFlags(['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions'], v),
        ...notAvailable('sessions_lost', 'pupils_repeat_suspended', 'pupils_fsm'),
        source: 'comparator file'
      });
    }
    if (opts.breakdown) addBreakdowns(rel, year);
  }
  if (opts.period) rel.school_period = pooled(rel);
  // The pipeline's sort orders, so row numbers are what a reader of the CSV would count.
  const by = (...keys: string[]) => (a: Row, b: Row) => {
    for (const k of keys) {
      const x = a[k] ?? '';
      const y = b[k] ?? '';
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  };
  rel.school_year.sort(by('urn', 'year_start', 'pupil_group'));
  rel.school_year_reason.sort(by('urn', 'year_start', 'pupil_group', 'reason_code'));
  rel.area_year.sort(by('area_type', 'area_code', 'year_start', 'phase', 'pupil_group'));
  rel.area_breakdown.sort(by('area_type', 'area_code', 'year_start', 'phase', 'dimension', 'pupil_group', 'category_code'));
  return rel;
}

const notAvailable = (...names: string[]): Row => Object.fromEntries(names.flatMap((n) => [[n, null], [`${n}_flag`, 'x']]));
const notApplicable = (...names: string[]): Row => Object.fromEntries(names.flatMap((n) => [[n, null], [`${n}_flag`, 'z']]));

/** Each school's latest three years (of those in the release) pooled, from its school_year rows as they are. */
function pooled(rel: Release): Row[] {
  const last = Math.max(...rel.school_year.map((r) => Number(r.year_start)));
  const first = Math.min(...rel.school_year.map((r) => Number(r.year_start)).filter((y) => y > last - 3));
  const out: Row[] = [];
  for (const s of SCHOOLS) {
    for (const g of ['All pupils', ...PARTS]) {
      const years = rel.school_year.filter((r) => r.urn === s.urn && r.pupil_group === g && Number(r.year_start) >= first);
      const v = PERIOD_COUNTS.map((c) => years.reduce((a, r) => a + Number(r[c]), 0));
      out.push({ urn: s.urn, period: `${first} to ${last}`, first_year_start: first, last_year_start: last, pupil_group: g, ...withFlags(PERIOD_COUNTS, v) });
    }
  }
  return out;
}

/**
 * The LA's breakdowns of a year, consistent with its area_year rows: every pupil has one need (EHC
 * plan: ASD, SEN support: SLCN) and no FSM, every event starts in the autumn, and reasons are the
 * schools' reasons summed.
 */
function addBreakdowns(rel: Release, year: string): void {
  const la = { area_type: 'LA', area_code: '990', area_name: 'Wessex', academic_year: year, year_start: yearStart(year), phase: 'All', source: 'council extract' };
  const cat = (dimension: string, code: string) => ({ dimension, category_code: code, category: code });
  for (const g of ['All pupils', ...PARTS]) {
    const a = find(rel.area_year, { area_type: 'LA', academic_year: year, phase: 'All', pupil_group: g });
    const v = PERIOD_COUNTS.map((c) => Number(a[c]));
    const zero = PERIOD_COUNTS.map(() => 0);
    if (g === 'EHC plan' || g === 'SEN support') {
      rel.area_breakdown.push({ ...la, pupil_group: g, ...cat('need', g === 'EHC plan' ? 'ASD' : 'SLCN'), ...withFlags(PERIOD_COUNTS, v) });
      rel.area_breakdown.push({ ...la, pupil_group: g, ...cat('need', 'SEMH'), ...withFlags(PERIOD_COUNTS, zero) });
    }
    rel.area_breakdown.push({ ...la, pupil_group: g, ...cat('fsm', 'NOT_FSM'), ...withFlags(PERIOD_COUNTS, v) });
    rel.area_breakdown.push({ ...la, pupil_group: g, ...cat('fsm', 'FSM'), ...withFlags(PERIOD_COUNTS, zero) });
    for (const [term, w] of [['AUT', 1], ['SPR', 0], ['SUM', 0]] as const) {
      rel.area_breakdown.push({ ...la, pupil_group: g, ...cat('term', term), ...notApplicable('pupils'), ...withFlags(PERIOD_COUNTS.slice(1), v.slice(1).map((x) => x * w)) });
    }
    for (const code of Object.keys(REASONS)) {
      const schools = rel.school_year_reason.filter((r) => r.academic_year === year && r.pupil_group === g && r.reason_code === code);
      const counts = ['suspensions', 'permanent_exclusions'].map((c) => schools.reduce((x, r) => x + Number(r[c]), 0));
      rel.area_breakdown.push({ ...la, pupil_group: g, ...cat('reason', code), ...notApplicable('pupils', 'pupils_suspended', 'sessions_lost'), ...withFlags(['suspensions', 'permanent_exclusions'], counts) });
    }
  }
}

/** The one row matching every given column. */
function find(rows: Row[], where: Row): Row {
  const hits = rows.filter((r) => Object.entries(where).every(([k, v]) => r[k] === v));
  if (hits.length !== 1) throw new Error(`expected one row matching ${JSON.stringify(where)}, found ${hits.length}`);
  return hits[0] as Row;
}
const rowNo = (rows: Row[], where: Row): number => rows.indexOf(find(rows, where)) + 1;
const sy = (urn: string, group: string, year = '2021/22'): Row => ({ urn, academic_year: year, pupil_group: group });

function suppress(row: Row, ...cols: string[]): void {
  for (const c of cols) {
    row[c] = null;
    row[`${c}_flag`] = 'c';
  }
}

/** Events follow pupils into school_year_reason, as the suppressor must do. */
function followIntoReasons(rel: Release): void {
  for (const r of rel.school_year_reason) {
    const s = find(rel.school_year, { urn: r.urn ?? '', academic_year: r.academic_year ?? '', pupil_group: r.pupil_group ?? '' });
    if (s.pupils_suspended === null) suppress(r, 'suspensions');
    if (s.permanent_exclusions === null) suppress(r, 'permanent_exclusions');
  }
}

const LABEL = 'SYNTHETIC TEST DATA – fictional pupils';
const literal = (v: Value): string => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`);

let conn: DuckDBConnection;
let instance: DuckDBInstance;
let tmpRoot: string;
let counter = 0;

interface WriteOptions {
  synthetic?: boolean;
  /** Runs after the data files are written and before the manifest describes them. */
  beforeManifest?: (dir: string) => void | Promise<void>;
}

async function writeRelease(rel: Release, opts: WriteOptions = {}): Promise<string> {
  const dir = path.join(tmpRoot, `release-${++counter}`);
  mkdirSync(dir, { recursive: true });
  const tables: Record<string, unknown> = {};
  for (const table of TABLES) {
    const rows = rel[table];
    const cols = [...COLUMNS[table]];
    for (const r of rows) for (const k of Object.keys(r)) if (!cols.some(([n]) => n === k)) cols.push([k, 'VARCHAR']);
    const t = `t_${table}`;
    await conn.run(`CREATE OR REPLACE TABLE ${t} (${cols.map(([n, ty]) => `"${n}" ${ty}`).join(', ')})`);
    if (rows.length) await conn.run(`INSERT INTO ${t} VALUES ${rows.map((r) => `(${cols.map(([n]) => literal(r[n] ?? null)).join(', ')})`).join(', ')}`);
    const file = (ext: string) => path.join(dir, `${table}.${ext}`);
    const kv = opts.synthetic ? `, KV_METADATA {dataset: '${LABEL}'}` : '';
    await conn.run(`COPY (SELECT * FROM ${t}) TO '${file('parquet')}' (FORMAT parquet, COMPRESSION zstd${kv})`);
    await conn.run(`COPY (SELECT ${opts.synthetic ? `'${LABEL}' AS dataset, ` : ''}* FROM ${t}) TO '${file('csv')}' (FORMAT csv, HEADER true)`);
    const data = (await conn.runAndReadAll(`SELECT * FROM ${t}`)).getColumnsJS();
    const vectors: Record<string, Vector> = {};
    cols.forEach(([n, ty], i) => {
      vectors[n] = vectorFromArray((data[i] ?? []) as never[], ty === 'INTEGER' ? new Int32() : new Utf8()) as Vector;
    });
    writeFileSync(file('arrow'), tableToIPC(new Table(vectors), 'stream'));
  }
  await opts.beforeManifest?.(dir);
  for (const table of TABLES) {
    const describe = (ext: string) => {
      const bytes = readFileSync(path.join(dir, `${table}.${ext}`));
      return { path: `${table}.${ext}`, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    };
    tables[table] = { rows: rel[table].length, description: table, files: { arrow: describe('arrow'), parquet: describe('parquet'), csv: describe('csv') } };
  }
  const years = [...new Set(rel.school_year.map((r) => String(r.academic_year)))].sort();
  const manifest = {
    schema_version: 1,
    release: 'test',
    generated_at: new Date().toISOString(),
    synthetic: opts.synthetic ?? false,
    label: opts.synthetic ? LABEL : '',
    la: { code: '990', name: 'Wessex', region: 'South West' },
    neighbours: [],
    years,
    latest_year: years[years.length - 1],
    sources: [],
    disclosure: { applied: true, rules: ['DISCLOSURE.md'], thresholds: { min_count: 5, min_group: 10 }, cells_published: 0, cells_suppressed: {} },
    tables
  };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return dir;
}

function editManifest(dir: string, edit: (m: Record<string, any>) => void): void {
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
  edit(m);
  writeFileSync(file, JSON.stringify(m, null, 2));
}

const rules = (bs: Breach[]) => [...new Set(bs.map((b) => b.rule))].sort();
const show = (bs: Breach[]) => bs.map(formatBreach).join('\n');

/** A release with primary and secondary suppression done right, by hand (see the comments). */
function correctlySuppressed(): Release {
  const rel = build({
    years: ['2019/20', '2021/22'],
    counts: (urn, year, g, c) => {
      if (year !== '2019/20') return c;
      if (urn === '900003' && g === 'EHC plan') return [7, 25, 10, 0, 60]; // a small group
      if (urn === '900001' && g === 'EHC plan') return [12, 10, 3, 0, 20]; // a small count
      return c;
    }
  });
  const Y = '2019/20';
  // The small group, suppressed whole, and a rectangle around it so that no school-year (set A), LA
  // column (C) or phase column (D) is left with a single unknown: 900003/900004 x EHC/SEN support.
  for (const [urn, g] of [['900003', 'EHC plan'], ['900003', 'SEN support'], ['900004', 'EHC plan'], ['900004', 'SEN support']] as const) {
    suppress(find(rel.school_year, sy(urn, g, Y)), ...SY_COUNTS);
  }
  // The small count (pupils_suspended 3) with its events, and its rectangle among the primaries.
  for (const [urn, g] of [['900001', 'EHC plan'], ['900001', 'SEN support'], ['900002', 'EHC plan'], ['900002', 'SEN support']] as const) {
    suppress(find(rel.school_year, sy(urn, g, Y)), 'pupils_suspended', 'suspensions', 'sessions_lost');
  }
  followIntoReasons(rel);
  return rel;
}

beforeAll(async () => {
  tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'audit-test-'));
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
});

afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
  if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

describe('clean releases', () => {
  it('passes a fully published release with no small numbers', async () => {
    const dir = await writeRelease(build({ years: ['2019/20', '2020/21', '2021/22'], period: true, breakdown: true }));
    const breaches = await auditRelease(dir, OPTS);
    expect(show(breaches)).toBe('');
  });

  it('passes a correctly suppressed release (synthetic layout: dataset column and Parquet metadata)', async () => {
    const rel = correctlySuppressed();
    expect(rel.school_year.filter((r) => r.pupils_suspended_flag === 'c').length).toBe(8);
    const dir = await writeRelease(rel, { synthetic: true });
    const report = await runAudit(dir, OPTS);
    expect(show(report.breaches)).toBe('');
    // It did look: every rule checked something.
    for (const rule of ['small count', 'small group', 'events follow pupils', 'suppression marker', 'recoverable', 'inconsistent', 'identifier column', 'identifier value', 'manifest']) {
      expect(report.checked.get(rule), rule).toBeGreaterThan(0);
    }
  });
});

describe('rule 1: small counts', () => {
  it('catches a published pupil count of 3', async () => {
    const rel = build({ counts: (urn, _y, g, c) => (urn === '900001' && g === 'EHC plan' ? [12, 10, 3, 0, 20] : c) });
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(breaches).toEqual([
      expect.objectContaining({ rule: 'small count', table: 'school_year', row: rowNo(rel.school_year, sy('900001', 'EHC plan')), column: 'pupils_suspended', value: '3' })
    ]);
  });

  it('catches a reason count of 3 in school_year_reason', async () => {
    const rel = build();
    const ehc = find(rel.school_year_reason, { urn: '900003', pupil_group: 'EHC plan', reason_code: 'PD' });
    const all = find(rel.school_year_reason, { urn: '900003', pupil_group: 'All pupils', reason_code: 'PD' });
    all.suspensions = (all.suspensions as number) - (ehc.suspensions as number) + 3;
    ehc.suspensions = 3;
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(breaches).toEqual([expect.objectContaining({ rule: 'small count', table: 'school_year_reason', row: rel.school_year_reason.indexOf(ehc) + 1, column: 'suspensions' })]);
  });

  it('follows the threshold it is given', async () => {
    const dir = await writeRelease(build());
    const breaches = await auditRelease(dir, { minCount: 7, minGroup: 10 });
    expect(rules(breaches)).toEqual(['small count']);
    expect(breaches.every((b) => Number(b.value) >= 1 && Number(b.value) <= 6)).toBe(true);
  });
});

describe('rule 2: small groups', () => {
  it('catches a group of 7 pupils published with its counts', async () => {
    const rel = build({ counts: (urn, _y, g, c) => (urn === '900003' && g === 'EHC plan' ? [7, 25, 10, 0, 60] : c) });
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['small group']);
    const row = rowNo(rel.school_year, sy('900003', 'EHC plan'));
    expect(breaches.map((b) => `${b.row} ${b.column}`).sort()).toEqual(SY_COUNTS.map((c) => `${row} ${c}`).sort());
  });

  it('accepts a group of 0 pupils published as zeros', async () => {
    const rel = build({ counts: (urn, _y, g, c) => (urn === '900003' && g === 'EHC plan' ? [0, 0, 0, 0, 0] : c) });
    expect(show(await auditRelease(await writeRelease(rel), OPTS))).toBe('');
  });
});

describe('rule 3: events follow pupils', () => {
  it('catches suspensions and sessions published beside a suppressed pupils_suspended, in both tables', async () => {
    const rel = build();
    for (const [urn, g] of [['900001', 'EHC plan'], ['900001', 'SEN support'], ['900002', 'EHC plan'], ['900002', 'SEN support']] as const) {
      suppress(find(rel.school_year, sy(urn, g)), 'pupils_suspended');
    }
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['events follow pupils']);
    expect(breaches.filter((b) => b.table === 'school_year').map((b) => b.column).sort()).toEqual([...Array(4).fill('sessions_lost'), ...Array(4).fill('suspensions')]);
    expect(breaches.filter((b) => b.table === 'school_year_reason').length).toBe(4);
  });
});

describe('rule 4: suppression markers', () => {
  it('catches a NULL without a flag, a published 0 flagged c, and an unknown flag', async () => {
    const rel = correctlySuppressed();
    const Y = '2019/20';
    find(rel.school_year, sy('900001', 'EHC plan', Y)).pupils_suspended_flag = null;
    const zero = find(rel.school_year, sy('900002', 'No SEN', Y));
    zero.permanent_exclusions_flag = 'c';
    find(rel.school_year, sy('900004', 'SEN support', Y)).pupils_flag = 'q';
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['suppression marker']);
    expect(breaches.map((b) => b.column).sort()).toEqual(['permanent_exclusions_flag', 'pupils_flag', 'pupils_suspended']);
    expect(breaches.find((b) => b.column === 'permanent_exclusions_flag')?.detail).toMatch(/suppressed 0/);
  });
});

describe('rule 5: recoverable by subtraction', () => {
  it('catches a suppressed EHC cell whose total and other two groups are published (set A)', async () => {
    const rel = build();
    suppress(find(rel.school_year, sy('900001', 'EHC plan')), 'pupils');
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(breaches).toEqual([
      expect.objectContaining({ rule: 'recoverable', table: 'school_year', row: rowNo(rel.school_year, sy('900001', 'EHC plan')), column: 'pupils', value: 'c' })
    ]);
    expect(breaches[0]?.detail).toMatch(/^A: urn 900001 2021\/22 pupils: All pupils = EHC plan \+ SEN support \+ No SEN/);
  });

  it('propagates: a cell recovered through set A gives away another through set C', async () => {
    const rel = build();
    // 900001 EHC is alone in its school-year; 900002 EHC shares the EHC column (C, D) only with it;
    // every other suppressed cell has a partner in each of its equations.
    const cells: [string, string][] = [['900001', 'EHC plan'], ['900002', 'EHC plan'], ['900002', 'SEN support'], ['900002', 'All pupils'], ['900005', 'SEN support'], ['900005', 'All pupils']];
    for (const [urn, g] of cells) suppress(find(rel.school_year, sy(urn, g)), 'pupils');
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['recoverable']);
    const first = rowNo(rel.school_year, sy('900001', 'EHC plan'));
    const second = rowNo(rel.school_year, sy('900002', 'EHC plan'));
    expect(breaches.map((b) => [b.row, b.column])).toEqual([[first, 'pupils'], [second, 'pupils']]);
    expect(breaches[0]?.detail).toMatch(/^A: urn 900001 2021\/22 pupils/);
    expect(breaches[1]?.detail).toMatch(/^C: LA 990 2021\/22 EHC plan pupils: LA total = sum of 5 schools/);
    expect(breaches[1]?.detail).toContain(`school_year.csv:${first} pupils`);
  });

  it('combines equations: two hidden cells that add up to 0 are both 0, which gives away the cells beside them', async () => {
    // An outside review's case. Neither school's EHC plan pupils had a suspension, and each
    // school's SEN support cell is hidden beside it: every equation has two hidden cells, so no one
    // subtraction gives anything away. But set C says the two EHC cells add up to 0, so both are 0,
    // and then set A gives each school's SEN support count (3 and 7).
    const rel = build({
      counts: (urn, _y, g, c) =>
        g === 'EHC plan' && (urn === '900001' || urn === '900002') ? [c[0], 0, 0, 0, 0] : g === 'SEN support' && urn === '900001' ? [c[0], 6, 3, 0, 12] : c
    });
    for (const urn of ['900001', '900002']) {
      for (const g of ['EHC plan', 'SEN support']) {
        for (const col of ['suspensions', 'pupils_suspended', 'sessions_lost']) suppress(find(rel.school_year, sy(urn, g)), col);
        // Their reasons follow their pupils suspended.
        for (const r of rel.school_year_reason.filter((x) => x.urn === urn && x.pupil_group === g)) suppress(r, 'suspensions');
      }
    }
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['recoverable']);
    const senRow = (urn: string) => rowNo(rel.school_year, sy(urn, 'SEN support'));
    const found = breaches.filter((b) => b.table === 'school_year' && b.column === 'pupils_suspended').map((b) => [b.row, b.detail.replace(/ by combining.*/, '')]);
    expect(found).toEqual([
      [senRow('900001'), 'worked out as 3'],
      [senRow('900002'), 'worked out as 7']
    ]);
    expect(breaches[0]?.detail).toContain('counts being never negative');
  });

  it('catches recovery within area_year: pupil groups of the LA and of a comparator (set B)', async () => {
    const rel = build();
    suppress(find(rel.area_year, { area_type: 'LA', phase: 'Primary', pupil_group: 'No SEN' }), 'suspensions');
    suppress(find(rel.area_year, { area_type: 'England', pupil_group: 'EHC plan' }), 'permanent_exclusions');
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['recoverable']);
    expect(breaches.map((b) => b.detail.slice(0, 2)).sort()).toEqual(['B:', 'B:']);
  });

  it('applies set F (reasons add up to the events) before 2020/21 only', async () => {
    // 900001: SEN support's 12 suspensions are PD 6 + VA 6, No SEN's 30 are PD 20 + VA 10. Suppressing
    // both PD cells leaves two unknowns in set G, but one in each set F equation.
    const rel = build({
      years: ['2019/20', '2021/22'],
      reasons: (urn, _y, g, c) =>
        urn !== '900001' || g === 'EHC plan' ? [['PD', c[1], c[3]]] : g === 'SEN support' ? [['PD', 6, 0], ['VA', 6, 0]] : [['PD', 20, 0], ['VA', 10, 0]]
    });
    for (const year of ['2019/20', '2021/22']) {
      for (const g of ['SEN support', 'No SEN']) suppress(find(rel.school_year_reason, { urn: '900001', academic_year: year, pupil_group: g, reason_code: 'PD' }), 'suspensions');
    }
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['recoverable']);
    expect(breaches.length).toBe(2);
    for (const b of breaches) {
      expect(b.table).toBe('school_year_reason');
      expect(rel.school_year_reason[b.row - 1]?.academic_year).toBe('2019/20');
      expect(b.detail).toMatch(/^F: urn 900001 2019\/20/);
    }
  });

  it('checks the arithmetic of fully published equations, set F only before 2020/21', async () => {
    // VA 15 instead of 10 for No SEN: reasons add up to 35 suspensions against 30 events. Allowed from
    // 2020/21 (an event can record three reasons), inconsistent before.
    const reasons: BuildOptions['reasons'] = (urn, _y, g, c) =>
      urn !== '900001' || g !== 'No SEN' ? [['PD', c[1], c[3]]] : [['PD', 20, 0], ['VA', 15, 0]];
    const later = await auditRelease(await writeRelease(build({ years: ['2021/22'], reasons })), OPTS);
    expect(show(later)).toBe('');
    const earlier = await auditRelease(await writeRelease(build({ years: ['2019/20'], reasons })), OPTS);
    expect(rules(earlier)).toEqual(['inconsistent']);
    expect(earlier.map((b) => b.detail.slice(0, 2)).sort()).toEqual(['F:', 'F:']); // No SEN and All pupils
  });

  it('reports a published total that is not the sum of its published parts', async () => {
    const rel = build();
    const all = find(rel.school_year, sy('900004', 'All pupils'));
    all.pupils = (all.pupils as number) + 1;
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['inconsistent']);
    // Against its groups (A), and as a part of the LA's totals (C, and D for secondaries).
    expect(breaches.map((b) => b.detail.slice(0, 2)).sort()).toEqual(['A:', 'C:', 'D:']);
    expect(breaches.find((b) => b.detail.startsWith('A:'))).toEqual(
      expect.objectContaining({ table: 'school_year', row: rel.school_year.indexOf(all) + 1, column: 'pupils', value: String(all.pupils) })
    );
  });
});

describe('sets H to M: pooled years and breakdowns', () => {
  const years = ['2019/20', '2020/21', '2021/22'];
  const pooledRow = (rel: Release, urn: string, g: string) => find(rel.school_period, { urn, pupil_group: g });
  const lastYear = (urn: string, g: string) => sy(urn, g, '2021/22');

  it('catches a yearly cell recovered from the pooled total and the other years (H)', async () => {
    const rel = build({ years, period: true });
    // A rectangle of four keeps sets A and C closed; the pooled rows of the same cells are published.
    for (const [urn, g] of [['900003', 'EHC plan'], ['900003', 'SEN support'], ['900004', 'EHC plan'], ['900004', 'SEN support']] as const) {
      suppress(find(rel.school_year, lastYear(urn, g)), 'pupils');
    }
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['recoverable']);
    expect(breaches.length).toBe(4);
    expect(breaches.every((b) => b.table === 'school_year' && b.detail.startsWith('H: '))).toBe(true);
  });

  /**
   * Three years whose pupils are hidden in a closed rectangle (900001 and 900002, EHC plan and SEN
   * support, every year), so that set H cannot give a pooled cell away: each pooled row's years are
   * all unknown.
   */
  const hiddenYears = (): Release => {
    const rel = build({ years, period: true });
    for (const y of years) {
      for (const [urn, g] of [['900001', 'EHC plan'], ['900001', 'SEN support'], ['900002', 'EHC plan'], ['900002', 'SEN support']] as const) {
        suppress(find(rel.school_year, sy(urn, g, y)), 'pupils');
      }
    }
    return rel;
  };

  it('catches a pooled cell recovered from its pupil groups (I)', async () => {
    const base = hiddenYears();
    expect(show(await auditRelease(await writeRelease(base), OPTS))).toBe('');
    suppress(pooledRow(base, '900001', 'EHC plan'), 'pupils');
    const breaches = await auditRelease(await writeRelease(base), OPTS);
    expect(breaches).toEqual([expect.objectContaining({ rule: 'recoverable', table: 'school_period', row: base.school_period.indexOf(pooledRow(base, '900001', 'EHC plan')) + 1, column: 'pupils' })]);
    expect(breaches[0]?.detail).toMatch(/^I: urn 900001 pooled pupils/);
  });

  it("catches a school's pooled cells recovered from the LA's years less the other schools' (J), and accepts them with a partner school", async () => {
    const rel = hiddenYears();
    for (const g of ['EHC plan', 'SEN support']) suppress(pooledRow(rel, '900001', g), 'pupils');
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['recoverable']);
    expect(breaches.length).toBe(2);
    for (const b of breaches) expect(b.detail).toMatch(/^J: LA 990 (EHC plan|SEN support) phase (All|Primary) pupils: 2019-2021, sum of 3 LA years = sum of \d schools' pooled rows/);
    for (const g of ['EHC plan', 'SEN support']) suppress(pooledRow(rel, '900002', g), 'pupils');
    expect(show(await auditRelease(await writeRelease(rel), OPTS))).toBe('');
  });

  it('judges a pooled row by its pupils a year, and accepts the same row once it is suppressed whole', async () => {
    const small = (urn: string, _y: string, g: string, c: Counts): Counts => (urn === '900005' && g === 'EHC plan' ? [9, 0, 0, 0, 0] : c);
    const rel = build({ years, period: true, counts: small });
    // 27 pupil-years over three years: could be a group of 9 every year.
    expect(pooledRow(rel, '900005', 'EHC plan').pupils).toBe(27);
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['small group']);
    expect(breaches.filter((b) => b.table === 'school_period').length).toBe(PERIOD_COUNTS.length);
    expect(breaches.find((b) => b.table === 'school_period')?.detail).toMatch(/over 3 years \(fewer than 28\)/);
  });

  it("catches a school's reason count recovered from the LA's reason total (K)", async () => {
    const rel = build({ breakdown: true });
    // PA's permanent exclusions come from 900003 and 900004 (No SEN) only; suppress 900003's in
    // the group and All pupils rows (set G closed): the LA's PA row gives them away.
    for (const g of ['No SEN', 'All pupils']) suppress(find(rel.school_year_reason, { urn: '900003', pupil_group: g, reason_code: 'PA' }), 'permanent_exclusions');
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['recoverable']);
    expect(breaches.map((b) => b.detail.slice(0, 2))).toEqual(['K:', 'K:']);
  });

  it("catches a breakdown category recovered from the area-year less the other categories (L), and checks their sum", async () => {
    const rel = build({ breakdown: true });
    suppress(find(rel.area_breakdown, { dimension: 'need', pupil_group: 'EHC plan', category_code: 'ASD' }), 'pupils_suspended', 'suspensions', 'sessions_lost');
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['recoverable']);
    expect(breaches.map((b) => b.detail.slice(0, 2))).toEqual(['L:', 'L:', 'L:']);

    const wrong = build({ breakdown: true });
    find(wrong.area_breakdown, { dimension: 'term', pupil_group: 'No SEN', category_code: 'SPR' }).suspensions = 5;
    const inconsistent = await auditRelease(await writeRelease(wrong), OPTS);
    expect(rules(inconsistent)).toEqual(['inconsistent']);
    expect(inconsistent.map((b) => b.detail.slice(0, 2)).sort()).toEqual(['L:', 'M:']);
  });

  it('does not hold terms to pupils_suspended (a pupil can be suspended in two terms), nor reasons from 2020/21', async () => {
    // A second reason on some suspensions: the reasons add up to more than the events.
    const rel = build({ years: ['2021/22'], breakdown: true, reasons: (_u, _y, _g, c) => [['PD', c[1], c[3]], ['VA', c[1] > 0 ? 5 : 0, 0]] });
    find(rel.area_breakdown, { dimension: 'term', pupil_group: 'All pupils', category_code: 'SPR' }).pupils_suspended = 40;
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    // The terms' pupils_suspended must still add up over the groups (M), so only that is reported.
    expect(breaches.map((b) => `${b.rule} ${b.detail.slice(0, 2)}`)).toEqual(['inconsistent M:']);
  });

  it("catches an FSM row read off area_year's pupils_fsm, the same pupils counted again (N)", async () => {
    const rel = build({ breakdown: true });
    // Every additive set of the breakdown keeps two hidden cells; only N gives them away.
    for (const pupil_group of ['EHC plan', 'SEN support']) {
      for (const category_code of ['FSM', 'NOT_FSM']) suppress(find(rel.area_breakdown, { dimension: 'fsm', pupil_group, category_code }), 'pupils');
    }
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['recoverable']);
    expect(breaches.some((b) => b.detail.startsWith('N:'))).toBe(true);
  });

  it('a hidden 0 under a published 0 is told, and so is what it was hiding with (found by an outside review)', async () => {
    // EHC plan at 900001 had no suspensions, so none for any reason: its hidden PD count is 0 for
    // all to see, and the PD set (G) is left with SEN support's alone hidden.
    const rel = build({
      counts: (urn, _y, g, c) => (urn === '900001' && g === 'EHC plan' ? [c[0], 0, 0, 0, 0] : c),
      reasons: (_u, _y, _g, c) => [['PD', c[1], 0]]
    });
    suppress(find(rel.school_year_reason, { urn: '900001', pupil_group: 'EHC plan', reason_code: 'PD' }), 'suspensions');
    suppress(find(rel.school_year_reason, { urn: '900001', pupil_group: 'SEN support', reason_code: 'PD' }), 'suspensions');
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(rules(breaches)).toEqual(['recoverable']);
    expect(breaches.map((b) => b.detail.split(' ')[0]).sort()).toEqual(['G:', 'told:']);
    expect(breaches.find((b) => b.detail.startsWith('told:'))?.detail).toMatch(/^told: school_year\.csv:\d+ suspensions is 0/);

    // No pupils suspended, so no suspensions either: a hidden 0 there protects nothing.
    const row = build({ counts: (urn, _y, g, c) => (urn === '900001' && g === 'EHC plan' ? [c[0], 0, 0, 0, 0] : c) });
    suppress(find(row.school_year, sy('900001', 'EHC plan')), 'suspensions');
    suppress(find(row.school_year, sy('900001', 'SEN support')), 'suspensions');
    const told = await auditRelease(await writeRelease(row), OPTS);
    expect(told.map((b) => b.detail.split(' ')[0]).sort()).toEqual(['A:', 'told:']);
  });

  it('catches a group recovered within a breakdown category (M)', async () => {
    const rel = build({ breakdown: true });
    suppress(find(rel.area_breakdown, { dimension: 'fsm', pupil_group: 'SEN support', category_code: 'NOT_FSM' }), 'pupils');
    suppress(find(rel.area_breakdown, { dimension: 'fsm', pupil_group: 'SEN support', category_code: 'FSM' }), 'pupils');
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    // Each is alone in its category's groups (M); together they close set L.
    expect(breaches.map((b) => b.detail.slice(0, 2))).toEqual(['M:', 'M:']);
  });

  it('accepts DfE\u2019s primary-need rows for England (group SEND, in no additive set) and holds them to the other rules', async () => {
    const need = (code: string, counts: number[], extra: Row = {}): Row => ({
      area_type: 'England',
      area_code: 'E92000001',
      area_name: 'England',
      academic_year: '2021/22',
      year_start: 2021,
      phase: 'All',
      pupil_group: 'SEND',
      dimension: 'need',
      category_code: code,
      category: code,
      ...withFlags(PERIOD_COUNTS, counts),
      sessions_lost: null,
      sessions_lost_flag: 'x',
      source: 'DfE: characteristics.csv',
      ...extra
    });
    const rel = build({ breakdown: true });
    // A lone withheld cell: nothing adds up to the SEND rows, so nothing gives it away.
    rel.area_breakdown.push(need('ASD', [108405, 10365, 4840, 125]), need('MSI', [3000, 100, 50, 0], { permanent_exclusions: null, permanent_exclusions_flag: 'c' }));
    expect(show(await auditRelease(await writeRelease(rel), OPTS))).toBe('');

    const small = build({ breakdown: true });
    small.area_breakdown.push(need('MSI', [3000, 100, 50, 3]), need('ASD', [108405, 10365, 4840, 125], { dimension: 'fsm' }));
    const breaches = await auditRelease(await writeRelease(small), OPTS);
    expect(breaches.map((b) => `${b.rule} ${b.column}`)).toEqual(['small count permanent_exclusions', 'inconsistent pupil_group']);
    expect(breaches[1]?.detail).toMatch(/unknown pupil group .*or SEND for dimension need/);
  });

  it("catches a breakdown's reason count published beside the area-year's suppressed pupils_suspended", async () => {
    const rel = build({ breakdown: true });
    const la = { area_type: 'LA', phase: 'All' };
    for (const g of ['EHC plan', 'SEN support']) {
      suppress(find(rel.area_year, { ...la, pupil_group: g }), 'pupils_suspended', 'suspensions', 'sessions_lost');
      for (const dim of ['need', 'fsm', 'term']) {
        for (const r of rel.area_breakdown.filter((x) => x.dimension === dim && x.pupil_group === g)) suppress(r, 'pupils_suspended', 'suspensions', 'sessions_lost');
      }
    }
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    const follows = breaches.filter((b) => b.rule === 'events follow pupils');
    expect(follows.length).toBe(2 * Object.keys(REASONS).length);
    expect(follows.every((b) => b.table === 'area_breakdown' && b.column === 'suspensions')).toBe(true);
  });
});

describe('rule 6: identifiers by column name', () => {
  it.each([
    ['school_year', 'pupil_ref'],
    ['schools', 'date_of_birth'],
    ['area_year', 'name'],
    ['school_year_reason', 'UPN']
  ] as const)('catches a %s column called %s', async (table, columnName) => {
    const rel = build();
    for (const r of rel[table]) r[columnName] = 'redacted';
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(breaches).toEqual([expect.objectContaining({ rule: 'identifier column', table, row: 0, column: columnName })]);
  });

  it('flags an unknown column as schema (the audit cannot vouch for it)', async () => {
    const rel = build();
    for (const r of rel.schools) r.note = 'ok';
    expect(rules(await auditRelease(await writeRelease(rel), OPTS))).toEqual(['schema']);
  });
});

describe('rule 7: identifiers by value', () => {
  it.each([
    ['a UPN in a school name', 'Casterbridge A123456789012 Primary', 'UPN', 'A123456789012'],
    ['a temporary UPN', 'A12345678901B', 'UPN', 'A12345678901B'],
    ['a postcode', 'Budmouth Primary School, BS1 4ST', 'postcode', 'BS1 4ST'],
    ['a date of birth', 'Casterbridge (born 2009-03-14)', 'date of birth', '2009-03-14'],
    ['a UK date', 'Casterbridge 14/03/2009', 'date of birth', '14/03/2009'],
    ['a UK date with a two-digit year', 'Casterbridge 14.03.09', 'date of birth', '14.03.09'],
    ['a date in words', 'Casterbridge, born 14th March 2009', 'date of birth', '14th March 2009'],
    ['a date in words, month first', 'Casterbridge (Mar. 14, 2009)', 'date of birth', 'Mar. 14, 2009'],
    // Shapes an outside review found missed:
    ['a date as Excel prints one', 'Casterbridge 14-Mar-2009', 'date of birth', '14-Mar-2009'],
    ['a date with the month in words and a two-digit year', 'Casterbridge, born 14 March 09', 'date of birth', '14 March 09'],
    ['a date month first', 'Casterbridge 03/14/2009', 'date of birth', '03/14/2009'],
    ['a date in figures separated by spaces', 'Casterbridge 14 03 2009', 'date of birth', '14 03 2009'],
    ['a date in figures without separators', 'Casterbridge 14032009', 'date of birth', '14032009'],
    ['a postcode with a no-break space', 'Budmouth Primary School, BS1\u00a04ST', 'postcode', 'BS1\u00a04ST'],
    ['a postcode with two spaces', 'Budmouth Primary School, BS1  4ST', 'postcode', 'BS1  4ST'],
    ['a demo pupil reference', 'P0A1B2C3D4', 'pupil reference', 'P0A1B2C3D4']
  ])('catches %s', async (_what, planted, kind, identifier) => {
    const rel = build();
    (rel.schools[1] as Row).name = planted;
    const breaches = await auditRelease(await writeRelease(rel), OPTS);
    expect(breaches).toEqual([expect.objectContaining({ rule: 'identifier value', table: 'schools', row: 2, column: 'name' })]);
    expect(breaches[0]?.detail.startsWith(kind)).toBe(true);
    expect(breaches[0]?.value).not.toContain(identifier); // masked, so logs do not repeat it
  });

  it('leaves alone the text a release publishes: years, periods, codes, names', () => {
    for (const text of ['2021/22', '2021/22 to 2023/24', 'SYNTHETIC DEMO DATA – fictional pupils, schools and local authority', 'Year 10 (2023/24)', 'Key Stage 2', 'St Mary’s C of E (VA) Primary School', 'Persistent disruptive behaviour', 'March 2020 to July 2021', 'Unit 1.2', 'Maths 1-2-3 Nursery', 'Room 12 2023', 'Tel 01234 567890', '2016/17 to 2023/24 (8 years)', 'Class 3 - Year 10', 'May 2021']) {
      expect(scanValue(text), text).toEqual([]);
    }
  });

  it('catches a date in a reason text of school_year_reason', async () => {
    const rel = build();
    const r = rel.school_year_reason[3] as Row;
    r.reason = 'Persistent disruptive behaviour, DOB 2009-03-14';
    expect(await auditRelease(await writeRelease(rel), OPTS)).toEqual([expect.objectContaining({ rule: 'identifier value', table: 'school_year_reason', row: 4, column: 'reason' })]);
  });

  it("looks for the extract's own pupil references when given the extract", async () => {
    const extract = path.join(tmpRoot, 'extract');
    mkdirSync(extract, { recursive: true });
    writeFileSync(path.join(extract, 'pupils.csv'), 'academic_year,pupil_ref,urn\n2021/22,WX-000123,900001\n2021/22,WX-000124,900001\n');
    const rel = build();
    (rel.schools[0] as Row).name = 'Casterbridge WX-000124';
    (rel.schools[2] as Row).status = 'WX-000123';
    const dir = await writeRelease(rel);
    expect(show(await auditRelease(dir, OPTS))).toBe(''); // neither looks like the demo's references
    const breaches = await auditRelease(dir, { ...OPTS, extractDir: extract });
    expect(breaches.map((b) => [b.rule, b.row, b.column])).toEqual([['identifier value', 1, 'name'], ['identifier value', 3, 'status']]);
  });

  it("finds the extract's pupil references however its pupils.csv is written", async () => {
    const rel = build();
    (rel.schools[0] as Row).name = 'Casterbridge WX-000124';
    (rel.schools[2] as Row).status = 'WX-000123';
    const dir = await writeRelease(rel);
    const forms: [string, Buffer][] = [
      ['references last, CRLF line ends', Buffer.from('academic_year,urn,pupil_ref\r\n2021/22,900001,WX-000123\r\n2021/22,900001,WX-000124\r\n')],
      ['CR line ends', Buffer.from('academic_year,urn,pupil_ref\r2021/22,900001,WX-000123\r2021/22,900001,WX-000124\r')],
      ['a byte order mark', Buffer.from('\ufeffpupil_ref,urn\nWX-000123,900001\nWX-000124,900001\n')],
      ['every field quoted', Buffer.from('"academic_year","pupil_ref"\n"2021/22","WX-000123"\n"2021/22","WX-000124"\n')],
      ['Windows-1252 text in another column', Buffer.concat([Buffer.from('pupil_ref,note\nWX-000123,Hawkins'), Buffer.from([0x92]), Buffer.from(' note\nWX-000124,x\n')])]
    ];
    const extractOf = (k: number, bytes: Buffer) => {
      const extract = path.join(tmpRoot, `extract-form-${k}`);
      mkdirSync(extract, { recursive: true });
      writeFileSync(path.join(extract, 'pupils.csv'), bytes);
      return extract;
    };
    for (const [k, [name, bytes]] of forms.entries()) {
      const breaches = await auditRelease(dir, { ...OPTS, extractDir: extractOf(k, bytes) });
      expect(breaches.map((b) => [b.rule, b.row, b.column]), name).toEqual([['identifier value', 1, 'name'], ['identifier value', 3, 'status']]);
    }
    // A file no reader can take apart is refused, not passed over.
    const ragged = extractOf(forms.length, Buffer.from('pupil_ref,urn\nWX-000123,900001,extra\nWX-000124,900001\n'));
    await expect(auditRelease(dir, { ...OPTS, extractDir: ragged })).rejects.toThrow(/cannot read pupil_ref \(line 2: expected 2 fields, found 3\)/);
  });
});

describe('rule 8: manifest', () => {
  it('catches a checksum mismatch', async () => {
    const dir = await writeRelease(build());
    editManifest(dir, (m) => {
      m.tables.school_year.files.csv.sha256 = '0'.repeat(64);
    });
    expect(await auditRelease(dir, OPTS)).toEqual([expect.objectContaining({ rule: 'manifest', table: 'school_year', row: 0, column: 'csv' })]);
  });

  it('catches a wrong size, a wrong row count, a missing file and an unlisted file', async () => {
    const dir = await writeRelease(build());
    editManifest(dir, (m) => {
      m.tables.schools.files.parquet.bytes += 1;
      m.tables.area_year.rows += 1;
    });
    unlinkSync(path.join(dir, 'school_year_reason.arrow'));
    writeFileSync(path.join(dir, 'pupils.csv'), 'pupil_ref\n');
    const breaches = await auditRelease(dir, OPTS);
    expect(rules(breaches)).toEqual(['manifest']);
    const d = breaches.map((b) => b.detail).join('\n');
    expect(d).toMatch(/schools\.parquet is \d+ bytes/);
    expect(breaches.filter((b) => b.table === 'area_year').length).toBe(3); // each format
    expect(d).toMatch(/school_year_reason\.arrow is missing/);
    expect(d).toMatch(/pupils\.csv is in the release but not listed/);
  });

  it('reports a symbolic link (a host would serve what it points to) and a folder of one, instead of failing', async () => {
    const dir = await writeRelease(build());
    const extract = path.join(path.dirname(dir), 'the-extract-pupils.csv');
    writeFileSync(extract, 'pupil_ref\nP000000001\n');
    symlinkSync(extract, path.join(dir, 'pupils.csv'));
    symlinkSync(path.join(dir, 'no-such-file'), path.join(dir, 'dangling.csv'));
    mkdirSync(path.join(dir, 'more'));
    symlinkSync(path.dirname(dir), path.join(dir, 'more', 'up'));
    const breaches = await auditRelease(dir, OPTS);
    expect(breaches.map((b) => `${b.rule}: ${b.detail}`).sort()).toEqual([
      `unreadable: dangling.csv is a symbolic link (to ${path.join(dir, 'no-such-file')}): a release holds only plain files, since a web server would serve whatever it points to`,
      `unreadable: more/up is a symbolic link (to ${path.dirname(dir)}): a release holds only plain files, since a web server would serve whatever it points to`,
      `unreadable: pupils.csv is a symbolic link (to ${extract}): a release holds only plain files, since a web server would serve whatever it points to`
    ]);
  });

  it('catches a missing manifest', async () => {
    const dir = await writeRelease(build());
    unlinkSync(path.join(dir, 'manifest.json'));
    expect(rules(await auditRelease(dir, OPTS))).toEqual(['manifest']);
  });
});

describe('formats', () => {
  it('catches a CSV that differs from its Parquet and Arrow twins', async () => {
    const dir = await writeRelease(build(), {
      beforeManifest: (d) => {
        const f = path.join(d, 'schools.csv');
        writeFileSync(f, readFileSync(f, 'utf8').replace('Kingsbere School', 'Kingsbere Schoo1'));
      }
    });
    const breaches = await auditRelease(dir, OPTS);
    expect(breaches).toEqual([expect.objectContaining({ rule: 'files differ', table: 'schools', row: 4, column: 'name' })]);
  });

  it('reports an unreadable Parquet file and still audits the CSV', async () => {
    const rel = build({ counts: (urn, _y, g, c) => (urn === '900001' && g === 'EHC plan' ? [12, 10, 3, 0, 20] : c) });
    const dir = await writeRelease(rel, { beforeManifest: (d) => writeFileSync(path.join(d, 'school_year.parquet'), 'not parquet') });
    expect(rules(await auditRelease(dir, OPTS))).toEqual(['small count', 'unreadable']);
  });
});

describe('auditing a release while it is still being written', () => {
  // The pipeline starts the audit once the Arrow files are staged (AuditOptions.written): rules 1
  // to 5 run on them early, and stand only if every format then holds the same cells.
  const early = (dir: string) => runAudit(dir, { ...OPTS, written: Promise.resolve() });
  const fixtures: [string, () => Promise<string>][] = [
    ['clean, synthetic', () => writeRelease(correctlySuppressed(), { synthetic: true })],
    ['a small count', () => writeRelease(build({ counts: (urn, _y, g, c) => (urn === '900001' && g === 'EHC plan' ? [12, 10, 3, 0, 20] : c) }))],
    ['a CSV that differs', () => writeRelease(build(), { beforeManifest: (d) => writeFileSync(path.join(d, 'schools.csv'), readFileSync(path.join(d, 'schools.csv'), 'utf8').replace('Kingsbere School', 'Kingsbere Schoo1')) })],
    [
      'an Arrow file that differs from the others (the early rules saw cells no other format holds)',
      () => {
        const rel = build({ counts: (urn, _y, g, c) => (urn === '900001' && g === 'EHC plan' ? [12, 10, 3, 0, 20] : c) });
        return writeRelease(build(), {
          beforeManifest: async (d) => {
            const other = await writeRelease(rel);
            writeFileSync(path.join(d, 'school_year.arrow'), readFileSync(path.join(other, 'school_year.arrow')));
          }
        });
      }
    ],
    ['an unreadable Parquet file', () => writeRelease(build(), { beforeManifest: (d) => writeFileSync(path.join(d, 'school_year.parquet'), 'not parquet') })],
    [
      'a missing Arrow file',
      async () => {
        const d = await writeRelease(build());
        unlinkSync(path.join(d, 'area_year.arrow'));
        return d;
      }
    ]
  ];
  for (const [name, make] of fixtures) {
    it(`reports what the audit of the finished release reports: ${name}`, async () => {
      const dir = await make();
      const after = await runAudit(dir, OPTS);
      const during = await early(dir);
      expect(show(during.breaches)).toBe(show(after.breaches));
      expect(during.checked).toEqual(after.checked);
    });
  }

  it('reads the files as they are once written, not as they were when it started', async () => {
    const dir = await writeRelease(build());
    const breached = await writeRelease(build({ counts: (urn, _y, g, c) => (urn === '900001' && g === 'EHC plan' ? [12, 10, 3, 0, 20] : c) }));
    let finish = () => {};
    const written = new Promise<void>((resolve) => (finish = resolve));
    const report = runAudit(dir, { ...OPTS, written });
    // The early rules run on the clean Arrow files; then every file is replaced before `written`.
    await new Promise((r) => setTimeout(r, 200));
    for (const f of readdirSync(breached)) writeFileSync(path.join(dir, f), readFileSync(path.join(breached, f)));
    finish();
    expect(rules((await report).breaches)).toEqual(['small count']);
  });

  it('fails with the writer\u2019s error when the release could not be written', async () => {
    const dir = await writeRelease(build());
    await expect(runAudit(dir, { ...OPTS, written: Promise.reject(new Error('disk full')) })).rejects.toThrow('disk full');
  });
});

describe('command line', () => {
  const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const cli = (...args: string[]) => spawnSync(process.execPath, [TSX, path.join(HERE, 'cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

  it('exits 0 on a clean release, 1 with one line per breach, 2 on a wrong command line', async () => {
    const clean = await writeRelease(build());
    const ok = cli(clean);
    expect(ok.stdout).toMatch(/Clean: no breaches/);
    expect(ok.status).toBe(0);

    const rel = build({ counts: (urn, _y, g, c) => (urn === '900001' && g === 'EHC plan' ? [12, 10, 3, 0, 20] : c) });
    const bad = cli(await writeRelease(rel));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(`school_year.csv:${rowNo(rel.school_year, sy('900001', 'EHC plan'))} pupils_suspended: small count — `);
    expect(bad.stdout).toMatch(/small count +\d[\d,]* checked +1 breach/);

    // Thresholds come from the manifest unless given.
    editManifest(clean, (m) => {
      m.disclosure.thresholds = { min_count: 7, min_group: 10 };
    });
    expect(cli(clean).status).toBe(1);
    expect(cli(clean, '--min-count', '5').status).toBe(0);

    expect(cli(clean, '--nonsense').status).toBe(2);
    expect(cli().status).toBe(2);
  });
});

describe('independence', () => {
  it('imports nothing from src/pipeline or src/lib', () => {
    const files = readdirSync(HERE).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(3);
    const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
    const seen: string[] = [];
    for (const f of files) {
      const source = readFileSync(path.join(HERE, f), 'utf8');
      for (const m of source.matchAll(specifier)) {
        const spec = m[1] ?? '';
        seen.push(spec);
        if (spec.startsWith('.')) {
          const resolved = path.resolve(HERE, spec);
          expect(resolved.startsWith(HERE + path.sep), `${f} imports ${spec}`).toBe(true);
        } else {
          expect(spec, `${f} imports ${spec}`).toMatch(/^(node:|@duckdb\/node-api$|apache-arrow$|highs$|vitest$)/);
        }
        expect(spec, `${f} imports ${spec}`).not.toMatch(/src\/(pipeline|lib)|\$lib/);
      }
    }
    expect(seen).toContain('./audit');
  });
});

describe('the demo release', () => {
  let release = '';
  let extract = '';
  let problem = '';

  beforeAll(() => {
    const dir = path.join(tmpRoot, 'demo');
    extract = path.join(dir, 'extract');
    release = path.join(dir, 'release');
    const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const run = (...args: string[]) => spawnSync(process.execPath, [TSX, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    const demo = run('src/pipeline/demo/cli.ts', '--out', extract);
    const data = demo.status === 0 ? run('src/pipeline/cli.ts', '--input', extract, '--out', release) : demo;
    if (data.status !== 0 || !existsSync(path.join(release, 'manifest.json'))) problem = `${data.stdout}\n${data.stderr}`.slice(-2000);
  }, 300_000);

  it('reads the real files: thresholds breached while disclosure is not applied, clean once it is', async (ctx) => {
    if (problem) {
      console.warn(`skipping: the demo release could not be built:\n${problem}`);
      ctx.skip();
    }
    const started = performance.now();
    const report = await runAudit(release, { ...OPTS, extractDir: extract });
    console.log(`audit of the demo release: ${((performance.now() - started) / 1000).toFixed(2)} s, ${[...report.rows].map(([t, n]) => `${t} ${n}`).join(', ')}, ${report.breaches.length} breaches`);
    expect(report.rows.get('school_year_reason')).toBeGreaterThan(1000);
    const manifest = JSON.parse(readFileSync(path.join(release, 'manifest.json'), 'utf8')) as { disclosure?: { applied?: boolean } };
    if (manifest.disclosure?.applied) {
      expect(show(report.breaches.slice(0, 50))).toBe('');
    } else {
      expect(report.breaches.some((b) => b.rule === 'small count')).toBe(true);
      // Nothing about how the files were read or written is wrong, and no pupil reference leaked.
      const structural = report.breaches.filter((b) => ['inconsistent', 'files differ', 'unreadable', 'manifest', 'schema', 'identifier value', 'identifier column', 'suppression marker', 'invalid count'].includes(b.rule));
      expect(show(structural.slice(0, 50))).toBe('');
    }
  }, 120_000);
});

describe('DfE pass-through: the gate', () => {
  const SHA = 'a'.repeat(64);
  const dfe = (name: string, extra: Record<string, unknown> = {}) => ({ name: `DfE: ${name}`, kind: 'DfE open data', rule: 'dfe-published', files: [{ path: name, sha256: SHA, rows: 1 }], ...extra });
  const manifest = (sources: unknown[], mode: unknown = 'dfe-published') => ({ sources, disclosure: { mode } });

  it('opens DfE\u2019s rule only to a release whose every source is DfE open data with checksums', () => {
    const ok = passThroughGate(manifest([dfe('a.csv'), dfe('b.csv')]));
    expect(ok).toMatchObject({ requested: true, problems: [] });
    expect([...ok.files]).toEqual(['a.csv', 'b.csv']);
    // A release that does not ask is audited as usual.
    expect(passThroughGate(manifest([dfe('a.csv', { rule: 'pipeline' })], 'pipeline'))).toMatchObject({ requested: false, problems: [] });
    expect(passThroughGate(null)).toMatchObject({ requested: false });
  });

  it('refuses it, saying why, for any other source, a missing checksum, a mixed or empty manifest', () => {
    const why = (m: unknown) => passThroughGate(m).problems;
    expect(why(manifest([dfe('a.csv'), { name: 'Council extract', kind: 'council extract', rule: 'dfe-published', files: [{ path: 'pupils.csv', sha256: SHA }] }]))).toEqual([
      expect.stringContaining('Council extract is "council extract", not "DfE open data"')
    ]);
    expect(why(manifest([dfe('a.csv', { files: [{ path: 'a.csv' }] })]))).toEqual([expect.stringContaining('file a.csv has no SHA-256 checksum')]);
    expect(why(manifest([dfe('a.csv'), dfe('b.csv', { rule: 'pipeline' })]))).toEqual([expect.stringContaining('DfE: b.csv was published under rule "pipeline"')]);
    expect(why(manifest([dfe('a.csv')], 'pipeline'))).toEqual([expect.stringContaining('disclosure.mode is "pipeline"')]);
    expect(why(manifest([]))).toEqual([expect.stringContaining('lists no sources')]);
  });
});
