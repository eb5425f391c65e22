/**
 * How the funnel plot marks a school, shared by its SVG and canvas renderers and by the legend,
 * so the three can never disagree: a shape and a fill for each position against the limits
 * (meaning never rests on colour alone), and the order the keyboard walks the points in.
 */
import type { FunnelPosition } from '$lib/stats/funnel';

export interface FunnelMark {
  /** CSS colour (a palette custom property). */
  color: string;
  shape: 'circle' | 'up' | 'down';
  filled: boolean;
  label: string;
}

export const FUNNEL_MARKS: Record<FunnelPosition, FunnelMark> = {
  'above-998': { color: 'var(--series-2)', shape: 'up', filled: true, label: 'Above the 99.8% limit' },
  'above-95': { color: 'var(--series-2)', shape: 'up', filled: false, label: 'Between the 95% and 99.8% limits, above' },
  inside: { color: 'var(--series-4)', shape: 'circle', filled: false, label: 'Inside the 95% limits' },
  'below-95': { color: 'var(--series-1)', shape: 'down', filled: false, label: 'Between the 95% and 99.8% limits, below' },
  'below-998': { color: 'var(--series-1)', shape: 'down', filled: true, label: 'Below the 99.8% limit' }
};

export const POSITION_ORDER: FunnelPosition[] = ['above-998', 'above-95', 'inside', 'below-95', 'below-998'];

/** An SVG path for a mark of radius r centred at (x, y): appended together, one path draws many. */
export function markPath(shape: FunnelMark['shape'], x: number, y: number, r: number): string {
  switch (shape) {
    case 'circle':
      return `M${x - r},${y}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0Z`;
    case 'up':
      return `M${x},${y - r * 1.2}L${x + r * 1.1},${y + r * 0.8}L${x - r * 1.1},${y + r * 0.8}Z`;
    case 'down':
      return `M${x},${y + r * 1.2}L${x + r * 1.1},${y - r * 0.8}L${x - r * 1.1},${y - r * 0.8}Z`;
  }
}

/** Draw the same mark on a canvas (for more points than SVG should hold). */
export function drawMark(ctx: CanvasRenderingContext2D, shape: FunnelMark['shape'], x: number, y: number, r: number): void {
  ctx.moveTo(x + (shape === 'circle' ? r : 0), y);
  switch (shape) {
    case 'circle':
      ctx.arc(x, y, r, 0, Math.PI * 2);
      break;
    case 'up':
      ctx.moveTo(x, y - r * 1.2);
      ctx.lineTo(x + r * 1.1, y + r * 0.8);
      ctx.lineTo(x - r * 1.1, y + r * 0.8);
      ctx.closePath();
      break;
    case 'down':
      ctx.moveTo(x, y + r * 1.2);
      ctx.lineTo(x + r * 1.1, y - r * 0.8);
      ctx.lineTo(x - r * 1.1, y - r * 0.8);
      ctx.closePath();
      break;
  }
}

/** `String.prototype.localeCompare` with the default locale, made once (it is slow called per comparison). */
export const compareText = new Intl.Collator().compare;

/** The keyboard's path through the points: smallest school first (the funnel's x axis), then by name. */
export function keyboardOrder<T extends { n: number; label: string; id: string }>(points: readonly T[]): T[] {
  return [...points].sort((a, b) => a.n - b.n || compareText(a.label, b.label) || compareText(a.id, b.id));
}

/**
 * A mark drawn once on a small canvas of its own, to be stamped with `drawImage` wherever a point
 * is: painting tens of thousands of marks as one path of arcs and triangles took about 400 ms at
 * national scale in Chromium's software renderer, stamping them a few milliseconds. `ratio` is the
 * device pixel ratio; the sprite's `size` is in CSS pixels, centred on the point.
 */
export function markSprite(shape: FunnelMark['shape'], colour: string, filled: boolean, r: number, ratio: number): { image: HTMLCanvasElement; size: number } {
  const size = Math.ceil(r * 2.6 + 4);
  const image = document.createElement('canvas');
  image.width = image.height = Math.ceil(size * ratio);
  const g = image.getContext('2d')!;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.beginPath();
  drawMark(g, shape, size / 2, size / 2, r);
  g.strokeStyle = colour;
  g.lineWidth = 1.3;
  g.stroke();
  if (filled) {
    g.fillStyle = colour;
    g.fill();
  }
  return { image, size };
}
