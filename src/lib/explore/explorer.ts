/**
 * The explorer: read-only SQL over the published tables, plus the analyst's own files, on a
 * DuckDB-WASM instance of its own (see backend-browser.ts for why not the page-wide one).
 *
 * Lifecycle: `Explorer.open(backend, published)` locks the instance down (lockdown.ts) before any
 * user text can reach it. Published tables are loaded on first use: DuckDB's parser names the
 * tables a query refers to, and a catalog error naming a published table not yet loaded loads it
 * and runs the query again, so a page pays only for the tables it queries. Operations run one at a
 * time (one connection; a pending query must not be interrupted by another statement), except
 * cancelling, which acts on the query in flight.
 *
 * Running a query: the user's text is stored in a DuckDB variable (a parameter, never pasted into
 * SQL) and run as `SELECT * FROM query(getvariable('explore_sql')) LIMIT cap + 1`. `query()` parses
 * the text with DuckDB's own parser and refuses anything but one SELECT statement, so the judgement
 * is DuckDB's; the outer LIMIT caps the rows (one more than the cap, to know it was reached) and
 * lets DuckDB stop early. The query runs as a pending query polled one slice (about 100 ms of work)
 * at a time, yielding to the event loop in between, so a cancel takes effect within a slice:
 * `cancelPendingQuery` really stops DuckDB's execution, it does not just stop listening.
 */
import { ident, raw, sql } from '$lib/data/sql';
import type { ExploreBackend } from './backend';
import { EXPLORER_LOCKDOWN } from './lockdown';
import { concatChunks, shapeResult, type QueryResult } from './result';
import { cleanError, isRefusal, missingTable, refusalMessage, statementShape } from './statement';
import { loadUserFile, tableNameFor, type DroppedFile, type UserFileOutcome, type UserTable } from './user-file';
import { tableFromIPC } from 'apache-arrow';

/** Rows a result may have. Enough for any school-level table; the results table stays fast at this size. */
export const ROW_CAP = 100_000;

export type RunOutcome =
  | { ok: true; result: QueryResult }
  | { ok: false; kind: 'refused' | 'error' | 'cancelled'; message: string };

/** Where published tables come from: their names (from the release manifest) and their Arrow bytes. */
export interface PublishedSource {
  readonly names: readonly string[];
  load(name: string): Promise<Uint8Array>;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

class Cancelled extends Error {}

export class Explorer {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly loaded = new Map<string, Promise<void>>();
  private readonly tables = new Map<string, UserTable>();
  private cancelling = false;

  private constructor(
    private readonly backend: ExploreBackend,
    private readonly published: PublishedSource
  ) {}

  static async open(backend: ExploreBackend, published: PublishedSource): Promise<Explorer> {
    for (const statement of EXPLORER_LOCKDOWN) await backend.query(statement);
    return new Explorer(backend, published);
  }

  /** The analyst's own tables, in the order they were loaded. */
  get userTables(): UserTable[] {
    return [...this.tables.values()];
  }

  /** Run `f` after every operation queued before it: one statement stream on one connection. */
  private exclusive<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(f, f);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private ensurePublished(name: string): Promise<void> {
    let p = this.loaded.get(name);
    if (!p) {
      p = this.published.load(name).then((bytes) => this.backend.insertArrow(name, bytes));
      p.catch(() => this.loaded.delete(name));
      this.loaded.set(name, p);
    }
    return p;
  }

  /** Published tables the text refers to, by DuckDB's parser; [] when it cannot tell (it may bind, and fail). */
  private async referencedPublished(text: string): Promise<string[]> {
    try {
      const names = (await this.backend.tableNames(text)).map((n) => n.toLowerCase().replace(/^.*\./, ''));
      return this.published.names.filter((n) => names.includes(n));
    } catch {
      return [];
    }
  }

  /** Stop the query in flight, if any. Its `run` resolves with `kind: 'cancelled'`. */
  cancel(): void {
    this.cancelling = true;
  }

  /** Run one SELECT statement the user typed. Never throws: every failure is an outcome with words. */
  run(text: string): Promise<RunOutcome> {
    return this.exclusive(async () => {
      this.cancelling = false;
      if (text.trim() === '') {
        return { ok: false, kind: 'refused', message: refusalMessage({ firstWord: '', statements: 0 }) };
      }
      try {
        await Promise.all((await this.referencedPublished(text)).map((n) => this.ensurePublished(n)));
        await this.backend.query(sql`SET VARIABLE explore_sql = ${text}`);
        // Each missing published table is loaded once, then the query runs again.
        for (let attempt = 0; ; attempt++) {
          try {
            return { ok: true, result: await this.execute() };
          } catch (e) {
            const missing = missingTable((e as Error).message);
            if (e instanceof Cancelled || !missing || !this.published.names.includes(missing) || this.loaded.has(missing) || attempt > this.published.names.length) throw e;
            await this.ensurePublished(missing);
          }
        }
      } catch (e) {
        if (e instanceof Cancelled) return { ok: false, kind: 'cancelled', message: 'The query was cancelled: DuckDB stopped running it.' };
        const message = (e as Error).message ?? String(e);
        if (isRefusal(message)) {
          const shape = statementShape(text, await this.backend.tokenize(text));
          return { ok: false, kind: 'refused', message: refusalMessage(shape, message.includes('PIVOT')) };
        }
        return { ok: false, kind: 'error', message: cleanError(message) };
      } finally {
        this.cancelling = false;
      }
    });
  }

  private async execute(): Promise<QueryResult> {
    const t0 = performance.now();
    // The cap is this module's constant, written into the statement (a pending query takes no parameters).
    const statement = sql`SELECT * FROM query(getvariable('explore_sql')) LIMIT ${raw(String(ROW_CAP + 1))}`;
    let header = await this.backend.startPending(statement.text);
    while (header === null) {
      await yieldToEventLoop();
      if (this.cancelling) {
        await this.backend.cancelPending();
        throw new Cancelled();
      }
      header = await this.backend.pollPending();
    }
    const chunks = [header];
    for (;;) {
      const chunk = await this.backend.fetchResults();
      if (!chunk || chunk.length === 0) break;
      chunks.push(chunk);
    }
    return shapeResult(tableFromIPC(concatChunks(chunks)), ROW_CAP, performance.now() - t0);
  }

  /** Validate and load an analyst's file as a table of its own; a file of the same name replaces it. */
  loadFile(file: DroppedFile): Promise<UserFileOutcome> {
    return this.exclusive(async () => {
      const name = tableNameFor(file.name, this.published.names);
      let outcome: UserFileOutcome;
      try {
        outcome = await loadUserFile(this.backend, file, name);
      } catch (e) {
        outcome = {
          ok: false,
          file: file.name,
          issues: [{ file: file.name, line: 0, column: '', value: cleanError((e as Error).message), expected: 'a file DuckDB can load (please report this file)' }],
          truncated: false
        };
      }
      if (outcome.ok) {
        this.tables.delete(name);
        this.tables.set(name, outcome.table);
      }
      return outcome;
    });
  }

  /** Forget one of the analyst's tables (the bytes were never kept anywhere else). */
  removeFile(name: string): Promise<void> {
    return this.exclusive(async () => {
      if (!this.tables.has(name)) return;
      await this.backend.query(sql`DROP TABLE IF EXISTS ${ident(name, [...this.tables.keys()])}`);
      this.tables.delete(name);
    });
  }

  close(): Promise<void> {
    return this.exclusive(() => this.backend.close());
  }
}
