/**
 * The A–Z school list's logic, kept out of the component so it can be tested and so the prerendered
 * list and the search-as-you-type list agree: which letter a school files under, the order within
 * a letter, what a search matches, and what a reader is told when a figure is not published.
 */
import type { MissingReason } from '$lib/data/transparency-queries';

/** Letters in the index: A to Z, then "#" for names that start with anything else. */
export const OTHER = '#';

function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** The index letter for a school name: its first letter A–Z (accents ignored), else "#". */
export function indexLetter(name: string): string {
  const first = fold(name.trim()).charAt(0).toUpperCase();
  return /^[A-Z]$/.test(first) ? first : OTHER;
}

/** Lower case, accents and apostrophes removed, punctuation turned into spaces, spaces collapsed. */
export function searchKey(s: string): string {
  return fold(s)
    .replace(/['’‘`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * Does a school match what was typed? Every word typed must appear in the name, in any order
 * ("mary st" finds "St Mary's"); a URN matches whole. An empty search matches every school.
 */
export function matchesSearch(school: { name: string; urn: string }, query: string): boolean {
  const words = searchKey(query).split(' ').filter(Boolean);
  if (words.length === 0) return true;
  if (words.length === 1 && words[0] === school.urn) return true;
  const key = searchKey(school.name);
  return words.every((w) => key.includes(w));
}

const COLLATOR = new Intl.Collator('en-GB', { sensitivity: 'base', numeric: true, ignorePunctuation: true });

export interface LetterGroup<T> {
  letter: string;
  /** Anchor id of the letter's section. */
  id: string;
  schools: T[];
}

/** Schools grouped under their index letter, letters in order ("#" last), names in dictionary order. */
export function groupByLetter<T extends { name: string; urn: string }>(schools: readonly T[]): LetterGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const s of schools) {
    const letter = indexLetter(s.name);
    const list = groups.get(letter) ?? [];
    list.push(s);
    groups.set(letter, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === OTHER ? 1 : b === OTHER ? -1 : a.localeCompare(b)))
    .map(([letter, list]) => ({
      letter,
      id: letterId(letter),
      schools: list.sort((a, b) => COLLATOR.compare(a.name, b.name) || a.urn.localeCompare(b.urn))
    }));
}

export function letterId(letter: string): string {
  return letter === OTHER ? 'schools-other' : `schools-${letter.toLowerCase()}`;
}

export function schoolId(urn: string): string {
  return `school-${urn}`;
}

/** Why a figure is missing, in a few plain words. */
export function missingText(flag: MissingReason | null, subject: 'all' | 'send'): string {
  switch (flag) {
    case 'c':
      return 'not published: small numbers';
    case 'z':
      return subject === 'send' ? 'no pupils with SEND' : 'no pupils';
    case 'low':
      return 'less than 0.5';
    case 'none':
      return 'no figures this year';
    case 'x':
    default:
      return 'not available';
  }
}
