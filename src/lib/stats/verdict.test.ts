// The similar-schools verdict on fixtures where a difference must be found, where it must not, and
// where the numbers are too small to tell. Reference p-values computed independently with SciPy
// 1.17: events 2 * min(binom.cdf(O, O+S, n/(n+N)), binom.sf(O-1, ...)); pupils
// 2 * min(hypergeom.cdf(O, n+N, O+S, n), hypergeom.sf(O-1, ...)).
import { describe, expect, it } from 'vitest';
import { compareWithSimilar, compareWithSimilarRange, exactComparisonP } from './verdict';

const similar = { count: 800, pupils: 10_000 }; // 8 suspensions per 100 pupils
const similarPupils = { count: 200, pupils: 5_000 }; // 4 pupils in every 100

describe('exactComparisonP', () => {
  it('matches SciPy for events (conditional binomial test)', () => {
    expect(exactComparisonP('events', { count: 150, pupils: 1000 }, similar)).toBeCloseTo(6.35752850252301e-11, 15);
    expect(exactComparisonP('events', { count: 85, pupils: 1000 }, similar)).toBeCloseTo(0.6274322143929437, 10);
    expect(exactComparisonP('events', { count: 100, pupils: 1000 }, similar)).toBeCloseTo(0.04502011222260361, 10);
    expect(exactComparisonP('events', { count: 30, pupils: 1000 }, similar)).toBeCloseTo(1.1539736914694072e-9, 14);
  });
  it('matches SciPy for pupils with an event (Fisher’s exact test)', () => {
    expect(exactComparisonP('proportion', { count: 40, pupils: 500 }, similarPupils)).toBeCloseTo(0.00019157156814492265, 12);
    expect(exactComparisonP('proportion', { count: 22, pupils: 500 }, similarPupils)).toBeCloseTo(0.7331638728398867, 10);
    expect(exactComparisonP('proportion', { count: 10, pupils: 500 }, similarPupils)).toBeCloseTo(0.02509050824301628, 10);
    expect(exactComparisonP('proportion', { count: 6, pupils: 200 }, { count: 10, pupils: 2000 })).toBeCloseTo(0.003856753746380083, 10);
  });
  it('is 1 when there are no events anywhere', () => {
    expect(exactComparisonP('events', { count: 0, pupils: 100 }, { count: 0, pupils: 1000 })).toBe(1);
  });
});

describe('compareWithSimilar: a difference that must be found', () => {
  it('15 suspensions per 100 against 8 per 100 at 1,000 pupils is higher beyond chance', () => {
    const v = compareWithSimilar('events', { count: 150, pupils: 1000 }, similar);
    expect(v.kind).toBe('higher-strong');
    expect(v.expected).toBe(80);
    expect(v.schoolRate).toBe(15);
    expect(v.similarRate).toBe(8);
  });
  it('3 per 100 against 8 per 100 is lower beyond chance', () => {
    expect(compareWithSimilar('events', { count: 30, pupils: 1000 }, similar).kind).toBe('lower-strong');
  });
  it('8% of pupils suspended against 4% at 500 pupils is higher beyond chance', () => {
    expect(compareWithSimilar('proportion', { count: 40, pupils: 500 }, similarPupils).kind).toBe('higher-strong');
  });
  it('a large gap on few expected events is still found when it is beyond the 99.8% range (8 against 1 expected)', () => {
    const v = compareWithSimilar('proportion', { count: 8, pupils: 200 }, { count: 10, pupils: 2000 });
    expect(v.expected).toBe(1);
    expect(v.kind).toBe('higher-strong');
  });
});

describe('compareWithSimilar: a difference that must not be claimed', () => {
  it('8.5 per 100 against 8 per 100 is within chance', () => {
    expect(compareWithSimilar('events', { count: 85, pupils: 1000 }, similar).kind).toBe('no-difference');
  });
  it('4.4% against 4% is within chance', () => {
    expect(compareWithSimilar('proportion', { count: 22, pupils: 500 }, similarPupils).kind).toBe('no-difference');
  });
  it('equal rates are never different', () => {
    expect(compareWithSimilar('events', { count: 80, pupils: 1000 }, similar).kind).toBe('no-difference');
  });
  it('between the 95% and 99.8% ranges the wording is only "somewhat"', () => {
    expect(compareWithSimilar('events', { count: 100, pupils: 1000 }, similar).kind).toBe('higher');
    expect(compareWithSimilar('proportion', { count: 10, pupils: 500 }, similarPupils).kind).toBe('lower');
  });
});

describe('compareWithSimilar: too small to tell, or nothing to compare', () => {
  it('one permanent exclusion in 300 pupils against 2 in 3,000 is too small to tell', () => {
    const v = compareWithSimilar('proportion', { count: 1, pupils: 300 }, { count: 2, pupils: 3000 });
    expect(v.expected).toBeCloseTo(0.2, 12);
    expect(v.kind).toBe('too-small');
  });
  it('p = 0.004 on 1 expected event is too small, not "somewhat higher"', () => {
    expect(compareWithSimilar('proportion', { count: 6, pupils: 200 }, { count: 10, pupils: 2000 }).kind).toBe('too-small');
  });
  it('no events anywhere is too small to tell, not "no difference"', () => {
    expect(compareWithSimilar('events', { count: 0, pupils: 200 }, { count: 0, pupils: 2000 }).kind).toBe('too-small');
  });
  it('a suppressed school figure gives no verdict', () => {
    expect(compareWithSimilar('events', null, similar)).toMatchObject({ kind: 'not-published', p: null, schoolRate: null });
    expect(compareWithSimilar('events', { count: 3, pupils: 0 }, similar).kind).toBe('not-published');
  });
  it('no published similar schools gives no verdict', () => {
    expect(compareWithSimilar('events', { count: 30, pupils: 300 }, null).kind).toBe('no-comparison');
    expect(compareWithSimilar('events', { count: 30, pupils: 300 }, { count: 0, pupils: 0 }).kind).toBe('no-comparison');
  });
  it('refuses more pupils with an event than pupils', () => {
    expect(() => compareWithSimilar('proportion', { count: 30, pupils: 20 }, similarPupils)).toThrow(RangeError);
  });
});

describe('compareWithSimilarRange: similar schools whose counts are withheld', () => {
  // An outside review's case: 10 similar schools, 5 publishing 0 permanent exclusions over 1,500
  // pupil-years, 5 withheld (each at least 1, at most 4) over another 1,500; the school 5 in 300.
  const school = { count: 5, pupils: 300 };
  const published = { count: 0, pupils: 1500 };
  const withheld = { low: { count: 0, pupils: 3000 }, high: { count: 20, pupils: 3000 } };

  it('does not call the school higher when the withheld figures could undo it', () => {
    expect(compareWithSimilar('proportion', school, published).kind).toBe('higher-strong');
    const v = compareWithSimilarRange('proportion', school, published, withheld);
    expect(v.kind).toBe('depends-on-withheld');
    expect(v.p).toBeNull();
    expect(v.similarRate).toBe(0);
  });

  it('keeps a difference every way of counting the withheld agrees on', () => {
    const big = { count: 40, pupils: 300 };
    expect(compareWithSimilarRange('proportion', big, published, withheld)).toMatchObject({ kind: 'higher-strong', similarRate: 0 });
    expect(compareWithSimilarRange('proportion', big, published, withheld).bound).toBeUndefined();
  });

  it('gives the weakest claim, with the figures that make it, when all agree on the direction only', () => {
    // 15 of 2,000 against 100 of 40,000 published (beyond chance), and against 100 of 42,000 with
    // the withheld at 0; with them at 4 each, 120 of 42,000: p = 0.002535 by SciPy's hypergeom,
    // only "somewhat" higher.
    const v = compareWithSimilarRange('proportion', { count: 15, pupils: 2000 }, { count: 100, pupils: 40_000 }, {
      low: { count: 100, pupils: 42_000 },
      high: { count: 120, pupils: 42_000 }
    });
    expect(v.kind).toBe('higher');
    expect(v.bound).toBe('high');
    expect(v.p!).toBeCloseTo(0.002534908148751654, 12);
    expect(v.similarRate).toBeCloseTo((120 / 42_000) * 100, 12);
  });

  it('is the plain verdict when nothing is withheld, or no claim is made either way', () => {
    expect(compareWithSimilarRange('proportion', school, published)).toEqual(compareWithSimilar('proportion', school, published));
    const none = compareWithSimilarRange('proportion', { count: 1, pupils: 300 }, published, withheld);
    expect(none.kind).toBe(compareWithSimilar('proportion', { count: 1, pupils: 300 }, published).kind);
    expect(none.bound).toBeUndefined();
  });
});
