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

/** The fields of one CSV line (RFC 4180 quoting; no line breaks inside fields, as every CSV here). */
export function csvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else v += line[i++];
      }
      out.push(v);
      i++; // the comma
    } else {
      const end = line.indexOf(',', i);
      out.push(line.slice(i, end === -1 ? line.length : end));
      i = end === -1 ? line.length + 1 : end + 1;
    }
  }
  return out;
}
