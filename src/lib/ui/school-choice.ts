/**
 * A school page's choices in its address (?group=EHC+plan&measure=...&k=15), the same for the
 * prerendered pages and the shell, so a link to a school's view opens that view whichever kind of
 * page the build has. The shell adds the URN itself (it is the shell's only way to know the school).
 */
import { MEASURE_KEYS } from '$lib/data/measures';
import { SCHOOL_GROUPS } from '$lib/data/school-queries';
import { DEFAULT_NEIGHBOURS, MAX_NEIGHBOURS } from './school-data';
import { params, writeParams, type Values } from './url-state.svelte';

export function schoolChoiceParams() {
  return {
    group: params.oneOf(SCHOOL_GROUPS, 'SEND'),
    measure: params.oneOf(MEASURE_KEYS, 'suspension_rate'),
    k: params.int(1, MAX_NEIGHBOURS, DEFAULT_NEIGHBOURS),
    // The year the schools list showed, when it showed one: the page gives that year's figures
    // beside its pooled comparison. Checked against the release's years by the view.
    year: params.academicYear()
  };
}

export type SchoolChoice = Values<ReturnType<typeof schoolChoiceParams>>;

/**
 * The query string that opens a school's page at this view (`?group=EHC+plan&k=15`), with the
 * standard choices left out, so a link from the schools list or a similar school keeps the group,
 * measure and number of similar schools the reader is looking at (and, from the list, the year it
 * showed). Empty for the standard view.
 */
export function schoolChoiceQuery(choice: Partial<SchoolChoice>): string {
  const schema = schoolChoiceParams();
  const standard = Object.fromEntries(Object.entries(schema).map(([key, p]) => [key, p.fallback])) as SchoolChoice;
  return writeParams(schema, { ...standard, ...choice });
}

export function shellParams() {
  return { urn: params.text('', 6), ...schoolChoiceParams() };
}
