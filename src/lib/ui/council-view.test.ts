// The councillors' headline on hand-made rows: which earlier years it sets the latest against. The
// COVID years (2019/20, 2020/21) are not comparable, so a headline for 2023/24 must not say "up,
// beyond chance" against 2020/21 as if it were an ordinary year (an outside review found it did).
import { describe, expect, it } from 'vitest';
import type { LaYearRow } from '$lib/data/council-queries';
import type { PupilGroup } from '$lib/data/schema';
import { headline } from './council-view';

function rows(years: number[]): LaYearRow[] {
  const groups: PupilGroup[] = ['EHC plan', 'SEN support', 'No SEN', 'All pupils'];
  return years.flatMap((y) =>
    groups.map((g) => ({
      academic_year: `${y}/${String((y + 1) % 100).padStart(2, '0')}`,
      year_start: y,
      pupil_group: g,
      pupils: 1000,
      pupils_flag: null,
      suspensions: 100,
      suspensions_flag: null,
      pupils_suspended: 50,
      pupils_suspended_flag: null,
      pupils_repeat_suspended: 20,
      pupils_repeat_suspended_flag: null,
      permanent_exclusions: 1,
      permanent_exclusions_flag: null,
      sessions_lost: 300,
      sessions_lost_flag: null
    }))
  );
}

describe('headline: the years the latest is set against', () => {
  it('the year before, and three years before when that is an ordinary year', () => {
    const h = headline(rows([2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024]), 'Testshire')!;
    expect([h.year, h.previousYear, h.earlierYear]).toEqual(['2024/25', '2023/24', '2021/22']);
  });

  it('goes back past the COVID years to the last year before them, rather than compare with one', () => {
    const h = headline(rows([2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023]), 'Testshire')!;
    expect([h.year, h.previousYear, h.earlierYear]).toEqual(['2023/24', '2022/23', '2018/19']);
    expect(h.measures[0]!.groups[0]!.earlier).not.toBeNull();
  });

  it('has no "year before" when that was a COVID year, and no earlier column without a comparable year', () => {
    const h = headline(rows([2019, 2020, 2021]), 'Testshire')!;
    expect([h.year, h.previousYear, h.earlierYear]).toEqual(['2021/22', null, null]);
    expect(h.measures[0]!.groups[0]!.previous).toBeNull();
    expect(h.measures[0]!.sentence).not.toMatch(/since|from 2020/);
  });
});
