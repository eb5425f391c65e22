// `npm run data` as a person runs it: exit codes, what it prints, and what it leaves on disk when
// it refuses. (The stages themselves are tested in run.test.ts.)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const SMALL = path.join(ROOT, 'tests', 'fixtures', 'extract-small');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'data-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function data(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, path.join(ROOT, 'src', 'pipeline', 'cli.ts'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run data', () => {
  it('publishes, printing a line per stage and a closing summary (exit 0)', async () => {
    const out = path.join(tmp, 'release');
    const r = await data('--input', SMALL, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const stages = r.stdout.split('\n').filter((l) => l.startsWith('[data] ')).map((l) => l.slice(7).split(/\s+/)[0]);
    expect(stages).toEqual(['read', 'aggregate', 'disclosure', 'write', 'audit', 'publish', 'done']);
    expect(r.stdout).toMatch(/\[data\] done in [\d.]+ s: 36 rows in, [\d,]+ rows published; [\d,]+ cells published, [\d,]+ suppressed \(/);
    expect(readdirSync(out)).toContain('manifest.json');
  }, 60_000);

  it('refuses an --out folder of somebody’s files, keeps them, and says nothing was published (exit 1)', async () => {
    const mine = path.join(tmp, 'mine');
    mkdirSync(mine);
    writeFileSync(path.join(mine, 'notes.txt'), 'mine');
    const r = await data('--input', SMALL, '--out', mine);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `[data] --out ${mine} already holds files and is not an earlier release (no readable manifest.json): notes.txt. ` +
        'Nothing was written there. Give a new or empty folder, or the folder of an earlier release (which is replaced).\n[data] nothing was published.\n'
    );
    expect(readdirSync(mine)).toEqual(['notes.txt']);
    expect(readFileSync(path.join(mine, 'notes.txt'), 'utf8')).toBe('mine');
  }, 60_000);

  it('a broken config is reported at its line and column before the demo is generated (exit 1)', async () => {
    const config = path.join(tmp, 'config.json');
    writeFileSync(config, '{\n  "disclosure": { "min_count": 5, }\n}\n');
    const r = await data('--config', config, '--out', path.join(tmp, 'never'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`[data] 1 problem in the input:\n  ${config}:2, column 35: found "}", expected valid JSON: expected a key in double quotes\n[data] nothing was published.\n`);
    expect(readdirSync(tmp)).not.toContain('never');
  }, 60_000);

  it('a wrong command line gets the usage (exit 2)', async () => {
    const r = await data('--inptu', SMALL);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Unknown option '--inptu'/);
    expect(r.stderr).toContain('Usage: npm run data -- [options]');
  }, 60_000);
});
