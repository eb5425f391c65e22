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
