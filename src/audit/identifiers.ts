/**
 * Personal identifiers, by column name and by value (DISCLOSURE.md, "Identifiers").
 *
 * The published tables hold no pupil-level data, so anything that looks like a name, a UPN, a pupil
 * reference, a date of birth or a postcode is a leak from the extract (or a school name typed with
 * a pupil's details in it). The patterns are deliberately broad: a false alarm stops a publish with a
 * clear message, a miss publishes a child's details. Matched values are masked in the report, so the
 * audit's own output (build logs, CI) does not repeat the identifier it found.
 */

/** Word pieces that on their own make a column name personal. */
const PERSONAL_TOKENS = new Set([
  'upn', 'uln', 'dob', 'nhs', 'nino', 'forename', 'forenames', 'surname', 'surnames', 'postcode', 'postcodes',
  'address', 'addresses', 'birth', 'birthday', 'birthdate', 'dateofbirth', 'firstname', 'lastname', 'givenname',
  'familyname', 'middlename', 'fullname', 'legalname', 'preferredname', 'email', 'phone', 'telephone', 'mobile',
  'pupilref', 'pupilid', 'studentid', 'learnerid', 'childid'
]);

/** Substrings that make a column name personal wherever they occur (`home_address`, `pupil_dob`). */
const PERSONAL_SUBSTRINGS = ['pupilref', 'dateofbirth', 'birth', 'postcode', 'forename', 'surname', 'address', 'email'];

/** A person-like word next to ref/id/name/number makes a column personal (`pupil_ref`, `child_name`). */
const PERSON_WORDS = new Set(['pupil', 'child', 'student', 'learner', 'person', 'parent', 'carer', 'first', 'last', 'given', 'family', 'middle', 'full', 'legal', 'preferred', 'known', 'sur', 'fore']);
const IDENTIFYING_WORDS = new Set(['ref', 'reference', 'id', 'name', 'names', 'number', 'no', 'num']);

/** `*_name` columns that name places, schools or reasons, never people. */
const NON_PERSONAL_NAME_PREFIXES = new Set(['area', 'la', 'school', 'region', 'reason', 'establishment', 'trust', 'authority', 'local', 'phase']);

/**
 * Why a column name looks like a personal identifier, or null when it does not. A column called just
 * `name` is a school's name in `schools` and nowhere else.
 */
export function identifierColumnProblem(table: string, columnName: string): string | null {
  const lower = columnName.toLowerCase();
  const tokens = lower.split(/[^a-z0-9]+/).filter((t) => t.length > 0);
  const compact = tokens.join('');
  for (const t of tokens) if (PERSONAL_TOKENS.has(t)) return `"${t}" names a personal identifier`;
  if (PERSONAL_TOKENS.has(compact)) return `"${compact}" names a personal identifier`;
  for (const s of PERSONAL_SUBSTRINGS) if (compact.includes(s)) return `contains "${s}", a personal identifier`;
  if (tokens.some((t) => PERSON_WORDS.has(t)) && tokens.some((t) => IDENTIFYING_WORDS.has(t))) {
    return 'names or references a person';
  }
  if (tokens.length === 1 && (compact === 'name' || compact === 'names')) {
    return table === 'schools' ? null : 'a column called "name" is allowed only in schools (the school name)';
  }
  if (tokens.includes('name') || tokens.includes('names')) {
    const others = tokens.filter((t) => t !== 'name' && t !== 'names');
    if (!others.every((t) => NON_PERSONAL_NAME_PREFIXES.has(t))) return 'a name column that is not the name of a place, school or reason';
  }
  return null;
}

export type IdentifierKind = 'UPN' | 'postcode' | 'date of birth' | 'pupil reference';

export interface IdentifierMatch {
  kind: IdentifierKind;
  /** The value with the matched identifier masked, safe to print. */
  masked: string;
  detail: string;
}

// Lookarounds instead of \b so that a letter next to a digit (`x2009-03-14`) still bounds nothing
// and an identifier embedded in a longer code is not matched by accident.
const UPN = /(?<![A-Za-z0-9])[A-Za-z][0-9]{11}[0-9A-Za-z](?![A-Za-z0-9])/g;
// (Between its halves any space, or none: a postcode pasted from a letter often has a no-break
// space or two spaces there.)
const POSTCODE = /(?<![A-Za-z0-9])(?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]?|GIR)\s{0,3}[0-9][A-Za-z]{2}(?![A-Za-z0-9])/gi;
const ISO_DATE = /(?<![0-9])(?:19|20)[0-9]{2}([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12][0-9]|3[01])(?![0-9])/g;
// The year in four digits or two (`14/03/09`, as many management information systems print one).
const UK_DATE = /(?<![0-9])(?:0?[1-9]|[12][0-9]|3[01])([-/.])(?:0?[1-9]|1[0-2])\1(?:(?:19|20)[0-9]{2}|[0-9]{2})(?![0-9])/g;
// A date in words, day first or month first: `14 March 2009`, `14th Mar. 2009`, `March 14, 2009`.
const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const DAY = '(?:0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?';
const WORDS_DATE = new RegExp(
  `(?<![A-Za-z0-9])(?:${DAY}\\s+${MONTH}\\.?,?\\s+|${MONTH}\\.?\\s+${DAY},?\\s+)(?:19|20)[0-9]{2}(?![0-9])`,
  'gi'
);
// A month in words between figures, as Excel prints one (`14-Mar-2009`, `14 March 09`), the year in
// four digits or two.
const MIXED_DATE = new RegExp(`(?<![A-Za-z0-9])${DAY}([-/. ])${MONTH}\\.?\\1(?:(?:19|20)[0-9]{2}|[0-9]{2})(?![0-9])`, 'gi');
// Month first (`03/14/2009`, as American software prints one), with a four-digit year.
const US_DATE = /(?<![0-9])(?:0?[1-9]|1[0-2])([-/.])(?:0?[1-9]|[12][0-9]|3[01])\1(?:19|20)[0-9]{2}(?![0-9])/g;
// Figures with spaces or no separator at all, day first, with a four-digit year: `14 03 2009`, `14032009`.
const BARE_DATE = /(?<![0-9])(?:0[1-9]|[12][0-9]|3[01])( ?)(?:0[1-9]|1[0-2])\1(?:19|20)[0-9]{2}(?![0-9])/g;
const DEMO_REF_CELL = /^P[0-9A-Z]{9}$/;
const DEMO_REF_TOKEN = /(?<![A-Za-z0-9])P[0-9A-Z]{9}(?![A-Za-z0-9])/g;
const TOKEN_SPLIT = /[^A-Za-z0-9_-]+/;
const HAS_DIGIT = /[0-9]/;
const HAS_LETTER = /[A-Za-z]/;
const HAS_SEPARATOR = /[-/.]/;

/** Keep the first two characters of an identifier, star the rest. */
export function maskIdentifier(s: string): string {
  return s.length <= 2 ? '*'.repeat(s.length) : s.slice(0, 2) + '*'.repeat(s.length - 2);
}

function maskIn(text: string, match: string): string {
  return text.split(match).join(maskIdentifier(match));
}

export interface ScanOptions {
  /** Pseudonymous pupil references from the extract; without them the demo's pattern is used. */
  pupilRefs?: ReadonlySet<string>;
  /** Dates are not looked for where a date is expected (the manifest's `generated_at`). */
  dates?: boolean;
}

/**
 * Every string `scanValue(text, { pupilRefs })` may look up in `pupilRefs`: the text and its tokens.
 * The audit asks the extract about these alone (audit.ts), so that its pupil references never
 * have to come into memory: a set holding just those of them that are among these strings gives
 * `scanValue` the same answers as the whole set.
 */
export function pupilRefLookups(text: string): string[] {
  return [text, ...text.split(TOKEN_SPLIT)];
}

/** Every identifier-like thing in one text value (usually none: the fast path returns at once). */
export function scanValue(text: string, opts: ScanOptions = {}): IdentifierMatch[] {
  const out: IdentifierMatch[] = [];
  const letters = HAS_LETTER.test(text);
  const digits = HAS_DIGIT.test(text);
  if (opts.pupilRefs) {
    if (opts.pupilRefs.has(text)) {
      out.push({ kind: 'pupil reference', masked: maskIdentifier(text), detail: 'equals a pupil_ref of the extract' });
    } else if (digits) {
      for (const token of text.split(TOKEN_SPLIT)) {
        if (token !== text && HAS_DIGIT.test(token) && opts.pupilRefs.has(token)) {
          out.push({ kind: 'pupil reference', masked: maskIn(text, token), detail: 'contains a pupil_ref of the extract' });
          break;
        }
      }
    }
  } else if (letters && digits) {
    if (DEMO_REF_CELL.test(text)) {
      out.push({ kind: 'pupil reference', masked: maskIdentifier(text), detail: 'looks like a pseudonymous pupil reference (P + 9 characters)' });
    } else {
      for (const m of text.matchAll(DEMO_REF_TOKEN)) {
        if (HAS_DIGIT.test(m[0])) {
          out.push({ kind: 'pupil reference', masked: maskIn(text, m[0]), detail: 'contains what looks like a pseudonymous pupil reference (P + 9 characters)' });
          break;
        }
      }
    }
  }
  if (!digits) return out;
  if (letters) {
    const upn = text.match(UPN);
    if (upn?.[0]) out.push({ kind: 'UPN', masked: maskIn(text, upn[0]), detail: 'looks like a UPN (a letter and 12 digits, or 11 digits and a letter)' });
    const pc = text.match(POSTCODE);
    if (pc?.[0]) out.push({ kind: 'postcode', masked: maskIn(text, pc[0]), detail: 'looks like a UK postcode' });
  }
  if (opts.dates !== false) {
    const d =
      (HAS_SEPARATOR.test(text) ? (text.match(ISO_DATE) ?? text.match(UK_DATE) ?? text.match(US_DATE)) : null) ??
      (letters ? (text.match(WORDS_DATE) ?? text.match(MIXED_DATE)) : null) ??
      text.match(BARE_DATE);
    if (d?.[0]) out.push({ kind: 'date of birth', masked: maskIn(text, d[0]), detail: 'a calendar date, which could be a date of birth' });
  }
  return out;
}
