/**
 * Property tests for every reader and validator of the pipeline's inputs, beyond extract.test.ts's
 * random bytes and random CSV shapes: files in other encodings (UTF-16 either way round, broken
 * UTF-8, Windows-1252's undefined bytes, stray BOMs), other separators and mixed line ends, broken
 * Parquet, random values in well-formed files (which is what the validators see), and the two JSON
 * files (pipeline config, extract.json). Whatever arrives, the result is a clean load or an
 * InputError pointing at a file, line and column; never another exception, never a stack trace.
 * Where the answer is known it is checked too: UTF-16 and NUL bytes are always refused, every
 * valid variation of line ends and BOM always loads, and an issue's value is the cell at its line
 * and column.
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encode1252, encodeUtf16, expectWellFormed, extractCases, NAMES, SMALL, utf8 } from '../../tests/unit/extract-cases';
import { readConfig } from './config';
import { InputError } from './errors';
import { EXTRACT_FILES } from './extract';
import { readExtractMeta } from './run';

/** Runs per property that loads an extract (about 0.2 s each); EXTRACT_PROPERTY_RUNS searches harder. */
const RUNS = Number(process.env.EXTRACT_PROPERTY_RUNS ?? 15);
const PARQUET = path.resolve('tests/fixtures/good-input/parquet-input');

const { extractWith, load, cleanup } = extractCases('input-fuzz-');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'input-fuzz-json-'));
afterAll(() => {
  cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

const text = (file: string) => readFileSync(path.join(SMALL, file), 'utf8');
/** A change to one file may show up as an error in the files that refer to it. */
const DEPENDENTS: Record<string, string[]> = {
  'schools.csv': ['schools.csv', 'pupils.csv', 'exclusions.csv'],
  'pupils.csv': ['pupils.csv', 'exclusions.csv'],
  'exclusions.csv': ['exclusions.csv'],
  'comparators.csv': ['comparators.csv']
};
function expectBlames(err: InputError, changed: string, files: readonly string[] = NAMES): void {
  const stem = changed.replace(/\.(csv|parquet)$/, '');
  const blamed = err.issues.map((i) => i.file).find((f) => (DEPENDENTS[`${stem}.csv`] ?? [changed]).some((d) => d.replace('.csv', '') === f.replace(/\.(csv|parquet)$/, '')));
  expect(blamed, `an issue names ${changed} or a file that refers to it: ${err.message}`).toBeDefined();
  expectWellFormed(err, blamed!, files);
}

// Schools with non-ASCII names, so that the encoding matters to the bytes.
const SCHOOLS = text('schools.csv').replace('Test Primary School', 'St Mary’s Café Primary').replace('Test Academy', 'Ysgol Gymraeg – “Bro”');

describe('any encoding', () => {
  const INVALID_UTF8 = [
    [0x80], // a continuation byte with no lead
    [0xc0, 0xaf], // an overlong "/"
    [0xe2, 0x82], // a sequence cut short
    [0xed, 0xa0, 0x80], // a UTF-16 surrogate
    [0xf5, 0x80, 0x80, 0x80], // past U+10FFFF
    [0xff],
    [0x81], // undefined in Windows-1252 too
    [0x00] // NUL
  ];
  const encoding = fc.oneof(
    fc.record({ kind: fc.constant('utf-16' as const), endian: fc.constantFrom('le' as const, 'be' as const), bom: fc.boolean() }),
    fc.record({
      kind: fc.constant('broken utf-8' as const),
      bom: fc.boolean(),
      at: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...INVALID_UTF8)), { minLength: 1, maxLength: 3 })
    }),
    fc.record({ kind: fc.constant('windows-1252' as const), undefinedByte: fc.option(fc.constantFrom(0x81, 0x8d, 0x8f, 0x90, 0x9d), { nil: undefined }) }),
    fc.record({ kind: fc.constant('mixed' as const) }),
    fc.record({ kind: fc.constant('stray BOM' as const), where: fc.constantFrom('twice', 'middle', 'utf-16 then utf-8') })
  );

  it('a load or an InputError naming the file; UTF-16 and NUL bytes always refused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...NAMES), encoding, async (name, enc) => {
        const source = name === 'schools.csv' ? SCHOOLS : text(name);
        let bytes: Uint8Array;
        switch (enc.kind) {
          case 'utf-16':
            bytes = encodeUtf16(source, enc.endian, enc.bom);
            break;
          case 'broken utf-8': {
            const b = [...utf8(source)];
            for (const [where, seq] of enc.at) b.splice(Math.floor(where * b.length), 0, ...seq);
            bytes = Uint8Array.from(enc.bom ? [0xef, 0xbb, 0xbf, ...b] : b);
            break;
          }
          case 'windows-1252': {
            const b = [...encode1252(source)];
            if (enc.undefinedByte !== undefined) b.splice(b.length >> 1, 0, enc.undefinedByte);
            bytes = Uint8Array.from(b);
            break;
          }
          case 'mixed': {
            // The first half in UTF-8, the second in Windows-1252: one file, two encodings.
            const lines = source.split('\n');
            const half = Math.ceil(lines.length / 2);
            bytes = Uint8Array.from([...utf8(lines.slice(0, half).join('\n') + '\n'), ...encode1252(lines.slice(half).join('\n'))]);
            break;
          }
          case 'stray BOM': {
            const bom = [0xef, 0xbb, 0xbf];
            const b = [...utf8(source)];
            bytes = Uint8Array.from(
              enc.where === 'twice' ? [...bom, ...bom, ...b] : enc.where === 'middle' ? [...b.slice(0, b.length >> 1), ...bom, ...b.slice(b.length >> 1)] : [0xff, 0xfe, ...bom, ...b]
            );
            break;
          }
        }
        const result = await load(extractWith({ ...(name === 'schools.csv' ? {} : { 'schools.csv': SCHOOLS }), [name]: bytes }));
        const refused = enc.kind === 'utf-16' || (enc.kind === 'stray BOM' && enc.where === 'utf-16 then utf-8') || bytes.includes(0);
        if (refused) expect(result, `${name} as ${JSON.stringify(enc)} must be refused`).toBeInstanceOf(InputError);
        if (result instanceof InputError) {
          expectBlames(result, name);
          if (enc.kind === 'utf-16' && enc.bom) expect(result.issues).toContainEqual(expect.objectContaining({ file: name, line: 0, value: 'a UTF-16 byte order mark' }));
        }
      }),
      { numRuns: RUNS }
    );
  });
});

describe('any separator and line ends', () => {
  const shape = fc.record({
    sep: fc.constantFrom(',', ',', ',', ';', '\t', '|'),
    /** A line here and there with another separator. */
    strays: fc.array(fc.nat({ max: 19 }), { maxLength: 2 }),
    eols: fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 20, maxLength: 20 }),
    bom: fc.boolean(),
    pad: fc.constantFrom('', '', ' ', '\t'),
    blankAt: fc.option(fc.nat({ max: 19 }), { nil: undefined }),
    finalEol: fc.boolean()
  });

  it('a load or an InputError; every valid variation (commas, LF or CRLF, BOM or not) loads', async () => {
    const rows = text('pupils.csv').trimEnd().split('\n').map((l) => l.split(','));
    await fc.assert(
      fc.asyncProperty(shape, async (s) => {
        const lines = rows.map((r, i) => r.map((f) => `${s.pad}${f}${s.pad}`).join(s.strays.includes(i) ? ';' : s.sep));
        if (s.blankAt !== undefined && s.blankAt > 0 && s.blankAt < lines.length) lines.splice(s.blankAt, 0, '');
        const body = (s.bom ? '\ufeff' : '') + lines.map((l, i) => l + (i < lines.length - 1 || s.finalEol ? s.eols[i % s.eols.length] : '')).join('');
        const result = await load(extractWith({ 'pupils.csv': body }));
        const usedEols = lines.map((_, i) => s.eols[i % s.eols.length]).slice(0, s.finalEol ? lines.length : lines.length - 1);
        const valid =
          s.sep === ',' && s.strays.every((i) => i >= rows.length) && s.pad === '' && !(s.blankAt !== undefined && s.blankAt > 0 && s.blankAt < rows.length) && !usedEols.includes('\r');
        if (valid) {
          expect(result, `a valid file must load: ${JSON.stringify(body.slice(0, 120))}`).not.toBeInstanceOf(InputError);
          expect((result as { rows: Record<string, number> }).rows['pupils.csv']).toBe(rows.length - 1);
        } else if (result instanceof InputError) {
          expectBlames(result, 'pupils.csv');
        }
      }),
      { numRuns: RUNS }
    );
  });
});

describe('broken Parquet', () => {
  const damage = fc.oneof(
    fc.record({ kind: fc.constant('random bytes' as const), bytes: fc.uint8Array({ maxLength: 600 }) }),
    fc.record({ kind: fc.constant('truncated' as const), keep: fc.double({ min: 0, max: 0.999, noNaN: true }) }),
    fc.record({ kind: fc.constant('flipped' as const), at: fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 4 }), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('junk appended' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) })
  );
  const PARQUET_NAMES = ['schools.parquet', 'pupils.parquet', 'exclusions.parquet', 'comparators.parquet'];

  it('a load or an InputError naming the Parquet file; never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PARQUET_NAMES), damage, async (name, d) => {
        const good = readFileSync(path.join(PARQUET, name));
        const bytes =
          d.kind === 'random bytes'
            ? d.bytes
            : d.kind === 'truncated'
              ? good.subarray(0, Math.floor(d.keep * good.length))
              : d.kind === 'flipped'
                ? Uint8Array.from(good, (b, i) => (d.at.some((a) => Math.floor(a * good.length) === i) ? b ^ d.xor : b))
                : Uint8Array.from([...good, ...d.bytes]);
        const result = await load(extractWith({ [name]: bytes }, [], PARQUET));
        if (result instanceof InputError) expectBlames(result, name, PARQUET_NAMES);
      }),
      { numRuns: RUNS }
    );
  });
});

describe('random values in well-formed files (the validators)', () => {
  const table = (file: string) => text(file).trimEnd().split('\n').map((l) => l.split(','));
  const FILES = Object.fromEntries(NAMES.map((f) => [f, table(f)]));
  /** For each file and column: the fixture's own values (valid, often inconsistent when moved) and near misses. */
  const NEAR = ['', ' ', 'x', '0', '-1', '1.5', '99999999999', '2022/23', '2023/24', '2019/20', '2022/24', '2022-23', '2023-10-02', '2023-02-30', '2024-08-31', '2021-09-01',
    '900001', '900002', '900003', '90000', 'P101', 'P001', 'p101', 'E', 'K', 'N', 'e', 'SUSP', 'PERM', 'ASD', 'NSA', 'PD', 'VA', 'LG', 'PH', 'R', '7', '11', '14', 'All',
    'Primary', 'Secondary', 'England', 'Neighbour', '991', '990', 'EHC plan', 'All pupils', '"quoted"', 'a,b', 'Ünïcødé', '<b>x</b>', '=1+1', '  padded  '];
  const pools = Object.fromEntries(
    NAMES.map((f) => [f, FILES[f]![0]!.map((_, c) => [...new Set(FILES[f]!.slice(1).map((r) => r[c]!))])])
  ) as Record<string, string[][]>;
  const change = fc.record({
    file: fc.constantFrom(...NAMES),
    row: fc.nat(),
    col: fc.nat(),
    value: fc.oneof(
      { weight: 3, arbitrary: fc.constant(null) }, // another value of the same column: valid, maybe inconsistent
      { weight: 2, arbitrary: fc.constantFrom(...NEAR) },
      { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', 'Z', '9', '/', '-', ' ', '£', 'é', ',', '"'), maxLength: 14 }) }
    ),
    pick: fc.nat()
  });
  const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

  it('an InputError whose every issue points at the cell holding the value it quotes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 5 }), async (changes) => {
        const cells = structuredClone(FILES);
        for (const c of changes) {
          const rows = cells[c.file]!;
          const row = 1 + (c.row % (rows.length - 1));
          const col = c.col % rows[0]!.length;
          const pool = pools[c.file]![col]!;
          rows[row]![col] = c.value ?? pool[c.pick % pool.length]!;
        }
        const files = Object.fromEntries(NAMES.map((f) => [f, cells[f]!.map((r) => r.map(csvField).join(',')).join('\n') + '\n']));
        const result = await load(extractWith(files));
        if (!(result instanceof InputError)) return;
        expectWellFormed(result, result.issues[0]!.file);
        for (const i of result.issues) {
          const header = cells[i.file]![0]!;
          if (i.line < 2 || !i.column || !header.includes(i.column)) continue;
          const cell = cells[i.file]![i.line - 1]?.[header.indexOf(i.column)];
          expect(cell, `${i.file}:${i.line} column ${i.column} exists`).toBeDefined();
          // Values are quoted whole, or clipped to 80 characters with "...".
          if (i.value.endsWith('...')) expect(cell!.startsWith(i.value.slice(0, -3))).toBe(true);
          else expect(i.value, `${i.file}:${i.line} column ${i.column}`).toBe(cell);
        }
      }),
      { numRuns: RUNS + 10 }
    );
  });
});

describe('the JSON files', () => {
  let n = 0;
  const write = (content: string | Uint8Array) => {
    const dir = path.join(scratch, `case-${n++}`);
    const file = path.join(dir, 'extract.json');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, content);
    return { dir, file };
  };
  const json = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.uint8Array({ maxLength: 80 }),
    // Near-valid: each known key given any JSON value, or the right shape with wrong parts.
    fc
      .record(
        {
          synthetic: fc.oneof(fc.boolean(), fc.jsonValue()),
          label: fc.oneof(fc.string(), fc.jsonValue()),
          la: fc.oneof(fc.record({ code: fc.oneof(fc.constant('990'), fc.string()), name: fc.oneof(fc.constant('Wessex'), fc.string(), fc.jsonValue()), region: fc.jsonValue() }), fc.jsonValue()),
          neighbours: fc.oneof(fc.array(fc.record({ code: fc.oneof(fc.constant('991'), fc.string()), name: fc.jsonValue() }), { maxLength: 3 }), fc.jsonValue()),
          disclosure: fc.oneof(fc.dictionary(fc.constantFrom('min_count', 'min_group', 'other'), fc.jsonValue()), fc.jsonValue()),
          statistical_neighbours: fc.oneof(fc.array(fc.oneof(fc.constant('991'), fc.string()), { maxLength: 3 }), fc.jsonValue())
        },
        { requiredKeys: [] }
      )
      .map((v) => JSON.stringify(v))
  );

  it('extract.json: read, or an InputError naming extract.json and the key', () => {
    fc.assert(
      fc.property(json, (content) => {
        const { dir } = write(content);
        try {
          const meta = readExtractMeta(dir);
          expect(typeof meta.synthetic).toBe('boolean');
          expect(typeof meta.label).toBe('string');
          for (const nb of meta.neighbours ?? []) expect(typeof nb.code === 'string' && typeof nb.name === 'string').toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          expectWellFormed(e as InputError, 'extract.json', ['extract.json']);
        }
      }),
      { numRuns: 400 }
    );
  });

  it('the pipeline config: read, or an InputError naming the file and the key', () => {
    fc.assert(
      fc.property(json, (content) => {
        const { file } = write(content);
        try {
          const config = readConfig(file);
          for (const v of Object.values(config.disclosure)) expect(Number.isInteger(v) && v >= 1).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          expectWellFormed(e as InputError, file, [file]);
        }
      }),
      { numRuns: 400 }
    );
  });

  it('the extract file specs name every column the validators check', () => {
    // The value-fuzzing above relies on the fixture's headers being the specs' columns (less the
    // ones added to the format later, which a file may leave out, as this fixture does).
    for (const spec of EXTRACT_FILES) expect(text(spec.file).split('\n')[0]!.split(',')).toEqual(spec.columns.filter((c) => !c.mayBeAbsent).map((c) => c.name));
  });
});
