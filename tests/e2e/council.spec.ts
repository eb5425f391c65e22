// The councillors' view (/council) in real Chromium: every filter and selection in the address
// (round trips, back and forward, a copied link, an unreadable one, JavaScript off), the linked
// span chosen on the trend by keyboard, by pointer and by the selects, summaries that follow the
// filters, local events and targets on the time axes, suppressed figures that say why, axe-core in
// light and dark at 320 and 1280 px, and downloads whose figures are checked against the published
// demo tables' raw counts with a short computation of the test's own (count / pupils x 100, sums
// over the span), never against the code that made them.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AXE_VIEWS, axeViolations, BUILD, builtManifest, csvLine, overflowX, textOutsideCharts, reportCspViolations, watch } from './helpers';

const manifest = builtManifest();
const LATEST = Number(manifest.latest_year.slice(0, 4));
const ay = (y: number) => `${y}/${String((y + 1) % 100).padStart(2, '0')}`;

/** A published CSV as objects keyed by column name (values as text, '' for NULL). */
function published(table: string): Record<string, string>[] {
  const file = path.join(BUILD, 'data', (manifest.tables[table]!.files as Record<string, { path: string }>).csv!.path);
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n').map(csvLine);
  return lines.map((l) => Object.fromEntries(head!.map((h, i) => [h, l[i] ?? ''])));
}
const AREA = published('area_year');
const BREAKDOWN = published('area_breakdown');
const la = (year: number, group: string, phase = 'All') =>
  AREA.find((r) => r.area_type === 'LA' && r.phase === phase && r.year_start === String(year) && r.pupil_group === group)!;

/** The dashboard's rounding for rates, written out again here: 1 decimal from 10, 2 from 1, else 3. */
const fmt = (v: number) => (v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3).replace(/0$/, ''));

const frame = (page: Page, id: string) => page.locator(`figure.chart-frame:has(#${id}-title)`);
const answered = async (f: Locator, atLeast = 1) => expect.poll(async () => Number(await f.getAttribute('data-answers')), { timeout: 30_000 }).toBeGreaterThanOrEqual(atLeast);

async function downloadCsv(page: Page, f: Locator): Promise<string[][]> {
  const d = page.waitForEvent('download');
  await f.getByRole('button', { name: 'Data (CSV)' }).click();
  return readFileSync((await (await d).path())!, 'utf8').trim().split('\n').map(csvLine);
}

async function ready(page: Page, url: string) {
  await page.goto(url);
  await expect(frame(page, 'trend').getByTestId('downloads')).toBeVisible();
}

test('every choice goes into the address; back, forward and a copied link restore it', async ({ page, baseURL }) => {
  const w = watch(page, new URL(baseURL!).origin);
  await ready(page, '/council');
  await page.getByTestId('phase-control').getByRole('radio', { name: 'Secondary' }).check();
  await expect(page).toHaveURL(/\/council\?phase=Secondary$/);
  // The first answer waits for DuckDB-WASM to start.
  await expect(page.getByTestId('headline')).toHaveAttribute('data-phase', 'Secondary', { timeout: 30_000 });
  await expect(page.locator('#headline-title')).toContainText('secondary schools');
  const trend = frame(page, 'trend');
  await trend.getByRole('radio', { name: 'Permanent exclusion rate' }).check();
  await expect(page).toHaveURL(/\?phase=Secondary&measure=permanent_exclusion_rate$/);
  await trend.getByRole('checkbox', { name: 'Region' }).check();
  await expect(page).toHaveURL(/&compare=England%2CRegion$/);
  await expect(page.locator('#trend-title')).toHaveText('Permanent exclusions per 100 pupils, by pupil group, secondary schools');
  await expect(trend.locator('g.series[data-series="Region: EHC plan"]')).toHaveCount(1);

  await page.goBack();
  await expect(page).toHaveURL(/\?phase=Secondary&measure=permanent_exclusion_rate$/);
  await expect(trend.locator('g.series[data-series="Region: EHC plan"]')).toHaveCount(0);
  await expect(trend.getByRole('checkbox', { name: 'Region' })).not.toBeChecked();
  await page.goBack();
  await expect(page.locator('#trend-title')).toHaveText('Suspensions per 100 pupils, by pupil group, secondary schools');
  await page.goForward();
  await expect(page.locator('#trend-title')).toHaveText('Permanent exclusions per 100 pupils, by pupil group, secondary schools');

  // A copied link, opened fresh: every control and chart as the link says.
  const link = `/council?phase=Special&measure=one_plus_suspension_rate&group=No+SEN&compare=Neighbour&span=${LATEST - 3}-${LATEST - 1}&rgroup=SEN+support&rmeasure=permanent_exclusion_rate&nmeasure=permanent_exclusion_rate`;
  const fresh = await page.context().newPage();
  await ready(fresh, link);
  const t2 = frame(fresh, 'trend');
  await expect(fresh.locator('#trend-title')).toHaveText('Pupils with one or more suspensions, per 100 pupils, by pupil group, special schools', { timeout: 30_000 });
  await expect(fresh.getByTestId('phase-control').getByRole('radio', { name: 'Special' })).toBeChecked();
  await expect(t2.getByRole('radio', { name: 'One or more suspensions' })).toBeChecked();
  await expect(t2.getByLabel('Pupil group')).toHaveValue('No SEN');
  await expect(t2.getByRole('checkbox', { name: 'Statistical neighbours' })).toBeChecked();
  await expect(t2.getByRole('checkbox', { name: 'England' })).not.toBeChecked();
  await expect(t2.locator('g.series').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-series')))).resolves.toEqual(['No SEN', 'Neighbour: No SEN']);
  const span = `${ay(LATEST - 3)} to ${ay(LATEST - 1)}`;
  await expect(fresh.getByTestId('span-label')).toHaveText(span);
  await expect(fresh.locator('#reasons-title')).toHaveText(`Reasons: permanent exclusions per 100 pupils of pupils on SEN support, ${span}`, { timeout: 30_000 });
  await expect(fresh.locator('#needs-title')).toContainText(`permanent exclusions per 100 pupils, ${span}`);
  await expect(frame(fresh, 'reasons').getByRole('radio', { name: 'SEN support' })).toBeChecked();
  await expect(fresh.getByTestId('engine-status')).toHaveAttribute('data-source', 'duckdb-wasm');
  expect(w.errors).toEqual([]);
});

test('an unreadable choice is ignored and said to be; with JavaScript off a link shows the standard view and says so', async ({ page, browser }) => {
  await page.goto('/council?phase=Nursery&span=1999-2000&measure=permanent_exclusion_rate');
  await expect(page.getByTestId('ignored-params')).toContainText('phase, span');
  await expect(page.locator('#trend-title')).toHaveText('Permanent exclusions per 100 pupils, by pupil group', { timeout: 30_000 });

  const context = await browser.newContext({ javaScriptEnabled: false });
  const off = await context.newPage();
  await off.goto('/council?phase=Secondary&span=2018-2019&measure=permanent_exclusion_rate');
  await expect(off.locator('#trend-title')).toHaveText('Suspensions per 100 pupils, by pupil group');
  await expect(off.getByTestId('headline')).toHaveAttribute('data-phase', 'All');
  await expect(off.getByTestId('span-label')).toHaveText(ay(LATEST));
  // Every chart is there without JavaScript: markers, a summary and a table.
  for (const f of await off.locator('figure.chart-frame').all()) {
    expect(await f.locator('svg path.marker').count()).toBeGreaterThan(0);
    await expect(f.getByTestId('summary')).not.toBeEmpty();
    expect(await f.locator('details.table tbody tr').count()).toBeGreaterThan(0);
  }
  const html = await (await off.request.get('/council?phase=Secondary')).text();
  expect(html).toMatch(/<noscript><p[^>]*>This page is showing its standard view/);
  await expect(off.getByTestId('downloads')).toHaveCount(0);
  await context.close();
});

test('the span chosen on the trend (keyboard, pointer, selects) filters the reasons, needs, terms and FSM charts', async ({ page }) => {
  await ready(page, '/council');
  const plot = frame(page, 'trend').locator('.plot');
  await plot.focus();
  const first = Math.min(...(manifest as unknown as { years: string[] }).years.map((y) => Number(y.slice(0, 4))));
  await page.keyboard.press('Home');
  await page.keyboard.press('Enter');
  await expect(frame(page, 'trend').locator('.readout')).toContainText(`Span starts at ${ay(first)}`);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`\\?span=${first}-${first + 2}$`));
  const words = `${ay(first)} to ${ay(first + 2)}`;
  await expect(page.getByTestId('span-label')).toHaveText(words);
  for (const id of ['reasons', 'needs', 'terms', 'fsm']) {
    await expect(page.locator(`#${id}-title`)).toContainText(words, { timeout: 30_000 });
    await expect(frame(page, id).getByTestId('summary')).toContainText(`From ${words} together`);
  }
  await expect(frame(page, 'trend').getByTestId('span-selection')).toHaveAttribute('data-from', String(first));
  await expect(frame(page, 'trend').getByTestId('span-selection')).toHaveAttribute('data-to', String(first + 2));

  // A drag across the chart, from one year's marker to another's.
  const marker = (y: number) => frame(page, 'trend').locator(`g.series[data-series="No SEN"] path.marker[data-year="${ay(y)}"]`);
  const a = (await marker(LATEST - 4).boundingBox())!;
  const b = (await marker(LATEST - 2).boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y - 20);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y - 20, { steps: 5 });
  await page.mouse.up();
  await expect(page).toHaveURL(new RegExp(`\\?span=${LATEST - 4}-${LATEST - 2}$`));

  // The selects, then back to the latest year.
  await page.getByTestId('span-control').getByLabel('From').selectOption(String(LATEST - 1));
  // From after the old end: the span becomes that one year.
  await expect(page).toHaveURL(new RegExp(`\\?span=${LATEST - 1}-${LATEST - 1}$`));
  await page.getByRole('button', { name: 'Latest year only' }).click();
  await expect(page).toHaveURL(/\/council$/);
  await expect(page.locator('#reasons-title')).toContainText(`, ${ay(LATEST)}`);
  await page.goBack();
  await expect(page.getByTestId('span-label')).toHaveText(ay(LATEST - 1));
});

test('summaries follow the filters and state figures worked out from the published counts', async ({ page }) => {
  await ready(page, '/council');
  const trend = frame(page, 'trend');
  const ehc = la(LATEST, 'EHC plan');
  const k = la(LATEST, 'SEN support');
  const none = la(LATEST, 'No SEN');
  const rate = (r: Record<string, string>, col: string) => (Number(r[col]) / Number(r.pupils)) * 100;
  await expect(trend.getByTestId('summary')).toContainText(
    `In ${ay(LATEST)}, ${manifest.la.name}'s suspensions per 100 pupils was ${fmt(rate(ehc, 'suspensions'))} for pupils with an EHC plan, ${fmt(rate(k, 'suspensions'))} for pupils on SEN support and ${fmt(rate(none, 'suspensions'))} for pupils with no SEN.`
  );
  // The headline risk ratio: SEND (EHC plan + SEN support) against no SEN.
  const send = (Number(ehc.suspensions) + Number(k.suspensions)) / (Number(ehc.pupils) + Number(k.pupils));
  const ratio = send / (Number(none.suspensions) / Number(none.pupils));
  await expect(page.locator('[data-measure="suspension_rate"] tr[data-group="ratio"] td[data-col="now"] strong')).toHaveText(ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1));

  await trend.getByRole('radio', { name: 'Permanent exclusion rate' }).check();
  await expect(trend.getByTestId('summary')).toContainText(`permanent exclusions per 100 pupils was ${fmt(rate(ehc, 'permanent_exclusions'))} for pupils with an EHC plan`, { timeout: 30_000 });
  // A target from data/events.json is drawn on its own measure's trend.
  await expect(trend.locator('g.reference')).toHaveAttribute('data-value', '0.2');
  await trend.getByLabel('Pupil group').selectOption('No SEN');
  await expect(trend.getByTestId('summary')).toContainText(`was ${fmt(rate(none, 'permanent_exclusions'))} for pupils with no SEN.`, { timeout: 30_000 });
  await expect(trend.locator('g.reference')).toHaveCount(0);

  const reasons = frame(page, 'reasons');
  await expect(reasons.getByTestId('summary')).toContainText('when pupils with an EHC plan were suspended');
  await reasons.getByRole('radio', { name: 'No SEN' }).check();
  await expect(reasons.getByTestId('summary')).toContainText('when pupils with no SEN were suspended', { timeout: 30_000 });
});

test('every time axis marks COVID, the definition changes and the local events', async ({ page }) => {
  await page.goto('/council');
  for (const id of ['trend', 'ratio', 'extra']) {
    const labels = await frame(page, id).locator('svg text.annotation-label').allTextContents();
    expect(labels, id).toEqual(expect.arrayContaining(['COVID', 'Suspension; up to 3 reasons', 'Inspection', 'Improvement plan']));
  }
  await expect(frame(page, 'trend').locator('g.reference')).toHaveAttribute('data-value', '35');
  await expect(page.getByTestId('annotation-note').filter({ hasText: 'Inspection' })).toContainText('March 2023');
});

test('downloads hold exactly the figures drawn, suppression codes kept, checked against the published counts', async ({ page, baseURL }) => {
  const w = watch(page, new URL(baseURL!).origin);
  await reportCspViolations(page);
  const from = LATEST - 2;
  await ready(page, `/council?span=${from}-${LATEST}`);
  const reasons = frame(page, 'reasons');
  await answered(reasons);

  // Reasons for suspending pupils with an EHC plan, the span's years added up by this test.
  const csv = await downloadCsv(page, reasons);
  expect(csv[0]).toEqual(['dataset', 'years', 'pupil_group', 'dimension', 'category_code', 'category', 'suspensions', 'suspensions_flag', 'pupils', 'pupils_flag', 'rate_per_100', 'lower_95', 'upper_95']);
  const rows = csv.slice(1);
  const expected = new Map<string, { s: number | null; p: number }>();
  for (const b of BREAKDOWN.filter((r) => r.dimension === 'reason' && r.pupil_group === 'EHC plan' && Number(r.year_start) >= from)) {
    const e = expected.get(b.category_code!) ?? { s: 0, p: 0 };
    e.s = e.s === null || b.suspensions === '' ? null : e.s + Number(b.suspensions);
    e.p += Number(la(Number(b.year_start), 'EHC plan').pupils);
    expected.set(b.category_code!, e);
  }
  expect(rows.map((r) => r[4]).sort()).toEqual([...expected.keys()].sort());
  for (const r of rows) {
    const e = expected.get(r[4]!)!;
    expect(r[1]).toBe(`${ay(from)} to ${ay(LATEST)}`);
    expect(Number(r[8])).toBe(e.p);
    if (e.s === null) expect([r[6], r[7], r[10]]).toEqual(['', 'c', '']);
    else {
      expect(Number(r[6])).toBe(e.s);
      expect(Number(r[10])).toBeCloseTo((e.s / e.p) * 100, 9);
    }
  }
  // The dots drawn are the CSV's rates, in the CSV's order.
  const drawn = await reasons.locator('g.row').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-value')));
  expect(drawn).toEqual(rows.map((r) => r[10]));

  // Primary needs in the latest year: published cells as they are, suppressed ones with their code.
  await page.getByRole('button', { name: 'Latest year only' }).click();
  const needs = frame(page, 'needs');
  await expect(page.locator('#needs-title')).toContainText(`, ${ay(LATEST)}`, { timeout: 30_000 });
  const ncsv = (await downloadCsv(page, needs)).slice(1);
  const pub = BREAKDOWN.filter((r) => r.dimension === 'need' && r.year_start === String(LATEST) && ['EHC plan', 'SEN support'].includes(r.pupil_group ?? ''));
  expect(ncsv).toHaveLength(pub.length);
  let suppressed = 0;
  for (const r of ncsv) {
    const p = pub.find((x) => x.pupil_group === r[2] && x.category_code === r[4])!;
    expect([r[6], r[7], r[8], r[9]]).toEqual([p.suspensions, p.suspensions_flag, p.pupils, p.pupils_flag]);
    if (p.suspensions === '') {
      suppressed++;
      expect(r[10]).toBe('');
    } else if (p.pupils === '0') expect(r[10]).toBe(''); // no pupils: no rate
    else expect(Number(r[10])).toBeCloseTo((Number(p.suspensions) / Number(p.pupils)) * 100, 9);
  }
  expect(suppressed).toBeGreaterThan(0);

  // The trend: the LA and England, every year, with the counts they come from.
  const tcsv = (await downloadCsv(page, frame(page, 'trend'))).slice(1);
  expect(tcsv).toHaveLength(6 * (manifest as unknown as { years: string[] }).years.length);
  const ehcLatest = tcsv.find((r) => r[1] === 'LA' && r[3] === 'EHC plan' && r[4] === ay(LATEST))!;
  expect([Number(ehcLatest[5]), Number(ehcLatest[7])]).toEqual([Number(la(LATEST, 'EHC plan').suspensions), Number(la(LATEST, 'EHC plan').pupils)]);
  const eng = AREA.find((r) => r.area_type === 'England' && r.phase === 'All' && r.pupil_group === 'EHC plan' && r.year_start === String(LATEST))!;
  const engRow = tcsv.find((r) => r[1] === 'England' && r[3] === 'EHC plan' && r[4] === ay(LATEST))!;
  expect(Number(engRow[9])).toBeCloseTo((Number(eng.suspensions) / Number(eng.pupils)) * 100, 9);
  expect([engRow[10], engRow[11]]).toEqual(['', '']); // a whole population: no interval

  // Pictures.
  const svgD = page.waitForEvent('download');
  await needs.getByRole('button', { name: 'Picture (SVG)' }).click();
  const svg = readFileSync((await (await svgD).path())!, 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).not.toContain('var(--');
  const pngD = page.waitForEvent('download');
  await needs.getByRole('button', { name: 'Picture (PNG)' }).click();
  const png = readFileSync((await (await pngD).path())!);
  expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  expect(w.errors).toEqual([]);
});

test('a suppressed figure says why: in the table cell, in the chart and in its readout', async ({ page }) => {
  await ready(page, '/council');
  const needs = frame(page, 'needs');
  await needs.locator('details.table summary').click();
  const cell = needs.locator('td[data-flag="c"]').first();
  await expect(cell).toHaveText('suppressed');
  await expect(cell).toHaveAttribute('title', /hidden to protect privacy/);
  await expect(needs.locator('.flag-notes')).toContainText('hidden to protect privacy');
  await expect(needs.locator('svg text.missing').first()).toHaveText('suppressed');
  // Read the chart row by row with the keyboard until the suppressed one.
  const rows = await needs.locator('g.row').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-value')));
  const i = rows.indexOf('');
  await needs.locator('.plot').focus();
  for (let n = 0; n <= i; n++) await page.keyboard.press('ArrowDown');
  await expect(needs.locator('.readout')).toContainText('suppressed; hidden to protect privacy');
});

test('no axe-core violations in light and dark, at 320 and 1280 px, and nothing wider than a phone', async ({ browser }) => {
  // Two runs of axe over a long page of SVG charts (AXE_VIEWS): about 30 s each on a busy machine.
  test.setTimeout(300_000);
  for (const { colorScheme, width } of AXE_VIEWS) {
    const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto('/council');
    await page.locator('details').evaluateAll((els) => els.forEach((d) => ((d as HTMLDetailsElement).open = true)));
    expect((await axeViolations(page)).map((v) => `${colorScheme} ${width}: ${v}`)).toEqual([]);
    expect(await overflowX(page)).toBeLessThanOrEqual(0);
    expect((await textOutsideCharts(page)).map((t) => `${width}: ${t}`)).toEqual([]);
    await context.close();
  }
});
