/**
 * Disclosure control: decides which cells of the aggregated tables may be published, following
 * data/DISCLOSURE.md. Runs between aggregation and publishing; the independent audit (src/audit)
 * then checks the result without sharing any of this code.
 *
 * The tables are small enough to hold in memory (a national build is a few million cells), so the
 * rules run in JavaScript over flat arrays rather than as SQL: secondary suppression is a worklist
 * algorithm over equations (total = sum of parts) that is awkward in SQL and easy to get subtly
 * wrong there. Each equation keeps a count of its suppressed cells, so checking one is O(1) and the
 * whole run is close to linear in the number of cells. The decisions are written back to DuckDB as
 * NULL plus a `c` flag.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DisclosureSummary } from '../lib/data/manifest';

export interface DisclosureConfig {
  /** Pupil counts from 1 to this minus one are suppressed (DESIGN.md default 5). */
  min_count: number;
  /** Groups with 1 to this minus one pupils are suppressed whole (DESIGN.md default 10). */
  min_group: number;
}

export const DEFAULT_DISCLOSURE: DisclosureConfig = { min_count: 5, min_group: 10 };

export type SuppressionRule = 'small_count' | 'small_group' | 'follows_pupils' | 'secondary' | 'source';

export const RULE_DESCRIPTIONS: Record<SuppressionRule, string> = {
  small_count: 'pupil counts from 1 to min_count - 1 (and reason counts in that range)',
  small_group: 'every count of a group with 1 to min_group - 1 pupils',
  follows_pupils: 'event counts (suspensions, sessions lost) whose pupil count is suppressed',
  secondary: 'cells suppressed so that no suppressed cell can be recovered by subtraction',
  source: 'counts already withheld by their source (kept with the source\u2019s own flag)'
};

type TableName = 'school_year' | 'area_year' | 'school_year_reason';

const COLUMNS: Record<TableName, readonly string[]> = {
  school_year: ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost'],
  area_year: ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions'],
  school_year_reason: ['suspensions', 'permanent_exclusions']
};

const EVENT_COLUMNS = new Set(['suspensions', 'sessions_lost']);

/** First year (start) from which an event may record up to three reasons, so reasons stop adding up. */
const MULTI_REASON_FROM = 2020;

interface Row {
  rowid: number;
  key: Record<string, string | number>;
  cells: Record<string, number>;
}

/** The cells of all tables as flat arrays, with equations and "follows" links between them. */
class CellGraph {
  readonly value: number[] = [];
  readonly where: { table: TableName; rowid: number; column: string }[] = [];
  readonly followers: number[][] = [];
  /** The pupil count an event count follows, or -1. */
  readonly leader: number[] = [];
  readonly equationsOf: number[][] = [];
  readonly equations: { name: string; total: number; parts: number[] }[] = [];
  suppressed!: Uint8Array;
  rule!: (SuppressionRule | null)[];
  eqSuppressed!: Int32Array;

  add(table: TableName, rowid: number, column: string, value: number): number {
    const id = this.value.length;
    this.value.push(value);
    this.where.push({ table, rowid, column });
    this.followers.push([]);
    this.leader.push(-1);
    this.equationsOf.push([]);
    return id;
  }

  follow(event: number, pupil: number): void {
    this.followers[pupil]!.push(event);
    this.leader[event] = pupil;
  }

  equation(name: string, total: number | undefined, parts: (number | undefined)[]): void {
    if (total === undefined) return;
    const present = parts.filter((p): p is number => p !== undefined);
    if (present.length === 0) return;
    const id = this.equations.length;
    this.equations.push({ name, total, parts: present });
    for (const c of [total, ...present]) this.equationsOf[c]!.push(id);
  }

  freeze(): void {
    this.suppressed = new Uint8Array(this.value.length);
    this.rule = new Array<SuppressionRule | null>(this.value.length).fill(null);
    this.eqSuppressed = new Int32Array(this.equations.length);
  }
}

async function readRows(conn: DuckDBConnection, table: TableName, keys: string[]): Promise<Row[]> {
  const cols = COLUMNS[table];
  const reader = await conn.runAndReadAll(
    `SELECT rowid::BIGINT AS rowid, ${keys.map((k) => `"${k}"`).join(', ')}, ${cols.map((c) => `"${c}"::BIGINT AS "${c}"`).join(', ')}
     FROM "${table}" ORDER BY rowid`
  );
  return reader.getRowObjectsJS().map((r) => ({
    rowid: Number(r.rowid),
    key: Object.fromEntries(keys.map((k) => [k, typeof r[k] === 'bigint' ? Number(r[k]) : (r[k] as string | number)])),
    cells: Object.fromEntries(cols.map((c) => [c, r[c] === null ? Number.NaN : Number(r[c])]))
  }));
}

interface Indexed {
  rows: Row[];
  ids: Map<string, number>[];
}

function index(g: CellGraph, table: TableName, rows: Row[]): Indexed {
  const ids = rows.map((r) => {
    const m = new Map<string, number>();
    for (const c of COLUMNS[table]) {
      const v = r.cells[c]!;
      // A count that is already NULL (a source's own suppression) stays out of the equations' arithmetic
      // but still counts as unknown.
      m.set(c, g.add(table, r.rowid, c, Number.isNaN(v) ? Number.POSITIVE_INFINITY : v));
    }
    return m;
  });
  return { rows, ids };
}

const GROUPS = ['EHC plan', 'SEN support', 'No SEN'];

/**
 * Apply primary and secondary suppression to the aggregated tables in place and report what was
 * suppressed by which rule.
 */
export async function applyDisclosureControl(conn: DuckDBConnection, config: DisclosureConfig): Promise<DisclosureSummary> {
  const g = new CellGraph();
  const sy = index(g, 'school_year', await readRows(conn, 'school_year', ['urn', 'academic_year', 'year_start', 'pupil_group']));
  const ay = index(
    g,
    'area_year',
    await readRows(conn, 'area_year', ['area_type', 'area_code', 'academic_year', 'phase', 'pupil_group'])
  );
  const syr = index(
    g,
    'school_year_reason',
    await readRows(conn, 'school_year_reason', ['urn', 'academic_year', 'year_start', 'pupil_group', 'reason_code'])
  );
  const phaseOf = new Map(
    (await conn.runAndReadAll('SELECT urn, phase FROM schools')).getRowObjectsJS().map((r) => [String(r.urn), String(r.phase)])
  );

  const key = (...parts: (string | number)[]) => parts.join('\u0001');
  const cell = (ix: Indexed, i: number, c: string) => ix.ids[i]!.get(c);

  // Events follow their pupil count, within a row and from school_year to its reasons.
  const syByKey = new Map<string, number>();
  sy.rows.forEach((r, i) => {
    syByKey.set(key(r.key.urn!, r.key.academic_year!, r.key.pupil_group!), i);
    for (const e of ['suspensions', 'sessions_lost']) g.follow(cell(sy, i, e)!, cell(sy, i, 'pupils_suspended')!);
  });
  ay.rows.forEach((_, i) => g.follow(cell(ay, i, 'suspensions')!, cell(ay, i, 'pupils_suspended')!));
  syr.rows.forEach((r, i) => {
    const parent = syByKey.get(key(r.key.urn!, r.key.academic_year!, r.key.pupil_group!));
    if (parent === undefined) return;
    g.follow(cell(syr, i, 'suspensions')!, cell(sy, parent, 'pupils_suspended')!);
    g.follow(cell(syr, i, 'permanent_exclusions')!, cell(sy, parent, 'permanent_exclusions')!);
  });

  // A and B: pupil groups add up to All pupils, per row family.
  const groupSets = (ix: Indexed, table: TableName, family: (r: Row) => string, label: string) => {
    const byFamily = new Map<string, Map<string, number>>();
    ix.rows.forEach((r, i) => {
      const f = family(r);
      if (!byFamily.has(f)) byFamily.set(f, new Map());
      byFamily.get(f)!.set(String(r.key.pupil_group), i);
    });
    for (const [f, members] of byFamily) {
      const total = members.get('All pupils');
      if (total === undefined) continue;
      for (const c of COLUMNS[table]) {
        g.equation(`${label} ${f} ${c}`, cell(ix, total, c), GROUPS.map((grp) => (members.has(grp) ? cell(ix, members.get(grp)!, c) : undefined)));
      }
    }
  };
  groupSets(sy, 'school_year', (r) => key(r.key.urn!, r.key.academic_year!), 'A');
  groupSets(ay, 'area_year', (r) => key(r.key.area_type!, r.key.area_code!, r.key.academic_year!, r.key.phase!), 'B');
  groupSets(syr, 'school_year_reason', (r) => key(r.key.urn!, r.key.academic_year!, r.key.reason_code!), 'G');

  // C, D, E: schools add up to the LA (overall and by phase), phases add up to the LA.
  const laRow = new Map<string, number>();
  ay.rows.forEach((r, i) => {
    if (r.key.area_type === 'LA') laRow.set(key(r.key.academic_year!, r.key.pupil_group!, r.key.phase!), i);
  });
  const schoolsBy = new Map<string, number[]>();
  sy.rows.forEach((r, i) => {
    for (const phase of ['All', phaseOf.get(String(r.key.urn)) ?? '?']) {
      const k = key(r.key.academic_year!, r.key.pupil_group!, phase);
      if (!schoolsBy.has(k)) schoolsBy.set(k, []);
      schoolsBy.get(k)!.push(i);
    }
  });
  const phasesBy = new Map<string, number[]>();
  for (const [k, i] of laRow) {
    const [year, group, phase] = k.split('\u0001') as [string, string, string];
    if (phase === 'All') continue;
    const pk = key(year, group);
    if (!phasesBy.has(pk)) phasesBy.set(pk, []);
    phasesBy.get(pk)!.push(i);
  }
  for (const [k, total] of laRow) {
    const [year, group, phase] = k.split('\u0001') as [string, string, string];
    for (const c of COLUMNS.area_year) {
      g.equation(`${phase === 'All' ? 'C' : 'D'} ${k} ${c}`, cell(ay, total, c), (schoolsBy.get(k) ?? []).map((i) => cell(sy, i, c)));
      if (phase === 'All') g.equation(`E ${k} ${c}`, cell(ay, total, c), (phasesBy.get(key(year, group)) ?? []).map((i) => cell(ay, i, c)));
    }
  }

  // F: before 2020/21 each event has one reason, so reasons add up to the school-year's events.
  const reasonsBy = new Map<string, number[]>();
  syr.rows.forEach((r, i) => {
    if (Number(r.key.year_start) >= MULTI_REASON_FROM) return;
    const k = key(r.key.urn!, r.key.academic_year!, r.key.pupil_group!);
    if (!reasonsBy.has(k)) reasonsBy.set(k, []);
    reasonsBy.get(k)!.push(i);
  });
  for (const [k, parts] of reasonsBy) {
    const parent = syByKey.get(k);
    if (parent === undefined) continue;
    for (const c of COLUMNS.school_year_reason) g.equation(`F ${k} ${c}`, cell(sy, parent, c), parts.map((i) => cell(syr, i, c)));
  }

  g.freeze();
  // Pupil-count equations are settled before event-count ones, so that an event count is
  // suppressed because its pupils are (and labelled so) rather than picked on its own.
  const pupilQueue: number[] = [];
  const eventQueue: number[] = [];
  const isEventEquation = g.equations.map((e) => EVENT_COLUMNS.has(g.where[e.total]!.column));
  const enqueue = (eq: number) => (isEventEquation[eq] ? eventQueue : pupilQueue).push(eq);
  const mark = (id: number, rule: SuppressionRule): boolean => {
    if (g.suppressed[id]) return false;
    g.suppressed[id] = 1;
    g.rule[id] = rule;
    for (const eq of g.equationsOf[id]!) {
      g.eqSuppressed[eq]!++;
      enqueue(eq);
    }
    return true;
  };
  /** Suppress cells under one rule, then the event counts that follow them. */
  const suppress = (ids: number[], rule: SuppressionRule) => {
    const fresh = ids.filter((id) => mark(id, rule));
    for (const id of fresh) {
      const followers = g.followers[id]!.filter((f) => !g.suppressed[f]);
      if (followers.length > 0) suppress(followers, 'follows_pupils');
    }
  };

  // Primary suppression. Cells already NULL in the source count as suppressed (by the source).
  const small = (v: number) => v >= 1 && v < config.min_count;
  const primary = (ix: Indexed, table: TableName, pupilCounts: string[]) => {
    ix.rows.forEach((r, i) => {
      const pupils = r.cells.pupils;
      if (pupils !== undefined && pupils >= 1 && pupils < config.min_group) {
        suppress(COLUMNS[table].map((c) => cell(ix, i, c)!), 'small_group');
        return;
      }
      suppress(pupilCounts.filter((c) => small(r.cells[c]!)).map((c) => cell(ix, i, c)!), 'small_count');
      suppress(COLUMNS[table].filter((c) => Number.isNaN(r.cells[c]!)).map((c) => cell(ix, i, c)!), 'source');
    });
  };
  primary(sy, 'school_year', ['pupils', 'pupils_suspended', 'permanent_exclusions']);
  primary(ay, 'area_year', ['pupils', 'pupils_suspended', 'permanent_exclusions']);
  primary(syr, 'school_year_reason', ['suspensions', 'permanent_exclusions']);

  // Secondary suppression to a fixed point: no equation may have exactly one suppressed cell.
  const secondaryOrder: number[] = [];
  for (let eq = 0; eq < g.equations.length; eq++) enqueue(eq);
  while (pupilQueue.length > 0 || eventQueue.length > 0) {
    const eq = pupilQueue.length > 0 ? pupilQueue.pop()! : eventQueue.pop()!;
    if (g.eqSuppressed[eq] !== 1) continue;
    const { total, parts } = g.equations[eq]!;
    let best = -1;
    for (const p of parts) {
      if (!g.suppressed[p] && (best === -1 || g.value[p]! < g.value[best]!)) best = p;
    }
    if (best === -1 && !g.suppressed[total]) best = total;
    if (best !== -1) {
      suppress([best], 'secondary');
      secondaryOrder.push(best);
    }
  }

  minimise(g, secondaryOrder);
  await writeBack(conn, g);

  const counts: Record<SuppressionRule, number> = { small_count: 0, small_group: 0, follows_pupils: 0, secondary: 0, source: 0 };
  let published = 0;
  for (let i = 0; i < g.value.length; i++) {
    const r = g.rule[i];
    if (r) counts[r]++;
    else published++;
  }
  return {
    applied: true,
    rules: (Object.keys(RULE_DESCRIPTIONS) as SuppressionRule[]).map((r) => `${r}: ${RULE_DESCRIPTIONS[r]}`),
    thresholds: { ...config },
    cells_published: published,
    cells_suppressed: counts
  };
}

/**
 * Suppress what must be, no more: a cell suppressed early to protect one equation can become
 * unnecessary once later choices put a second suppressed cell in every equation it protects. Walk
 * the secondary choices newest first and publish each one again (with the event counts that only
 * followed it) when every equation it touches still keeps zero or at least two suppressed cells.
 */
function minimise(g: CellGraph, order: number[]): void {
  /** Publish `cells` again if no equation they touch would be left with exactly one suppressed cell. */
  const tryPublish = (cells: number[]): boolean => {
    const delta = new Map<number, number>();
    for (const cellId of cells) for (const eq of g.equationsOf[cellId]!) delta.set(eq, (delta.get(eq) ?? 0) + 1);
    for (const [eq, d] of delta) if (g.eqSuppressed[eq]! - d === 1) return false;
    for (const cellId of cells) {
      g.suppressed[cellId] = 0;
      g.rule[cellId] = null;
    }
    for (const [eq, d] of delta) g.eqSuppressed[eq]! -= d;
    return true;
  };
  for (let k = order.length - 1; k >= 0; k--) {
    const c = order[k]!;
    if (!g.suppressed[c]) continue;
    // A cell whose pupil count stays suppressed must stay suppressed too.
    const lead = g.leader[c]!;
    if (lead !== -1 && g.suppressed[lead]) continue;
    const followers = g.followers[c]!.filter((f) => g.rule[f] === 'follows_pupils');
    if (tryPublish([c, ...followers])) continue;
    // The pupil count alone may be publishable while its events still protect other cells: the
    // events then stay suppressed in their own right, each if it is still needed.
    if (followers.length > 0 && tryPublish([c])) {
      for (const f of followers) if (!tryPublish([f])) g.rule[f] = 'secondary';
    }
  }
}

/** NULL plus a `c` flag for every suppressed cell, one UPDATE per table and column. */
async function writeBack(conn: DuckDBConnection, g: CellGraph): Promise<void> {
  const byColumn = new Map<string, number[]>();
  g.where.forEach((w, i) => {
    // A source's own NULL keeps the source's flag (x, z ...); only our decisions get `c`.
    if (!g.suppressed[i] || g.rule[i] === 'source') return;
    const k = `${w.table}.${w.column}`;
    if (!byColumn.has(k)) byColumn.set(k, []);
    byColumn.get(k)!.push(w.rowid);
  });
  await conn.run('CREATE OR REPLACE TABLE suppressed_rows (rid BIGINT)');
  for (const [k, rowids] of byColumn) {
    const [table, column] = k.split('.') as [TableName, string];
    await conn.run('DELETE FROM suppressed_rows');
    const appender = await conn.createAppender('suppressed_rows');
    for (const rid of rowids) {
      appender.appendBigInt(BigInt(rid));
      appender.endRow();
    }
    appender.closeSync();
    await conn.run(
      `UPDATE "${table}" SET "${column}" = NULL, "${column}_flag" = 'c' WHERE rowid IN (SELECT rid FROM suppressed_rows)`
    );
  }
  await conn.run('DROP TABLE suppressed_rows');
}
