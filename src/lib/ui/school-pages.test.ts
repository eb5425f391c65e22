// Links to a school's page: the right page for the build's mode, opened at the view the reader was
// looking at (an outside review found the schools list and the similar-school links dropped it).
import { describe, expect, it } from 'vitest';
import { schoolChoiceParams, schoolChoiceQuery } from './school-choice';
import { parseUrn, schoolHref } from './school-pages';

describe('schoolHref', () => {
  it('links to the prerendered page, or the shell with the URN, under the base path', () => {
    expect(schoolHref('100001', true)).toBe('/schools/100001');
    expect(schoolHref('100001', false, '/exclusions')).toBe('/exclusions/schools/school?urn=100001');
  });
  it('carries the view: after the path, or after the shell’s URN', () => {
    const q = schoolChoiceQuery({ group: 'EHC plan', measure: 'permanent_exclusion_rate', k: 15 });
    expect(q).toBe('?group=EHC+plan&measure=permanent_exclusion_rate&k=15');
    expect(schoolHref('100001', true, '', q)).toBe('/schools/100001?group=EHC+plan&measure=permanent_exclusion_rate&k=15');
    expect(schoolHref('100001', false, '', q)).toBe('/schools/school?urn=100001&group=EHC+plan&measure=permanent_exclusion_rate&k=15');
  });
  it('leaves the standard view out of the address, so the prerendered links stay plain', () => {
    expect(schoolChoiceQuery({ group: 'SEND', measure: 'suspension_rate' })).toBe('');
    expect(schoolChoiceQuery({})).toBe('');
    expect(schoolHref('100001', true, '', schoolChoiceQuery({ measure: 'suspension_rate' }))).toBe('/schools/100001');
    expect(schoolChoiceQuery({ group: 'No SEN' })).toBe('?group=No+SEN');
  });
  it('carries the year the schools list showed, read back only as an academic year', () => {
    expect(schoolChoiceQuery({ group: 'SEND', year: '2022/23' })).toBe('?year=2022%2F23');
    const year = schoolChoiceParams().year;
    expect(year.parse('2022/23')).toBe('2022/23');
    expect(year.parse('1999/00')).toBe('1999/00');
    for (const bad of ['2022/24', '2022-23', '2022/23x', 'period', '']) expect(year.parse(bad)).toBeUndefined();
  });
  it('reads a URN as six digits and nothing else', () => {
    expect(parseUrn(' 100001 ')).toBe('100001');
    expect(parseUrn('10001')).toBeNull();
    expect(parseUrn('100001&x=1')).toBeNull();
  });
});
