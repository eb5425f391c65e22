// Hostile text in SVG, server-side: a chart's title, description, axis label, series labels,
// year labels and annotation labels (a config file will bring local event names, issue #5) are
// rendered by svelte/server as text: the same tags and attributes as a render of harmless strings,
// and every hostile string shown once decoded. tests/e2e/hostile-text.spec.ts checks the browser.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { harmless, HOSTILE, parse, shown, withoutLines } from '../../../tests/unit/hostile-html';
import LineChart, { type LineSeries } from './LineChart.svelte';

function chart(text: (i: number) => string): string {
  const series: LineSeries[] = [0, 1, 2].map((s) => ({
    id: `s${s}`,
    label: text(s + 3),
    color: '#12436D',
    marker: 'circle',
    dashed: s === 2,
    points: [2019, 2020, 2021].map((x, k) => ({ x, xLabel: text(6 + k), y: 1 + s + k, lower: 0.5, upper: 2 + s + k }))
  }));
  return render(LineChart, {
    props: {
      series,
      title: text(0),
      description: text(1),
      yLabel: text(2),
      annotations: [
        { kind: 'band', from: 2019, to: 2020, label: text(9), detail: text(10) },
        { kind: 'line', from: 2021, label: text(11), detail: text(12) }
      ]
    }
  }).body;
}

describe('LineChart', () => {
  it('title, description, axis, series, year and annotation labels are SVG text', () => {
    const pick = (list: readonly string[]) => (i: number) => list[i % list.length]!;
    const hostileSvg = chart(pick(HOSTILE));
    expect(withoutLines(parse(hostileSvg).skeleton)).toEqual(withoutLines(parse(chart(pick(HOSTILE.map(harmless)))).skeleton));
    const text = shown(hostileSvg);
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11]) expect(text, `string ${i}`).toContain(HOSTILE[i]);
    expect(parse(hostileSvg).skeleton.filter((t) => /^<(script|foreignObject|img|style)$/i.test(t) || /^on/i.test(t))).toEqual([]);
  });
});
