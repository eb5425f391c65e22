// Hostile text, server-side: school names and other strings holding markup or script, rendered by
// the page furniture and the pages themselves with svelte/server, come out as text. Each render is
// compared with a render of harmless strings of the same shape (same tags and attributes, so
// nothing was injected) and must show the hostile string itself once decoded (so nothing was
// dropped). Chromium's own parser checks the same end to end (tests/e2e/hostile-text.spec.ts).
import { createRawSnippet } from 'svelte';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { RatePoint } from '$lib/data/queries';
import type { SchoolEntry } from '$lib/data/transparency-queries';
import { COMBINED, harmless, HOSTILE, parse, shown, withoutLines } from '../../../tests/unit/hostile-html';
import ChartFrame from './ChartFrame.svelte';
import DataTable, { type TableColumn } from './DataTable.svelte';
import SchoolIndex from './SchoolIndex.svelte';
import Overview from '../../routes/+page.svelte';
import Layout from '../../routes/+layout.svelte';

/** Render with hostile strings and with harmless ones; same skeleton, and every hostile string shown. */
function expectText(renderWith: (text: (i: number) => string) => string, count = HOSTILE.length): void {
  const pick = (list: readonly string[]) => (i: number) => list[i % list.length]!;
  const hostileHtml = renderWith(pick(HOSTILE));
  const harmlessHtml = renderWith(pick(HOSTILE.map(harmless)));
  expect(withoutLines(parse(hostileHtml).skeleton)).toEqual(withoutLines(parse(harmlessHtml).skeleton));
  const text = shown(hostileHtml);
  for (let i = 0; i < count; i++) expect(text).toContain(HOSTILE[i % HOSTILE.length]);
  // No hostile tag survived as a tag, whatever else the skeleton comparison missed.
  expect(parse(hostileHtml).skeleton.filter((t) => /^<(script|img|style|foreignObject|iframe)$/i.test(t))).toEqual([]);
  expect(parse(hostileHtml).skeleton.filter((a) => /^on/i.test(a))).toEqual([]);
}

describe('DataTable', () => {
  it('caption, column labels, row headers and cells', () => {
    interface R {
      name: string;
      value: number | null;
      note: string;
    }
    expectText((t) => {
      const columns: TableColumn<R>[] = [
        { key: 'name', label: t(0), rowHeader: true, value: (r) => r.name },
        { key: 'value', label: t(1), numeric: true, value: (r) => r.value },
        { key: 'note', label: t(2), value: (r) => r.note }
      ];
      const rows = HOSTILE.map((_, i) => ({ name: t(i), value: i % 3 ? i : null, note: t(i + 5) }));
      return render(DataTable<R>, { props: { caption: t(3), columns, rows, missing: t(4) } }).body;
    });
  });
});

describe('ChartFrame', () => {
  const chart = createRawSnippet(() => ({ render: () => '<svg role="img"><title>chart</title></svg>' }));
  const table = createRawSnippet(() => ({ render: () => '<table><tr><td>1</td></tr></table>' }));
  it('title, summary and error message', () => {
    for (const state of ['ready', 'error'] as const) {
      expectText(
        (t) => render(ChartFrame, { props: { id: 'trend', title: t(0), summary: t(1), state, error: t(2), chart, table, onretry: () => {} } }).body,
        state === 'error' ? 3 : 2
      );
    }
  });
});

describe('SchoolIndex', () => {
  it('school names, types and status in the A–Z list', () => {
    const entry = (i: number, name: string, t: (i: number) => string): SchoolEntry => ({
      urn: String(100000 + i),
      name,
      phase: 'Primary',
      type: t(i + 1),
      status: t(i + 2),
      in_year: true,
      pupils: 100 + i,
      pupils_flag: null,
      suspension_rate: i % 2 ? 1.5 : null,
      suspension_rate_flag: i % 2 ? null : 'c',
      send_pupils: null,
      send_suspensions: null,
      send_suspension_rate: null,
      send_suspension_rate_flag: 'c'
    });
    expectText((t) => {
      const schools = HOSTILE.map((_, i) => entry(i, t(i), t));
      return render(SchoolIndex, { props: { schools, year: t(3), notPublishedHref: '#not-published' } }).body;
    });
  });
});

describe('page titles and the layout', () => {
  const release = (la: string) => ({
    label: COMBINED,
    synthetic: true,
    release: 'demo',
    generated_at: '2024-09-01T00:00:00Z',
    la: { code: '990', name: la, region: 'South West' },
    latest_year: '2023/24'
  });
  const point = (area_type: string, area_name: string, pupil_group: RatePoint['pupil_group'], year: number): RatePoint => ({
    area_type,
    area_code: area_type === 'LA' ? '990' : 'E92000001',
    area_name,
    academic_year: `${year}/${String((year + 1) % 100).padStart(2, '0')}`,
    year_start: year,
    pupil_group,
    denominator: 1000,
    denominator_flag: null,
    numerator: 50,
    numerator_flag: null,
    rate: 5
  });

  it('the overview: <title>, description, chart, summary and table name the area as text', () => {
    const groups = ['EHC plan', 'SEN support', 'No SEN', 'All pupils'] as const;
    for (let i = 0; i < HOSTILE.length; i++) {
      const render2 = (text: (i: number) => string) => {
        const points = [2022, 2023].flatMap((y) => [...groups.map((g) => point('LA', text(i), g, y)), point('England', text(i + 1), 'All pupils', y)]);
        const data = { release: release(text(i)), measure: 'suspension_rate' as const, points };
        const out = render(Overview, { props: { data: data as never } });
        return `<head>${out.head}</head>${out.body}`;
      };
      const hostileHtml = render2((k) => HOSTILE[k % HOSTILE.length]!);
      const harmlessHtml = render2((k) => harmless(HOSTILE[k % HOSTILE.length]!));
      expect(withoutLines(parse(hostileHtml).skeleton)).toEqual(withoutLines(parse(harmlessHtml).skeleton));
      const title = /<title>([\s\S]*?)<\/title>/.exec(hostileHtml)![1]!;
      expect(shown(title)).toBe(`SEND exclusions overview: ${HOSTILE[i]}`);
      const text = shown(hostileHtml);
      expect(text).toContain(HOSTILE[i]);
      expect(text).toContain(HOSTILE[(i + 1) % HOSTILE.length]); // the England line's label, in the SVG and the table
    }
  });

  it('the layout: header, footer and data label', () => {
    const children = createRawSnippet(() => ({ render: () => '<p>page</p>' }));
    const context = new Map([['__request__', { page: { url: new URL('http://localhost/'), data: {}, params: {}, route: { id: '/' }, status: 200, error: null, state: {}, form: null } }]]);
    expectText((t) => render(Layout, { props: { data: { release: { ...release(t(0)), label: t(1) } } as never, children }, context }).body, 2);
  });
});
