/**
 * Saving a chart as the reader sees it: its data as CSV, the drawing as SVG or PNG.
 *
 * Charts colour themselves with CSS custom properties (light and dark palettes, see app.css), which
 * mean nothing once the SVG leaves the page. So the SVG is cloned with every presentational style
 * resolved to the colour actually on screen, and a background drawn in, before it is saved; the PNG
 * is that SVG drawn onto a canvas at twice the size. Browser-only (it needs the DOM).
 */
import { wrapText } from '$lib/charts/text';
import { csvField } from '$lib/data/csv';

/** The figures a chart draws, one row per mark, with each missing value's flag beside it. */
export interface ChartData {
  columns: string[];
  rows: (string | number | null)[][];
}

/** CSV text of a chart's data; a synthetic release says so in a first `dataset` column, as the published CSVs do. */
export function chartCsv(data: ChartData, datasetLabel?: string): string {
  const lines = [[...(datasetLabel ? ['dataset'] : []), ...data.columns].map(csvField).join(',')];
  for (const r of data.rows) lines.push([...(datasetLabel ? [datasetLabel] : []), ...r].map(csvField).join(','));
  return lines.join('\n') + '\n';
}

const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-opacity',
  'stroke-linejoin',
  'paint-order',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
  'dominant-baseline'
] as const;

const SVG_NS = 'http://www.w3.org/2000/svg';
/** The title's and the source's first baselines, and the space between their lines (they wrap on a phone). */
const TITLE = { y: 24, px: 16, line: 20, after: 12 };
const SOURCE = { px: 12, line: 15, below: 10 };

/**
 * A standalone SVG document of `svg` with its on-screen styles written into each element, and the
 * chart's title above it and its source below: a picture pasted into a committee paper has to say
 * what it shows and where the figures came from. Several drawings (a funnel per phase) are placed
 * as they are on screen, each with its heading (`label`) where the page shows it.
 */
export function standaloneSvg(
  svg: SVGSVGElement | { svg: SVGSVGElement; label?: Element | null }[],
  opts: { background: string; color: string; title: string; source: string }
): { text: string; width: number; height: number } {
  const parts = Array.isArray(svg) ? svg : [{ svg, label: null }];
  const boxes = parts.flatMap((p) => [p.svg.getBoundingClientRect(), ...(p.label ? [p.label.getBoundingClientRect()] : [])]);
  const left = Math.min(...boxes.map((b) => b.left));
  const top = Math.min(...boxes.map((b) => b.top));
  const width = Math.round(Math.max(...boxes.map((b) => b.right)) - left);
  const drawn = Math.round(Math.max(...boxes.map((b) => b.bottom)) - top);
  // Title and source wrap to the picture's width (a phone's chart is 290 px wide: an outside review
  // found both cut off there).
  const titleLines = wrapText(opts.title, width - 16, { px: TITLE.px, weight: 700, measure: true });
  const sourceLines = wrapText(opts.source, width - 16, { px: SOURCE.px, measure: true });
  const header = TITLE.y + (titleLines.length - 1) * TITLE.line + TITLE.after;
  const footer = SOURCE.below + 18 + (sourceLines.length - 1) * SOURCE.line;
  const height = drawn + header + footer;
  const text = (lines: string[], x: number, y: number, size: number, weight: string, step: number) => {
    const t = document.createElementNS(SVG_NS, 'text');
    t.setAttribute('x', String(x));
    t.setAttribute('y', String(y));
    t.setAttribute('style', `fill:${opts.color};font-family:system-ui,sans-serif;font-size:${size}px;font-weight:${weight}`);
    lines.forEach((line, i) => {
      const span = document.createElementNS(SVG_NS, 'tspan');
      span.setAttribute('x', String(x));
      if (i > 0) span.setAttribute('dy', String(step));
      span.textContent = line;
      t.append(span);
    });
    return t;
  };
  const bodies: Element[] = [];
  for (const part of parts) {
    const box = part.svg.getBoundingClientRect();
    const clone = part.svg.cloneNode(true) as SVGSVGElement;
    const originals = [part.svg, ...part.svg.querySelectorAll('*')];
    const copies = [clone, ...clone.querySelectorAll('*')];
    originals.forEach((el, i) => {
      const copy = copies[i] as Element;
      const cs = getComputedStyle(el);
      if (cs.display === 'none') {
        copy.remove();
        return;
      }
      const style = STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';');
      copy.setAttribute('style', style);
    });
    // Each drawing goes into a group moved to its place below the title; the chart's own viewBox is
    // its coordinate system, scaled to the on-screen size.
    const [, , vbW, vbH] = (part.svg.getAttribute('viewBox') ?? `0 0 ${box.width} ${box.height}`).split(/\s+/).map(Number);
    const body = document.createElementNS(SVG_NS, 'g');
    body.setAttribute(
      'transform',
      `translate(${Math.round(box.left - left)},${header + Math.round(box.top - top)}) scale(${box.width / (vbW || box.width)},${box.height / (vbH || box.height)})`
    );
    for (const child of [...clone.childNodes]) body.appendChild(child);
    bodies.push(body);
    if (part.label?.textContent) {
      const b = part.label.getBoundingClientRect();
      bodies.push(text([part.label.textContent.trim()], Math.round(b.left - left) + 8, header + Math.round(b.bottom - top) - 6, SOURCE.px + 2, '700', 0));
    }
  }
  const out = document.createElementNS(SVG_NS, 'svg');
  out.setAttribute('xmlns', SVG_NS);
  out.setAttribute('width', String(width));
  out.setAttribute('height', String(height));
  out.setAttribute('viewBox', `0 0 ${width} ${height}`);
  out.setAttribute('role', 'img');
  const label = document.createElementNS(SVG_NS, 'title');
  label.textContent = opts.title;
  const bg = document.createElementNS(SVG_NS, 'rect');
  for (const [k, v] of [['x', '0'], ['y', '0'], ['width', String(width)], ['height', String(height)], ['fill', opts.background]]) bg.setAttribute(k!, v!);
  out.append(
    label,
    bg,
    text(titleLines, 8, TITLE.y, TITLE.px, '700', TITLE.line),
    ...bodies,
    text(sourceLines, 8, height - SOURCE.below - (sourceLines.length - 1) * SOURCE.line, SOURCE.px, '400', SOURCE.line)
  );
  return { text: new XMLSerializer().serializeToString(out), width, height };
}

/** The SVG drawn onto a canvas at `scale`, as PNG bytes. */
export async function svgToPng(svg: { text: string; width: number; height: number }, scale = 2): Promise<Blob> {
  const img = new Image();
  // A blob: URL, which the site's img-src allows (only the page can make one); data: it does not.
  const url = URL.createObjectURL(new Blob([svg.text], { type: 'image/svg+xml' }));
  img.src = url;
  try {
    await img.decode();
  } finally {
    URL.revokeObjectURL(url);
  }
  const canvas = document.createElement('canvas');
  canvas.width = svg.width * scale;
  canvas.height = svg.height * scale;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw the chart as a picture.');
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0, svg.width, svg.height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The picture could not be made.'))), 'image/png'));
}

/** Hand a file to the browser to save. */
export function save(name: string, content: Blob | string, type = 'text/plain'): void {
  const blob = typeof content === 'string' ? new Blob([content], { type }) : content;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from a chart title: lower case, words joined by hyphens. */
export function fileName(title: string, ext: string): string {
  const base = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
  return `${base || 'chart'}.${ext}`;
}
