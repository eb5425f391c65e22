import { describe, expect, it } from 'vitest';
import { disclosureWords, oneTo } from './disclosure-words';

describe('disclosureWords', () => {
  it('words the demo’s normal rules exactly as before (the e2e tests assert them)', () => {
    const w = disclosureWords({ mode: 'pipeline', thresholds: { min_count: 5, min_group: 10 } });
    expect(w.passThrough).toBe(false);
    expect(w.rules[0]).toBe('We do not publish a count of 1 to 4 pupils.');
    expect(w.rules[1]).toBe('If a group has fewer than 10 pupils, we publish none of its figures.');
    expect(w.tableNote).toBe('Figures of 1 to 4 pupils, and any figure they could be worked out from, are not published.');
    expect(w.reasonsNote).toBe('Counts of 1 to 4 are not published.');
    expect(w.smallCounts).toBe('counts of 1 to 4');
    expect(w.ruleWords.small_count).toBe('A count of 1 to 4 pupils');
    expect(w.ruleWords.small_group).toBe('Part of a group of fewer than 10 pupils');
  });

  it('takes the thresholds from the manifest, not constants', () => {
    const w = disclosureWords({ mode: 'pipeline', thresholds: { min_count: 11, min_group: 20 } });
    expect(w.rules[0]).toBe('We do not publish a count of 1 to 10 pupils.');
    expect(w.rules[1]).toContain('fewer than 20 pupils');
    expect(w.tableNote).toContain('Figures of 1 to 10 pupils');
    expect(disclosureWords({ thresholds: { min_count: 3, min_group: 5 } }).smallCounts).toBe('counts of 1 or 2');
    expect(disclosureWords({ thresholds: { min_count: 2, min_group: 5 } }).reasonsNote).toBe('Counts of 1 are not published.');
  });

  it('uses the pipeline’s defaults for a release written before the mode, or none', () => {
    expect(disclosureWords({ thresholds: {} }).smallCounts).toBe('counts of 1 to 4');
    expect(disclosureWords(null).minGroup).toBe(10);
  });

  it('says DfE’s rule for a pass-through release, and no threshold of ours', () => {
    const w = disclosureWords({ mode: 'dfe-published', thresholds: {} });
    expect(w.passThrough).toBe(true);
    expect(w.minGroup).toBeNull();
    const all = [w.tableNote, w.reasonsNote, w.intro, w.smallCounts, ...w.rules, ...Object.values(w.ruleWords)].join(' ');
    expect(all).not.toMatch(/1 to 4|fewer than 10|undefined|NaN/);
    expect(w.smallCounts).toBe('a school’s exclusion counts of 1 or 2');
    expect(w.tableNote).toContain('Department for Education');
    expect(w.rules.join(' ')).toContain('DfE does not publish a school’s exclusion counts of 1 or 2 pupils');
    expect(w.ruleWords.source).toContain('Department for Education');
    expect(w.ruleWords.small_count).toBeUndefined();
  });

  it('oneTo', () => {
    expect([oneTo(1), oneTo(2), oneTo(4)]).toEqual(['1', '1 or 2', '1 to 4']);
  });
});
