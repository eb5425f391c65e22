/**
 * Fitting label text into the room a chart has for it, so that on a phone a long label (a DfE
 * reason, "England: SEND vs no SEN") goes onto more lines instead of running off the chart, where
 * an outside review found it cut.
 *
 * SVG text does not wrap, so the chart has to know how wide its text is. In a browser, once the
 * chart is running, the text is measured with the page's own font (a canvas's `measureText`); before
 * that (the prerendered HTML, and the first render the browser hydrates, which must match it) it is
 * estimated from DejaVu Sans's character widths, the widest of the fonts the site's font stack
 * falls back to (Debian's Chromium uses it), so an estimate errs towards wrapping, never towards
 * cutting.
 */

/** Widths in em of DejaVu Sans (Book), by the kinds of character labels are made of. */
function estimateEm(ch: string): number {
  if (ch === ' ') return 0.32;
  if ('iljI.,:;|!\''.includes(ch)) return 0.3;
  if ('ftr()[]-/'.includes(ch)) return 0.4;
  if ('mwMW%'.includes(ch)) return 0.95;
  if (/[A-Z]/.test(ch)) return 0.72;
  if (/[0-9]/.test(ch)) return 0.64;
  return 0.63;
}

let context: CanvasRenderingContext2D | null | undefined;

function canvasContext(): CanvasRenderingContext2D | null {
  if (context !== undefined) return context;
  context = typeof document === 'undefined' ? null : (document.createElement('canvas').getContext('2d') ?? null);
  return context;
}

export interface TextStyle {
  /** Font size in pixels. */
  px: number;
  /** Font weight; bold text is about 10% wider. */
  weight?: number;
  /** Measure with the page's font (only once the chart runs in a browser: hydration must match the prerender). */
  measure?: boolean;
}

/** The width of `text` in pixels (see the module comment for how). */
export function textWidth(text: string, style: TextStyle): number {
  const weight = style.weight ?? 400;
  const ctx = style.measure ? canvasContext() : null;
  if (ctx) {
    ctx.font = `${weight} ${style.px}px ${getComputedStyle(document.documentElement).fontFamily}`;
    return ctx.measureText(text).width;
  }
  let em = 0;
  for (const ch of text) em += estimateEm(ch);
  return em * style.px * (weight >= 600 ? 1.1 : 1);
}

/**
 * `text` in lines no wider than `maxWidth`, broken between words (a word longer than the room is
 * left whole on a line of its own: better a word past the edge than one broken mid-way). Each line
 * but the last keeps the space it was broken at, which SVG does not draw, so the lines joined are
 * the label again (its `textContent`, for anything that reads the chart's text).
 */
export function wrapText(text: string, maxWidth: number, style: TextStyle): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line === '' ? word : `${line} ${word}`;
    if (line !== '' && textWidth(next, style) > maxWidth) {
      lines.push(`${line} `);
      line = word;
    } else line = next;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}
