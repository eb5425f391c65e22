// scripts/check-data.ts: the build stops with a sentence when there is no release to build from.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { publishedDataProblem } from './check-data';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'check-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('publishedDataProblem', () => {
  const release = (name: string, files: string[], write: string[]) => {
    const dir = path.join(tmp, name);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ tables: { schools: { files: Object.fromEntries(files.map((f) => [f.split('.').pop(), { path: f }])) } } }));
    for (const f of write) writeFileSync(path.join(dir, f), 'x');
    return dir;
  };

  it('a whole release: nothing to say', () => {
    expect(publishedDataProblem(release('whole', ['schools.arrow', 'schools.csv'], ['schools.arrow', 'schools.csv']))).toBeNull();
  });

  it('no release at all, or a manifest that is not JSON: run npm run data', () => {
    expect(publishedDataProblem(path.join(tmp, 'none'))).toMatch(/^No published data in .*none \(no manifest\.json\): run `npm run data` first, then build\.$/);
    const bad = path.join(tmp, 'bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'manifest.json'), '{');
    expect(publishedDataProblem(bad)).toMatch(/manifest\.json is not valid JSON/);
  });

  it('files the manifest lists but the folder lacks are named', () => {
    expect(publishedDataProblem(release('part', ['schools.arrow', 'schools.csv'], ['schools.arrow']))).toMatch(/lacks 1 of the files its manifest lists \(schools\.csv\)/);
  });
});
