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

type TableName = 'school_year' | 'area_year' | 'school_year_reason' | 'school_period' | 'area_breakdown';

/** Count columns of each table, in the schema's order (their `_flag` columns sit beside them). */
const COLUMNS: Record<TableName, readonly string[]> = {
  school_year: ['pupils', 'suspensions', 'pupils_suspended', 'pupils_repeat_suspended', 'permanent_exclusions', 'sessions_lost', 'pupils_fsm'],
  area_year: ['pupils', 'suspensions', 'pupils_suspended', 'pupils_repeat_suspended', 'permanent_exclusions', 'sessions_lost', 'pupils_fsm'],
  school_year_reason: ['suspensions', 'permanent_exclusions'],
  school_period: ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost'],
  area_breakdown: ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost']
};

/** Pupil counts: suppressed from 1 to min_count - 1 (rule 1). Event counts follow them instead. */
const PUPIL_COUNTS = new Set(['pupils', 'pupils_suspended', 'pupils_repeat_suspended', 'permanent_exclusions', 'pupils_fsm']);
const EVENT_COLUMNS = new Set(['suspensions', 'sessions_lost']);

/** First year (start) from which an event may record up to three reasons, so reasons stop adding up. */
const MULTI_REASON_FROM = 2020;

/** Which counts of a breakdown add up over its categories to the area-year (set L). */
const ADDITIVE_OVER_CATEGORIES: Record<string, readonly string[]> = {
  need: ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost'],
  fsm: ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost'],
  // A pupil suspended in two terms is in both terms' pupils_suspended: only events add up.
  term: ['suspensions', 'permanent_exclusions', 'sessions_lost'],
  reason: ['suspensions', 'permanent_exclusions']
};

interface Row {
  rowid: number;
  key: Record<string, string | number>;
  cells: Record<string, number>;
  /**
   * Columns whose value is NULL because it does not apply (`z`) or was never available (`x`, such
   * as a comparator file's missing counts): not cells at all, since there is nothing to protect. A
   * count its source withheld to protect pupils comes flagged `c` (or `low`) and is a cell.
   */
  notApplicable: Set<string>;
}

/** The cells of all tables as flat arrays, with equations and "follows" links between them. */
class CellGraph {
  readonly value: number[] = [];
  readonly where: { table: TableName; rowid: number; column: string }[] = [];
  readonly followers: number[][] = [];
  /** The pupil count an event count follows, or -1. */
  readonly leader: number[] = [];
  readonly equationsOf: number[][] = [];
  /**
   * Sum of totals = sum of parts; most equations have one total, set J has one per year.
   * `preferTotal`: protect the equation by suppressing its total before any part (set H, where
   * the total is a derived pooled figure and the parts are the yearly ones people rely on).
   */
  readonly equations: { name: string; totals: number[]; parts: number[]; preferTotal: boolean }[] = [];
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

  follow(event: number | undefined, pupil: number | undefined): void {
    if (event === undefined || pupil === undefined) return;
    this.followers[pupil]!.push(event);
    this.leader[event] = pupil;
  }

  equation(name: string, totals: (number | undefined)[] | number | undefined, parts: (number | undefined)[], preferTotal = false): void {
    const t = Array.isArray(totals) ? totals : [totals];
    if (t.length === 0 || t.some((x) => x === undefined)) return;
    const present = parts.filter((p): p is number => p !== undefined);
    if (present.length === 0) return;
    const id = this.equations.length;
    this.equations.push({ name, totals: t as number[], parts: present, preferTotal });
    for (const c of [...(t as number[]), ...present]) this.equationsOf[c]!.push(id);
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
    `SELECT rowid::BIGINT AS rowid, ${keys.map((k) => `"${k}"`).join(', ')},
            ${cols.map((c) => `"${c}"::BIGINT AS "${c}", "${c}_flag" AS "${c}_flag"`).join(', ')}
     FROM "${table}" ORDER BY rowid`
  );
  return reader.getRowObjectsJS().map((r) => ({
    rowid: Number(r.rowid),
    key: Object.fromEntries(keys.map((k) => [k, typeof r[k] === 'bigint' ? Number(r[k]) : (r[k] as string | number)])),
    cells: Object.fromEntries(cols.map((c) => [c, r[c] === null ? Number.NaN : Number(r[c])])),
    notApplicable: new Set(cols.filter((c) => r[c] === null && (r[`${c}_flag`] === 'z' || r[`${c}_flag`] === 'x')))
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
      if (r.notApplicable.has(c)) continue;
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

const key = (...parts: (string | number)[]) => parts.join('\u0001');

/** Rows grouped by a key, in table order. */
function groupBy(ix: Indexed, family: (r: Row) => string | null): Map<string, number[]> {
  const out = new Map<string, number[]>();
  ix.rows.forEach((r, i) => {
    const f = family(r);
    if (f === null) return;
    let list = out.get(f);
    if (!list) out.set(f, (list = []));
    list.push(i);
  });
  return out;
}

/**
 * Apply primary and secondary suppression to the aggregated tables in place and report what was
 * suppressed by which rule.
 */
export async function applyDisclosureControl(conn: DuckDBConnection, config: DisclosureConfig): Promise<DisclosureSummary> {
  const g = new CellGraph();
  const sy = index(g, 'school_year', await readRows(conn, 'school_year', ['urn', 'academic_year', 'year_start', 'pupil_group']));
  const ay = index(g, 'area_year', await readRows(conn, 'area_year', ['area_type', 'area_code', 'academic_year', 'year_start', 'phase', 'pupil_group']));
  const syr = index(
    g,
    'school_year_reason',
    await readRows(conn, 'school_year_reason', ['urn', 'academic_year', 'year_start', 'pupil_group', 'reason_code'])
  );
  const sp = index(g, 'school_period', await readRows(conn, 'school_period', ['urn', 'pupil_group', 'first_year_start', 'last_year_start']));
  const ab = index(
    g,
    'area_breakdown',
    await readRows(conn, 'area_breakdown', ['area_type', 'area_code', 'academic_year', 'year_start', 'phase', 'pupil_group', 'dimension', 'category_code'])
  );
  const phaseOf = new Map(
    (await conn.runAndReadAll('SELECT urn, phase FROM schools')).getRowObjectsJS().map((r) => [String(r.urn), String(r.phase)])
  );

  const cell = (ix: Indexed, i: number, c: string) => ix.ids[i]!.get(c);
  const k = (r: Row, ...names: string[]) => key(...names.map((n) => r.key[n]!));

  // Events follow their pupil count: within a row, and from a school-year (or an area-year) to its reasons.
  for (const ix of [sy, ay, sp, ab]) {
    ix.rows.forEach((_, i) => {
      for (const e of EVENT_COLUMNS) g.follow(cell(ix, i, e), cell(ix, i, 'pupils_suspended'));
    });
  }
  const syByKey = new Map<string, number>();
  sy.rows.forEach((r, i) => syByKey.set(k(r, 'urn', 'academic_year', 'pupil_group'), i));
  const ayByKey = new Map<string, number>();
  ay.rows.forEach((r, i) => ayByKey.set(k(r, 'area_type', 'area_code', 'academic_year', 'phase', 'pupil_group'), i));
  const reasonsFollow = (ix: Indexed, i: number, parentIx: Indexed, parent: number | undefined) => {
    if (parent === undefined) return;
    g.follow(cell(ix, i, 'suspensions'), cell(parentIx, parent, 'pupils_suspended'));
    g.follow(cell(ix, i, 'permanent_exclusions'), cell(parentIx, parent, 'permanent_exclusions'));
  };
  syr.rows.forEach((r, i) => reasonsFollow(syr, i, sy, syByKey.get(k(r, 'urn', 'academic_year', 'pupil_group'))));
  /** The area-year a breakdown row breaks down. */
  const abParent = ab.rows.map((r) => ayByKey.get(k(r, 'area_type', 'area_code', 'academic_year', 'phase', 'pupil_group')));
  ab.rows.forEach((r, i) => {
    if (r.key.dimension === 'reason') reasonsFollow(ab, i, ay, abParent[i]);
  });

  /** Sum of the rows' cells of column c equals the total row's (sets A, B, G, I, M: groups add up). */
  const groupSets = (ix: Indexed, table: TableName, family: (r: Row) => string, label: string) => {
    for (const [f, members] of groupBy(ix, family)) {
      const byGroup = new Map(members.map((i) => [String(ix.rows[i]!.key.pupil_group), i]));
      const total = byGroup.get('All pupils');
      if (total === undefined) continue;
      for (const c of COLUMNS[table]) {
        g.equation(`${label} ${f} ${c}`, cell(ix, total, c), GROUPS.map((grp) => (byGroup.has(grp) ? cell(ix, byGroup.get(grp)!, c) : undefined)));
      }
    }
  };
  groupSets(sy, 'school_year', (r) => k(r, 'urn', 'academic_year'), 'A');
  groupSets(ay, 'area_year', (r) => k(r, 'area_type', 'area_code', 'academic_year', 'phase'), 'B');
  groupSets(syr, 'school_year_reason', (r) => k(r, 'urn', 'academic_year', 'reason_code'), 'G');
  groupSets(sp, 'school_period', (r) => k(r, 'urn'), 'I');
  groupSets(ab, 'area_breakdown', (r) => k(r, 'area_type', 'area_code', 'academic_year', 'phase', 'dimension', 'category_code'), 'M');

  // C, D, E: schools add up to the LA (overall and by phase), phases add up to the LA.
  const laRow = new Map<string, number>();
  ay.rows.forEach((r, i) => {
    if (r.key.area_type === 'LA') laRow.set(k(r, 'academic_year', 'pupil_group', 'phase'), i);
  });
  const schoolPhases = (urn: string) => ['All', phaseOf.get(urn) ?? '?'];
  const schoolsBy = new Map<string, number[]>();
  sy.rows.forEach((r, i) => {
    for (const phase of schoolPhases(String(r.key.urn))) {
      const kk = key(r.key.academic_year!, r.key.pupil_group!, phase);
      if (!schoolsBy.has(kk)) schoolsBy.set(kk, []);
      schoolsBy.get(kk)!.push(i);
    }
  });
  const phasesBy = new Map<string, number[]>();
  for (const [kk, i] of laRow) {
    const [year, group, phase] = kk.split('\u0001') as [string, string, string];
    if (phase === 'All') continue;
    const pk = key(year, group);
    if (!phasesBy.has(pk)) phasesBy.set(pk, []);
    phasesBy.get(pk)!.push(i);
  }
  for (const [kk, total] of laRow) {
    const [year, group, phase] = kk.split('\u0001') as [string, string, string];
    for (const c of COLUMNS.area_year) {
      g.equation(`${phase === 'All' ? 'C' : 'D'} ${kk} ${c}`, cell(ay, total, c), (schoolsBy.get(kk) ?? []).map((i) => cell(sy, i, c)));
      if (phase === 'All') g.equation(`E ${kk} ${c}`, cell(ay, total, c), (phasesBy.get(key(year, group)) ?? []).map((i) => cell(ay, i, c)));
    }
  }

  // F: before 2020/21 each event has one reason, so reasons add up to the school-year's events.
  for (const [kk, parts] of groupBy(syr, (r) => (Number(r.key.year_start) >= MULTI_REASON_FROM ? null : k(r, 'urn', 'academic_year', 'pupil_group')))) {
    const parent = syByKey.get(kk);
    if (parent === undefined) continue;
    for (const c of COLUMNS.school_year_reason) g.equation(`F ${kk} ${c}`, cell(sy, parent, c), parts.map((i) => cell(syr, i, c)));
  }

  // H: a school's pooled period is the sum of its years; J: the schools' periods add up to the
  // LA's years over the period (overall and by phase), a total made of several published cells.
  const syBySchoolGroup = groupBy(sy, (r) => k(r, 'urn', 'pupil_group'));
  const periodsBy = new Map<string, number[]>();
  sp.rows.forEach((r, i) => {
    const first = Number(r.key.first_year_start);
    const last = Number(r.key.last_year_start);
    const years = (syBySchoolGroup.get(k(r, 'urn', 'pupil_group')) ?? []).filter((j) => {
      const y = Number(sy.rows[j]!.key.year_start);
      return y >= first && y <= last;
    });
    for (const c of COLUMNS.school_period) g.equation(`H ${k(r, 'urn', 'pupil_group')} ${c}`, cell(sp, i, c), years.map((j) => cell(sy, j, c)), true);
    for (const phase of schoolPhases(String(r.key.urn))) {
      const pk = key(first, last, r.key.pupil_group!, phase);
      if (!periodsBy.has(pk)) periodsBy.set(pk, []);
      periodsBy.get(pk)!.push(i);
    }
  });
  for (const [pk, parts] of periodsBy) {
    const [first, last, group, phase] = pk.split('\u0001') as [string, string, string, string];
    const laYears = [...laRow]
      .filter(([kk]) => {
        const [year, gg, ph] = kk.split('\u0001') as [string, string, string];
        const y = Number(year.slice(0, 4));
        return gg === group && ph === phase && y >= Number(first) && y <= Number(last);
      })
      .map(([, i]) => i);
    if (laYears.length === 0) continue;
    for (const c of COLUMNS.school_period) g.equation(`J ${pk} ${c}`, laYears.map((i) => cell(ay, i, c)), parts.map((i) => cell(sp, i, c)));
  }

  // K: schools' reasons add up to the LA's reasons (all phases); L: a breakdown's categories add
  // up to the area-year they break down. DfE's primary-need rows (group SEND, every pupil with SEN,
  // src/pipeline/dfe/contract.ts) break down no area_year row and are in no set: nothing published
  // adds up to them (DfE rounds to 5, and before 2015/16 School Action pupils had no need recorded),
  // so they are held to the primary rules alone.
  const schoolReasonsBy = groupBy(syr, (r) => k(r, 'academic_year', 'pupil_group', 'reason_code'));
  ab.rows.forEach((r, i) => {
    if (r.key.dimension !== 'reason' || r.key.area_type !== 'LA' || r.key.phase !== 'All') return;
    const parts = schoolReasonsBy.get(k(r, 'academic_year', 'pupil_group', 'category_code')) ?? [];
    for (const c of COLUMNS.school_year_reason) g.equation(`K ${k(r, 'academic_year', 'pupil_group', 'category_code')} ${c}`, cell(ab, i, c), parts.map((j) => cell(syr, j, c)));
  });
  for (const [kk, parts] of groupBy(ab, (r) => k(r, 'area_type', 'area_code', 'academic_year', 'phase', 'pupil_group', 'dimension'))) {
    const first = ab.rows[parts[0]!]!;
    const dimension = String(first.key.dimension);
    if (dimension === 'reason' && Number(first.key.year_start) >= MULTI_REASON_FROM) continue;
    const parent = abParent[parts[0]!];
    if (parent === undefined) continue;
    for (const c of ADDITIVE_OVER_CATEGORIES[dimension] ?? []) g.equation(`L ${kk} ${c}`, cell(ay, parent, c), parts.map((i) => cell(ab, i, c)));
  }

  g.freeze();
  // Pupil-count equations are settled before event-count ones, so that an event count is
  // suppressed because its pupils are (and labelled so) rather than picked on its own.
  const pupilQueue: number[] = [];
  const eventQueue: number[] = [];
  const isEventEquation = g.equations.map((e) => EVENT_COLUMNS.has(g.where[e.totals[0]!]!.column));
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
  const suppress = (ids: (number | undefined)[], rule: SuppressionRule) => {
    const fresh = ids.filter((id): id is number => id !== undefined && mark(id, rule));
    for (const id of fresh) {
      const followers = g.followers[id]!.filter((f) => !g.suppressed[f]);
      if (followers.length > 0) suppress(followers, 'follows_pupils');
    }
  };

  // Primary suppression. Cells already NULL in the source count as suppressed (by the source).
  const small = (v: number) => v >= 1 && v < config.min_count;
  // A pooled row is small when its pupil-years could come from a group of fewer than min_group
  // pupils in every year: at most (min_group - 1) a year.
  const smallGroup = (pupils: number | undefined, years = 1) => pupils !== undefined && pupils >= 1 && pupils <= (config.min_group - 1) * years;
  const primary = (ix: Indexed, table: TableName, smallCounts: (r: Row) => readonly string[], isSmallGroup: (r: Row, i: number) => boolean) => {
    ix.rows.forEach((r, i) => {
      const all = COLUMNS[table].map((c) => cell(ix, i, c));
      if (isSmallGroup(r, i)) {
        suppress(all, 'small_group');
        return;
      }
      suppress(smallCounts(r).filter((c) => small(r.cells[c]!)).map((c) => cell(ix, i, c)), 'small_count');
      suppress(COLUMNS[table].filter((c) => Number.isNaN(r.cells[c]!) && !r.notApplicable.has(c)).map((c) => cell(ix, i, c)), 'source');
    });
  };
  const pupilCounts = (table: TableName) => COLUMNS[table].filter((c) => PUPIL_COUNTS.has(c));
  primary(sy, 'school_year', () => pupilCounts('school_year'), (r) => smallGroup(r.cells.pupils));
  primary(ay, 'area_year', () => pupilCounts('area_year'), (r) => smallGroup(r.cells.pupils));
  primary(syr, 'school_year_reason', () => COLUMNS.school_year_reason, () => false);
  primary(sp, 'school_period', () => pupilCounts('school_period'), (r) =>
    smallGroup(r.cells.pupils, Number(r.key.last_year_start) - Number(r.key.first_year_start) + 1)
  );
  // Terms and reasons have no pupils of their own: they are small when the area-year they break down is.
  primary(
    ab,
    'area_breakdown',
    (r) => (r.key.dimension === 'reason' ? COLUMNS.school_year_reason : pupilCounts('area_breakdown')),
    (r, i) => (r.notApplicable.has('pupils') ? smallGroup(ay.rows[abParent[i] ?? -1]?.cells.pupils) : smallGroup(r.cells.pupils))
  );

  // Secondary suppression to a fixed point: no equation may have exactly one suppressed cell.
  const secondaryOrder: number[] = [];
  for (let eq = 0; eq < g.equations.length; eq++) enqueue(eq);
  while (pupilQueue.length > 0 || eventQueue.length > 0) {
    const eq = pupilQueue.length > 0 ? pupilQueue.pop()! : eventQueue.pop()!;
    if (g.eqSuppressed[eq] !== 1) continue;
    const { totals, parts, preferTotal } = g.equations[eq]!;
    const smallest = (ids: number[]) => {
      let best = -1;
      for (const p of ids) if (!g.suppressed[p] && (best === -1 || g.value[p]! < g.value[best]!)) best = p;
      return best;
    };
    const [first, then] = preferTotal ? [totals, parts] : [parts, totals];
    let best = smallest(first);
    if (best === -1) best = smallest(then);
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
