// temp.ts: temporary folders go however a run ends (Ctrl+C included, or at the next run after a
// kill), and an interrupt waits for a swap in progress. Child processes are interrupted for real.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepDead } from './temp';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHILD = path.join(ROOT, 'tests', 'fixtures', 'interrupt-child.ts');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'temp-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Starts the child, waits for `line` on its stdout, sends SIGINT, and resolves with how it ended. */
function interruptAt(args: string[], line: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      // Twice, as a terminal's Ctrl+C can arrive (directly, and passed on by npm): the second
      // while the first is still being handled (a swap waits 500 ms).
      if (!sent && stdout.includes(line)) {
        sent = true;
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGINT'), 100);
      }
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('interrupting a run', () => {
  it('Ctrl+C removes the folders registered with removeOnExit and exits with 130', async () => {
    const dir = path.join(tmp, 'waiting');
    const r = await interruptAt(['wait', dir], 'waiting');
    expect([r.code, r.stderr]).toEqual([130, 'interrupted\n']);
    expect(existsSync(dir)).toBe(false);
  }, 60_000);

  it('Ctrl+C removes a folder even while others are still making files in it (DuckDB, mid-COPY)', async () => {
    const dir = path.join(tmp, 'written');
    const r = await interruptAt(['writer', dir], 'writing');
    expect([r.code, r.stderr]).toEqual([130, 'interrupted\n']);
    expect(readdirSync(tmp).filter((f) => f.startsWith('written'))).toEqual([]);
  }, 60_000);

  it('Ctrl+C during a swap waits for it to finish, then says the swap happened', async () => {
    const dir = path.join(tmp, 'swap');
    mkdirSync(dir);
    const r = await interruptAt(['swap', dir], 'swapping');
    expect([r.code, r.stderr]).toEqual([130, 'interrupted after the swap\n']);
    expect(readFileSync(path.join(dir, 'swapped'), 'utf8')).toBe('done');
    expect(r.stdout).not.toContain('after the swap');
    expect(readdirSync(dir)).toEqual(['swapped']);
  }, 60_000);

  it('the pipeline interrupted mid-write leaves no staging folder and no release', async () => {
    const staging = path.join(tmp, 'staging');
    const out = path.join(tmp, 'out');
    const r = await interruptAt(['pipeline', path.join(ROOT, 'tests', 'fixtures', 'good-input', 'windows-1252-crlf'), out, staging, 'write school_year'], 'stopped at write school_year');
    expect([r.code, r.stderr]).toEqual([130, 'interrupted\n']);
    expect(readdirSync(staging)).toEqual([]);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp).filter((f) => f.startsWith('out.'))).toEqual([]);
  }, 60_000);
});

describe('interrupting the demo generator', () => {
  it('leaves an earlier demo as it was, and no half-written folder beside it', async () => {
    const demo = path.join(tmp, 'demo');
    // As `npm run demo` runs it (package.json): node --import tsx.
    const cli = (...args: string[]) => spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'pipeline', 'demo', 'cli.ts'), ...args], { cwd: ROOT });
    const ended = (child: ReturnType<typeof cli>) => new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(await ended(cli('--out', demo, '--schools', '30', '--seed', '1'))).toBe(0);
    const before = Object.fromEntries(readdirSync(demo).map((f) => [f, readFileSync(path.join(demo, f), 'utf8')]));

    // Interrupted once its folder beside the demo exists: mid-generation, whatever the machine's speed.
    const child = cli('--out', demo, '--schools', '1000', '--seed', '2');
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = ended(child);
    const beside = () => readdirSync(tmp).filter((f) => f.startsWith('demo.incoming-'));
    for (const deadline = Date.now() + 60_000; beside().length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    expect(beside()).toHaveLength(1);
    child.kill('SIGINT');
    expect(await code).toBe(130);
    expect(stderr).toBe(`demo: interrupted: ${demo} is as it was.\n`);
    expect(Object.fromEntries(readdirSync(demo).map((f) => [f, readFileSync(path.join(demo, f), 'utf8')]))).toEqual(before);
    expect(readdirSync(tmp).filter((f) => f.startsWith('demo.'))).toEqual([]);
  }, 120_000);
});

describe('sweepDead', () => {
  it('removes the folders of processes that are gone, and only those', () => {
    const root = path.join(tmp, 'sweep');
    mkdirSync(root);
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const dead = Number(gone.stdout.trim());
    // (`-removing`: what an exit moved aside and could not remove, removeWhileWritten.)
    const names = [`release-${dead}-1`, `release-${process.pid}-2`, `release-${process.ppid}-3`, `other-${dead}-4`, 'release-x-5', `release-${dead}x`, `release-${dead}`, `release-${dead}-6-removing`];
    for (const n of names) mkdirSync(path.join(root, n));
    const swept = [`release-${dead}`, `release-${dead}-1`, `release-${dead}-6-removing`];
    expect(sweepDead(root, 'release-').sort()).toEqual(swept);
    expect(readdirSync(root).sort()).toEqual(names.filter((n) => !swept.includes(n)).sort());
    expect(sweepDead(path.join(tmp, 'no-such-folder'), 'release-')).toEqual([]);
  });
});
