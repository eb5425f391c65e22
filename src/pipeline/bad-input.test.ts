/**
 * The corpus of bad and good extracts (tests/fixtures/bad-input, tests/fixtures/good-input): every
 * bad folder must fail with exactly the issues its expected.json lists, every good folder must load,
 * and no folder's files may change (the validator only reads its input). Each folder is a copy of
 * extract-small with one defect, or one legitimate variation (encoding, line ends, Parquet, ...);
 * tests/fixtures/bad-input/README.md describes the format.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, MAX_ISSUES, type InputIssue } from './errors';
import { loadExtract, type LoadedExtract } from './extract';

const FIXTURES = path.resolve(import.meta.dirname, '../../tests/fixtures');
const BAD = path.join(FIXTURES, 'bad-input');
const GOOD = path.join(FIXTURES, 'good-input');

/** An exact issue, or for an error whose text comes from DuckDB, the file, line and a fragment. */
type ExpectedIssue = InputIssue | { file: string; line: number; messageIncludes: string };

interface BadExpectation {
  issues: ExpectedIssue[];
  truncated?: boolean;
}

interface GoodExpectation {
  rows?: Record<string, number>;
  formats?: Record<string, string>;
  /** URN -> the school name in_schools must hold. */
  names?: Record<string, string>;
}

const folders = (dir: string) =>
  readdirSync(dir)
    .filter((d) => statSync(path.join(dir, d)).isDirectory())
    .sort();

/** sha256 of every file in a folder, to prove the validator left them alone. */
function fingerprint(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex')]));
}

async function withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run('SET autoinstall_known_extensions = false');
    await conn.run('SET autoload_known_extensions = false');
    return await fn(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('bad inputs', () => {
  const cases = folders(BAD);

  it('has a corpus of at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('%s', async (name) => {
    const dir = path.join(BAD, name);
    const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as BadExpectation;
    const before = fingerprint(dir);
    const err = await withConnection((conn) => loadExtract(conn, dir).then(() => null, (e: unknown) => e));
    expect(fingerprint(dir)).toEqual(before);

    expect(err).toBeInstanceOf(InputError);
    const { issues, truncated } = err as InputError;
    expect(truncated).toBe(expected.truncated ?? false);
    expect(issues.length).toBeLessThanOrEqual(MAX_ISSUES);
    expect(issues).toHaveLength(expected.issues.length);
    expected.issues.forEach((want, k) => {
      const got = issues[k]!;
      if ('messageIncludes' in want) {
        expect({ file: got.file, line: got.line }).toEqual({ file: want.file, line: want.line });
        expect(`${got.value} ${got.expected}`).toContain(want.messageIncludes);
      } else {
        expect(got).toEqual(want);
      }
    });
    // A message a person can act on, and no stack trace in it.
    expect((err as InputError).message).not.toMatch(/\n\s+at /);
  });
});

describe('good inputs', () => {
  it.each(folders(GOOD))('%s', async (name) => {
    const dir = path.join(GOOD, name);
    const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as GoodExpectation;
    const before = fingerprint(dir);
    await withConnection(async (conn) => {
      const loaded: LoadedExtract = await loadExtract(conn, dir);
      if (expected.rows) expect(loaded.rows).toEqual(expected.rows);
      if (expected.formats) expect(loaded.formats).toMatchObject(expected.formats);
      for (const [file, actual] of Object.entries(loaded.files)) {
        expect(path.dirname(actual)).toBe(dir); // the input itself, never a temporary copy
        expect(path.basename(actual).replace(/\.parquet$/, '.csv')).toBe(file);
      }
      for (const [urn, want] of Object.entries(expected.names ?? {})) {
        const r = await conn.runAndReadAll('SELECT name FROM in_schools WHERE urn = $1', [urn]);
        expect(r.getRowObjectsJS().map((x) => x.name)).toEqual([want]);
      }
      // Every table holds text only, whatever the source's types.
      const types = await conn.runAndReadAll(
        `SELECT DISTINCT data_type FROM information_schema.columns WHERE table_name IN ('in_schools', 'in_pupils', 'in_exclusions', 'in_comparators')`
      );
      expect(types.getRowObjectsJS().map((t) => t.data_type)).toEqual(['VARCHAR']);
    });
    expect(fingerprint(dir)).toEqual(before);
  });

  it('reads the Windows-1252 apostrophe (0x92) as U+2019', async () => {
    const dir = path.join(GOOD, 'windows-1252-school-name');
    expect(readFileSync(path.join(dir, 'schools.csv')).includes(Buffer.from('Hawkins\x92 School', 'latin1'))).toBe(true);
    await withConnection(async (conn) => {
      await loadExtract(conn, dir);
      const r = await conn.runAndReadAll(`SELECT name FROM in_schools WHERE name LIKE 'Lady%'`);
      expect(r.getRowObjectsJS()).toEqual([{ name: 'Lady Hawkins\u2019 School' }]);
    });
  });

  it('reads Parquet typed columns as the same text as the CSV', async () => {
    const dump = async (dir: string) =>
      withConnection(async (conn) => {
        await loadExtract(conn, dir);
        const out: Record<string, unknown[]> = {};
        for (const t of ['in_schools', 'in_pupils', 'in_exclusions', 'in_comparators']) {
          out[t] = (await conn.runAndReadAll(`SELECT * FROM ${t} ORDER BY rowid`)).getRowObjectsJS();
        }
        return out;
      });
    const csv = await dump(path.join(FIXTURES, 'extract-small'));
    expect(await dump(path.join(GOOD, 'parquet-input'))).toEqual(csv);
    expect(await dump(path.join(GOOD, 'parquet-pandas-style'))).toEqual(csv);
  });
});
