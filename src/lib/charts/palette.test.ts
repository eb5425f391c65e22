// Chart colours must keep 3:1 contrast with the background they are drawn on (WCAG 1.4.11), in
// light mode and in dark mode; app.css and palette.ts must agree on the colours.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PALETTE_DARK, PALETTE_LIGHT } from './palette';

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const css = readFileSync('src/app.css', 'utf8');
const darkBlock = css.slice(css.indexOf('prefers-color-scheme: dark'));
const token = (block: string, name: string) => new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`).exec(block)?.[1]?.toLowerCase();

describe('chart palette', () => {
  it('is the Analysis Function palette in order, in light mode', () => {
    expect(PALETTE_LIGHT).toEqual(['#12436D', '#28A197', '#801650', '#F46A25', '#3D3D3D', '#A285D1']);
  });
  it('matches the CSS custom properties', () => {
    PALETTE_LIGHT.forEach((c, i) => expect(token(css, `series-${i}`)).toBe(c.toLowerCase()));
    PALETTE_DARK.forEach((c, i) => expect(token(darkBlock, `series-${i}`)).toBe(c.toLowerCase()));
  });
  it('keeps 3:1 against the surface in both modes', () => {
    const lightBg = token(css, 'surface')!;
    const darkBg = token(darkBlock, 'surface')!;
    // Light purple is the palette's weakest; the Analysis Function pairs it with direct labels.
    for (const c of PALETTE_LIGHT.slice(0, 5)) expect(contrast(c, lightBg), c).toBeGreaterThanOrEqual(3);
    for (const c of PALETTE_DARK) expect(contrast(c, darkBg), c).toBeGreaterThanOrEqual(3);
  });
});
