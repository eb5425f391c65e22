// The verdict's words when similar schools lack figures: the reason said as it is (withheld, not
// available, no pupils in the group), with today's wording kept exactly when it is withholding.
import { describe, expect, it } from 'vitest';
import type { Verdict } from '$lib/stats/verdict';
import { verdictWords, type VerdictContext } from './verdict-words';

const ctx: VerdictContext = { school: 'X', group: 'EHC plan', measure: 'suspension_rate', period: '2021/22 to 2023/24', k: 10, included: 0, observed: 12 };
const none: Verdict = { kind: 'no-comparison', p: null, expected: null, schoolRate: 12, similarRate: null };

describe('verdictWords: no comparison', () => {
  it('keeps today’s words when the similar schools’ figures are withheld, or no reason is given', () => {
    for (const othersFlag of [undefined, null, 'c', 'low'] as const) {
      const nil = verdictWords(none, { ...ctx, othersFlag });
      expect(nil.headline).toBe('Too few similar schools publish figures to compare with');
      expect(nil.detail).toBe('None of its similar schools has published figures for pupils with an EHC plan over 2021/22 to 2023/24, so there is nothing to compare with.');
      const few = verdictWords(none, { ...ctx, included: 2, othersFlag });
      expect(few.detail).toBe(
        'Only 2 of its 10 similar schools have published figures for pupils with an EHC plan over 2021/22 to 2023/24. That is too few to stand for schools like it: the figures withheld are mostly counts of 1 to 4, while zeros are published, so the few published ones are not a fair sample.'
      );
    }
  });

  it('says not available, and blames no withheld counts, when the others’ figures are not available', () => {
    const nil = verdictWords(none, { ...ctx, othersFlag: 'x' });
    expect(nil.headline).toBe('Too few similar schools have figures available to compare with');
    expect(nil.detail).toBe('None of its similar schools has figures for pupils with an EHC plan over 2021/22 to 2023/24: they are not available, so there is nothing to compare with.');
    const few = verdictWords(none, { ...ctx, included: 1, othersFlag: 'x' });
    expect(few.detail).toBe(
      'Only 1 of its 10 similar schools has figures for pupils with an EHC plan over 2021/22 to 2023/24; the others’ figures are not available. That is too few to stand for schools like it, so no comparison is made.'
    );
    expect(`${nil.headline} ${nil.detail} ${few.detail}`).not.toMatch(/withheld|publish/);
  });

  it('says there are no pupils in the group when that is why', () => {
    const nil = verdictWords(none, { ...ctx, othersFlag: 'z' });
    expect(nil.headline).toBe('Too few similar schools have pupils in this group to compare with');
    expect(nil.detail).toBe('None of its similar schools had any pupils with an EHC plan over 2021/22 to 2023/24, so there is nothing to compare with.');
    const few = verdictWords(none, { ...ctx, included: 3, othersFlag: 'z' });
    expect(few.detail).toBe(
      'Only 3 of its 10 similar schools have figures for pupils with an EHC plan over 2021/22 to 2023/24; the others had no pupils with an EHC plan. That is too few to stand for schools like it, so no comparison is made.'
    );
    // All pupils: "no pupils", not "no all pupils".
    expect(verdictWords(none, { ...ctx, group: 'All pupils', othersFlag: 'z' }).detail).toContain('None of its similar schools had any pupils over');
  });
});

describe('verdictWords: a pool of some of the similar schools', () => {
  const v: Verdict = { kind: 'no-difference', p: 0.5, expected: 10, schoolRate: 12, similarRate: 10 };
  const part = { ...ctx, included: 7 };

  it('says why the others are left out: withheld as before, else their own reason', () => {
    const tail = ', so the similar schools’ rate is for those published.';
    expect(verdictWords(v, part).detail).toContain(` The other 3 similar schools’ figures are withheld (small numbers)${tail}`);
    expect(verdictWords(v, { ...part, othersFlag: 'c' }).detail).toContain(` The other 3 similar schools’ figures are withheld (small numbers)${tail}`);
    expect(verdictWords(v, { ...part, othersFlag: 'x' }).detail).toContain(` The other 3 similar schools’ figures are not available${tail}`);
    const z = verdictWords(v, { ...part, included: 9, othersFlag: 'z' }).detail;
    expect(z).toContain(' The other 1 similar school had no pupils with an EHC plan, so the similar schools’ rate is for those with figures.');
    expect(z).not.toContain('withheld');
  });
});
