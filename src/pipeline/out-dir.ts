/**
 * What the pipeline and the demo generator may write over. A release replaces its --out folder
 * whole (publish.ts swaps folders so that readers never see half of one), and the demo generator
 * writes its five files into its folder, so a slip of the keyboard (`--out ~`, `--out .`, the
 * council's own extract folder, a file) would otherwise delete or overwrite what a person had.
 * Each may only replace what it made itself:
 *
 * - a release folder must be new, empty, or hold exactly an earlier release: its manifest.json and
 *   the files that manifest lists, nothing else;
 * - a demo folder must not hold an extract's files (schools, pupils, exclusions, comparators,
 *   extract.json), unless its extract.json marks them as an earlier demo's.
 *
 * Anything else is refused, naming what is in the way, before any work is done; publish.ts asks
 * again just before the swap, in case the folder changed during the run.
 */
import { constants } from 'node:fs';
import { access, lstat, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** The folder given cannot take the output without losing something that is there. */
export class OutputRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputRefused';
  }
}

const SHOWN = 5;
/** "a, b and 3 more": the first few names, so the message stays one line. */
function some(names: string[]): string {
  const shown = names.slice(0, SHOWN).join(', ');
  return names.length > SHOWN ? `${shown} and ${names.length - SHOWN} more` : shown;
}

/**
 * The folder's entries when it may be written, or null when it does not exist yet (then the
 * nearest folder above it that does exist must be writable, or the run would fail at its end).
 * A folder `replacedWhole` (a release's) needs its parent writable too.
 */
async function entriesOf(dir: string, flag: string, replacedWhole: boolean): Promise<string[] | null> {
  const info = await stat(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
    throw new OutputRefused(`${flag} ${dir}: cannot look at it (${e.code ?? e.message})`);
  });
  if (info === null) {
    let above = path.dirname(path.resolve(dir));
    for (;;) {
      const a = await stat(above).catch(() => null);
      if (a) {
        if (!a.isDirectory()) throw new OutputRefused(`${flag} ${dir}: ${above} is a file, so no folder can be made inside it`);
        await access(above, constants.W_OK).catch(() => {
          throw new OutputRefused(`${flag} ${dir}: cannot create it, ${above} is not writable`);
        });
        return null;
      }
      const up = path.dirname(above);
      if (up === above) return null;
      above = up;
    }
  }
  if (!info.isDirectory()) throw new OutputRefused(`${flag} ${dir} is a file, not a folder: nothing was written over it. Give a new or empty folder.`);
  // Replacing a release renames the folder (its parent must be writable) and deletes its files.
  for (const d of replacedWhole ? [dir, path.dirname(path.resolve(dir))] : [dir]) {
    await access(d, constants.W_OK).catch(() => {
      throw new OutputRefused(`${flag} ${dir}: ${d === dir ? 'the folder' : `the folder above it (${d})`} is not writable`);
    });
  }
  return (await readdir(dir)).sort();
}

/** Every `path` under the manifest's tables (`tables.NAME.files.FORMAT.path`), or null when it is not a release's manifest. */
async function releaseFiles(dir: string): Promise<Set<string> | null> {
  let m: unknown;
  try {
    m = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return null;
  }
  const tables = (m as { tables?: unknown } | null)?.tables;
  if (typeof m !== 'object' || m === null || typeof (m as { release?: unknown }).release !== 'string' || typeof tables !== 'object' || tables === null) return null;
  const files = new Set<string>(['manifest.json']);
  for (const t of Object.values(tables as Record<string, unknown>)) {
    const formats = (t as { files?: unknown } | null)?.files;
    if (typeof formats !== 'object' || formats === null) return null;
    for (const f of Object.values(formats as Record<string, unknown>)) {
      const p = (f as { path?: unknown } | null)?.path;
      if (typeof p !== 'string') return null;
      files.add(p);
    }
  }
  return files;
}

/**
 * Throws OutputRefused unless a release may replace `dir` (see the module comment). `flag` names
 * the option in messages.
 */
export async function checkReleaseDir(dir: string, flag = '--out'): Promise<void> {
  const entries = await entriesOf(dir, flag, true);
  if (entries === null || entries.length === 0) return;
  const listed = await releaseFiles(dir);
  const advice = 'Nothing was written there. Give a new or empty folder, or the folder of an earlier release (which is replaced).';
  if (listed === null) {
    throw new OutputRefused(`${flag} ${dir} already holds files and is not an earlier release (no readable manifest.json): ${some(entries)}. ${advice}`);
  }
  const others: string[] = [];
  for (const e of entries) {
    if (!listed.has(e) || !(await lstat(path.join(dir, e))).isFile()) others.push(e);
  }
  if (others.length > 0) {
    throw new OutputRefused(`${flag} ${dir} holds an earlier release and files that are not part of it, which replacing it would delete: ${some(others)}. ${advice}`);
  }
}

/** The files the demo generator writes (generate.ts). */
export const DEMO_FILES = ['comparators.csv', 'exclusions.csv', 'extract.json', 'pupils.csv', 'schools.csv'] as const;

/** Whether a folder's extract.json says the demo generator wrote it (`"generator": "demo-..."`, synthetic). */
async function isDemoExtract(dir: string): Promise<boolean> {
  try {
    const m = JSON.parse(await readFile(path.join(dir, 'extract.json'), 'utf8')) as { synthetic?: unknown; generator?: unknown } | null;
    return m?.synthetic === true && typeof m.generator === 'string' && m.generator.startsWith('demo-');
  } catch {
    return false;
  }
}

/**
 * Throws OutputRefused unless the demo generator may write its files into `dir` (see the module
 * comment): other files may stay beside them, since nothing of theirs is written over, but not an
 * extract's files (its .csv or .parquet), unless an earlier demo wrote them.
 */
export async function checkDemoDir(dir: string, flag = '--out'): Promise<void> {
  const entries = await entriesOf(dir, flag, false);
  if (entries === null || entries.length === 0 || (await isDemoExtract(dir))) return;
  const extractFiles = new Set<string>(DEMO_FILES.flatMap((f) => [f, f.replace(/\.csv$/, '.parquet')]));
  const inTheWay = entries.filter((e) => extractFiles.has(e));
  if (inTheWay.length > 0) {
    throw new OutputRefused(
      `${flag} ${dir} holds an extract that is not an earlier demo (its extract.json does not say the demo generator wrote it): ${some(inTheWay)}. ` +
        'Nothing was written there. Give a new or empty folder, or the folder of an earlier demo extract (whose files are replaced).'
    );
  }
}
