/**
 * What the audit reports: one Breach per offending cell (or file), the rule names, and a collector
 * that also counts how many cells each rule looked at, so a clean result can be told apart from a
 * check that silently looked at nothing.
 */

export interface Breach {
  rule: string;
  /** Table name (`school_year`), or `manifest`, or the name of a file the manifest does not list. */
  table: string;
  /** 1-based data row in the CSV's order (the same in every format), or 0 for the file as a whole. */
  row: number;
  column: string;
  value: string;
  detail: string;
}

/** Rule names, in the order of DISCLOSURE.md and of the audit's summary. */
export const RULES = {
  smallCount: 'small count',
  smallGroup: 'small group',
  eventsFollow: 'events follow pupils',
  marker: 'suppression marker',
  recoverable: 'recoverable',
  inconsistent: 'inconsistent',
  identifierColumn: 'identifier column',
  identifierValue: 'identifier value',
  manifest: 'manifest',
  // A release passed through under DfE's own suppression (dfe-published.ts): the gate, and the
  // provenance checks that replace the thresholds of the pipeline's own rules.
  dfePublished: 'DfE pass-through',
  // Not numbered in the brief but needed for the rest to mean anything: the audit can only vouch for
  // columns it knows, values it can parse, and formats that agree with each other.
  schema: 'schema',
  invalidCount: 'invalid count',
  filesDiffer: 'files differ',
  unreadable: 'unreadable'
} as const;

export const RULE_ORDER: readonly string[] = Object.values(RULES);

export class Collector {
  readonly breaches: Breach[] = [];
  readonly checked = new Map<string, number>(RULE_ORDER.map((r) => [r, 0]));

  add(rule: string, table: string, row: number, column: string, value: string | number | null, detail: string): void {
    this.breaches.push({ rule, table, row, column, value: value === null ? '' : String(value), detail });
  }

  count(rule: string, n = 1): void {
    this.checked.set(rule, (this.checked.get(rule) ?? 0) + n);
  }

  /** Another collector's breaches and counts, as if they had been added here at this point. */
  merge(other: Collector): void {
    this.breaches.push(...other.breaches);
    for (const [rule, n] of other.checked) this.count(rule, n);
  }
}

/**
 * A suppressed count whose whole-number range (least `l`, most `h`) gives it away, reported as
 * `recoverable`: one value of 1 or more, or only values from 1 to min_count - 1. Where it is (`at`)
 * and what narrowed it (`how`) are asked only for a breach: both build text, for every count
 * judged. The ranges and the linear programs judge alike.
 */
export function reportRange(
  out: Collector,
  at: () => { table: string; row: number; column: string; flag: string | null },
  l: number,
  h: number,
  minCount: number,
  how: () => string
): void {
  if (l < 1 || l > h || (l !== h && h > minCount - 1)) return;
  const { table, row, column, flag } = at();
  out.add(RULES.recoverable, table, row, column, flag, `${l === h ? `worked out as ${l}` : `narrowed to ${l} to ${h}`} by ${how()}`);
}
