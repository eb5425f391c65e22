// Hostile text in Chromium: strings holding markup and script, arriving the ways the browser gets
// text (DuckDB-WASM reading a doctored Arrow file; SvelteKit's page data on a client-side
// navigation), render as text in SVG labels, the chart's readout (its tooltip), tables, the school
// search and the page title: no dialog opens, no element or attribute is injected, and the text
// reads exactly as written. src/lib/**/hostile-text.test.ts check the server-rendered HTML, and
// src/pipeline/hostile-text.test.ts the downloads.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { builtManifest, builtTable, doctorData, hydrated, liveFrames, settled, useFrameControl, watch, withTextColumn } from './helpers';

const { strings: HOSTILE, combined: COMBINED } = JSON.parse(readFileSync('tests/fixtures/hostile-text.json', 'utf8')) as { strings: string[]; combined: string };
const manifest = builtManifest();

/** Nothing the hostile strings carry became part of the document. */
async function expectNothingInjected(page: Page): Promise<void> {
  const found = await page.evaluate(() => ({
    handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName} ${a.name}`)),
    imgs: [...document.querySelectorAll('img')].map((i) => i.getAttribute('src')),
    foreign: document.querySelectorAll('foreignObject, iframe, object, embed').length,
    scripts: [...document.querySelectorAll('script')].filter((s) => /alert/.test(s.textContent ?? '')).length,
    styles: [...document.querySelectorAll('style')].filter((s) => /display:\s*none/.test(s.textContent ?? '')).length,
    injected: (window as unknown as { __injected?: boolean }).__injected ?? false
  }));
  expect(found).toEqual({ handlers: [], imgs: [], foreign: 0, scripts: 0, styles: 0, injected: false });
}

test('an area name with markup, read by DuckDB-WASM, is text in the SVG, the readout, the table and the summary', async ({ page, baseURL }) => {
  const w = watch(page, new URL(baseURL!).origin);
  // England's rows renamed: the overview's comparator line takes its label from area_name.
  const area = withTextColumn(builtTable('area_year'), 'area_name', (r) => (r.area_type === 'England' ? COMBINED : String(r.area_name)));
  await doctorData(page, { tables: { area_year: area } });
  await page.goto('/');
  const title = await page.title();
  const frame = liveFrames(page).first();
  await useFrameControl(frame);
  expect(await settled(frame, 0)).toBe('answered');

  // SVG: the direct label at the end of the England line, and the chart's description.
  await expect(frame.locator('g.end-label text', { hasText: 'onerror' })).toHaveText(COMBINED);
  expect(await frame.locator('svg desc').textContent()).toContain(COMBINED);
  // The readout a pointer or the arrow keys show (the chart's tooltip).
  await frame.locator('.plot').focus();
  await page.keyboard.press('End');
  await expect(frame.locator('.readout')).toContainText(`${COMBINED}: `);
  await frame.locator('svg').hover({ position: { x: 200, y: 150 } });
  await expect(frame.locator('.readout')).toContainText(`${COMBINED}: `);
  // The table alternative's column header, and the one-line summary.
  await frame.locator('details.table summary').click();
  await expect(frame.locator('thead th', { hasText: 'onerror' })).toHaveText(COMBINED);
  await expect(frame.getByTestId('summary')).toContainText(`; ${COMBINED}: `);

  await expectNothingInjected(page);
  expect(await page.title()).toBe(title);
  expect(w.dialogs).toEqual([]);
  expect(w.errors).toEqual([]);
});

test('school and area names with markup, in page data on a client-side navigation, are text in the list, search, tables and title', async ({ page, baseURL }) => {
  const w = watch(page, new URL(baseURL!).origin);
  const la = HOSTILE[1]!; // "</title><script>…": aimed at the page title
  // School URN order -> hostile names, for as many schools as there are strings.
  const schools = builtTable('schools');
  const renamed = new Map<string, string>();
  for (let i = 0; i < Math.min(HOSTILE.length, schools.numRows); i++) renamed.set(String(schools.get(i)!.toJSON().name), HOSTILE[i]!);

  // SvelteKit fetches a page's data as __data.json when it navigates in the browser: strings in its
  // (devalue) arrays are replaced where they are the LA's name (layout) or a school's name (page).
  await page.route(/\/transparency\/__data\.json/, async (route) => {
    const res = await route.fetch();
    const body = (await res.json()) as { nodes: { type: string; data?: unknown[] }[] };
    body.nodes.forEach((node) => {
      node.data = node.data?.map((v) => (v === manifest.la.name ? la : typeof v === 'string' && renamed.has(v) ? renamed.get(v)! : v));
    });
    await route.fulfill({ response: res, json: body });
  });
  await page.goto('/');
  // Only a hydrated page navigates in the browser (fetching __data.json); a click before then is
  // an ordinary page load of the prerendered HTML, which this test is not about.
  await hydrated(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transparency' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`School exclusions in ${la}: the figures explained`);

  // The page title, set from the same text.
  await expect(page).toHaveTitle(`Exclusions in ${la}: the figures explained`);
  // The header and a table's column headers.
  await expect(page.locator('.service a')).toHaveText(`${la} exclusions dashboard`);
  await page.getByText('Show the key figures as a table').click();
  await expect(page.locator('[data-testid="key-figures"] thead th').nth(1)).toHaveText(`Pupils in ${la}`);

  // Every renamed school's name, as text, in the A–Z list.
  for (const name of renamed.values()) {
    await expect(page.getByTestId('school-entry').locator('.name').filter({ hasText: name.slice(0, 12) }).first()).toHaveText(name);
  }
  // The search finds them by their words, and echoes a hostile query as text.
  const search = page.getByRole('searchbox', { name: 'Search for a school by name' });
  await search.fill('onerror');
  await expect(page.locator('[data-testid="school-entry"]:visible .name').first()).toContainText('onerror');
  await search.fill(HOSTILE[2]!);
  await expect(page.getByTestId('school-count')).toContainText(`“${HOSTILE[2]!.trim()}”`);

  await expectNothingInjected(page);
  expect(w.dialogs).toEqual([]);
  expect(w.errors).toEqual([]);
});
