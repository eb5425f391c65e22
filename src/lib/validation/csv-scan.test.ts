// The shared CSV scan on its own (the pipeline's bad-input fixtures test it through loadExtract):
// records as the explorer collects them, encodings without Node's Buffer, and no Node imports.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { decodeWindows1252, scanCsv } from './csv-scan';
import { formatIssue, IssueList } from './issues';

const enc = (s: string) => new TextEncoder().encode(s);

describe('scanCsv with collect', () => {
  test('gives every record unquoted, with doubled quotes undone and empty fields kept', () => {
    const issues = new IssueList();
    const scan = scanCsv(enc('urn,name,n\r\n100001,"Smith, ""St"" Mary\'s",3\n100002,,\n'), 'a.csv', issues, { collect: true });
    expect(issues.issues).toEqual([]);
    expect(scan?.header).toEqual(['urn', 'name', 'n']);
    expect(scan?.records).toEqual([
      ['100001', 'Smith, "St" Mary\'s', '3'],
      ['100002', '', '']
    ]);
    expect(scan?.encoding).toBe('utf-8');
  });

  test('does not keep records unless asked (the pipeline lets DuckDB read them)', () => {
    expect(scanCsv(enc('a\n1\n'), 'a.csv', new IssueList())?.records).toBeUndefined();
  });

  test('reports a ragged row with its line, and gives no records for a faulty file', () => {
    const issues = new IssueList();
    expect(scanCsv(enc('a,b\n1,2\n3\n'), 'mine.csv', issues, { collect: true })).toBeNull();
    expect(issues.issues.map(formatIssue)).toEqual(['mine.csv:3: found "3", expected 2 fields, like the header (found 1)']);
  });

  test('reads Windows-1252 with 0x92 as a right single quote, which Node 20 TextDecoder gets wrong', () => {
    const bytes = new Uint8Array([...enc('name\nLady Hawkins'), 0x92, ...enc(' School\n')]);
    const scan = scanCsv(bytes, 'w.csv', new IssueList(), { collect: true });
    expect(scan?.encoding).toBe('windows-1252');
    expect(scan?.records).toEqual([['Lady Hawkins\u2019 School']]);
  });
});

test('decodeWindows1252 maps the whole 0x80-0x9F block and is Latin-1 elsewhere, in long inputs too', () => {
  expect(decodeWindows1252(new Uint8Array([0x80, 0x92, 0x9f, 0xe9, 0x41]))).toBe('\u20ac\u2019\u0178\u00e9A');
  const long = new Uint8Array(20_000).fill(0x92);
  expect(decodeWindows1252(long)).toBe('\u2019'.repeat(20_000));
});

test('a UTF-8 character split across the 16 MB slices of the UTF-8 check still reads as UTF-8', () => {
  const slice = 16 * 1024 * 1024;
  const bytes = new Uint8Array(slice + 8).fill(0x61); // 'a'
  bytes.set(enc('n\n'), 0);
  bytes.set([0xe2, 0x80, 0x99], slice - 1); // ’ straddling the boundary
  bytes.set(enc('\n'), slice + 7);
  const scan = scanCsv(bytes, 'big.csv', new IssueList());
  expect(scan?.encoding).toBe('utf-8');
});

test('the shared validation modules import nothing from Node, so the browser runs the same code', () => {
  for (const f of ['csv-scan.ts', 'issues.ts', 'rules.ts']) {
    const text = readFileSync(new URL(f, import.meta.url), 'utf8');
    expect(text).not.toMatch(/from ['"]node:|require\(|\bBuffer\b/);
  }
});
