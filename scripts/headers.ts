/**
 * Writes build/_headers (the format Netlify, Cloudflare Pages and others read): the response
 * headers the site needs from a static host. Pages carry their Content Security Policy in a <meta>
 * tag (svelte.config.js, with hashes of their inline scripts), but a Web Worker takes its policy
 * only from its own response headers, so DuckDB-WASM's worker scripts get the policy here. Headers
 * that a <meta> tag cannot set (frame-ancestors) go on every response. scripts/serve.ts applies
 * this same file, so the tests run under the policy a real host would send.
 *
 *   tsx scripts/headers.ts [DIR=build]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export const WORKER_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'"
].join('; ');

export const HEADERS = `/*
  Content-Security-Policy: frame-ancestors 'none'
  X-Content-Type-Options: nosniff
  Referrer-Policy: no-referrer
  Cross-Origin-Opener-Policy: same-origin
  Permissions-Policy: camera=(), microphone=(), geolocation=(), interest-cohort=()

/_app/immutable/assets/*
  Content-Security-Policy: ${WORKER_POLICY}
`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = path.resolve(process.argv[2] ?? 'build');
  writeFileSync(path.join(dir, '_headers'), HEADERS);
  console.log(`wrote ${path.relative(process.cwd(), path.join(dir, '_headers'))}`);
}
