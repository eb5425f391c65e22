/**
 * Events every time axis marks (DESIGN.md, "Statistics people expect"): COVID school closures,
 * the SEN reforms, the renaming of fixed-period exclusions, and the change to up to three reasons.
 * Charts show those that fall inside their range; the councillors' view adds the council's own events and
 * targets from data/events.json (src/lib/config/events.ts).
 */
export interface TimeAnnotation {
  kind: 'band' | 'line';
  /** Start year of the academic year (2019 for 2019/20). */
  from: number;
  /** Last academic year covered, for bands. */
  to?: number;
  label: string;
  detail: string;
}

export const NATIONAL_ANNOTATIONS: TimeAnnotation[] = [
  {
    kind: 'line',
    from: 2014,
    label: 'SEN reforms',
    detail: 'From September 2014 EHC plans began to replace statements (completed by 2018), "SEN without a statement" became "SEN support", and the need "behavioural, emotional and social difficulties" became "social, emotional and mental health".'
  },
  {
    kind: 'band',
    from: 2019,
    to: 2020,
    label: 'COVID',
    detail: 'Schools were closed to most pupils for parts of 2019/20 and 2020/21, so exclusions in those years are not comparable with other years.'
  },
  {
    kind: 'line',
    from: 2020,
    label: 'Suspension; up to 3 reasons',
    detail: '"Fixed-period exclusion" was renamed "suspension" in 2020/21, and from then on up to three reasons are recorded for each exclusion.'
  }
];

/**
 * Start years of the academic years not comparable with others (the COVID band above): a headline
 * that compares "three years before" must not set a year against one of these as if it were normal.
 */
export const NOT_COMPARABLE_YEARS: ReadonlySet<number> = new Set(
  NATIONAL_ANNOTATIONS.filter((a) => a.label === 'COVID').flatMap((a) => Array.from({ length: (a.to ?? a.from) - a.from + 1 }, (_, i) => a.from + i))
);

export function annotationsWithin(first: number, last: number, list: TimeAnnotation[] = NATIONAL_ANNOTATIONS): TimeAnnotation[] {
  return list.filter((a) => (a.to ?? a.from) >= first && a.from <= last);
}
