/**
 * The published data contract in code: the tables the pipeline writes and the site reads.
 *
 * One definition serves the pipeline (column order and types of what it writes), the unit tests
 * (fixture tables are created from the same DDL, so a test cannot drift from the real schema), and
 * the docs (data/SCHEMA.md describes the same columns in prose). Bump SCHEMA_VERSION on any change
 * a reader would notice.
 */

export const SCHEMA_VERSION = 1;

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

const measures = [
  ...counted('pupils', 'pupils on roll (census headcount)'),
  ...counted('suspensions', 'suspensions (fixed-period exclusions before 2020/21): events'),
  ...counted('pupils_suspended', 'pupils with one or more suspensions'),
  ...counted('permanent_exclusions', 'permanent exclusions: events (one per pupil at most)')
];

export type TableName = 'schools' | 'school_year' | 'school_year_reason' | 'area_year';

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
      v('status', 'Open or Closed')
    ]
  },
  school_year: {
    name: 'school_year',
    description: 'One row per school, academic year and pupil group.',
    columns: [
      v('urn', 'school URN'),
      ...yearColumns,
      v('pupil_group', 'EHC plan, SEN support, No SEN or All pupils'),
      ...measures,
      ...counted('sessions_lost', 'half-day sessions lost to suspensions')
    ]
  },
  school_year_reason: {
    name: 'school_year_reason',
    description:
      'One row per school, academic year, pupil group and reason. From 2020/21 an event can carry up to three reasons, so reasons need not add up to the events.',
    columns: [
      v('urn', 'school URN'),
      ...yearColumns,
      v('pupil_group', 'EHC plan, SEN support, No SEN or All pupils'),
      v('reason_code', 'DfE reason code, e.g. PD'),
      v('reason', 'DfE reason category in words'),
      ...counted('suspensions', 'suspensions recording this reason'),
      ...counted('permanent_exclusions', 'permanent exclusions recording this reason')
    ]
  },
  area_year: {
    name: 'area_year',
    description:
      'Areas by year, phase and pupil group: the local authority (from its own extract) and its comparators (England, region, statistical neighbours).',
    columns: [
      v('area_type', 'LA, England, Region or Neighbour'),
      v('area_code', 'area code'),
      v('area_name', 'area name'),
      ...yearColumns,
      v('phase', 'All, or one school phase'),
      v('pupil_group', 'EHC plan, SEN support, No SEN or All pupils'),
      ...measures,
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
