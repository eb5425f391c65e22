// parseJsonFile: a JSON syntax error in the config or extract.json is reported at its line and
// column, with the character found there (Node 20's JSON.parse gives neither).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfig } from './config';
import { InputError, parseJsonFile } from './errors';

function issueOf(text: string) {
  try {
    parseJsonFile(text, 'settings.json');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).issues[0]!;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

describe('parseJsonFile', () => {
  it('names the line, the column and the character of a syntax error', () => {
    expect(issueOf('{\n  "disclosure": { "min_count": 5,\n  }\n}\n')).toEqual({
      file: 'settings.json',
      line: 3,
      column: '3',
      value: '}',
      expected: 'valid JSON: expected a key in double quotes'
    });
    expect(issueOf("{'min_count': 5}")).toMatchObject({ line: 1, column: '2', value: "'" });
    expect(issueOf('{"a": 1}\r\n\r\nx')).toMatchObject({ line: 3, column: '1', value: 'x', expected: 'valid JSON: unexpected text after the end of the JSON' });
    expect(issueOf('{"a": 1,}')).toMatchObject({ line: 1, column: '9', value: '}' });
    expect(issueOf('{"a": 01}')).toMatchObject({ line: 1, column: '8', value: '1' });
  });

  it('refuses a key given twice, which JSON.parse would silently take the last of', () => {
    expect(issueOf('{"disclosure": {\n  "min_count": 10,\n  "min_count": 5\n}}')).toEqual({
      file: 'settings.json',
      line: 3,
      column: '3',
      value: '"',
      expected: 'valid JSON: the key "min_count" appears twice'
    });
  });

  it('says when the file ends too soon, and when it is empty', () => {
    expect(issueOf('{\n  "a": [1, 2')).toEqual({ file: 'settings.json', line: 2, column: '13', value: 'the end of the file', expected: 'valid JSON: expected "," or "]"' });
    expect(issueOf(' \n')).toEqual({ file: 'settings.json', line: 0, column: '', value: ' \n', expected: 'valid JSON (the file is empty)' });
  });

  it('reads a file that starts with a byte order mark, as Windows editors write it', () => {
    expect(parseJsonFile('\uFEFF{"min_count": 5}', 'settings.json').value).toEqual({ min_count: 5 });
    // ...and counts columns as the editor shows them, without the mark.
    expect(issueOf('\uFEFF{"a":}')).toMatchObject({ line: 1, column: '6', value: '}' });
  });

  it('gives what JSON.parse gives for any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(parseJsonFile(text, 'settings.json').value).toStrictEqual(JSON.parse(text));
      }),
      { numRuns: 500 }
    );
  });

  // An independent oracle: '#' is wrong anywhere outside a string, so put into a valid document
  // between its tokens (not inside a string, a number or a word such as true), the error is that
  // '#', wherever it is.
  it('points at a stray character wherever it is put', () => {
    const inToken = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && /[\w.+-]/.test(a) && /[\w.+-]/.test(b);
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), fc.nat(), (value, pretty, pick) => {
        const doc = JSON.stringify(value, null, pretty ? 2 : undefined);
        const between: number[] = [];
        let inString = false;
        for (let i = 0; i <= doc.length; i++) {
          if (!inString && !inToken(doc[i - 1], doc[i])) between.push(i);
          const c = doc[i];
          if (inString && c === '\\') i++;
          else if (c === '"') inString = !inString;
        }
        const at = between[pick % between.length]!;
        const text = doc.slice(0, at) + '#' + doc.slice(at);
        const lines = doc.slice(0, at).split('\n');
        expect(issueOf(text)).toMatchObject({ file: 'settings.json', line: lines.length, column: String(lines.at(-1)!.length + 1), value: '#' });
      }),
      { numRuns: 500 }
    );
  });

  it('gives the line of each key\u2019s value, or of the object that should hold a missing key', () => {
    const { lineOf } = parseJsonFile('{\n  "la": {\n    "code": "990"\n  },\n  "neighbours": [\n    {"code": "991"},\n    {"code": 992}\n  ]\n}', 'extract.json');
    expect(['la', 'la.code', 'la.name', 'neighbours[1].code', 'neighbours[7]', 'missing', ''].map(lineOf)).toEqual([2, 3, 2, 7, 5, 1, 0]);
  });
});

describe('readConfig', () => {
  it('names the line of a wrong threshold, with its key in the column\u2019s place', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'config-'));
    const file = path.join(dir, 'pipeline.config.json');
    try {
      writeFileSync(file, '{\n  "disclosure": {\n    "min_count": 0,\n    "min_group": 10\n  }\n}\n');
      expect(() => readConfig(file)).toThrow(`${file}:3, column disclosure.min_count: found "0", expected a whole number from 1 to 1000`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
