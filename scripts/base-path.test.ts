// The base path a sub-path build is made for (svelte.config.js basePath, through scripts/base-path.ts),
// and the headers file written for it (scripts/headers.ts).
import { describe, expect, it } from 'vitest';
import { checkedBase } from './base-path';
import { baseOfHeaders, headersFor } from './headers';

describe('checkedBase', () => {
  it('takes a sub-path with or without its trailing slash, and nothing for the domain root', async () => {
    expect(await checkedBase('/exclusions')).toBe('/exclusions');
    expect(await checkedBase('/exclusions/')).toBe('/exclusions');
    expect(await checkedBase('/council/send-exclusions')).toBe('/council/send-exclusions');
    expect(await checkedBase('/v1.2/.well_known~x')).toBe('/v1.2/.well_known~x');
    expect(await checkedBase('')).toBe('');
    expect(await checkedBase('/')).toBe('');
  });

  it('refuses, in words, what would make addresses the site cannot be found at', async () => {
    for (const bad of ['exclusions', '/two words', '/a//b', '/x?y', 'https://example.org/x', '/ü', '/..', '/a/./b', '/.../x']) {
      await expect(checkedBase(bad), bad).rejects.toThrow(`BASE_PATH must be empty (the site at a domain's root) or a path such as /exclusions`);
    }
  });
});

describe('headersFor', () => {
  const worker = '/_app/immutable/assets/duckdb-guard.worker.abc.js';

  it('spells out every path with the base, since a host reads the file at its own root', () => {
    const text = headersFor([worker], '/exclusions');
    expect(text).toMatch(/^\/exclusions\/\*\n {2}Content-Security-Policy: frame-ancestors 'none'/);
    expect(text).toContain(`\n/exclusions${worker}\n  Content-Security-Policy: default-src 'none'; script-src 'self' 'wasm-unsafe-eval'`);
    expect(text).not.toMatch(/^\/_app/m);
  });

  it('at the domain root, the paths are the site root', () => {
    expect(headersFor([worker])).toMatch(new RegExp(`^/\\*\\n[\\s\\S]*\\n${worker.replaceAll('.', '\\.')}\\n`));
  });
});

describe('baseOfHeaders', () => {
  it('reads back the base a headers file was written for, so the server serves the build where its links point', () => {
    const worker = '/_app/immutable/assets/duckdb-guard.worker.abc.js';
    expect(baseOfHeaders(headersFor([worker], '/exclusions'))).toBe('/exclusions');
    expect(baseOfHeaders(headersFor([worker], '/council/send'))).toBe('/council/send');
    expect(baseOfHeaders(headersFor([worker]))).toBe('');
    expect(baseOfHeaders('/data/*\n  X-A: b\n')).toBe('/data');
    expect(baseOfHeaders('# hand-written\n/*\n')).toBeNull();
  });
});
