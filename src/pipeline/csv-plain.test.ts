/**
 * The fast path of the CSV check (csv-plain.ts) may only ever say what the full scan says: whenever
 * it accepts a file, the scan accepts it too, with the same encoding, header and row count. Checked
 * on every CSV of the fixture corpora and on random files built from the bytes that matter to the
 * structure (commas, quotes, line ends, control characters, C1 controls, byte order marks, bytes
 * that are not UTF-8). It must also accept the ordinary files it exists for.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanCsv } from '../lib/validation/csv-scan';
import { IssueList } from '../lib/validation/issues';
import { plainCsv, plainHeader } from './csv-plain';

const FIXTURES = path.resolve('tests/fixtures');

/** What the fast path says about a file: its scan result, or null (full scan needed). */
function fast(bytes: Uint8Array): { encoding: string; header: string[]; rows: number } | null {
  const h = plainHeader(bytes);
  if (!h) return null;
  const rows = plainCsv(bytes, h.begin, h.header.length);
  return rows === null ? null : { encoding: h.encoding, header: h.header, rows };
}

function full(bytes: Uint8Array): { encoding: string; header: string[]; rows: number } | null {
  const scan = scanCsv(bytes, 'x.csv', new IssueList());
  return scan ? { encoding: scan.encoding, header: scan.header, rows: scan.rows } : null;
}

function expectAgrees(bytes: Uint8Array): void {
  const f = fast(bytes);
  if (f !== null) expect(f, JSON.stringify(Buffer.from(bytes).toString('latin1'))).toEqual(full(bytes));
}

describe('the fast CSV check', () => {
  it('agrees with the full scan on every CSV of the fixtures, and takes the plain ones', () => {
    let taken = 0;
    for (const corpus of ['bad-input', 'good-input']) {
      for (const dir of readdirSync(path.join(FIXTURES, corpus), { withFileTypes: true })) {
        if (!dir.isDirectory()) continue;
        for (const f of readdirSync(path.join(FIXTURES, corpus, dir.name))) {
          if (!f.endsWith('.csv')) continue;
          const bytes = readFileSync(path.join(FIXTURES, corpus, dir.name, f));
          expectAgrees(bytes);
          if (fast(bytes)) taken++;
        }
      }
    }
    // Most fixture files are plain (the defect is in one file of each extract).
    expect(taken).toBeGreaterThan(100);
    const small = readFileSync(path.join(FIXTURES, 'extract-small', 'pupils.csv'));
    expect(fast(small)).toEqual(full(small));
  });

  it('refuses what it cannot vouch for, every file the scan refuses among them', () => {
    const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
    for (const s of [
      'a,b\n1,2\n\n', // a harmless empty line at the end: the full scan decides
      'a,b\n\n1,2\n', // an empty line
      '\na,b\n1,2\n',
      'a,b\n1,2,\n', // one field too many, the extra one empty (DuckDB would read it)
      'a,b\n1\n',
      'a,b\n"1",2\n',
      'a,b\n1,2\r3,4\n',
      'a,b\n1,\x002\n',
      'a,b\n1,\x7f\n',
      'a,b\n1,\xc2\x85\n', // U+0085, a C1 control
      'a,b\n1,\xe9\n', // not UTF-8
      '\xff\xfea,b\n',
      '',
      '\xef\xbb\xbf'
    ]) {
      expect(fast(text(s)), JSON.stringify(s)).toBeNull();
    }
    expect(fast(text('\xef\xbb\xbfa,b\r\n1,2\r\n3,4'))).toEqual({ encoding: 'utf-8 with BOM', header: ['a', 'b'], rows: 2 });
    expect(fast(text('a,b\n,\n1,\xc2\xa3\n'))).toEqual({ encoding: 'utf-8', header: ['a', 'b'], rows: 2 });
  });

  it('never accepts a file differently from the full scan (random files)', () => {
    const piece = fc.constantFrom(
      ...['a', 'b', 'x1', ',', ',', '\n', '\r\n', '\r', '"', '""', '\t', ' ', '\x00', '\x1f', '\x7f', '\xc2\x85', '\xc2\xa3', '\xe2\x80\x99', '\xe9', '\x92', '\xef\xbb\xbf']
    );
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 1, max: 4 }), fc.array(piece, { maxLength: 60 }), (bom, fields, body) => {
        const header = Array.from({ length: fields }, (_, i) => `h${i}`).join(',');
        const s = `${bom ? '\xef\xbb\xbf' : ''}${header}\n${body.join('')}`;
        expectAgrees(new Uint8Array(Buffer.from(s, 'latin1')));
      }),
      { numRuns: 5000 }
    );
    // Rows that are mostly right, so that acceptance is common and the row counts are compared.
    const row = fc.array(fc.constantFrom('1', 'ab', '', '\xc2\xa3', ' '), { minLength: 1, maxLength: 4 }).map((f) => f.join(','));
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), (rows, eol, last) => {
        const s = `h0,h1,h2${eol}${rows.join(eol)}${last ? eol : ''}`;
        expectAgrees(new Uint8Array(Buffer.from(s, 'latin1')));
      }),
      { numRuns: 5000 }
    );
  });
});
