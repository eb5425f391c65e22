/**
 * `npm run data -- [options]`: build the published data from an extract.
 *
 * With no --input it first generates the synthetic demo extract into .cache/demo-extract, so a fresh
 * clone has data to show. Exit codes: 0 published; 1 the input or config is wrong (each problem
 * printed with file, line and column) or a stage failed; 2 the command line is wrong. On any
 * failure nothing is written to --out.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateDemo } from './demo/generate';
import { InputError } from './errors';
import { runPipeline } from './run';

const HELP = `Usage: npm run data -- [options]

Builds the published data (Arrow IPC, Parquet, CSV and manifest.json) from a pupil-level extract.

Options:
  --input DIR    folder holding schools, pupils, exclusions and comparators, each as .csv
                 (UTF-8 or Windows-1252) or .parquet
                 (and optionally extract.json); default: generate the synthetic demo extract
  --out DIR      where the published release goes (default: static/data, served by the site)
  --config FILE  pipeline configuration (default: data/pipeline.config.json)
  --seed N       seed for the demo generator (default: 20240901); only without --input
  --schools N    number of demo schools (default: 250); only without --input
  --help         show this help
`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        input: { type: 'string' },
        out: { type: 'string', default: 'static/data' },
        config: { type: 'string', default: 'data/pipeline.config.json' },
        seed: { type: 'string' },
        schools: { type: 'string' },
        help: { type: 'boolean', default: false }
      },
      strict: true,
      allowPositionals: false
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const intArg = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^[0-9]+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  let input = args.input;
  const seed = intArg('seed', args.seed);
  const schools = intArg('schools', args.schools);
  if (input && (seed !== undefined || schools !== undefined)) throw new UsageError('--seed and --schools apply only to the demo (without --input)');

  const log = (line: string) => console.log(`[data] ${line}`);
  if (!input) {
    input = path.join('.cache', 'demo-extract');
    const t0 = performance.now();
    const summary = await generateDemo({ outDir: input, seed, schools });
    log(`${'demo'.padEnd(12)} synthetic extract generated in ${input}: ${JSON.stringify(summary.files ?? summary)} (${((performance.now() - t0) / 1000).toFixed(2)} s)`);
  }
  await runPipeline({ input, out: args.out, config: args.config, log });
  return 0;
}

class UsageError extends Error {}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${HELP}`);
      process.exit(2);
    }
    if (e instanceof InputError) {
      console.error(`[data] ${e.message}\n[data] nothing was published.`);
      process.exit(1);
    }
    console.error(`[data] failed: ${(e as Error).message}\n[data] nothing was published.`);
    process.exit(1);
  }
);
