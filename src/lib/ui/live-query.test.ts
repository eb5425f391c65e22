// LiveQuery, one chart's live state, with a stand-in for the page's database: the newest request
// wins, a failure becomes the chart's error state (in words a reader can use) and never a
// rejection, and the next success clears it.
import { describe, expect, it } from 'vitest';
import { QueryError, type Db } from '$lib/data/db';
import { sql } from '$lib/data/sql';
import { DataFileError } from '$lib/data/verify';
import type { LiveDb } from './live-db.svelte';
import { describeError, LiveQuery } from './live-query.svelte';

const db = { engine: 'duckdb-wasm', query: async () => [], queryColumns: async () => ({ length: 0, columns: {} }), close: async () => {} } as unknown as Db;

/** A LiveDb whose get() answers when the test says so, recording the tables asked for. */
function fakeLive() {
  const asked: (readonly string[])[] = [];
  const prefetched: (readonly string[])[] = [];
  let fail: unknown = null;
  const live = {
    prefetch: (tables: readonly string[]) => void prefetched.push(tables),
    get: async (tables: readonly string[]) => {
      asked.push(tables);
      if (fail) throw fail;
      return db;
    }
  } as unknown as LiveDb;
  return { live, asked, prefetched, failWith: (e: unknown) => (fail = e) };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('LiveQuery', () => {
  it('asks for its own tables, hands the result over and counts the answer', async () => {
    const { live, asked, prefetched } = fakeLive();
    const q = new LiveQuery(live, ['area_year']);
    // Its tables are named to the page's engine at once, to be loaded as soon as it is ready.
    expect(prefetched).toEqual([['area_year']]);
    let got: number | null = null;
    const run = q.run(async () => 42, (v) => (got = v));
    expect(q.state).toBe('loading');
    await run;
    expect([got, q.state, q.error, q.answers]).toEqual([42, 'ready', null, 1]);
    expect(asked).toEqual([['area_year']]);
  });

  it('the newest request wins: a late answer to an older one is dropped', async () => {
    const { live } = fakeLive();
    const q = new LiveQuery(live, ['area_year']);
    const slow = deferred<string>();
    const applied: string[] = [];
    const first = q.run(() => slow.promise, (v) => applied.push(v));
    await q.run(async () => 'second', (v) => applied.push(v));
    slow.resolve('first');
    await first;
    expect(applied).toEqual(['second']);
    expect([q.state, q.answers]).toEqual(['ready', 1]);
  });

  it('a failure is the error state, never a rejection, and a later success clears it', async () => {
    const { live, failWith } = fakeLive();
    const q = new LiveQuery(live, ['schools']);
    failWith(new DataFileError('schools.arrow', 'unavailable', 'The data file schools.arrow could not be downloaded (HTTP 404).'));
    await expect(q.run(async () => 1, () => {})).resolves.toBeUndefined();
    expect([q.state, q.error, q.answers]).toEqual(['error', 'The data file schools.arrow could not be downloaded (HTTP 404).', 0]);
    failWith(null);
    await q.run(async () => 1, () => {});
    expect([q.state, q.error, q.answers]).toEqual(['ready', null, 1]);
  });

  it('an error in an older request does not overwrite a newer answer', async () => {
    const { live } = fakeLive();
    const q = new LiveQuery(live, ['area_year']);
    const slow = deferred<number>();
    const first = q.run(() => slow.promise.then(() => Promise.reject(new Error('late failure'))), () => {});
    await q.run(async () => 2, () => {});
    slow.resolve(0);
    await first;
    expect([q.state, q.error]).toEqual(['ready', null]);
  });

  it('tells a query of several steps whether it is still the newest, so it can stop', async () => {
    const { live } = fakeLive();
    const q = new LiveQuery(live, ['school_year']);
    const step = deferred<void>();
    const steps: string[] = [];
    const first = q.run(
      async (_db, current) => {
        steps.push('first: table');
        await step.promise;
        if (!current()) return 'stopped';
        steps.push('first: sparklines');
        return 'done';
      },
      () => {}
    );
    await Promise.resolve();
    await q.run(async (_db, current) => (current() ? 'newest' : 'stale'), (v) => steps.push(v));
    step.resolve();
    await first;
    expect(steps).toEqual(['first: table', 'newest']);
  });

  it('with `after`, shows loading at once, asks only once the other answer is in, and not at all when overtaken', async () => {
    const { live, asked } = fakeLive();
    const q = new LiveQuery(live, ['school_year']);
    const funnel = deferred<void>();
    const applied: string[] = [];
    const waiting = q.run(async () => 'table', (v) => applied.push(v), funnel.promise);
    expect(q.state).toBe('loading');
    await Promise.resolve();
    expect(asked).toEqual([]);
    funnel.resolve();
    await waiting;
    expect([applied, asked.length, q.state]).toEqual([['table'], 1, 'ready']);
    // Overtaken while waiting: never asked; a failure of what it waited for does not matter.
    const other = deferred<void>();
    const overtaken = q.run(async () => 'old table', (v) => applied.push(v), other.promise.then(() => Promise.reject(new Error('funnel failed'))));
    await q.run(async () => 'new table', (v) => applied.push(v));
    other.resolve();
    await overtaken;
    expect([applied, asked.length, q.state]).toEqual([['table', 'new table'], 2, 'ready']);
  });
});

describe('describeError', () => {
  it('says a query failed in plain words, on one line', () => {
    const e = new QueryError('DuckDB-WASM query failed: Binder Error: Referenced column "x" not found\nLINE 1: SELECT x', sql`SELECT x`);
    expect(describeError(e)).toBe('The figures could not be worked out from the data (Binder Error: Referenced column "x" not found).');
  });
  it('passes other messages through, first line only', () => {
    expect(describeError(new Error('The DuckDB engine did not start within 60 s\nmore'))).toBe('The DuckDB engine did not start within 60 s');
    expect(describeError('plain')).toBe('plain');
  });
});
