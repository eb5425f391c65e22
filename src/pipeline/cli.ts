/**
 * `npm run data -- [options]`: build the published data from an extract, or (`--dfe FILE...`) from
 * DfE's published files alone.
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
import { checkReleaseDir, OutputRefused } from './out-dir';
import { readConfig } from './config';
import { exitOnInterrupt } from './temp';
import { runPipeline } from './run';
import { parseYearArgument } from './dfe/import';

const HELP = `Usage: npm run data -- [options]

Builds the published data (Arrow IPC, Parquet, CSV and manifest.json) from a pupil-level extract.

Options:
  --input DIR    folder holding schools, pupils, exclusions and comparators, each as .csv
                 (UTF-8 or Windows-1252) or .parquet
                 (and optionally extract.json); default: generate the synthetic demo extract
  --out DIR      where the published release goes (default: static/data, served by the site):
                 a new or empty folder, or an earlier release's, which is replaced; a folder
                 holding anything else is refused
  --config FILE  pipeline configuration (default: data/pipeline.config.json)
  --seed N       seed for the demo generator (default: 20240901); only without --input
  --schools N    number of demo schools (default: 250); only without --input
  --dfe FILE...  build from DfE's published CSV files alone (no --input): school-level exclusions,
                 national/regional/LA exclusions, exclusions by characteristic, school census SEN
                 counts, the LAESTAB-to-URN register and the LA-to-region lookup, each recognised
                 by its header; repeat --dfe or list the files after it
  --year YYYY/YY the academic year of a DfE file that names none (the census SEN counts); never guessed
  --la CODE      the LA to build for from --dfe files (3-digit or ONS code); needed when the
                 school-level file holds more than one LA
  --help         show this help
`;

async function main(): Promise<number> {
  // Ctrl+C: temporary folders go (temp.ts) and the published folder is left whole.
  exitOnInterrupt((swapped) =>
    console.error(swapped ? '[data] interrupted after the new release went into place: it is published.' : '[data] interrupted: nothing was published.')
  );
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        input: { type: 'string' },
        out: { type: 'string', default: 'static/data' },
        config: { type: 'string', default: 'data/pipeline.config.json' },
        seed: { type: 'string' },
        schools: { type: 'string' },
        dfe: { type: 'string', multiple: true },
        year: { type: 'string' },
        la: { type: 'string' },
        help: { type: 'boolean', default: false }
      },
      strict: true,
      allowPositionals: true
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const args = parsed.values;
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const intArg = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^[0-9]+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const log = (line: string) => console.log(`[data] ${line}`);
  // Positionals are more --dfe files (`--dfe a.csv b.csv`); anywhere else they are a mistake.
  if (parsed.positionals.length > 0 && !args.dfe) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
  if (args.dfe) {
    if (args.input || args.seed !== undefined || args.schools !== undefined) throw new UsageError('--dfe builds from DfE files alone: leave out --input, --seed and --schools');
    let year: number | undefined;
    if (args.year !== undefined) {
      const y = parseYearArgument(args.year);
      if (y === null) throw new UsageError(`--year must be an academic year such as 2018/19 (or 201819), got ${JSON.stringify(args.year)}; a bare year is refused, since it could mean either of two`);
      year = y;
    }
    await runPipeline({ input: '', out: args.out, config: args.config, log, dfe: { files: [...args.dfe, ...parsed.positionals], year, la: args.la } });
    return 0;
  }
  if (args.year !== undefined || args.la !== undefined) throw new UsageError('--year and --la apply only to --dfe builds');
  let input = args.input;
  const seed = intArg('seed', args.seed);
  const schools = intArg('schools', args.schools);
  if (input && (seed !== undefined || schools !== undefined)) throw new UsageError('--seed and --schools apply only to the demo (without --input)');

  if (!input) {
    // A wrong config or --out is found before the demo takes its seconds to generate.
    readConfig(args.config);
    await checkReleaseDir(args.out);
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
    if (e instanceof InputError || e instanceof OutputRefused) {
      console.error(`[data] ${e.message}\n[data] nothing was published.`);
      process.exit(1);
    }
    console.error(`[data] failed: ${(e as Error).message}\n[data] nothing was published.`);
    process.exit(1);
  }
);
