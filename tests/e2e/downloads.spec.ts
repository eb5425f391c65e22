// The downloads page: every published file is linked and served, and CSV text is neutralised
// against spreadsheet formulas. (Content Security Policy and headers: security.spec.ts.)
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { AXE_VIEWS, axeViolations, overflowX } from './helpers';

const manifest = JSON.parse(readFileSync('build/data/manifest.json', 'utf8')) as {
  tables: Record<string, { files: Record<string, { path: string; bytes: number }> }>;
};

test('the downloads page links every CSV and Parquet file, the manifest and the data dictionary, all served', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/downloads');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Download the data');
  // Links are relative in prerendered pages; compare their resolved paths.
  const hrefs = await page.locator('main a[href]').evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  for (const t of Object.values(manifest.tables)) {
    for (const kind of ['csv', 'parquet']) expect(hrefs).toContain(`/data/${t.files[kind]!.path}`);
  }
  expect(hrefs).toContain('/data/manifest.json');
  expect(hrefs).toContain('/data-dictionary.csv');
  for (const href of hrefs.filter((h) => h.startsWith('/data'))) {
    const res = await page.request.get(new URL(href, baseURL).toString());
    expect(res.status(), href).toBe(200);
  }
  const dictionary = await (await page.request.get('/data-dictionary.csv')).text();
  expect(dictionary.split('\n')[0]).toBe('table,column,type,description');
  expect(dictionary).toContain('school_year,pupils_flag,VARCHAR,');
  await context.close();
});

test('published CSVs label synthetic data, and text never starts a spreadsheet formula', async ({ request }) => {
  for (const t of Object.values(manifest.tables)) {
    const csv = await (await request.get(`/data/${t.files.csv!.path}`)).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]!.startsWith('dataset,')).toBe(true);
    // One assertion over all lines: an expect() per line is minutes on the 100,000-row reasons table.
    expect(lines.slice(1).filter((line) => /(^|,)"?[=+@\t\r]/.test(line))).toEqual([]);
  }
});

for (const { colorScheme, width } of AXE_VIEWS) {
  test(`downloads: no axe-core violations (${colorScheme}, ${width}px)`, async ({ browser }) => {
    const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto('/downloads');
    for (const d of await page.locator('details summary').all()) await d.click();
    expect(await axeViolations(page)).toEqual([]);
    expect(await overflowX(page)).toBeLessThanOrEqual(0);
    await context.close();
  });
}
