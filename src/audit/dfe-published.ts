/**
 * The audit's rule for releases passed through under DfE's own suppression (`dfe_pass_through`;
 * data/DISCLOSURE.md, "Passed through under DfE's own suppression"), in place of the thresholds of
 * the pipeline's disclosure control.
 *
 * Such a release holds figures DfE has already published, so the question the audit asks is not
 * "would our rules have hidden this?" but "is every figure one DfE published, under DfE's rule?".
 * It answers from the release alone, like the rest of the audit (nothing from src/pipeline or
 * src/lib):
 *
 * 1. The gate (`passThroughGate`): the rule is open only to a release whose manifest says
 *    `disclosure.mode: "dfe-published"` and whose every source is `kind: "DfE open data"`,
 *    `rule: "dfe-published"`, with each file's SHA-256. Anything else asking for it (one source
 *    of another kind, a rule missing, a checksum missing) is a breach, and the release is then
 *    held to the pipeline's thresholds as well, so it is refused.
 * 2. DfE's threshold where DfE applies one (`checkDfePublished`): in DfE's school-level exclusion
 *    files a count of 1 or 2 is withheld (`x`, "1 or 2 pupils"), so a school-level exclusion count
 *    (pupils suspended, suspensions, permanent exclusions, in `school_year`, `school_year_reason`
 *    and `school_period`) from 1 to 2 is a breach. DfE applies no threshold to its LA, regional
 *    and national rows (its files publish LA counts of 1) nor to the school census's pupil counts
 *    (which publish 1 to 4), so those are not held to one.
 * 3. Provenance checks a planted figure cannot pass: DfE publishes school-level exclusions for all
 *    pupils only, so a school row of an SEN group with a published exclusion count is not DfE's;
 *    every area row must name a DfE file of the manifest as its `source` (or say "not published"
 *    and publish nothing); and the one table the pipeline derives, `school_period`, must hold only
 *    exact sums of published yearly figures (a pooled figure over a withheld year would give the
 *    withheld year away, which DfE's files do not).
 *
 * Not checked here, with the reason: small groups and events following pupils (DfE's rule has
 * neither: its files publish the suspensions of a school whose pupils suspended it withheld), and
 * recovery by subtraction (every total and part is in DfE's own files already, so a reader of
 * those files can do the same subtraction). The markers (flags), identifiers, schema, formats and
 * manifest rules apply as to any release.
 */
import { RULES, type Collector } from './breach';
import type { CountTable } from './cells';
import { ALL_PUPILS, type TableName } from './layout';

/** `manifest.disclosure.mode` and `sources[].rule` of a pass-through release. */
export const DFE_PUBLISHED = 'dfe-published';
/** `sources[].kind` of a DfE file. */
export const DFE_OPEN_DATA = 'DfE open data';
/** DfE's school-level threshold: counts from 1 to this are withheld. */
export const DFE_SCHOOL_WITHHELD_MAX = 2;
/** School-level exclusion counts held to DfE's threshold, by table. */
export const DFE_SCHOOL_EXCLUSION_COUNTS: Partial<Record<TableName, readonly string[]>> = {
  school_year: ['suspensions', 'pupils_suspended', 'pupils_repeat_suspended', 'permanent_exclusions'],
  school_year_reason: ['suspensions', 'permanent_exclusions'],
  school_period: ['suspensions', 'pupils_suspended', 'permanent_exclusions']
};
/**
 * School-level figures DfE publishes for all pupils only, never by SEN group: the exclusion counts
 * and the sessions lost with them (not held to the withheld range: a number of sessions, not pupils).
 */
const DFE_SCHOOL_ALL_PUPILS_ONLY: Partial<Record<TableName, readonly string[]>> = {
  school_year: ['sessions_lost'],
  school_period: ['sessions_lost']
};
/** How an area row names a DfE file (`DfE: FILE`), and a row of a group no file gave. */
const SOURCE_PREFIX = 'DfE: ';
const NOT_PUBLISHED = 'DfE: not published';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface PassThroughGate {
  /** The manifest asks for DfE's rule (its mode, or any source's rule, says `dfe-published`). */
  requested: boolean;
  /** Why the rule is refused; empty when it applies. */
  problems: string[];
  /** The DfE files the manifest lists, by the path an area row's `source` names. */
  files: Set<string>;
}

export function passThroughGate(manifest: unknown): PassThroughGate {
  const gate: PassThroughGate = { requested: false, problems: [], files: new Set() };
  if (!isObject(manifest)) return gate;
  const disclosure = isObject(manifest.disclosure) ? manifest.disclosure : {};
  const sources = Array.isArray(manifest.sources) ? manifest.sources : [];
  const modeAsks = disclosure.mode === DFE_PUBLISHED;
  const sourceAsks = sources.some((s) => isObject(s) && s.rule === DFE_PUBLISHED);
  gate.requested = modeAsks || sourceAsks;
  if (!gate.requested) return gate;
  if (!modeAsks) gate.problems.push(`a source asks for DfE\u2019s rule but disclosure.mode is ${JSON.stringify(disclosure.mode ?? null)}, not "${DFE_PUBLISHED}"`);
  if (sources.length === 0) gate.problems.push('the manifest lists no sources, so none can be shown to be DfE\u2019s');
  sources.forEach((s, i) => {
    const name = isObject(s) && typeof s.name === 'string' ? s.name : `sources[${i}]`;
    if (!isObject(s)) {
      gate.problems.push(`sources[${i}] is not an object`);
      return;
    }
    if (s.kind !== DFE_OPEN_DATA) gate.problems.push(`${name} is ${JSON.stringify(s.kind ?? null)}, not "${DFE_OPEN_DATA}": only a release whose every source is DfE\u2019s open data can pass through under DfE\u2019s rule`);
    if (s.rule !== DFE_PUBLISHED) gate.problems.push(`${name} was published under rule ${JSON.stringify(s.rule ?? null)}, not "${DFE_PUBLISHED}"`);
    const files = Array.isArray(s.files) ? s.files : [];
    if (files.length === 0) gate.problems.push(`${name} lists no files`);
    for (const f of files) {
      const p = isObject(f) && typeof f.path === 'string' ? f.path : '';
      if (!isObject(f) || typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) gate.problems.push(`${name}: file ${p || '(unnamed)'} has no SHA-256 checksum`);
      if (p) gate.files.add(p);
    }
  });
  return gate;
}

const SCHOOL_KEY = (urn: string | null, year: string | null, group: string | null) => `${urn ?? ''}\u0001${year ?? ''}\u0001${group ?? ''}`;

/** Rules 2 and 3 of the header, on the count tables of a release the gate let through. */
export function checkDfePublished(tables: ReadonlyMap<TableName, CountTable>, gate: PassThroughGate, out: Collector): void {
  const R = RULES.dfePublished;

  // DfE's school-level threshold, and no SEN split DfE does not publish.
  for (const [table, cols] of Object.entries(DFE_SCHOOL_EXCLUSION_COUNTS) as [TableName, readonly string[]][]) {
    const t = tables.get(table);
    if (!t) continue;
    const group = t.text('pupil_group');
    for (const c of [...cols, ...(DFE_SCHOOL_ALL_PUPILS_ONLY[table] ?? [])]) {
      const vals = t.values.get(c);
      if (!vals) continue;
      const withheldRange = cols.includes(c);
      for (let r = 0; r < t.rows; r++) {
        const v = vals[r];
        if (v === null || v === undefined) continue;
        if (withheldRange && v >= 1 && v <= DFE_SCHOOL_WITHHELD_MAX) {
          out.add(RULES.smallCount, table, r + 1, c, v, `${c} ${v} is published; DfE withholds school-level counts from 1 to ${DFE_SCHOOL_WITHHELD_MAX}, so this cannot be DfE\u2019s published figure`);
        }
        if (group[r] !== ALL_PUPILS) {
          out.add(R, table, r + 1, c, v, `${c} is published for ${group[r] ?? 'a pupil group'}; DfE publishes school-level exclusions for all pupils only, so this is not DfE\u2019s figure`);
        }
      }
      out.count(RULES.smallCount, t.rows);
      out.count(R, t.rows);
    }
  }

  // Area rows name the DfE file they came from.
  for (const table of ['area_year', 'area_breakdown'] as const) {
    const t = tables.get(table);
    if (!t) continue;
    const source = t.text('source');
    for (let r = 0; r < t.rows; r++) {
      const s = source[r] ?? '';
      out.count(R);
      if (s === NOT_PUBLISHED) {
        for (const [c, vals] of t.values) {
          if (vals[r] !== null && vals[r] !== undefined) out.add(R, table, r + 1, c, vals[r] ?? null, `${c} is published in a row whose source says DfE did not publish it`);
        }
      } else if (!s.startsWith(SOURCE_PREFIX) || !gate.files.has(s.slice(SOURCE_PREFIX.length))) {
        out.add(R, table, r + 1, 'source', s, `source ${JSON.stringify(s)} is not a DfE file the manifest lists (${[...gate.files].join(', ')})`);
      }
    }
  }

  // The pooled period holds exact sums of published years, nothing over a withheld one.
  const sp = tables.get('school_period');
  const sy = tables.get('school_year');
  if (sp && sy) {
    const byKey = new Map<string, number>();
    const urn = sy.text('urn');
    const start = sy.text('year_start');
    const group = sy.text('pupil_group');
    for (let r = 0; r < sy.rows; r++) byKey.set(SCHOOL_KEY(urn[r] ?? null, start[r] ?? null, group[r] ?? null), r);
    const pUrn = sp.text('urn');
    const pGroup = sp.text('pupil_group');
    const first = sp.text('first_year_start');
    const last = sp.text('last_year_start');
    for (const [c, vals] of sp.values) {
      const yearly = sy.values.get(c);
      for (let r = 0; r < sp.rows; r++) {
        const v = vals[r];
        if (v === null || v === undefined) continue;
        out.count(R);
        const from = Number(first[r]);
        const to = Number(last[r]);
        let sum = 0;
        const missing: string[] = [];
        for (let y = from; Number.isInteger(from) && Number.isInteger(to) && y <= to; y++) {
          const row = byKey.get(SCHOOL_KEY(pUrn[r] ?? null, String(y), pGroup[r] ?? null));
          if (row === undefined) continue; // no row: the school was not open that year
          const n = yearly?.[row];
          if (n === null || n === undefined) missing.push(String(y));
          else sum += n;
        }
        if (missing.length > 0) {
          out.add(R, 'school_period', r + 1, c, v, `${c} is pooled over years whose figure is not published (${missing.join(', ')}): it would give a withheld figure away`);
        } else if (sum !== v) {
          out.add(R, 'school_period', r + 1, c, v, `${c} is not the sum of the published yearly figures (${sum}): a pooled figure must be derived from DfE\u2019s figures only`);
        }
      }
    }
  }
}
