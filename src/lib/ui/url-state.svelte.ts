/**
 * Every view has an address: a page's filters and selections live in the query string, so a copied
 * link opens the same view, and back and forward step through the views a reader has looked at.
 *
 * How it fits a prerendered site: the page is built once, for its default view, and the build
 * cannot read a query string (SvelteKit refuses `url.searchParams` while prerendering). So until
 * the page has hydrated, `values` are the defaults, matching the prerendered HTML; `connect()`
 * (call it from `onMount`) then reads the address, and from then on `values` follow `page.url`,
 * which SvelteKit updates on every `set()` and on back and forward. With JavaScript off, a link
 * with filters shows the default view; `<ViewNotes />` says so.
 *
 * A parameter that cannot be read (a typo, an old link, `?page=-1`) is ignored, falls back to its
 * default, and is listed in `ignored` so the page can say what it did instead of silently showing
 * something else. The address is then mended to the view shown (`connect()`), in place of the
 * entry it came in on, so that the address bar, a copied link and Back all agree with the page;
 * the notice stays with the mended address. Only values that differ from the defaults are
 * written, so the default view's address stays clean.
 */
import { tick } from 'svelte';
import { browser } from '$app/environment';
import { goto } from '$app/navigation';
import { navigating, page } from '$app/state';

export interface Param<T> {
  fallback: T;
  /** The value for a raw query-string value, or undefined when it cannot be read. */
  parse(raw: string): T | undefined;
  format(value: T): string;
}

export type Values<S extends Record<string, Param<unknown>>> = { [K in keyof S]: S[K]['fallback'] };

/** Parameter types the dashboard's filters use. */
export const params = {
  /** One of a closed list (a measure key, a phase). */
  oneOf<const T extends string>(values: readonly T[], fallback: T): Param<T> {
    return { fallback, parse: (raw) => (values as readonly string[]).includes(raw) ? (raw as T) : undefined, format: (v) => v };
  },
  /** A whole number from min to max (a number of neighbours). */
  int(min: number, max: number, fallback: number): Param<number> {
    return {
      fallback,
      parse: (raw) => (/^-?\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max ? Number(raw) : undefined),
      format: (v) => String(v)
    };
  },
  /** Free text (a search box), at most `max` characters. */
  text(fallback = '', max = 100): Param<string> {
    return { fallback, parse: (raw) => (raw.length <= max ? raw : undefined), format: (v) => v };
  },
  /** An academic year written as DfE does (`2022/23`, the second year following the first), or '' for none. */
  academicYear(): Param<string> {
    return {
      fallback: '',
      parse: (raw) => {
        const m = /^(\d{4})\/(\d{2})$/.exec(raw);
        return m && (Number(m[1]) + 1) % 100 === Number(m[2]) ? raw : undefined;
      },
      format: (v) => v
    };
  },
  /** A span of academic years by their start years, written `2018-2021`; null for none. */
  yearSpan(min: number, max: number): Param<[number, number] | null> {
    return {
      fallback: null,
      parse: (raw) => {
        const m = /^(\d{4})-(\d{4})$/.exec(raw);
        if (!m) return undefined;
        const a = Number(m[1]);
        const b = Number(m[2]);
        return a <= b && a >= min && b <= max ? [a, b] : undefined;
      },
      format: (v) => (v ? `${v[0]}-${v[1]}` : '')
    };
  },
  /** A subset of a closed list, comma separated (the comparator lines shown). */
  setOf<const T extends string>(values: readonly T[], fallback: readonly T[]): Param<readonly T[]> {
    return {
      fallback,
      parse: (raw) => {
        if (raw === '') return [];
        const parts = raw.split(',');
        return parts.every((p) => (values as readonly string[]).includes(p)) ? values.filter((v) => parts.includes(v)) : undefined;
      },
      format: (v) => v.join(',')
    };
  }
};

/** The values a query string asks for, and the parameters it had that could not be read. */
export function readParams<S extends Record<string, Param<unknown>>>(schema: S, search: URLSearchParams): { values: Values<S>; ignored: string[] } {
  const values = {} as Record<string, unknown>;
  const ignored: string[] = [];
  for (const [key, p] of Object.entries(schema)) {
    const raw = search.get(key);
    const parsed = raw === null ? undefined : p.parse(raw);
    if (raw !== null && parsed === undefined) ignored.push(key);
    values[key] = parsed === undefined ? p.fallback : parsed;
  }
  return { values: values as Values<S>, ignored };
}

/** The query string for some values: only those that differ from the defaults, in schema order. */
export function writeParams<S extends Record<string, Param<unknown>>>(schema: S, values: Values<S>): string {
  const q = new URLSearchParams();
  for (const [key, p] of Object.entries(schema)) {
    const v = values[key as keyof S];
    const text = (p as Param<unknown>).format(v);
    if (text !== p.format(p.fallback)) q.set(key, text);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export class UrlState<S extends Record<string, Param<unknown>>> {
  private connected = $state(false);
  private readonly defaults: Values<S>;

  constructor(readonly schema: S) {
    this.defaults = Object.fromEntries(Object.entries(schema).map(([k, p]) => [k, p.fallback])) as Values<S>;
  }

  /**
   * The view a `set()` asked for, from the moment it is asked until SvelteKit's navigation to it
   * has finished: pages start their queries on it at once, so the engine works while the
   * navigation and the page's redraw take the main thread (about 10 ms of a filter change).
   */
  private pending = $state.raw<{ id: number; search: string } | null>(null);
  private sets = 0;
  private last: { search: string; read: { values: Values<S>; ignored: string[]; notes: string[] } } | null = null;
  /**
   * What the reader's address asked for that the page could not show, kept for the address the
   * page put in its place (`set`'s `correction`): without it, the notice about an unreadable
   * choice vanished the moment a list past its end was turned back to its last page.
   */
  private kept = $state.raw<{ search: string; ignored: string[]; notes: string[] } | null>(null);

  private readonly read = $derived.by(() => {
    if (!(browser && this.connected)) return { values: this.defaults, ignored: [] as string[], notes: [] as string[] };
    const search = this.pending?.search ?? page.url.search;
    const kept = this.kept?.search === search ? this.kept : null;
    // The same address gives the same object, so the navigation catching up with a pending view
    // redraws nothing.
    if (this.last?.search !== search || (kept !== null && this.last.read.notes !== kept.notes)) {
      const read = readParams(this.schema, new URLSearchParams(search));
      this.last = {
        search,
        read: kept ? { values: read.values, ignored: [...new Set([...kept.ignored, ...read.ignored])], notes: kept.notes } : { ...read, notes: [] }
      };
    }
    return this.last.read;
  });

  /** The view the address asks for; the defaults until `connect()`. */
  get values(): Values<S> {
    return this.read.values;
  }

  /** Parameters in the address that could not be read, and were ignored. */
  get ignored(): string[] {
    return this.read.ignored;
  }

  /** Sentences saying how the page corrected the address it was given (`set`'s `correction`). */
  get notes(): string[] {
    return this.read.notes;
  }

  /** True when the view shown is not the default one (the prerendered page shows the default). */
  get changed(): boolean {
    return writeParams(this.schema, this.values) !== '';
  }

  /**
   * Start following the address (from onMount, after hydration), and mend it when it asks for
   * something the page cannot read: the view shown is written in its place (a replaced history
   * entry, so Back does not lead to the unreadable address again), and the notice of what was
   * ignored stays. Resolves once the address is mended, or at once when nothing needed it.
   */
  connect(): Promise<void> {
    // After the hydration's own updates have flushed (charts measuring their width, say): a view
    // read from the address in the same flush made Svelte 5.60 reconcile an each block in the
    // wrong batch ("Cannot read properties of undefined"), and the school page's funnel kept the
    // default measure's axis (tests/e2e/schools.spec.ts, "opened at another measure").
    return tick().then(() => {
      this.connected = true;
      if (this.ignored.length > 0) return this.set({}, { replace: true, correction: null });
    });
  }

  /**
   * Show another view: a new history entry (or a replaced one), focus and scroll kept where the
   * reader is, no data reloaded (the pages' loads do not read the query string). `correction`:
   * the page is mending the address it was given, not following a choice (a page past the end of a
   * list): the sentence says what it did, and it and the notice of anything unreadable stay with
   * the mended address; null mends it without a sentence (the notice of what was unreadable says it).
   */
  async set(next: Partial<Values<S>>, opts: { replace?: boolean; correction?: string | null } = {}): Promise<void> {
    // A change that arrives late (a search box's pause timer) while the reader is already on the
    // way to another page must not win: SvelteKit's goto would cancel that navigation and leave
    // the reader where they were (the monkey test found this).
    if (navigating.to && navigating.to.url.pathname !== page.url.pathname) return;
    const values = { ...this.values, ...next };
    const search = writeParams(this.schema, values);
    const target = `${page.url.pathname}${search}${page.url.hash}`;
    // Nothing to do when that view is already shown, or on its way; a view asked for while
    // another is on its way goes ahead even when it is the address still in the bar.
    if (this.pending ? search === this.pending.search : target === `${page.url.pathname}${page.url.search}${page.url.hash}`) return;
    const id = ++this.sets;
    if (opts.correction !== undefined) {
      this.kept = { search, ignored: [...this.ignored], notes: opts.correction === null ? [...this.notes] : [...this.notes, opts.correction] };
    }
    this.pending = { id, search };
    try {
      await goto(target, { keepFocus: true, noScroll: true, replaceState: opts.replace ?? false });
    } finally {
      // Only the newest set's: an earlier one finishing must not bring its view back meanwhile.
      if (this.pending?.id === id) this.pending = null;
    }
  }
}
