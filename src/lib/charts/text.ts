/**
 * Fitting label text into the room a chart has for it, so that on a phone a long label (a DfE
 * reason, "England: SEND vs no SEN") goes onto more lines instead of running off the chart, where
 * an outside review found it cut.
 *
 * SVG text does not wrap, so the chart has to know how wide its text is. In a browser, once the
 * chart is running, the text is measured with the page's own font (a canvas's `measureText`); before
 * that (the prerendered HTML, and the first render the browser hydrates, which must match it) it is
 * worked out from DejaVu Sans's character widths: the font Debian's Chromium uses for the site's
 * font stack, and wider than the system fonts of Windows, macOS and Android, so an estimate errs
 * towards wrapping, never towards cutting.
 */

/**
 * DejaVu Sans's advance widths, in thousandths of an em, for the characters labels are made of
 * (printable ASCII and a few typographic ones), Book and Bold: measured in Debian's Chromium with a
 * canvas, so that there an estimate is the width drawn, and the prerendered layout is the one the
 * running chart keeps.
 */
const CHARS = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~–—’‘“”é×…≥≤•";
const BOOK = [318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838, 500, 1000, 318, 318, 518, 518, 615, 838, 1000, 838, 838, 590];
const BOLD = [348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838, 500, 1000, 380, 380, 657, 657, 678, 838, 1000, 838, 838, 639];

function estimateEm(ch: string, bold: boolean): number {
  const i = CHARS.indexOf(ch);
  if (i < 0) return bold ? 0.75 : 0.68;
  return ((bold ? BOLD : BOOK)[i] ?? 700) / 1000;
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
  /** Font weight (600 and above are drawn bold). */
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
  for (const ch of text) em += estimateEm(ch, weight >= 600);
  return em * style.px;
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
