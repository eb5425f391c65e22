// Label wrapping: lines that fit, words kept whole, and an estimate that errs towards wrapping.
import { describe, expect, it } from 'vitest';
import { textWidth, wrapText } from './text';

describe('wrapText', () => {
  const style = { px: 13 };
  it('keeps a label that fits on one line', () => {
    expect(wrapText('Theft', 200, style)).toEqual(['Theft']);
    expect(wrapText('', 200, style)).toEqual(['']);
  });
  it('breaks a long DfE reason between words, each line within the room', () => {
    const label = 'Use or threat of use of an offensive weapon or prohibited item';
    const lines = wrapText(label, 280, style);
    expect(lines.length).toBeGreaterThan(1);
    // Joined, the lines are the label again (each but the last keeps its space, which SVG does not draw).
    expect(lines.join('')).toBe(label);
    for (const l of lines) expect(textWidth(l.trimEnd(), style)).toBeLessThanOrEqual(280);
  });
  it('leaves a word longer than the room whole', () => {
    expect(wrapText('Verylongwordwithoutspaces and more', 40, style)).toEqual(['Verylongwordwithoutspaces ', 'and ', 'more']);
  });
  it('estimates as wide as Chromium draws in DejaVu Sans, or wider (measured in this site’s charts)', () => {
    // Widths Chromium drew on this machine: "SEN support" 91 px and "England: SEN support" 160 px
    // at 13 px, weight 600; a long reason 361 px at 13 px, weight 400.
    expect(textWidth('SEN support', { px: 13, weight: 600 })).toBeGreaterThanOrEqual(88);
    expect(textWidth('England: SEN support', { px: 13, weight: 600 })).toBeGreaterThanOrEqual(155);
    expect(textWidth('Verbal abuse or threatening behaviour against an adult', { px: 13 })).toBeGreaterThanOrEqual(355);
    // ... but not so much wider that short labels wrap for nothing.
    expect(textWidth('SEN support', { px: 13, weight: 600 })).toBeLessThan(105);
  });
  it('bold text is wider', () => {
    expect(textWidth('SEN support', { px: 13, weight: 700 })).toBeGreaterThan(textWidth('SEN support', { px: 13 }));
  });
});
