/**
 * One CSV field, as every CSV this project writes it (demo extract, data dictionary): quoted only
 * when it holds a comma, quote or line break, and with text that a spreadsheet would run as a
 * formula (starting with =, +, -, @, tab or carriage return) prefixed by an apostrophe. Numbers
 * pass through as numbers. The published tables get the same treatment in SQL (publish.ts).
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[-=+@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
