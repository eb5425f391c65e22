/**
 * LiveQuery: one chart's questions to DuckDB-WASM, and the state its ChartFrame shows.
 *
 * Each chart owns one, naming the tables it reads, so a failure stays with that chart: a table
 * file that is missing, damaged or not the published one (verify.ts), or a query that fails, puts
 * this chart in its error state, with its prerendered or last figures still readable under the
 * message, while charts that read other tables carry on. The newest request wins: an answer to an
 * older choice that arrives late is dropped, so a chart never shows a view the reader has left.
 */
import type { Db } from '$lib/data/db';
import { QueryError } from '$lib/data/db';
import type { TableName } from '$lib/data/schema';
import type { LiveDb } from './live-db.svelte';

export type ChartState = 'ready' | 'loading' | 'error';

export class LiveQuery {
  state = $state<ChartState>('ready');
  error = $state<string | null>(null);
  /** How many answers DuckDB-WASM has given this chart: 0 while it shows the prerendered view. */
  answers = $state(0);
  private latest = 0;

  constructor(
    private readonly live: LiveDb,
    readonly tables: readonly TableName[]
  ) {
    live.prefetch(tables);
  }

  /**
   * Run `query` once this chart's tables are loaded and hand its result to `apply`, unless a newer
   * run has started meanwhile. Never rejects: a failure becomes the error state. A query of several
   * steps asks `current()` between them and stops when it is false: the engine answers one query
   * at a time, so a step for a view the reader has already left delays the view they asked for.
   * With `after`, the chart shows that it is loading at once but asks only once `after` has
   * settled (another chart's answer the engine should give first), and not at all if a newer run
   * has started by then.
   */
  async run<T>(query: (db: Db, current: () => boolean) => Promise<T>, apply: (result: T) => void, after?: Promise<unknown>): Promise<void> {
    const id = ++this.latest;
    this.state = 'loading';
    this.error = null;
    try {
      if (after) {
        await after.catch(() => {});
        if (id !== this.latest) return;
      }
      const result = await query(await this.live.get(this.tables), () => id === this.latest);
      if (id !== this.latest) return;
      apply(result);
      this.answers++;
      this.state = 'ready';
    } catch (e) {
      if (id !== this.latest) return;
      this.state = 'error';
      this.error = describeError(e);
    }
  }
}

/** What a reader is told when a chart could not be updated. */
export function describeError(e: unknown): string {
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
  if (e instanceof QueryError) return `The figures could not be worked out from the data (${message.replace(/^DuckDB-WASM query failed: /, '')}).`;
  return message;
}
