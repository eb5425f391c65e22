// parseJsonFile: a JSON syntax error in the config or extract.json is reported at its line and
// column, on any Node version (their messages differ; some give no position at all).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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
    expect(issueOf('{\n  "disclosure": { "min_count": 5,\n  }\n}\n')).toEqual({ file: 'settings.json', line: 3, column: '3', value: '}', expected: 'valid JSON' });
    expect(issueOf("{'min_count': 5}")).toEqual({ file: 'settings.json', line: 1, column: '2', value: "'", expected: 'valid JSON' });
    expect(issueOf('{"a": 1}\r\n\r\nx')).toMatchObject({ line: 3, column: '1', value: 'x' });
    expect(issueOf('{"a": 1,}')).toMatchObject({ line: 1, column: '9', value: '}' });
    expect(issueOf('{"a": 01}')).toMatchObject({ line: 1, column: '8', value: '1' });
  });

  it('says when the file ends too soon, and when it is empty', () => {
    expect(issueOf('{\n  "a": [1, 2')).toEqual({ file: 'settings.json', line: 2, column: '13', value: 'the end of the file', expected: 'valid JSON: the file ends before the JSON does' });
    expect(issueOf(' \n')).toEqual({ file: 'settings.json', line: 0, column: '', value: ' \n', expected: 'valid JSON (the file is empty)' });
  });

  it('reads a file that starts with a byte order mark, as Windows editors write it', () => {
    expect(parseJsonFile('\uFEFF{"min_count": 5}', 'settings.json')).toEqual({ min_count: 5 });
  });

  // An independent oracle: '#' is wrong anywhere outside a string, so put into a valid document
  // outside its strings, the error is that '#', wherever it is.
  it('points at a stray character wherever it is put', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), fc.nat(), (value, pretty, pick) => {
        const doc = JSON.stringify(value, null, pretty ? 2 : undefined);
        const outside: number[] = [];
        let inString = false;
        for (let i = 0; i <= doc.length; i++) {
          if (!inString) outside.push(i);
          const c = doc[i];
          if (inString && c === '\\') i++;
          else if (c === '"') inString = !inString;
        }
        const at = outside[pick % outside.length]!;
        const text = doc.slice(0, at) + '#' + doc.slice(at);
        const lines = doc.slice(0, at).split('\n');
        expect(issueOf(text)).toEqual({ file: 'settings.json', line: lines.length, column: String(lines.at(-1)!.length + 1), value: '#', expected: 'valid JSON' });
      }),
      { numRuns: 500 }
    );
  });
});
