// Shared by the end-to-end specs: watch a page for console errors, failed requests and any request
// that leaves the local server; find the site's pages from the build rather than from a list that
// would go stale; and serve doctored copies of the published data (changed Arrow files with a
// manifest that agrees with them, or a manifest that disagrees) to break things on purpose.
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { tableFromIPC, tableToIPC, Table, vectorFromArray, Utf8, type Vector } from 'apache-arrow';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface PageWatch {
  errors: string[];
  external: string[];
  requests: string[];
  dialogs: string[];
}

/**
 * Record console errors, uncaught errors, dialogs (alert/confirm/prompt: injected script would show
 * itself this way) and every request, noting those not to `origin`. Requests are watched on the
 * whole context, so a worker's (DuckDB fetching its wasm) are seen too.
 */
export function watch(page: Page, origin: string): PageWatch {
  const w: PageWatch = { errors: [], external: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(m.text());
  });
  page.on('pageerror', (e) => w.errors.push(`uncaught: ${e.message}`));
  page.on('dialog', (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => {});
  });
  page.context().on('request', (r) => {
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

/**
 * Report Content Security Policy violations as console errors (Chromium logs them only to its own
 * console, which Playwright does not see), so `watch` catches them. Call before `goto`.
 */
export async function reportCspViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} in ${e.sourceFile}:${e.lineNumber}`);
    });
  });
}

export const BUILD = 'build';

/**
 * Every page of the built site, as the path a visitor asks for: each prerendered HTML file
 * (index.html is its folder's path, name.html is /name). Found on disk so that a page added later
 * is tested without anyone remembering to list it.
 */
export function builtRoutes(dir = BUILD): string[] {
  const routes: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const file = path.join(rel, name);
      if (statSync(path.join(dir, file)).isDirectory()) {
        if (rel === '' && (name === '_app' || name === 'data')) continue;
        walk(file);
      } else if (name.endsWith('.html')) {
        const route = `/${file.replace(/\\/g, '/').replace(/(^|\/)index\.html$/, '').replace(/\.html$/, '')}`;
        routes.push(route.replace(/\/$/, '') || '/');
      }
    }
  };
  walk('');
  // One page per school (src/lib/ui/school-pages.ts) is the same template filled with different
  // data, hundreds of times: the first stands for the rest (tests/e2e/schools.spec.ts covers the
  // template with several schools), so that a test per route does not become hundreds of identical
  // tests; a second one only repeated the first at CI's cost.
  const schoolPages = routes.filter((r) => /^\/schools\/\d{6}$/.test(r)).sort();
  return [...new Set(routes.filter((r) => !schoolPages.slice(1).includes(r)))].sort();
}

/** The prerendered HTML of a route of the built site, from either file builtRoutes names a route for. */
export function builtHtml(route: string, dir = BUILD): string {
  const rel = route.replace(/^\//, '');
  const named = path.join(dir, `${rel}.html`);
  return readFileSync(rel !== '' && existsSync(named) ? named : path.join(dir, rel, 'index.html'), 'utf8');
}

/** The main navigation's links, as paths on this site. */
export async function navPaths(page: Page): Promise<string[]> {
  const hrefs = await page
    .locator('nav[aria-label="Main"] a[href]')
    .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  const origin = new URL(page.url()).origin;
  return [...new Set(hrefs.filter((h) => new URL(h).origin === origin).map((h) => new URL(h).pathname))];
}

export interface BuiltFile {
  path: string;
  bytes: number;
  sha256: string;
}
export interface BuiltManifest {
  release: string;
  latest_year: string;
  synthetic: boolean;
  la: { name: string };
  tables: Record<string, { rows: number; files: Record<'arrow' | 'parquet' | 'csv', BuiltFile> }>;
  disclosure: { thresholds: Record<string, number> };
  sources: { files: { sha256: string }[] }[];
}

export function builtManifest(): BuiltManifest {
  return JSON.parse(readFileSync(path.join(BUILD, 'data', 'manifest.json'), 'utf8')) as BuiltManifest;
}

export function builtTable(name: string): Table {
  return tableFromIPC(readFileSync(path.join(BUILD, 'data', builtManifest().tables[name]!.files.arrow.path)));
}

/** A copy of `table` with one text column's values replaced (row by row, seeing the whole row). */
export function withTextColumn(table: Table, column: string, value: (row: Record<string, unknown>, i: number) => string | null): Table {
  const cols: Record<string, Vector> = {};
  for (const f of table.schema.fields) cols[f.name] = table.getChild(f.name)!;
  const values = Array.from({ length: table.numRows }, (_, i) => value(table.get(i)!.toJSON() as Record<string, unknown>, i));
  cols[column] = vectorFromArray(values, new Utf8()) as Vector;
  return new Table(cols);
}

/** A copy of `table` without some columns. */
export function withoutColumns(table: Table, drop: string[]): Table {
  const cols: Record<string, Vector> = {};
  for (const f of table.schema.fields) if (!drop.includes(f.name)) cols[f.name] = table.getChild(f.name)!;
  return new Table(cols);
}

export interface DataDoctor {
  /** Tables whose Arrow file is replaced by this table; the manifest is made to agree with it. */
  tables?: Record<string, Table | Uint8Array>;
  /**
   * Responses for published files by path (`area_year.arrow`): a status, or raw bytes served as
   * they are, whatever the manifest says.
   */
  files?: Record<string, { status: number } | { body: Uint8Array }>;
  /** A last change to the manifest the browser is given. */
  manifest?: (m: BuiltManifest) => void;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Serve doctored published data to `page`. A doctored table comes with a manifest that agrees with
 * it (size, SHA-256 and rows), so it passes the browser's checks and its contents reach the page;
 * `files` and `manifest` break things on purpose. Returns the manifest served.
 */
export async function doctorData(page: Page, d: DataDoctor): Promise<BuiltManifest> {
  const manifest = builtManifest();
  const bodies = new Map<string, { status: number; body?: Buffer }>();
  for (const [name, t] of Object.entries(d.tables ?? {})) {
    const bytes = t instanceof Uint8Array ? t : tableToIPC(t, 'stream');
    const entry = manifest.tables[name]!;
    entry.files.arrow.bytes = bytes.byteLength;
    entry.files.arrow.sha256 = sha256(bytes);
    if (!(t instanceof Uint8Array)) entry.rows = t.numRows;
    bodies.set(entry.files.arrow.path, { status: 200, body: Buffer.from(bytes) });
  }
  for (const [file, r] of Object.entries(d.files ?? {})) {
    bodies.set(file, 'status' in r ? { status: r.status } : { status: 200, body: Buffer.from(r.body) });
  }
  d.manifest?.(manifest);
  await page.route('**/data/manifest.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(manifest) }));
  for (const [file, r] of bodies) {
    await page.route(`**/data/${file}`, (route) =>
      route.fulfill(r.body ? { status: r.status, contentType: 'application/vnd.apache.arrow.stream', body: r.body } : { status: r.status, body: 'Not found' })
    );
  }
  return manifest;
}

/** The published bytes of a table's Arrow file. */
export function builtArrowBytes(name: string): Buffer {
  return readFileSync(path.join(BUILD, 'data', builtManifest().tables[name]!.files.arrow.path));
}

/** What a chart draws for its data, whichever chart it is: line and interval markers, funnel points, bars. */
export const DATA_MARKS = 'path.marker, path.points, g.bar rect';

/** Chart frames answered in the browser: ChartFrame marks them with the tables they read. */
export function liveFrames(page: Page): Locator {
  return page.locator('figure.chart-frame[data-tables]');
}

/**
 * Use one control of a chart frame the way a reader would: choose a radio button or option it is
 * not showing, or flip a checkbox. False when the frame has no control that can change.
 */
export async function useFrameControl(frame: Locator, pick: (n: number) => number = () => 0): Promise<boolean> {
  await hydrated(frame.page());
  const radios = frame.locator('.controls input[type="radio"]:not(:checked):not([disabled])');
  const selects = frame.locator('.controls select:not([disabled])');
  const boxes = frame.locator('.controls input[type="checkbox"]:not([disabled])');
  const [nr, ns, nb] = await Promise.all([radios.count(), selects.count(), boxes.count()]);
  const total = nr + ns + nb;
  if (total === 0) return false;
  const i = pick(total);
  if (i < nr) {
    await radios.nth(i).check();
  } else if (i < nr + ns) {
    const select = selects.nth(i - nr);
    const values = await select.locator('option:not([disabled])').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    const current = await select.inputValue();
    const next = values.find((v) => v !== current);
    if (next === undefined) return false;
    await select.selectOption(next);
  } else {
    await boxes.nth(i - nr - ns).click();
  }
  return true;
}

/** Wait until a live frame has answered more than `before` times, or shows an error. */
export async function settled(frame: Locator, before: number, timeout = 30_000): Promise<'answered' | 'error'> {
  const handle = await frame.elementHandle();
  await frame.page().waitForFunction(
    ([el, n]) => {
      const f = el as HTMLElement;
      return f.dataset.state === 'error' || (f.dataset.state === 'ready' && Number(f.dataset.answers) > (n as number));
    },
    [handle, before] as const,
    { timeout }
  );
  return (await frame.getAttribute('data-state')) === 'error' ? 'error' : 'answered';
}

/**
 * The views axe-core checks on each page: the light scheme at 320 px and the dark scheme at
 * 1280 px. Colour contrast depends on the scheme and reflow on the width, so these two runs cover
 * both schemes and both widths (reflow is checked at 320 px). Checking all four combinations doubled
 * the suite's longest tests (axe over the transparency page's A–Z list of schools is about 12 s a
 * run) for little more coverage, and CI has 20 minutes for everything.
 */
export const AXE_VIEWS = [
  { colorScheme: 'light', width: 320 },
  { colorScheme: 'dark', width: 1280 }
] as const;

/** axe-core's WCAG 2.2 AA violations on the page as it is now, one line each (rule: elements). */
export async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** How far the page is wider than its viewport (reflow: at most 0 at 320 CSS pixels). */
export async function overflowX(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/**
 * Chart text drawn outside its chart (an SVG's own box): cut off in a downloaded picture, and
 * running into the page's edge on a phone (an outside review found reasons, needs and line labels
 * so). Each as `text [left, right] outside [left, right] (chart)`.
 */
export async function textOutsideCharts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const svg of document.querySelectorAll('main svg')) {
      const box = svg.getBoundingClientRect();
      for (const t of svg.querySelectorAll('text')) {
        const b = t.getBoundingClientRect();
        const style = getComputedStyle(t);
        if (b.width === 0 || style.visibility === 'hidden' || style.opacity === '0') continue;
        if (b.left < box.left - 0.5 || b.right > box.right + 0.5) {
          const chart = svg.closest('figure')?.getAttribute('aria-labelledby') ?? svg.getAttribute('aria-labelledby') ?? '';
          out.push(`${t.textContent} [${Math.round(b.left)}, ${Math.round(b.right)}] outside [${Math.round(box.left)}, ${Math.round(box.right)}] (${chart})`);
        }
      }
    }
    return out;
  });
}

/** Wait until the page's controls are live: the root layout marks <html> once it has hydrated. */
export async function hydrated(page: Page): Promise<void> {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 30_000 });
}
