// The analysts' explorer (/explore) in real Chromium: the prerendered schema and examples with
// JavaScript off; queries answered by the explorer's own DuckDB-WASM, with values checked against
// the published Arrow files; refused statements; no files or URLs; the row cap and a virtualised
// table; cancelling; CSV download; the query kept in the address (reload, links, too long to keep);
// an analyst's own file (picked, dropped, malformed, Arrow) that never leaves the browser; other
// pages unaffected after client-side navigation; axe-core.
import { expect, test, type Page, type Request } from '@playwright/test';
import { Float64, Table, Utf8, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { readFileSync } from 'node:fs';
import { AXE_VIEWS, axeViolations, overflowX, watch } from './helpers';

interface BuiltManifest {
  tables: Record<string, { rows: number }>;
}
const manifest = JSON.parse(readFileSync('build/data/manifest.json', 'utf8')) as BuiltManifest;
const TABLE_NAMES = Object.keys(manifest.tables).sort();

function arrowRows(table: string): Record<string, unknown>[] {
  const t = tableFromIPC(readFileSync(`build/data/${table}.arrow`));
  return t.toArray().map((r) => r.toJSON() as Record<string, unknown>);
}

async function ready(page: Page) {
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-status', 'ready', { timeout: 45_000 });
}

/** Type a query and run it; resolves when the run has finished, whatever its outcome. */
async function runQuery(page: Page, text: string, how: 'click' | 'keyboard' = 'click') {
  const status = page.getByTestId('run-status');
  const before = Number(await status.getAttribute('data-runs'));
  await page.locator('#sql').fill(text);
  if (how === 'click') await page.getByTestId('run').click();
  else {
    await page.locator('#sql').focus();
    await page.keyboard.press('Control+Enter');
  }
  await expect(status).toHaveAttribute('data-runs', String(before + 1), { timeout: 45_000 });
}

/** The cells of the result table's visible rows, as text. */
async function visibleCells(page: Page): Promise<string[][]> {
  return page
    .getByTestId('result-table')
    .locator('tbody tr[aria-rowindex]')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

async function headers(page: Page): Promise<string[]> {
  return (await page.getByTestId('result-table').locator('thead th').allTextContents()).slice(1);
}

test('JavaScript off: every published table with its columns, the example queries, and a note that the editor needs JavaScript', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const w = watch(page, new URL(baseURL!).origin);
  await page.goto('/explore');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Explore the data with SQL');
  await expect(page.getByTestId('noscript')).toContainText('needs JavaScript');
  await expect(page.getByTestId('editor')).toHaveCount(0);
  const schema = page.getByTestId('schema');
  for (const name of TABLE_NAMES) {
    const details = schema.locator(`details[data-table="${name}"]`);
    await expect(details.locator('summary')).toContainText(`${manifest.tables[name]!.rows.toLocaleString('en-GB')} rows`);
    const columns = Object.keys(tableFromIPC(readFileSync(`build/data/${name}.arrow`)).schema.fields.reduce((o, f) => ({ ...o, [f.name]: 1 }), {}));
    await details.locator('summary').click();
    for (const c of columns) await expect(details.locator('li code', { hasText: new RegExp(`^${c}$`) })).toBeVisible();
  }
  const examples = page.locator('article.example');
  expect(await examples.count()).toBeGreaterThan(3);
  await expect(examples.first().locator('pre code')).toContainText('SELECT');
  await expect(page.getByRole('button', { name: /Use this query/ })).toHaveCount(0);
  expect(w.requests.some((u) => u.endsWith('.wasm') || u.endsWith('.arrow'))).toBe(false);
  await context.close();
});

test('an example runs in the explorer’s own DuckDB-WASM: table, line chart and summary match the published Arrow file', async ({ page, baseURL }) => {
  const w = watch(page, new URL(baseURL!).origin);
  await page.goto('/explore');
  await ready(page);
  const example = page.locator('article[data-example="la-trend"]');
  await example.getByRole('button', { name: /Use this query/ }).click();
  await expect(page.locator('#sql')).toBeFocused();
  const before = Number(await page.getByTestId('run-status').getAttribute('data-runs'));
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-runs', String(before + 1), { timeout: 45_000 });
  await expect(page.getByTestId('run-status')).toContainText(/32 rows, 3 columns/);
  expect(await headers(page)).toEqual(['academic_year', 'pupil_group', 'suspensions_per_100']);

  const expected = new Map<string, number>();
  for (const r of arrowRows('area_year')) {
    if (r.area_type === 'LA' && r.phase === 'All' && r.pupil_group === 'EHC plan') {
      expected.set(String(r.academic_year), Math.round((10000 * Number(r.suspensions)) / Number(r.pupils)) / 100);
    }
  }
  const markers = page.locator('figure.chart-frame g.series[data-series="EHC plan"] path.marker');
  await expect(markers).toHaveCount(expected.size);
  for (const m of await markers.all()) {
    expect(Number(await m.getAttribute('data-value'))).toBeCloseTo(expected.get((await m.getAttribute('data-year'))!)!, 2);
  }
  await expect(page.locator('figure.chart-frame g.series')).toHaveCount(4);
  await expect(page.locator('figure.chart-frame [data-testid="summary"]')).toContainText('Line chart of suspensions_per_100 by academic_year');
  // The chart's table alternative.
  await page.locator('figure.chart-frame details summary').click();
  await expect(page.locator('figure.chart-frame details tbody tr')).toHaveCount(expected.size);

  // Only the table the query names was fetched, from this site; the engine is self-hosted.
  const arrows = w.requests.filter((u) => u.endsWith('.arrow')).map((u) => new URL(u).pathname);
  expect(arrows).toEqual(['/data/area_year.arrow']);
  expect(w.requests.some((u) => /duckdb-(eh|mvp).*\.wasm$/.test(u))).toBe(true);
  expect(w.external).toEqual([]);
  expect(w.errors).toEqual([]);
});

test('a bar chart for categories, read by keyboard; NULLs and suppression flags show as text', async ({ page }) => {
  await page.goto('/explore');
  await ready(page);
  await runQuery(page, (await page.locator('article[data-example="reasons"] pre').textContent())!);
  const bars = page.locator('figure.chart-frame g.bar');
  const rows = Number((await page.getByTestId('run-status').textContent())!.match(/^(\d+) rows/)![1]);
  await expect(bars).toHaveCount(rows);
  const plot = page.locator('figure.chart-frame .plot');
  await plot.focus();
  await page.keyboard.press('Home');
  const first = await bars.first().getAttribute('data-label');
  await expect(page.locator('figure.chart-frame .readout')).toContainText(`${first}: `);
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('figure.chart-frame .readout')).toContainText(`Bar 2 of ${rows}`);

  await runQuery(page, 'SELECT urn, pupil_group, pupils, pupils_flag FROM school_year WHERE pupils IS NULL ORDER BY urn LIMIT 5');
  const cells = await visibleCells(page);
  expect(cells.length).toBeGreaterThan(0);
  for (const r of cells) {
    expect(r[2]).toMatch(/^NULL \((c|x|z|low)\)$/);
    expect(r[3]).toMatch(/^(c|x|z|low)$/);
  }
  await runQuery(page, 'SELECT NULL AS nothing, 1 AS one');
  expect(await visibleCells(page)).toEqual([['NULL', '1']]);
  await expect(page.getByTestId('no-chart')).toContainText('No chart');
});

test.describe('read-only', () => {
  test('statements other than one SELECT are refused with a clear message, and nothing changes', async ({ page }) => {
    await page.goto('/explore');
    await ready(page);
    const cases: [string, RegExp][] = [
      ['INSERT INTO schools SELECT * FROM schools', /Refused: DuckDB read this as an INSERT statement/],
      ['DROP TABLE schools', /Refused: DuckDB read this as a DROP statement/],
      ["COPY schools TO 'schools-copy.csv'", /Refused: DuckDB read this as a COPY statement/],
      ["ATTACH 'https://example.org/x.duckdb' AS x", /Refused: DuckDB read this as an ATTACH statement/],
      ['SET enable_external_access = true', /Refused: DuckDB read this as a SET statement/],
      ['INSTALL httpfs', /Refused: DuckDB read this as an INSTALL statement/],
      ['SELECT 1; DROP TABLE schools', /This text holds 2 statements/]
    ];
    for (const [text, message] of cases) {
      await runQuery(page, text);
      const alert = page.getByTestId('run-error');
      await expect(alert).toHaveAttribute('data-kind', 'refused');
      await expect(alert).toContainText(message);
      await expect(alert).toHaveAttribute('role', 'alert');
      await expect(page.getByTestId('results')).toHaveCount(0);
    }
    await runQuery(page, 'SELECT count(*) AS n FROM schools');
    expect(await visibleCells(page)).toEqual([[String(manifest.tables.schools!.rows)]]);
    await expect(page.getByTestId('run-error')).toHaveCount(0);
  });

  test('a SELECT cannot read files or URLs, not even this site’s own, and the configuration is locked', async ({ page, context, baseURL }) => {
    await page.goto('/explore');
    await ready(page);
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    for (const text of [`SELECT * FROM read_csv('${baseURL}/data/schools.csv')`, `SELECT * FROM '${baseURL}/data/area_year.csv'`, "SELECT * FROM read_text('/etc/passwd')", "SELECT * FROM glob('*')"]) {
      await runQuery(page, text);
      await expect(page.getByTestId('run-error')).toHaveAttribute('data-kind', 'error');
      await expect(page.getByTestId('run-error')).toContainText(/Permission Error|disabled by configuration/);
    }
    expect(requests.filter((u) => u.endsWith('.csv'))).toEqual([]);
    await runQuery(page, "SELECT current_setting('enable_external_access') AS external_access, current_setting('lock_configuration') AS locked");
    expect(await visibleCells(page)).toEqual([['false', 'true']]);
  });
});

test.describe('the query in the address', () => {
  /** Wait for the n-th run since the page was opened to finish. */
  const runsDone = (page: Page, n: number) => expect(page.getByTestId('run-status')).toHaveAttribute('data-runs', String(n), { timeout: 45_000 });

  test('a query run is kept in the address (its fragment), not while typing; a reload shows it and its result again', async ({ page, baseURL }) => {
    const w = watch(page, new URL(baseURL!).origin);
    await page.goto('/explore');
    await ready(page);
    const sql = "SELECT phase, count(*) AS schools\nFROM schools\nWHERE name <> 'x & y #1'\nGROUP BY phase ORDER BY phase";
    await page.locator('#sql').fill(sql);
    expect(page.url()).toBe(new URL('/explore', baseURL).toString());
    const entries = await page.evaluate(() => history.length);
    await runQuery(page, sql);
    await expect(page).toHaveURL(/\/explore#q=SELECT\+phase/);
    // In place of the entry the page was opened at: Back still leaves the page.
    expect(await page.evaluate(() => history.length)).toBe(entries);
    const cells = await visibleCells(page);
    expect(cells.length).toBeGreaterThan(1);
    // Typing more changes the editor, not the address: it holds the query run.
    const address = page.url();
    await page.locator('#sql').fill(`${sql} DESC`);
    expect(page.url()).toBe(address);

    await page.reload();
    await expect(page.locator('#sql')).toHaveValue(sql);
    await runsDone(page, 1);
    expect(await visibleCells(page)).toEqual(cells);
    await expect(page.getByTestId('run-error')).toHaveCount(0);
    // The query never left the browser: no request carried it (a fragment is not sent).
    expect(w.requests.filter((u) => u.includes('q=') || u.includes('SELECT'))).toEqual([]);
  });

  test('a link with a query opens it and runs it, through the same read-only engine', async ({ page, baseURL }) => {
    await page.goto(`/explore#q=${encodeURIComponent('SELECT count(*) AS n FROM schools')}`);
    await expect(page.locator('#sql')).toHaveValue('SELECT count(*) AS n FROM schools');
    await runsDone(page, 1);
    expect(await visibleCells(page)).toEqual([[String(manifest.tables.schools!.rows)]]);

    // Written with ?q=, as a person might: run, and moved into the fragment so a reload does not send it again.
    await page.goto('/explore?q=SELECT+42+AS+answer');
    await runsDone(page, 1);
    expect(await visibleCells(page)).toEqual([['42']]);
    await expect(page).toHaveURL(new URL('/explore#q=SELECT+42+AS+answer', baseURL).toString());

    // A link cannot make the explorer do more than a typed query can. (Only the fragment changes:
    // the open page follows the address, as when a reader edits it, and runs the query as its second.)
    await page.goto(`/explore#q=${encodeURIComponent("COPY schools TO 'schools-copy.csv'")}`);
    await runsDone(page, 2);
    await expect(page.locator('#sql')).toHaveValue("COPY schools TO 'schools-copy.csv'");
    await expect(page.getByTestId('run-error')).toHaveAttribute('data-kind', 'refused');
    await expect(page.getByTestId('results')).toHaveCount(0);
  });

  test('a query too long for the address is not kept there, the one before is taken out, and the page says so', async ({ page }) => {
    await page.goto('/explore#q=SELECT+1');
    await runsDone(page, 1);
    // Each comma takes three characters in an address (%2C): about 9,000 in all, over the 8,000 kept.
    const long = `SELECT 7 AS seven -- ${','.repeat(3000)}`;
    await runQuery(page, long);
    expect(await visibleCells(page)).toEqual([['7']]);
    await expect(page).toHaveURL(/\/explore$/);
    await expect(page.getByTestId('address-note')).toContainText('too long to keep in the page’s address');
    // A shorter one is kept again, and the note goes.
    await runQuery(page, 'SELECT 8 AS eight');
    await expect(page).toHaveURL(/\/explore#q=SELECT\+8\+AS\+eight$/);
    await expect(page.getByTestId('address-note')).toHaveCount(0);
  });
});

test(`results stop at 100,000 rows with a notice, and the table renders only the rows in view`, async ({ page }) => {
  await page.goto('/explore');
  await ready(page);
  await runQuery(page, 'SELECT * FROM school_year_reason ORDER BY urn, year_start, pupil_group, reason_code', 'keyboard');
  await expect(page.getByTestId('cap-notice')).toContainText('Only the first 100,000 rows are shown');
  await expect(page.getByTestId('run-status')).toContainText('100,000 rows (the first 100,000)');
  const table = page.getByTestId('result-table');
  await expect(table.locator('table')).toHaveAttribute('aria-rowcount', '100001');
  const rendered = await table.locator('tbody tr[aria-rowindex]').count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(60);
  // Keyboard: the scroll area takes focus and End goes to the last row, which appears at once.
  await table.focus();
  await page.keyboard.press('PageDown');
  await expect.poll(() => table.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  // Chromium animates keyboard scrolling: wait for the scroll to come to rest, then go to the end.
  const atRest = async () => {
    let last = -1;
    await expect.poll(async () => {
      const now = await table.evaluate((el) => el.scrollTop);
      const still = now === last;
      last = now;
      return still;
    }).toBe(true);
  };
  await atRest();
  await page.keyboard.press('End');
  await expect.poll(() => table.evaluate((el) => el.scrollHeight - el.clientHeight - el.scrollTop), { timeout: 10_000 }).toBeLessThan(2);
  // At the bottom, the last of 100,000 rows is in the page at once, and still only a few dozen rows are.
  await expect(table.locator('tbody tr[aria-rowindex="100001"] th')).toHaveText('100000', { timeout: 1000 });
  expect(await table.locator('tbody tr[aria-rowindex]').count()).toBeLessThan(60);
  await expect(page.getByTestId('no-chart')).toContainText('row cap');
});

test('cancel stops a runaway query, and the explorer answers the next one at once', async ({ page }) => {
  await page.goto('/explore');
  await ready(page);
  await expect(page.getByTestId('cancel')).toBeDisabled();
  const status = page.getByTestId('run-status');
  const before = Number(await status.getAttribute('data-runs'));
  await page.locator('#sql').fill('SELECT count(*) FROM range(1000000) a, range(1000000) b');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('elapsed')).toContainText(/Running for [1-9]/, { timeout: 10_000 });
  await expect(page.getByTestId('cancel')).toBeEnabled();
  const t0 = Date.now();
  await page.getByTestId('cancel').click();
  await expect(status).toHaveAttribute('data-runs', String(before + 1), { timeout: 5_000 });
  expect(Date.now() - t0).toBeLessThan(3000);
  await expect(status).toContainText('cancelled');
  await expect(page.getByTestId('results')).toHaveCount(0);
  const t1 = Date.now();
  await runQuery(page, 'SELECT 42 AS answer');
  expect(Date.now() - t1).toBeLessThan(3000);
  expect(await visibleCells(page)).toEqual([['42']]);
});

test('Download CSV saves the result as shown, built in the browser', async ({ page, context }) => {
  await page.goto('/explore');
  await ready(page);
  await runQuery(page, "SELECT urn, name, phase FROM schools ORDER BY urn LIMIT 3");
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  expect(download.suggestedFilename()).toMatch(/^explore-.+\.csv$/);
  const text = readFileSync((await download.path())!, 'utf8');
  const schools = arrowRows('schools')
    .sort((a, b) => String(a.urn).localeCompare(String(b.urn)))
    .slice(0, 3);
  const field = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  expect(text).toBe(['urn,name,phase', ...schools.map((s) => [s.urn, s.name, s.phase].map((v) => field(String(v))).join(','))].join('\n') + '\n');
  expect(requests.filter((u) => u.startsWith('http'))).toEqual([]);
});

test.describe('your own file', () => {
  /** Every request the browser makes while the file is in play, with its method and body. */
  function recordRequests(context: import('@playwright/test').BrowserContext): Request[] {
    const seen: Request[] = [];
    context.on('request', (r) => seen.push(r));
    return seen;
  }

  test('a picked CSV is validated, loaded as its own table, joins the published data, and no request carries it', async ({ page, context, baseURL }) => {
    const w = watch(page, new URL(baseURL!).origin);
    const requests = recordRequests(context);
    await page.goto('/explore');
    await ready(page);
    // A school whose latest published suspensions are not suppressed.
    const latest = Math.max(...arrowRows('school_year').map((r) => Number(r.year_start)));
    const mine = arrowRows('school_year').find((r) => r.year_start === latest && r.pupil_group === 'All pupils' && r.suspensions !== null)!;
    const phase = arrowRows('schools').find((s) => s.urn === mine.urn)!.phase;
    const similar = arrowRows('schools').filter((s) => s.phase === phase).length;
    const MARKER = 'PRIVATE-MARKER-7f3a9c';
    const csv = `URN,Academic year,Term,Suspensions,Notes\n${mine.urn},${mine.academic_year},Autumn,3,${MARKER}\n${mine.urn},${mine.academic_year},Spring,2,\n${mine.urn},${mine.academic_year},Summer,4,\n`;
    await page.setInputFiles('#own-file-input', { name: 'Our school termly.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect(page.getByTestId('file-status')).toContainText('Loaded Our school termly.csv as table our_school_termly: 3 rows, 5 columns');
    const listed = page.getByTestId('user-tables').locator('li[data-table="our_school_termly"]');
    await expect(listed).toContainText('“Academic year” in the file');
    await expect(listed.locator('li', { hasText: /^suspensions INTEGER/ })).toHaveCount(1);

    // The school's own termly suspensions beside the published figure and similar schools (same phase).
    await runQuery(
      page,
      `WITH mine AS (SELECT urn, academic_year, sum(suspensions) AS termly_total FROM our_school_termly GROUP BY ALL)
       SELECT m.urn, m.termly_total, y.suspensions AS published,
              (SELECT count(*) FROM schools s2 WHERE s2.phase = s.phase) AS similar_schools
       FROM mine m JOIN schools s USING (urn)
       JOIN school_year y ON y.urn = m.urn AND y.academic_year = m.academic_year AND y.pupil_group = 'All pupils'`
    );
    expect(await visibleCells(page)).toEqual([[String(mine.urn), '9', String(mine.suspensions), String(similar)]]);
    await runQuery(page, `SELECT notes FROM our_school_termly WHERE notes IS NOT NULL`);
    expect(await visibleCells(page)).toEqual([[MARKER]]);

    // Never sent: no request has a body, uses a method other than GET or HEAD, or names the file or its contents.
    for (const r of requests) {
      expect(['GET', 'HEAD'], `${r.method()} ${r.url()}`).toContain(r.method());
      expect(r.postDataBuffer()).toBeNull();
      expect(r.url()).not.toContain(MARKER);
      expect(decodeURIComponent(r.url())).not.toContain('Our school termly');
      expect(Object.values(await r.allHeaders()).join('\n')).not.toContain(MARKER);
    }
    expect(w.external).toEqual([]);
    expect(w.errors).toEqual([]);
  });

  test('a dropped malformed CSV is refused naming the file, line and column, and nothing is loaded', async ({ page, context }) => {
    const requests = recordRequests(context);
    await page.goto('/explore');
    await ready(page);
    const drop = (name: string, text: string) =>
      page.evaluate(
        ({ name, text }) => {
          const dt = new DataTransfer();
          dt.items.add(new File([text], name, { type: 'text/csv' }));
          const zone = document.querySelector('[data-testid="dropzone"]')!;
          for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
        },
        { name, text }
      );
    const files = page.getByTestId('file-status');
    await drop('broken.csv', 'urn,name,suspensions\n100001,Ash,3\n100002,"Beech,4\n');
    await expect(files).toHaveAttribute('data-files', '1');
    const alert = page.getByTestId('file-error');
    await expect(alert).toHaveAttribute('role', 'alert');
    await expect(alert).toContainText('broken.csv was not loaded');
    await expect(alert).toContainText('broken.csv:3, column name: found "\\"Beech,4", expected a closing quote (") for the quoted field that starts here');

    await drop('ragged.csv', 'urn,suspensions\n100001,3\n100002\n');
    await expect(files).toHaveAttribute('data-files', '2');
    await expect(alert).toContainText('ragged.csv:3: found "100002", expected 2 fields, like the header (found 1)');

    await drop('rules.csv', 'urn,academic_year,suspensions\n12345,2023/24,3\n100002,2023/25,-1\n');
    await expect(files).toHaveAttribute('data-files', '3');
    await expect(alert).toContainText('rules.csv:2, column urn: found "12345", expected a 6-digit URN');
    await expect(alert).toContainText('rules.csv:3, column academic_year: found "2023/25"');
    await expect(alert).toContainText('rules.csv:3, column suspensions: found "-1", expected a whole number from 0 to 20000000');

    await expect(page.getByTestId('user-tables')).toHaveCount(0);
    await runQuery(page, 'SELECT * FROM broken');
    await expect(page.getByTestId('run-error')).toContainText('does not exist');

    // A good file dropped the same way loads.
    await drop('fine.csv', 'urn,value\n100001,1.5\n');
    await expect(files).toContainText('Loaded fine.csv as table fine: 1 row, 2 columns');
    await expect(page.getByTestId('file-error')).toHaveCount(0);
    // Dropped files stay in the tab too: nothing was sent with a body or to anywhere else.
    expect(requests.filter((r) => r.postDataBuffer() !== null || !['GET', 'HEAD'].includes(r.method())).map((r) => r.url())).toEqual([]);
    expect(requests.filter((r) => /(broken|ragged|rules|fine)\.csv/.test(decodeURIComponent(r.url()))).map((r) => r.url())).toEqual([]);
  });

  test('an Arrow file loads with contract columns typed as the contract types them', async ({ page }) => {
    await page.goto('/explore');
    await ready(page);
    const schools = arrowRows('schools').slice(0, 2);
    const ipc = tableToIPC(
      new Table({
        urn: vectorFromArray(schools.map((s) => String(s.urn)), new Utf8()),
        our_rate: vectorFromArray([1.5, 2.25], new Float64())
      }),
      'file'
    );
    await page.setInputFiles('#own-file-input', { name: 'rates.arrow', mimeType: 'application/vnd.apache.arrow.file', buffer: Buffer.from(ipc) });
    await expect(page.getByTestId('file-status')).toContainText('Loaded rates.arrow as table rates: 2 rows, 2 columns');
    await runQuery(page, 'SELECT s.name, r.our_rate FROM rates r JOIN schools s USING (urn) ORDER BY r.our_rate');
    expect(await visibleCells(page)).toEqual(schools.map((s, i) => [String(s.name), ['1.5', '2.25'][i]!]));
    await page.setInputFiles('#own-file-input', { name: 'junk.arrow', mimeType: 'application/octet-stream', buffer: Buffer.from('ARROW1 and then nothing useful') });
    await expect(page.getByTestId('file-error')).toContainText('junk.arrow: found');
    await expect(page.getByTestId('file-error')).toContainText('expected a readable Arrow IPC file');
  });
});

test('after the explorer locks its engine, other pages still work after client-side navigation', async ({ page, baseURL }) => {
  const w = watch(page, new URL(baseURL!).origin);
  await page.goto('/explore');
  await ready(page);
  await runQuery(page, "SELECT current_setting('lock_configuration') AS locked");
  expect(await visibleCells(page)).toEqual([['true']]);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.getByLabel('Permanent exclusion rate').check();
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-source', 'duckdb-wasm', { timeout: 45_000 });
  await expect(page.locator('figure h2')).toContainText('Permanent exclusions per 100 pupils');
  expect(w.errors).toEqual([]);
});

// One engine start per view (AXE_VIEWS): the explorer's set-up (engine, every table, a loaded
// file, two queries) is most of each check.
for (const { colorScheme, width } of AXE_VIEWS) {
  test(`no axe-core violations with a result, a chart and a loaded file (${colorScheme}, ${width}px)`, async ({ browser }) => {
    const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto('/explore');
    await ready(page);
    await page.setInputFiles('#own-file-input', { name: 'mine.csv', mimeType: 'text/csv', buffer: Buffer.from('urn,score\n100001,1\n') });
    await expect(page.getByTestId('file-status')).toContainText('Loaded mine.csv');
    const check = async (state: string) => {
      await page.locator('details').evaluateAll((els) => els.forEach((d) => ((d as HTMLDetailsElement).open = true)));
      expect(await axeViolations(page), state).toEqual([]);
      expect(await overflowX(page), state).toBeLessThanOrEqual(0);
    };
    // A refused statement (the alert), then a result with its chart.
    await runQuery(page, 'DROP TABLE mine');
    await expect(page.getByTestId('run-error')).toBeVisible();
    await check('a refused statement');
    await runQuery(page, (await page.locator('article[data-example="la-trend"] pre').textContent())!);
    await expect(page.locator('figure.chart-frame svg[role="img"]')).toBeVisible();
    await check('a result with its chart');
    await context.close();
  });
}
