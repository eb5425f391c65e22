/**
 * Command line for the demo generator:
 *
 *   tsx src/pipeline/demo/cli.ts --out DIR [--seed N] [--schools N]
 *
 * It exists so the demo extract can be made by hand or from an npm script without writing code,
 * and so a wrong flag fails loudly (exit code 2, with the usage) rather than silently generating
 * something other than what was asked for.
 */
import { pathToFileURL } from 'node:url';
import { exitOnInterrupt } from '../temp';
import { DEFAULT_SCHOOLS, DEFAULT_SEED, generateDemo, MAX_SCHOOLS, MIN_SCHOOLS, realisedVsTarget, SYNTHETIC_LABEL } from './generate';

export const USAGE = `Usage: tsx src/pipeline/demo/cli.ts --out DIR [--seed N] [--schools N]

Writes a synthetic pupil-level extract for the fictional LA "Wessex" (990) into DIR:
schools.csv, pupils.csv, exclusions.csv, comparators.csv and extract.json.

  --out DIR      folder to write (created if missing); an earlier demo there is overwritten,
                 another extract's files never are
  --seed N       whole number 0..4294967295 (default ${DEFAULT_SEED}); same seed, same bytes
  --schools N    number of schools, ${MIN_SCHOOLS}..${MAX_SCHOOLS} (default ${DEFAULT_SCHOOLS})
  --help         show this message`;

export class UsageError extends Error {}

export interface CliArgs {
  out: string;
  seed?: number;
  schools?: number;
  help?: boolean;
}

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  if (!/^[0-9]+$/.test(raw)) throw new UsageError(`${flag} needs a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`${flag} must be from ${min} to ${max}, got ${raw}`);
  return n;
}

/** Parse argv (without node and script). Accepts `--flag value` and `--flag=value`. */
export function parseArgs(argv: readonly string[]): CliArgs {
  let out: string | undefined;
  let seed: number | undefined;
  let schools: number | undefined;
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { out: '', help: true };
    const m = /^(--[a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unexpected argument "${arg}"`);
    const flag = m[1] as string;
    if (!['--out', '--seed', '--schools'].includes(flag)) throw new UsageError(`unknown flag ${flag}`);
    if (seen.has(flag)) throw new UsageError(`${flag} given twice`);
    seen.add(flag);
    let value = m[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      i++;
    }
    if (flag === '--out') {
      if (value.trim() === '') throw new UsageError('--out needs a folder');
      out = value;
    } else if (flag === '--seed') seed = wholeNumber(flag, value, 0, 0xffffffff);
    else schools = wholeNumber(flag, value, MIN_SCHOOLS, MAX_SCHOOLS);
  }
  if (out === undefined) throw new UsageError('--out DIR is required');
  return { out, seed, schools };
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`demo: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  exitOnInterrupt((swapped) => process.stderr.write(`demo: interrupted: ${swapped ? `the new demo had gone into ${args.out}` : `${args.out} is as it was`}.\n`));
  const summary = await generateDemo({ outDir: args.out, seed: args.seed, schools: args.schools });
  const last = summary.years[summary.years.length - 1];
  const lines = [
    SYNTHETIC_LABEL,
    `Wrote ${summary.outDir} (seed ${summary.seed}, ${summary.schools} schools, ${summary.years[0]} to ${last}) in ${(summary.elapsedMs / 1000).toFixed(1)} s`,
    ...Object.entries(summary.files).map(([f, n]) => `  ${f.padEnd(16)} ${n.toLocaleString('en-GB')} rows`)
  ];
  if (last) {
    lines.push(`Rates per 100 pupils in ${last}, realised (target):`);
    for (const r of realisedVsTarget(summary, last)) {
      lines.push(`  ${r.group.padEnd(12)} ${r.measure.padEnd(20)} ${r.realised.toFixed(3)} (${r.target.toFixed(3)})`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    }
  );
}
