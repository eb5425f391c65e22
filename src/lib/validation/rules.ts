/**
 * Value rules of the data contract (data/SCHEMA.md), as SQL that both engines run: native DuckDB
 * checks a council's extract at build time (src/pipeline/extract.ts) and DuckDB-WASM checks an
 * analyst's own file in the browser (src/lib/explore/user-file.ts). One definition of "a 6-digit
 * URN" or "an academic year like 2022/23", and of the words that explain a failure, so a file that
 * the pipeline would refuse is refused in the browser for the same reason.
 *
 * Why SQL rather than a JavaScript predicate: the pipeline checks hundreds of thousands of rows per
 * file inside DuckDB, and a second implementation in JavaScript would be a second definition that
 * could drift. Every expression here is built from this module's constants and a column reference
 * the caller has already vetted (quoted here, or `ident()` in the explorer). Browser-safe.
 */
import { PUPIL_GROUPS, SUPPRESSION_CODES } from '../data/schema';

export type Check =
  | { kind: 'pattern'; re: string; expected: string }
  | { kind: 'codes'; codes: string[] }
  | { kind: 'int'; min: number; max: number }
  /** `YYYY/YY`, in range, with YY the year after YYYY. */
  | { kind: 'year' }
  /** `YYYY-MM-DD` and a date that exists. */
  | { kind: 'date' };

/** The academic years the contract allows, by start year: 2000/01 to 2099/00. */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2099;

/** `2022` -> `2022/23`. */
export function academicYear(start: number): string {
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
}

export const URN: Check = { kind: 'pattern', re: '^[0-9]{6}$', expected: 'a 6-digit URN' };
export const LAESTAB: Check = { kind: 'pattern', re: '^[0-9]{7}$', expected: 'a 7-digit LAESTAB' };
export const YEAR: Check = { kind: 'year' };
/** Whole-number counts of pupils or events (the comparator file's bound: more than England has). */
export const COUNT: Check = { kind: 'int', min: 0, max: 20_000_000 };

export function codes(list: Record<string, unknown> | readonly string[]): Check {
  return { kind: 'codes', codes: Array.isArray(list) ? [...list] : Object.keys(list) };
}

/** A double-quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal. Only ever used for this module's constants and header-derived names. */
export function lit(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * A SQL expression that is NULL when the (non-empty) value `c` passes the check, or else says what
 * was expected; `describe` is the check in words, for a required value that is missing.
 */
export function checkSql(check: Check, c: string): { sql: string; describe: string } {
  switch (check.kind) {
    case 'pattern':
      return { sql: `CASE WHEN NOT regexp_full_match(${c}, ${lit(check.re)}) THEN ${lit(check.expected)} END`, describe: check.expected };
    case 'codes': {
      const expected = `one of ${check.codes.join(', ')}`;
      return { sql: `CASE WHEN ${c} NOT IN (${check.codes.map(lit).join(', ')}) THEN ${lit(expected)} END`, describe: expected };
    }
    case 'int': {
      const expected = `a whole number from ${check.min} to ${check.max}`;
      return {
        sql: `CASE WHEN NOT regexp_full_match(${c}, '-?[0-9]{1,18}') OR TRY_CAST(${c} AS BIGINT) NOT BETWEEN ${check.min} AND ${check.max} THEN ${lit(expected)} END`,
        describe: expected
      };
    }
    case 'year': {
      const start = `TRY_CAST(left(${c}, 4) AS INTEGER)`;
      const next = `lpad(((${start} + 1) % 100)::VARCHAR, 2, '0')`;
      return {
        sql: `CASE WHEN NOT regexp_full_match(${c}, '[0-9]{4}/[0-9]{2}') THEN 'an academic year like 2022/23'
                   WHEN ${start} NOT BETWEEN ${FIRST_YEAR} AND ${LAST_YEAR} THEN ${lit(`an academic year from ${academicYear(FIRST_YEAR)} to ${academicYear(LAST_YEAR)}`)}
                   WHEN right(${c}, 2) <> ${next} THEN 'an academic year whose second part is the year after the first (' || left(${c}, 4) || '/' || ${next} || ')' END`,
        describe: 'an academic year like 2022/23'
      };
    }
    case 'date':
      return {
        sql: `CASE WHEN NOT regexp_full_match(${c}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN 'a date like 2022-10-03'
                   WHEN TRY_CAST(${c} AS DATE) IS NULL THEN 'a date that exists, like 2022-10-03' END`,
        describe: 'a date like 2022-10-03'
      };
  }
}

/**
 * For one text column `c` (already quoted): NULL when its value is fine, else what was expected. An
 * empty value is an error only when `required`; a line break inside a value (only possible from a
 * file that has no lines, such as Parquet or Arrow: the CSV scan rejects it first) always is.
 */
export function expectedSql(check: Check, c: string, required: boolean): string {
  const { sql, describe } = checkSql(check, c);
  const empty = `(${c} IS NULL OR trim(${c}) = '')`;
  return `CASE WHEN ${empty} THEN ${required ? lit(`a value (this column is required): ${describe}`) : 'NULL'}
               WHEN contains(${c}, chr(10)) OR contains(${c}, chr(13)) THEN 'a value on one line'
               ELSE ${sql} END`;
}

/**
 * How a typed column (Parquet in the pipeline, Arrow in the explorer; `type` as DuckDB names it)
 * becomes the text the checks read. Plain casts, except where a faithful writer would differ from
 * the CSV form: pandas writes a whole-number column with gaps as DOUBLE (2.0) and dates as midnight
 * timestamps, and a 0/1 flag may arrive as BOOLEAN.
 */
export function typedAsText(c: string, type: string): string {
  if (type === 'FLOAT' || type === 'DOUBLE' || type.startsWith('DECIMAL')) {
    return `CASE WHEN isnan(${c}::DOUBLE) THEN NULL WHEN ${c}::DOUBLE = trunc(${c}::DOUBLE) AND abs(${c}::DOUBLE) < 1e15 THEN CAST(CAST(${c} AS BIGINT) AS VARCHAR) ELSE CAST(${c} AS VARCHAR) END`;
  }
  if (type.startsWith('TIMESTAMP') && !type.includes('TIME ZONE')) {
    return `CASE WHEN CAST(${c} AS TIMESTAMP) = CAST(CAST(${c} AS DATE) AS TIMESTAMP) THEN CAST(CAST(${c} AS DATE) AS VARCHAR) ELSE CAST(${c} AS VARCHAR) END`;
  }
  if (type === 'BOOLEAN') return `CASE WHEN ${c} THEN '1' WHEN NOT ${c} THEN '0' END`;
  return `CAST(${c} AS VARCHAR)`;
}

// ---------------------------------------------------------------------------------------------
// An analyst's own file: any columns at all, but a column named like one of the published tables'
// contract columns must hold what the contract says that column holds, so that joining it to the
// published data means what it seems to mean. Values may be empty (NULL), as in the published
// tables, where a suppressed count is NULL with its reason in the `_flag` column beside it.

/** The published count columns, each of which has a `NAME_flag` column beside it. */
export const COUNT_COLUMNS = ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost'] as const;

const CONTRACT_COLUMNS: Record<string, Check> = {
  urn: URN,
  laestab: LAESTAB,
  academic_year: YEAR,
  year_start: { kind: 'int', min: FIRST_YEAR, max: LAST_YEAR },
  pupil_group: codes(PUPIL_GROUPS),
  ...Object.fromEntries(COUNT_COLUMNS.map((c) => [c, COUNT])),
  ...Object.fromEntries(COUNT_COLUMNS.map((c) => [`${c}_flag`, codes(SUPPRESSION_CODES)]))
};

/** The contract's rule for a column of this (normalised) name, or null for a column of the analyst's own. */
export function contractRule(column: string): Check | null {
  return CONTRACT_COLUMNS[column] ?? null;
}

/** How a contract column is typed once loaded: text codes stay text (a URN is not a number). */
export function contractType(column: string): 'VARCHAR' | 'INTEGER' | null {
  const rule = contractRule(column);
  if (!rule) return null;
  return rule.kind === 'int' ? 'INTEGER' : 'VARCHAR';
}

/** Every contract column name, for the page that explains the rules. */
export const CONTRACT_COLUMN_NAMES = Object.keys(CONTRACT_COLUMNS);
