// Views with an address, and chart downloads, on the overview (the shared UrlState and ChartFrame
// pieces every page uses): a choice goes into the URL, a copied link restores it, back and forward
// step through views, an unreadable choice is said to be ignored and taken out of the address in
// place, JavaScript off says what a link cannot do; and the chart's CSV, SVG and PNG are what the
// chart draws.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { csvLine, hydrated, reportCspViolations, watch } from './helpers';

const heading = (page: import('@playwright/test').Page) => page.locator('figure h2').first();

test('a choice goes into the address; the address restores it; back and forward step through views', async ({ page, baseURL }) => {
  const w = watch(page, new URL(baseURL!).origin);
  await page.goto('/');
  await expect(heading(page)).toContainText('Suspensions per 100 pupils');
  // The radios are in the prerendered page; a choice is the app's only once it is hydrated.
  await hydrated(page);
  await page.getByLabel('Permanent exclusion rate').check();
  await expect(page).toHaveURL(/\?measure=permanent_exclusion_rate$/);
  // The first answer waits for DuckDB-WASM to start: seconds when quiet, far more on a busy machine.
  await expect(heading(page)).toContainText('Permanent exclusions per 100 pupils', { timeout: 60_000 });
  await page.getByLabel('One or more suspensions').check();
  await expect(page).toHaveURL(/\?measure=one_plus_suspension_rate$/);

  await page.goBack();
  await expect(page).toHaveURL(/\?measure=permanent_exclusion_rate$/);
  await expect(heading(page)).toContainText('Permanent exclusions per 100 pupils');
  await expect(page.getByRole('radio', { name: 'Permanent exclusion rate' })).toBeChecked();
  await page.goBack();
  await expect(page).toHaveURL(new URL('/', baseURL).toString());
  await expect(heading(page)).toContainText('Suspensions per 100 pupils');
  await page.goForward();
  await expect(heading(page)).toContainText('Permanent exclusions per 100 pupils');

  // A copied link, opened fresh.
  const fresh = await page.context().newPage();
  await fresh.goto('/?measure=one_plus_suspension_rate');
  await expect(heading(fresh)).toContainText('one or more suspensions', { timeout: 30_000 });
  await expect(fresh.getByRole('radio', { name: 'One or more suspensions' })).toBeChecked();
  await expect(fresh.getByTestId('engine-status')).toHaveAttribute('data-source', 'duckdb-wasm');
  expect(w.errors).toEqual([]);
});

test('a choice the page cannot read is ignored, and the page says so', async ({ page }) => {
  await page.goto('/?measure=exclusions_per_fortnight');
  await expect(page.getByTestId('ignored-params')).toContainText('measure');
  await expect(heading(page)).toContainText('Suspensions per 100 pupils');
});

test('a list opened past its end shows its last page, says so, and still says what it could not read', async ({ page }) => {
  // The page mends the address (page=999 becomes the last page); the notice about the unreadable
  // choice once vanished with the mend (an outside review found it).
  await page.goto('/schools?page=999&measure=exclusions_per_fortnight');
  await expect(page).toHaveURL(/page=\d+/);
  await expect(page).not.toHaveURL(/page=999/);
  await expect(page).not.toHaveURL(/exclusions_per_fortnight/);
  await expect(page.getByTestId('view-corrected')).toContainText(/The link asked for a page past the end of this list, which has \d+ pages, so the last page is shown\./);
  await expect(page.getByTestId('ignored-params')).toContainText('measure');
  // The reader's own next choice is a new view: the notes were about the link.
  await page.getByRole('button', { name: 'Previous page' }).click();
  await expect(page.getByTestId('view-corrected')).toHaveCount(0);
  await expect(page.getByTestId('ignored-params')).toHaveCount(0);
});

test('an unreadable choice is taken out of the address in place: the notice stays, and Back does not return to it', async ({ page, baseURL }) => {
  await page.goto('/');
  await page.goto('/schools?page=-1');
  // The address shows the view shown (the first page), in place of the entry the link made.
  await expect(page).toHaveURL(new URL('/schools', baseURL).toString());
  await expect(page.getByTestId('ignored-params')).toContainText('(page)');
  await expect(page.getByTestId('school-table-count')).toContainText('Showing 1 to');
  await page.goBack();
  await expect(page).toHaveURL(new URL('/', baseURL).toString());
  await page.goForward();
  await expect(page).toHaveURL(new URL('/schools', baseURL).toString());

  // What could be read is kept, only what could not is taken out; on every page with choices.
  for (const [bad, mended, ignored] of [
    ['/schools?phase=Secondary&page=abc', '/schools?phase=Secondary', 'page'],
    ['/schools?page=1.5&measure=permanent_exclusion_rate', '/schools?measure=permanent_exclusion_rate', 'page'],
    ['/?measure=exclusions_per_fortnight', '/', 'measure'],
    ['/council?phase=Nursery', '/council', 'phase']
  ] as const) {
    await page.goto(bad);
    await expect(page, bad).toHaveURL(new URL(mended, baseURL).toString());
    await expect(page.getByTestId('ignored-params'), bad).toContainText(ignored);
  }
});

test('with JavaScript off, a link with choices shows the standard view and says so', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/?measure=permanent_exclusion_rate');
  await expect(heading(page)).toContainText('Suspensions per 100 pupils');
  // Playwright's JavaScript switch leaves the parser treating <noscript> as text (a browser with
  // scripting off renders it), so the note is checked in the page as served.
  const html = await (await page.request.get('/?measure=permanent_exclusion_rate')).text();
  expect(html).toMatch(/<noscript><p[^>]*>This page is showing its standard view/);
  // Downloads are made in the browser: none are offered without it.
  await expect(page.getByTestId('downloads')).toHaveCount(0);
  await context.close();
});

test('the chart downloads hold what the chart draws: CSV with flags, SVG and PNG', async ({ page, baseURL }) => {
  // Saving must work inside the page's Content Security Policy: a blocked image is a failed PNG.
  const w = watch(page, new URL(baseURL!).origin);
  await reportCspViolations(page);
  await page.goto('/');
  const frame = page.locator('figure').first();
  await expect(frame.getByTestId('downloads')).toBeVisible();

  const csvDownload = page.waitForEvent('download');
  await frame.getByRole('button', { name: 'Data (CSV)' }).click();
  const csvFile = await csvDownload;
  expect(csvFile.suggestedFilename()).toMatch(/^suspensions-per-100-pupils.*\.csv$/);
  const csv = readFileSync((await csvFile.path())!, 'utf8').trim().split('\n').map(csvLine);
  const header = csv[0]!;
  expect(header).toEqual(['dataset', 'area_type', 'area_name', 'pupil_group', 'academic_year', 'suspensions', 'suspensions_flag', 'pupils', 'pupils_flag', 'rate_per_100', 'lower_95', 'upper_95']);
  const rows = csv.slice(1);
  expect(rows.length).toBe(5 * 8); // four groups and England, eight years
  for (const r of rows) {
    expect(r[0]).toMatch(/^SYNTHETIC/);
    const [suspensions, pupils, rate] = [r[5], r[7], r[9]];
    if (suspensions && pupils) expect(Number(rate)).toBeCloseTo((Number(suspensions) / Number(pupils)) * 100, 9);
    else expect([rate, r[6] || r[8]]).toEqual(['', expect.stringMatching(/^(c|x|z|low)$/)]);
  }
  // The drawn markers are the CSV's LA EHC plan rates, year by year.
  const ehc = rows.filter((r) => r[1] === 'LA' && r[3] === 'EHC plan').map((r) => Number(r[9]));
  const drawn = await frame.locator('g.series[data-series="EHC plan"] path.marker').evaluateAll((ms) => ms.map((m) => Number(m.getAttribute('data-value'))));
  expect(drawn).toEqual(ehc);

  const svgDownload = page.waitForEvent('download');
  await frame.getByRole('button', { name: 'Picture (SVG)' }).click();
  const svg = readFileSync((await (await svgDownload).path())!, 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
  expect(svg).toContain('<title');
  expect(svg).not.toContain('var(--'); // colours resolved, so the file draws the same anywhere

  const pngDownload = page.waitForEvent('download');
  await frame.getByRole('button', { name: 'Picture (PNG)' }).click();
  const png = readFileSync((await (await pngDownload).path())!);
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.length).toBeGreaterThan(5000);
  expect(w.errors).toEqual([]);
});

test('a picture saved on a phone holds its whole title, labels and source', async ({ browser }) => {
  // An outside review found the title and the source line cut off at 320 and 390 px, and the
  // council's line labels before they wrapped.
  const context = await browser.newContext({ viewport: { width: 320, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto('/council');
  const frame = page.locator('figure[aria-labelledby="ratio-title"]');
  await expect(frame.getByTestId('downloads')).toBeVisible();
  const download = page.waitForEvent('download');
  await frame.getByRole('button', { name: 'Picture (SVG)' }).click();
  const svg = readFileSync((await (await download).path())!, 'utf8');
  // Drawn on its own, every piece of text lies inside the picture.
  const viewer = await context.newPage();
  await viewer.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
  const outside = await viewer.evaluate(() => {
    const root = document.querySelector('svg')!.getBoundingClientRect();
    return [...document.querySelectorAll('svg text')]
      .map((t) => ({ text: t.textContent, box: t.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && (box.left < root.left - 0.5 || box.right > root.right + 0.5 || box.bottom > root.bottom + 0.5))
      .map(({ text, box }) => `${text} [${Math.round(box.left)}, ${Math.round(box.right)}] in [${Math.round(root.left)}, ${Math.round(root.right)}]`);
  });
  expect(outside).toEqual([]);
  expect(svg).toContain('Source:');
  await context.close();
});
