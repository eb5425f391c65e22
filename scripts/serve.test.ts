// scripts/serve.ts as a reader meets it on the command line: a mistyped option gets the usage and
// exit code 2 (not a stack trace), --help the usage, and a folder with no built site a sentence.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'serve-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const serve = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/serve.ts', ...args], { encoding: 'utf8', timeout: 30_000 });

describe('serve.ts on the command line', () => {
  it('a mistyped option: what was wrong and the usage, exit code 2', () => {
    const r = serve('--prot', '4801');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^Unknown option '--prot'/);
    expect(r.stderr).toContain('Usage: npm run serve -- [options]');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--help: the usage, exit code 0', () => {
    const r = serve('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--base PATH');
  });

  it('a folder with no built site: a sentence saying what to run, exit code 1', () => {
    const r = serve('--dir', tmp);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`No built site in ${tmp}: run \`npm run build\` first.`);
  });

  it('a wrong --base: the rule in words, exit code 1', () => {
    const site = path.join(tmp, 'site');
    mkdirSync(site);
    writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>x</title>');
    const r = serve('--dir', site, '--base', 'exclusions');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^--base must be empty \(the site at a domain's root\) or a path such as \/exclusions.*not "exclusions"\.$/);
  });
});
