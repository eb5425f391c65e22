/**
 * Consistency checks on DfE's figures, reported in the build summary (they warn; they do not stop a
 * build, because the figures are DfE's and already public).
 *
 * - Rates: every published rate is recomputed from its counts (count / headcount x 100, DfE's
 *   convention) and compared at the precision the file writes that rate to (the most decimals seen
 *   in the column: DfE drops trailing zeros, so `0.1` in a two-decimal column is 0.10). A difference
 *   of more than half a unit in the last place is listed with file, line and both values.
 * - Schools against their LA: the school rows of each LA and year, summed, against the LA row of the
 *   same file (and of the national, regional and LA file when there is one). Where DfE withheld some
 *   school cells the sum can only be lower, so a shortfall is listed only when no cell was withheld,
 *   and an excess always.
 */
import type { AreaExclusion, DfeImport, ExclusionCounts } from './import';
import { decimalsOf, yearLabel, type DfeNumber } from './values';

export interface ConsistencyReport {
  ratesChecked: number;
  rateDifferences: string[];
  laChecked: number;
  laDifferences: string[];
}

const MEASURES: { count: keyof ExclusionCounts; rate: keyof ExclusionCounts; column: string; precisionKey: string }[] = [
  { count: 'perm', rate: 'permRate', column: 'perm_excl_rate', precisionKey: 'perm_rate' },
  { count: 'susp', rate: 'suspRate', column: 'suspension rate', precisionKey: 'susp_rate' },
  { count: 'onePlus', rate: 'onePlusRate', column: 'one-plus rate', precisionKey: 'one_plus_rate' }
];

export function checkConsistency(imp: DfeImport): ConsistencyReport {
  const report: ConsistencyReport = { ratesChecked: 0, rateDifferences: [], laChecked: 0, laDifferences: [] };
  const precision = new Map(imp.files.map((f) => [f.name, f.precision]));
  const rows: (ExclusionCounts & { file: string; line: number; level: string })[] = [
    ...imp.schools.map((s) => ({ ...s, level: 'School' })),
    ...imp.areas,
    ...imp.needs
  ];
  // Files (and levels) whose counts DfE rounded to 5: there the rate was worked out before rounding,
  // so the check allows for counts anywhere within 2.5 of what is written.
  const fives = new Map<string, { five: number; all: number }>();
  for (const r of rows) {
    const k = `${r.file}\u0001${r.level}`;
    const t = fives.get(k) ?? { five: 0, all: 0 };
    for (const v of [r.pupils.value, r.perm.value, r.susp.value, r.onePlus.value]) {
      if (v === null || v === 0) continue;
      t.all++;
      if (v % 5 === 0) t.five++;
    }
    fives.set(k, t);
  }
  const rounded = (r: { file: string; level: string }) => {
    const t = fives.get(`${r.file}\u0001${r.level}`);
    return !!t && t.all >= 20 && t.five / t.all > 0.9;
  };
  for (const r of rows) {
    const n = r.pupils.value;
    if (n === null || !(n > 0)) continue;
    for (const m of MEASURES) {
      const c = (r[m.count] as DfeNumber).value;
      const published = (r[m.rate] as DfeNumber | undefined)?.value;
      if (c === null || published === null || published === undefined) continue;
      const p = precision.get(r.file)?.[m.precisionKey] ?? 0;
      const recomputed = (c / n) * 100;
      report.ratesChecked++;
      const half = 0.5 * 10 ** -p + 1e-9;
      // A weighted count (565.079) is itself rounded to the decimals it is written with: allow for that too.
      const slack = Number.isInteger(c) ? 0 : 0.5 * 10 ** -decimalsOf(String(c));
      const lo = rounded(r) ? (Math.max(0, c - 2.5) / (n + 2.5)) * 100 : ((c - slack) / n) * 100;
      const hi = rounded(r) ? ((c + 2.5) / Math.max(1, n - 2.5)) * 100 : ((c + slack) / n) * 100;
      if (published < lo - half * (1 + 1e-6) || published > hi + half * (1 + 1e-6)) {
        report.rateDifferences.push(`${r.file}:${r.line} ${m.column}: published ${published}, ${c} / ${n} x 100 = ${recomputed.toFixed(p + 2)}`);
      }
    }
  }

  // Schools summed against their LA rows, by file, LA and year.
  const sums = new Map<string, { pupils: number; perm: number; susp: number; onePlus: number; withheld: number; file: string; la: string; year: number }>();
  for (const s of imp.schools) {
    const k = `${s.file}\u0001${s.la}\u0001${s.yearStart}`;
    let t = sums.get(k);
    if (!t) sums.set(k, (t = { pupils: 0, perm: 0, susp: 0, onePlus: 0, withheld: 0, file: s.file, la: s.la, year: s.yearStart }));
    for (const m of ['pupils', 'perm', 'susp', 'onePlus'] as const) {
      const v = s[m].value;
      if (v === null) {
        if (s[m].flag === 'c' || s[m].flag === 'low') t.withheld++;
      } else t[m] += v;
    }
  }
  const laRows = new Map<string, AreaExclusion[]>();
  for (const a of imp.areas) {
    if (a.level !== 'LA' || a.phase !== 'All' || a.group !== 'All pupils') continue;
    const k = `${a.code}\u0001${a.yearStart}`;
    laRows.set(k, [...(laRows.get(k) ?? []), a]);
  }
  for (const t of sums.values()) {
    for (const a of laRows.get(`${t.la}\u0001${t.year}`) ?? []) {
      if (a.from === 'school-exclusions' && a.file !== t.file) continue;
      const diffs: string[] = [];
      for (const m of ['pupils', 'perm', 'susp', 'onePlus'] as const) {
        const la = a[m].value;
        if (la === null) continue;
        report.laChecked++;
        const sum = Math.round(t[m] * 100) / 100;
        // Rounding: the school-level file's LA rows are exact, but weighted years and rounded files are not.
        const tolerance = a.from === 'school-exclusions' ? 0.5 : 5;
        if (sum > la + tolerance || (t.withheld === 0 && sum < la - tolerance)) diffs.push(`${m} schools ${sum} vs LA ${la}`);
      }
      if (diffs.length > 0) {
        report.laDifferences.push(
          `LA ${t.la} ${yearLabel(t.year)}: schools of ${t.file} summed against the LA row of ${a.file}:${a.line}: ${diffs.join('; ')}${t.withheld > 0 ? ` (${t.withheld} school cells withheld by DfE)` : ''}`
        );
      }
    }
  }
  return report;
}
