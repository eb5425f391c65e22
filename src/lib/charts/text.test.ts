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
  it('estimates the width Debian’s Chromium draws in DejaVu Sans (measured with a canvas), or a touch more', () => {
    // Chromium's widths at 13 px; the estimate leaves out kerning, which only ever narrows these.
    const drawn: [string, number, number][] = [
      ['SEN support', 400, 80.23],
      ['England: SEN support', 700, 159.76],
      ['Verbal abuse or threatening behaviour against an adult', 400, 360.88],
      ['England, primary schools', 700, 185.35]
    ];
    for (const [text, weight, width] of drawn) {
      const estimate = textWidth(text, { px: 13, weight });
      expect(estimate, text).toBeGreaterThanOrEqual(width - 0.05);
      expect(estimate, text).toBeLessThanOrEqual(width * 1.01);
    }
    // A character outside the table is taken as a wide one.
    expect(textWidth('ж', { px: 10 })).toBeGreaterThan(textWidth('a', { px: 10 }));
  });
  it('bold text is wider', () => {
    expect(textWidth('SEN support', { px: 13, weight: 700 })).toBeGreaterThan(textWidth('SEN support', { px: 13 }));
  });
});
