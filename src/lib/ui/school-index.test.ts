// The public pages' pure helpers, checked against hand-written answers: the A–Z list's filing,
// ordering and search rules, the plain-words formatting, and the trend charts' one-line summaries.
import { describe, expect, it } from 'vitest';
import type { RatePoint } from '$lib/data/queries';
import { count, fileSize, longDate, oneInEvery, percent } from './plain-words';
import { groupByLetter, indexLetter, letterId, matchesSearch, missingText, searchKey } from './school-index';
import { changeSentence } from './trend-words';

describe('indexLetter', () => {
  it('files a school under its first letter, ignoring case, accents and leading spaces', () => {
    expect(indexLetter('alpha Academy')).toBe('A');
    expect(indexLetter('École Sainte-Marie')).toBe('E');
    expect(indexLetter('  Ysgol Wessex')).toBe('Y');
  });
  it('files names that do not start with a letter under #', () => {
    expect(indexLetter('3-18 Academy')).toBe('#');
    expect(indexLetter("'t Hooft School")).toBe('#');
  });
});

describe('groupByLetter', () => {
  it('orders letters A to Z with # last, and names as a dictionary would', () => {
    const schools = [
      { urn: '1', name: 'St Mary’s' },
      { urn: '2', name: '1st Academy' },
      { urn: '3', name: 'Abbot’s Cernel' },
      { urn: '4', name: 'abbey Road' },
      { urn: '5', name: 'School 10' },
      { urn: '6', name: 'School 9' }
    ];
    const groups = groupByLetter(schools);
    expect(groups.map((g) => [g.letter, g.id, g.schools.map((s) => s.name)])).toEqual([
      ['A', 'schools-a', ['abbey Road', 'Abbot’s Cernel']],
      ['S', 'schools-s', ['School 9', 'School 10', 'St Mary’s']],
      ['#', 'schools-other', ['1st Academy']]
    ]);
    expect(letterId('#')).toBe('schools-other');
  });
});

describe('matchesSearch', () => {
  const school = { urn: '900297', name: "St Mary's Church of England Primary School" };
  it('matches part of a name whatever the case, apostrophes and accents', () => {
    expect(searchKey("St Mary's C.E. Primary")).toBe('st marys c e primary');
    expect(matchesSearch(school, 'mary')).toBe(true);
    expect(matchesSearch(school, 'MARYS')).toBe(true);
    expect(matchesSearch(school, 'st mary’s')).toBe(true);
    expect(matchesSearch(school, 'primary mary')).toBe(true);
    expect(matchesSearch(school, 'Märy')).toBe(true);
  });
  it('needs every word typed, and matches a URN whole', () => {
    expect(matchesSearch(school, 'mary secondary')).toBe(false);
    expect(matchesSearch(school, '900297')).toBe(true);
    expect(matchesSearch(school, '90029')).toBe(false);
  });
  it('matches everything when nothing (or only punctuation) is typed', () => {
    expect(matchesSearch(school, '')).toBe(true);
    expect(matchesSearch(school, '  ’ ')).toBe(true);
  });
});

describe('missingText', () => {
  it('says why a figure is missing, never a number', () => {
    expect(missingText('c', 'all')).toBe('not published: small numbers');
    expect(missingText('z', 'send')).toBe('no pupils with SEND');
    expect(missingText('none', 'send')).toBe('no figures this year');
    expect(missingText('x', 'all')).toBe('not available');
  });
});

describe('plain words', () => {
  it('writes dates in UTC, the British way', () => {
    expect(longDate('2026-11-24T03:07:16.290Z')).toBe('24 November 2026');
    expect(longDate('2027-07-31')).toBe('31 July 2027');
    expect(() => longDate('soon')).toThrow(RangeError);
  });
  it('writes counts, sizes and shares', () => {
    expect(count(108409)).toBe('108,409');
    expect(fileSize(999)).toBe('999 bytes');
    expect(fileSize(5868)).toBe('5.9 KB');
    expect(fileSize(15928868)).toBe('15.9 MB');
    expect(fileSize(282557)).toBe('283 KB');
    expect(percent(0, 10)).toBe('0%');
    expect(percent(13742, 274912)).toBe('5%'); // 4.9987%: one decimal, trailing .0 dropped
    expect(percent(105656, 274912)).toBe('38%'); // 38.43%
    expect(percent(1, 500)).toBe('0.2%');
    expect(percent(1, 2000)).toBe('less than 0.1%'); // 0.05%: not rounded up to look bigger
  });
  it('restates small rates as 1 in every so many pupils, to two significant figures', () => {
    expect(oneInEvery(0.288)).toBe('about 1 in every 350 pupils'); // 100 / 0.288 = 347.2
    expect(oneInEvery(0.54)).toBe('about 1 in every 190 pupils'); // 185.2
    expect(oneInEvery(0.0746)).toBe('about 1 in every 1,300 pupils'); // 1,340.5
    expect(oneInEvery(0.5)).toBe('about 1 in every 200 pupils');
    expect(oneInEvery(0)).toBeNull();
    expect(oneInEvery(12.7)).toBeNull();
  });
});

describe('changeSentence', () => {
  const p = (area_type: string, pupil_group: RatePoint['pupil_group'], year_start: number, rate: number | null): RatePoint => ({
    area_type,
    area_code: area_type === 'LA' ? '990' : 'E92000001',
    area_name: area_type === 'LA' ? 'Testshire' : 'England',
    academic_year: `${year_start}/${String(year_start + 1).slice(2)}`,
    year_start,
    pupil_group,
    denominator: null,
    denominator_flag: null,
    numerator: null,
    numerator_flag: null,
    rate
  });
  it('says how each group and the comparator changed from the first year to the last', () => {
    const points = [
      p('LA', 'EHC plan', 2016, 20.12),
      p('LA', 'EHC plan', 2023, 42.44),
      p('LA', 'SEN support', 2016, 15),
      p('LA', 'SEN support', 2023, 9.96),
      p('LA', 'No SEN', 2016, 3.01),
      p('LA', 'No SEN', 2023, 2.98),
      p('England', 'All pupils', 2016, 4.81),
      p('England', 'All pupils', 2023, 11.4)
    ];
    expect(changeSentence(points, 'Suspensions per 100 pupils', 1)).toBe(
      'From 2016/17 to 2023/24, suspensions per 100 pupils rose from 20.1 to 42.4 for pupils with an EHC plan, ' +
        'fell from 15.0 to 10.0 for pupils on SEN support and stayed at 3.0 for pupils with no SEN; ' +
        'in England, for all pupils, it rose from 4.8 to 11.4.'
    );
  });
  it('names its own years for a group whose first or last figure is not published, and skips a group with one', () => {
    const points = [
      p('LA', 'EHC plan', 2016, null),
      p('LA', 'EHC plan', 2017, 0.5),
      p('LA', 'EHC plan', 2023, 0.25),
      p('LA', 'SEN support', 2016, 0.1),
      p('LA', 'SEN support', 2023, null),
      p('LA', 'No SEN', 2016, 0.05),
      p('LA', 'No SEN', 2023, 0.07)
    ];
    expect(changeSentence(points, 'Permanent exclusions per 100 pupils', 2)).toBe(
      'From 2016/17 to 2023/24, permanent exclusions per 100 pupils fell from 0.50 to 0.25 (2017/18 to 2023/24) for pupils with an EHC plan ' +
        'and rose from 0.05 to 0.07 for pupils with no SEN.'
    );
  });
  it('describes the all-pupils line when no SEN group has figures (a DfE release, no SEN split)', () => {
    const points = [
      p('LA', 'EHC plan', 2016, null),
      p('LA', 'EHC plan', 2023, null),
      p('LA', 'All pupils', 2016, 4.16),
      p('LA', 'All pupils', 2023, 16.04),
      p('England', 'All pupils', 2016, 4.76),
      p('England', 'All pupils', 2023, 9.33)
    ];
    expect(changeSentence(points, 'Suspensions per 100 pupils', 1)).toBe(
      'From 2016/17 to 2023/24, suspensions per 100 pupils rose from 4.2 to 16.0 for all pupils; in England, for all pupils, it rose from 4.8 to 9.3.'
    );
  });
});
