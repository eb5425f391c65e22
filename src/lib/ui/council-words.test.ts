// The councillors' view's sentences claim a difference only when the 95% interval supports it:
// fixtures where one must be claimed and fixtures where it must not. Figures worked by hand.
import { describe, expect, it } from 'vitest';
import { againstComparator, asOften, changeOf, contrast, formatLimit, ratioChange } from './council-words';
import { breakdownView, trendSummary } from './council-view';
import type { CouncilPoint } from '$lib/data/council-queries';
import type { BreakdownRow } from '$lib/data/council-queries';
import { rateInterval } from '$lib/stats/intervals';

describe('contrast of two groups', () => {
  it('claims a difference when the interval is wholly above 1', () => {
    // 50 of 200 (25 per 100) against 30 of 1,000 (3 per 100): 8.3 times, interval far above 1
    const s = contrast('pupils with an EHC plan', { numerator: 50, denominator: 200 }, 'pupils with no SEN', { numerator: 30, denominator: 1000 }, 'proportion', 'suspended');
    expect(s).toMatch(/^pupils with an EHC plan were suspended at 8\.3 times the rate of pupils with no SEN \(95% interval [\d.]+ to [\d.]+\)$/);
  });

  it('claims none when the interval includes 1, however large the ratio looks', () => {
    // 3 of 50 (6 per 100) against 40 of 1,000 (4 per 100): 1.5 times, but 3 pupils cannot show it
    const s = contrast('pupils with an EHC plan', { numerator: 3, denominator: 50 }, 'pupils with no SEN', { numerator: 40, denominator: 1000 }, 'proportion', 'suspended');
    expect(s).toContain('were not clearly different');
    expect(s).toContain('includes 1');
    expect(s).not.toMatch(/times the rate/);
  });

  it('a comparison group with none: says so, rather than that a figure is missing', () => {
    expect(contrast('pupils with an EHC plan', { numerator: 3, denominator: 120 }, 'pupils with no SEN', { numerator: 0, denominator: 900 }, 'proportion', 'permanently excluded')).toBe(
      'pupils with an EHC plan were permanently excluded (2.50 per 100 pupils) and pupils with no SEN were not, so there is no ratio to give'
    );
    expect(contrast('A', { numerator: 0, denominator: 120 }, 'B', { numerator: 0, denominator: 900 }, 'events', 'suspended')).toBe('neither A nor B were suspended');
  });

  it('a group with none is never said to be excluded more, however small its size', () => {
    // Katz with 0.5 added said "at 0.00 times the rate (95% interval 1.28 to 553)".
    const s = contrast('pupils with an EHC plan', { numerator: 0, denominator: 300 }, 'pupils with no SEN', { numerator: 2, denominator: 40_000 }, 'proportion', 'permanently excluded');
    expect(s).toContain('were not clearly different');
  });

  it('says a suppressed figure cannot be compared', () => {
    const s = contrast('A', { numerator: null, denominator: 50, flag: 'c' }, 'B', { numerator: 4, denominator: 100 }, 'events', 'suspended');
    expect(s).toBe('A and B cannot be compared, because a figure is suppressed');
  });
});

describe('change over time', () => {
  it('up only beyond chance', () => {
    expect(changeOf({ numerator: 300, denominator: 1000 }, { numerator: 200, denominator: 1000 }, 'events')).toBe('up');
    // 12 against 10 events in the same number of pupils: well within chance
    expect(changeOf({ numerator: 12, denominator: 1000 }, { numerator: 10, denominator: 1000 }, 'events')).toBe('no clear change');
    expect(changeOf({ numerator: 100, denominator: 1000 }, { numerator: 200, denominator: 1000 }, 'events')).toBe('down');
  });

  it('ratios: different only when the intervals do not overlap', () => {
    expect(ratioChange({ ratio: 6, lower: 5.5, upper: 6.5 }, { ratio: 4, lower: 3.5, upper: 4.5 })).toBe('up');
    expect(ratioChange({ ratio: 6, lower: 4.4, upper: 7.5 }, { ratio: 4, lower: 3.5, upper: 4.5 })).toBe('no clear change');
  });

  it('against a comparator taken as fixed: only when the LA interval excludes its rate', () => {
    // 75 of 250, each suspension a different pupil's: 30 per 100, exact Poisson interval about 23.6 to 37.6
    const separate = { numerator: 75, denominator: 250, withEvent: 75 };
    expect(againstComparator(separate, 20, 'events')).toBe('higher');
    expect(againstComparator(separate, 25, 'events')).toBe('no clear difference');
    expect(againstComparator(separate, 40, 'events')).toBe('lower');
    // The same 75 suspensions of 25 pupils (3 each, so 5 times the variance): about 18 to 48, which holds 20.
    expect(againstComparator({ numerator: 75, denominator: 250, withEvent: 25 }, 20, 'events')).toBe('no clear difference');
    // Pupils suspended not known: England's clustering (4.2) stands in, never none.
    expect(againstComparator({ numerator: 75, denominator: 250 }, 20, 'events')).toBe('no clear difference');
  });
});

const point = (g: CouncilPoint['pupil_group'], year: number, num: number | null, den: number, type = 'LA', name = 'Testshire'): CouncilPoint => ({
  area_type: type,
  area_code: type,
  area_name: name,
  academic_year: `${year}/${String((year + 1) % 100).padStart(2, '0')}`,
  year_start: year,
  pupil_group: g,
  denominator: den,
  denominator_flag: null,
  numerator: num,
  numerator_flag: num === null ? 'c' : null,
  rate: num === null ? null : (num / den) * 100,
  areas: 1
});

describe('trend summary', () => {
  it('claims the rise and the gap when the intervals support them', () => {
    const pts = [point('EHC plan', 2020, 200, 1000), point('EHC plan', 2023, 400, 1000), point('No SEN', 2023, 300, 10000)];
    const s = trendSummary(pts, 'suspension_rate', 'all', 'Testshire');
    expect(s).toContain('Pupils with an EHC plan were suspended at 13 times the rate of pupils with no SEN');
    expect(s).toContain('Since 2020/21 it rose from 20.0 to 40.0 for pupils with an EHC plan, more than chance would explain.');
  });

  it('does not claim a rise or a gap that small numbers cannot show', () => {
    const pts = [point('EHC plan', 2020, 4, 40), point('EHC plan', 2023, 6, 40), point('No SEN', 2023, 40, 400)];
    const s = trendSummary(pts, 'suspension_rate', 'all', 'Testshire');
    expect(s).toContain('were not clearly different');
    expect(s).toContain('a change within what chance would explain');
    expect(s).not.toMatch(/times the rate|more than chance/);
  });
});

describe('breakdowns: suspensions of the same pupils (stats/dispersion.ts)', () => {
  // Permanent exclusions by reason: 30 and 12 among 20,000 pupils with no SEN.
  const reason = (code: string, perm: number, susp: number): BreakdownRow => ({
    pupil_group: 'No SEN',
    category_code: code,
    category: code === 'PD' ? 'Persistent disruptive behaviour' : 'Physical assault against a pupil',
    years: 1,
    pupils: 20000,
    pupils_flag: null,
    suspensions: susp,
    suspensions_flag: null,
    pupils_suspended: null,
    pupils_suspended_flag: 'z',
    permanent_exclusions: perm,
    permanent_exclusions_flag: null,
    sessions_lost: null,
    sessions_lost_flag: 'z',
    // The group's own: 600 suspensions of 200 pupils (3 each, φ = 5).
    group_suspensions: 600,
    group_pupils_suspended: 200
  });
  const rows = [reason('PD', 30, 120), reason('PA', 12, 60)];
  const opts = { dimension: 'reason' as const, groups: ['No SEN'] as const, span: [2023, 2023] as const, laName: 'Testshire' };
  const row = (v: ReturnType<typeof breakdownView>, code: string) => v.rows.find((r) => r.category.startsWith(code === 'PD' ? 'Persistent' : 'Physical'))!;

  it('gives permanent exclusions by reason plain Poisson intervals: one per pupil, nothing to cluster', () => {
    const v = breakdownView(rows, { ...opts, measure: 'permanent_exclusion_rate' });
    const ci = rateInterval(30, 20000, 'events');
    expect(row(v, 'PD')).toMatchObject({ lower: ci.lower, upper: ci.upper });
    // 30 against 12 in the same pupils is beyond chance (ratio 2.5, interval 1.2 to 5.4).
    expect(v.summary).toContain('by more than chance would explain');
  });
  it('widens suspensions by reason by how much the group’s suspensions cluster within its pupils', () => {
    const v = breakdownView(rows, { ...opts, measure: 'suspension_rate' });
    const ci = rateInterval(120, 20000, 'events', 5);
    expect(row(v, 'PD')).toMatchObject({ lower: ci.lower, upper: ci.upper });
  });
});

describe('breakdown summaries', () => {
  const row = (code: string, cat: string, pupils: number, susp: number): BreakdownRow => ({
    pupil_group: 'EHC plan',
    category_code: code,
    category: cat,
    years: 1,
    pupils,
    pupils_flag: null,
    suspensions: susp,
    suspensions_flag: null,
    pupils_suspended: null,
    pupils_suspended_flag: 'z',
    permanent_exclusions: 0,
    permanent_exclusions_flag: null,
    sessions_lost: null,
    sessions_lost_flag: 'z'
  });
  const view = (rows: BreakdownRow[]) =>
    breakdownView(rows, { dimension: 'need', measure: 'suspension_rate', groups: ['EHC plan'], span: [2023, 2023], laName: 'Testshire' }).summary;

  it('names the top need as higher than the next when the interval says so', () => {
    // SEMH 500 of 1,000 (50 per 100) against ASD 100 of 1,000 (10 per 100)
    expect(view([row('SEMH', 'Social, emotional and mental health', 1000, 500), row('ASD', 'Autistic spectrum disorder', 1000, 100)])).toContain(
      'more than the next, autistic spectrum disorder (10.0), by more than chance would explain'
    );
  });

  it('does not, when it does not', () => {
    // 6 of 20 against 5 of 20
    expect(view([row('SEMH', 'Social, emotional and mental health', 20, 6), row('ASD', 'Autistic spectrum disorder', 20, 5)])).toContain(
      'the next, autistic spectrum disorder (25.0), was not clearly lower'
    );
  });
});

describe('ratios in words for the transparency page, and the limits of intervals', () => {
  it('says "as often" only as far as the interval goes', () => {
    // 40 suspensions among 2,000 against 800 among 50,000: 1.25 times, exact interval 0.90 to 1.7.
    expect(asOften({ numerator: 40, denominator: 2000 }, { numerator: 800, denominator: 50_000 }, 'events')).toBe(
      'at a rate not clearly different (1.25 times as often, a gap chance could explain)'
    );
    expect(asOften({ numerator: 4240, denominator: 10_000 }, { numerator: 3300, denominator: 50_000 }, 'events')).toBe('about 6 times as often');
    expect(asOften({ numerator: 250, denominator: 10_000 }, { numerator: 1000, denominator: 100_000 }, 'events')).toBe('about 2.5 times as often');
    expect(asOften({ numerator: 300, denominator: 10_000 }, { numerator: 5000, denominator: 100_000 }, 'events')).toBe('less often (0.60 times as often)');
    expect(asOften({ numerator: null, denominator: 2000 }, { numerator: 800, denominator: 50_000 }, 'events')).toBeNull();
    expect(asOften({ numerator: 5, denominator: 2000 }, { numerator: 0, denominator: 50_000 }, 'events')).toBeNull();
  });

  it('never rounds a limit that is not 1 to 1', () => {
    expect(formatLimit(1.004)).toBe('1.004');
    expect(formatLimit(0.9996)).toBe('0.9996');
    expect(formatLimit(1)).toBe('1.00');
    expect(formatLimit(1.3)).toBe('1.30');
    expect(formatLimit(2.09)).toBe('2.1');
  });
});
