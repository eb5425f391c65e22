/**
 * `npm run bench:pipeline`: how long the whole pipeline takes on about one million pupil-year
 * rows, beside the time native DuckDB takes for the bare aggregation of the same input (read the
 * CSVs, join events to pupils, group by school, year and SEN group). The ratio is the figure:
 * the pipeline's validation, disclosure control, audit and writing cost no more than 10x the bare
 * aggregation (issue #3). Prints the figures and records them in BENCHMARKS.md.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDemo } from '../../src/pipeline/demo/generate';
import { runPipeline } from '../../src/pipeline/run';

const SCHOOLS = Number(process.env.BENCH_SCHOOLS ?? 290);
// Five of each by default: the machine's speed drifts from run to run, and five make the medians steadier than three.
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-pipeline-'));
try {
  const input = path.join(tmp, 'extract');
  const summary = await generateDemo({ outDir: input, schools: SCHOOLS });
  const rows = summary.files['pupils.csv'];
  console.log(`input: ${SCHOOLS} schools, ${rows.toLocaleString('en-GB')} pupil-year rows, ${summary.files['exclusions.csv'].toLocaleString('en-GB')} events`);

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  /** The bare aggregation: read both CSVs, join events to pupils, group (instance start-up not timed). */
  const bareRun = async (): Promise<{ ms: number; cpu: number }> => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await conn.run(
      `CREATE TABLE agg AS
       SELECT p.academic_year, p.urn, p.sen_provision, count(*) AS pupils,
              count(e.pupil_ref) FILTER (WHERE e.susp > 0) AS pupils_suspended,
              sum(coalesce(e.susp, 0)) AS suspensions, sum(coalesce(e.perm, 0)) AS permanent_exclusions
       FROM read_csv($1) p
       LEFT JOIN (SELECT academic_year, urn, pupil_ref, count(*) FILTER (WHERE category = 'SUSP') AS susp,
                         count(*) FILTER (WHERE category = 'PERM') AS perm
                  FROM read_csv($2) GROUP BY ALL) e USING (academic_year, urn, pupil_ref)
       GROUP BY ALL`,
      [path.join(input, 'pupils.csv'), path.join(input, 'exclusions.csv')]
    );
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    conn.closeSync();
    db.closeSync();
    return { ms, cpu: (c.user + c.system) / 1000 };
  };
  // The two are timed in turn, run by run, so that a machine whose speed drifts (a shared virtual
  // machine's can, by 10% within minutes) moves both alike and the ratio stays fair.
  const bare: number[] = [];
  const bareCpu: number[] = [];
  const full: number[] = [];
  /** CPU time of the whole process (every thread: DuckDB's, the thread pool's, JavaScript's) during each pipeline run. */
  const fullCpu: number[] = [];
  const stages: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const one = await bareRun();
    bare.push(one.ms);
    bareCpu.push(one.cpu);
    const lines: string[] = [];
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await runPipeline({ input, out: path.join(tmp, 'out'), stagingRoot: path.join(tmp, 'staging'), log: (l) => lines.push(l) });
    const c = process.cpuUsage(c0);
    full.push(performance.now() - t0);
    fullCpu.push((c.user + c.system) / 1000);
    if (i === RUNS - 1) stages.push(...lines);
  }
  const b = median(bare);
  const f = median(full);
  const cpu = median(fullCpu);
  const ratio = f / b;
  const cores = os.cpus().length;
  const mem = (os.totalmem() / 2 ** 30).toFixed(0);
  const result = [
    `### Pipeline on ${(rows / 1e6).toFixed(2)} million pupil-year rows (\`npm run bench:pipeline\`)`,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cores} cores, ${mem} GiB, Node ${process.version}; median of ${RUNS} runs of each, taken in turn.`,
    '',
    '| what | time | ratio |',
    '| --- | --- | --- |',
    `| bare aggregation in native DuckDB (read CSVs, join, group) | ${(b / 1000).toFixed(2)} s | 1.0x |`,
    `| whole pipeline (validate, aggregate, disclosure control, audit, write Arrow/Parquet/CSV, swap) | ${(f / 1000).toFixed(2)} s | ${ratio.toFixed(1)}x |`,
    '',
    `CPU time (every thread, median): the bare aggregation ${(median(bareCpu) / 1000).toFixed(2)} s, the pipeline ${(cpu / 1000).toFixed(2)} s (${(cpu / f).toFixed(1)} of the ${cores} cores busy on average).`,
    '',
    `Aim: within 10x. ${ratio <= 10 ? 'Met.' : 'NOT met: see the stage times below for where the time goes.'}`,
    '',
    'Stage times of the last run:',
    '',
    '```',
    ...stages,
    '```',
    ''
  ].join('\n');
  console.log(`\n${result}`);

  const file = 'BENCHMARKS.md';
  const start = '<!-- bench:pipeline -->';
  const end = '<!-- /bench:pipeline -->';
  let doc = await readFile(file, 'utf8').catch(() => '# Benchmarks\n\nFigures from the benchmark scripts; never from timed unit tests.\n');
  const block = `${start}\n${result}${end}`;
  doc = doc.includes(start) ? doc.replace(new RegExp(`${start}[\\s\\S]*${end}`), block) : `${doc.trimEnd()}\n\n${block}\n`;
  await writeFile(file, doc);
  console.log(`recorded in ${file}`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
