/**
 * The publisher's editable facts (data/site.json): who publishes the figures, how to reach them,
 * when the next update is due, the corrections log and the accessibility statement's dates.
 *
 * Why a file and a check: these are facts a council officer edits by hand without touching code,
 * so a typo must stop the build with a message naming the key rather than publish a page that says
 * "undefined". Read at build time only (server module), by the transparency, methodology and
 * accessibility pages.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { JsonSyntaxError, jsonValue, nodeAt, parseJsonNodes, placeIn, type JsonNode } from '$lib/config/json';

export interface SiteFacts {
  publisher: string;
  contact: { email: string; team: string };
  /** ISO date (YYYY-MM-DD) the next release is due. */
  next_update: string;
  update_frequency: string;
  /** Newest first on the page, whatever the order in the file. */
  corrections: { date: string; summary: string }[];
  accessibility: { prepared: string; last_reviewed: string; last_tested: string; response_working_days: number };
}

export const SITE_FILE = path.resolve(process.env.SITE_FILE ?? 'data/site.json');

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A wrong or missing value: `key` as the message names it (`contact.email`, `corrections[0].date`). */
class SiteFactError extends Error {
  constructor(
    readonly key: string,
    readonly expected: string
  ) {
    super(`${SITE_FILE}: "${key}" must be ${expected}`);
  }
}

function fail(key: string, expected: string): never {
  throw new SiteFactError(key, expected);
}

function text(o: Record<string, unknown>, key: string, where = key): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '') fail(where, 'a non-empty string');
  return v;
}

function date(o: Record<string, unknown>, key: string, where = key): string {
  const v = text(o, key, where);
  // Round-trip through Date so that 2026-02-30 is refused rather than read as 2 March.
  const d = new Date(`${v}T00:00:00Z`);
  if (!ISO_DATE.test(v) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) fail(where, 'a date written YYYY-MM-DD');
  return v;
}

function object(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, 'an object');
  return v as Record<string, unknown>;
}

export function parseSiteFacts(json: unknown): SiteFacts {
  const o = object(json, '(top level)');
  const contact = object(o.contact, 'contact');
  const email = text(contact, 'email', 'contact.email');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) fail('contact.email', 'an email address');
  if (!Array.isArray(o.corrections)) fail('corrections', 'a list');
  const corrections = o.corrections.map((c, i) => {
    const entry = object(c, `corrections[${i}]`);
    return { date: date(entry, 'date', `corrections[${i}].date`), summary: text(entry, 'summary', `corrections[${i}].summary`) };
  });
  const a = object(o.accessibility, 'accessibility');
  const days = a.response_working_days;
  if (typeof days !== 'number' || !Number.isInteger(days) || days <= 0) fail('accessibility.response_working_days', 'a whole number of days');
  return {
    publisher: text(o, 'publisher'),
    contact: { email, team: text(contact, 'team', 'contact.team') },
    next_update: date(o, 'next_update'),
    update_frequency: text(o, 'update_frequency'),
    corrections: corrections.sort((x, y) => y.date.localeCompare(x.date)),
    accessibility: {
      prepared: date(a, 'prepared', 'accessibility.prepared'),
      last_reviewed: date(a, 'last_reviewed', 'accessibility.last_reviewed'),
      last_tested: date(a, 'last_tested', 'accessibility.last_tested'),
      response_working_days: days
    }
  };
}

/** The facts in `file`; a mistake stops the build naming the file, line and column (of the value, or of the object missing it). */
export function readSiteFacts(file = SITE_FILE): SiteFacts {
  let root: JsonNode;
  try {
    root = parseJsonNodes(readFileSync(file, 'utf8'));
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new Error(`${placeIn(file, e)}: ${e.reason}`);
    throw new Error(`${file}: cannot be read (${(e as Error).message})`);
  }
  try {
    return parseSiteFacts(jsonValue(root));
  } catch (e) {
    if (!(e instanceof SiteFactError)) throw e;
    throw new Error(`${placeIn(file, nodeAt(root, e.key))}: "${e.key}" must be ${e.expected}`);
  }
}
