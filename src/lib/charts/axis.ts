/**
 * Laying out a time chart's year labels and its legend for the room it has, so that at 320 CSS
 * pixels (WCAG's reflow width) the labels neither collide nor run off the chart. An outside review
 * found the trend charts cramped on a phone: about 85 pixels of plot between a 56-pixel axis and
 * 112 pixels of line labels, year labels skipped to two, and the lines' labels wrapped into a
 * stack. Pure functions of widths, so they are tested without a browser; the chart measures its
 * text with text.ts and passes the widths in.
 */

/** An academic year's label in short ("2019/20" becomes "19/20"); any other label is left as it is. */
export function shortYearLabel(label: string): string {
  const m = /^\d{2}(\d{2})\/(\d{2})$/.exec(label);
  return m ? `${m[1]}/${m[2]}` : label;
}

export interface XTickChoice {
  /** The label drawn at each position ('' where none is). */
  labels: string[];
  /** Every n-th position is labelled, counting back from the last (the latest year is always named). */
  step: number;
  /** True when the short form of the labels ("19/20") was chosen. */
  short: boolean;
}

/**
 * Which year labels to draw, and in which form: the form that labels the most years without any
 * two coming closer than `gap` pixels, the full one ("2019/20") when both label as many. Counted
 * back from the last year, so the latest is always named.
 */
export function chooseXTicks(positions: readonly number[], labels: readonly string[], widthOf: (text: string) => number, gap = 8): XTickChoice {
  const n = positions.length;
  const fits = (texts: string[], step: number) => {
    let prev = -1;
    for (let i = 0; i < n; i++) {
      if ((n - 1 - i) % step !== 0) continue;
      if (prev >= 0 && positions[i]! - positions[prev]! < (widthOf(texts[prev]!) + widthOf(texts[i]!)) / 2 + gap) return false;
      prev = i;
    }
    return true;
  };
  const stepFor = (texts: string[]) => {
    for (let step = 1; step < n; step++) if (fits(texts, step)) return step;
    return Math.max(1, n);
  };
  const full = [...labels];
  const short = labels.map(shortYearLabel);
  const fullStep = stepFor(full);
  const shortStep = short.some((s, i) => s !== full[i]) ? stepFor(short) : fullStep;
  const useShort = shortStep < fullStep;
  const step = useShort ? shortStep : fullStep;
  const texts = useShort ? short : full;
  return { labels: texts.map((t, i) => ((n - 1 - i) % step === 0 ? t : '')), step, short: useShort };
}

export interface LegendBox {
  width: number;
  height: number;
}

/**
 * A legend's items in rows, left to right, each row as wide as `room` allows (an item wider than
 * the room has a row of its own): where each item goes, and how tall the legend is.
 */
export function legendLayout(items: readonly LegendBox[], room: number, gapX = 14, gapY = 4): { x: number; y: number }[] & { height: number } {
  const placed: { x: number; y: number }[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const item of items) {
    if (x > 0 && x + item.width > room) {
      y += rowHeight + gapY;
      x = 0;
      rowHeight = 0;
    }
    placed.push({ x, y });
    x += item.width + gapX;
    rowHeight = Math.max(rowHeight, item.height);
  }
  return Object.assign(placed, { height: items.length === 0 ? 0 : y + rowHeight });
}
