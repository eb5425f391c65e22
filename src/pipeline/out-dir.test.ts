// out-dir.ts: which folders a release or the demo may write over, on real folders. The pipeline's
// own use of it (refusing before any work, and again at the swap) is in run.test.ts.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDemoDir, checkReleaseDir, DEMO_FILES, OutputRefused } from './out-dir';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'out-dir-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A folder holding `files` (name -> content), made fresh under tmp. */
async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  for (const [f, content] of Object.entries(files)) await writeFile(path.join(dir, f), content);
  return dir;
}
/** An earlier release's manifest.json listing two tables' files (the shape publish.ts writes). */
const MANIFEST = JSON.stringify({
  release: 'demo-2023-24',
  tables: {
    schools: { rows: 2, files: { arrow: { path: 'schools.arrow' }, parquet: { path: 'schools.parquet' }, csv: { path: 'schools.csv' } } },
    school_year: { rows: 8, files: { arrow: { path: 'school_year.arrow' }, parquet: { path: 'school_year.parquet' }, csv: { path: 'school_year.csv' } } }
  }
});
const RELEASE = Object.fromEntries(
  ['schools', 'school_year'].flatMap((t) => ['arrow', 'parquet', 'csv'].map((f) => [`${t}.${f}`, 'x'])).concat([['manifest.json', MANIFEST]])
);
async function refusal(check: Promise<void>): Promise<string> {
  const e = await check.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(OutputRefused);
  return (e as Error).message;
}

describe('checkReleaseDir', () => {
  it('lets a release go to a new folder (parents included), an empty one, or an earlier release', async () => {
    await expect(checkReleaseDir(path.join(tmp, 'new', 'deeper', 'data'))).resolves.toBeUndefined();
    await expect(checkReleaseDir(await folder('empty', {}))).resolves.toBeUndefined();
    await expect(checkReleaseDir(await folder('earlier', RELEASE))).resolves.toBeUndefined();
    // An earlier release that lists fewer files than the folder holds is not the whole folder.
    await expect(checkReleaseDir(await folder('part', { 'manifest.json': MANIFEST, 'schools.csv': 'x' }))).resolves.toBeUndefined();
  });

  it('refuses a folder of somebody’s files, naming them', async () => {
    const dir = await folder('home', { 'notes.txt': 'mine', 'budget.xlsx': 'mine too' });
    expect(await refusal(checkReleaseDir(dir))).toBe(
      `--out ${dir} already holds files and is not an earlier release (no readable manifest.json): budget.xlsx, notes.txt. ` +
        'Nothing was written there. Give a new or empty folder, or the folder of an earlier release (which is replaced).'
    );
  });

  it('names the first five things in the way and counts the rest', async () => {
    const dir = await folder('many', Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}.txt`, ''])));
    expect(await refusal(checkReleaseDir(dir))).toContain(': f0.txt, f1.txt, f2.txt, f3.txt, f4.txt and 3 more. ');
  });

  it('refuses an earlier release with a file somebody added, or a folder inside it', async () => {
    const dir = await folder('added', { ...RELEASE, 'README.md': 'my notes' });
    expect(await refusal(checkReleaseDir(dir))).toBe(
      `--out ${dir} holds an earlier release and files that are not part of it, which replacing it would delete: README.md. ` +
        'Nothing was written there. Give a new or empty folder, or the folder of an earlier release (which is replaced).'
    );
    const nested = await folder('nested', RELEASE);
    await mkdir(path.join(nested, 'schools.csv.d'));
    await rm(path.join(nested, 'schools.csv'));
    await mkdir(path.join(nested, 'schools.csv'));
    expect(await refusal(checkReleaseDir(nested))).toContain('which replacing it would delete: schools.csv, schools.csv.d. ');
  });

  it('refuses a folder whose manifest.json is not a release’s', async () => {
    for (const [name, manifest] of [
      ['not-json', '{ release: '],
      ['other-json', JSON.stringify({ name: 'my-app', version: '1.0.0' })],
      ['no-paths', JSON.stringify({ release: 'x', tables: { schools: { files: { csv: {} } } } })]
    ] as const) {
      const dir = await folder(name, { 'manifest.json': manifest, 'data.csv': '' });
      expect(await refusal(checkReleaseDir(dir)), name).toContain('is not an earlier release (no readable manifest.json): data.csv, manifest.json.');
    }
  });

  it('refuses a file, and a path through a file', async () => {
    const dir = await folder('files', { 'passwd': 'root:x:0:0' });
    const file = path.join(dir, 'passwd');
    expect(await refusal(checkReleaseDir(file))).toBe(`--out ${file} is a file, not a folder: nothing was written over it. Give a new or empty folder.`);
    expect(await refusal(checkReleaseDir(path.join(file, 'data'), '--tile'))).toBe(`--tile ${path.join(file, 'data')}: ${file} is a file, so no folder can be made inside it`);
  });
});

describe('checkDemoDir', () => {
  const demoJson = JSON.stringify({ synthetic: true, generator: 'demo-v1', label: 'SYNTHETIC DEMO DATA' });

  it('lets the demo go to a new or empty folder, over an earlier demo, or beside files that are not an extract', async () => {
    await expect(checkDemoDir(path.join(tmp, 'demo-new'))).resolves.toBeUndefined();
    await expect(checkDemoDir(await folder('demo-empty', {}))).resolves.toBeUndefined();
    await expect(checkDemoDir(await folder('demo-earlier', { ...Object.fromEntries(DEMO_FILES.map((f) => [f, 'x'])), 'extract.json': demoJson }))).resolves.toBeUndefined();
    await expect(checkDemoDir(await folder('demo-beside', { 'notes.txt': 'mine' }))).resolves.toBeUndefined();
  });

  it('refuses a council’s extract, in CSV or Parquet, and one that only says it is synthetic', async () => {
    const csv = await folder('council-csv', { 'pupils.csv': 'real', 'schools.csv': 'real', 'notes.txt': '' });
    expect(await refusal(checkDemoDir(csv))).toBe(
      `--out ${csv} holds an extract that is not an earlier demo (its extract.json does not say the demo generator wrote it): pupils.csv, schools.csv. ` +
        'Nothing was written there. Give a new or empty folder, or the folder of an earlier demo extract (whose files are replaced).'
    );
    const parquet = await folder('council-parquet', { 'exclusions.parquet': 'real' });
    expect(await refusal(checkDemoDir(parquet))).toContain('): exclusions.parquet. ');
    // synthetic: true is what a test extract may say too; only the generator's own mark will do.
    const other = await folder('other-synthetic', { 'extract.json': JSON.stringify({ synthetic: true, label: 'my test data' }), 'pupils.csv': 'mine' });
    expect(await refusal(checkDemoDir(other))).toContain('): extract.json, pupils.csv. ');
  });
});
