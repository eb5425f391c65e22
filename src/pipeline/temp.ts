/**
 * The pipeline's temporary folders, removed however a run ends. Two of them matter: the staging
 * release (up to gigabytes at national scale) and the UTF-8 copy of a Windows-1252 extract, which
 * holds pupil-level rows and must not be left in the system's temporary folder. A run's own
 * `finally` blocks remove them when it fails; `removeOnExit` covers Ctrl+C (`exitOnInterrupt`, in
 * the command-line tools), and `sweepDead` removes what a killed run (`kill -9`, a power cut) left,
 * found by the process id in the folder's name. (The command-line tools run under `node --import
 * tsx` rather than the tsx command: that one kills its child outright when the child's event loop is
 * busy for 60 ms after Ctrl+C, before any of this can run.)
 *
 * `uninterrupted` marks the few milliseconds in which the published folder is swapped: an
 * interrupt there waits for the swap to finish, so the folder is never left half-moved.
 */
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

const live = new Set<string>();
let exitHookInstalled = false;

/** Removes `dir` (recursively) if the process exits before the returned function is called. */
export function removeOnExit(dir: string): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const d of live) removeWhileWritten(d);
    });
  }
  live.add(dir);
  return () => void live.delete(dir);
}

/**
 * Removes `dir` at exit, though DuckDB's threads may still be writing into it (a COPY of the
 * release in flight when Ctrl+C came): a file they make after the folder was listed makes removing
 * the folder fail (ENOTEMPTY). So the folder is first moved aside (`<dir>-removing`, a name the
 * next run's sweep still recognises): a writer that names its files by their path, as DuckDB does,
 * then fails and stops, and only a file already being made can still land in it. Each try lists it
 * again; between tries the process sleeps (an exit handler cannot wait otherwise). Whatever is
 * still left, the next run's sweep removes.
 */
function removeWhileWritten(dir: string, tries = 5): void {
  let target = dir;
  try {
    renameSync(dir, `${dir}-removing`);
    target = `${dir}-removing`;
  } catch {
    // Gone already, or it cannot be moved: it is removed where it is.
  }
  for (let i = 1; i <= tries; i++) {
    try {
      rmSync(target, { recursive: true, force: true });
      return;
    } catch {
      if (i < tries) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 * i);
    }
  }
}

/**
 * A new temporary folder of this process in `root`, named `<prefix><pid>-XXXXXX` so that a later
 * run can tell whether its maker is alive, made after removing what dead runs left there, and
 * removed if the process exits before `done()` (call it once the folder is removed or moved).
 */
export function makeTempDir(root: string, prefix: string): { dir: string; done: () => void } {
  mkdirSync(root, { recursive: true });
  sweepDead(root, prefix);
  const dir = mkdtempSync(path.join(root, `${prefix}${process.pid}-`));
  return { dir, done: removeOnExit(dir) };
}

/**
 * Where this process may build a copy of `target` to be renamed into its place: the folder beside
 * it, `<target>.incoming-<pid>` (not made here), after removing what dead runs left there; removed
 * if the process exits before `done()`.
 */
export function besideTemp(target: string): { dir: string; done: () => void } {
  const parent = path.dirname(path.resolve(target));
  const prefix = `${path.basename(path.resolve(target))}.incoming-`;
  sweepDead(parent, prefix);
  const dir = path.join(parent, `${prefix}${process.pid}`);
  return { dir, done: removeOnExit(dir) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists, but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes every folder `<prefix><pid>` or `<prefix><pid>-...` in `root` whose process is no longer running; returns their names. */
export function sweepDead(root: string, prefix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)(?:-|$)/.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    try {
      rmSync(path.join(root, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Another user's, say, in a shared temporary folder: tidying up never stops a run.
    }
  }
  return removed;
}

let critical = 0;
/** Set by an interrupt that came during a swap: exits once the swap settles, told whether it succeeded. */
let interrupted: ((swapped: boolean) => void) | null = null;

/** Runs `fn` (a swap) with interrupts held off until it settles (exitOnInterrupt). */
export async function uninterrupted<T>(fn: () => Promise<T>): Promise<T> {
  critical++;
  let ok = false;
  try {
    const result = await fn();
    ok = true;
    return result;
  } finally {
    critical--;
    if (critical === 0 && interrupted) interrupted(ok);
  }
}

/**
 * Ctrl+C (or SIGTERM) ends the process with code 130 after `say(swapped)`. An interrupt during a
 * swap (`uninterrupted`) waits for it to settle; `swapped` is true when the new release then went
 * into place. The exit removes the temporary folders (removeOnExit).
 */
export function exitOnInterrupt(say: (swapped: boolean) => void): void {
  // Listening for good, not once: Ctrl+C in a terminal reaches npm too, which passes it on, so the
  // same interrupt can arrive twice, and a second one with no listener would kill the process
  // before its exit removes anything.
  const stop = () => {
    if (interrupted) return;
    interrupted = (swapped) => {
      say(swapped);
      process.exit(130);
    };
    if (critical === 0) interrupted(false);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
