/**
 * Input errors: what a person fixing a bad file needs to know (file, line, column, the value found,
 * what was expected), collected up to a limit so that one run shows many problems at once.
 */

export interface InputIssue {
  /** The file's name as found in the extract folder, e.g. `pupils.csv` or `pupils.parquet`. */
  file: string;
  /**
   * 1-based line in the file (the header is line 1); 0 when the problem is the file itself. For a
   * Parquet file, which has no lines, it is the row number + 1, so that the same number means the
   * same record whichever format the council exported (formatIssue then says "row").
   */
  line: number;
  column: string;
  value: string;
  expected: string;
}

export const MAX_ISSUES = 50;

export function formatIssue(i: InputIssue): string {
  const where = i.line <= 0 ? i.file : i.file.endsWith('.parquet') ? `${i.file} row ${i.line - 1}` : `${i.file}:${i.line}`;
  const col = i.column ? `, column ${i.column}` : '';
  return `${where}${col}: found ${JSON.stringify(i.value)}, expected ${i.expected}`;
}

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
