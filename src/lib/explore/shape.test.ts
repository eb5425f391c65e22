// Chart-shape detection, its text summary, and the CSV download: pure functions of a result.
import { describe, expect, test } from 'vitest';
import { chartShape, chartSummary, formatValue, MAX_SERIES } from './chart-shape';
import { csvFileName, resultCsv } from './csv';
import type { Cell, ColumnKind, QueryResult } from './result';

function result(cols: Record<string, [ColumnKind, Cell[]]>, truncated = false): QueryResult {
  const columns = Object.entries(cols).map(([name, [kind, values]]) => ({ name, kind, type: kind, values }));
  return { columns, rowCount: columns[0]?.values.length ?? 0, truncated, ms: 1 };
}

describe('chartShape', () => {
  test('academic years and a group column make one line per group, points in year order', () => {
    const shape = chartShape(
      result({
        academic_year: ['text', ['2023/24', '2022/23', '2023/24', '2022/23']],
        year_start: ['number', [2023, 2022, 2023, 2022]],
        pupil_group: ['text', ['EHC plan', 'EHC plan', 'No SEN', 'No SEN']],
        rate: ['number', [10.5, 9, 2, null]]
      })
    );
    expect(shape).toEqual({
      kind: 'line',
      x: 'academic_year',
      y: 'rate',
      seriesBy: 'pupil_group',
      lines: [
        { label: 'EHC plan', points: [{ x: 2022, xLabel: '2022/23', y: 9 }, { x: 2023, xLabel: '2023/24', y: 10.5 }] },
        { label: 'No SEN', points: [{ x: 2022, xLabel: '2022/23', y: null }, { x: 2023, xLabel: '2023/24', y: 2 }] }
      ]
    });
    expect(chartSummary(shape)).toBe('Line chart of rate by academic_year, 2022/23 to 2023/24, one line per pupil_group. In 2023/24: EHC plan 10.5; No SEN 2.');
  });

  test('a whole-number year column and several number columns make one line per column', () => {
    const shape = chartShape(result({ year: ['number', [2020, 2021, 2022]], a: ['number', [1, 2, 3]], b: ['number', [3, 2, 1]] }));
    expect(shape.kind).toBe('line');
    if (shape.kind === 'line') expect(shape.lines.map((l) => l.label)).toEqual(['a', 'b']);
  });

  test('categories with one number each make bars; the summary names the highest and lowest', () => {
    const shape = chartShape(result({ phase: ['text', ['Primary', 'Secondary', 'Special']], n: ['number', [5, 20, null]] }));
    expect(shape).toEqual({
      kind: 'bar',
      category: 'phase',
      y: 'n',
      bars: [
        { label: 'Primary', value: 5 },
        { label: 'Secondary', value: 20 },
        { label: 'Special', value: null }
      ]
    });
    expect(chartSummary(shape)).toBe('Bar chart of n by phase, 3 bars. Highest: Secondary (20). Lowest: Primary (5). 1 with no value.');
  });

  test.each([
    ['no rows', result({ a: ['number', []] }), 'no rows'],
    ['no numbers', result({ a: ['text', ['x', 'y']] }), 'no column of numbers'],
    ['a cut result', result({ a: ['text', ['x']], n: ['number', [1]] }, true), 'row cap'],
    ['duplicate points', result({ academic_year: ['text', ['2022/23', '2022/23', '2023/24']], n: ['number', [1, 2, 3]] }), 'one value per year'],
    ['too many bars', result({ a: ['text', Array.from({ length: 41 }, (_, i) => `s${i}`)], n: ['number', Array.from({ length: 41 }, () => 1)] }), 'more than 40 rows'],
    [
      'too many lines',
      result({
        academic_year: ['text', Array.from({ length: 14 }, (_, i) => (i % 2 ? '2022/23' : '2023/24'))],
        g: ['text', Array.from({ length: 14 }, (_, i) => `g${Math.floor(i / 2)}`)],
        n: ['number', Array.from({ length: 14 }, () => 1)]
      }),
      `more than ${MAX_SERIES} lines`
    ],
    ['numbers only', result({ a: ['number', [1, 2]], b: ['number', [3, 4]] }), 'no column of categories or years']
  ])('no chart for %s, with the reason', (_label, r, reason) => {
    const shape = chartShape(r);
    expect(shape.kind).toBe('none');
    expect(chartSummary(shape)).toContain(reason);
  });

  test('values are formatted for reading', () => {
    expect(formatValue(1234567)).toBe('1,234,567');
    expect(formatValue(3.14159)).toBe('3.14');
    expect(formatValue(0.012345)).toBe('0.012');
  });
});

describe('resultCsv', () => {
  test('writes a header, quotes only when needed, NULL as empty, and neutralises formulas', () => {
    const csv = resultCsv(
      result({
        urn: ['text', ['100001', '100002']],
        name: ['text', ['Ash, "The" School', '=HYPERLINK("x")']],
        pupils: ['number', [12, null]],
        ok: ['boolean', [true, false]]
      })
    );
    expect(csv).toBe('urn,name,pupils,ok\n100001,"Ash, ""The"" School",12,true\n100002,"\'=HYPERLINK(""x"")",,false\n');
  });

  test('names the file after the release and the time', () => {
    expect(csvFileName('demo-2023-24', new Date('2025-01-02T03:04:05Z'))).toBe('explore-demo-2023-24-20250102-0304.csv');
  });
});
