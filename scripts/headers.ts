/**
 * Writes build/_headers (the format Netlify, Cloudflare Pages and others read): the response
 * headers the site needs from a static host. Pages carry their Content Security Policy in a <meta>
 * tag (svelte.config.js, with hashes of their inline scripts), but a Web Worker takes its policy
 * only from its own response headers, so DuckDB-WASM's worker gets its policy here. Headers that a
 * <meta> tag cannot set (frame-ancestors) go on every response. scripts/serve.ts applies this same
 * file, so the tests run under the policy a real host would send.
 *
 * 'wasm-unsafe-eval' (permission to compile WebAssembly) is needed only where DuckDB compiles its
 * engine: inside its worker. No page needs it, so no page gets it; and the worker rule names the
 * worker's own script exactly (its hashed file name, found in the build) rather than a wildcard,
 * both because hosts disagree on wildcard syntax and so that no other script can be started as a
 * worker with that permission.
 *
 * Paths are the addresses the browser asks for, base path included (`/exclusions/*` for a site
 * built with BASE_PATH=/exclusions): a host reads the file at its own root, so a site in a
 * sub-path needs them spelled out there (README, "Hosting under a sub-path").
 *
 *   tsx scripts/headers.ts [DIR, else $BUILD_DIR, else build]
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configuredBase } from './base-path';

export const WORKER_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "connect-src 'self'",
  "base-uri 'none'"
].join('; ');

/** The worker script the page starts for DuckDB-WASM (src/lib/data/duckdb-guard.worker.js), as built. */
export const WORKER_FILE = /^duckdb-guard\.worker\.[A-Za-z0-9_-]+\.js$/;

export function headersFor(workerPaths: string[], base = ''): string {
  const rules = [
    `${base}/*
  Content-Security-Policy: frame-ancestors 'none'
  X-Content-Type-Options: nosniff
  Referrer-Policy: no-referrer
  Cross-Origin-Opener-Policy: same-origin
  Permissions-Policy: camera=(), microphone=(), geolocation=(), interest-cohort=()
`
  ];
  for (const p of workerPaths) rules.push(`${base}${p}\n  Content-Security-Policy: ${WORKER_POLICY}\n`);
  return rules.join('\n');
}

/**
 * The base path a headers file was written for: the path of its first rule, the one for every
 * address of the site (`/exclusions/*` gives '/exclusions', `/*` gives ''). Null when the text
 * does not start with such a rule. scripts/serve.ts serves a build under the base it was made for.
 */
export function baseOfHeaders(text: string): string | null {
  const first = /^(\S*)\/\*\n/.exec(text);
  return first ? first[1]! : null;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = path.resolve(process.argv[2] ?? process.env.BUILD_DIR ?? 'build');
  const assets = path.join(dir, '_app', 'immutable', 'assets');
  const workers = readdirSync(assets)
    .filter((f) => WORKER_FILE.test(f))
    .map((f) => `/_app/immutable/assets/${f}`);
  if (workers.length === 0) {
    console.error(`No DuckDB worker script (${WORKER_FILE}) in ${assets}: it would start without its Content Security Policy.`);
    process.exit(1);
  }
  const base = await configuredBase();
  writeFileSync(path.join(dir, '_headers'), headersFor(workers, base));
  console.log(`wrote ${path.relative(process.cwd(), path.join(dir, '_headers'))} (worker policy on ${workers.map((w) => base + w).join(", ")})`);
}
