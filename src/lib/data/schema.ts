/**
 * The published data contract in code: the tables the pipeline writes and the site reads.
 *
 * One definition serves the pipeline (column order and types of what it writes), the unit tests
 * (fixture tables are created from the same DDL, so a test cannot drift from the real schema), and
 * the docs (data/SCHEMA.md describes the same columns in prose). Bump SCHEMA_VERSION on any change
 * a reader would notice.
 */

export const SCHEMA_VERSION = 2;

export type ColumnType = 'VARCHAR' | 'INTEGER' | 'DOUBLE';

export interface Column {
  name: string;
  type: ColumnType;
  description: string;
}

export interface TableDef {
  name: TableName;
  description: string;
  columns: Column[];
}

export const PUPIL_GROUPS = ['EHC plan', 'SEN support', 'No SEN', 'All pupils'] as const;
export type PupilGroup = (typeof PUPIL_GROUPS)[number];

export const PHASES = ['Primary', 'Secondary', 'Special', 'Alternative provision', 'All-through'] as const;
export type Phase = (typeof PHASES)[number];

/** Codes that stand beside a NULL count to say why it is NULL (DESIGN.md, data contract). */
export const SUPPRESSION_CODES = {
  c: 'confidential: fewer than the threshold, or recoverable from other cells',
  x: 'not available',
  z: 'not applicable',
  low: 'rounds to zero'
} as const;
export type SuppressionCode = keyof typeof SUPPRESSION_CODES;

const v = (name: string, description: string): Column => ({ name, type: 'VARCHAR', description });
const i = (name: string, description: string): Column => ({ name, type: 'INTEGER', description });

/** A count column followed by its `_flag` column (NULL when published, else a suppression code). */
const counted = (name: string, description: string): Column[] => [
  i(name, description),
  v(`${name}_flag`, `why ${name} is NULL: c, x, z or low; NULL when the count is published`)
];

const yearColumns = [
  v('academic_year', 'academic year, 1 September to 31 August, labelled like 2022/23'),
  i('year_start', 'calendar year the academic year starts in (2022 for 2022/23), for sorting')
];

const pupils = counted('pupils', 'pupils on roll (census headcount)');
const suspensions = counted('suspensions', 'suspensions (fixed-period exclusions before 2020/21): events');
const pupilsSuspended = counted('pupils_suspended', 'pupils with one or more suspensions');
const permanent = counted('permanent_exclusions', 'permanent exclusions: events (one per pupil at most)');
const sessionsLost = counted('sessions_lost', 'half-day sessions lost to suspensions');

/** The counts of a school or area in a year: the measures every view is built from. */
const yearCounts = [
  ...pupils,
  ...suspensions,
  ...pupilsSuspended,
  ...counted('pupils_repeat_suspended', 'pupils with two or more suspensions in the year (repeat suspensions)'),
  ...permanent,
  ...sessionsLost,
  ...counted('pupils_fsm', 'pupils eligible for free school meals on census day')
];

const groupColumn = v('pupil_group', 'EHC plan, SEN support, No SEN or All pupils');

/** Which area, year, phase and pupil group a row of `area_year` or `area_breakdown` is about. */
const areaYearKey = [
  v('area_type', 'LA, England, Region or Neighbour'),
  v('area_code', 'area code'),
  v('area_name', 'area name'),
  ...yearColumns,
  v('phase', 'All, or one school phase'),
  groupColumn
];

export type TableName = 'schools' | 'school_year' | 'school_year_reason' | 'school_period' | 'area_year' | 'area_breakdown';

/**
 * Breakdowns of an area's year (`area_breakdown.dimension`): SEN primary need, free school meal
 * eligibility, the term an exclusion started in, and the reason recorded for it.
 */
export const DIMENSIONS = ['need', 'fsm', 'term', 'reason'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const TABLES: Record<TableName, TableDef> = {
  schools: {
    name: 'schools',
    description: 'One row per school.',
    columns: [
      v('urn', 'unique reference number (6 digits)'),
      v('laestab', 'local authority number and establishment number (7 digits)'),
      v('name', 'school name'),
      v('la_code', 'local authority code (3 digits)'),
      v('la_name', 'local authority name'),
      v('region', 'English region'),
      v('phase', 'Primary, Secondary, Special, Alternative provision or All-through'),
      v('type', 'Academy, Maintained, Free school or Pupil referral unit'),
      v('status', 'Open or Closed'),
      v('trust', 'academy trust the school belongs to, where known; NULL for maintained schools and when unknown')
    ]
  },
  school_year: {
    name: 'school_year',
    description: 'One row per school, academic year and pupil group.',
    columns: [
      v('urn', 'school URN'),
      ...yearColumns,
      groupColumn,
      ...yearCounts
    ]
  },
  school_year_reason: {
    name: 'school_year_reason',
    description:
      'One row per school, academic year, pupil group and reason. From 2020/21 an event can carry up to three reasons, so reasons need not add up to the events.',
    columns: [
      v('urn', 'school URN'),
      ...yearColumns,
      groupColumn,
      v('reason_code', 'DfE reason code, e.g. PD'),
      v('reason', 'DfE reason category in words'),
      ...counted('suspensions', 'suspensions recording this reason'),
      ...counted('permanent_exclusions', 'permanent exclusions recording this reason')
    ]
  },
  school_period: {
    name: 'school_period',
    description:
      'One row per school and pupil group for the latest three academic years pooled: counts summed over the years, so that small schools have rates worth reading.',
    columns: [
      v('urn', 'school URN'),
      v('period', 'the years pooled, like 2021/22 to 2023/24'),
      i('first_year_start', 'start year of the first academic year pooled'),
      i('last_year_start', 'start year of the last academic year pooled'),
      groupColumn,
      ...counted('pupils', 'pupil-years: pupils on roll summed over the years'),
      ...counted('suspensions', 'suspensions over the years'),
      ...counted('pupils_suspended', 'pupil-years with one or more suspensions (a pupil suspended in two years counts twice)'),
      ...counted('permanent_exclusions', 'permanent exclusions over the years'),
      ...counted('sessions_lost', 'half-day sessions lost to suspensions over the years')
    ]
  },
  area_year: {
    name: 'area_year',
    description:
      'Areas by year, phase and pupil group: the local authority (from its own extract, or DfE’s LA-level files) and its comparators (England, region, statistical neighbours).',
    columns: [
      ...areaYearKey,
      ...yearCounts,
      v('source', 'where the row comes from')
    ]
  },
  area_breakdown: {
    name: 'area_breakdown',
    description:
      'An area-year broken down by SEN primary need, free school meal eligibility, the term an exclusion started in, or its reason, by pupil group.',
    columns: [
      ...areaYearKey,
      v('dimension', 'need, fsm, term or reason'),
      v('category_code', 'the category within the dimension: a primary need, FSM or NOT_FSM, AUT, SPR or SUM, or a reason code'),
      v('category', 'the category in words'),
      ...pupils,
      ...suspensions,
      ...pupilsSuspended,
      ...permanent,
      ...sessionsLost,
      v('source', 'where the row comes from')
    ]
  }
};

export const TABLE_NAMES = Object.keys(TABLES) as TableName[];

/** `CREATE TABLE` for a published table, used by the pipeline and by test fixtures alike. */
export function createTableSql(table: TableName, name: string = table): string {
  const cols = TABLES[table].columns.map((c) => `"${c.name}" ${c.type}`).join(', ');
  return `CREATE TABLE "${name}" (${cols})`;
}
