// An analyst's own file on DuckDB-WASM in Node: the pipeline's rules (scan, header, contract
// columns) with file, line and column in every message; typed loading; joins to published tables;
// and loading still working with external access off and the configuration locked.
import { Field, Float64, Int32, Int64, LargeUtf8, List, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatIssue } from '$lib/validation/issues';
import { NodeExploreBackend } from './backend-node';
import { Explorer, type RunOutcome } from './explorer';
import { detectFormat, sqlName, tableNameFor, utf8Vector, type UserFileOutcome } from './user-file';

const enc = (s: string) => new TextEncoder().encode(s);

const SCHOOL_YEAR = tableToIPC(
  new Table({
    urn: vectorFromArray(['100001', '100001', '100002'], new Utf8()),
    academic_year: vectorFromArray(['2022/23', '2023/24', '2023/24'], new Utf8()),
    suspensions: vectorFromArray([12, 15, 40], new Int32())
  }),
  'stream'
);

let explorer: Explorer;
beforeAll(async () => {
  explorer = await Explorer.open(await NodeExploreBackend.open(), { names: ['school_year'], load: async () => SCHOOL_YEAR });
});
afterAll(() => explorer.close());

function messages(o: UserFileOutcome): string[] {
  if (o.ok) throw new Error(`expected problems, but ${o.table.name} loaded`);
  return o.issues.map(formatIssue);
}

function rows(o: RunOutcome): Record<string, unknown>[] {
  if (!o.ok) throw new Error(`${o.kind}: ${o.message}`);
  return Array.from({ length: o.result.rowCount }, (_, r) => Object.fromEntries(o.result.columns.map((c) => [c.name, c.values[r]])));
}

describe('names', () => {
  test('column and table names become SQL names', () => {
    expect(sqlName('Pupils on roll')).toBe('pupils_on_roll');
    expect(sqlName('URN')).toBe('urn');
    expect(sqlName('  Café (term 1) ')).toBe('cafe_term_1');
    expect(sqlName('2023 total')).toBe('c_2023_total');
    expect(sqlName('!!!')).toBe('');
    expect(tableNameFor('Our school – termly.csv', ['schools'])).toBe('our_school_termly');
    expect(tableNameFor('schools.csv', ['schools'])).toBe('my_schools');
  });

  test('formats are told by their first bytes before their names', () => {
    expect(detectFormat('x.csv', enc('ARROW1\0\0'))).toBe('arrow');
    expect(detectFormat('x.csv', enc('PAR1'))).toBe('parquet');
    expect(detectFormat('x.csv', enc('PK\x03\x04'))).toBe('spreadsheet');
    expect(detectFormat('x.txt', enc('a,b\n'))).toBe('csv');
  });
});

describe('a good CSV file', () => {
  test('loads as a typed table of its own that joins the published data on urn and year', async () => {
    const csv = 'URN,Academic year,Term,Suspensions,Share\n100001,2023/24,Autumn,4,0.5\n100001,2023/24,Spring,6,1.25\n100002,2023/24,Autumn,,2\n';
    const o = await explorer.loadFile({ name: 'Our termly figures.csv', bytes: enc(csv) });
    expect(o.ok, o.ok ? '' : messages(o).join('\n')).toBe(true);
    if (!o.ok) return;
    expect(o.table).toMatchObject({ name: 'our_termly_figures', rows: 3, format: 'CSV (UTF-8)' });
    expect(o.table.columns).toEqual([
      { name: 'urn', original: 'URN', type: 'VARCHAR' },
      { name: 'academic_year', original: 'Academic year', type: 'VARCHAR' },
      { name: 'term', original: 'Term', type: 'VARCHAR' },
      { name: 'suspensions', original: 'Suspensions', type: 'INTEGER' },
      { name: 'share', original: 'Share', type: 'DOUBLE' }
    ]);
    const joined = await explorer.run(
      `SELECT t.urn, sum(t.suspensions)::INTEGER AS ours, any_value(p.suspensions) AS published
       FROM our_termly_figures t JOIN school_year p USING (urn, academic_year) GROUP BY t.urn ORDER BY t.urn`
    );
    expect(rows(joined)).toEqual([
      { urn: '100001', ours: 10, published: 15 },
      { urn: '100002', ours: null, published: 40 }
    ]);
  });

  test('a Windows-1252 file reads 0x92 as an apostrophe; codes with leading zeros stay text', async () => {
    const bytes = new Uint8Array([...enc('code,name\n007,Lady Hawkins'), 0x92, ...enc(' School\n010,Other\n')]);
    const o = await explorer.loadFile({ name: 'codes.csv', bytes });
    expect(o.ok && o.table.format).toBe('CSV (Windows-1252)');
    expect(o.ok && o.table.columns.map((c) => c.type)).toEqual(['VARCHAR', 'VARCHAR']);
    expect(rows(await explorer.run('SELECT name FROM codes ORDER BY code'))).toEqual([{ name: 'Lady Hawkins\u2019 School' }, { name: 'Other' }]);
  });

  test('loading the same file again replaces its table; removing it drops the table', async () => {
    await explorer.loadFile({ name: 'again.csv', bytes: enc('n\n1\n') });
    await explorer.loadFile({ name: 'again.csv', bytes: enc('n\n1\n2\n') });
    expect(rows(await explorer.run('SELECT count(*)::INTEGER AS c FROM again'))).toEqual([{ c: 2 }]);
    expect(explorer.userTables.filter((t) => t.name === 'again')).toHaveLength(1);
    await explorer.removeFile('again');
    const gone = await explorer.run('SELECT * FROM again');
    expect(gone.ok).toBe(false);
  });

  test('works with external access off: the configuration stays locked after loading', async () => {
    expect(rows(await explorer.run("SELECT current_setting('enable_external_access') AS e, current_setting('lock_configuration') AS l"))).toEqual([
      { e: false, l: true }
    ]);
  });
});

describe('a malformed CSV file is refused with file, line and column, and nothing is loaded', () => {
  test.each([
    ['a ragged row', 'urn,n\n100001,1\n100002\n', ['bad.csv:3: found "100002", expected 2 fields, like the header (found 1)']],
    [
      'a stray quote',
      'urn,name\n100001,Ash "Primary\n',
      ['bad.csv:2, column name: found "Ash \\"Primary", expected a field containing a quote (") to be quoted as a whole, with the quote doubled ("")']
    ],
    [
      'an unterminated quote',
      'urn,name\n100001,"Ash\n',
      ['bad.csv:2, column name: found "\\"Ash", expected a closing quote (") for the quoted field that starts here']
    ],
    ['an empty line in the middle', 'urn\n100001\n\n100002\n', ['bad.csv:3: found "(empty line)", expected a row of 1 fields (empty lines are allowed only at the end of the file)']],
    ['a header name twice', 'urn,n,n\n100001,1,2\n', ['bad.csv:1, column n: found "n", expected each column named once']],
    [
      'two names that become the same',
      'Pupils on roll,pupils_on_roll\n1,2\n',
      ['bad.csv:1, column pupils_on_roll: found "pupils_on_roll", expected each column named once (“Pupils on roll” and “pupils_on_roll” would both be called pupils_on_roll)']
    ],
    ['a column with no name', 'urn,,n\n1,2,3\n', ['bad.csv:1, column (column 2): found "", expected a name with at least one letter or digit for every column in the header']],
    [
      'semicolons',
      'urn;n\n100001;1\n',
      ['bad.csv:1: found "urn;n", expected values separated by commas (this file looks separated by semicolons: save it as “CSV UTF-8 (Comma delimited)”)']
    ],
    ['binary junk', '\x00\x01\x02garbage', ['bad.csv:1: found "byte 0x00 (a control character)", expected text in UTF-8 or Windows-1252 without control characters (is this a text export of the right file?)']],
    ['only a header', 'urn,n\n', ['bad.csv:2: found "(no rows)", expected at least one row of data under the header']],
    ['an empty file', '', ['bad.csv: found "(empty file)", expected a header line naming the columns, then one line per row']]
  ])('%s', async (_label, text, expected) => {
    const o = await explorer.loadFile({ name: 'bad.csv', bytes: enc(text) });
    expect(messages(o)).toEqual(expected);
    expect((await explorer.run('SELECT * FROM bad')).ok).toBe(false);
  });

  test('contract columns must hold what the contract says, each problem on its line', async () => {
    const csv = [
      'urn,laestab,academic_year,year_start,pupil_group,pupils,pupils_flag,my_notes',
      '100001,9902134,2023/24,2023,EHC plan,12,,fine',
      '10001,9902134,2023/24,2023,EHC plan,12,,short urn',
      '100003,99021,2023/25,2023,EHC,-1,q,everything wrong',
      '100004,9902134,2023/24,1999,All pupils,c,,a suppression code where a count goes'
    ].join('\n');
    const o = await explorer.loadFile({ name: 'mine.csv', bytes: enc(csv) });
    expect(messages(o)).toEqual([
      'mine.csv:3, column urn: found "10001", expected a 6-digit URN',
      'mine.csv:4, column laestab: found "99021", expected a 7-digit LAESTAB',
      'mine.csv:4, column academic_year: found "2023/25", expected an academic year whose second part is the year after the first (2023/24)',
      'mine.csv:4, column pupil_group: found "EHC", expected one of EHC plan, SEN support, No SEN, All pupils',
      'mine.csv:4, column pupils: found "-1", expected a whole number from 0 to 20000000',
      'mine.csv:4, column pupils_flag: found "q", expected one of c, x, z, low',
      'mine.csv:5, column year_start: found "1999", expected a whole number from 2000 to 2099',
      'mine.csv:5, column pupils: found "c", expected a whole number from 0 to 20000000'
    ]);
    expect((await explorer.run('SELECT * FROM mine')).ok).toBe(false);
  });

  test('a column named like a contract column in another case (URN) is held to the same rule', async () => {
    expect(messages(await explorer.loadFile({ name: 'upper.csv', bytes: enc('URN\nabc123\n') }))).toEqual([
      'upper.csv:2, column URN: found "abc123", expected a 6-digit URN'
    ]);
  });

  test('Parquet and spreadsheets are named, with what to do instead', async () => {
    expect(messages(await explorer.loadFile({ name: 'x.parquet', bytes: enc('PAR1....') }))[0]).toContain('CSV or Arrow');
    expect(messages(await explorer.loadFile({ name: 'x.xlsx', bytes: enc('PK\x03\x04....') }))[0]).toContain('CSV UTF-8');
  });
});

describe('Arrow files', () => {
  test('a pandas-style file (urn as integer, counts as doubles) loads with contract columns typed as the contract types them', async () => {
    const t = new Table({
      URN: vectorFromArray([100001n, 100002n], new Int64()),
      academic_year: vectorFromArray(['2023/24', '2023/24'], new LargeUtf8()),
      suspensions: vectorFromArray([3, 5], new Float64()),
      'Our measure': vectorFromArray([0.5, 0.25], new Float64())
    });
    const o = await explorer.loadFile({ name: 'from_pandas.arrow', bytes: tableToIPC(t, 'file') });
    expect(o.ok, o.ok ? '' : messages(o).join('\n')).toBe(true);
    if (!o.ok) return;
    expect(o.table.columns).toEqual([
      { name: 'urn', original: 'URN', type: 'VARCHAR' },
      { name: 'academic_year', original: 'academic_year', type: 'VARCHAR' },
      { name: 'suspensions', original: 'suspensions', type: 'INTEGER' },
      { name: 'our_measure', original: 'Our measure', type: 'DOUBLE' }
    ]);
    expect(rows(await explorer.run('SELECT f.urn, f.suspensions, p.suspensions AS published FROM from_pandas f JOIN school_year p USING (urn, academic_year) ORDER BY 1'))).toEqual([
      { urn: '100001', suspensions: 3, published: 15 },
      { urn: '100002', suspensions: 5, published: 40 }
    ]);
  });

  test('bytes that are not Arrow, a nested column, and a bad contract value are each named', async () => {
    expect(messages(await explorer.loadFile({ name: 'junk.arrow', bytes: enc('ARROW1 but not really') }))[0]).toMatch(/^junk\.arrow: found .*, expected a readable Arrow IPC file/);
    const withList = tableToIPC(
      new Table({ urn: vectorFromArray(['100001'], new Utf8()), l: vectorFromArray([[1, 2]], new List(new Field('item', new Int32(), true))) }),
      'stream'
    );
    expect(messages(await explorer.loadFile({ name: 'nested.arrow', bytes: withList }))).toEqual([
      'nested.arrow, column l: found "List<Int32>", expected a column of numbers, text, true/false or dates (lists, structs, maps and binary data cannot be loaded)'
    ]);
    const bad = tableToIPC(new Table({ urn: vectorFromArray(['100001', '12'], new Utf8()) }), 'stream');
    expect(messages(await explorer.loadFile({ name: 'bad.arrow', bytes: bad }))).toEqual(['bad.arrow row 2, column urn: found "12", expected a 6-digit URN']);
  });
});

describe('no code compiled at run time (the site\'s CSP forbids eval)', () => {
  test('utf8Vector holds the values, NULLs and multi-byte text included', () => {
    const v = utf8Vector(['a', null, 'Lady Hawkins\u2019', '']);
    expect(v.toArray()).toEqual(['a', null, 'Lady Hawkins\u2019', '']);
    expect(v.nullCount).toBe(1);
  });

  test('loading a CSV and an Arrow file never calls the Function constructor', async () => {
    const original = globalThis.Function;
    const calls: string[] = [];
    const trap = () => {
      calls.push(new Error().stack ?? '');
      throw new EvalError('Function constructor called: blocked by the site CSP in a browser');
    };
    globalThis.Function = new Proxy(original, { construct: trap, apply: trap });
    try {
      const csv = await explorer.loadFile({ name: 'csp.csv', bytes: enc('urn,n\n100001,1\n') });
      const arrow = await explorer.loadFile({ name: 'csp.arrow', bytes: tableToIPC(new Table({ urn: utf8Vector(['100001']) }), 'stream') });
      expect(csv.ok && arrow.ok).toBe(true);
    } finally {
      globalThis.Function = original;
    }
    expect(calls).toEqual([]);
  });
});
