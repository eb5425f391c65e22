/**
 * A problem found in an input file, in the words a person fixing the file needs: the file, the
 * line, the column, the value found and what was expected. Shared by the build-time pipeline (a
 * council's extract) and the browser's explorer (an analyst's own file), so both say the same
 * thing about the same fault. Browser-safe: no Node imports.
 */

export interface InputIssue {
  /** The file's name as the person knows it, e.g. `pupils.csv` or `pupils.parquet`. */
  file: string;
  /**
   * 1-based line in the file (the header is line 1); 0 when the problem is the file itself. For a
   * file with no lines (Parquet, Arrow) it is the row number + 1, so that the same number means the
   * same record whichever format was exported (formatIssue then says "row").
   */
  line: number;
  column: string;
  value: string;
  expected: string;
}

/** How many problems one run reports before it stops listing them. */
export const MAX_ISSUES = 50;

/** Formats whose records have no lines: a problem's place is given as a row. */
const ROW_FORMATS = /\.(parquet|arrow|arrows|feather|ipc)$/i;

export function formatIssue(i: InputIssue): string {
  const where = i.line <= 0 ? i.file : ROW_FORMATS.test(i.file) ? `${i.file} row ${i.line - 1}` : `${i.file}:${i.line}`;
  const col = i.column ? `, column ${i.column}` : '';
  return `${where}${col}: found ${JSON.stringify(i.value)}, expected ${i.expected}`;
}

/** Where checks report problems: collects up to MAX_ISSUES and notes that there were more. */
export class IssueList {
  readonly issues: InputIssue[] = [];
  truncated = false;
  add(i: InputIssue): void {
    if (this.issues.length >= MAX_ISSUES) this.truncated = true;
    else this.issues.push(i);
  }
  get full(): boolean {
    return this.issues.length >= MAX_ISSUES;
  }
  /** How many more issues a query should fetch: one past the room left, so truncation is noticed. */
  get fetch(): number {
    return Math.max(0, MAX_ISSUES - this.issues.length) + 1;
  }
  /** Issues by file, then line; stable, so issues on one line keep the order the checks found them in. */
  sorted(): InputIssue[] {
    return [...this.issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  }
}

/** Keep long values readable in a message; whole characters only. */
export function clip(s: string, max = 80): string {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 3).join('')}...` : s;
}
