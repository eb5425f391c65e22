/**
 * Property tests for the extract reader: whatever bytes a council sends, loadExtract either loads
 * them or throws an InputError whose issues say which file is wrong; never another exception, never
 * a stack trace for the user. And a valid extract loads the same whichever encoding, line ends and
 * quoting it was written with. The fixed cases (one defect each) are in bad-input.test.ts.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode1252, expectWellFormed, extractCases, NAMES, SMALL, utf8 } from '../../tests/unit/extract-cases';
import { InputError } from './errors';
import { decodeWindows1252, weekdaysSql } from './extract';

/** Each run starts a DuckDB instance: 25 is quick on 2 cores; set EXTRACT_PROPERTY_RUNS to search harder. */
const RUNS = Number(process.env.EXTRACT_PROPERTY_RUNS ?? 25);

let root: string;
let privateTmp: string;
let savedTmp: string | undefined;
const { extractWith, load, cleanup } = extractCases();

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'extract-test-'));
  // The loader's temporary copies go to os.tmpdir(); point it at a folder of our own so that the
  // test can prove they are all removed (other test files may be running alongside).
  privateTmp = path.join(root, 'tmp');
  mkdirSync(privateTmp);
  savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = privateTmp;
});

afterAll(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  cleanup();
  rmSync(root, { recursive: true, force: true });
});

describe('Windows-1252', () => {
  it('decodes 0x80-0x9F as the code page does, not as Latin-1', () => {
    expect(decodeWindows1252(Uint8Array.of(0x80, 0x92, 0x96, 0x9f, 0x41, 0xe9, 0xa3))).toBe('\u20ac\u2019\u2013\u0178A\u00e9\u00a3');
  });

  it('takes a file that is valid UTF-8 as UTF-8 (the detection rule)', async () => {
    // "CafÃ©" in Windows-1252 is the bytes of "Café" in UTF-8: such a file is read as UTF-8.
    const schools = readFileSync(path.join(SMALL, 'schools.csv'), 'utf8').replace('Test Academy', 'Caf\u00c3\u00a9');
    const result = await load(extractWith({ 'schools.csv': encode1252(schools) }), async (conn, loaded) => {
      expect(loaded.formats['schools.csv']).toBe('utf-8');
      const r = await conn.runAndReadAll(`SELECT name FROM in_schools WHERE urn = '900002'`);
      expect(r.getRowObjectsJS()).toEqual([{ name: 'Caf\u00e9' }]);
    });
    expect(result).not.toBeInstanceOf(InputError);
  });
});

describe('the folder', () => {
  it('a folder that is not there, or a file given for it: one issue saying so', async () => {
    const file = path.join(root, 'notes.txt');
    writeFileSync(file, 'not an extract');
    for (const [dir, value] of [
      [path.join(root, 'no-such-folder'), '(missing)'],
      [file, 'a file']
    ] as const) {
      const result = await load(dir);
      expect(result).toBeInstanceOf(InputError);
      expect((result as InputError).issues).toEqual([{ file: dir, line: 0, column: '', value, expected: 'a folder holding the extract (schools, pupils, exclusions and comparators)' }]);
    }
  });
});

describe('the sessions bound', () => {
  it('counts weekdays like a calendar does', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 3650 }), fc.integer({ min: 0, max: 400 }), async (offset, span) => {
          const from = new Date(Date.UTC(2015, 0, 1 + offset));
          const to = new Date(from.getTime() + span * 86_400_000);
          let weekdays = 0;
          for (let d = new Date(from); d <= to; d = new Date(d.getTime() + 86_400_000)) if (d.getUTCDay() % 6 !== 0) weekdays++;
          const iso = (d: Date) => d.toISOString().slice(0, 10);
          const r = await conn.runAndReadAll(`SELECT ${weekdaysSql(`DATE '${iso(from)}'`, `DATE '${iso(to)}'`)}::INTEGER AS n`);
          expect(r.getRowObjectsJS()[0]?.n).toBe(weekdays);
        }),
        { numRuns: 200 }
      );
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

describe('any bytes', () => {
  it('random bytes as a file: a load or an InputError naming that file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...NAMES), fc.uint8Array({ maxLength: 400 }), async (name, bytes) => {
        const result = await load(extractWith({ [name]: bytes }));
        if (result instanceof InputError) expectWellFormed(result, name);
      }),
      { numRuns: RUNS }
    );
  });

  it('random text after a valid header: a load or an InputError naming that file', async () => {
    const header = readFileSync(path.join(SMALL, 'pupils.csv'), 'utf8').split('\n')[0]!;
    const junk = fc.string({ unit: fc.constantFrom('a', '1', ',', '"', '\n', '\r', ' ', '\u00e9', '\u2019', '\t', '\u0000', 'P'), maxLength: 200 });
    await fc.assert(
      fc.asyncProperty(junk, async (body) => {
        const result = await load(extractWith({ 'pupils.csv': `${header}\n${body}` }));
        // The exclusions refer to pupils, so a change here may also be reported there.
        if (result instanceof InputError) expectWellFormed(result, result.issues.some((i) => i.file === 'pupils.csv') ? 'pupils.csv' : 'exclusions.csv');
      }),
      { numRuns: RUNS }
    );
  });
});

/** Random CSV shapes: headers from the real columns and made-up ones, rows of any length, quoting done right or wrong. */
describe('random CSV shapes', () => {
  const COLUMNS = ['academic_year', 'pupil_ref', 'urn', 'year_group', 'sen_provision', 'primary_need', 'fsm'];
  const value = fc.oneof(
    fc.constantFrom('2022/23', '2023/24', 'P001', 'P999', '900001', '900002', '7', 'R', 'E', 'K', 'N', 'ASD', '', '0', '1'),
    fc.string({ unit: fc.constantFrom('a', 'Z', '9', ',', '"', ' ', '\n', '\r', '/', '-', '\u00a3', '\u00e9'), maxLength: 12 })
  );
  const field = fc.record({ text: value, quote: fc.constantFrom('none', 'proper', 'open', 'close') });
  const render = ({ text, quote }: { text: string; quote: string }) =>
    quote === 'proper' ? `"${text.replaceAll('"', '""')}"` : quote === 'open' ? `"${text}` : quote === 'close' ? `${text}"` : text;
  const shape = fc.record({
    header: fc.array(fc.oneof(fc.constantFrom(...COLUMNS), fc.constantFrom('notes', 'x', '', 'URN', 'fsm ')), { minLength: 1, maxLength: 9 }),
    rows: fc.array(fc.array(field, { minLength: 0, maxLength: 9 }), { maxLength: 6 }),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    finalEol: fc.boolean(),
    bom: fc.boolean()
  });

  it('a load or an InputError naming the file; never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(shape, async (s) => {
        const lines = [s.header.join(','), ...s.rows.map((r) => r.map(render).join(','))];
        const text = (s.bom ? '\ufeff' : '') + lines.join(s.eol) + (s.finalEol ? s.eol : '');
        const result = await load(extractWith({ 'pupils.csv': text }));
        if (result instanceof InputError) expectWellFormed(result, result.issues.some((i) => i.file === 'pupils.csv') ? 'pupils.csv' : 'exclusions.csv');
      }),
      { numRuns: RUNS }
    );
  });

  it('rows of the wrong length are reported on their own line', async () => {
    const text = readFileSync(path.join(SMALL, 'pupils.csv'), 'utf8');
    const rows = text.trimEnd().split('\n');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: rows.length - 1 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), async (k, n, more) => {
        const broken = [...rows];
        broken[k] = more ? broken[k] + ',x'.repeat(n) : broken[k]!.split(',').slice(0, 7 - n).join(',');
        const result = await load(extractWith({ 'pupils.csv': broken.join('\n') + '\n' }));
        expect(result).toBeInstanceOf(InputError);
        expect((result as InputError).issues).toEqual([
          { file: 'pupils.csv', line: k + 1, column: '', value: broken[k], expected: `7 fields, like the header (found ${more ? 7 + n : 7 - n})` }
        ]);
      }),
      { numRuns: RUNS }
    );
  });
});

describe('valid files in any encoding', () => {
  // Non-ASCII characters whose Windows-1252 bytes are all in 0x80-0xBF: no run of them can be
  // valid UTF-8 (which needs a lead byte of 0xC2 or more), so the encoding is never ambiguous.
  const NON_ASCII = ['\u2019', '\u2018', '\u201c', '\u201d', '\u2013', '\u2014', '\u20ac', '\u00a3', '\u00a9', '\u00b0', '\u00bd'];
  const nameChar = fc.constantFrom('A', 'b', 'z', ' ', '.', ',', '"', "'", '&', '-', '(', ')', ...NON_ASCII);
  const name = fc
    .string({ unit: nameChar, minLength: 1, maxLength: 30 })
    .filter((s) => s.trim() === s && s.length > 0);
  const options = fc.record({
    names: fc.tuple(name, name),
    encoding: fc.constantFrom('utf-8', 'utf-8 with BOM', 'windows-1252'),
    eol: fc.constantFrom('\n', '\r\n'),
    finalEol: fc.boolean(),
    quoteAll: fc.boolean(),
    trailingBlankLines: fc.integer({ min: 0, max: 2 })
  });

  it('load, with every value read back exactly', async () => {
    const csvField = (v: string, quoteAll: boolean) => (quoteAll || /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
    await fc.assert(
      fc.asyncProperty(options, async (o) => {
        const files: Record<string, Uint8Array> = {};
        for (const file of NAMES) {
          let rows = readFileSync(path.join(SMALL, file), 'utf8').trimEnd().split('\n').map((l) => l.split(','));
          if (file === 'schools.csv') rows = rows.map((r, i) => (i === 0 ? r : r.map((v, j) => (j === 2 ? o.names[i - 1]! : v))));
          const text =
            rows.map((r) => r.map((v) => csvField(v, o.quoteAll)).join(',')).join(o.eol) + (o.finalEol ? o.eol : '') + o.eol.repeat(o.finalEol ? o.trailingBlankLines : 0);
          files[file] = o.encoding === 'windows-1252' ? encode1252(text) : o.encoding === 'utf-8' ? utf8(text) : utf8(`\ufeff${text}`);
        }
        const result = await load(extractWith(files), async (conn, loaded) => {
          expect(loaded.rows).toEqual({ 'schools.csv': 2, 'pupils.csv': 18, 'exclusions.csv': 6, 'comparators.csv': 10 });
          const nonAscii = o.names.some((n) => /[^\x00-\x7f]/.test(n));
          // A pure-ASCII file is valid UTF-8 too, so it is read as such.
          expect(loaded.formats['schools.csv']).toBe(o.encoding === 'windows-1252' && !nonAscii ? 'utf-8' : o.encoding);
          const r = await conn.runAndReadAll('SELECT name FROM in_schools ORDER BY rowid');
          expect(r.getRowObjectsJS().map((x) => x.name)).toEqual(o.names);
        });
        expect(result).not.toBeInstanceOf(InputError);
      }),
      { numRuns: RUNS }
    );
    // Every temporary UTF-8 copy was removed.
    expect(readdirSync(privateTmp)).toEqual([]);
  });
});
