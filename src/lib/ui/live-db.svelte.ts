/**
 * LiveDb: the page's handle on DuckDB-WASM, started only once the first (prerendered) chart is
 * visible: when the browser is next idle, or at the first use of a control if that comes sooner.
 * Its `status` is reactive so pages can show a loading or error state without tracking promises.
 *
 * Tables load one by one and each is checked against the release manifest, so a page with several
 * charts names only the tables every chart needs in the constructor, and each chart asks for its
 * own with `get(tables)` (usually through a LiveQuery): a table that fails to load then fails only
 * the charts that read it, and `status` keeps describing the engine and the shared tables.
 */
import { base } from '$app/paths';
import type { Db } from '$lib/data/db';
import type { TableName } from '$lib/data/schema';
import type { BrowserWasmDb } from '$lib/data/wasm-client';

export type LiveStatus = 'idle' | 'loading' | 'ready' | 'error';

export class LiveDb {
  status = $state<LiveStatus>('idle');
  error = $state<string | null>(null);
  private pending: Promise<BrowserWasmDb> | null = null;
  /** Tables some chart of the page reads (LiveQuery says so), loaded once the engine is ready. */
  private readonly wanted = new Set<TableName>();

  /**
   * @param tables tables every chart on the page reads; loaded as soon as the engine starts.
   * @param prepare work the page's charts need done once before their first answer (a derived
   *   table, such as the schools page's `school_basis`), done before the engine counts as ready. A
   *   failure there is not the engine's: each chart's own query meets it and shows it.
   */
  constructor(
    private readonly tables: readonly TableName[] = [],
    private readonly prepare?: (db: Db & { ensureTables(tables: readonly TableName[]): Promise<void> }) => Promise<unknown>
  ) {}

  /**
   * Tables a chart will read: loaded in the background once the engine is ready, so that the
   * reader's first change of that chart is answered without waiting for a download. A failure
   * here is not reported: the chart's own query tries again and shows it (a failed load is not
   * kept), and charts that read other tables are not affected.
   */
  prefetch(tables: readonly TableName[]): void {
    const fresh = tables.filter((t) => !this.tables.includes(t) && !this.wanted.has(t));
    for (const t of fresh) this.wanted.add(t);
    if (fresh.length > 0 && this.status === 'ready') void this.pending?.then((db) => db.ensureTables(fresh)).catch(() => {});
  }

  /** Start loading when the browser is idle (called from onMount, after the first paint). */
  startWhenIdle(): () => void {
    const ric = globalThis.requestIdleCallback as ((cb: () => void, o?: { timeout: number }) => number) | undefined;
    if (ric) {
      const handle = ric(() => void this.get().catch(() => {}), { timeout: 3000 });
      return () => globalThis.cancelIdleCallback?.(handle);
    }
    const t = setTimeout(() => void this.get().catch(() => {}), 200);
    return () => clearTimeout(t);
  }

  /**
   * The database with the page's tables loaded, and `tables` too; starts loading if it has not
   * started. A failure of `tables` rejects this call only, and a later call tries them again.
   */
  get(tables: readonly TableName[] = []): Promise<Db> {
    const started = this.start();
    const extra = tables.filter((t) => !this.tables.includes(t));
    if (extra.length === 0) return started;
    return started.then(async (db) => {
      await db.ensureTables(extra);
      return db;
    });
  }

  private start(): Promise<BrowserWasmDb> {
    if (!this.pending) {
      this.status = 'loading';
      // User Timing marks (no cost, no behaviour): the benchmark (tests/bench/site.ts) reads them
      // to time DuckDB-WASM's start against the first chart.
      performance.mark('duckdb-wasm:start');
      this.error = null;
      this.pending = import('$lib/data/wasm-client')
        .then(async ({ browserDb }) => {
          const db = await browserDb(`${base}/data`);
          await db.ensureTables(this.tables);
          if (this.prepare) await this.prepare(db).catch(() => {});
          this.status = 'ready';
          performance.mark('duckdb-wasm:ready');
          if (this.wanted.size > 0) void db.ensureTables([...this.wanted]).catch(() => {});
          return db;
        })
        .catch((e: unknown) => {
          this.pending = null;
          this.status = 'error';
          this.error = e instanceof Error ? e.message : String(e);
          throw e;
        });
    }
    return this.pending;
  }
}
