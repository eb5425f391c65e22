/**
 * `npm run data -- --dfe FILE...`: the pipeline's stages for a release built from DfE's published
 * files alone (no council extract): import and recognise the files, map them into the data
 * contract, check their consistency, apply disclosure control (or, with `dfe_pass_through` in the
 * config, publish DfE's figures under DfE's own suppression), audit and publish atomically.
 *
 * The manifest lists every DfE file as a source with its SHA-256, its format and encoding and the
 * rule it was published under, for the methodology page; the summary lists the consistency checks.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import path from 'node:path';
import { auditRelease, formatBreach } from '../../audit/audit';
import type { DisclosureSummary, Manifest, ManifestSource } from '../../lib/data/manifest';
import { SCHEMA_VERSION, TABLE_NAMES, TABLES } from '../../lib/data/schema';
import type { PipelineConfig } from '../config';
import { applyDisclosureControl } from '../disclosure';
import { publish } from '../publish';
import { AuditFailed, sha256, type PipelineOptions } from '../run';
import { checkConsistency } from './checks';
import { buildFromDfe } from './contract';
import { importDfeFiles } from './import';

export const DFE_PASS_THROUGH_RULE =
  'published by DfE under DfE\u2019s own suppression (withheld figures kept as DfE flagged them), passed through unchanged: dfe_pass_through in the pipeline configuration';

/** Up to `max` lines of a list, then how many more. */
function listed(lines: string[], max = 20): string {
  return lines.slice(0, max).map((l) => `\n    ${l}`).join('') + (lines.length > max ? `\n    ... and ${lines.length - max} more` : '');
}

export async function runDfe(
  opts: PipelineOptions,
  dfe: NonNullable<PipelineOptions['dfe']>,
  config: PipelineConfig,
  log: (line: string) => void,
  stage: (name: string, detail: string) => void,
  started: number
): Promise<Manifest> {
  const imp = importDfeFiles(dfe.files, { year: dfe.year });
  stage('read', imp.files.map((f) => `${f.name}: ${f.kind}, ${f.rows.length.toLocaleString('en-GB')} rows (${f.encoding})`).join('; '));
  for (const [why, n] of imp.skipped) log(`${'skipped'.padEnd(12)} ${n.toLocaleString('en-GB')} rows: ${why}`);

  const checks = checkConsistency(imp);
  log(
    `${'consistency'.padEnd(12)} ${checks.ratesChecked.toLocaleString('en-GB')} published rates recomputed from their counts: ${checks.rateDifferences.length} differ beyond rounding${listed(checks.rateDifferences)}`
  );
  log(
    `${'consistency'.padEnd(12)} ${checks.laChecked.toLocaleString('en-GB')} LA totals against their schools summed: ${checks.laDifferences.length} differ${listed(checks.laDifferences)}`
  );

  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run('SET autoinstall_known_extensions = false');
    await conn.run('SET autoload_known_extensions = false');
    const built = await buildFromDfe(conn, imp, { la: dfe.la, neighbours: config.statistical_neighbours });
    for (const n of built.notes) log(`${'note'.padEnd(12)} ${n}`);
    const counts: string[] = [];
    for (const t of TABLE_NAMES) {
      const r = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM "${t}"`);
      counts.push(`${t} ${Number(r.getRowObjectsJS()[0]?.n ?? 0).toLocaleString('en-GB')} rows`);
    }
    stage('map', `LA ${built.la.code} ${built.la.name} (${built.la.region || 'no region'}): ${counts.join(', ')}`);

    const passThrough = config.dfe_pass_through;
    let disclosure: DisclosureSummary;
    if (passThrough) {
      disclosure = await passThroughSummary(conn);
      stage('disclosure', `DfE\u2019s figures passed through under DfE\u2019s own suppression: ${disclosure.cells_published.toLocaleString('en-GB')} cells published, ${(disclosure.cells_suppressed.source ?? 0).toLocaleString('en-GB')} withheld by DfE`);
    } else {
      disclosure = await applyDisclosureControl(conn, config.disclosure);
      const suppressed = Object.entries(disclosure.cells_suppressed).filter(([, n]) => n > 0);
      stage('disclosure', `${disclosure.cells_published.toLocaleString('en-GB')} cells published; suppressed: ${suppressed.map(([r, n]) => `${r} ${n.toLocaleString('en-GB')}`).join(', ') || 'none'}`);
    }

    const years = (await conn.runAndReadAll('SELECT DISTINCT academic_year FROM school_year ORDER BY 1')).getRowObjectsJS().map((r) => String(r.academic_year));
    const pipelineRule = `DfE\u2019s published figures, put through this pipeline\u2019s disclosure control (data/DISCLOSURE.md): counts of 1 to ${config.disclosure.min_count - 1} and groups of 1 to ${config.disclosure.min_group - 1} pupils suppressed, with secondary suppression; what DfE withheld stays withheld`;
    const sources: ManifestSource[] = await Promise.all(
      imp.files.map(async (f) => ({
        name: `DfE: ${f.name}`,
        kind: 'DfE open data' as const,
        format: f.kind,
        encoding: f.encoding,
        files: [{ path: f.name, sha256: await sha256(f.file), rows: f.rows.length }],
        published_under: passThrough ? DFE_PASS_THROUGH_RULE : pipelineRule,
        rule: passThrough ? ('dfe-published' as const) : ('pipeline' as const)
      }))
    );
    const release = `dfe-${built.la.code}-${years.at(-1)?.replace('/', '-') ?? 'empty'}`;
    const manifest = await publish({
      conn,
      outDir: opts.out,
      stagingRoot: opts.stagingRoot ?? path.join(process.cwd(), '.cache', 'staging'),
      onStep: opts.onStep,
      verify: async (staged, written) => {
        await written;
        stage('write', `Arrow IPC, Parquet and CSV of ${TABLE_NAMES.length} tables staged`);
        const breaches = await auditRelease(staged, { minCount: config.disclosure.min_count, minGroup: config.disclosure.min_group });
        if (breaches.length > 0) throw new AuditFailed(breaches.map(formatBreach));
        stage('audit', `independent audit passed: no breaches${passThrough ? ' (DfE pass-through: checked against DfE\u2019s own rule)' : ''}`);
      },
      manifest: {
        schema_version: SCHEMA_VERSION,
        release,
        generated_at: new Date().toISOString(),
        synthetic: false,
        label: `${built.la.name}: DfE\u2019s published exclusions data`,
        la: built.la,
        neighbours: built.neighbours,
        years,
        latest_year: years.at(-1) ?? '',
        sources,
        disclosure
      }
    });
    stage('publish', `release moved into place at ${opts.out}`);
    log(`done in ${((performance.now() - started) / 1000).toFixed(2)} s: ${Object.values(manifest.tables).reduce((a, x) => a + x.rows, 0).toLocaleString('en-GB')} rows published from ${imp.files.length} DfE files`);
    return manifest;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The disclosure summary of a pass-through release: cells published, and those DfE withheld. */
async function passThroughSummary(conn: Awaited<ReturnType<DuckDBInstance['connect']>>): Promise<DisclosureSummary> {
  let published = 0;
  let withheld = 0;
  for (const t of TABLE_NAMES) {
    for (const c of TABLES[t].columns) {
      if (!c.name.endsWith('_flag')) continue;
      const v = c.name.slice(0, -5);
      const r = (await conn.runAndReadAll(`SELECT count("${v}")::INTEGER AS p, count(*) FILTER (WHERE "${c.name}" IN ('c', 'low'))::INTEGER AS w FROM "${t}"`)).getRowObjectsJS()[0]!;
      published += Number(r.p);
      withheld += Number(r.w);
    }
  }
  return {
    applied: true,
    mode: 'dfe-published',
    rules: ['DfE\u2019s own suppression, passed through (dfe_pass_through)'],
    thresholds: {},
    cells_published: published,
    cells_suppressed: { source: withheld }
  };
}
