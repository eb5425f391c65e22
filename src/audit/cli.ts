/**
 * `npm run audit -- DIR [--min-count N] [--min-group N] [--extract DIR]`: the independent disclosure
 * audit of a release folder, for people (and CI) to run on any release, published or staged.
 *
 * Thresholds default to the ones the release's manifest says it was published under, else 5 and 10,
 * so that auditing a release checks it against its own claim; pass them to hold it to others.
 * Exit codes: 0 clean, 1 breaches (or the audit could not run), 2 the command line is wrong.
 */
import { parseArgs } from 'node:util';
import { AuditSetupError, RULE_ORDER, formatBreach, manifestThresholds, runAudit } from './audit';
import { ensureHeapFor, folderBytes } from './heap';

const HELP = `Usage: npm run audit -- DIR [options]

Checks a published release folder against the disclosure rules (data/DISCLOSURE.md) and lists every
breach. Exit code 0 when clean, 1 on breaches, 2 on a wrong command line.

Options:
  --min-count N   counts from 1 to N-1 must be suppressed (default: the manifest's, else 5)
  --min-group N   groups of 1 to N-1 pupils must be suppressed whole (default: the manifest's, else 10)
  --extract DIR   the extract the release was built from: its pupil_ref values are looked for in
                  every published text cell (default: look for the demo's P + 9 characters pattern)
  --help          show this help
`;

const LISTED = 200;

class UsageError extends Error {}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} must be a whole number of at least 1, got ${JSON.stringify(v)}`);
  return Number(v);
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        'min-count': { type: 'string' },
        'min-group': { type: 'string' },
        extract: { type: 'string' },
        help: { type: 'boolean', default: false }
      },
      strict: true,
      allowPositionals: true
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    throw new UsageError(parsed.positionals.length ? `expected one release folder, got ${parsed.positionals.length}` : 'missing the release folder DIR');
  }
  const dir = parsed.positionals[0] as string;
  ensureHeapFor(folderBytes(dir));
  const fromManifest = await manifestThresholds(dir);
  const minCount = positiveInt('min-count', parsed.values['min-count']) ?? fromManifest.minCount ?? 5;
  const minGroup = positiveInt('min-group', parsed.values['min-group']) ?? fromManifest.minGroup ?? 10;

  const started = performance.now();
  let report;
  try {
    report = await runAudit(dir, { minCount, minGroup, extractDir: parsed.values.extract });
  } catch (e) {
    if (e instanceof AuditSetupError) throw new UsageError(e.message);
    throw e;
  }
  const seconds = (performance.now() - started) / 1000;

  const rows = [...report.rows].map(([t, n]) => `${t} ${n.toLocaleString('en-GB')}`).join(', ');
  const under =
    report.mode === 'dfe-published'
      ? 'DfE\u2019s own suppression: every source is DfE open data, school-level exclusion counts of 1 and 2 withheld'
      : `min_count ${minCount}, min_group ${minGroup}`;
  console.log(`Disclosure audit of ${dir} (${under}${parsed.values.extract ? `, pupil references from ${parsed.values.extract}` : ''})`);
  console.log(`Rows read: ${rows || 'none'}`);
  if (minCount < 5 || minGroup < 10) console.log(`Note: thresholds below DISCLOSURE.md's defaults (5 and 10).`);
  const byRule = new Map<string, number>();
  for (const b of report.breaches) byRule.set(b.rule, (byRule.get(b.rule) ?? 0) + 1);
  const width = Math.max(...RULE_ORDER.map((r) => r.length));
  for (const rule of RULE_ORDER) {
    const checked = (report.checked.get(rule) ?? 0).toLocaleString('en-GB');
    const found = byRule.get(rule) ?? 0;
    console.log(`  ${rule.padEnd(width)}  ${checked.padStart(10)} checked  ${found ? `${found.toLocaleString('en-GB')} breach${found === 1 ? '' : 'es'}` : 'ok'}`);
  }
  const n = report.breaches.length;
  if (n === 0) {
    console.log(`Clean: no breaches (${seconds.toFixed(2)} s).`);
    return 0;
  }
  console.log('');
  // Share the listing between the rules that fired, so one flood (say, small counts on an
  // unsuppressed release) does not hide the only example of another rule.
  const perRule = n <= LISTED ? LISTED : Math.max(1, Math.floor(LISTED / byRule.size));
  const shown = new Map<string, number>();
  let listed = 0;
  for (const b of report.breaches) {
    const k = shown.get(b.rule) ?? 0;
    if (k >= perRule || listed >= LISTED) continue;
    shown.set(b.rule, k + 1);
    listed++;
    console.log(formatBreach(b));
  }
  if (n > listed) console.log(`... and ${(n - listed).toLocaleString('en-GB')} more (${listed} listed)`);
  console.log(`\n${n.toLocaleString('en-GB')} breach${n === 1 ? '' : 'es'} (${seconds.toFixed(2)} s).`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${HELP}`);
      process.exit(2);
    }
    console.error(`The audit could not run: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  }
);
