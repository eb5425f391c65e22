/**
 * School days of each academic year, with how likely an exclusion is to start on each.
 *
 * Exclusions only start on school days, and their spread over the year matters to anyone who
 * charts them by term: DfE's termly figures put about 40% of suspensions in the autumn term, a
 * third in spring and the rest in the shorter summer term, and almost none during the COVID
 * closures (from 23 March 2020 to the partial reopening in June 2020, and 5 January to 8 March
 * 2021). A typical English LA calendar is approximated: autumn from the first week of September
 * to just before Christmas with an October half term, spring from early January to Easter with
 * a February half term, summer from after Easter to about 20 July with a late-May half term.
 * Nothing falls in August (the summer holiday).
 */

import { easterSunday } from '../codes';

export interface SchoolDay {
  iso: string;
  /** Days since 1970-01-01 (UTC), for ordering and gaps. */
  day: number;
  term: 'autumn' | 'spring' | 'summer';
  weight: number;
}

const MS_PER_DAY = 86_400_000;

function utcDay(y: number, m: number, d: number): number {
  return Math.round(Date.UTC(y, m - 1, d) / MS_PER_DAY);
}

function isoOf(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday. */
function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Easter Sunday as a day number (the date rule lives with the other calendar codes). */
function easter(y: number): number {
  const [yy, mm, dd] = easterSunday(y).split('-').map(Number) as [number, number, number];
  return utcDay(yy, mm, dd);
}

/** The Monday on or after a date. */
function mondayOnOrAfter(day: number): number {
  return day + ((8 - weekday(day)) % 7);
}

const TERM_SHARE = { autumn: 0.4, spring: 0.33, summer: 0.27 } as const;

/** School days for the academic year starting in September of `startYear`. */
export function schoolDays(startYear: number): SchoolDay[] {
  const y1 = startYear + 1;
  const autumnStart = utcDay(startYear, 9, 4);
  const autumnEnd = utcDay(startYear, 12, 20);
  const octHalf = mondayOnOrAfter(utcDay(startYear, 10, 21));
  const springStart = utcDay(y1, 1, 4);
  const easterDay = easter(y1);
  const springEnd = easterDay - 7; // Holy Week and Easter week are the holiday
  const febHalf = mondayOnOrAfter(utcDay(y1, 2, 12));
  const summerStart = easterDay + 8;
  const summerEnd = utcDay(y1, 7, 21);
  const mayDay = mondayOnOrAfter(utcDay(y1, 5, 1));
  const mayHalf = mondayOnOrAfter(utcDay(y1, 5, 25));

  const inWeek = (day: number, monday: number): boolean => day >= monday && day < monday + 5;

  const days: SchoolDay[] = [];
  for (let day = autumnStart; day <= summerEnd; day++) {
    const wd = weekday(day);
    if (wd === 0 || wd === 6) continue;
    let term: SchoolDay['term'] | null = null;
    if (day <= autumnEnd && !inWeek(day, octHalf)) term = 'autumn';
    else if (day >= springStart && day <= springEnd && !inWeek(day, febHalf)) term = 'spring';
    else if (day >= summerStart && !inWeek(day, mayHalf) && day !== mayDay) term = 'summer';
    if (term === null) continue;
    days.push({ iso: isoOf(day), day, term, weight: 1 });
  }

  // Spread each term's share over its days, then damp the COVID closures.
  for (const term of ['autumn', 'spring', 'summer'] as const) {
    const n = days.filter((d) => d.term === term).length;
    for (const d of days) if (d.term === term) d.weight = TERM_SHARE[term] / n;
  }
  const damp = (from: number, to: number, factor: number): void => {
    for (const d of days) if (d.day >= from && d.day <= to) d.weight *= factor;
  };
  if (startYear === 2019) {
    damp(utcDay(2020, 3, 23), utcDay(2020, 5, 31), 0.03);
    damp(utcDay(2020, 6, 1), utcDay(2020, 7, 31), 0.3);
  }
  if (startYear === 2020) damp(utcDay(2021, 1, 5), utcDay(2021, 3, 7), 0.08);
  return days;
}
