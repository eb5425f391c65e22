/**
 * What a missing figure's flag means, in the words a reader sees: in table cells, chart readouts
 * and downloads. A suppressed value is never shown as a blank or a 0; it always says why.
 */
import type { SuppressionCode } from './schema';

const WORDS: Record<SuppressionCode, { short: string; long: string }> = {
  c: { short: 'suppressed', long: 'hidden to protect privacy (a small number, or one that would let another hidden figure be worked out)' },
  x: { short: 'not available', long: 'the source does not have this figure' },
  z: { short: 'not applicable', long: 'the figure does not apply here' },
  low: { short: 'fewer than 0.5', long: 'a number that rounds to zero' }
};

export function isFlag(v: unknown): v is SuppressionCode {
  return typeof v === 'string' && Object.hasOwn(WORDS, v);
}

/**
 * A figure missing because there is none to give (`x` not available, `z` not applicable), as
 * against one withheld to protect pupils (`c`, `low`): only a withheld one hides a count.
 */
export function isNotAvailable(flag: string | null | undefined): boolean {
  return flag === 'x' || flag === 'z';
}

/** "suppressed" for `c`; "not available" when there is no flag at all (a figure that was never there). */
export function flagShort(flag: string | null | undefined): string {
  return isFlag(flag) ? WORDS[flag].short : 'not available';
}

/** The reason in full, to follow the short words: "suppressed: hidden to protect privacy (...)". */
export function flagLong(flag: string | null | undefined): string {
  return isFlag(flag) ? WORDS[flag].long : 'the figure was not available';
}

/** Both together, for a readout or tooltip: "suppressed (hidden to protect privacy ...)". */
export function flagSentence(flag: string | null | undefined): string {
  return `${flagShort(flag)} (${flagLong(flag)})`;
}

/**
 * The flag that explains a rate computed from two counts: a rate is missing when either count is,
 * and the more telling reason (suppression) wins over "not available".
 */
export function rateFlag(...flags: (string | null | undefined)[]): string | null {
  const present = flags.filter((f): f is string => typeof f === 'string' && f !== '');
  return present.find((f) => f === 'c') ?? present[0] ?? null;
}
