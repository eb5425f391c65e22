/**
 * Room for the audit at national scale. The audit holds every published cell as text, and every
 * equation over them, in JavaScript: about 4.5 bytes of heap per byte of release (a 22,000-school
 * release of 3.3 GB peaked at 15 GB). V8's default heap limit is about 4 GB whatever the machine
 * has, so a command that is about to audit a large release runs itself again with a limit of
 * three quarters of the machine's memory, and says so, rather than failing with "heap out of
 * memory" after minutes.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';

/** Heap the audit needs, per byte of the release's files (measured: 15 GB for 3.3 GB). */
export const HEAP_PER_RELEASE_BYTE = 5;
const MB = 1024 * 1024;
/** Set in the environment of the run started with the larger heap, so it never starts another. */
const RAISED = 'SEND_AUDIT_HEAP_RAISED';

/**
 * The heap limit (in MB) to run again with, or null when the current one will do (or no larger
 * one would: the machine has no more to give). Pure, for the tests.
 */
export function heapTarget(releaseBytes: number, currentLimitBytes: number, totalMemoryBytes: number): number | null {
  const needed = releaseBytes * HEAP_PER_RELEASE_BYTE;
  if (needed <= currentLimitBytes) return null;
  const target = Math.floor((totalMemoryBytes * 0.75) / MB);
  return target * MB > currentLimitBytes ? target : null;
}

/** The bytes of every file in a folder and below it (0 for a folder that cannot be read). */
export function folderBytes(dir: string): number {
  let total = 0;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) total += folderBytes(p);
      else if (entry.isFile()) total += statSync(p).size;
    }
  } catch {
    return total;
  }
  return total;
}

/**
 * Run this command again, with the same arguments and a larger heap, when auditing a release of
 * `releaseBytes` needs one; returns only when it does not (or when this is already that run).
 * Exits with the other run's exit code otherwise.
 */
export function ensureHeapFor(releaseBytes: number, log: (line: string) => void = (l) => console.error(l)): void {
  if (process.env[RAISED]) return;
  const target = heapTarget(releaseBytes, v8.getHeapStatistics().heap_size_limit, os.totalmem());
  if (target === null) {
    const needed = releaseBytes * HEAP_PER_RELEASE_BYTE;
    if (needed > v8.getHeapStatistics().heap_size_limit) {
      log(`Note: auditing ${(releaseBytes / MB).toFixed(0)} MB of release may need about ${(needed / MB / 1024).toFixed(1)} GB of memory, more than this machine can give.`);
    }
    return;
  }
  log(`The release is ${(releaseBytes / MB).toFixed(0)} MB: running again with a ${(target / 1024).toFixed(1)} GB heap (--max-old-space-size=${target}).`);
  const r = spawnSync(process.execPath, [...process.execArgv, `--max-old-space-size=${target}`, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [RAISED]: '1' }
  });
  process.exit(r.status ?? 1);
}
