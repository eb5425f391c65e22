/**
 * Draws static/favicon.png (32 x 32) from static/favicon.svg in Chromium. Run by hand after
 * changing the SVG: `npx tsx scripts/favicon.ts`. The site links the PNG (see src/app.html for why).
 */
import { chromium } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { CHROMIUM_ARGS, findChromium } from './browser';

const svg = readFileSync('static/favicon.svg', 'utf8');
const browser = await chromium.launch({ executablePath: findChromium()?.path, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 64, height: 64 }, deviceScaleFactor: 1 });
  const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  await page.setContent(`<body style="margin:0"><img src="${src}" width="32" height="32" style="display:block"></body>`);
  const png = await page.locator('img').screenshot({ omitBackground: true });
  writeFileSync('static/favicon.png', png);
  console.log(`wrote static/favicon.png (${png.length} bytes)`);
} finally {
  await browser.close();
}
