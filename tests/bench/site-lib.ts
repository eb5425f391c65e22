/**
 * Pure helpers of the site benchmark (`npm run bench`, tests/bench/site.ts): percentiles, what
 * kind of file a request fetched, which requests were on the critical path to the first chart,
 * the DESIGN.md budgets and their verdicts, the command line, and rewriting a marked block of
 * BENCHMARKS.md. Kept apart from the script so they get ordinary unit tests (site-lib.test.ts)
 * while the script itself, which measures time, is never part of `npm test`.
 */

/** Nearest-rank percentile (p in 0..100) of `xs`; NaN for an empty list. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

export type Kind = 'html' | 'js' | 'css' | 'data' | 'wasm' | 'other';
export const KINDS: readonly Kind[] = ['html', 'js', 'css', 'data', 'wasm', 'other'];

/**
 * What a request fetched, by its path (and its content type when the path says nothing): the
 * published data (`/data/...`, and SvelteKit's `__data.json`) is `data`, whatever its format.
 */
export function classify(url: string, contentType = ''): Kind {
  const p = new URL(url, 'http://x').pathname;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (p.endsWith('.wasm') || type === 'application/wasm') return 'wasm';
  if (p.startsWith('/data/') || p.endsWith('__data.json') || /\.(arrow|parquet|csv)$/.test(p)) return 'data';
  if (/\.(m?js)$/.test(p) || type === 'text/javascript' || type === 'application/javascript') return 'js';
  if (p.endsWith('.css') || type === 'text/css') return 'css';
  if (p.endsWith('.html') || type === 'text/html' || !/\.[a-z0-9]+$/i.test(p)) return 'html';
  return 'other';
}

/** One finished request, times in ms since the page's navigation started. */
export interface RequestRecord {
  url: string;
  method: string;
  kind: Kind;
  /** Bytes on the wire: compressed body plus response headers. */
  bytes: number;
  start: number;
  end: number;
}

export interface RequestSummary {
  /** Bytes on the wire by kind. */
  byKind: Record<Kind, number>;
  total: number;
  /** Requests that started before the first chart was visible: what it competed with. */
  critical: RequestRecord[];
  criticalBytes: number;
  /** When the first .wasm request (of any method) started, or null when none was made. */
  wasmStart: number | null;
}

/** Sum requests by kind and find the critical path to `firstChart` (ms; null: no chart). */
export function summariseRequests(requests: readonly RequestRecord[], firstChart: number | null): RequestSummary {
  const byKind = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  for (const r of requests) byKind[r.kind] += r.bytes;
  const critical = firstChart === null ? [] : requests.filter((r) => r.start <= firstChart);
  const wasm = requests.filter((r) => r.kind === 'wasm').map((r) => r.start);
  return {
    byKind,
    total: requests.reduce((s, r) => s + r.bytes, 0),
    critical,
    criticalBytes: critical.reduce((s, r) => s + r.bytes, 0),
    wasmStart: wasm.length ? Math.min(...wasm) : null
  };
}

/** A budget from DESIGN.md: a figure is met when it is at most (or, `min`, at least) `limit`. */
export interface Budget {
  label: string;
  limit: number;
  unit: 'ms' | 'KB' | 'x' | '%' | 'bool';
}

export const BUDGETS = {
  firstChart: { label: 'first chart visible (LCP), prerendered page', limit: 1000, unit: 'ms' },
  firstChartShell: { label: 'first chart visible, page filled in the browser', limit: 2500, unit: 'ms' },
  criticalKB: { label: 'critical path (compressed)', limit: 350, unit: 'KB' },
  filterP95: { label: 'filter change to redrawn chart, p95', limit: 100, unit: 'ms' },
  wasmRatio: { label: 'DuckDB-WASM suite time / native', limit: 3, unit: 'x' },
  wireRatio: { label: 'data on the wire / same tables as CSV', limit: 0.3, unit: 'x' },
  firstViewShare: { label: 'first view / full dataset as CSV', limit: 1, unit: '%' }
} as const satisfies Record<string, Budget>;

export type Verdict = 'met' | 'NOT met' | 'n/a';

/** Met when `value` is at most the budget's limit; n/a when there is nothing to judge. */
export function verdict(value: number | null | undefined, budget: Budget): Verdict {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  return value <= budget.limit ? 'met' : 'NOT met';
}

/** The wasm budget: the first .wasm request starts after the first chart was visible. */
export function wasmAfterChart(wasmStart: number | null, firstChart: number | null): Verdict {
  if (firstChart === null) return 'n/a';
  if (wasmStart === null) return 'met';
  return wasmStart > firstChart ? 'met' : 'NOT met';
}

export interface BenchArgs {
  /** Reuse the existing build/ instead of building. */
  reuse: boolean;
  port: number;
  /** Scripted filter changes per page. */
  changes: number;
  /** Label of the dataset in BENCHMARKS.md (`demo`, `national`). */
  scale: string;
  /** Only these paths (default: every built page worth measuring). */
  pages: string[];
  /** Skip the browser part or the query suite. */
  browser: boolean;
  suite: boolean;
}

export const BENCH_USAGE = `Usage: npm run bench -- [--reuse] [--scale demo|national] [--port 4600] [--changes 50] [--page PATH]... [--no-browser] [--no-suite]`;

/** Parse the benchmark's flags (argv without node and script); throws on anything unknown. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { reuse: false, port: 4600, changes: 50, scale: 'demo', pages: [], browser: true, suite: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value\n${BENCH_USAGE}`);
      return v;
    };
    const whole = (v: string) => {
      if (!/^[0-9]+$/.test(v)) throw new Error(`${a} needs a whole number, got "${v}"`);
      return Number(v);
    };
    if (a === '--reuse') args.reuse = true;
    else if (a === '--no-browser') args.browser = false;
    else if (a === '--no-suite') args.suite = false;
    else if (a === '--port') args.port = whole(value());
    else if (a === '--changes') args.changes = whole(value());
    else if (a === '--scale') args.scale = value();
    else if (a === '--page') args.pages.push(value());
    else throw new Error(`unknown argument "${a}"\n${BENCH_USAGE}`);
  }
  return args;
}

/** Replace the block between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, or append it. */
export function replaceBlock(doc: string, name: string, body: string): string {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${body.trimEnd()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i !== -1 && j > i) return doc.slice(0, i) + block + doc.slice(j + end.length);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

/** A markdown table. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export const ms = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '–' : `${Math.round(x)} ms`);
export const kb = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? '–' : `${(bytes / 1000).toFixed(1)} KB`);
export const mb = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? '–' : `${(bytes / 1e6).toFixed(1)} MB`);
