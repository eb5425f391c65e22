/**
 * Input errors: what a person fixing a bad file needs to know (file, line, column, the value found,
 * what was expected), collected up to a limit so that one run shows many problems at once. The
 * issue itself and its wording live in src/lib/validation/issues.ts, shared with the browser's
 * explorer, which reports an analyst's own file the same way.
 */
import { JsonSyntaxError, jsonValue, nodeAt, parseJsonNodes, type JsonNode } from '../lib/config/json';
import { formatIssue, MAX_ISSUES, type InputIssue } from '../lib/validation/issues';

export { formatIssue, MAX_ISSUES, type InputIssue };

export class InputError extends Error {
  constructor(
    readonly issues: InputIssue[],
    readonly truncated = false
  ) {
    super(
      `${issues.length}${truncated ? '+' : ''} problem${issues.length === 1 ? '' : 's'} in the input:\n` +
        issues.map((i) => `  ${formatIssue(i)}`).join('\n') +
        (truncated ? `\n  (stopped after ${MAX_ISSUES}; fix these and run again)` : '')
    );
    this.name = 'InputError';
  }
}

/**
 * A JSON file's value, and the line each key's value is on (for messages about a wrong value,
 * `lineOf('disclosure.min_count')`). A syntax error becomes an InputError naming the file (as
 * `name`), the line and column of the offending character, and that character. A key given twice
 * is an error too (JSON.parse would keep the last: in a disclosure threshold, that hides a
 * mistake). The reader is the one data/events.json and data/site.json use ($lib/config/json).
 */
export function parseJsonFile(text: string, name: string): { value: unknown; lineOf: (keyPath: string) => number } {
  if (text.trim() === '') throw new InputError([{ file: name, line: 0, column: '', value: text, expected: 'valid JSON (the file is empty)' }]);
  let root: JsonNode;
  try {
    root = parseJsonNodes(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const found = e.index >= text.length ? 'the end of the file' : ([...text.slice(e.index)][0] ?? '');
    throw new InputError([{ file: name, line: e.line, column: String(e.col), value: found, expected: `valid JSON: ${e.reason}` }]);
  }
  return { value: jsonValue(root), lineOf: (keyPath) => (keyPath === '' ? 0 : nodeAt(root, keyPath).line) };
}

/** Why a file could not be read, in words rather than Node's error code (the found value of an InputIssue). */
export function unreadable(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'a file this user may not read';
  return code ?? String(e);
}
