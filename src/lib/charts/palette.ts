/**
 * Chart colours: the UK Government Analysis Function categorical palette, in its order, with
 * lighter twins for dark mode that keep 3:1 contrast against the dark background (WCAG 1.4.11).
 * Colours are exposed as CSS custom properties (see app.css) so that dark mode switches them
 * without re-rendering; charts refer to them as `var(--series-N)`.
 */
export const PALETTE_LIGHT = ['#12436D', '#28A197', '#801650', '#F46A25', '#3D3D3D', '#A285D1'] as const;
export const PALETTE_DARK = ['#6BA3D6', '#3CC4B8', '#E06BA8', '#F68A52', '#BFBFBF', '#B9A2E0'] as const;

export type Marker = 'circle' | 'square' | 'triangle' | 'diamond' | 'cross' | 'none';

export function seriesColor(index: number): string {
  return `var(--series-${index % PALETTE_LIGHT.length})`;
}

/** An SVG path for a marker of size `r` centred on 0,0; shapes carry meaning besides colour. */
export function markerPath(marker: Marker, r: number): string {
  switch (marker) {
    case 'circle':
      return `M${-r},0a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`;
    case 'square':
      return `M${-r * 0.9},${-r * 0.9}h${1.8 * r}v${1.8 * r}h${-1.8 * r}z`;
    case 'triangle':
      return `M0,${-r * 1.15}L${r * 1.1},${r * 0.85}L${-r * 1.1},${r * 0.85}z`;
    case 'diamond':
      return `M0,${-r * 1.25}L${r * 1.1},0L0,${r * 1.25}L${-r * 1.1},0z`;
    case 'cross':
      return `M${-r},${-r}L${r},${r}M${-r},${r}L${r},${-r}`;
    case 'none':
      return '';
  }
}
