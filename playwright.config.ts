// End-to-end tests: real Chromium (see scripts/browser.ts) against the built site served the way a
// static host serves it (scripts/serve.ts). `npm test` builds the site before running these.
import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CHROMIUM_ARGS, findChromium } from './scripts/browser';
import { SUBPATH } from './tests/e2e/subpath-build';

const port = Number(process.env.E2E_PORT ?? 4321);

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  // Two browsers at once: much of each test is waiting (DuckDB-WASM starting, files loading), so a
  // 2-core machine runs the suite in about two thirds of the time. Spec files stay whole on one worker.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  retries: 0,
  // Some tests open a page twice and wait for DuckDB-WASM each time; 60 s was not enough on a busy
  // 2-core machine.
  timeout: 120_000,
  // DuckDB-WASM compiles a 35 MB module before the first live answer; on a busy 2-core machine that
  // alone can pass Playwright's default 5 s, so waits get room (a failure still fails, only later).
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    launchOptions: { executablePath: findChromium()?.path, args: CHROMIUM_ARGS },
    trace: 'retain-on-failure'
  },
  webServer: [
    {
      command: `npx tsx scripts/serve.ts --dir build --base '' --port ${port}`,
      url: `http://localhost:${port}/`,
      reuseExistingServer: false,
      timeout: 30_000
    },
    // The site built for a sub-path, served under it (tests/e2e/subpath.spec.ts), when it has been
    // built: `npm test` builds it; a run of other specs by hand needs only `npm run build`.
    ...(existsSync(path.join(SUBPATH.dir, 'index.html'))
      ? [
          {
            command: `npx tsx scripts/serve.ts --dir ${SUBPATH.dir} --base ${SUBPATH.base} --port ${SUBPATH.port}`,
            url: `http://localhost:${SUBPATH.port}${SUBPATH.base}/`,
            reuseExistingServer: false,
            timeout: 30_000
          }
        ]
      : [])
  ]
});
