// The national-scale generator's command line (its output is checked by the independent audit
// on every run, and measured by `npm run bench`; no test here times anything).
import { describe, expect, it } from 'vitest';
import { parseNationalArgs } from './national';

describe('parseNationalArgs', () => {
  it('defaults to England-sized: 22,000 schools over 10 years, audited', () => {
    expect(parseNationalArgs([])).toEqual({ tile: 'static/data', out: 'static/data', schools: 22_000, years: 10, seed: 20240901, audit: true });
  });
  it('reads every flag', () => {
    expect(parseNationalArgs(['--tile', 'a', '--out', 'b', '--schools', '500', '--years', '12', '--seed', '7', '--no-audit'])).toEqual({
      tile: 'a',
      out: 'b',
      schools: 500,
      years: 12,
      seed: 7,
      audit: false
    });
  });
  it('refuses what it does not know', () => {
    expect(() => parseNationalArgs(['--pupils', '9'])).toThrow(/unknown argument/);
    expect(() => parseNationalArgs(['--schools'])).toThrow(/needs a value/);
    expect(() => parseNationalArgs(['--years', 'ten'])).toThrow(/whole number/);
  });
});
