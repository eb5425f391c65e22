// Shared by the end-to-end specs: watch a page for console errors, failed requests and any request
// that leaves the local server.
import type { Page } from '@playwright/test';

export interface PageWatch {
  errors: string[];
  external: string[];
  requests: string[];
}

export function watch(page: Page, origin: string): PageWatch {
  const w: PageWatch = { errors: [], external: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(m.text());
  });
  page.on('pageerror', (e) => w.errors.push(`uncaught: ${e.message}`));
  page.on('request', (r) => {
    w.requests.push(r.url());
    const url = new URL(r.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin) w.external.push(r.url());
  });
  return w;
}
