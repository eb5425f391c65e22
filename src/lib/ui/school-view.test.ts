// A school's page as a view model, on hand-made fixtures: a school whose SEND rate must be found
// higher than its similar schools' while its all-pupil rate must not; a school with every value
// suppressed; a trend with a comparator line that has no point to draw; similar schools with no
// pooled rate, each reason said as it is, in the verdict too; an LA or England figure missing for
// its own reason; and data without a SEN split by school (DfE's files), where the page falls back
// to all pupils and says so.
import { describe, expect, it } from 'vitest';
import type { AreaCountRow, CountRow, PhasePeriodRow, SchoolGroup } from '$lib/data/school-queries';
import type { PupilGroup, SuppressionCode } from '$lib/data/schema';
import type { NeighbourInfo, SchoolData } from './school-data';
import { rateInterval } from '$lib/stats/intervals';
import { hasSenSplit, schoolView } from './school-view';
import { formatRate, trendTable } from './trend';

type Counts = [pupils: number | null, suspensions: number | null, pupilsSuspended: number | null, permanent: number | null];

function row(urn: string, group: PupilGroup, [pupils, s, ps, pe]: Counts, flag: SuppressionCode = 'c', year = '2021/22 to 2023/24', start = 2023): CountRow {
  return {
    urn,
    academic_year: year,
    year_start: start,
    pupil_group: group,
    pupils,
    pupils_flag: pupils === null ? flag : null,
    suspensions: s,
    suspensions_flag: s === null ? flag : null,
    pupils_suspended: ps,
    pupils_suspended_flag: ps === null ? flag : null,
    permanent_exclusions: pe,
    permanent_exclusions_flag: pe === null ? flag : null
  };
}

/** Four group rows for a school: EHC plan, SEN support, No SEN and their sum. */
function school(urn: string, ehc: Counts, sen: Counts, none: Counts, year?: string, start?: number): CountRow[] {
  const sum = (i: number) => ([ehc, sen, none].every((c) => c[i] !== null) ? ehc[i]! + sen[i]! + none[i]! : null);
  return [
    row(urn, 'EHC plan', ehc, 'c', year, start),
    row(urn, 'SEN support', sen, 'c', year, start),
    row(urn, 'No SEN', none, 'c', year, start),
    row(urn, 'All pupils', [sum(0), sum(1), sum(2), sum(3)], 'c', year, start)
  ];
}

function area(type: 'LA' | 'England', group: PupilGroup, year: number, [pupils, s, ps, pe]: Counts, phase = 'Primary'): AreaCountRow {
  const r = row('', group, [pupils, s, ps, pe], 'c', `${year}/${String((year + 1) % 100).padStart(2, '0')}`, year);
  const { urn: _urn, ...rest } = r;
  return { ...rest, area_type: type, area_name: type === 'LA' ? 'Testshire' : 'England', phase };
}

const features = { pupils: 300, pctEhc: 2, pctEhcFlag: null, pctSenSupport: 12, pctSenSupportFlag: null, pctFsm: 20, pctFsmFlag: null };
const neighbourUrns = Array.from({ length: 12 }, (_, i) => String(200001 + i));
const neighbours: NeighbourInfo[] = neighbourUrns.map((urn, i) => ({
  urn,
  name: `Neighbour ${i + 1}`,
  type: 'Academy',
  distance: 0.1 * (i + 1),
  compared: ['size', 'pctEhc', 'pctSenSupport', 'pctFsm'],
  features
}));

function fixture(target: CountRow[], targetYears: CountRow[] = []): SchoolData {
  // Each neighbour, pooled: SEND 200 pupil-years, 20 suspensions (10 per 100); all pupils 1,000, 100 (10 per 100).
  const neighbourPeriods = neighbourUrns.flatMap((u) => school(u, [50, 5, 4, 0], [150, 15, 10, 0], [800, 80, 40, 1]));
  const periods = [...target, ...neighbourPeriods];
  const years = [
    ...targetYears,
    ...neighbourUrns.flatMap((u) => [
      ...school(u, [17, 2, 2, 0], [50, 5, 4, 0], [270, 27, 14, 0], '2022/23', 2022),
      ...school(u, [17, 2, 2, 0], [50, 5, 4, 0], [270, 27, 14, 0], '2023/24', 2023)
    ])
  ];
  const phasePeriod: PhasePeriodRow[] = periods.map((r) => ({ ...r, name: r.urn === '100001' ? 'Target Primary' : `School ${r.urn}` }));
  const areas: AreaCountRow[] = [2021, 2022, 2023].flatMap((y) => [
    area('LA', 'EHC plan', y, [1000, 150, 80, 2]),
    area('LA', 'SEN support', y, [4000, 450, 250, 5]),
    area('LA', 'No SEN', y, [25000, 1500, 900, 10]),
    area('LA', 'All pupils', y, [30000, 2100, 1230, 17]),
    area('England', 'EHC plan', y, [100000, 15000, 8000, 200], 'All'),
    area('England', 'SEN support', y, [400000, 40000, 25000, 500], 'All'),
    area('England', 'No SEN', y, [2500000, 150000, 90000, 1000], 'All'),
    area('England', 'All pupils', y, [3000000, 205000, 123000, 1700], 'All')
  ]);
  return {
    profile: { urn: '100001', laestab: '9902001', name: 'Target Primary', la_name: 'Testshire', phase: 'Primary', type: 'Maintained', trust: null, status: 'Open' },
    latestYear: '2023/24',
    reasonsFrom: 2021,
    period: { label: '2021/22 to 2023/24', first_year_start: 2021, last_year_start: 2023 },
    features,
    candidates: 12,
    scales: [],
    neighbours,
    years,
    periods,
    phasePeriod,
    areas,
    reasons: [
      { academic_year: '2023/24', year_start: 2023, pupil_group: 'EHC plan', reason_code: 'PD', reason: 'Persistent disruptive behaviour', suspensions: 6, suspensions_flag: null, permanent_exclusions: 0, permanent_exclusions_flag: null },
      { academic_year: '2023/24', year_start: 2023, pupil_group: 'SEN support', reason_code: 'PD', reason: 'Persistent disruptive behaviour', suspensions: 9, suspensions_flag: null, permanent_exclusions: 0, permanent_exclusions_flag: null },
      { academic_year: '2023/24', year_start: 2023, pupil_group: 'EHC plan', reason_code: 'TH', reason: 'Theft', suspensions: 0, suspensions_flag: null, permanent_exclusions: 0, permanent_exclusions_flag: null },
      { academic_year: '2023/24', year_start: 2023, pupil_group: 'SEN support', reason_code: 'TH', reason: 'Theft', suspensions: 0, suspensions_flag: null, permanent_exclusions: 0, permanent_exclusions_flag: null },
      { academic_year: '2023/24', year_start: 2023, pupil_group: 'EHC plan', reason_code: 'VA', reason: 'Verbal abuse or threatening behaviour against an adult', suspensions: null, suspensions_flag: 'c', permanent_exclusions: 0, permanent_exclusions_flag: null },
      { academic_year: '2023/24', year_start: 2023, pupil_group: 'SEN support', reason_code: 'VA', reason: 'Verbal abuse or threatening behaviour against an adult', suspensions: 5, suspensions_flag: null, permanent_exclusions: 0, permanent_exclusions_flag: null }
    ]
  };
}

/** The rows matching `which` with every figure missing for `flag` (withheld unless told). */
const withhold = <R extends CountRow | AreaCountRow>(rows: R[], which: (r: R) => boolean, flag: SuppressionCode = 'c'): R[] =>
  rows.map((r) =>
    which(r)
      ? { ...r, pupils: null, pupils_flag: flag, suspensions: null, suspensions_flag: flag, pupils_suspended: null, pupils_suspended_flag: flag, permanent_exclusions: null, permanent_exclusions_flag: flag }
      : r
  );
// The EHC plan part withheld takes SEND with it; the all-pupil row goes too, as disclosure control
// would withhold it (else the withheld part could be worked out from it).
const ehc = (r: CountRow | AreaCountRow) => r.pupil_group === 'EHC plan' || r.pupil_group === 'All pupils';
/** The area rows with the LA's EHC plan (and All pupils) figures withheld and England's not available. */
const laWithheldEnglandNotAvailable = (areas: AreaCountRow[]): AreaCountRow[] =>
  withhold(
    withhold(areas, (r) => r.area_type === 'LA' && ehc(r)),
    (r) => r.area_type === 'England' && ehc(r),
    'x'
  );

const href = (urn: string) => `/schools/${urn}`;

describe('schoolView: a difference that must be found, and one that must not', () => {
  // Target, pooled: SEND 50 + 150 = 200 pupil-years, 20 + 40 = 60 suspensions (30 per 100), three
  // times its similar schools' 10 per 100 (200 of 2,000 pupil-years for 10 neighbours: 20 expected).
  // All pupils: 1,000 pupil-years and 100 suspensions, exactly the similar schools' 10 per 100.
  const data = fixture(school('100001', [50, 20, 10, 0], [150, 40, 20, 0], [800, 40, 30, 1]));
  const view = schoolView(data, { group: 'SEND', measure: 'suspension_rate', k: 10 }, href);

  it('finds SEND higher than similar schools by more than chance would explain', () => {
    expect(view.verdict.group).toBe('SEND');
    expect(view.verdict.verdict).toMatchObject({ kind: 'higher-strong', schoolRate: 30, similarRate: 10, expected: 20 });
    expect(view.verdict.headline).toBe('Higher than similar schools by more than chance would explain');
    expect(view.verdict.detail).toContain('it had 60');
    expect(view.verdict.detail).toContain('not a verdict on the school');
  });

  it('does not claim a difference for all pupils, whose rate equals the similar schools’', () => {
    const all = view.verdicts.find((v) => v.group === 'All pupils')!;
    expect(all.verdict.kind).toBe('no-difference');
    expect(all.headline).not.toContain('more than chance');
  });

  it('shows each group against similar schools, the LA and England, with 95% intervals for the school and its similar schools', () => {
    expect(view.blocks.map((b) => b.id)).toEqual(['SEND', 'EHC plan', 'SEN support', 'No SEN', 'All pupils']);
    const send = view.blocks[0]!.rows;
    expect(send.map((r) => r.id)).toEqual(['school', 'similar', 'la', 'england']);
    expect(send[0]).toMatchObject({ value: 30 });
    expect(send[0]!.lower!).toBeLessThan(30);
    expect(send[0]!.upper!).toBeGreaterThan(30);
    expect(send[1]!.value).toBe(10);
    // LA, pooled over the three years: (150 + 450) x 3 / (1,000 + 4,000) x 3 = 12 per 100.
    expect(send[2]!.value).toBeCloseTo(12, 12);
    // England has no primary rows here, so all schools: 55,000 / 500,000 = 11 per 100.
    expect(send[3]!.value).toBeCloseTo(11, 12);
    expect(view.englandLabel).toBe('England, all schools');
    expect(view.laLabel).toBe('Testshire, primary schools');
  });

  it('takes the number of similar schools as a control', () => {
    expect(view.neighbours).toHaveLength(10);
    expect(schoolView(data, { group: 'SEND', measure: 'suspension_rate', k: 5 }, href).neighbours.map((n) => n.urn)).toEqual(neighbourUrns.slice(0, 5));
    expect(view.neighbours[0]).toMatchObject({ href: '/schools/200001', rate: 10, rateMissing: null });
  });

  it('places the school in its phase’s funnel around the LA rate, and lists it outside the 99.8% limits', () => {
    expect(view.funnel.target).toBeCloseTo(12, 12);
    expect(view.funnel.points.find((p) => p.id === '100001')!.position).toBe('above-998');
    expect(view.funnel.outliers.map((o) => o.urn)).toContain('100001');
  });

  it('lists reasons with SEND summed only where both parts are published, most frequent first, never-used reasons left out', () => {
    expect(view.reasonYears).toEqual(['2023/24']);
    expect(view.reasons.map((r) => [r.code, r.suspensions['2023/24'], r.suspensionFlags['2023/24']])).toEqual([
      ['PD', 15, null],
      ['VA', null, 'c']
    ]);
  });
});

describe('schoolView: suspensions of the same pupils (stats/dispersion.ts)', () => {
  // The same counts as above, but each suspended pupil had 5 suspensions, at the school and at its
  // similar schools: 60 suspensions of 12 pupils against 20 expected are about 7 pupils' worth
  // against 2 or 3, not 60 separate events against 20.
  const clustered = (rows: CountRow[]) =>
    rows.map((r) => (r.suspensions === null || r.pupil_group === 'No SEN' || r.pupil_group === 'All pupils' ? r : { ...r, pupils_suspended: r.suspensions / 5 }));
  const base = fixture(school('100001', [50, 20, 10, 0], [150, 40, 20, 0], [800, 40, 30, 1]));
  const data = { ...base, periods: clustered(base.periods), years: clustered(base.years) };
  const view = schoolView(data, { group: 'SEND', measure: 'suspension_rate', k: 10 }, href);

  it('does not call the school higher beyond chance on repeat suspensions of a few pupils', () => {
    // As separate events this is "higher by more than chance" (the block above).
    expect(view.verdict.verdict.kind).toBe('too-small');
    expect(view.verdict.verdict.dispersion).toBeCloseTo(9, 12);
    expect(view.verdict.detail).toContain('Pupils suspended once are often suspended again, so the 20 suspensions expected tell about as much as 2.2 independent ones would.');
  });

  it('widens the school’s and the similar schools’ intervals by the clustering the verdict uses', () => {
    const send = view.blocks[0]!.rows;
    const plain = schoolView(base, { group: 'SEND', measure: 'suspension_rate', k: 10 }, href).blocks[0]!.rows;
    // The school and its similar schools pooled: 5 suspensions each suspended pupil, φ = 2 x 5 - 1 = 9
    // (in the fixture above, 2 to 3 each).
    const ci = rateInterval(60, 200, 'events', 9);
    expect(send[0]).toMatchObject({ value: 30, lower: ci.lower, upper: ci.upper });
    expect(send[0]!.upper! - send[0]!.lower!).toBeGreaterThan(plain[0]!.upper! - plain[0]!.lower!);
    expect(send[1]!.upper! - send[1]!.lower!).toBeGreaterThan(plain[1]!.upper! - plain[1]!.lower!);
  });

  it('takes the clustering from the school and its similar schools together, not the school’s few pupils alone', () => {
    // An outside review's case: the school's 60 suspensions of 60 different pupils would give it
    // plain Poisson (φ = 1) and an interval wholly above its similar schools', beside a verdict that
    // (rightly, with their repeats) cannot tell.
    const own = { ...data, periods: data.periods.map((r) => (r.urn === '100001' && r.suspensions !== null && (r.pupil_group === 'EHC plan' || r.pupil_group === 'SEN support') ? { ...r, pupils_suspended: r.suspensions } : r)) };
    const v = schoolView(own, { group: 'SEND', measure: 'suspension_rate', k: 10 }, href);
    const phi = v.verdict.verdict.dispersion!;
    expect(phi).toBeGreaterThan(1);
    const ci = rateInterval(60, 200, 'events', phi);
    expect(v.blocks[0]!.rows[0]).toMatchObject({ lower: ci.lower, upper: ci.upper });
  });

  it('judges pupils suspended at least once as before: each pupil counts once', () => {
    const pupils = schoolView(data, { group: 'SEND', measure: 'one_plus_suspension_rate', k: 10 }, href);
    expect(pupils.verdict.verdict.dispersion).toBeUndefined();
  });
});

describe('schoolView: a school with every value suppressed', () => {
  const none: Counts = [null, null, null, null];
  const data = fixture(school('100001', none, none, none), [...school('100001', none, none, none, '2023/24', 2023)]);
  const view = schoolView(data, { group: 'SEND', measure: 'permanent_exclusion_rate', k: 10 }, href);

  it('still renders a sensible page: says the figures are withheld and why, and shows the context', () => {
    expect(view.allSuppressed).toBe(true);
    expect(view.verdict.verdict.kind).toBe('not-published');
    expect(view.verdict.headline).toBe('Not published for this school');
    expect(view.verdict.detail).toContain('not published');
    expect(view.comparisonSummary).toContain('withheld to protect pupils');
    expect(view.blocks[0]!.rows[0]).toMatchObject({ value: null, missing: 'suppressed' });
    expect(view.blocks[0]!.rows[1]!.value).not.toBeNull();
    expect(view.trendSummary).toContain('No year’s');
    expect(view.funnel.points.some((p) => p.id === '100001')).toBe(false);
    expect(view.neighbours).toHaveLength(10);
  });
});

describe('schoolView: data without a SEN split by school', () => {
  // DfE's school-level files: every SEN group's exclusion counts are "not available" (x); the
  // census pupils by SEN provision are still there.
  const x = (pupils: number): Counts => [pupils, null, null, null];
  const target = [
    row('100001', 'EHC plan', x(10), 'x'),
    row('100001', 'SEN support', x(40), 'x'),
    row('100001', 'No SEN', x(250), 'x'),
    row('100001', 'All pupils', [300, 30, 20, 0])
  ];
  const data = fixture(target);
  const view = schoolView(data, { group: 'SEND', measure: 'suspension_rate', k: 10 }, href);

  it('falls back to all pupils, and knows it has no SEN split', () => {
    expect(hasSenSplit(target)).toBe(false);
    expect(view.senSplit).toBe(false);
    expect(view.group).toBe('All pupils');
    expect(view.blocks.map((b) => b.id)).toEqual(['All pupils']);
    expect(view.verdict.group).toBe('All pupils');
    expect(view.verdict.verdict.schoolRate).toBe(10);
  });

  it('does not mistake suppression (c) for a missing split', () => {
    expect(hasSenSplit(school('100001', [null, null, null, null], [null, null, null, null], [250, 10, 5, 0]))).toBe(true);
  });
});

describe('schoolView: similar schools with too few published figures', () => {
  it('gives no comparison rather than pool the few published ones (mostly zeros)', () => {
    const data = fixture(school('100001', [50, 20, 10, 0], [150, 40, 20, 0], [800, 40, 30, 1]));
    // Withhold the SEND parts of 8 of the 10 nearest neighbours (as small counts are), leaving 2 published.
    data.periods = data.periods.map((r) =>
      neighbourUrns.slice(0, 8).includes(r.urn) && r.pupil_group === 'EHC plan' ? { ...r, suspensions: null, suspensions_flag: 'c' } : r
    );
    const view = schoolView(data, { group: 'SEND', measure: 'suspension_rate', k: 10 }, href);
    expect(view.verdict.verdict.kind).toBe('no-comparison');
    // The headline does not say there are no similar schools: the table lists them (an outside review).
    expect(view.verdict.headline).toBe('Too few similar schools publish figures to compare with');
    expect(view.verdict.detail).toContain('Only 2 of its 10 similar schools have published figures');
    expect(view.blocks[0]!.rows[1]).toMatchObject({ value: null, missing: 'too few published' });
    // With half of them published the pool is used, and the page says the rest are withheld.
    data.periods = data.periods.map((r) =>
      neighbourUrns.slice(0, 5).includes(r.urn) || r.pupil_group !== 'EHC plan' || r.urn === '100001' ? r : { ...r, suspensions: 5, suspensions_flag: null }
    );
    const half = schoolView(data, { group: 'SEND', measure: 'suspension_rate', k: 10 }, href);
    expect(half.verdict.included).toBe(5);
    expect(half.verdict.verdict.kind).toBe('higher-strong');
    expect(half.verdict.detail).toContain('The other 5 similar schools’ figures are withheld');
  });
});

describe('schoolView: SEND against No SEN at the school', () => {
  it('gives the rate ratio with its exact interval and says what the interval supports', () => {
    const data = fixture(school('100001', [50, 20, 10, 0], [150, 40, 20, 0], [800, 40, 30, 1]));
    const view = schoolView(data, { group: 'SEND', measure: 'suspension_rate', k: 10 }, href);
    // 60 / 200 against 40 / 800: 0.3 / 0.05 = 6.
    expect(view.riskRatio!.ratio.ratio).toBeCloseTo(6, 12);
    expect(view.riskRatio!.ratio.lower!).toBeGreaterThan(1);
    expect(view.riskRatio!.comparison).toBe('higher');
    expect(view.riskRatio!.sentence).toContain('6.0 times the rate of pupils with no SEN (95% interval');
    expect(schoolView(data, { group: 'All pupils', measure: 'suspension_rate', k: 10 }, href).riskRatio).toBeNull();
  });
});

describe('schoolView: what an outside review of the statistics found', () => {
  it('does not call a school higher when its similar schools’ withheld figures could undo it', () => {
    // No SEN permanent exclusions: the school 5 in 800 pupil-years; 5 similar schools publish 0
    // over 800 each, the other 5 are withheld (1 to 4 each). Pooled from the published ones, 0 in
    // 4,000 (higher beyond chance); counting the withheld at 4 each, 20 in 8,000: too small to tell.
    const data = fixture(school('100001', [50, 20, 10, 0], [150, 40, 20, 0], [800, 40, 30, 5]));
    data.periods = data.periods.map((r) =>
      r.urn === '100001' || r.pupil_group !== 'No SEN' || !neighbourUrns.slice(0, 10).includes(r.urn)
        ? r
        : neighbourUrns.slice(0, 5).includes(r.urn)
          ? { ...r, permanent_exclusions: 0 }
          : { ...r, permanent_exclusions: null, permanent_exclusions_flag: 'c' }
    );
    const view = schoolView(data, { group: 'No SEN', measure: 'permanent_exclusion_rate', k: 10 }, href);
    expect(view.verdict.verdict.kind).toBe('depends-on-withheld');
    expect(view.verdict.headline).toBe('Cannot tell: it depends on figures withheld at similar schools');
    expect(view.verdict.detail).toContain('5 of its 10 similar schools have their figures withheld');
    expect(view.verdict.detail).not.toContain('Chance alone');
  });

  it('says which reason was most often only as far as the published figures can tell', () => {
    // SEND: persistent disruption 15 published; verbal abuse withheld (one part withheld).
    const data = fixture(school('100001', [50, 20, 10, 0], [150, 40, 20, 0], [800, 40, 30, 1]));
    const send = schoolView(data, { group: 'SEND', measure: 'suspension_rate', k: 10 }, href);
    expect(send.reasonsSummary).toContain('Among the published figures, the reason recorded most often');
    expect(send.reasonsSummary).toContain('could change that order');
    // With every reason published the sentence says it plainly; a tie names both.
    data.reasons = data.reasons!.map((r) => (r.suspensions === null ? { ...r, suspensions: 10, suspensions_flag: null } : r));
    const tie = schoolView(data, { group: 'SEND', measure: 'suspension_rate', k: 10 }, href);
    expect(tie.reasonsSummary).toMatch(/^The reasons recorded most often .* as often as each other, are “Persistent disruptive behaviour” and “Verbal abuse/);
    data.reasons = data.reasons!.map((r) => (r.reason_code === 'VA' && r.pupil_group === 'EHC plan' ? { ...r, suspensions: 1 } : r));
    expect(schoolView(data, { group: 'SEND', measure: 'suspension_rate', k: 10 }, href).reasonsSummary).toMatch(/^The reason recorded most often .* is “Persistent disruptive behaviour”\./);
  });

  it('says neither group had any, rather than that a figure is not published, at 0 against 0', () => {
    const data = fixture(school('100001', [50, 0, 0, 0], [150, 0, 0, 0], [800, 0, 0, 0]));
    const view = schoolView(data, { group: 'SEND', measure: 'permanent_exclusion_rate', k: 10 }, href);
    expect(view.riskRatio!.sentence).toBe('Over 2021/22 to 2023/24, neither pupils with SEND nor pupils with no SEN at Target Primary had any permanent exclusions, so there is no ratio to give.');
    const some = fixture(school('100001', [50, 0, 0, 2], [150, 0, 0, 3], [800, 0, 0, 0]));
    expect(schoolView(some, { group: 'SEND', measure: 'permanent_exclusion_rate', k: 10 }, href).riskRatio!.sentence).toContain(
      'pupils with no SEN at Target Primary had no permanent exclusions, so there is no ratio to give'
    );
  });

  it('never shows an interval that reads as holding 1 beside a verdict of higher', () => {
    // 29 of 400 against 300 of 6,000 pupils with an event: Katz 1.004 to 2.09.
    const data = fixture(school('100001', [100, 40, 10, 0], [300, 60, 19, 0], [6000, 600, 300, 1]));
    const view = schoolView(data, { group: 'SEND', measure: 'one_plus_suspension_rate', k: 10 }, href);
    expect(view.riskRatio!.comparison).toBe('higher');
    expect(view.riskRatio!.ratio.lower!).toBeLessThan(1.005);
    expect(view.riskRatio!.sentence).toMatch(/1\.45 times the rate of pupils with no SEN \(95% interval 1\.00[1-9]\d* to 2\.1\): higher/);
  });
});

describe('schoolView: a reader who comes from one year’s figures (the schools list for 2022/23)', () => {
  // Target's own years: SEND 2022/23 is 20 + 50 = 70 pupils with 7 suspensions (10 per 100); its
  // EHC plan pupils in 2023/24 are withheld. Neighbours each year: SEND 67 pupils, 7 suspensions.
  const years = [
    ...school('100001', [20, 2, 2, 0], [50, 5, 4, 0], [300, 30, 15, 0], '2022/23', 2022),
    ...school('100001', [null, null, null, null], [50, 5, 4, 0], [300, 30, 15, 0], '2023/24', 2023)
  ];
  const data = fixture(school('100001', [50, 20, 10, 0], [150, 40, 20, 0], [800, 40, 30, 1]), years);
  const view = (year: string, group: 'SEND' | 'No SEN' = 'SEND') => schoolView(data, { group, measure: 'suspension_rate', k: 10, year }, href);

  it('gives that year’s rates, the same as the trend’s, and says the comparison pools the years', () => {
    const { lead, text: note } = view('2022/23').yearNote!;
    expect(lead).toBe('2022/23 on its own.');
    const own = rateInterval(7, 70, 'events', 1);
    expect(own.rate).toBeCloseTo(10, 12);
    expect(note).toMatch(/^Suspensions per 100 pupils, for pupils with SEND: Target Primary 10\.0 \(95% interval /);
    // Similar schools that year: 10 x 7 suspensions over 10 x 67 pupils; the LA: 600 of 5,000.
    expect(note).toContain('; similar schools 10.4; Testshire, primary schools 12.0.');
    expect(note).toContain('use 2021/22 to 2023/24 together, because one year of one school is often too few pupils');
    const point = view('2022/23').trend[0]!.points.find((p) => p.xLabel === '2022/23')!;
    expect(note).toContain(`(95% interval ${formatRate(point.lower!)} to ${formatRate(point.upper!)})`);
  });

  it('follows the group chosen, and says why a year’s figure is missing', () => {
    expect(view('2022/23', 'No SEN').yearNote?.text).toContain('for pupils with no SEN: Target Primary 10.0');
    expect(view('2023/24').yearNote?.text).toContain('Target Primary not published (');
    expect(view('2022/23').trendSummary).toContain('; 1 of 2 years is not published.');
    expect(view('2022/23', 'No SEN').trendSummary).toContain('; all 2 years are published.');
  });

  it('says so when the release has no figures for the year, and says nothing when no year is chosen', () => {
    expect(view('2015/16').yearNote?.lead).toBe('This release has no figures for 2015/16.');
    expect(view('2015/16').yearNote?.text).toMatch(/^The comparison and the verdict below use 2021\/22 to 2023\/24 together/);
    expect(view('').yearNote).toBeNull();
  });
});

describe('schoolView: the trend names only the lines it draws', () => {
  const none: Counts = [null, null, null, null];
  // The target's own SEND figures withheld in both years, as at a small school (URN 900297 in the demo data).
  const targetYears = [
    ...school('100001', none, none, [270, 27, 14, 0], '2022/23', 2022),
    ...school('100001', none, none, [270, 27, 14, 0], '2023/24', 2023)
  ];
  const neighbourRow = (r: CountRow) => r.urn !== '100001';
  const view = (data: SchoolData, group: SchoolGroup = 'SEND') => schoolView(data, { group, measure: 'suspension_rate', k: 10 }, href);
  const base = fixture(school('100001', none, none, [800, 80, 40, 1]), targetYears);

  it('does not claim a similar-schools line when every year of theirs is withheld, and says why there is none', () => {
    // Every similar school's EHC plan figures (and so SEND's) withheld in both years: no pooled point.
    const data = { ...base, years: withhold(base.years, (r) => neighbourRow(r) && ehc(r)) };
    const v = view(data);
    expect(v.trend.find((s) => s.id === 'similar')!.points.every((p) => p.y === null)).toBe(true);
    expect(v.trendSummary).toBe(
      'No year’s suspensions per 100 pupils is published for pupils with SEND at Target Primary (small numbers); the lines show Testshire and England. ' +
        'Its similar schools’ figures are withheld to protect pupils (small numbers) in every year shown, so no line is drawn for them.'
    );
    // The chart's description keys only marks that are drawn: no school band, no similar schools.
    expect(v.trendDescription).toBe(`${v.trendSummary} Dashed: Testshire, primary schools; England, all schools.`);
    // The table keeps the column, each year saying why it is empty (suppressed), as the summary does.
    for (const r of trendTable(v.trend)) expect([r.values.similar, r.flags.similar]).toEqual([null, 'c']);
  });

  it('says too few publish, not that all are withheld, when some similar schools publish but never enough to pool', () => {
    // Four of the ten publish each year: fewer than half, so no year has a pooled rate.
    const data = { ...base, years: withhold(base.years, (r) => neighbourRow(r) && ehc(r) && Number(r.urn) > 200004) };
    const v = view(data);
    expect(v.trend.find((s) => s.id === 'similar')!.points.every((p) => p.y === null)).toBe(true);
    expect(v.trendSummary).toContain('; the lines show Testshire and England. ');
    expect(v.trendSummary).toContain(
      ' Too few of its similar schools have published figures in any year shown for a fair pooled rate: the others’ figures are withheld to protect pupils (small numbers), so no line is drawn for them.'
    );
  });

  it('keeps today’s sentence when the similar schools have a point to draw', () => {
    // Withheld in 2022/23 only: 2023/24 still has a pooled rate, so the line is drawn.
    const data = { ...base, years: withhold(base.years, (r) => neighbourRow(r) && ehc(r) && r.year_start === 2022) };
    const v = view(data);
    expect(v.trend.find((s) => s.id === 'similar')!.points.map((p) => p.y === null)).toEqual([true, false]);
    expect(v.trendSummary).toBe(
      'No year’s suspensions per 100 pupils is published for pupils with SEND at Target Primary (small numbers); the lines show its similar schools, Testshire and England.'
    );
    expect(v.trendDescription).toBe(
      `${v.trendSummary} Similar schools are pooled over those with published figures each year. Dashed: Testshire, primary schools; England, all schools.`
    );
    // A school with published years: the sentence and the description as before.
    const published = view(base, 'No SEN');
    expect(published.trendSummary).toBe(
      'Suspensions per 100 pupils for pupils with no SEN at Target Primary: 10.0 in 2023/24, the latest year published; all 2 years are published.'
    );
    expect(published.trendDescription).toBe(
      `${published.trendSummary} Shaded: 95% interval for the school. Similar schools are pooled over those with published figures each year. Dashed: Testshire, primary schools; England, all schools.`
    );
  });

  it('treats the LA and England lines the same way, with each one’s own reason', () => {
    const data = {
      ...base,
      areas: laWithheldEnglandNotAvailable(base.areas)
    };
    const v = view(data);
    expect(v.trendSummary).toBe(
      'No year’s suspensions per 100 pupils is published for pupils with SEND at Target Primary (small numbers); the line shows its similar schools. ' +
        'The figures for Testshire are withheld to protect pupils (small numbers) in every year shown, so no line is drawn for it. ' +
        'The figures for England are not available in every year shown, so no line is drawn for it.'
    );
    expect(v.trendDescription).toBe(`${v.trendSummary} Similar schools are pooled over those with published figures each year.`);
    // With the school's own line published, the sentence about it is kept and the missing line added.
    const own = view({ ...base, areas: withhold(base.areas, (r) => r.area_type === 'LA' && r.pupil_group === 'No SEN') }, 'No SEN');
    expect(own.trendSummary).toBe(
      'Suspensions per 100 pupils for pupils with no SEN at Target Primary: 10.0 in 2023/24, the latest year published; all 2 years are published. ' +
        'The figures for Testshire are withheld to protect pupils (small numbers) in every year shown, so no line is drawn for it.'
    );
    expect(own.trendDescription).toBe(
      `${own.trendSummary} Shaded: 95% interval for the school. Similar schools are pooled over those with published figures each year. Dashed: England, all schools.`
    );
  });

  it('does not call the similar schools’ figures withheld when they have no pupils in the group', () => {
    // No similar school has a pupil with an EHC plan: a rate over no pupils, not a suppression.
    const data = {
      ...base,
      years: base.years.map((r) => (neighbourRow(r) && r.pupil_group === 'EHC plan' ? { ...r, pupils: 0, suspensions: 0, pupils_suspended: 0, permanent_exclusions: 0 } : r))
    };
    const v = view(data, 'EHC plan');
    expect(v.trendSummary).toContain(' Its similar schools’ figures are not applicable (no pupils in this group) in every year shown, so no line is drawn for them.');
    for (const r of trendTable(v.trend)) expect(r.flags.similar).toBe('z');
  });
});

describe('schoolView: why the similar schools have no pooled rate, in the comparison and the one-year note', () => {
  // The target publishes everything; what its similar schools lack decides the words. Each case
  // takes their EHC plan figures (and so SEND's) away in the pooled years and in 2022/23, the year
  // the reader comes from.
  const years = [
    ...school('100001', [20, 2, 2, 0], [50, 5, 4, 0], [300, 30, 15, 0], '2022/23', 2022),
    ...school('100001', [20, 2, 2, 0], [50, 5, 4, 0], [300, 30, 15, 0], '2023/24', 2023)
  ];
  const base = fixture(school('100001', [50, 20, 10, 0], [150, 40, 20, 0], [800, 40, 30, 1]), years);
  const neighbourRow = (r: CountRow) => r.urn !== '100001';
  /** The chosen similar schools' (all unless told) EHC plan and all-pupil figures missing for `flag`. */
  const without = (flag: SuppressionCode, which: (urn: string) => boolean = () => true): SchoolData => ({
    ...base,
    periods: withhold(base.periods, (r) => neighbourRow(r) && which(r.urn) && ehc(r), flag),
    years: withhold(base.years, (r) => neighbourRow(r) && which(r.urn) && ehc(r) && r.year_start === 2022, flag)
  });
  const view = (data: SchoolData, group: SchoolGroup = 'SEND') => schoolView(data, { group, measure: 'suspension_rate', k: 10, year: '2022/23' }, href);
  // Four of the ten nearest publish: fewer than half, so no pool.
  const fewPublish = (urn: string) => Number(urn) > 200004;

  it('says withheld when their figures are withheld', () => {
    const v = view(without('c'));
    expect(v.comparisonSummary).toBe(
      'Suspensions per 100 pupils, 2021/22 to 2023/24 together, for pupils with SEND: Target Primary 30.0; similar schools withheld to protect pupils (small numbers); Testshire, primary schools 12.0; England, all schools 11.0.'
    );
    expect(v.blocks[0]!.rows[1]).toMatchObject({ value: null, missing: 'none published', flag: 'c' });
    expect(v.yearNote!.text).toContain(': Target Primary 10.0 (95% interval ');
    expect(v.yearNote!.text).toContain('; similar schools withheld to protect pupils (small numbers); Testshire, primary schools 12.0.');
  });

  it('says too few publish when some do, and why the others’ figures are missing', () => {
    const withheld = view(without('c', fewPublish));
    const said = '; too few similar schools have published figures for a fair pooled rate, the others’ figures being withheld to protect pupils (small numbers); Testshire, primary schools 12.0';
    expect(withheld.comparisonSummary).toContain(`: Target Primary 30.0${said}; England`);
    expect(withheld.blocks[0]!.rows[1]).toMatchObject({ value: null, missing: 'too few published', flag: 'c' });
    expect(withheld.yearNote!.text).toContain(`${said}.`);
    // The others' figures not available: too few, but nothing withheld.
    const absent = view(without('x', fewPublish));
    expect(absent.comparisonSummary).toContain('; too few similar schools have published figures for a fair pooled rate, the others’ figures being not available; ');
    expect(absent.blocks[0]!.rows[1]).toMatchObject({ value: null, missing: 'too few published', flag: 'x' });
    expect(absent.yearNote!.text).toContain('; too few similar schools have published figures for a fair pooled rate, the others’ figures being not available; ');
  });

  it('says not available, not withheld, when their figures are not available', () => {
    const v = view(without('x'));
    expect(v.comparisonSummary).toContain(': Target Primary 30.0; similar schools not available; Testshire');
    expect(v.comparisonSummary).not.toContain('withheld');
    expect(v.blocks[0]!.rows[1]).toMatchObject({ value: null, missing: 'not available', flag: 'x' });
    expect(v.yearNote!.text).toContain('; similar schools not available; Testshire');
  });

  it('says not applicable, not withheld, when they have no pupils in the group', () => {
    const noEhc = <R extends CountRow>(rows: R[]) =>
      rows.map((r) => (neighbourRow(r) && r.pupil_group === 'EHC plan' ? { ...r, pupils: 0, suspensions: 0, pupils_suspended: 0, permanent_exclusions: 0 } : r));
    const v = view({ ...base, periods: noEhc(base.periods), years: noEhc(base.years) }, 'EHC plan');
    expect(v.comparisonSummary).toContain(': Target Primary 40.0; similar schools not applicable (no pupils in this group); Testshire');
    expect(v.blocks.find((b) => b.id === 'EHC plan')!.rows[1]).toMatchObject({ value: null, missing: 'no pupils in this group', flag: 'z' });
    expect(v.yearNote!.text).toContain(': Target Primary 10.0 (95% interval ');
    expect(v.yearNote!.text).toContain('; similar schools not applicable (no pupils in this group); Testshire');
  });

  it('gives the verdict the same reason: withheld as before, else not available or no pupils, never blaming withheld counts', () => {
    // Withheld: today's words exactly.
    const withheld = view(without('c', fewPublish)).verdict;
    expect(withheld.headline).toBe('Too few similar schools publish figures to compare with');
    expect(withheld.detail).toContain(
      'Only 4 of its 10 similar schools have published figures for pupils with SEND over 2021/22 to 2023/24. That is too few to stand for schools like it: the figures withheld are mostly counts of 1 to 4, while zeros are published'
    );
    expect(view(without('c')).verdict.detail).toContain('None of its similar schools has published figures for pupils with SEND over 2021/22 to 2023/24, so there is nothing to compare with.');
    // Not available.
    const few = view(without('x', fewPublish)).verdict;
    expect(few.verdict.kind).toBe('no-comparison');
    expect(few.headline).toBe('Too few similar schools have figures available to compare with');
    expect(few.detail).toContain(
      'Only 4 of its 10 similar schools have figures for pupils with SEND over 2021/22 to 2023/24; the others’ figures are not available. That is too few to stand for schools like it, so no comparison is made.'
    );
    expect(few.detail).not.toContain('withheld');
    expect(view(without('x')).verdict.detail).toContain('None of its similar schools has figures for pupils with SEND over 2021/22 to 2023/24: they are not available');
    // No pupils in the group.
    const noEhc = <R extends CountRow>(rows: R[]) =>
      rows.map((r) => (neighbourRow(r) && r.pupil_group === 'EHC plan' ? { ...r, pupils: 0, suspensions: 0, pupils_suspended: 0, permanent_exclusions: 0 } : r));
    const z = view({ ...base, periods: noEhc(base.periods), years: noEhc(base.years) }, 'EHC plan').verdict;
    expect(z.headline).toBe('Too few similar schools have pupils in this group to compare with');
    expect(z.detail).toContain('None of its similar schools had any pupils with an EHC plan over 2021/22 to 2023/24, so there is nothing to compare with.');
  });

  it('says the others’ figures are not available, not withheld, when the pool leaves some out for that', () => {
    // Three of the ten not available: seven pooled, so a verdict with the rest explained.
    const v = view(without('x', (urn) => Number(urn) > 200007)).verdict;
    expect(v.included).toBe(7);
    expect(v.detail).toContain(' The other 3 similar schools’ figures are not available, so the similar schools’ rate is for those published.');
    expect(v.detail).not.toContain('withheld');
  });
});

describe('schoolView: why the LA’s or England’s figure is missing, in the comparison and the one-year note', () => {
  const years = [
    ...school('100001', [20, 2, 2, 0], [50, 5, 4, 0], [300, 30, 15, 0], '2022/23', 2022),
    ...school('100001', [20, 2, 2, 0], [50, 5, 4, 0], [300, 30, 15, 0], '2023/24', 2023)
  ];
  const base = fixture(school('100001', [50, 20, 10, 0], [150, 40, 20, 0], [800, 40, 30, 1]), years);
  const view = (data: SchoolData, group: SchoolGroup = 'SEND') => schoolView(data, { group, measure: 'suspension_rate', k: 10, year: '2022/23' }, href);

  it('says the LA’s figure is withheld when it is, and England’s not available when that is the reason', () => {
    const data = {
      ...base,
      areas: laWithheldEnglandNotAvailable(base.areas)
    };
    const v = view(data);
    expect(v.blocks[0]!.rows[2]).toMatchObject({ id: 'la', value: null, missing: 'suppressed', flag: 'c' });
    expect(v.blocks[0]!.rows[3]).toMatchObject({ id: 'england', value: null, missing: 'not available', flag: 'x' });
    expect(v.comparisonSummary).toBe(
      'Suspensions per 100 pupils, 2021/22 to 2023/24 together, for pupils with SEND: Target Primary 30.0; similar schools 10.0; Testshire, primary schools withheld to protect pupils (small numbers); England, all schools not available.'
    );
    expect(v.yearNote!.text).toContain('; similar schools 10.4; Testshire, primary schools withheld to protect pupils (small numbers). The comparison');
  });

  it('says not applicable when the LA has no pupils in the group, and flags nothing when it publishes', () => {
    const noEhc = base.areas.map((r) => (r.area_type === 'LA' && r.pupil_group === 'EHC plan' ? { ...r, pupils: 0, suspensions: 0, pupils_suspended: 0, permanent_exclusions: 0 } : r));
    const v = view({ ...base, areas: noEhc }, 'EHC plan');
    const rows = v.blocks.find((b) => b.id === 'EHC plan')!.rows;
    expect(rows[2]).toMatchObject({ value: null, missing: 'no pupils in this group', flag: 'z' });
    expect(rows[3]).toMatchObject({ flag: null });
    expect(rows[3]!.value).not.toBeNull();
    expect(v.comparisonSummary).toContain('; Testshire, primary schools not applicable (no pupils in this group); England, all schools 15.0.');
    expect(v.yearNote!.text).toContain('; Testshire, primary schools not applicable (no pupils in this group). The comparison');
  });
});
