// The public pages (transparency, methodology, accessibility) in real Chromium: complete with
// JavaScript off, the school search as progressive enhancement, keyboard reach, no third-party
// requests, no console errors, and no axe-core violations in light and dark, at 320 and 1280 px (AXE_VIEWS).
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { AXE_VIEWS, axeViolations, hydrated, overflowX, textOutsideCharts, watch } from './helpers';

interface BuiltManifest {
  release: string;
  latest_year: string;
  synthetic: boolean;
  tables: Record<string, { rows: number; files: Record<string, { path: string }> }>;
  disclosure: { thresholds: Record<string, number> };
  sources: { files: { sha256: string }[] }[];
}
const manifest = JSON.parse(readFileSync('build/data/manifest.json', 'utf8')) as BuiltManifest;

const PAGES = [
  { path: '/transparency', h1: /the figures explained/ },
  { path: '/methodology', h1: /How the figures are made/ },
  { path: '/accessibility', h1: /Accessibility statement/ }
] as const;

async function noJsPage(browser: import('@playwright/test').Browser, path: string) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(path);
  return { context, page };
}

test.describe('transparency, JavaScript off', () => {
  test('the latest year, the key figures, the charts and what is not published are all there', async ({ browser, baseURL }) => {
    const { context, page } = await noJsPage(browser, '/transparency');
    const w = watch(page, new URL(baseURL!).origin);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
    await expect(page.getByRole('heading', { name: `Key figures for ${manifest.latest_year}` })).toBeVisible();
    // Four groups, each with a suspension and a permanent exclusion rate that is a number.
    const cards = page.getByTestId('key-figures').locator('.figure-card');
    await expect(cards).toHaveCount(4);
    for (const card of await cards.all()) {
      await expect(card.getByTestId('suspension-rate')).toHaveText(/^\d+\.\d$/);
      await expect(card.getByTestId('exclusion-rate')).toHaveText(/^\d+\.\d\d$/);
      await expect(card).toContainText('England:');
    }
    // Words explained near the top.
    for (const term of ['SEND', 'EHC plan', 'SEN support', 'Suspension', 'Permanent exclusion']) {
      await expect(page.locator('dl.words dt', { hasText: term }).first()).toBeVisible();
    }
    // Two charts drawn as SVG with a one-line summary and a table each.
    const charts = page.locator('figure.chart-frame');
    await expect(charts).toHaveCount(2);
    for (const chart of await charts.all()) {
      await expect(chart.locator('svg[role="img"]')).toBeVisible();
      await expect(chart.getByTestId('summary')).toContainText(`to ${manifest.latest_year}`);
      await expect(chart.locator('details.table tbody tr')).toHaveCount(8);
    }
    // What is hidden and why, with this release's thresholds.
    const minCount = manifest.disclosure.thresholds.min_count!;
    const minGroup = manifest.disclosure.thresholds.min_group!;
    const hidden = page.locator('section:has(> #not-published)');
    await expect(hidden).toContainText(`count of 1 to ${minCount - 1} pupils`);
    await expect(hidden).toContainText(`fewer than ${minGroup} pupils`);
    await expect(page.getByTestId('suppression-share')).toContainText('%');
    // Release facts, contact, citation, downloads.
    await expect(page.getByTestId('last-updated')).toContainText(manifest.release);
    await expect(page.getByTestId('last-updated')).toContainText('next update is due');
    await expect(page.getByTestId('citation')).toContainText(`release ${manifest.release}`);
    await expect(page.getByTestId('citation')).toContainText('/transparency');
    await expect(page.locator('section:has(> #contact) a[href^="mailto:"]')).toBeVisible();
    for (const t of Object.values(manifest.tables)) {
      await expect(page.getByTestId('downloads').locator(`a[href="/data/${t.files.csv!.path}"]`)).toBeVisible();
      await expect(page.getByTestId('downloads').locator(`a[href="/data/${t.files.parquet!.path}"]`)).toBeVisible();
    }
    await expect(page.getByTestId('downloads').locator('a[href="/data/manifest.json"]')).toBeVisible();
    // (Written relative to the page, './methodology', as every prerendered link is since the site
    // can be built for a sub-path: what matters is where it leads.)
    const methodology = page.getByRole('link', { name: /how the figures are made/ }).first();
    await expect(methodology).toBeVisible();
    expect(new URL(await methodology.evaluate((a) => (a as HTMLAnchorElement).href)).pathname).toBe('/methodology');
    if (manifest.synthetic) await expect(page.getByTestId('synthetic-notice')).toContainText('not real');
    expect(w.requests.some((u) => u.endsWith('.wasm') || u.endsWith('.arrow'))).toBe(false);
    expect(w.external).toEqual([]);
    await context.close();
  });

  test('the A–Z list has every school, and a letter link jumps to its letter', async ({ browser }) => {
    const { context, page } = await noJsPage(browser, '/transparency');
    const entries = page.getByTestId('school-entry');
    await expect(entries).toHaveCount(manifest.tables.schools!.rows);
    // Every school has its own anchor, and names are text.
    const ids = await entries.evaluateAll((els) => els.map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^school-\d{6}$/.test(id))).toBe(true);
    // No search box without JavaScript: it could not work.
    await expect(page.getByRole('searchbox')).toHaveCount(0);

    const nav = page.getByRole('navigation', { name: 'Schools A to Z' });
    const link = nav.getByRole('link').nth(2);
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^#schools-[a-z]$/);
    await link.click();
    await expect(page).toHaveURL(new RegExp(`${href}$`));
    const section = page.locator(href);
    await expect(section.getByRole('heading', { level: 3 })).toBeInViewport();
    await expect(section.getByTestId('school-entry').first()).toBeVisible();
    await context.close();
  });
});

test('transparency: the search box filters the list as you type, reached by keyboard', async ({ page, baseURL }) => {
  const w = watch(page, new URL(baseURL!).origin);
  await page.goto('/transparency');
  const search = page.getByRole('searchbox', { name: 'Search for a school by name' });
  await expect(search).toBeVisible();
  await hydrated(page);

  // Tab from the top of the page until the search box has focus.
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  let reached = false;
  for (let i = 0; i < 120 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await search.evaluate((el) => el === document.activeElement);
  }
  expect(reached).toBe(true);

  const entries = page.getByTestId('school-entry');
  const total = await entries.count();
  // Part of a real school's name, read from the page.
  const name = (await entries.nth(Math.floor(total / 2)).locator('.name').textContent())!.trim();
  const part = name.split(/\s+/)[0]!.slice(0, 6);
  await page.keyboard.type(part, { delay: 20 });

  const visible = page.locator('[data-testid="school-entry"]:visible');
  await expect(page.getByTestId('school-count')).toContainText(`of ${total} schools match`);
  const shown = await visible.count();
  expect(shown).toBeGreaterThan(0);
  expect(shown).toBeLessThan(total);
  await expect(page.locator('[data-testid="school-entry"]:visible', { hasText: name })).toBeVisible();
  for (const text of await visible.locator('.name').allTextContents()) {
    expect(text.toLowerCase()).toContain(part.toLowerCase());
  }

  // Nothing matches: say so; clearing the box brings every school back.
  await search.fill('zzzz no such school');
  await expect(visible).toHaveCount(0);
  await expect(page.getByTestId('school-count')).toContainText('No school matches');
  await search.fill('');
  await expect(visible).toHaveCount(total);

  // The citation gains the site's own address once the page runs.
  await expect(page.getByTestId('citation')).toContainText(`${new URL(baseURL!).origin}/transparency`);
  expect(w.external).toEqual([]);
  expect(w.errors).toEqual([]);
});

test('methodology, JavaScript off: sources with checksums, rates, intervals, disclosure rules, changes, revisions', async ({ browser }) => {
  const { context, page } = await noJsPage(browser, '/methodology');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('How the figures are made');
  for (const id of ['sources', 'definitions', 'rates', 'intervals', 'disclosure', 'changes', 'limitations', 'revisions']) {
    await expect(page.locator(`h2#${id}`)).toBeVisible();
  }
  for (const f of manifest.sources.flatMap((s) => s.files)) await expect(page.getByText(f.sha256)).toBeVisible();
  await expect(page.locator('section:has(> #intervals)')).toContainText('Wilson');
  await expect(page.locator('section:has(> #intervals)')).toContainText('Poisson');
  await expect(page.locator('section:has(> #rates)')).toContainText('× 100');
  await expect(page.locator('section:has(> #disclosure)')).toContainText(`1 to ${manifest.disclosure.thresholds.min_count! - 1} pupils`);
  await expect(page.locator('section:has(> #disclosure)')).toContainText('audit');
  for (const term of ['COVID', 'SEN reforms', 'Suspension']) await expect(page.locator('section:has(> #changes) dt', { hasText: term })).toBeVisible();
  await context.close();
});

test('accessibility statement, JavaScript off: the model statement’s sections', async ({ browser }) => {
  const { context, page } = await noJsPage(browser, '/accessibility');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Accessibility statement');
  for (const h of [
    'How accessible this website is',
    'Feedback and contact information',
    'Reporting accessibility problems with this website',
    'Enforcement procedure',
    'Technical information about this website’s accessibility',
    'Preparation of this accessibility statement'
  ]) {
    await expect(page.getByRole('heading', { name: h })).toBeVisible();
  }
  await expect(page.getByTestId('compliance-status')).toContainText('Web Content Accessibility Guidelines version 2.2');
  await expect(page.locator('main')).toContainText('Equality Advisory and Support Service');
  await expect(page.locator('main a[href^="mailto:"]').first()).toBeVisible();
  await expect(page.getByTestId('statement-dates')).toContainText(/prepared on \d{1,2} \w+ \d{4}/);
  await context.close();
});

async function openAllDetails(page: Page) {
  await page.locator('details').evaluateAll((els) => els.forEach((d) => ((d as HTMLDetailsElement).open = true)));
}

for (const { path, h1 } of PAGES) {
  test(`${path}: no external requests and no console errors, with JavaScript`, async ({ page, baseURL }) => {
    const w = watch(page, new URL(baseURL!).origin);
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(h1);
    await page.waitForLoadState('networkidle');
    expect(w.external).toEqual([]);
    expect(w.errors).toEqual([]);
    // The public pages never load DuckDB-WASM.
    expect(w.requests.some((u) => u.endsWith('.wasm'))).toBe(false);
  });

  for (const { colorScheme, width } of AXE_VIEWS) {
    test(`${path}: no axe-core violations (${colorScheme}, ${width}px)`, async ({ browser }) => {
      const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(h1);
      await openAllDetails(page);
      expect(await axeViolations(page)).toEqual([]);
      // Reflow: nothing wider than the viewport at 320 CSS pixels, and no chart's text off its chart.
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
      expect(await textOutsideCharts(page)).toEqual([]);
      await context.close();
    });
  }
}

// ---- An address the site has no page for: build/404.html, as a static host serves it ----------

test.describe('an address with no page', () => {
  // Deep, so that a link left relative (./_app/..., ./schools) would point somewhere else from here.
  const MISSING = '/schools/999999/old-link';

  test('gets the not-found page: status 404, styled, no script, and links that lead on', async ({ page, baseURL }) => {
    const w = watch(page, new URL(baseURL!).origin);
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400 && new URL(r.url()).pathname !== MISSING) failed.push(`${r.status()} ${r.url()}`);
    });
    const res = await page.goto(MISSING);
    expect(res!.status()).toBe(404);
    // With the headers every page gets (build/_headers), as a static host sends them.
    expect(res!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res!.headers()['x-content-type-options']).toBe('nosniff');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
    await expect(page).toHaveTitle(/^Page not found: /);
    expect(await page.locator('meta[name="robots"]').getAttribute('content')).toBe('noindex');
    // The site's style sheet reached it: the header has its colour, not the browser's default.
    expect(await page.locator('.site-header').evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
    await expect(page.locator('script')).toHaveCount(0);
    await page.waitForLoadState('networkidle');
    expect(failed).toEqual([]);
    expect(w.external).toEqual([]);
    expect(w.errors.filter((e) => !e.includes('404'))).toEqual([]);

    await page.getByRole('link', { name: 'Find a school by its name or URN' }).click();
    await expect(page).toHaveURL(/\/schools$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Schools: exclusion rates compared');
    await page.goBack();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Methodology' }).click();
    await expect(page).toHaveURL(/\/methodology$/);
  });

  for (const { colorScheme, width } of AXE_VIEWS) {
    test(`the not-found page: no axe-core violations (${colorScheme}, ${width}px)`, async ({ browser }) => {
      const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(MISSING);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
      expect(await axeViolations(page)).toEqual([]);
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
      await context.close();
    });
  }
});
