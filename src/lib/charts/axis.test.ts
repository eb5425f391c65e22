// Year labels and legends laid out for the room a chart has: nothing collides at 320 px.
import { describe, expect, it } from 'vitest';
import { chooseXTicks, legendLayout, shortYearLabel } from './axis';
import { textWidth } from './text';

const YEARS = ['2016/17', '2017/18', '2018/19', '2019/20', '2020/21', '2021/22', '2022/23', '2023/24'];
const widthOf = (t: string) => textWidth(t, { px: 13 });
/** Eight years spread over a plot `w` pixels wide. */
const spread = (w: number) => YEARS.map((_, i) => (i * w) / (YEARS.length - 1));

/** Each pair of labels drawn next to each other: the gap between their boxes. */
function gaps(positions: number[], labels: string[]): number[] {
  const drawn = labels.flatMap((l, i) => (l ? [{ l, x: positions[i]! }] : []));
  return drawn.slice(1).map((d, i) => d.x - widthOf(d.l) / 2 - (drawn[i]!.x + widthOf(drawn[i]!.l) / 2));
}

describe('shortYearLabel', () => {
  it('shortens an academic year, and leaves anything else alone', () => {
    expect(shortYearLabel('2019/20')).toBe('19/20');
    expect(shortYearLabel('1999/00')).toBe('99/00');
    expect(shortYearLabel('2019')).toBe('2019');
    expect(shortYearLabel('2019/2020')).toBe('2019/2020');
    expect(shortYearLabel('Autumn 2019/20')).toBe('Autumn 2019/20');
  });
});

describe('chooseXTicks', () => {
  it('labels every year in full where there is room (a desktop chart)', () => {
    const t = chooseXTicks(spread(790), YEARS, widthOf);
    expect(t).toEqual({ labels: YEARS, step: 1, short: false });
  });

  it('at 320 px shortens the labels rather than skipping years, and none touch', () => {
    // About 210 px of plot: the room a 320 px screen leaves in a chart's frame.
    const positions = spread(210);
    const t = chooseXTicks(positions, YEARS, widthOf);
    expect(t.short).toBe(true);
    expect(t.labels.filter(Boolean).length).toBeGreaterThanOrEqual(4);
    expect(t.labels.at(-1)).toBe('23/24');
    for (const g of gaps(positions, t.labels)) expect(g).toBeGreaterThanOrEqual(8);
  });

  it('skips years, counting back from the latest, when even short labels do not fit', () => {
    const positions = spread(120);
    const t = chooseXTicks(positions, YEARS, widthOf);
    expect(t.step).toBeGreaterThan(1);
    expect(t.labels.at(-1)).not.toBe('');
    for (const g of gaps(positions, t.labels)) expect(g).toBeGreaterThanOrEqual(8);
  });

  it('keeps labels that have no short form, spaced out', () => {
    const labels = ['2016', '2017', '2018', '2019', '2020'];
    const positions = labels.map((_, i) => i * 20);
    const t = chooseXTicks(positions, labels, widthOf);
    expect(t.short).toBe(false);
    for (const g of gaps(positions, t.labels)) expect(g).toBeGreaterThanOrEqual(8);
  });

  it('copes with one year and with none', () => {
    expect(chooseXTicks([0], ['2023/24'], widthOf).labels).toEqual(['2023/24']);
    expect(chooseXTicks([], [], widthOf).labels).toEqual([]);
  });
});

describe('legendLayout', () => {
  it('fills rows left to right and wraps to the room', () => {
    const at = legendLayout(
      [
        { width: 100, height: 15 },
        { width: 100, height: 30 },
        { width: 100, height: 15 },
        { width: 300, height: 15 }
      ],
      250
    );
    expect([...at]).toEqual([
      { x: 0, y: 0 },
      { x: 114, y: 0 },
      { x: 0, y: 34 },
      { x: 0, y: 53 }
    ]);
    expect(at.height).toBe(68);
  });

  it('is empty for no items', () => {
    expect(legendLayout([], 100).height).toBe(0);
  });
});
