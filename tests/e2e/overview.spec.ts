// The overview page in real Chromium: prerendered without JavaScript, measure switching answered by
// DuckDB-WASM, loading and error states, keyboard reading of the chart, no third-party requests,
// and no accessibility violations.
import { expect, test } from '@playwright/test';
import { tableFromIPC, vectorFromArray, Int32, Table } from 'apache-arrow';
import { readFileSync } from 'node:fs';
import { AXE_VIEWS, axeViolations, doctorData, hydrated, overflowX, textOutsideCharts, watch } from './helpers';

const ARROW = 'build/data/area_year.arrow';

test('the prerendered chart, summary and table are there with JavaScript off', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const w = watch(page, new URL(baseURL!).origin);
  await page.goto('/');
  const chart = page.locator('figure#trend, figure[aria-labelledby="trend-title"]');
  await expect(chart.locator('svg[role="img"]')).toBeVisible();
  // Four pupil groups and England, a marker per year each.
  const series = chart.locator('g.series');
  await expect(series).toHaveCount(5);
  const years = await chart.locator('g.series[data-series="EHC plan"] path.marker').count();
  expect(years).toBe(8);
  await expect(page.getByTestId('summary')).toContainText('In 2023/24');
  await expect(page.locator('details.table tbody tr')).toHaveCount(8);
  await expect(page.getByTestId('data-label')).toContainText('SYNTHETIC');
  await expect(page.getByTestId('synthetic-banner')).toBeVisible();
  expect(w.requests.some((u) => u.endsWith('.wasm'))).toBe(false);
  await context.close();
});

test('switching the measure redraws the chart with values from a DuckDB-WASM query', async ({ page, baseURL }) => {
  const w = watch(page, new URL(baseURL!).origin);
  // Serve a doctored area_year.arrow: permanent exclusions x 3, with a manifest that agrees with it
  // (the browser checks size, SHA-256 and rows). The only way those values can reach the chart is
  // DuckDB-WASM reading this file; the prerendered page carries suspensions only.
  const real = tableFromIPC(readFileSync(ARROW));
  const tripled = (real.getChild('permanent_exclusions')!.toArray() as Int32Array).map((v) => v * 3);
  const cols: Record<string, unknown> = {};
  for (const f of real.schema.fields) cols[f.name] = f.name === 'permanent_exclusions' ? vectorFromArray(Array.from(tripled), new Int32()) : real.getChild(f.name);
  await doctorData(page, { tables: { area_year: new Table(cols as never) } });

  await page.goto('/');
  const html = await (await page.request.get('/')).text();

  // The radios are in the prerendered HTML: a choice made before hydration is the browser's alone.
  await hydrated(page);
  await page.getByLabel('Permanent exclusion rate').check();
  // The first answer waits for DuckDB-WASM to start: seconds when quiet, far more on a busy machine.
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-source', 'duckdb-wasm', { timeout: 60_000 });
  await expect(page.locator('figure h2')).toContainText('Permanent exclusions per 100 pupils');

  // Expected values computed here from the doctored table: LA, all phases, by group and year.
  const expected = new Map<string, number>();
  for (let i = 0; i < real.numRows; i++) {
    const r = real.get(i)!.toJSON() as Record<string, unknown>;
    if (r.area_type === 'LA' && r.phase === 'All' && r.pupil_group === 'EHC plan') {
      expected.set(String(r.academic_year), (Number(r.permanent_exclusions) * 3 * 100) / Number(r.pupils));
    }
  }
  const markers = page.locator('g.series[data-series="EHC plan"] path.marker');
  await expect(markers).toHaveCount(expected.size);
  for (const m of await markers.all()) {
    const year = (await m.getAttribute('data-year'))!;
    expect(Number(await m.getAttribute('data-value'))).toBeCloseTo(expected.get(year)!, 9);
    // Not something the page shipped: the tripled value appears nowhere in the prerendered HTML.
    if (expected.get(year)! > 0) expect(html).not.toContain(String(expected.get(year)));
  }
  expect(w.requests.some((u) => /duckdb-(eh|mvp).*\.wasm$/.test(u))).toBe(true);
  expect(w.requests.some((u) => u.endsWith('/data/area_year.arrow'))).toBe(true);
  expect(w.external).toEqual([]);
  expect(w.errors).toEqual([]);
});

test('DuckDB-WASM starts loading by itself only after the first chart is painted', async ({ page }) => {
  // The wasm is fetched by DuckDB's worker, so it is not in the page's resource timing: take the
  // request's own start time (epoch ms) and compare it with the page's first contentful paint.
  const wasmStarts: number[] = [];
  page.on('request', (r) => {
    if (/duckdb-(eh|mvp).*\.wasm$/.test(r.url())) wasmStarts.push(Date.now());
  });
  await page.goto('/');
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'ready', { timeout: 30_000 });
  const fcpEpoch = await page.evaluate(() => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return fcp ? performance.timeOrigin + fcp.startTime : null;
  });
  expect(fcpEpoch).not.toBeNull();
  expect(wasmStarts.length).toBeGreaterThan(0);
  expect(Math.min(...wasmStarts)).toBeGreaterThan(fcpEpoch!);
});

test('a first interaction before DuckDB-WASM is ready shows the loading state at once', async ({ page }) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  await page.route(/duckdb-(eh|mvp).*\.wasm$/, async (route) => {
    await gate;
    await route.continue();
  });
  await page.goto('/');
  await expect(page.locator('g.series').first()).toBeVisible();
  await hydrated(page);
  await page.getByLabel('One or more suspensions').check();
  await expect(page.locator('figure[data-state="loading"]')).toBeVisible();
  await expect(page.locator('.chart-frame [role="status"]')).toContainText('Loading');
  release();
  await expect(page.locator('figure[data-state="ready"]')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('figure h2')).toContainText('one or more suspensions');
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-source', 'duckdb-wasm');
});

test('a failed DuckDB-WASM load gives a clear error and keeps the chart readable', async ({ page }) => {
  await page.route(/duckdb-(eh|mvp).*\.wasm$/, (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto('/');
  // A click before hydration is the browser's alone (no handler yet), and asks nothing.
  await hydrated(page);
  await page.getByLabel('Permanent exclusion rate').check();
  await expect(page.getByRole('alert')).toContainText('could not be updated');
  await expect(page.locator('g.series')).toHaveCount(5);
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'error');
});

test('the chart can be read by keyboard', async ({ page }) => {
  await page.goto('/');
  // The plot is in the prerendered page, but its keys are handled only once it is hydrated.
  await hydrated(page);
  const plot = page.locator('.plot').first();
  await plot.focus();
  await page.keyboard.press('Home');
  await expect(page.locator('.readout')).toContainText('2016/17. EHC plan:');
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('.readout')).toContainText('2017/18.');
  await page.keyboard.press('End');
  await expect(page.locator('.readout')).toContainText('2023/24.');
});

for (const { colorScheme, width } of AXE_VIEWS) {
  test(`no axe-core violations (${colorScheme}, ${width}px)`, async ({ browser }) => {
    const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto('/');
    await page.locator('details.table summary').click();
    expect(await axeViolations(page)).toEqual([]);
    // Reflow: nothing wider than the viewport at 320 CSS pixels.
    expect(await overflowX(page)).toBeLessThanOrEqual(0);
    expect(await textOutsideCharts(page)).toEqual([]);
    await context.close();
  });
}
