// The locked-down page, in real Chromium under the headers a static host sends (scripts/serve.ts
// applies build/_headers): every page of the built site (found on disk, and every page the
// navigation links to) carries its Content Security Policy, requests nothing from any other origin
// (DuckDB's worker included), and runs without a single policy violation; 'wasm-unsafe-eval' is
// given to DuckDB's worker and to nothing else.
import { expect, test } from '@playwright/test';
import { builtRoutes, hydrated, liveFrames, navPaths, reportCspViolations, watch } from './helpers';

const ROUTES = builtRoutes();

test('the built site has pages, and the navigation links only to them', async ({ page }) => {
  expect(ROUTES).toContain('/');
  expect(ROUTES.length).toBeGreaterThanOrEqual(2);
  await page.goto('/');
  const nav = await navPaths(page);
  expect(nav.length).toBeGreaterThan(1);
  for (const p of nav) expect(ROUTES, `nav link ${p}`).toContain(p);
});

/** A policy's directives: name -> sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources])
  );
}

for (const route of ROUTES) {
  test(`${route}: its own origin only, under a strict policy, without violations`, async ({ page, baseURL }) => {
    const origin = new URL(baseURL!).origin;
    const w = watch(page, origin);
    await reportCspViolations(page);
    const res = await page.goto(route);
    expect(res!.status()).toBe(200);
    expect(res!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");

    const meta = await page.locator('meta[http-equiv="content-security-policy"]').getAttribute('content');
    const csp = directives(meta!);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    // Scripts: the site's own files and hashed inline bootstrap, nothing that runs strings as code.
    const scripts = csp.get('script-src')!;
    expect(scripts[0]).toBe("'self'");
    for (const s of scripts.slice(1)) expect(s).toMatch(/^'sha256-[A-Za-z0-9+/=]+'$/);
    // Every other source list names only the site itself (or nothing), never another host or scheme;
    // the exceptions are inline style attributes (Svelte writes them) and blob: images, which only
    // the page can make (saving a chart as PNG).
    const extra: Record<string, string[]> = { 'style-src-attr': ["'unsafe-inline'"], 'img-src': ['blob:'] };
    for (const [name, sources] of csp) {
      if (name === 'script-src') continue;
      for (const s of sources) expect([`'self'`, `'none'`, ...(extra[name] ?? [])], `${name} ${s}`).toContain(s);
    }

    // Let the page do everything it does by itself: DuckDB-WASM starts when the browser is idle on
    // pages with live charts, and fetches its wasm and the page's tables.
    if ((await liveFrames(page).count()) > 0) {
      await expect.poll(() => w.requests.some((u) => u.endsWith('.wasm')), { timeout: 30_000 }).toBe(true);
    }
    await page.waitForLoadState('networkidle');
    expect(w.requests.length).toBeGreaterThan(0);
    expect(w.external).toEqual([]);
    expect(w.errors).toEqual([]);
  });
}

test("'wasm-unsafe-eval' reaches DuckDB's worker and nothing else, and the engine runs under it", async ({ page, baseURL }) => {
  const w = watch(page, new URL(baseURL!).origin);
  await reportCspViolations(page);
  const scripts = new Map<string, string | undefined>();
  page.context().on('response', (r) => {
    if (/\.(js|wasm)(\?|$)/.test(r.url())) scripts.set(new URL(r.url()).pathname, r.headers()['content-security-policy']);
  });
  await page.goto('/');
  const meta = await page.locator('meta[http-equiv="content-security-policy"]').getAttribute('content');
  expect(meta).not.toContain('wasm-unsafe-eval');
  expect(meta).not.toContain("'unsafe-eval'");
  expect(meta).not.toMatch(/script-src[^;]*'unsafe-inline'/);

  // Use a control so the engine starts and answers.
  await hydrated(page);
  const frame = liveFrames(page).first();
  await frame.locator('.controls input[type="radio"]:not(:checked)').first().check();
  await expect(frame).toHaveAttribute('data-answers', '1', { timeout: 30_000 });

  const worker = [...scripts.entries()].filter(([p]) => /duckdb-guard\.worker\.[^/]+\.js$/.test(p));
  expect(worker).toHaveLength(1);
  expect(worker[0]![1]).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(worker[0]![1]).toContain("default-src 'none'");
  for (const [p, policy] of scripts) {
    if (p === worker[0]![0]) continue;
    expect(policy ?? '', p).not.toContain('wasm-unsafe-eval');
  }
  expect(w.external).toEqual([]);
  expect(w.errors).toEqual([]);
});

test('an injected inline script and an injected style sheet are refused by the page policy', async ({ page }) => {
  // Belt and braces behind Svelte's escaping: even markup that got into the page could not run.
  await page.goto('/');
  const result = await page.evaluate(async () => {
    const refused: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => refused.push(e.violatedDirective));
    (window as unknown as { __ran?: boolean }).__ran = false;
    const s = document.createElement('script');
    s.textContent = 'window.__ran = true';
    document.body.append(s);
    const st = document.createElement('style');
    st.textContent = 'body { display: none }';
    document.head.append(st);
    const img = document.createElement('img');
    img.src = 'https://evil.example/x.png';
    document.body.append(img);
    await new Promise((r) => setTimeout(r, 100));
    return { ran: (window as unknown as { __ran?: boolean }).__ran, refused, display: getComputedStyle(document.body).display };
  });
  expect(result.ran).toBe(false);
  expect(result.display).not.toBe('none');
  expect(result.refused).toEqual(expect.arrayContaining(['script-src-elem', 'style-src-elem', 'img-src']));
});
