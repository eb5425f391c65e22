/**
 * What the explorer says about a statement it will not run, and about a query that failed.
 *
 * The decision itself is DuckDB's, never a pattern match here: the user's text is handed to
 * DuckDB's `query()` table function, which parses it with DuckDB's own parser and accepts exactly
 * one statement whose parsed type is SELECT (SELECT, WITH, VALUES, FROM-first, TABLE, DESCRIBE,
 * SHOW, SUMMARIZE and PIVOT with an IN list all parse as SELECT); anything else fails with "Expected
 * a single SELECT statement" before it can bind or run. This module only turns that failure into
 * words, using DuckDB's tokenizer (which skips comments) to name what the text starts with and to
 * count its statements.
 */
import type { ScriptTokens } from './backend';

/** DuckDB's message when `query()` is given anything but one SELECT statement. */
export const NOT_A_SELECT = 'Expected a single SELECT statement';

/** DuckDB's token type for operators and punctuation (the semicolon among them). */
const OPERATOR = 3;

export interface StatementShape {
  /** The first keyword or word, upper-cased (`INSERT`), or '' for text with no tokens. */
  firstWord: string;
  /** Statements separated by semicolons that have something after them. */
  statements: number;
}

export function statementShape(text: string, tokens: ScriptTokens): StatementShape {
  const { offsets, types } = tokens;
  let firstWord = '';
  if (offsets.length > 0) {
    const start = offsets[0]!;
    const end = offsets[1] ?? text.length;
    firstWord = (/^[A-Za-z_]+/.exec(text.slice(start, end).trim())?.[0] ?? text.slice(start, end).trim()).toUpperCase();
  }
  let statements = offsets.length > 0 ? 1 : 0;
  const semicolon = (i: number) => types[i] === OPERATOR && text[offsets[i]!] === ';';
  for (let i = 0; i + 1 < offsets.length; i++) {
    if (semicolon(i) && !semicolon(i + 1)) statements++;
  }
  return { firstWord, statements };
}

/** The explanation shown when DuckDB refused the text as not one SELECT statement. */
export function refusalMessage(shape: StatementShape, pivot = false): string {
  const readOnly = 'The explorer only reads: it runs one SELECT statement at a time and never changes, creates or loads anything.';
  if (shape.statements === 0) return 'There is no statement to run. Type a SELECT statement, or pick one of the examples.';
  if (shape.statements > 1) {
    return `This text holds ${shape.statements} statements. ${readOnly} Run them one at a time (remove the semicolon and what follows it).`;
  }
  if (pivot) return 'PIVOT needs its values listed here (PIVOT … ON column IN (value, …)), because without them DuckDB would first create a type, which the explorer does not allow.';
  const what = shape.firstWord && shape.firstWord !== 'SELECT' ? `${article(shape.firstWord)} ${shape.firstWord} statement` : 'a statement that is not a SELECT';
  return `Refused: DuckDB read this as ${what}. ${readOnly}`;
}

function article(word: string): string {
  return /^[AEIOU]/.test(word) ? 'an' : 'a';
}

/**
 * A DuckDB error as a person should read it: without the engine's wrapper ("DuckDB-WASM query
 * failed:"), unwrapped from the JSON the worker sometimes sends, and without the "LINE 1: … ^"
 * excerpt, whose position points into the explorer's wrapper rather than the user's text.
 */
export function cleanError(message: string): string {
  let m = message.replace(/^DuckDB-WASM query failed:\s*/, '');
  try {
    const j = JSON.parse(m) as { exception_type?: string; exception_message?: string };
    if (j && typeof j.exception_message === 'string') m = `${j.exception_type ?? 'DuckDB'} Error: ${j.exception_message}`;
  } catch {
    // not JSON: the usual case
  }
  const cut = m.search(/\n\s*LINE \d+:/);
  if (cut >= 0) m = m.slice(0, cut);
  // DuckDB suggests the nearest name in its whole catalog, which for a mistyped table is often one
  // of its own system views (sqlite_temp_master): no help to a reader of the published tables.
  m = m.replace(/\s*Did you mean "(?:sqlite_|pg_|duckdb_|information_schema)[^"]*"\?/g, '');
  return m.trim();
}

/** Whether DuckDB's error says the text was not one SELECT statement. */
export function isRefusal(message: string): boolean {
  return message.includes(NOT_A_SELECT) || message.includes('PIVOT statements without explicit IN');
}

/** The table a catalog error says is missing (lower-cased), so the explorer can load it and retry. */
export function missingTable(message: string): string | null {
  const m = /Table with name "?([^"\s!]+)"? does not exist/.exec(message);
  return m ? m[1]!.toLowerCase() : null;
}
