// Reading and writing a view's address: defaults left out, unreadable values ignored and named, and
// an address that could not be read mended in place.
import { describe, expect, it, vi } from 'vitest';
import { params, readParams, UrlState, writeParams } from './url-state.svelte';

const schema = {
  measure: params.oneOf(['suspension_rate', 'permanent_exclusion_rate'] as const, 'suspension_rate'),
  neighbours: params.int(3, 20, 10),
  q: params.text(),
  years: params.yearSpan(2016, 2023),
  show: params.setOf(['England', 'Region', 'Neighbour'] as const, ['England'])
};

describe('readParams', () => {
  it('gives the defaults for an empty address', () => {
    expect(readParams(schema, new URLSearchParams(''))).toEqual({
      values: { measure: 'suspension_rate', neighbours: 10, q: '', years: null, show: ['England'] },
      ignored: []
    });
  });

  it('reads every kind of parameter', () => {
    const { values, ignored } = readParams(schema, new URLSearchParams('measure=permanent_exclusion_rate&neighbours=5&q=St%20Mary&years=2018-2021&show=Neighbour,England'));
    expect(values).toEqual({ measure: 'permanent_exclusion_rate', neighbours: 5, q: 'St Mary', years: [2018, 2021], show: ['England', 'Neighbour'] });
    expect(ignored).toEqual([]);
  });

  it('ignores, and names, what it cannot read', () => {
    const { values, ignored } = readParams(schema, new URLSearchParams('measure=DROP%20TABLE&neighbours=500&years=2021-2018&show=Mars'));
    expect(values).toEqual({ measure: 'suspension_rate', neighbours: 10, q: '', years: null, show: ['England'] });
    expect(ignored).toEqual(['measure', 'neighbours', 'years', 'show']);
  });
});

describe('writeParams', () => {
  it('writes only what differs from the defaults, in a fixed order', () => {
    expect(writeParams(schema, { measure: 'suspension_rate', neighbours: 10, q: '', years: null, show: ['England'] })).toBe('');
    expect(writeParams(schema, { measure: 'suspension_rate', neighbours: 5, q: 'a&b', years: [2019, 2020], show: [] })).toBe('?neighbours=5&q=a%26b&years=2019-2020&show=');
  });

  it('round-trips', () => {
    const values = { measure: 'permanent_exclusion_rate' as const, neighbours: 7, q: 'Ørsted = 1', years: [2016, 2023] as [number, number], show: ['Region'] as const };
    expect(readParams(schema, new URLSearchParams(writeParams(schema, values).slice(1))).values).toEqual(values);
  });
});

// UrlState itself, with SvelteKit's address and navigation stood in for: what the page reads from
// the address once connected, and how it mends an address it could not read.
const app = vi.hoisted(() => {
  const page = { url: new URL('http://localhost/schools') };
  const navigating = { to: null as null | { url: URL } };
  const entries: string[] = [];
  const goto = vi.fn(async (target: string, opts: { replaceState?: boolean } = {}) => {
    const url = new URL(target, page.url);
    if (opts.replaceState) entries[entries.length - 1] = url.href;
    else entries.push(url.href);
    page.url = url;
  });
  /** A fresh page load at `href`: one history entry. */
  const open = (href: string) => {
    page.url = new URL(href, 'http://localhost');
    entries.splice(0, entries.length, page.url.href);
    goto.mockClear();
  };
  return { page, navigating, entries, goto, open };
});
vi.mock('$app/environment', () => ({ browser: true }));
vi.mock('$app/navigation', () => ({ goto: app.goto }));
vi.mock('$app/state', () => ({
  get page() {
    return app.page;
  },
  get navigating() {
    return app.navigating;
  }
}));

describe('UrlState', () => {
  const schools = () => ({ page: params.int(0, 1_000_000, 0), phase: params.oneOf(['', 'Primary', 'Secondary'] as const, '') });

  it('mends an address it could not read in place, and keeps saying what it ignored', async () => {
    app.open('/schools?phase=Primary&page=-1');
    const url = new UrlState(schools());
    await url.connect();
    // The view shown (page 0 of primary schools) is the address now, in place of the one opened:
    // Back does not lead to page=-1 again.
    expect(app.goto).toHaveBeenCalledTimes(1);
    expect(app.goto.mock.calls[0]![1]).toMatchObject({ replaceState: true });
    expect(app.entries).toEqual(['http://localhost/schools?phase=Primary']);
    expect(url.values).toEqual({ page: 0, phase: 'Primary' });
    expect(url.ignored).toEqual(['page']);
    expect(url.notes).toEqual([]);
  });

  it('mends every kind of unreadable value, keeping the hash', async () => {
    for (const bad of ['page=abc', 'page=1.5', 'page=', 'phase=Nursery', 'page=-1&phase=Nursery']) {
      app.open(`/schools?${bad}#funnel`);
      const url = new UrlState(schools());
      await url.connect();
      expect(app.entries, bad).toEqual(['http://localhost/schools#funnel']);
      expect(url.ignored.length, bad).toBeGreaterThan(0);
    }
  });

  it('leaves a readable address alone', async () => {
    app.open('/schools?phase=Secondary&page=3');
    const url = new UrlState(schools());
    await url.connect();
    expect(app.goto).not.toHaveBeenCalled();
    expect(url.values).toEqual({ page: 3, phase: 'Secondary' });
    expect(url.ignored).toEqual([]);
  });

  it('forgets the notice once the reader makes a choice of their own', async () => {
    app.open('/schools?page=-1');
    const url = new UrlState(schools());
    await url.connect();
    expect(url.ignored).toEqual(['page']);
    await url.set({ phase: 'Primary' });
    expect(app.entries).toEqual(['http://localhost/schools', 'http://localhost/schools?phase=Primary']);
    expect(url.ignored).toEqual([]);
  });

  it('keeps a correction’s sentence with the address it mended', async () => {
    app.open('/schools?page=900&phase=Nursery');
    const url = new UrlState(schools());
    await url.connect();
    expect(app.entries).toEqual(['http://localhost/schools?page=900']);
    await url.set({ page: 9 }, { replace: true, correction: 'The last page is shown.' });
    expect(app.entries).toEqual(['http://localhost/schools?page=9']);
    expect(url.notes).toEqual(['The last page is shown.']);
    expect(url.ignored).toEqual(['phase']);
  });
});
