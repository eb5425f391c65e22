/**
 * The audit's own description of a published release: which tables it expects, their columns, which
 * columns are counts, the pupil groups and the flag codes.
 *
 * Deliberately written out again here instead of imported from `src/lib/data/schema.ts`: the audit
 * must not share code with the pipeline that produced the files, so that a mistake in the shared
 * definition (a count column left out, a misspelt group) cannot make the pipeline and its audit
 * agree on something wrong. The price is double entry: when the published schema changes, this file
 * has to be updated too, and until it is the audit fails the release with `schema` breaches (it
 * cannot vouch for columns it does not know).
 */

export const TABLE_NAMES = ['schools', 'school_year', 'school_year_reason', 'school_period', 'area_year', 'area_breakdown'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export function isTableName(name: string): name is TableName {
  return (TABLE_NAMES as readonly string[]).includes(name);
}

/** The three formats every table is published in, each of which a reader may download. */
export const FORMATS = ['csv', 'parquet', 'arrow'] as const;
export type Format = (typeof FORMATS)[number];

/** Count columns of each table, in the order the audit reports them. */
const YEAR_COUNTS = ['pupils', 'suspensions', 'pupils_suspended', 'pupils_repeat_suspended', 'permanent_exclusions', 'sessions_lost', 'pupils_fsm'];

export const COUNT_COLUMNS: Record<TableName, readonly string[]> = {
  schools: [],
  school_year: YEAR_COUNTS,
  school_year_reason: ['suspensions', 'permanent_exclusions'],
  school_period: ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost'],
  area_year: YEAR_COUNTS,
  area_breakdown: ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost']
};

const YEAR_PUPIL_COUNTS = ['pupils', 'pupils_suspended', 'pupils_repeat_suspended', 'permanent_exclusions', 'pupils_fsm'];

/**
 * Counts subject to the small-count rule (DISCLOSURE.md primary rule 1): pupil counts, and reasons'
 * event counts, which the rules suppress from 1 to min_count - 1 as well. In `area_breakdown`
 * suspensions are held to it on every row: on a reason row it is the rule, and elsewhere a
 * published suspension count is never below its published pupils_suspended, so it holds anyway.
 */
export const SMALL_COUNT_COLUMNS: Record<TableName, readonly string[]> = {
  schools: [],
  school_year: YEAR_PUPIL_COUNTS,
  school_year_reason: ['suspensions', 'permanent_exclusions'],
  school_period: ['pupils', 'pupils_suspended', 'permanent_exclusions'],
  area_year: YEAR_PUPIL_COUNTS,
  area_breakdown: ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions']
};

/**
 * Event counts that must be suppressed wherever `pupils_suspended` of the same row is (a row whose
 * pupils_suspended does not apply, flagged `z`, follows another table's row instead).
 */
export const EVENT_COLUMNS: Record<TableName, readonly string[]> = {
  schools: [],
  school_year: ['suspensions', 'sessions_lost'],
  school_year_reason: [],
  school_period: ['suspensions', 'sessions_lost'],
  area_year: ['suspensions', 'sessions_lost'],
  area_breakdown: ['suspensions', 'sessions_lost']
};

const KEY_COLUMNS: Record<TableName, readonly string[]> = {
  schools: ['urn', 'laestab', 'name', 'la_code', 'la_name', 'region', 'phase', 'type', 'status', 'trust'],
  school_year: ['urn', 'academic_year', 'year_start', 'pupil_group'],
  school_year_reason: ['urn', 'academic_year', 'year_start', 'pupil_group', 'reason_code', 'reason'],
  school_period: ['urn', 'period', 'first_year_start', 'last_year_start', 'pupil_group'],
  area_year: ['area_type', 'area_code', 'area_name', 'academic_year', 'year_start', 'phase', 'pupil_group'],
  area_breakdown: ['area_type', 'area_code', 'area_name', 'academic_year', 'year_start', 'phase', 'pupil_group', 'dimension', 'category_code', 'category']
};

const TRAILING_COLUMNS: Record<TableName, readonly string[]> = {
  schools: [],
  school_year: [],
  school_year_reason: [],
  school_period: [],
  area_year: ['source'],
  area_breakdown: ['source']
};

/** Whole-number key columns (years); every other key column is text. */
const INTEGER_KEYS = ['year_start', 'first_year_start', 'last_year_start'];

export const flagColumn = (count: string): string => `${count}_flag`;

/** Every column the audit knows for a table (order is not checked, only presence). */
export const EXPECTED_COLUMNS: Record<TableName, readonly string[]> = Object.fromEntries(
  TABLE_NAMES.map((t) => [
    t,
    [...KEY_COLUMNS[t], ...COUNT_COLUMNS[t].flatMap((c) => [c, flagColumn(c)]), ...TRAILING_COLUMNS[t]]
  ])
) as unknown as Record<TableName, readonly string[]>;

/** Columns holding whole numbers; every other column is text (what the value patterns scan). */
export function isIntegerColumn(table: TableName, column: string): boolean {
  return INTEGER_KEYS.includes(column) || COUNT_COLUMNS[table].includes(column);
}

/**
 * Synthetic releases carry the synthetic label as an extra `dataset` column (first in the CSV); it is
 * not part of the table proper, so it is set aside before the formats are compared.
 */
export const DATASET_COLUMN = 'dataset';

export const ALL_PUPILS = 'All pupils';
export const GROUP_PARTS = ['EHC plan', 'SEN support', 'No SEN'] as const;
export const PUPIL_GROUPS: readonly string[] = [ALL_PUPILS, ...GROUP_PARTS];

/**
 * The one pupil group outside PUPIL_GROUPS: `SEND`, every pupil with SEN whatever their provision,
 * allowed only on `area_breakdown` rows of the `need` dimension. DfE publishes primary need that
 * way (England's pupils with a statement or EHC plan and on SEN support together). Such rows add
 * up to no published row: area_year has no SEND row (its groups are EHC plan and SEN support
 * apart), and DfE's need figures are rounded to 5 and, before 2015/16, leave out pupils at School
 * Action. So they take part in no set L equation; they are held to every other rule.
 */
export const NEED_ONLY_GROUP = 'SEND';
export const NEED_DIMENSION = 'need';

/** Why a count is NULL: confidential, not available, not applicable, rounds to zero. */
export const FLAG_CODES: readonly string[] = ['c', 'x', 'z', 'low'];

/**
 * NULL cells whose flag says the value was never known to the publisher ('x' not available, 'z'
 * not applicable): recovering them by subtraction discloses nothing about a pupil, so they are not
 * reported as recoverable, though they still take part in the propagation.
 */
export const NOT_DISCLOSIVE_FLAGS: readonly string[] = ['x', 'z'];

/** Set F (reasons add up to the events) holds only for academic years starting before this. */
export const SINGLE_REASON_UNTIL = 2020;

/**
 * Set L: which counts of an `area_breakdown` dimension add up over its categories to the
 * area-year. Every pupil has one primary need and one FSM status; every event starts in one term
 * (but a pupil can be suspended in two terms); reasons add up only while each event had one.
 */
export const ADDITIVE_BY_DIMENSION: Record<string, readonly string[]> = {
  need: ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost'],
  fsm: ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost'],
  term: ['suspensions', 'permanent_exclusions', 'sessions_lost'],
  reason: ['suspensions', 'permanent_exclusions']
};

/** The `area_breakdown` dimension whose rows count events by reason (they follow the area-year). */
export const REASON_DIMENSION = 'reason';

export const LA_AREA_TYPE = 'LA';
export const ALL_PHASES = 'All';
