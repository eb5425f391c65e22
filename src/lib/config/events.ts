/**
 * Local events for the time axes (data/events.json): the council's own dates that every trend on
 * the councillors' view marks beside the national ones (an inspection, the start of an improvement
 * plan), and the improvement plan's targets, drawn as target lines on the trends they belong to.
 *
 * Why a file and a parser of our own: a council officer edits it by hand, so a mistake must stop
 * the build with the file, line and column of the value that is wrong and what was expected,
 * rather than publish a chart with a misplaced mark. JSON.parse reports neither where a wrong
 * *value* is nor (on Node 20) the line of a syntax error, so this reads JSON with ./json.ts, which
 * keeps each value's position. Pure (no file access): the build-time reader is `$lib/server/events`.
 *
 * Format (documented in data/SCHEMA.md, "Configuration: data/events.json"):
 *   { "la"?: "990", "events": [ { "date": "YYYY-MM-DD", "label", "detail" } | { "from": "YYYY/YY", "to"?: "YYYY/YY", "label", "detail" } ],
 *     "targets": [ { "measure", "group", "phase"?, "value", "by": "YYYY/YY", "label" } ] }
 */
import type { TimeAnnotation } from '$lib/charts/annotations';
import { MEASURE_KEYS, type MeasureKey } from '$lib/data/measures';
import { PUPIL_GROUPS, type PupilGroup } from '$lib/data/schema';
import { JsonSyntaxError, parseJsonNodes, placeIn, type JsonNode as Node } from './json';

export interface LocalEvent extends TimeAnnotation {
  /** Where it came from, for the notes under a chart ("from data/events.json"). */
  local: true;
}

export interface Target {
  measure: MeasureKey;
  group: PupilGroup;
  phase: string;
  /** Per 100 pupils. */
  value: number;
  /** Start year of the academic year the target is for. */
  by: number;
  byLabel: string;
  label: string;
}

export interface EventsConfig {
  /**
   * The 3-digit code of the local authority the events and targets belong to, or null for any
   * release. A council's events must not be drawn on another LA's release (a DfE build for another
   * area, say): `eventsFor` leaves them out there.
   */
  la: string | null;
  events: LocalEvent[];
  targets: Target[];
}

/** The events and targets to draw on a release about LA `laCode`: none when the file names another LA. */
export function eventsFor(config: EventsConfig, laCode: string): EventsConfig {
  return config.la === null || config.la === laCode ? config : { la: config.la, events: [], targets: [] };
}

export class ConfigError extends Error {}

/** The file's JSON with each value's position; a syntax error is a ConfigError naming its line and column. */
function parseJson(text: string, file: string): Node {
  try {
    return parseJsonNodes(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new ConfigError(`${placeIn(file, e)}: ${e.reason}`);
    throw e;
  }
}

// ---- The rules ----------------------------------------------------------------------------------

const YEAR = /^(\d{4})\/(\d{2})$/;

/** Start year of an academic year written YYYY/YY, or null. */
function yearStart(v: string): number | null {
  const m = YEAR.exec(v);
  if (!m) return null;
  const a = Number(m[1]);
  return (a + 1) % 100 === Number(m[2]) ? a : null;
}

const academicYear = (start: number) => `${start}/${String((start + 1) % 100).padStart(2, '0')}`;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * Read data/events.json's text. Throws a ConfigError naming the file, line and column of the first
 * problem and what was expected there.
 */
export function parseEvents(text: string, file = 'data/events.json'): EventsConfig {
  const root = parseJson(text, file);
  const fail = (n: Pick<Node, 'line' | 'col'>, where: string, expected: string): never => {
    throw new ConfigError(`${placeIn(file, n)}: "${where}" must be ${expected}`);
  };
  const obj = (n: Node, where: string) => (n.kind === 'object' ? n.entries : fail(n, where, 'an object'));
  const only = (n: Node, entries: Map<string, Node>, where: string, keys: string[]) => {
    for (const k of entries.keys()) if (!keys.includes(k)) fail(entries.get(k)!, `${where}.${k}`, `one of the known keys (${keys.join(', ')}); it is not one`);
    void n;
  };
  const text_ = (entries: Map<string, Node>, owner: Node, key: string, where: string, max = 200): string => {
    const n = entries.get(key);
    if (!n) return fail(owner, `${where}.${key}`, 'given (it is missing)');
    if (n.kind !== 'string' || n.value.trim() === '' || n.value.length > max) return fail(n, `${where}.${key}`, `text of 1 to ${max} characters`);
    return n.value;
  };
  const year = (n: Node | undefined, owner: Node, where: string): number => {
    if (!n) return fail(owner, where, 'given (it is missing)');
    const y = n.kind === 'string' ? yearStart(n.value) : null;
    return y ?? fail(n, where, `an academic year written YYYY/YY, like 2023/24${n.kind === 'string' ? ` (found "${n.value}")` : ''}`);
  };

  const top = obj(root, '(top level)');
  only(root, top, '(top level)', ['la', 'events', 'targets']);
  const laNode = top.get('la');
  if (laNode && (laNode.kind !== 'string' || !/^\d{3}$/.test(laNode.value))) fail(laNode, 'la', 'the 3-digit code of the local authority the events belong to, like "990"');
  const la = laNode && laNode.kind === 'string' ? laNode.value : null;
  const list = (key: string): Node[] => {
    const n = top.get(key);
    if (!n) return [];
    return n.kind === 'array' ? n.items : fail(n, key, 'a list');
  };

  const events = list('events').map((n, i): LocalEvent => {
    const where = `events[${i}]`;
    const e = obj(n, where);
    only(n, e, where, ['date', 'from', 'to', 'label', 'detail']);
    const label = text_(e, n, 'label', where, 40);
    const detail = text_(e, n, 'detail', where, 400);
    const date = e.get('date');
    if (date) {
      if (e.has('from') || e.has('to')) fail(date, `${where}.date`, 'given alone: an event has a date, or a from (and to) year, not both');
      const v = date.kind === 'string' ? date.value : '';
      const d = new Date(`${v}T00:00:00Z`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) {
        fail(date, `${where}.date`, `a date written YYYY-MM-DD${date.kind === 'string' ? ` (found "${v}")` : ''}`);
      }
      // The academic year runs from 1 September: a date in March 2023 is in 2022/23.
      const from = d.getUTCMonth() >= 8 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
      return { kind: 'line', from, label, detail: `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}: ${detail}`, local: true };
    }
    const from = year(e.get('from'), n, `${where}.from`);
    const toNode = e.get('to');
    if (!toNode) return { kind: 'line', from, label, detail: `${academicYear(from)}: ${detail}`, local: true };
    const to = year(toNode, n, `${where}.to`);
    if (to < from) fail(toNode, `${where}.to`, `the same year as "from" or later`);
    return { kind: 'band', from, to, label, detail: `${academicYear(from)} to ${academicYear(to)}: ${detail}`, local: true };
  });

  const targets = list('targets').map((n, i): Target => {
    const where = `targets[${i}]`;
    const t = obj(n, where);
    only(n, t, where, ['measure', 'group', 'phase', 'value', 'by', 'label']);
    const m = t.get('measure');
    if (!m || m.kind !== 'string' || !(MEASURE_KEYS as readonly string[]).includes(m.value)) fail(m ?? n, `${where}.measure`, `one of ${MEASURE_KEYS.join(', ')}`);
    const g = t.get('group');
    if (!g || g.kind !== 'string' || !(PUPIL_GROUPS as readonly string[]).includes(g.value)) fail(g ?? n, `${where}.group`, `one of ${PUPIL_GROUPS.join(', ')}`);
    const p = t.get('phase');
    const phases = ['All', 'Primary', 'Secondary', 'Special', 'Alternative provision'];
    if (p && (p.kind !== 'string' || !phases.includes(p.value))) fail(p, `${where}.phase`, `one of ${phases.join(', ')}`);
    const v = t.get('value');
    if (!v || v.kind !== 'number' || !(v.value >= 0) || v.value > 1000) fail(v ?? n, `${where}.value`, 'a rate per 100 pupils: a number from 0 to 1000');
    const by = year(t.get('by'), n, `${where}.by`);
    return {
      measure: (m as { value: string }).value as MeasureKey,
      group: (g as { value: string }).value as PupilGroup,
      phase: p && p.kind === 'string' ? p.value : 'All',
      value: (v as { value: number }).value,
      by,
      byLabel: academicYear(by),
      label: text_(t, n, 'label', where, 60)
    };
  });

  return { la, events, targets };
}
