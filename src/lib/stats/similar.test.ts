// Similar schools (kNN on standardised measures) against distances worked out by hand.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { similarSchools, similarSchoolsAll, type SchoolFeatures } from './similar';

const school = (urn: string, pupils: number | null, pctEhc: number | null, pctSenSupport: number | null, phase = 'Primary'): SchoolFeatures => ({
  urn,
  phase,
  pupils,
  pctEhc,
  pctSenSupport,
  pctFsm: null
});

// Four primary schools of the same size (so size has no spread and is left out), no FSM figures
// (left out too): the distance uses % EHC plan and % SEN support only.
//   % EHC plan     2, 4, 2, 6        mean 3.5,  sample sd sqrt(11/3)     = 1.914854
//   % SEN support  10, 10, 13, 18    mean 12.75, sample sd sqrt(42.75/3) = 3.774917
//   A to B: |2 - 4| / 1.914854 = 1.044466
//   A to C: |10 - 13| / 3.774917 = 0.794719
//   A to D: sqrt((4 / 1.914854)^2 + (8 / 3.774917)^2) = sqrt(4.363636 + 4.491228) = 2.975712
const A = school('100001', 400, 2, 10);
const B = school('100002', 400, 4, 10);
const C = school('100003', 400, 2, 13);
const D = school('100004', 400, 6, 18);
const SECONDARY_TWIN = school('200001', 400, 2, 10, 'Secondary');

describe('similarSchools', () => {
  it('ranks by standardised distance, worked by hand', () => {
    const r = similarSchools('100001', [A, B, C, D, SECONDARY_TWIN], 3);
    expect(r.neighbours.map((n) => n.urn)).toEqual(['100003', '100002', '100004']);
    expect(r.neighbours[0]!.distance).toBeCloseTo(0.794719, 5);
    expect(r.neighbours[1]!.distance).toBeCloseTo(1.044466, 5);
    expect(r.neighbours[2]!.distance).toBeCloseTo(2.975712, 5);
    expect(r.candidates).toBe(3);
    expect(r.scales.filter((s) => s.used).map((s) => s.key)).toEqual(['pctEhc', 'pctSenSupport']);
    expect(r.scales.find((s) => s.key === 'pctEhc')!.sd).toBeCloseTo(1.914854, 5);
  });

  it('never crosses phase, even for an identical school of another phase', () => {
    const r = similarSchools('100001', [A, B, C, D, SECONDARY_TWIN], 10);
    expect(r.neighbours.map((n) => n.urn)).not.toContain('200001');
    expect(r.neighbours).toHaveLength(3);
  });

  it('k is a control: the first k of the same ranking', () => {
    expect(similarSchools('100001', [A, B, C, D], 1).neighbours.map((n) => n.urn)).toEqual(['100003']);
    expect(similarSchools('100001', [A, B, C, D], 2).neighbours.map((n) => n.urn)).toEqual(['100003', '100002']);
    expect(() => similarSchools('100001', [A, B], 0)).toThrow(RangeError);
  });

  it('counts a measure missing on one side as the typical difference (2), not as a match', () => {
    // F matches A exactly on % SEN support, but its % EHC plan is suppressed. With F in the pool:
    //   % SEN support 10, 10, 13, 18, 10: mean 12.2, sd sqrt(48.8/4) = 3.492850; % EHC plan unchanged.
    //   A to F: sqrt(2 + 0) = 1.414214 (not 0)
    //   A to C: 3 / 3.492850 = 0.858898;  A to B: 1.044466;  A to D: sqrt(4.363636 + (8/3.492850)^2) = 3.099900
    const F = school('100006', 400, null, 10);
    const r = similarSchools('100001', [A, B, C, D, F], 4);
    expect(r.neighbours.map((n) => n.urn)).toEqual(['100003', '100002', '100006', '100004']);
    expect(r.neighbours[0]!.distance).toBeCloseTo(0.858898, 5);
    expect(r.neighbours[2]!.distance).toBeCloseTo(Math.SQRT2, 6);
    expect(r.neighbours[2]!.compared).toEqual(['pctSenSupport']);
    expect(r.neighbours[3]!.distance).toBeCloseTo(3.0999, 4);
  });

  it('puts size on a log scale: 200 and 800 pupils are equally far from 400', () => {
    const schools = [school('1', 400, null, null), school('2', 200, null, null), school('3', 800, null, null)];
    const r = similarSchools('1', schools, 2);
    expect(r.neighbours[0]!.distance).toBeCloseTo(r.neighbours[1]!.distance, 12);
    // ln 400 - ln 200 = ln 2; the sd of ln(200, 400, 800) is ln 2, so the distance is exactly 1.
    expect(r.neighbours[0]!.distance).toBeCloseTo(1, 12);
  });

  it('a phase with no other school gives no neighbours', () => {
    expect(similarSchools('200001', [A, SECONDARY_TWIN], 5)).toMatchObject({ neighbours: [], candidates: 0 });
  });
});

describe('similarSchoolsAll', () => {
  // Few distinct values, so equal distances (ties broken by URN) and missing measures are common.
  const feature = fc.option(fc.constantFrom(0, 1.5, 2, 4, 10, 13.25), { nil: null, freq: 4 });
  const schoolArb = fc.record({
    phase: fc.constantFrom('Primary', 'Secondary', 'Special'),
    pupils: fc.option(fc.constantFrom(0, 30, 400, 401, 1200), { nil: null, freq: 5 }),
    pctEhc: feature,
    pctSenSupport: feature,
    pctFsm: feature
  });

  it('gives every school the neighbours, distances and scales similarSchools gives it', () => {
    fc.assert(
      fc.property(fc.array(schoolArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 25 }), (rows, k) => {
        // URNs in shuffled order, so ties are not broken by input order by accident.
        const schools = rows.map((r, i) => ({ urn: String(100000 + ((i * 7919) % 99991)), ...r }));
        const all = similarSchoolsAll(schools, k);
        expect(all.size).toBe(schools.length);
        for (const s of schools) expect(all.get(s.urn)).toEqual(similarSchools(s.urn, schools, k));
      }),
      { numRuns: 200, seed: 20261206 }
    );
  });

  it('refuses a k that is not a whole number of 1 or more', () => {
    expect(() => similarSchoolsAll([A], 0)).toThrow(RangeError);
  });
});
