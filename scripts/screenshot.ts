/**
 * Takes a screenshot of a page of the running site in Chromium: how we look at what we built, and
 * how docs/overview.png (the README's picture) is refreshed.
 *
 *   npm run serve &   then   npx tsx scripts/screenshot.ts [--url http://localhost:4173/] [--out docs/overview.png]
 *                                                           [--width 1200] [--dark] [--no-js] [--full] [--selector CSS]
 */
import { chromium } from '@playwright/test';
import { parseArgs } from 'node:util';
import { CHROMIUM_ARGS, findChromium, NO_BROWSER_MESSAGE } from './browser';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:4173/' },
    out: { type: 'string', default: 'docs/overview.png' },
    width: { type: 'string', default: '1200' },
    dark: { type: 'boolean', default: false },
    'no-js': { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    selector: { type: 'string' }
  }
});

const found = findChromium();
if (!found) {
  console.error(NO_BROWSER_MESSAGE);
  process.exit(1);
}
const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS });
const context = await browser.newContext({
  viewport: { width: Number(values.width), height: 900 },
  colorScheme: values.dark ? 'dark' : 'light',
  javaScriptEnabled: !values['no-js']
});
const page = await context.newPage();
page.on('console', (m) => m.type() === 'error' && console.error(`console: ${m.text()}`));
await page.goto(values.url!);
// Pages with interactive charts say when DuckDB-WASM is ready; wait for that where there is one.
if (!values['no-js'] && (await page.locator('[data-testid="engine-status"]').count()) > 0) {
  await page
    .locator('[data-testid="engine-status"][data-status="ready"]')
    .waitFor({ timeout: 30_000 })
    .catch(() => console.error('DuckDB-WASM did not report ready within 30 s'));
}
if (values.selector) await page.locator(values.selector).first().screenshot({ path: values.out! });
else await page.screenshot({ path: values.out!, fullPage: values.full });
console.log(`wrote ${values.out}`);
await browser.close();
