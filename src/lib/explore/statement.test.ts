// The words the explorer uses about refused and failed statements (the refusal itself is DuckDB's:
// see explorer.test.ts, which runs every case on DuckDB-WASM).
import { expect, test } from 'vitest';
import { cleanError, isRefusal, missingTable, refusalMessage, statementShape } from './statement';

test('statementShape names the first word and counts statements from DuckDB-style tokens', () => {
  // Tokens as DuckDB's tokenizer gives them for "/* c */ drop table t; select 1" (comments skipped).
  const text = '/* c */ drop table t; select 1';
  const tokens = { offsets: [8, 13, 19, 20, 22, 29], types: [4, 4, 0, 3, 4, 1] };
  expect(statementShape(text, tokens)).toEqual({ firstWord: 'DROP', statements: 2 });
  expect(statementShape('select 1;', { offsets: [0, 7, 8], types: [4, 1, 3] })).toEqual({ firstWord: 'SELECT', statements: 1 });
  expect(statementShape('', { offsets: [], types: [] })).toEqual({ firstWord: '', statements: 0 });
});

test('refusal messages say what DuckDB read and why nothing ran', () => {
  expect(refusalMessage({ firstWord: 'INSERT', statements: 1 })).toBe(
    'Refused: DuckDB read this as an INSERT statement. The explorer only reads: it runs one SELECT statement at a time and never changes, creates or loads anything.'
  );
  expect(refusalMessage({ firstWord: 'SELECT', statements: 3 })).toContain('This text holds 3 statements.');
  expect(refusalMessage({ firstWord: 'PIVOT', statements: 1 }, true)).toContain('PIVOT needs its values listed');
});

test('cleanError drops the wrapper, unwraps JSON and cuts the LINE excerpt', () => {
  expect(cleanError('DuckDB-WASM query failed: Binder Error: Referenced column "x" not found\nLINE 1: SELECT * FROM query(getvariable(...\n ^')).toBe(
    'Binder Error: Referenced column "x" not found'
  );
  expect(cleanError('{"exception_type":"Catalog","exception_message":"Table with name t does not exist!"}')).toBe('Catalog Error: Table with name t does not exist!');
  // A suggestion of DuckDB's own system views is dropped; one of the reader's tables is kept.
  expect(cleanError('Catalog Error: Table with name scools does not exist!\nDid you mean "sqlite_temp_master"?')).toBe('Catalog Error: Table with name scools does not exist!');
  expect(cleanError('Catalog Error: Table with name scools does not exist!\nDid you mean "schools"?')).toBe('Catalog Error: Table with name scools does not exist!\nDid you mean "schools"?');
});

test('refusals and missing tables are recognised in DuckDB’s words', () => {
  expect(isRefusal('Parser Error: Expected a single SELECT statement')).toBe(true);
  expect(isRefusal('Parser Error: syntax error at or near "x"')).toBe(false);
  expect(missingTable('Catalog Error: Table with name School_Year does not exist!\nDid you mean "schools"?')).toBe('school_year');
  expect(missingTable('Binder Error: nope')).toBeNull();
});
