/**
 * The pipeline, stage by stage: read and validate the extract, aggregate it into the data contract,
 * apply disclosure control, and publish atomically. Each stage reports rows and time through `log`,
 * so the CLI can print progress and tests can stay quiet.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Manifest, ManifestSource } from '../lib/data/manifest';
import { SCHEMA_VERSION, TABLE_NAMES } from '../lib/data/schema';
import { aggregate, type AreaIdentity } from './aggregate';
import { readConfig } from './config';
import { applyDisclosureControl } from './disclosure';
import { InputError, parseJsonFile } from './errors';
import { EXTRACT_FILES, loadExtract } from './extract';
import { checkReleaseDir } from './out-dir';
import { publish } from './publish';
import { auditRelease, formatBreach } from '../audit/audit';
import { runDfe } from './dfe/run';

/** The independent audit found breaches in the staged release: nothing was published. */
export class AuditFailed extends Error {
  constructor(readonly breaches: string[]) {
    super(
      `the independent disclosure audit found ${breaches.length} breach${breaches.length === 1 ? '' : 'es'}; refusing to publish:\n` +
        breaches.slice(0, 50).map((b) => `  ${b}`).join('\n') +
        (breaches.length > 50 ? `\n  ... and ${breaches.length - 50} more` : '')
    );
    this.name = 'AuditFailed';
  }
}

export interface PipelineOptions {
  /** The council extract's folder; unused when `dfe` is given. */
  input: string;
  /** Build from DfE's published files alone (src/pipeline/dfe/), instead of a council extract. */
  dfe?: { files: string[]; year?: number; la?: string };
  out: string;
  config?: string;
  stagingRoot?: string;
  log?: (line: string) => void;
  onStep?: (step: string) => void | Promise<void>;
  /** Disclosure control without the areas' linear programs: only for the test that shows the audit what they protect. */
  withoutAreaPrograms?: boolean;
}

interface ExtractMeta {
  synthetic: boolean;
  label: string;
  la: AreaIdentity | null;
  /** The line of `la.code`, to point at when the schools belong to another LA. */
  laCodeLine: number;
  /** Null when extract.json does not list them: they are then the comparator file's neighbours. */
  neighbours: { code: string; name: string }[] | null;
}

/**
 * Read `extract.json` (data/SCHEMA.md), checking every key the pipeline uses: what it says ends up
 * in the manifest and on every page (the label, the LA, the neighbours), so a wrong type is an
 * InputError naming the key, never a crash or a silently different label. Keys the pipeline does
 * not use (generator, seed, years, files) are left alone.
 */
export function readExtractMeta(dir: string): ExtractMeta {
  const file = path.join(dir, 'extract.json');
  if (!existsSync(file)) return { synthetic: false, label: '', la: null, laCodeLine: 0, neighbours: null };
  const { value: meta, lineOf } = parseJsonFile(readFileSync(file, 'utf8'), 'extract.json');
  const fail = (column: string, value: unknown, expected: string): never => {
    throw new InputError([{ file: 'extract.json', line: lineOf(column), column, value: (JSON.stringify(value) ?? String(value)).slice(0, 200), expected }]);
  };
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return fail('', meta, 'a JSON object');
  const m = meta as Record<string, unknown>;
  /** One line of text, 1 to `max` characters. */
  const text = (v: unknown, max: number) => typeof v === 'string' && v.length >= 1 && v.length <= max && !/[\r\n]/.test(v);

  if (m.synthetic !== undefined && typeof m.synthetic !== 'boolean') fail('synthetic', m.synthetic, 'true or false');
  if (m.label !== undefined && m.label !== '' && !text(m.label, 200)) fail('label', m.label, 'a label of 1 to 200 characters on one line');
  let la: AreaIdentity | null = null;
  if (m.la !== undefined && m.la !== null) {
    const l = m.la as Record<string, unknown>;
    if (typeof l !== 'object' || Array.isArray(l)) fail('la', l, 'an object { "code", "name", "region" }');
    if (typeof l.code !== 'string' || !/^[0-9]{3}$/.test(l.code)) fail('la.code', l.code, 'a 3-digit LA code');
    if (!text(l.name, 100)) fail('la.name', l.name, 'an LA name of 1 to 100 characters');
    if (!text(l.region, 100)) fail('la.region', l.region, 'a region name of 1 to 100 characters');
    la = { code: l.code as string, name: l.name as string, region: l.region as string } as AreaIdentity;
  }
  let neighbours: { code: string; name: string }[] | null = null;
  if (m.neighbours !== undefined && m.neighbours !== null) {
    if (!Array.isArray(m.neighbours)) fail('neighbours', m.neighbours, 'a list of { "code", "name" }');
    neighbours = (m.neighbours as unknown[]).map((n, i) => {
      const o = (typeof n === 'object' && n !== null ? n : {}) as Record<string, unknown>;
      if (typeof o.code !== 'string' || !/^[A-Za-z0-9]{1,12}$/.test(o.code)) fail(`neighbours[${i}].code`, o.code, 'an area code (1 to 12 letters or digits)');
      if (!text(o.name, 100)) fail(`neighbours[${i}].name`, o.name, 'an area name of 1 to 100 characters');
      return { code: o.code as string, name: o.name as string };
    });
  }
  return { synthetic: m.synthetic === true, label: typeof m.label === 'string' ? m.label : '', la, laCodeLine: la ? lineOf('la.code') : 0, neighbours };
}

/** A file's SHA-256, read and hashed off the main thread (libuv's thread pool, WebCrypto). */
export async function sha256(file: string): Promise<string> {
  const bytes = await readFile(file);
  return Buffer.from(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)).toString('hex');
}

export async function runPipeline(opts: PipelineOptions): Promise<Manifest> {
  const log = opts.log ?? (() => {});
  const started = performance.now();
  let t = started;
  const stage = (name: string, detail: string) => {
    const now = performance.now();
    log(`${name.padEnd(12)} ${detail} (${((now - t) / 1000).toFixed(2)} s)`);
    t = now;
  };

  // Before any work: a folder the release may not replace is the user's to keep (out-dir.ts).
  await checkReleaseDir(opts.out);
  const config = readConfig(opts.config);
  if (opts.dfe) return runDfe(opts, opts.dfe, config, log, stage, started);
  if (config.dfe_pass_through) log('note         dfe_pass_through applies only to builds from DfE files (--dfe); ignored');
  const meta = readExtractMeta(opts.input);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  /** Writes the Parquet and CSV files while `conn` builds the Arrow ones (publish.ts). */
  const copyConn = await instance.connect();
  try {
    await conn.run('SET autoinstall_known_extensions = false');
    await conn.run('SET autoload_known_extensions = false');

    // The manifest names each input file with its SHA-256: hashed in the thread pool while the
    // pipeline works, for whichever of NAME.csv and NAME.parquet is there.
    const hashes = new Map<string, Promise<string>>();
    for (const f of EXTRACT_FILES) {
      for (const name of [f.file, f.file.replace(/\.csv$/, '.parquet')]) {
        const file = path.join(opts.input, name);
        if (existsSync(file)) {
          const h = sha256(file);
          h.catch(() => {});
          hashes.set(file, h);
        }
      }
    }
    const hashOf = (file: string) => hashes.get(file) ?? sha256(file);

    const loaded = await loadExtract(conn, opts.input);
    stage(
      'read',
      Object.entries(loaded.rows)
        .map(([f, n]) => `${path.basename(loaded.files[f] ?? f)} ${n.toLocaleString('en-GB')} rows (${loaded.formats[f] ?? '?'})`)
        .join(', ')
    );

    // loadExtract has checked that every school belongs to one LA; extract.json, when it names the
    // LA, may call it otherwise, but it must be the same LA.
    const schoolsLa = (await conn.runAndReadAll('SELECT la_code AS code, la_name AS name, region FROM in_schools LIMIT 1')).getRowObjectsJS()[0] as unknown as AreaIdentity;
    if (meta.la && schoolsLa && meta.la.code !== schoolsLa.code) {
      const schoolsFile = path.basename(loaded.files['schools.csv'] ?? 'schools.csv');
      throw new InputError([
        { file: 'extract.json', line: meta.laCodeLine, column: 'la.code', value: JSON.stringify(meta.la.code), expected: `the LA code of the schools in ${schoolsFile} (${schoolsLa.code})` }
      ]);
    }
    const la = meta.la ?? schoolsLa;
    // The statistical neighbours the release names (the methodology page counts them): extract.json's
    // list, else those the comparator file has figures for.
    const neighbourList =
      meta.neighbours ??
      (
        await conn.runAndReadAll(
          `SELECT area_code AS code, arg_min(area_name, rowid) AS name FROM in_comparators WHERE area_type = 'Neighbour' GROUP BY area_code ORDER BY area_code`
        )
      )
        .getRowObjectsJS()
        .map((r) => ({ code: String(r.code), name: String(r.name) }));

    await aggregate(conn, la, config.statistical_neighbours);
    const counts: string[] = [];
    for (const t of TABLE_NAMES.filter((x) => x !== 'schools')) {
      const r = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM "${t}"`);
      counts.push(`${t} ${Number(r.getRowObjectsJS()[0]?.n ?? 0).toLocaleString('en-GB')} rows`);
    }
    stage('aggregate', counts.join(', '));

    const disclosure = await applyDisclosureControl(conn, config.disclosure, { areaPrograms: !opts.withoutAreaPrograms });
    const suppressed = Object.entries(disclosure.cells_suppressed).filter(([, n]) => n > 0);
    const total = disclosure.cells_published + suppressed.reduce((a, [, n]) => a + n, 0);
    const share = (n: number) => `${((100 * n) / Math.max(1, total)).toFixed(1)}%`;
    stage(
      'disclosure',
      `${disclosure.cells_published.toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')} cells published; suppressed: ${
        suppressed.map(([r, n]) => `${r} ${n.toLocaleString('en-GB')} (${share(n)})`).join(', ') || 'none'
      }`
    );

    const yearsRes = await conn.runAndReadAll('SELECT DISTINCT academic_year FROM school_year ORDER BY 1');
    const years = yearsRes.getRowObjectsJS().map((r) => String(r.academic_year));
    const sources: ManifestSource[] = [
      {
        name: meta.synthetic ? `${meta.label}` : `${la.name} pupil-level extract`,
        kind: meta.synthetic ? 'synthetic demo extract' : 'council extract',
        files: await Promise.all(
          EXTRACT_FILES.filter((f) => f.file !== 'comparators.csv').map(async (f) => ({
            path: path.basename(loaded.files[f.file] ?? f.file),
            sha256: await hashOf(loaded.files[f.file] ?? path.join(opts.input, f.file)),
            rows: loaded.rows[f.file] ?? 0
          }))
        ),
        published_under: `this pipeline\u2019s disclosure control (data/DISCLOSURE.md): counts of 1 to ${config.disclosure.min_count - 1} and groups of 1 to ${config.disclosure.min_group - 1} pupils suppressed, with secondary suppression`
      },
      {
        name: meta.synthetic ? 'Synthetic comparators (England, region, statistical neighbours)' : 'Comparator figures',
        kind: meta.synthetic ? 'synthetic comparators' : 'DfE open data',
        files: [
          {
            path: path.basename(loaded.files['comparators.csv'] ?? 'comparators.csv'),
            sha256: await hashOf(loaded.files['comparators.csv'] ?? path.join(opts.input, 'comparators.csv')),
            rows: loaded.rows['comparators.csv'] ?? 0
          }
        ],
        published_under: meta.synthetic
          ? 'synthetic figures, put through this pipeline\u2019s disclosure control'
          : 'published under DfE\u2019s rules, then put through this pipeline\u2019s disclosure control'
      }
    ];
    // From here DuckDB writes files while JavaScript builds the Arrow files and audits, both at
    // once: DuckDB leaves one core to JavaScript. (On 2 cores, two DuckDB threads beside a busy
    // main thread cost 0.3-0.4 s more CPU for the same work and finished later; BENCHMARKS.md.)
    await conn.run(`SET threads = ${Math.max(1, os.availableParallelism() - 1)}`);
    const release = `${meta.synthetic ? 'demo' : la.code}-${years.at(-1)?.replace('/', '-') ?? 'empty'}`;
    const manifest = await publish({
      conn,
      copyConn,
      outDir: opts.out,
      stagingRoot: opts.stagingRoot ?? path.join(process.cwd(), '.cache', 'staging'),
      onStep: opts.onStep,
      verify: async (staged, written) => {
        // The audit starts on the Arrow files while DuckDB writes the rest (publish.ts), so the
        // two stages overlap: `write` ends with the Arrow files, `audit` with the audit.
        stage('write', `Arrow IPC of ${TABLE_NAMES.length} tables staged; Parquet and CSV being written while the audit starts`);
        const breaches = await auditRelease(staged, {
          minCount: config.disclosure.min_count,
          minGroup: config.disclosure.min_group,
          extractDir: opts.input,
          written
        });
        if (breaches.length > 0) throw new AuditFailed(breaches.map(formatBreach));
        stage('audit', 'Parquet and CSV staged; independent audit passed: no breaches');
      },
      manifest: {
        schema_version: SCHEMA_VERSION,
        release,
        generated_at: new Date().toISOString(),
        synthetic: meta.synthetic,
        label: meta.synthetic ? meta.label || 'SYNTHETIC DEMO DATA' : `${la.name}: published exclusions data`,
        la,
        neighbours: neighbourList.filter((n) => config.statistical_neighbours === null || config.statistical_neighbours.includes(n.code)),
        years,
        latest_year: years.at(-1) ?? '',
        sources,
        disclosure
      }
    });
    stage('publish', `release moved into place at ${opts.out}`);
    const n = (x: number) => x.toLocaleString('en-GB');
    const rowsIn = Object.values(loaded.rows).reduce((a, x) => a + x, 0);
    const rowsOut = Object.values(manifest.tables).reduce((a, x) => a + x.rows, 0);
    log(
      `done in ${((performance.now() - started) / 1000).toFixed(2)} s: ${n(rowsIn)} rows in, ${n(rowsOut)} rows published; ` +
        `${n(disclosure.cells_published)} cells published, ${n(total - disclosure.cells_published)} suppressed (` +
        (suppressed.map(([r, c]) => `${r} ${n(c)}`).join(', ') || 'none') +
        ')'
    );
    return manifest;
  } finally {
    copyConn.closeSync();
    conn.closeSync();
    instance.closeSync();
  }
}
