// Failure states, in real Chromium, each made by breaking something on purpose (page.route): a data
// file missing, truncated or corrupt; a manifest whose checksum or row count does not match (the
// browser checks both); the wasm file missing or not compilable; a query that fails. Each must give
// a clear message where the chart is, keep the prerendered chart, summary and table readable, and
// leave the charts that do not need the broken thing working. Pages and charts are found from the
// build and from ChartFrame's data-tables, so pages added later are covered.
import { expect, test, type Page } from '@playwright/test';
import {
  builtArrowBytes,
  builtHtml,
  builtManifest,
  builtRoutes,
  builtTable,
  DATA_MARKS,
  doctorData,
  liveFrames,
  settled,
  useFrameControl,
  watch,
  withoutColumns,
  type DataDoctor
} from './helpers';

const manifest = builtManifest();
const AREA = manifest.tables.area_year!.files.arrow.path;

/** The prerendered chart, summary and table of every chart frame on the page are still there. */
async function expectPrerenderedReadable(page: Page): Promise<void> {
  const frames = page.locator('figure.chart-frame');
  expect(await frames.count()).toBeGreaterThan(0);
  for (const f of await frames.all()) {
    // A chart with nothing to draw (every figure withheld) says so in words instead.
    if ((await f.locator('.no-chart').count()) === 0) {
      // (The schools page draws a funnel per phase: every drawing of the frame is checked.)
      for (const svg of await f.locator('svg[role="img"]').all()) await expect(svg).toBeVisible();
      expect(await f.locator('svg[role="img"]').locator(DATA_MARKS).count()).toBeGreaterThan(0);
    } else {
      await expect(f.locator('.no-chart')).not.toBeEmpty();
    }
    await expect(f.getByTestId('summary')).not.toBeEmpty();
    // The table still opens and reads.
    await f.locator('details.table summary').click();
    await expect(f.locator('details.table tbody tr').first()).toBeVisible();
    await f.locator('details.table summary').click();
  }
}

interface Case {
  name: string;
  doctor: () => DataDoctor;
  /** What the message in the chart's place must say. */
  message: RegExp;
}

const truncated = builtArrowBytes('area_year').subarray(0, Math.floor(builtArrowBytes('area_year').length * 0.6));
const corrupt = Buffer.from(builtArrowBytes('area_year'));
for (let i = 1000; i < corrupt.length; i += 997) corrupt[i] = corrupt[i]! ^ 0x5a;

const CASES: Case[] = [
  { name: 'a missing data file (HTTP 404)', doctor: () => ({ files: { [AREA]: { status: 404 } } }), message: new RegExp(`${AREA} could not be downloaded \\(HTTP 404\\)`) },
  {
    name: 'a truncated data file',
    doctor: () => ({ files: { [AREA]: { body: truncated } } }),
    message: new RegExp(`${AREA} is incomplete or damaged: it has [\\d,]+ bytes, the release manifest says [\\d,]+`)
  },
  {
    name: 'corrupt bytes of the right length',
    doctor: () => ({ files: { [AREA]: { body: corrupt } } }),
    message: new RegExp(`${AREA} is not the published file: its SHA-256 checksum \\([0-9a-f]{16}…\\) differs from the one in the release manifest \\([0-9a-f]{16}…\\)`)
  },
  {
    name: 'a manifest checksum that does not match',
    doctor: () => ({ manifest: (m) => void (m.tables.area_year!.files.arrow.sha256 = 'f'.repeat(64)) }),
    message: new RegExp(`${AREA} is not the published file: its SHA-256 checksum \\([0-9a-f]{16}…\\) differs from the one in the release manifest \\(ffffffffffffffff…\\)`)
  },
  {
    name: 'a manifest row count that does not match (checksum right)',
    doctor: () => ({ manifest: (m) => void (m.tables.area_year!.rows += 1) }),
    message: new RegExp(`${AREA} has ${manifest.tables.area_year!.rows.toLocaleString('en-GB')} rows, the release manifest says ${(manifest.tables.area_year!.rows + 1).toLocaleString('en-GB')}`)
  },
  {
    name: 'a data file that does not hold the columns the query needs (query error)',
    doctor: () => ({ tables: { area_year: withoutColumns(builtTable('area_year'), ['permanent_exclusions', 'pupils_suspended']) } }),
    message: /The figures could not be worked out from the data \(Binder Error: .*(permanent_exclusions|pupils_suspended)/
  },
  { name: 'a missing manifest', doctor: () => ({ files: { 'manifest.json': { status: 404 } } }), message: /release manifest \(manifest\.json\) could not be downloaded \(HTTP 404\)/ },
  {
    name: 'a manifest that is not JSON',
    doctor: () => ({ files: { 'manifest.json': { body: new TextEncoder().encode('<!doctype html><p>Maintenance') } } }),
    message: /release manifest \(manifest\.json\) is not usable: it is not valid JSON/
  }
];

test.describe('the overview chart, with its data broken', () => {
  for (const c of CASES) {
    test(`${c.name}: a clear message in the chart, the published figures still readable`, async ({ page, baseURL }) => {
      const w = watch(page, new URL(baseURL!).origin);
      await doctorData(page, c.doctor());
      await page.goto('/');
      const frame = liveFrames(page).first();
      await useFrameControl(frame);
      expect(await settled(frame, 0)).toBe('error');
      const alert = frame.getByRole('alert');
      await expect(alert).toContainText('This chart could not be updated.');
      await expect(alert).toContainText(c.message);
      await expect(alert).toContainText('The chart and table below still show the last figures loaded.');
      await expect(alert.getByRole('button', { name: 'Try again' })).toBeVisible();
      await expectPrerenderedReadable(page);
      expect(w.external).toEqual([]);
      // Nothing failed that was not reported in the page: no uncaught errors.
      expect(w.errors.filter((e) => e.startsWith('uncaught'))).toEqual([]);
    });
  }

  test('after a failed load, "Try again" loads the file once it is fixed', async ({ page }) => {
    let broken = true;
    await page.route(`**/data/${AREA}`, (route) => (broken ? route.fulfill({ status: 503, body: 'busy' }) : route.continue()));
    await page.goto('/');
    const frame = liveFrames(page).first();
    await useFrameControl(frame);
    expect(await settled(frame, 0)).toBe('error');
    await expect(frame.getByRole('alert')).toContainText('HTTP 503');
    broken = false;
    await frame.getByRole('button', { name: 'Try again' }).click();
    expect(await settled(frame, 0)).toBe('answered');
    await expect(frame.getByRole('alert')).toHaveCount(0);
  });
});

test.describe('the DuckDB engine failing to load', () => {
  const WASM = /duckdb-(eh|mvp)\.[^/]+\.wasm$/;
  const cases: { name: string; route: Parameters<Page['route']>[1]; message: RegExp }[] = [
    { name: 'the wasm file missing (HTTP 404)', route: (r) => r.fulfill({ status: 404, body: 'gone' }), message: /The DuckDB engine \(duckdb-(eh|mvp)\.[^)]+\.wasm\) could not be downloaded \(HTTP 404\)/ },
    {
      name: 'the wasm file served as a web page',
      route: (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Not here</title>' }),
      message: /is served as text\/html; the web server must send \.wasm files as application\/wasm/
    },
    {
      name: 'the wasm file corrupt (it cannot be compiled)',
      route: (r) => (r.request().method() === 'HEAD' ? r.continue() : r.fulfill({ status: 200, contentType: 'application/wasm', body: Buffer.alloc(4096, 7) })),
      message: /The DuckDB engine \(duckdb-(eh|mvp)\.[^)]+\.wasm\) failed to start: CompileError/
    }
  ];
  for (const c of cases) {
    test(`${c.name}: a clear message at once, the published figures still readable`, async ({ page }) => {
      await page.route(WASM, c.route);
      await page.goto('/');
      const frame = liveFrames(page).first();
      const t0 = Date.now();
      await useFrameControl(frame);
      expect(await settled(frame, 0)).toBe('error');
      // Not the 60 s start-up timeout: the failure itself is reported.
      expect(Date.now() - t0).toBeLessThan(20_000);
      await expect(frame.getByRole('alert')).toContainText(c.message);
      await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'error');
      await expectPrerenderedReadable(page);
    });
  }
});

// ---- Isolation: a broken file breaks only the charts that read it ------------------------------

const ROUTES = builtRoutes();

test('every page keeps its prerendered charts when all data and the engine are unavailable', async ({ page, baseURL }) => {
  const w = watch(page, new URL(baseURL!).origin);
  await page.route(/\/data\/[^/]+\.arrow$/, (r) => r.fulfill({ status: 404, body: 'gone' }));
  await page.route(/\.wasm$/, (r) => r.fulfill({ status: 404, body: 'gone' }));
  for (const route of ROUTES) {
    await page.goto(route);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    if ((await page.locator('figure.chart-frame').count()) > 0) await expectPrerenderedReadable(page);
    // Charts that never needed the browser's database show no error at all.
    await expect(page.locator('figure.chart-frame:not([data-tables]) [role="alert"]')).toHaveCount(0);
  }
  expect(w.errors.filter((e) => e.startsWith('uncaught'))).toEqual([]);
});

// Only pages whose built HTML has a live chart frame: the others (and the school shell, which the
// probe below also finds without one) have no chart a broken table could fail.
for (const route of ROUTES.filter((r) => builtHtml(r).includes('data-tables='))) {
  test(`${route}: a broken table fails only the live charts that read it`, async ({ browser }) => {
    // A page of many live charts (the councillors' view has seven) takes a while: every table is broken in turn.
    test.slow();
    // Which tables the page's live charts read, from the page itself.
    const probe = await browser.newPage();
    await probe.goto(route);
    const tablesByFrame = await liveFrames(probe).evaluateAll((fs) => fs.map((f) => (f as HTMLElement).dataset.tables!.split(' ').filter(Boolean)));
    await probe.close();
    expect(tablesByFrame.length, `${route} has live charts in its HTML, so in the page too`).toBeGreaterThan(0);

    const used = [...new Set(tablesByFrame.flat())];
    const unused = Object.keys(manifest.tables).find((t) => !used.includes(t));
    for (const broken of [...used, ...(unused ? [unused] : [])]) {
      const page = await browser.newPage();
      await doctorData(page, { files: { [manifest.tables[broken]!.files.arrow.path]: { status: 404 } } });
      await page.goto(route);
      const frames = await liveFrames(page).all();
      const outcomes: string[] = [];
      for (const f of frames) {
        const before = Number(await f.getAttribute('data-answers'));
        outcomes.push((await useFrameControl(f)) ? await settled(f, before) : 'no control');
      }
      tablesByFrame.forEach((tables, i) => {
        if (outcomes[i] === 'no control') return;
        expect(outcomes[i], `chart ${i} reads ${tables.join(', ')}; ${broken} is broken`).toBe(tables.includes(broken) ? 'error' : 'answered');
      });
      for (const [i, f] of frames.entries()) {
        if (tablesByFrame[i]!.includes(broken)) await expect(f.getByRole('alert')).toContainText(`${manifest.tables[broken]!.files.arrow.path} could not be downloaded`);
      }
      await expectPrerenderedReadable(page);
      await page.close();
    }
  });
}
