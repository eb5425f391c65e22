/**
 * Which Chromium the end-to-end tests drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium, else
 * Playwright's own download if one is installed. Shared by playwright.config.ts, the benchmarks and
 * the pre-test check, so they all agree.
 */
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
];

export function findChromium(): { path: string; source: string } | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? { path: fromEnv, source: 'CHROMIUM_PATH' } : null;
  if (existsSync('/usr/bin/chromium')) return { path: '/usr/bin/chromium', source: 'Debian chromium' };
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return { path: own, source: "Playwright's browser" };
  } catch {
    // Playwright throws when it has no browser of its own; that is the "none" case below.
  }
  return null;
}

export const NO_BROWSER_MESSAGE = `No Chromium found for the end-to-end tests.
Install one of:
  - Debian/Ubuntu: sudo apt-get install chromium   (gives /usr/bin/chromium)
  - any Chromium or Chrome, then: export CHROMIUM_PATH=/path/to/chromium
  - Playwright's own browser: npx playwright install chromium`;
