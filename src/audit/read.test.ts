// Tests of how the audit reads a release: the Arrow reader that goes straight to the column
// buffers must give what apache-arrow's own accessors give, and a CSV text accepted by `isCsvOf`
// must parse (with the audit's own parser) to exactly the grid it was compared with. These are what
// let the audit read a table once and take its other formats as proven equal (audit.ts,
// readAgreeing); DuckDB's CSV writer, which writes the files compared, is checked to write the same
// bytes for tricky values.
import { DuckDBInstance } from '@duckdb/node-api';
import { Bool, Float64, Int32, Int64, Table, Utf8, makeData, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvField, isCsvOf, parseCsv, readArrow, readArrowSlowly, type Grid } from './read';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A small seeded generator (mulberry32): the audit's tests import no property-testing library. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY = ['', ' ', 'a', 'All pupils', 'x,y', 'say "hi"', '"', '""', 'two\nlines', 'cr\rhere', 'crlf\r\n', '=SUM(A1)', '+1', '-2', '@x', '\tTab', "'quoted", 'Lady Hawkins\u2019 School', 'Café', '中文', '😀', ' lead', 'trail ', '1', '0', '-0'];

function randomGrid(next: () => number, columns: number, rows: number): Grid {
  const names = Array.from({ length: columns }, (_, j) => (next() < 0.2 ? TRICKY[1 + Math.floor(next() * (TRICKY.length - 1))]! + j : `c${j}`));
  const cols = names.map(() => Array.from({ length: rows }, () => (next() < 0.15 ? null : TRICKY[Math.floor(next() * TRICKY.length)]!)));
  return { names, columns: cols, rows };
}

function render(grid: Grid): string {
  const line = (fields: (string | null)[]) => fields.map(csvField).join(',') + '\n';
  let text = line(grid.names);
  for (let r = 0; r < grid.rows; r++) text += line(grid.columns.map((c) => c[r] ?? null));
  return text;
}

/** readArrow without its `plain` flags, which it must get right on its own terms: csvField leaves those values as they are. */
function fastRead(bytes: Uint8Array): Grid {
  const { plain, ...grid } = readArrow(bytes);
  grid.columns.forEach((col, j) => {
    if (plain?.[j]) for (const v of col) expect(v === null || csvField(v) === v, `column ${grid.names[j]}: ${JSON.stringify(v)}`).toBe(true);
  });
  return grid;
}

describe('reading Arrow from its buffers', () => {
  it('gives the text apache-arrow gives, value for value, for every type the reader handles and the rest', () => {
    const ints = [1, null, -3, 2147483647, 0, null, 42];
    const strings = ['All pupils', null, '', 'Café', 'x,y', null, '😀'];
    const ascii = ['a', 'bb', null, '', 'dddd', 'e', 'f'];
    const table = new Table({
      i: vectorFromArray(ints, new Int32()),
      s: vectorFromArray(strings, new Utf8()),
      a: vectorFromArray(ascii, new Utf8()),
      f: vectorFromArray([1.5, null, -0.25, 3, 1e21, 0, 2], new Float64()),
      b: vectorFromArray([1n, null, -5n, 9007199254740993n, 0n, 1n, 2n], new Int64()),
      t: vectorFromArray([true, false, null, true, true, false, true], new Bool())
    });
    const bytes = tableToIPC(table, 'stream');
    expect(fastRead(bytes)).toEqual(readArrowSlowly(bytes));
    // Several record batches, each with offsets that do not start at zero in a shared buffer.
    const twice = new Table([...table.batches, ...table.slice(2, 6).batches, ...table.batches]);
    const many = tableToIPC(twice, 'stream');
    expect(fastRead(many)).toEqual(readArrowSlowly(many));
    expect(readArrow(many).rows).toBe(18);
  });

  it('reads a column written without a validity bitmap, as the pipeline writes one with no NULLs', () => {
    const values = new Int32Array([5, 6, 7]);
    const data = makeData({ type: new Int32(), length: 3, nullCount: 0, data: values });
    const offsets = new Int32Array([0, 2, 2, 5]);
    const text = makeData({ type: new Utf8(), length: 3, nullCount: 0, valueOffsets: offsets, data: new TextEncoder().encode('abcde') });
    const bytes = tableToIPC(new Table({ n: makeVector(data), s: makeVector(text) }), 'stream');
    expect(fastRead(bytes)).toEqual(readArrowSlowly(bytes));
    expect(readArrow(bytes).columns).toEqual([['5', '6', '7'], ['ab', '', 'cde']]);
    // An empty string must be quoted in a CSV: that column is not plain; the numbers are.
    expect(readArrow(bytes).plain).toEqual([true, false]);
  });
});

describe('a CSV compared with a grid', () => {
  it('is accepted exactly when it is the grid written out, and then parses back to that grid', () => {
    const next = random(20240901);
    for (let k = 0; k < 300; k++) {
      const grid = randomGrid(next, 1 + Math.floor(next() * 5), Math.floor(next() * 8));
      if (grid.names.some((n) => n === '')) continue;
      const text = render(grid);
      expect(isCsvOf(utf8(text), grid.names, grid.columns, grid.rows)).toBe(true);
      const parsed = parseCsv(text);
      expect({ names: parsed.names, columns: parsed.columns, rows: parsed.rows }).toEqual(grid);
      // Any other text is refused: one character changed, added or removed.
      const at = Math.floor(next() * text.length);
      for (const other of [text.slice(0, at) + text.slice(at + 1), text.slice(0, at) + ',' + text.slice(at), text.slice(0, at) + 'Z' + text.slice(at + 1), `\ufeff${text}`, text.replaceAll('\n', '\r\n')]) {
        if (other !== text) expect(isCsvOf(utf8(other), grid.names, grid.columns, grid.rows)).toBe(false);
      }
    }
  });

  it('compares a file of many blocks of rows, and finds one byte out of place in any of them', () => {
    const rows = 10_000;
    const grid: Grid = {
      names: ['urn', 'name', 'n'],
      columns: [
        Array.from({ length: rows }, (_, i) => String(100000 + i)),
        Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? 'Café, "Ü"' : `School ${i}`)),
        Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? null : String(i % 13)))
      ],
      rows
    };
    const bytes = utf8(render(grid));
    expect(isCsvOf(bytes, grid.names, grid.columns, grid.rows, [true, false, true])).toBe(true);
    for (const at of [3, Math.floor(bytes.length / 2), bytes.length - 2]) {
      const changed = bytes.slice();
      changed[at] = changed[at] === 0x30 ? 0x31 : 0x30;
      expect(isCsvOf(changed, grid.names, grid.columns, grid.rows, [true, false, true]), `byte ${at}`).toBe(false);
    }
    // Cut short, or with one more line, or not UTF-8.
    expect(isCsvOf(bytes.subarray(0, bytes.length - 1), grid.names, grid.columns, grid.rows)).toBe(false);
    expect(isCsvOf(new Uint8Array([...bytes, 0x31, 0x0a]), grid.names, grid.columns, grid.rows)).toBe(false);
    const latin1 = Uint8Array.from(render(grid), (c) => c.charCodeAt(0) & 0xff);
    expect(isCsvOf(latin1, grid.names, grid.columns, grid.rows)).toBe(false);
  });

  it('refuses an empty column name, which the parser refuses', () => {
    expect(isCsvOf(utf8('""\n1\n'), [''], [['1']], 1)).toBe(false);
  });

  it("matches DuckDB's CSV writer byte for byte on tricky text, NULLs and numbers", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'audit-read-'));
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      const file = path.join(dir, 't.csv');
      const values = [...TRICKY, null];
      await conn.run('CREATE TABLE t (s VARCHAR, n INTEGER)');
      const appender = await conn.createAppender('t');
      values.forEach((v, i) => {
        if (v === null) appender.appendNull();
        else appender.appendVarchar(v);
        if (i % 3 === 0) appender.appendNull();
        else appender.appendInteger(i - 10);
        appender.endRow();
      });
      appender.closeSync();
      await conn.run(`COPY (SELECT 'SYNTHETIC, "demo"' AS dataset, * FROM t ORDER BY rowid) TO '${file}' (FORMAT csv, HEADER true)`);
      const text = readFileSync(file, 'utf8');
      const grid: Grid = {
        names: ['dataset', 's', 'n'],
        columns: [values.map(() => 'SYNTHETIC, "demo"'), values, values.map((_, i) => (i % 3 === 0 ? null : String(i - 10)))],
        rows: values.length
      };
      expect(isCsvOf(utf8(text), grid.names, grid.columns, grid.rows)).toBe(true);
      const parsed = parseCsv(text);
      expect(parsed.columns).toEqual(grid.columns);
    } finally {
      conn.closeSync();
      instance.closeSync();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
