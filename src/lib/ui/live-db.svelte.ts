/**
 * LiveDb: the page's handle on DuckDB-WASM, started only once the first (prerendered) chart is
 * visible: when the browser is next idle, or at the first use of a control if that comes sooner.
 * Its `status` is reactive so pages can show a loading or error state without tracking promises.
 */
import { base } from '$app/paths';
import type { Db } from '$lib/data/db';
import type { TableName } from '$lib/data/schema';

export type LiveStatus = 'idle' | 'loading' | 'ready' | 'error';

export class LiveDb {
  status = $state<LiveStatus>('idle');
  error = $state<string | null>(null);
  private pending: Promise<Db> | null = null;

  constructor(private readonly tables: readonly TableName[]) {}

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

  /** The database with this page's tables loaded; starts loading if it has not started. */
  get(): Promise<Db> {
    if (!this.pending) {
      this.status = 'loading';
      this.error = null;
      this.pending = import('$lib/data/wasm-client')
        .then(async ({ browserDb }) => {
          const db = await browserDb(`${base}/data`);
          await db.ensureTables(this.tables);
          this.status = 'ready';
          return db as Db;
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
