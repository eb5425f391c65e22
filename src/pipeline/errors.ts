/**
 * Input errors: what a person fixing a bad file needs to know (file, line, column, the value found,
 * what was expected), collected up to a limit so that one run shows many problems at once. The
 * issue itself and its wording live in src/lib/validation/issues.ts, shared with the browser's
 * explorer, which reports an analyst's own file the same way.
 */
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
 * Where JSON.parse gave up on `text`, as a 0-based index: the first character after which the text
 * can no longer be the start of a JSON value, found by asking JSON.parse about prefixes (whose
 * messages, and whether they give a position at all, differ between Node versions). Prefixes that
 * parse, or fail only for ending early, are still on track; the first longer one that fails
 * otherwise ends at the offending character. -1 when only the end came too soon.
 */
export function jsonErrorIndex(text: string): number {
  const onTrack = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      // Running out of text is reported as the end of the input or as a position at the end.
      const message = (e as Error).message;
      const position = /at position (\d+)/.exec(message)?.[1];
      return /end of JSON input/i.test(message) || (position !== undefined && Number(position) >= n);
    }
  };
  let lo = 0; // on track
  let hi = text.length + 1; // smallest length known to be off track, or past the end
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (onTrack(mid)) lo = mid;
    else hi = mid;
  }
  return hi > text.length ? -1 : hi - 1;
}

/**
 * A JSON file's value; a syntax error becomes an InputError naming the file (as `name`), the line
 * and column of the offending character, and that character.
 */
export function parseJsonFile(text: string, name: string, expected = 'valid JSON'): unknown {
  // A byte order mark is what Windows editors put first; it is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch {
    if (text.trim() === '') throw new InputError([{ file: name, line: 0, column: '', value: text, expected: `${expected} (the file is empty)` }]);
    const at = jsonErrorIndex(text);
    const index = at < 0 ? text.length : at;
    const before = text.slice(0, index).split(/\r\n|\r|\n/);
    const line = before.length;
    const column = (before.at(-1) ?? '').length + 1;
    const found = at < 0 ? 'the end of the file' : [...text.slice(at)][0] ?? '';
    throw new InputError([{ file: name, line, column: String(column), value: found, expected: at < 0 ? `${expected}: the file ends before the JSON does` : expected }]);
  }
}

/** Why a file could not be read, in words rather than Node's error code (the found value of an InputIssue). */
export function unreadable(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'a file this user may not read';
  return code ?? String(e);
}
