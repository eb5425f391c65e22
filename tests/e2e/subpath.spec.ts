// The site built for a sub-path (`npm run build:subpath`: BASE_PATH=/exclusions), served under it as
// a council's web server would that puts the dashboard inside its own website. Every page, data
// file, engine file and school file is asked for under /exclusions/ and nothing outside it; links,
// client-side navigation and downloads stay there; filters are answered by DuckDB-WASM, whose
// worker gets its policy at its sub-path address; the not-found page works there too.
import { expect, test, type Page } from '@playwright/test';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { hydrated, liveFrames, settled, useFrameControl, watch } from './helpers';
import { SUBPATH } from './subpath-build';

const ORIGIN = `http://localhost:${SUBPATH.port}`;
const BASE = SUBPATH.base;
const at = (p: string) => `${ORIGIN}${BASE}${p}`;

test.beforeAll(() => {
  // Fails rather than skips: `npm test` builds it, and a test that quietly skips proves nothing.
  if (!existsSync(path.join(SUBPATH.dir, 'index.html'))) {
    throw new Error(`No sub-path build in ${SUBPATH.dir}: run \`npm run build:subpath\` first (npm test does).`);
  }
});

/** A school with a page, from the build's own school files. */
function someUrn(): string {
  const file = readdirSync(path.join(SUBPATH.dir, 'school-data')).find((f) => f.endsWith('.json'));
  return file!.replace(/\.json$/, '');
}

/** Every request and failed response of the page's context, to check what was asked for. */
function track(page: Page) {
  const w = watch(page, ORIGIN);
  const failed: string[] = [];
  page.context().on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  const outside = () => w.requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && !new URL(u).pathname.startsWith(`${BASE}/`));
  return { w, failed, outside };
}

/** The same-origin links on the page that lead outside the base. */
async function linksOutside(page: Page): Promise<string[]> {
  return page.locator('a[href]').evaluateAll(
    (as, base) =>
      as
        .map((a) => new URL((a as HTMLAnchorElement).href))
        .filter((u) => u.origin === location.origin && !u.pathname.startsWith(`${base}/`))
        .map((u) => u.pathname),
    BASE
  );
}

test('every page loads under the sub-path, asks for nothing outside it, and links only within it', async ({ page }) => {
  test.setTimeout(180_000);
  const t = track(page);
  for (const p of ['/', '/council', '/schools', `/schools/${someUrn()}`, '/transparency', '/downloads', '/explore', '/methodology', '/accessibility']) {
    const res = await page.goto(at(p));
    expect(res!.status(), p).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }), p).toBeVisible();
    await hydrated(page);
    await page.waitForLoadState('networkidle');
    expect(await linksOutside(page), p).toEqual([]);
  }
  expect(t.failed).toEqual([]);
  expect(t.outside()).toEqual([]);
  expect(t.w.external).toEqual([]);
  expect(t.w.errors).toEqual([]);
});

test("a filter is answered by DuckDB-WASM from the sub-path's data, its worker under its own policy", async ({ page }) => {
  const t = track(page);
  const policies = new Map<string, string | undefined>();
  page.context().on('response', (r) => {
    if (/duckdb-guard\.worker\.[^/]+\.js$/.test(new URL(r.url()).pathname)) policies.set(new URL(r.url()).pathname, r.headers()['content-security-policy']);
  });
  await page.goto(at('/council'));
  const frame = liveFrames(page).first();
  const before = Number((await frame.getAttribute('data-answers')) ?? 0);
  expect(await useFrameControl(frame)).toBe(true);
  expect(await settled(frame, before, 60_000)).toBe('answered');
  expect([...policies.keys()].every((p) => p.startsWith(`${BASE}/_app/immutable/assets/`))).toBe(true);
  expect([...policies.values()]).toEqual([expect.stringContaining("script-src 'self' 'wasm-unsafe-eval'")]);
  expect(t.w.requests.some((u) => new URL(u).pathname.startsWith(`${BASE}/data/`) && u.endsWith('.arrow'))).toBe(true);
  expect(t.failed).toEqual([]);
  expect(t.outside()).toEqual([]);
  expect(t.w.errors).toEqual([]);
});

test('client-side navigation, the school shell and the explorer all work under the sub-path', async ({ page }) => {
  test.setTimeout(180_000);
  const t = track(page);
  await page.goto(at('/'));
  await hydrated(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schools' }).click();
  await expect(page).toHaveURL(`${at('/schools')}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Schools: exclusion rates compared');

  const urn = someUrn();
  await page.goto(at(`/schools/school?urn=${urn}`));
  await expect(page.getByTestId('school-shell')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  expect(t.w.requests.some((u) => new URL(u).pathname === `${BASE}/school-data/${urn}.json`)).toBe(true);

  await page.goto(at('/explore'));
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const status = page.getByTestId('run-status');
  const runs = Number(await status.getAttribute('data-runs'));
  await page.locator('#sql').fill('SELECT count(*) AS n FROM schools');
  await page.getByTestId('run').click();
  await expect(status).toHaveAttribute('data-runs', String(runs + 1), { timeout: 60_000 });
  await expect(status).toContainText('1 row, 1 column');
  const schools = readdirSync(path.join(SUBPATH.dir, 'school-data')).filter((f) => f.endsWith('.json')).length;
  await expect(page.getByTestId('result-table').locator('tbody td').last()).toHaveText(schools.toLocaleString('en-GB'));

  expect(t.failed).toEqual([]);
  expect(t.outside()).toEqual([]);
  expect(t.w.errors).toEqual([]);
});

test('every download link is under the sub-path and is there', async ({ page }) => {
  for (const p of ['/downloads', '/transparency']) {
    await page.goto(at(p));
    const hrefs = await page.locator('a[download], a[href$="manifest.json"]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(hrefs.length, p).toBeGreaterThan(3);
    for (const href of new Set(hrefs)) {
      expect(new URL(href).pathname.startsWith(`${BASE}/data`), href).toBe(true);
      const res = await page.request.head(href);
      expect(res.status(), href).toBe(200);
    }
  }
});

test('the bare root leads to the site; an address without a page gets the not-found page, styled, with links into the site', async ({ page }) => {
  const root = await page.goto(`${ORIGIN}/`);
  expect(new URL(page.url()).pathname).toBe(`${BASE}/`);
  expect(root!.status()).toBe(200);

  const missing = `${BASE}/schools/999999/old-link`;
  const res = await page.goto(`${ORIGIN}${missing}`);
  expect(res!.status()).toBe(404);
  expect(res!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  expect(await page.locator('.site-header').evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
  expect(await linksOutside(page)).toEqual([]);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Methodology' }).click();
  await expect(page).toHaveURL(at('/methodology'));

  // Outside the base is not the site's: the site's own pages are not there.
  expect((await page.request.get(`${ORIGIN}/council`)).status()).toBe(404);
});
