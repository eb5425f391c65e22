/**
 * Reads and validates a council's pupil-level extract (the format in data/SCHEMA.md) into native
 * DuckDB, before anything is built from it.
 *
 * Files are read as text (all_varchar) so that a bad value becomes a clear message rather than a
 * failed cast deep inside an aggregation. Line numbers come from the row order of the loaded table
 * (DuckDB keeps insertion order), which matches the file because no valid field spans two lines;
 * a field that does is itself reported. Every check is a SQL predicate built from the column specs
 * below: constants of this module, with the file's path passed as a parameter.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import path from 'node:path';
import { CATEGORIES, PRIMARY_NEEDS, REASONS, SCHOOL_PHASES, SCHOOL_STATUSES, SCHOOL_TYPES, SEN_PROVISION, YEAR_GROUPS } from './codes';
import { InputError, MAX_ISSUES, type InputIssue } from './errors';

type Check =
  | { kind: 'pattern'; re: string; expected: string }
  | { kind: 'codes'; codes: string[] }
  | { kind: 'int'; min: number; max: number };

interface ColumnSpec {
  name: string;
  required: boolean;
  check: Check;
}

export interface FileSpec {
  table: string;
  file: string;
  columns: ColumnSpec[];
}

const YEAR = { kind: 'pattern', re: '^20[0-9]{2}/[0-9]{2}$', expected: 'an academic year like 2022/23' } as const;
const URN = { kind: 'pattern', re: '^[0-9]{6}$', expected: 'a 6-digit URN' } as const;
const REF = {
  kind: 'pattern',
  re: '^[A-Za-z0-9_-]{4,40}$',
  expected: 'a pseudonymous pupil reference (4 to 40 letters, digits, - or _)'
} as const;
const codes = (list: Record<string, unknown> | string[]): Check => ({
  kind: 'codes',
  codes: Array.isArray(list) ? list : Object.keys(list)
});
const col = (name: string, check: Check, required = true): ColumnSpec => ({ name, check, required });

export const EXTRACT_FILES: FileSpec[] = [
  {
    table: 'in_schools',
    file: 'schools.csv',
    columns: [
      col('urn', URN),
      col('laestab', { kind: 'pattern', re: '^[0-9]{7}$', expected: 'a 7-digit LAESTAB' }),
      col('name', { kind: 'pattern', re: '^.{1,200}$', expected: 'a school name of 1 to 200 characters' }),
      col('phase', codes(SCHOOL_PHASES)),
      col('type', codes(SCHOOL_TYPES)),
      col('status', codes(SCHOOL_STATUSES)),
      col('la_code', { kind: 'pattern', re: '^[0-9]{3}$', expected: 'a 3-digit LA code' }),
      col('la_name', { kind: 'pattern', re: '^.{1,100}$', expected: 'an LA name' }),
      col('region', { kind: 'pattern', re: '^.{1,100}$', expected: 'a region name' })
    ]
  },
  {
    table: 'in_pupils',
    file: 'pupils.csv',
    columns: [
      col('academic_year', YEAR),
      col('pupil_ref', REF),
      col('urn', URN),
      col('year_group', codes(YEAR_GROUPS)),
      col('sen_provision', codes(SEN_PROVISION)),
      col('primary_need', codes(PRIMARY_NEEDS), false),
      col('fsm', codes(['0', '1']))
    ]
  },
  {
    table: 'in_exclusions',
    file: 'exclusions.csv',
    columns: [
      col('academic_year', YEAR),
      col('pupil_ref', REF),
      col('urn', URN),
      col('category', codes(CATEGORIES)),
      col('start_date', { kind: 'pattern', re: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', expected: 'a date like 2022-10-03' }),
      col('sessions', { kind: 'int', min: 1, max: 380 }, false),
      col('reason_1', codes(REASONS)),
      col('reason_2', codes(REASONS), false),
      col('reason_3', codes(REASONS), false)
    ]
  },
  {
    table: 'in_comparators',
    file: 'comparators.csv',
    columns: [
      col('area_type', codes(['England', 'Region', 'Neighbour'])),
      col('area_code', { kind: 'pattern', re: '^[A-Za-z0-9]{1,12}$', expected: 'an area code' }),
      col('area_name', { kind: 'pattern', re: '^.{1,100}$', expected: 'an area name' }),
      col('academic_year', YEAR),
      col('phase', codes(['All', 'Primary', 'Secondary', 'Special', 'Alternative provision'])),
      col('pupil_group', codes(['EHC plan', 'SEN support', 'No SEN', 'All pupils'])),
      col('pupils', { kind: 'int', min: 0, max: 20_000_000 }),
      col('suspensions', { kind: 'int', min: 0, max: 20_000_000 }),
      col('pupils_suspended', { kind: 'int', min: 0, max: 20_000_000 }),
      col('permanent_exclusions', { kind: 'int', min: 0, max: 20_000_000 })
    ]
  }
];

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The first line of a file, without a UTF-8 byte order mark, split on commas. */
function readHeader(file: string): string[] {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    let text = buf.subarray(0, n).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const end = text.search(/\r?\n/);
    return (end === -1 ? text : text.slice(0, end)).split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
  } finally {
    closeSync(fd);
  }
}

/** SQL predicate that is TRUE when `value` breaks the check (NULL/empty handled by the caller). */
function violation(check: Check, c: string): { predicate: string; params: (string | number)[]; expected: string } {
  switch (check.kind) {
    case 'pattern':
      return { predicate: `NOT regexp_full_match(${c}, ?)`, params: [check.re], expected: check.expected };
    case 'codes':
      // The codes are this module's constants, not input, so they can be SQL literals.
      return {
        predicate: `${c} NOT IN (${check.codes.map((x) => `'${x.replaceAll("'", "''")}'`).join(', ')})`,
        params: [],
        expected: `one of ${check.codes.join(', ')}`
      };
    case 'int':
      return {
        predicate: `TRY_CAST(${c} AS BIGINT) IS NULL OR NOT regexp_full_match(${c}, '-?[0-9]+') OR TRY_CAST(${c} AS BIGINT) NOT BETWEEN ${check.min} AND ${check.max}`,
        params: [],
        expected: `a whole number from ${check.min} to ${check.max}`
      };
  }
}

export interface LoadedExtract {
  rows: Record<string, number>;
}

class IssueList {
  readonly issues: InputIssue[] = [];
  truncated = false;
  add(i: InputIssue): void {
    if (this.issues.length >= MAX_ISSUES) this.truncated = true;
    else this.issues.push(i);
  }
  get full(): boolean {
    return this.issues.length >= MAX_ISSUES;
  }
  throwIfAny(): void {
    if (this.issues.length > 0) {
      this.issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
      throw new InputError(this.issues, this.truncated);
    }
  }
}

/**
 * Load the four extract files into tables `in_schools`, `in_pupils`, `in_exclusions`,
 * `in_comparators` (all text) and check them; throws InputError listing every problem found.
 */
export async function loadExtract(conn: DuckDBConnection, dir: string): Promise<LoadedExtract> {
  const issues = new IssueList();
  const rows: Record<string, number> = {};

  for (const spec of EXTRACT_FILES) {
    const file = path.join(dir, spec.file);
    if (!existsSync(file)) {
      issues.add({ file: spec.file, line: 0, column: '', value: '(missing)', expected: `a file named ${spec.file} in ${dir}` });
      continue;
    }
    const header = readHeader(file);
    const missing = spec.columns.filter((c) => !header.includes(c.name));
    for (const m of missing) {
      issues.add({ file: spec.file, line: 1, column: m.name, value: header.join(','), expected: `a header with a column named ${m.name}` });
    }
    const seen = new Set<string>();
    header.forEach((h) => {
      if (seen.has(h)) issues.add({ file: spec.file, line: 1, column: h, value: h, expected: 'each column named once' });
      seen.add(h);
    });
    if (missing.length > 0) continue;

    try {
      await conn.run(
        `CREATE OR REPLACE TABLE ${spec.table} AS SELECT * FROM read_csv($1, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', strict_mode = true, null_padding = false)`,
        [file]
      );
    } catch (e) {
      const msg = (e as Error).message.split('\n').slice(0, 3).join(' ');
      issues.add({ file: spec.file, line: 0, column: '', value: msg, expected: 'a well-formed CSV file (comma separated, UTF-8)' });
      continue;
    }
    const count = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${spec.table}`);
    rows[spec.file] = Number(count.getRowObjectsJS()[0]?.n ?? 0);

    for (const c of spec.columns) {
      if (issues.full) break;
      const ci = quoteIdent(c.name);
      const v = violation(c.check, ci);
      const empty = `(${ci} IS NULL OR trim(${ci}) = '')`;
      const bad = c.required ? `${empty} OR (${v.predicate}) OR contains(${ci}, chr(10))` : `NOT ${empty} AND ((${v.predicate}) OR contains(${ci}, chr(10)))`;
      const r = await conn.runAndReadAll(
        `SELECT (rowid + 2)::INTEGER AS line, coalesce(${ci}, '') AS value FROM ${spec.table} WHERE ${bad} ORDER BY rowid LIMIT ${MAX_ISSUES}`,
        v.params
      );
      for (const row of r.getRowObjectsJS()) {
        const value = String(row.value);
        issues.add({
          file: spec.file,
          line: Number(row.line),
          column: c.name,
          value,
          expected: value.trim() === '' ? `a value (this column is required): ${v.expected}` : v.expected
        });
      }
    }
  }
  issues.throwIfAny();
  await crossChecks(conn, issues);
  issues.throwIfAny();
  return { rows };
}

/** Checks across rows and files, run once every value is well-formed. */
async function crossChecks(conn: DuckDBConnection, issues: IssueList): Promise<void> {
  const checks: { file: string; column: string; expected: string; sql: string }[] = [
    {
      file: 'schools.csv',
      column: 'urn',
      expected: 'each URN listed once',
      sql: `SELECT rowid + 2 AS line, urn AS value FROM in_schools QUALIFY count(*) OVER (PARTITION BY urn) > 1 AND row_number() OVER (PARTITION BY urn ORDER BY rowid) > 1`
    },
    {
      file: 'pupils.csv',
      column: 'pupil_ref',
      expected: 'each pupil once per academic year (this pupil is already on roll that year)',
      sql: `SELECT rowid + 2 AS line, pupil_ref AS value FROM in_pupils QUALIFY row_number() OVER (PARTITION BY academic_year, pupil_ref ORDER BY rowid) > 1`
    },
    {
      file: 'pupils.csv',
      column: 'urn',
      expected: 'a URN listed in schools.csv',
      sql: `SELECT p.rowid + 2 AS line, p.urn AS value FROM in_pupils p ANTI JOIN in_schools s ON p.urn = s.urn`
    },
    {
      file: 'pupils.csv',
      column: 'primary_need',
      expected: 'a primary need for pupils with an EHC plan or SEN support, and none for pupils with no SEN',
      sql: `SELECT rowid + 2 AS line, coalesce(primary_need, '') AS value FROM in_pupils
            WHERE (sen_provision = 'N' AND coalesce(trim(primary_need), '') <> '')
               OR (sen_provision IN ('E', 'K') AND coalesce(trim(primary_need), '') = '')
               OR (sen_provision = 'E' AND primary_need = 'NSA')`
    },
    {
      file: 'exclusions.csv',
      column: 'urn',
      expected: 'a URN listed in schools.csv',
      sql: `SELECT e.rowid + 2 AS line, e.urn AS value FROM in_exclusions e ANTI JOIN in_schools s ON e.urn = s.urn`
    },
    {
      file: 'exclusions.csv',
      column: 'pupil_ref',
      expected: 'a pupil on roll at this school in this academic year (pupils.csv)',
      sql: `SELECT e.rowid + 2 AS line, e.pupil_ref AS value FROM in_exclusions e
            ANTI JOIN in_pupils p ON e.pupil_ref = p.pupil_ref AND e.urn = p.urn AND e.academic_year = p.academic_year`
    },
    {
      file: 'exclusions.csv',
      column: 'start_date',
      expected: 'a real date inside the academic year (1 September to 31 August)',
      sql: `SELECT rowid + 2 AS line, start_date AS value FROM in_exclusions
            WHERE TRY_CAST(start_date AS DATE) IS NULL
               OR TRY_CAST(start_date AS DATE) NOT BETWEEN make_date(CAST(left(academic_year, 4) AS INTEGER), 9, 1)
                                                     AND make_date(CAST(left(academic_year, 4) AS INTEGER) + 1, 8, 31)`
    },
    {
      file: 'exclusions.csv',
      column: 'sessions',
      expected: 'sessions for every suspension (1 to 380 half-days) and none for a permanent exclusion',
      sql: `SELECT rowid + 2 AS line, coalesce(sessions, '') AS value FROM in_exclusions
            WHERE (category = 'SUSP' AND coalesce(trim(sessions), '') = '') OR (category = 'PERM' AND coalesce(trim(sessions), '') <> '')`
    },
    {
      file: 'exclusions.csv',
      column: 'reason_2',
      expected: 'no second or third reason before 2020/21 (DfE recorded one reason per exclusion until then)',
      sql: `SELECT rowid + 2 AS line, coalesce(reason_2, reason_3, '') AS value FROM in_exclusions
            WHERE CAST(left(academic_year, 4) AS INTEGER) < 2020
              AND (coalesce(trim(reason_2), '') <> '' OR coalesce(trim(reason_3), '') <> '')`
    },
    {
      file: 'exclusions.csv',
      column: 'pupil_ref',
      expected: 'at most one permanent exclusion per pupil per school and year',
      sql: `SELECT rowid + 2 AS line, pupil_ref AS value FROM in_exclusions WHERE category = 'PERM'
            QUALIFY row_number() OVER (PARTITION BY academic_year, urn, pupil_ref ORDER BY rowid) > 1`
    }
  ];
  for (const reason of ['reason_1', 'reason_2', 'reason_3']) {
    const windows = Object.entries(REASONS)
      .filter(([, r]) => r.from !== undefined || r.to !== undefined)
      .map(([code, r]) => `(${reason} = '${code}' AND NOT (CAST(left(academic_year, 4) AS INTEGER) BETWEEN ${r.from ?? 0} AND ${r.to ?? 9999}))`);
    checks.push({
      file: 'exclusions.csv',
      column: reason,
      expected: 'a reason code in use that academic year (the DfE list changed in 2020/21)',
      sql: `SELECT rowid + 2 AS line, ${reason} AS value FROM in_exclusions WHERE ${windows.join(' OR ')}`
    });
  }
  for (const c of checks) {
    if (issues.full) break;
    const r = await conn.runAndReadAll(`SELECT line::INTEGER AS line, value FROM (${c.sql}) ORDER BY line LIMIT ${MAX_ISSUES}`);
    for (const row of r.getRowObjectsJS()) {
      issues.add({ file: c.file, line: Number(row.line), column: c.column, value: String(row.value ?? ''), expected: c.expected });
    }
  }
}
