// Unit tests of the site benchmark's pure helpers (no timing is asserted anywhere).
import { describe, expect, it } from 'vitest';
import { BUDGETS, classify, parseBenchArgs, percentile, replaceBlock, summariseRequests, verdict, wasmAfterChart, type RequestRecord } from './site-lib';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const xs = Array.from({ length: 50 }, (_, i) => 50 - i); // 1..50, unsorted
    expect(percentile(xs, 50)).toBe(25);
    expect(percentile(xs, 95)).toBe(48);
    expect(percentile(xs, 100)).toBe(50);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('classify', () => {
  it('sorts requests into html, js, css, data, wasm and other', () => {
    expect(classify('http://h/')).toBe('html');
    expect(classify('http://h/schools/school?urn=100000')).toBe('html');
    expect(classify('http://h/transparency.html')).toBe('html');
    expect(classify('http://h/_app/immutable/entry/start.abc.js')).toBe('js');
    expect(classify('http://h/_app/immutable/assets/0.abc.css')).toBe('css');
    expect(classify('http://h/data/school_year.arrow')).toBe('data');
    expect(classify('http://h/data/manifest.json')).toBe('data');
    expect(classify('http://h/schools/__data.json')).toBe('data');
    expect(classify('http://h/_app/immutable/assets/duckdb-eh.abc.wasm')).toBe('wasm');
    expect(classify('http://h/engine', 'application/wasm')).toBe('wasm');
    expect(classify('http://h/favicon.svg')).toBe('other');
  });
});

describe('summariseRequests', () => {
  const r = (url: string, bytes: number, start: number): RequestRecord => ({ url, method: 'GET', kind: classify(url), bytes, start, end: start + 10 });
  const reqs = [r('http://h/', 10_000, 0), r('http://h/a.js', 20_000, 50), r('http://h/data/x.arrow', 5_000, 900), r('http://h/e.wasm', 7_000_000, 800)];

  it('sums bytes by kind and finds what started before the first chart', () => {
    const s = summariseRequests(reqs, 300);
    expect(s.byKind).toEqual({ html: 10_000, js: 20_000, css: 0, data: 5_000, wasm: 7_000_000, other: 0 });
    expect(s.criticalBytes).toBe(30_000);
    expect(s.critical.map((c) => c.url)).toEqual(['http://h/', 'http://h/a.js']);
    expect(s.wasmStart).toBe(800);
    expect(wasmAfterChart(s.wasmStart, 300)).toBe('met');
    expect(wasmAfterChart(s.wasmStart, 850)).toBe('NOT met');
  });

  it('has no critical path without a chart', () => {
    expect(summariseRequests(reqs, null).criticalBytes).toBe(0);
    expect(wasmAfterChart(800, null)).toBe('n/a');
    expect(wasmAfterChart(null, 300)).toBe('met');
  });
});

describe('verdict', () => {
  it('compares against the budget', () => {
    expect(verdict(99, BUDGETS.filterP95)).toBe('met');
    expect(verdict(100, BUDGETS.filterP95)).toBe('met');
    expect(verdict(101, BUDGETS.filterP95)).toBe('NOT met');
    expect(verdict(null, BUDGETS.filterP95)).toBe('n/a');
    expect(verdict(NaN, BUDGETS.filterP95)).toBe('n/a');
  });
});

describe('parseBenchArgs', () => {
  it('reads the flags', () => {
    expect(parseBenchArgs([])).toEqual({ reuse: false, port: 4600, changes: 50, scale: 'demo', pages: [], browser: true, suite: true });
    expect(parseBenchArgs(['--reuse', '--scale', 'national', '--port', '4700', '--page', '/', '--page', '/schools', '--no-suite'])).toMatchObject({
      reuse: true,
      scale: 'national',
      port: 4700,
      pages: ['/', '/schools'],
      suite: false
    });
  });
  it('refuses what it does not know', () => {
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown argument/);
    expect(() => parseBenchArgs(['--port'])).toThrow(/needs a value/);
    expect(() => parseBenchArgs(['--changes', 'ten'])).toThrow(/whole number/);
  });
});

describe('replaceBlock', () => {
  it('replaces only its own block, or appends it', () => {
    const doc = '# B\n\n<!-- bench:a -->\nold a\n<!-- /bench:a -->\n\n<!-- bench:site-demo -->\nold\n<!-- /bench:site-demo -->\ntail\n';
    const out = replaceBlock(doc, 'site-demo', 'new $& figures');
    expect(out).toContain('<!-- bench:site-demo -->\nnew $& figures\n<!-- /bench:site-demo -->\ntail');
    expect(out).toContain('old a');
    expect(replaceBlock('# B\n', 'x', 'y')).toBe('# B\n\n<!-- bench:x -->\ny\n<!-- /bench:x -->\n');
  });
});
