/**
 * Numbers, dates and sizes in the words a parent or journalist reads, for the transparency,
 * methodology and accessibility pages.
 *
 * Why: "0.288 per 100 pupils" means little to most readers, "about 1 in every 350 pupils" does;
 * and a date or file size must read the same in the prerendered page and after hydration, so the
 * locale and time zone are fixed here rather than left to the browser.
 */

const LONG_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "24 November 2026" from an ISO date or timestamp (read in UTC). */
export function longDate(iso: string): string {
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) throw new RangeError(`longDate: not a date: ${iso}`);
  return LONG_DATE.format(d);
}

// One formatter each, made once: `toLocaleString` with options builds a new formatter on every
// call, which at national scale (thousands of schools listed) took most of a filter change's time.
const WHOLE = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const NUMBER = new Intl.NumberFormat('en-GB');

/** A whole number with thousands separators: 13,832. */
export function count(n: number): string {
  return WHOLE.format(n);
}

/** A number as `toLocaleString('en-GB')` writes it (up to three decimals): 1,234.567. */
export function number(n: number): string {
  return NUMBER.format(n);
}

/** A file size in the units people expect: "5.9 KB", "15.9 MB" (1 KB = 1,000 bytes). */
export function fileSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB'] as const;
  let v = bytes / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** A share as a percentage for prose: "48%", "0.4%", "less than 0.1%", "0%". */
export function percent(part: number, whole: number): string {
  if (!(whole > 0) || part === 0) return '0%';
  const p = (part / whole) * 100;
  if (p < 0.1) return 'less than 0.1%';
  if (p < 10) return `${p.toFixed(1).replace(/\.0$/, '')}%`;
  return `${Math.round(p)}%`;
}

/**
 * A small rate per 100 pupils restated as "about 1 in every 350 pupils" (two significant figures),
 * for rates under 1 per 100; null for 0 and for larger rates, which read well enough as they are.
 */
export function oneInEvery(ratePer100: number): string | null {
  if (!(ratePer100 > 0) || ratePer100 >= 1) return null;
  const n = 100 / ratePer100;
  const step = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
  return `about 1 in every ${count(Math.round(n / step) * step)} pupils`;
}
