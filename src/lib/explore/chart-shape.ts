/**
 * Which chart, if any, a query result's shape allows: a line chart when it has a year column
 * (academic years like 2022/23, or whole years such as `year_start`) and numbers to plot, one line
 * per category (or per number column); a bar chart for one row per category with a number; no
 * chart, with the reason in words, otherwise. Pure, so it is tested without a browser.
 *
 * Why so strict: an automatic chart that silently averages duplicate points, or draws twenty
 * indistinguishable lines, misleads. A shape is charted only when every point is one row of the
 * result, and only as many series as the palette has colours and markers to tell apart.
 */
import type { Cell, QueryResult, ResultColumn } from './result';

/** Series a line chart may have: one colour and one marker each (palette.ts). */
export const MAX_SERIES = 6;
export const MAX_BARS = 40;
export const MAX_YEARS = 60;

export interface LinePoint {
  x: number;
  xLabel: string;
  y: number | null;
}

export interface ChartLine {
  label: string;
  points: LinePoint[];
}

export type ChartShape =
  | { kind: 'line'; x: string; y: string; seriesBy: string | null; lines: ChartLine[] }
  | { kind: 'bar'; category: string; y: string; bars: { label: string; value: number | null }[] }
  | { kind: 'none'; reason: string };

const ACADEMIC_YEAR = /^(\d{4})\/(\d{2})$/;

/** A year column: x positions (start years) and labels, or null when the column is not one. */
function yearAxis(c: ResultColumn): { x: (v: Cell) => number | null; label: (v: Cell) => string } | null {
  const filled = c.values.filter((v) => v !== null);
  if (filled.length === 0) return null;
  if (c.kind === 'text' && filled.every((v) => ACADEMIC_YEAR.test(String(v)))) {
    return { x: (v) => (v === null ? null : Number(ACADEMIC_YEAR.exec(String(v))![1])), label: (v) => String(v) };
  }
  if (c.kind === 'number' && /year/i.test(c.name) && filled.every((v) => Number.isInteger(v) && (v as number) >= 1900 && (v as number) <= 2100)) {
    return { x: (v) => (v === null ? null : (v as number)), label: (v) => String(v) };
  }
  return null;
}

const cellText = (v: Cell) => (v === null ? 'NULL' : String(v));

export function chartShape(result: QueryResult): ChartShape {
  const { columns, rowCount } = result;
  if (rowCount === 0) return { kind: 'none', reason: 'The query returned no rows.' };
  if (result.truncated) return { kind: 'none', reason: 'The result was cut at the row cap, so a chart would show only part of it.' };

  // The year axis: prefer an academic-year label (2022/23) over its sortable twin (year_start).
  const years = columns.map((c) => ({ c, axis: yearAxis(c) })).filter((y) => y.axis !== null);
  const yearCol = years.find((y) => y.c.kind === 'text') ?? years[0];
  const yearNames = new Set(years.map((y) => y.c.name));
  const measures = columns.filter((c) => c.kind === 'number' && !yearNames.has(c.name));
  const categories = columns.filter((c) => (c.kind === 'text' || c.kind === 'boolean' || c.kind === 'date') && !yearNames.has(c.name));

  if (measures.length === 0) return { kind: 'none', reason: 'There is no column of numbers to chart.' };

  if (yearCol && yearCol.axis) {
    const axis = yearCol.axis;
    const xs = new Set(yearCol.c.values.map(axis.x));
    if (xs.has(null)) return { kind: 'none', reason: `Some rows have no ${yearCol.c.name}, so they have no place on a time axis.` };
    if (xs.size > MAX_YEARS) return { kind: 'none', reason: `There are more than ${MAX_YEARS} years.` };
    if (xs.size >= 2) {
      const y = measures[0]!;
      // The series: every text column together (e.g. pupil group, or area and group), else one line per number column.
      const key = (r: number) => categories.map((c) => cellText(c.values[r]!)).join(' · ');
      const lines = new Map<string, LinePoint[]>();
      const seen = new Set<string>();
      if (categories.length > 0) {
        for (let r = 0; r < rowCount; r++) {
          const k = key(r);
          const x = axis.x(yearCol.c.values[r]!)!;
          if (seen.has(`${k}\u0000${x}`)) {
            return { kind: 'none', reason: `More than one row has the same ${[...categories.map((c) => c.name), yearCol.c.name].join(', ')}: a line needs one value per year.` };
          }
          seen.add(`${k}\u0000${x}`);
          const v = y.values[r];
          if (!lines.has(k)) lines.set(k, []);
          lines.get(k)!.push({ x, xLabel: axis.label(yearCol.c.values[r]!), y: typeof v === 'number' ? v : null });
        }
      } else {
        for (let r = 0; r < rowCount; r++) {
          const x = axis.x(yearCol.c.values[r]!)!;
          if (seen.has(String(x))) return { kind: 'none', reason: `More than one row has the same ${yearCol.c.name}: a line needs one value per year.` };
          seen.add(String(x));
        }
        for (const m of measures.slice(0, MAX_SERIES + 1)) {
          lines.set(
            m.name,
            Array.from({ length: rowCount }, (_, r) => {
              const v = m.values[r];
              return { x: axis.x(yearCol.c.values[r]!)!, xLabel: axis.label(yearCol.c.values[r]!), y: typeof v === 'number' ? v : null };
            })
          );
        }
      }
      if (lines.size > MAX_SERIES) {
        return { kind: 'none', reason: `There would be more than ${MAX_SERIES} lines, too many to tell apart. Filter to fewer groups.` };
      }
      return {
        kind: 'line',
        x: yearCol.c.name,
        y: categories.length > 0 ? y.name : measures.length === 1 ? y.name : 'value',
        seriesBy: categories.length > 0 ? categories.map((c) => c.name).join(', ') : null,
        lines: [...lines.entries()].map(([label, points]) => ({ label, points: points.sort((a, b) => a.x - b.x) }))
      };
    }
  }

  // Bars: one row per category, the first number column as the value.
  const labelCols = categories.length > 0 ? categories : yearCol ? [yearCol.c] : [];
  if (labelCols.length === 0) return { kind: 'none', reason: 'There is no column of categories or years to chart against.' };
  if (rowCount > MAX_BARS) return { kind: 'none', reason: `There are more than ${MAX_BARS} rows, too many bars to read. Aggregate, or add a LIMIT.` };
  const y = measures[0]!;
  const labels = Array.from({ length: rowCount }, (_, r) => labelCols.map((c) => cellText(c.values[r]!)).join(' · '));
  if (new Set(labels).size !== labels.length) {
    return { kind: 'none', reason: `More than one row has the same ${labelCols.map((c) => c.name).join(', ')}: a bar needs one row per category.` };
  }
  return {
    kind: 'bar',
    category: labelCols.map((c) => c.name).join(', '),
    y: y.name,
    bars: labels.map((label, r) => {
      const v = y.values[r];
      return { label, value: typeof v === 'number' ? v : null };
    })
  };
}

/** A number as the chart labels and summaries show it: up to three significant decimals, grouped thousands. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  const digits = Number.isInteger(v) ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  return v.toLocaleString('en-GB', { minimumFractionDigits: 0, maximumFractionDigits: digits });
}

/** The chart's one-paragraph text summary, for everyone who does not see the chart. */
export function chartSummary(shape: ChartShape): string {
  const fmt = (v: number | null) => (v === null ? 'no value' : formatValue(v));
  if (shape.kind === 'none') return shape.reason;
  if (shape.kind === 'bar') {
    const withValue = shape.bars.filter((b) => b.value !== null);
    const sorted = [...withValue].sort((a, b) => b.value! - a.value!);
    const hi = sorted[0];
    const lo = sorted.at(-1);
    const extremes = hi && lo && hi !== lo ? ` Highest: ${hi.label} (${fmt(hi.value)}). Lowest: ${lo.label} (${fmt(lo.value)}).` : hi ? ` ${hi.label}: ${fmt(hi.value)}.` : '';
    const missing = shape.bars.length - withValue.length;
    return `Bar chart of ${shape.y} by ${shape.category}, ${shape.bars.length} bars.${extremes}${missing ? ` ${missing} with no value.` : ''}`;
  }
  const allX = shape.lines.flatMap((l) => l.points);
  const first = allX.reduce((a, b) => (b.x < a.x ? b : a));
  const last = allX.reduce((a, b) => (b.x > a.x ? b : a));
  const at = shape.lines.map((l) => `${l.label} ${fmt(l.points.find((p) => p.x === last.x)?.y ?? null)}`).join('; ');
  const by = shape.seriesBy ? `, one line per ${shape.seriesBy}` : shape.lines.length > 1 ? ', one line per column' : '';
  return `Line chart of ${shape.y} by ${shape.x}, ${first.xLabel} to ${last.xLabel}${by}. In ${last.xLabel}: ${at}.`;
}
