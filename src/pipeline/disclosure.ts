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
import { DuckDBDataChunk, DuckDBVector, INTEGER, type DuckDBConnection, type DuckDBResultReader } from '@duckdb/node-api';
import type { DisclosureSummary } from '../lib/data/manifest';
import { givesAway, Ranges, type Linear } from './bounds';
import { schoolPrograms } from './linear';

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

/** A rule's code in `CellGraph.rule` (0: not suppressed). */
const RULE_CODES: SuppressionRule[] = ['small_count', 'small_group', 'follows_pupils', 'secondary', 'source'];
const RULE_CODE = Object.fromEntries(RULE_CODES.map((r, i) => [r, i + 1])) as Record<SuppressionRule, number>;
const TABLE_CODES: TableName[] = ['school_year', 'area_year', 'school_year_reason', 'school_period', 'area_breakdown'];
const COLUMN_CODES = [...new Set(Object.values(COLUMNS).flat())];

/**
 * The cells of all tables as flat arrays, with equations and "follows" links between them. Built
 * as flat lists (a few hundred thousand cells: one array per cell would be most of the work), then
 * `freeze` indexes them: each cell's followers and equations as ranges of one array (CSR), in the
 * order they were added, which is the order the suppressor visits them in.
 */
class CellGraph {
  /**
   * The lists below are built in growable typed arrays (`Column`) and become plain typed arrays at
   * `freeze`: off the JavaScript heap, where a few hundred thousand numbers each in growing arrays
   * were copied by the garbage collector again and again while the graph was built.
   */
  private readonly build = {
    value: new Column(Float64Array),
    whereTable: new Column(Int32Array),
    whereRow: new Column(Int32Array),
    whereColumn: new Column(Int32Array),
    leader: new Column(Int32Array),
    followPupil: new Column(Int32Array),
    followEvent: new Column(Int32Array),
    eqStart: new Column(Int32Array).push(0),
    eqTotals: new Column(Int32Array),
    eqPreferTotal: new Column(Int32Array),
    eqCells: new Column(Int32Array)
  };
  value!: Float64Array;
  /** Where each cell is: table (index in TABLE_CODES), rowid, column (index in COLUMN_CODES). */
  whereTable!: Int32Array;
  whereRow!: Int32Array;
  whereColumn!: Int32Array;
  /** The pupil count an event count follows, or -1. */
  leader!: Int32Array;
  /**
   * Equations, sum of totals = sum of parts; most have one total, set J has one per year. Each
   * is a range of `eqCells` (totals first, then parts) from `eqStart[e]` to `eqStart[e + 1]`.
   * `eqPreferTotal`: protect the equation by suppressing its total before any part (set H, where
   * the total is a derived pooled figure and the parts are the yearly ones people rely on).
   */
  eqStart!: Int32Array;
  eqTotals!: Int32Array;
  eqPreferTotal!: Int32Array;
  eqCells!: Int32Array;
  /** After `freeze`: cell -> its followers, and cell -> the equations it is in, as CSR ranges. */
  followersStart!: Int32Array;
  followersList!: Int32Array;
  equationsOfStart!: Int32Array;
  equationsOfList!: Int32Array;
  suppressed!: Uint8Array;
  /** The rule (RULE_CODES[rule - 1]) each cell was suppressed by; 0 when it is not. */
  rule!: Uint8Array;
  eqSuppressed!: Int32Array;

  get equationCount(): number {
    return this.build.eqTotals.length;
  }

  /** A cell of table TABLE_CODES[table], column COLUMN_CODES[column]. */
  add(table: number, rowid: number, column: number, value: number): number {
    const b = this.build;
    const id = b.value.length;
    b.value.push(value);
    b.whereTable.push(table);
    b.whereRow.push(rowid);
    b.whereColumn.push(column);
    b.leader.push(-1);
    return id;
  }

  follow(event: number | undefined, pupil: number | undefined): void {
    if (event === undefined || pupil === undefined) return;
    this.build.followPupil.push(pupil);
    this.build.followEvent.push(event);
    this.build.leader.set(event, pupil);
  }

  equation(totals: (number | undefined)[] | number | undefined, parts: (number | undefined)[], preferTotal = false): void {
    const t = Array.isArray(totals) ? totals : [totals];
    if (t.length === 0 || t.some((x) => x === undefined)) return;
    let present = 0;
    for (const p of parts) if (p !== undefined) present++;
    if (present === 0) return;
    const b = this.build;
    for (const c of t) b.eqCells.push(c!);
    for (const p of parts) if (p !== undefined) b.eqCells.push(p);
    b.eqTotals.push(t.length);
    b.eqPreferTotal.push(preferTotal ? 1 : 0);
    b.eqStart.push(b.eqCells.length);
  }

  freeze(): void {
    const b = this.build;
    this.value = b.value.done();
    this.whereTable = b.whereTable.done();
    this.whereRow = b.whereRow.done();
    this.whereColumn = b.whereColumn.done();
    this.leader = b.leader.done();
    this.eqStart = b.eqStart.done();
    this.eqTotals = b.eqTotals.done();
    this.eqPreferTotal = b.eqPreferTotal.done();
    this.eqCells = b.eqCells.done();
    const n = this.value.length;
    const followPupil = b.followPupil.done();
    const followEvent = b.followEvent.done();
    const f = csr(n, followPupil, (i) => followEvent[i]!, followPupil.length);
    this.followersStart = f.start;
    this.followersList = f.list;
    // Each cell's equations in the order the equations were made (a cell twice in one equation twice).
    const eqOfCell = new Int32Array(this.eqCells.length);
    for (let e = 0; e < this.eqTotals.length; e++) for (let k = this.eqStart[e]!; k < this.eqStart[e + 1]!; k++) eqOfCell[k] = e;
    const q = csr(n, this.eqCells, (k) => eqOfCell[k]!, this.eqCells.length);
    this.equationsOfStart = q.start;
    this.equationsOfList = q.list;
    this.suppressed = new Uint8Array(n);
    this.rule = new Uint8Array(n);
    this.eqSuppressed = new Int32Array(this.eqTotals.length);
  }
}

/**
 * Pairs (from[i], to(i)) for i below `count`, as CSR ranges over n cells: cell c's `to`s are
 * list[start[c]] to list[start[c + 1] - 1], in the order of i. A negative `from` is left out.
 */
function csr(n: number, from: Int32Array, to: (i: number) => number, count: number): { start: Int32Array; list: Int32Array } {
  const start = new Int32Array(n + 1);
  for (let i = 0; i < count; i++) if (from[i]! >= 0) start[from[i]! + 1]!++;
  for (let c = 0; c < n; c++) start[c + 1]! += start[c]!;
  const list = new Int32Array(start[n]!);
  const fill = start.slice(0, n);
  for (let i = 0; i < count; i++) if (from[i]! >= 0) list[fill[from[i]!]!++] = to(i);
  return { start, list };
}

/** A list of numbers that grows by doubling a typed array; `done` gives the filled part. */
class Column<T extends Int32Array | Float64Array> {
  private data: T;
  length = 0;
  constructor(private readonly Type: { new (n: number): T }) {
    this.data = new Type(1024);
  }
  push(v: number): this {
    if (this.length === this.data.length) {
      const bigger = new this.Type(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
    return this;
  }
  set(i: number, v: number): void {
    this.data[i] = v;
  }
  done(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/** The reasons table, by column: 130,000 rows at demo scale, read without a JS object per row. */
interface ReasonTable {
  n: number;
  rowid: number[];
  yearStart: number[];
  /** Index of the row's pupil_group in GROUPS, 3 for All pupils, 4 for anything else. */
  group: number[];
  /** The school_year row with the same urn, academic_year and pupil_group (the last such), or -1. */
  parent: number[];
  /** Set G's family (urn, academic_year, reason_code) and set K's (academic_year, pupil_group, reason_code), as numbers. */
  gFamily: number[];
  kFamily: number[];
  /** K's family number of each (academic_year, pupil_group, reason_code) key. */
  kFamilyOf: Map<string, number>;
  values: Float64Array[];
  notApplicable: Uint8Array[];
  /** Cell ids by column (COLUMNS.school_year_reason), -1 where a value is not a cell. */
  ids: Int32Array[];
}

/**
 * Read school_year_reason with its relations to school_year worked out by DuckDB (the key strings
 * never come into JavaScript): what `readRows`, `index` and the key maps give for the other
 * tables, with the same meaning (keys compared as text, NULL as empty text, the last row of a
 * duplicated key winning, year_start NULL as 0). The queries are asked for at once; the function
 * returned numbers the cells once the graph has come to this table.
 */
function readReasons(query: Query): (g: CellGraph) => Promise<ReasonTable> {
  const cols = COLUMNS.school_year_reason;
  const text = (c: string) => `coalesce("${c}", '')`;
  const rowsRead = query(
    `WITH sy AS (SELECT ${text('urn')} AS urn, ${text('academic_year')} AS ay, ${text('pupil_group')} AS pg, row_number() OVER (ORDER BY rowid) - 1 AS pos FROM school_year),
          parent AS (SELECT urn, ay, pg, max(pos) AS pos FROM sy GROUP BY ALL),
          r AS (SELECT rowid AS rid, ${text('urn')} AS urn, ${text('academic_year')} AS ay, ${text('pupil_group')} AS pg, ${text('reason_code')} AS rc, year_start,
                       ${cols.map((c) => `"${c}", "${c}_flag"`).join(', ')} FROM school_year_reason),
          -- Families numbered over their distinct keys (cheaper than a rank over every row). G's
          -- numbers are used here only; K's are matched by the query below, so sorted the same way.
          g AS (SELECT urn, ay, rc, (row_number() OVER ())::INTEGER AS g FROM (SELECT DISTINCT urn, ay, rc FROM r)),
          k AS (SELECT ay, pg, rc, (row_number() OVER (ORDER BY ay, pg, rc))::INTEGER AS k FROM (SELECT DISTINCT ay, pg, rc FROM r))
     SELECT r.rid::DOUBLE AS rid, coalesce(r.year_start, 0)::DOUBLE AS year_start,
            CASE r.pg ${GROUPS.map((grp, i) => `WHEN '${grp}' THEN ${i}`).join(' ')} WHEN 'All pupils' THEN 3 ELSE 4 END::INTEGER AS grp,
            coalesce(p.pos, -1)::INTEGER AS parent,
            g.g AS g_family, k.k AS k_family,
            ${cols.map((c) => `coalesce("${c}"::DOUBLE, 'NaN'::DOUBLE) AS "${c}", ("${c}" IS NULL AND "${c}_flag" IN ('z', 'x'))::INTEGER AS "${c}_na"`).join(', ')}
     FROM r LEFT JOIN parent p ON p.urn = r.urn AND p.ay = r.ay AND p.pg = r.pg
     JOIN g ON g.urn = r.urn AND g.ay = r.ay AND g.rc = r.rc
     JOIN k ON k.ay = r.ay AND k.pg = r.pg AND k.rc = r.rc
     ORDER BY r.rid`
  );
  // The same numbering of K's families as above.
  const familiesRead = query(
    `SELECT ay, pg, rc, (row_number() OVER (ORDER BY ay, pg, rc))::INTEGER AS k
     FROM (SELECT DISTINCT ${text('academic_year')} AS ay, ${text('pupil_group')} AS pg, ${text('reason_code')} AS rc FROM school_year_reason)`
  );
  // (Awaited only when the reasons are wanted: a failure before then is the caller's to report.)
  rowsRead.catch(() => {});
  familiesRead.catch(() => {});
  return async (g) => {
    const reader = await rowsRead;
    // (An empty result has no columns at all.)
    const columns = reader.getColumns() as (number | null)[][];
    const num = (i: number) => (columns[i] ?? []) as number[];
    const n = reader.currentRowCount;
    const t: ReasonTable = {
      n,
      rowid: num(0),
      yearStart: num(1),
      group: num(2),
      parent: num(3),
      gFamily: num(4),
      kFamily: num(5),
      kFamilyOf: new Map(),
      values: [],
      notApplicable: [],
      ids: []
    };
    cols.forEach((_, j) => {
      const raw = columns[6 + 2 * j] ?? [];
      const na = num(7 + 2 * j);
      t.values.push(Float64Array.from(raw, (v) => (v === null ? Number.NaN : v)));
      t.notApplicable.push(Uint8Array.from(na));
    });
    const families = await familiesRead;
    for (const r of families.getRowObjectsJS()) t.kFamilyOf.set(key(String(r.ay), String(r.pg), String(r.rc)), Number(r.k));
    // Cell ids row by row, column by column, as `index` gives them.
    for (const _ of cols) t.ids.push(new Int32Array(n).fill(-1));
    const table = TABLE_CODES.indexOf('school_year_reason');
    const codes = cols.map((c) => COLUMN_CODES.indexOf(c));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < cols.length; j++) {
        if (t.notApplicable[j]![i]) continue;
        const v = t.values[j]![i]!;
        t.ids[j]![i] = g.add(table, t.rowid[i]!, codes[j]!, Number.isNaN(v) ? Number.POSITIVE_INFINITY : v);
      }
    }
    return t;
  };
}

async function readRows(query: Query, table: TableName, keys: string[]): Promise<Row[]> {
  const cols = COLUMNS[table];
  // Counts as DOUBLE (exact for any count; NaN for NULL, which the node API reads faster than a
  // NULL) and which are not applicable as one bit each.
  const reader = await query(
    `SELECT rowid::DOUBLE AS rowid, ${keys.map((k) => `"${k}"`).join(', ')},
            ${cols.map((c) => `coalesce("${c}"::DOUBLE, 'NaN'::DOUBLE) AS "${c}"`).join(', ')},
            (${cols.map((c, b) => `CASE WHEN "${c}" IS NULL AND "${c}_flag" IN ('z', 'x') THEN ${1 << b} ELSE 0 END`).join(' + ')})::INTEGER AS na
     FROM "${table}" ORDER BY rowid`
  );
  const columns = reader.getColumns() as (string | number | bigint | null)[][];
  const rows: Row[] = new Array<Row>(columns.length === 0 ? 0 : reader.currentRowCount);
  for (let i = 0; i < rows.length; i++) {
    const key: Record<string, string | number> = {};
    keys.forEach((k, j) => {
      const v = columns[1 + j]![i]!;
      key[k] = typeof v === 'bigint' ? Number(v) : (v as string | number);
    });
    const cells: Record<string, number> = {};
    const na = columns[1 + keys.length + cols.length]![i] as number;
    const notApplicable = new Set<string>();
    cols.forEach((c, b) => {
      const v = columns[1 + keys.length + b]![i] as number | null;
      cells[c] = v === null ? Number.NaN : v;
      if (na & (1 << b)) notApplicable.add(c);
    });
    rows[i] = { rowid: columns[0]![i] as number, key, cells, notApplicable };
  }
  return rows;
}

/** Runs a query on the connection once the ones asked for before it have finished. */
interface Query {
  (sql: string): Promise<DuckDBResultReader>;
  /** Settles once every query asked for has finished, whether it succeeded or not. */
  idle(): Promise<void>;
}

/**
 * Queries run one after another on one connection, each started as soon as the one before it
 * finishes (not when JavaScript gets round to asking): results are awaited in any order.
 */
function queryQueue(conn: DuckDBConnection): Query {
  let last: Promise<unknown> = Promise.resolve();
  const query = (sql: string): Promise<DuckDBResultReader> => {
    const result = last.then(
      () => conn.runAndReadAll(sql),
      () => conn.runAndReadAll(sql)
    );
    last = result.catch(() => {});
    return result;
  };
  return Object.assign(query, { idle: () => last.then(() => {}) });
}

interface Indexed {
  rows: Row[];
  ids: Map<string, number>[];
}

function index(g: CellGraph, table: TableName, rows: Row[]): Indexed {
  const t = TABLE_CODES.indexOf(table);
  const codes = new Map(COLUMNS[table].map((c) => [c, COLUMN_CODES.indexOf(c)]));
  const ids = rows.map((r) => {
    const m = new Map<string, number>();
    for (const c of COLUMNS[table]) {
      if (r.notApplicable.has(c)) continue;
      const v = r.cells[c]!;
      // A count that is already NULL (a source's own suppression) stays out of the equations' arithmetic
      // but still counts as unknown.
      m.set(c, g.add(t, r.rowid, codes.get(c)!, Number.isNaN(v) ? Number.POSITIVE_INFINITY : v));
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
export async function applyDisclosureControl(
  conn: DuckDBConnection,
  config: DisclosureConfig,
  /** `areaPrograms: false` leaves out the areas' linear programs: only for the test that shows the audit what they protect. */
  opts: { areaPrograms?: boolean } = {}
): Promise<DisclosureSummary> {
  // Every table is asked for at once, in the order they are used: DuckDB works through the
  // queries one after another while JavaScript numbers the cells of those already read, instead of
  // each side waiting for the other.
  const query = queryQueue(conn);
  const syRows = readRows(query, 'school_year', ['urn', 'academic_year', 'year_start', 'pupil_group']);
  const ayRows = readRows(query, 'area_year', ['area_type', 'area_code', 'academic_year', 'year_start', 'phase', 'pupil_group']);
  const reasons = readReasons(query);
  const spRows = readRows(query, 'school_period', ['urn', 'pupil_group', 'first_year_start', 'last_year_start']);
  const abRows = readRows(query, 'area_breakdown', ['area_type', 'area_code', 'academic_year', 'year_start', 'phase', 'pupil_group', 'dimension', 'category_code']);
  const phases = query('SELECT urn, phase FROM schools');
  // (All settled before this returns or throws: nothing may still run on the connection.)
  const all = Promise.allSettled([syRows, ayRows, spRows, abRows, phases]);
  let g: CellGraph;
  let sy: Indexed, ay: Indexed, syr: ReasonTable, sp: Indexed, ab: Indexed;
  let phaseOf: Map<string, string>;
  try {
    // Cells are numbered in this order whatever order the queries finish in.
    g = new CellGraph();
    sy = index(g, 'school_year', await syRows);
    ay = index(g, 'area_year', await ayRows);
    syr = await reasons(g);
    sp = index(g, 'school_period', await spRows);
    ab = index(g, 'area_breakdown', await abRows);
    phaseOf = new Map((await phases).getRowObjectsJS().map((r) => [String(r.urn), String(r.phase)]));
  } finally {
    await all;
    await query.idle();
  }

  const cell = (ix: Indexed, i: number, c: string) => ix.ids[i]!.get(c);
  /** A reasons cell (column j of COLUMNS.school_year_reason), or undefined where there is none. */
  const reasonCell = (i: number, j: number) => {
    const id = syr.ids[j]![i]!;
    return id < 0 ? undefined : id;
  };
  const REASON_COLUMNS = COLUMNS.school_year_reason;
  const k = (r: Row, ...names: string[]) => key(...names.map((n) => r.key[n]!));

  // Events follow their pupil count: within a row, and from a school-year (or an area-year) to its reasons.
  for (const ix of [sy, ay, sp, ab]) {
    ix.rows.forEach((_, i) => {
      for (const e of EVENT_COLUMNS) g.follow(cell(ix, i, e), cell(ix, i, 'pupils_suspended'));
    });
  }
  const ayByKey = new Map<string, number>();
  ay.rows.forEach((r, i) => ayByKey.set(k(r, 'area_type', 'area_code', 'academic_year', 'phase', 'pupil_group'), i));
  const reasonsFollow = (ix: Indexed, i: number, parentIx: Indexed, parent: number | undefined) => {
    if (parent === undefined) return;
    g.follow(cell(ix, i, 'suspensions'), cell(parentIx, parent, 'pupils_suspended'));
    g.follow(cell(ix, i, 'permanent_exclusions'), cell(parentIx, parent, 'permanent_exclusions'));
  };
  for (let i = 0; i < syr.n; i++) {
    const parent = syr.parent[i]!;
    if (parent < 0) continue;
    g.follow(reasonCell(i, REASON_COLUMNS.indexOf('suspensions')), cell(sy, parent, 'pupils_suspended'));
    g.follow(reasonCell(i, REASON_COLUMNS.indexOf('permanent_exclusions')), cell(sy, parent, 'permanent_exclusions'));
  }
  /** The area-year a breakdown row breaks down. */
  const abParent = ab.rows.map((r) => ayByKey.get(k(r, 'area_type', 'area_code', 'academic_year', 'phase', 'pupil_group')));
  ab.rows.forEach((r, i) => {
    if (r.key.dimension === 'reason') reasonsFollow(ab, i, ay, abParent[i]);
  });

  /** Sum of the rows' cells of column c equals the total row's (sets A, B, I, M: groups add up). */
  const groupSets = (ix: Indexed, table: TableName, family: (r: Row) => string) => {
    for (const members of groupBy(ix, family).values()) {
      const byGroup = new Map(members.map((i) => [String(ix.rows[i]!.key.pupil_group), i]));
      const total = byGroup.get('All pupils');
      if (total === undefined) continue;
      for (const c of COLUMNS[table]) {
        g.equation(cell(ix, total, c), GROUPS.map((grp) => (byGroup.has(grp) ? cell(ix, byGroup.get(grp)!, c) : undefined)));
      }
    }
  };
  groupSets(sy, 'school_year', (r) => k(r, 'urn', 'academic_year'));
  groupSets(ay, 'area_year', (r) => k(r, 'area_type', 'area_code', 'academic_year', 'phase'));
  // G, the same over the reasons table's numbered families: families in order of their first row,
  // and within one the last row of each group (as the map above keeps it).
  {
    const families = familiesInOrder(syr.gFamily, () => true);
    const byGroup = new Int32Array(5);
    for (const members of families) {
      byGroup.fill(-1);
      for (const i of members) byGroup[syr.group[i]!] = i;
      const total = byGroup[3]!;
      if (total < 0) continue;
      REASON_COLUMNS.forEach((_, j) => {
        g.equation(reasonCell(total, j), GROUPS.map((_, grp) => (byGroup[grp]! >= 0 ? reasonCell(byGroup[grp]!, j) : undefined)));
      });
    }
  }
  groupSets(sp, 'school_period', (r) => k(r, 'urn'));
  groupSets(ab, 'area_breakdown', (r) => k(r, 'area_type', 'area_code', 'academic_year', 'phase', 'dimension', 'category_code'));

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
      g.equation(cell(ay, total, c), (schoolsBy.get(kk) ?? []).map((i) => cell(sy, i, c)));
      if (phase === 'All') g.equation(cell(ay, total, c), (phasesBy.get(key(year, group)) ?? []).map((i) => cell(ay, i, c)));
    }
  }

  // F: before 2020/21 each event has one reason, so reasons add up to the school-year's events.
  // (A family is the school-year's key, so its number is the school-year row; rows without one
  // add nothing.)
  for (const parts of familiesInOrder(syr.parent, (i) => syr.yearStart[i]! < MULTI_REASON_FROM && syr.parent[i]! >= 0)) {
    const parent = syr.parent[parts[0]!]!;
    REASON_COLUMNS.forEach((c, j) => g.equation(cell(sy, parent, c), parts.map((i) => reasonCell(i, j))));
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
    for (const c of COLUMNS.school_period) g.equation(cell(sp, i, c), years.map((j) => cell(sy, j, c)), true);
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
    for (const c of COLUMNS.school_period) g.equation(laYears.map((i) => cell(ay, i, c)), parts.map((i) => cell(sp, i, c)));
  }

  // K: schools' reasons add up to the LA's reasons (all phases); L: a breakdown's categories add
  // up to the area-year they break down. DfE's primary-need rows (group SEND, every pupil with SEN,
  // src/pipeline/dfe/contract.ts) break down no area_year row and are in no set: nothing published
  // adds up to them (DfE rounds to 5, and before 2015/16 School Action pupils had no need recorded),
  // so they are held to the primary rules alone.
  const schoolReasonsBy = new Map<number, number[]>();
  for (let i = 0; i < syr.n; i++) {
    let list = schoolReasonsBy.get(syr.kFamily[i]!);
    if (!list) schoolReasonsBy.set(syr.kFamily[i]!, (list = []));
    list.push(i);
  }
  ab.rows.forEach((r, i) => {
    if (r.key.dimension !== 'reason' || r.key.area_type !== 'LA' || r.key.phase !== 'All') return;
    const family = syr.kFamilyOf.get(k(r, 'academic_year', 'pupil_group', 'category_code'));
    const parts = family === undefined ? [] : (schoolReasonsBy.get(family) ?? []);
    REASON_COLUMNS.forEach((c, j) => g.equation(cell(ab, i, c), parts.map((p) => reasonCell(p, j))));
  });
  for (const parts of groupBy(ab, (r) => k(r, 'area_type', 'area_code', 'academic_year', 'phase', 'pupil_group', 'dimension')).values()) {
    const first = ab.rows[parts[0]!]!;
    const dimension = String(first.key.dimension);
    if (dimension === 'reason' && Number(first.key.year_start) >= MULTI_REASON_FROM) continue;
    const parent = abParent[parts[0]!];
    if (parent === undefined) continue;
    for (const c of ADDITIVE_OVER_CATEGORIES[dimension] ?? []) g.equation(cell(ay, parent, c), parts.map((i) => cell(ab, i, c)));
  }
  // Set N: the FSM breakdown's pupils are the area-year's pupils_fsm, the same pupils counted in two
  // tables, so hiding one and publishing the other hides nothing (found by an outside review).
  ab.rows.forEach((r, i) => {
    if (r.key.dimension !== 'fsm' || r.key.category_code !== 'FSM') return;
    const parent = abParent[i];
    if (parent !== undefined) g.equation(cell(ay, parent, 'pupils_fsm'), [cell(ab, i, 'pupils')]);
  });

  g.freeze();
  // Counts that bound others: a 0 in the first makes the second 0 too (counts are never negative),
  // so a hidden 0 under a published 0 is told, and protects nothing (the audit's boundsOf and
  // Recovery.tell, written apart from this). In a row: pupils suspended and suspensions bound each
  // other, repeat suspensions and sessions lost. A school-year's suspensions and permanent
  // exclusions bound its reasons'; an area-year's events bound its terms' and reasons'. (Not pupils:
  // in a release from DfE's files a group's pupils come from the census and its exclusions from
  // another file, and a school with no pupils in the census can have exclusions.)
  // Only a 0 tells, and only a 0 is told, so only pairs of zeros are kept: each cell's bounds
  // above it in ABOVE slots (three at most: sessions lost under pupils suspended, suspensions and
  // the area-year's), and each cell's below, as CSR ranges, for the last pass.
  const ABOVE = 4;
  const above = new Int32Array(g.value.length * ABOVE).fill(-1);
  const bound = (from: number | undefined, to: number | undefined) => {
    if (from === undefined || to === undefined || g.value[from] !== 0 || g.value[to] !== 0) return;
    for (let k = to * ABOVE; k < (to + 1) * ABOVE; k++) {
      if (above[k] === -1) {
        above[k] = from;
        return;
      }
    }
  };
  const WITHIN: [string, string[]][] = [
    ['pupils_suspended', ['suspensions', 'pupils_repeat_suspended', 'sessions_lost']],
    ['suspensions', ['pupils_suspended', 'pupils_repeat_suspended', 'sessions_lost']]
  ];
  // The same bounds as inequalities, for the ranges (bounds.ts): sum of `small` at most `big`
  // (times `factor`), written straight into typed arrays (hundreds of thousands of them).
  const lin = new LinearBuilder();
  const noMore = (big: number | undefined, small: number | undefined) => {
    if (big !== undefined && small !== undefined) lin.atMost([small], big, 1);
  };
  // What any row keeps, whatever its numbers (a relation its true counts break somewhere, as DfE's
  // census pupils against its exclusions can, is left out for that table): repeat suspensions
  // among the pupils suspended, those two at most the suspensions (two or more each for a repeat),
  // a suspension at least one session, pupils suspended, permanently excluded or on free school
  // meals among the row's pupils, and no pupil suspended for more than 90 sessions (45 school days)
  // in a school year, the legal limit, which a reader may take as given.
  const ROW_BOUNDS: [string[], string, number][] = [
    [['pupils_repeat_suspended'], 'pupils_suspended', 1],
    [['pupils_suspended', 'pupils_repeat_suspended'], 'suspensions', 1],
    [['pupils_suspended'], 'suspensions', 1],
    [['suspensions'], 'sessions_lost', 1],
    [['pupils_suspended'], 'pupils', 1],
    [['permanent_exclusions'], 'pupils', 1],
    [['pupils_fsm'], 'pupils', 1],
    [['sessions_lost'], 'pupils_suspended', 90]
  ];
  for (const ix of [sy, ay, sp, ab]) {
    ix.rows.forEach((_, i) => {
      for (const [from, tos] of WITHIN) for (const to of tos) bound(cell(ix, i, from), cell(ix, i, to));
    });
    for (const [small, big, factor] of ROW_BOUNDS) {
      const cellsOf = (i: number) => {
        const b = cell(ix, i, big);
        const s = small.map((c) => cell(ix, i, c));
        return b === undefined || s.some((c) => c === undefined) ? null : { b, s: s as number[] };
      };
      let holds = true;
      for (let i = 0; i < ix.rows.length && holds; i++) {
        const c = cellsOf(i);
        if (!c) continue;
        let total = 0;
        for (const x of c.s) total += g.value[x]!;
        if (total > factor * g.value[c.b]!) holds = false;
      }
      if (!holds) continue;
      for (let i = 0; i < ix.rows.length; i++) {
        const c = cellsOf(i);
        if (c) lin.atMost(c.s, c.b, factor);
      }
    }
  }
  for (let i = 0; i < syr.n; i++) {
    const parent = syr.parent[i]!;
    if (parent < 0) continue;
    REASON_COLUMNS.forEach((c, j) => {
      bound(cell(sy, parent, c), reasonCell(i, j));
      noMore(cell(sy, parent, c), reasonCell(i, j));
    });
  }
  ab.rows.forEach((r, i) => {
    const parent = abParent[i];
    if (parent === undefined || (r.key.dimension !== 'term' && r.key.dimension !== 'reason')) return;
    for (const c of ['suspensions', 'permanent_exclusions', 'pupils_suspended', 'sessions_lost']) {
      bound(cell(ay, parent, c), cell(ab, i, c));
      noMore(cell(ay, parent, c), cell(ab, i, c));
    }
  });

  const below = csr(g.value.length, above, (k) => Math.floor(k / ABOVE), above.length);

  // Pupil-count equations are settled before event-count ones, so that an event count is
  // suppressed because its pupils are (and labelled so) rather than picked on its own.
  const pupilQueue: number[] = [];
  const eventQueue: number[] = [];
  const eventColumn = COLUMN_CODES.map((c) => EVENT_COLUMNS.has(c));
  const isEventEquation = Uint8Array.from({ length: g.equationCount }, (_, e) => (eventColumn[g.whereColumn[g.eqCells[g.eqStart[e]!]!]!]! ? 1 : 0));
  const enqueue = (eq: number) => (isEventEquation[eq] ? eventQueue : pupilQueue).push(eq);
  // Zeros with a zero above them may be told (told(), below); the rest never are. Each equation
  // counts its suppressed cells that may be, so that most equations are judged without a scan.
  const mayBeTold = new Uint8Array(g.value.length);
  for (let id = 0; id < g.value.length; id++) if (above[id * ABOVE]! >= 0) mayBeTold[id] = 1;
  const eqMayBeTold = new Int32Array(g.equationCount);
  const mark = (id: number, rule: number): boolean => {
    if (g.suppressed[id]) return false;
    g.suppressed[id] = 1;
    g.rule[id] = rule;
    for (let k = g.equationsOfStart[id]!; k < g.equationsOfStart[id + 1]!; k++) {
      const eq = g.equationsOfList[k]!;
      g.eqSuppressed[eq]!++;
      if (mayBeTold[id]) eqMayBeTold[eq]!++;
      enqueue(eq);
    }
    return true;
  };
  const FOLLOWS = RULE_CODE.follows_pupils;
  /** Suppress cells under one rule, then the event counts that follow them. */
  const suppress = (ids: readonly (number | undefined)[], rule: number) => {
    const fresh: number[] = [];
    for (const id of ids) if (id !== undefined && mark(id, rule)) fresh.push(id);
    for (const id of fresh) {
      const followers: number[] = [];
      for (let k = g.followersStart[id]!; k < g.followersStart[id + 1]!; k++) {
        const f = g.followersList[k]!;
        if (!g.suppressed[f]) followers.push(f);
      }
      if (followers.length > 0) suppress(followers, FOLLOWS);
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
        suppress(all, RULE_CODE.small_group);
        return;
      }
      suppress(smallCounts(r).filter((c) => small(r.cells[c]!)).map((c) => cell(ix, i, c)), RULE_CODE.small_count);
      suppress(COLUMNS[table].filter((c) => Number.isNaN(r.cells[c]!) && !r.notApplicable.has(c)).map((c) => cell(ix, i, c)), RULE_CODE.source);
    });
  };
  const pupilCounts = (table: TableName) => COLUMNS[table].filter((c) => PUPIL_COUNTS.has(c));
  primary(sy, 'school_year', () => pupilCounts('school_year'), (r) => smallGroup(r.cells.pupils));
  primary(ay, 'area_year', () => pupilCounts('area_year'), (r) => smallGroup(r.cells.pupils));
  // The reasons table: every count is held to the small-count rule; it has no group size of its own.
  for (let i = 0; i < syr.n; i++) {
    const smallIds: (number | undefined)[] = [];
    const sourceIds: (number | undefined)[] = [];
    REASON_COLUMNS.forEach((_, j) => {
      const v = syr.values[j]![i]!;
      if (small(v)) smallIds.push(reasonCell(i, j));
      if (Number.isNaN(v) && !syr.notApplicable[j]![i]) sourceIds.push(reasonCell(i, j));
    });
    suppress(smallIds, RULE_CODE.small_count);
    suppress(sourceIds, RULE_CODE.source);
  }
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
  for (let eq = 0; eq < g.equationCount; eq++) enqueue(eq);
  /** A 0 that published zeros tell (through hidden told zeros too, a few steps deep). */
  const told = (id: number, depth = 0): boolean => {
    if (!mayBeTold[id] || depth > 6) return false;
    // (`above` holds only cells whose value is 0; its slots end at the first -1.)
    for (let k = id * ABOVE; k < (id + 1) * ABOVE && above[k]! >= 0; k++) {
      const d = above[k]!;
      if (!g.suppressed[d] || told(d, depth + 1)) return true;
    }
    return false;
  };
  /**
   * Suppressed cells of equation eq that hide anything: a told 0 counts as published. (Without a
   * suppressed cell that may be told, the plain count; `eqMayBeTold` only ever overcounts once the
   * last pass publishes cells again, which only costs a scan.)
   */
  const hiddenIn = (eq: number, enough = Infinity): number => {
    if (eqMayBeTold[eq] === 0) return g.eqSuppressed[eq]!;
    let n = 0;
    for (let k = g.eqStart[eq]!; k < g.eqStart[eq + 1]! && n < enough; k++) {
      const p = g.eqCells[k]!;
      if (g.suppressed[p] && !(mayBeTold[p] && told(p))) n++;
    }
    return n;
  };
  /** A told 0 and the published zeros above it that tell it: hidden together, they tell nothing. */
  const withTellers = (id: number): number[] => {
    const seen = [id];
    for (let i = 0; i < seen.length; i++) {
      for (let k = seen[i]! * ABOVE; k < (seen[i]! + 1) * ABOVE && above[k]! >= 0; k++) {
        const d = above[k]!;
        if (!seen.includes(d) && (!g.suppressed[d] || told(d))) seen.push(d);
      }
    }
    return seen.filter((c) => !g.suppressed[c]);
  };
  /**
   * The unsuppressed cell of smallest value among eqCells[from, to), the first of equals; -1 if
   * none. `pass` 0 takes counts of 1 or more only; 1 also zeros no published 0 tells; 2 any 0.
   * Zeros come last because a hidden 0 under a published 0 is told and protects nothing (no pupils
   * suspended in the row, no suspensions in the group's year for its reasons or terms); a told one
   * is taken only with the zeros that tell it (DISCLOSURE.md, "Secondary suppression": told zeros;
   * the audit tells them apart on its own).
   */
  const smallest = (from: number, to: number, pass: number) => {
    let best = -1;
    for (let k = from; k < to; k++) {
      const p = g.eqCells[k]!;
      if (g.suppressed[p] || (pass === 0 && !(g.value[p]! > 0)) || (pass === 1 && told(p))) continue;
      if (best === -1 || g.value[p]! < g.value[best]!) best = p;
    }
    return best;
  };
  /** Suppress one more cell of equation eq, as the rules order them; false when none is left. */
  const protect = (eq: number): boolean => {
    const start = g.eqStart[eq]!;
    const mid = start + g.eqTotals[eq]!;
    const end = g.eqStart[eq + 1]!;
    const [first, second] = g.eqPreferTotal[eq] ? [[start, mid], [mid, end]] : [[mid, end], [start, mid]];
    let best = -1;
    let pass = 0;
    for (; pass < 3; pass++) {
      for (const [from, to] of [first!, second!]) if (best === -1) best = smallest(from!, to!, pass);
      if (best !== -1) break;
    }
    if (best === -1) return false;
    const ids = pass === 2 ? withTellers(best) : [best];
    suppress(ids, RULE_CODE.secondary);
    secondaryOrder.push(...ids);
    return true;
  };
  /** No equation left with exactly one suppressed cell that hides anything. */
  const settle = () => {
    while (pupilQueue.length > 0 || eventQueue.length > 0) {
      const eq = pupilQueue.length > 0 ? pupilQueue.pop()! : eventQueue.pop()!;
      if (g.eqSuppressed[eq] === 0 || hiddenIn(eq, 2) !== 1) continue;
      protect(eq);
    }
  };
  settle();

  const zeros = {
    hiddenIn,
    told,
    tellsHidden: (id: number) => {
      for (let k = below.start[id]!; k < below.start[id + 1]!; k++) if (g.suppressed[below.list[k]!]) return true;
      return false;
    }
  };
  minimise(g, secondaryOrder, zeros);
  const system = lin.withEquations(g);
  const givenAwayByRanges = (r: Ranges) => {
    const found: number[] = [];
    for (let id = 0; id < g.value.length; id++) if (g.suppressed[id] && givesAway(r.lo[id]!, r.hi[id]!, config.min_count)) found.push(id);
    return found;
  };
  let ranges = protectUntilNone(g, system, new Ranges(g.suppressed, g.value, system), givenAwayByRanges, protect, settle);
  // The cells the ranges made necessary can make earlier ones unnecessary: a last pass publishes
  // again each secondary cell that neither an equation nor the ranges need (newest first).
  minimise(g, secondaryOrder, { ...zeros, safe: (cells) => ranges.tryPublish(cells, config.min_count, true) });
  // Then each school's rows as a linear program (linear.ts), one more cell suppressed for each
  // count it still finds given away, until it finds none. Suppressing more only widens ranges, so
  // nothing the steps before settled comes undone; only the schools with a finding are solved again.
  const school = new Int32Array(g.value.length).fill(-1);
  const schoolOf = new Map<string, number>();
  /** Every cell of a table's rows into the program its row is of, by name (numbered as first met). */
  const byProgram = (ix: Indexed, name: (r: Row) => string) => {
    ix.rows.forEach((r, i) => {
      const key = name(r);
      let sc = schoolOf.get(key);
      if (sc === undefined) schoolOf.set(key, (sc = schoolOf.size));
      for (const id of ix.ids[i]!.values()) school[id] = sc;
    });
  };
  for (const ix of [sy, sp]) byProgram(ix, (r) => String(r.key.urn));
  // A reason row's school is its school-year row's.
  for (let i = 0; i < syr.n; i++) {
    const parent = syr.parent[i]!;
    if (parent < 0) continue;
    const sc = schoolOf.get(String(sy.rows[parent]!.key.urn))!;
    for (const ids of syr.ids) if (ids[i]! >= 0) school[ids[i]!] = sc;
  }
  // And each area's tables a year at a time (area_year and area_breakdown: the LA's rows of a
  // year, its phases, groups and breakdowns, bound the same way a school's are): on extracts of 10
  // to 20 schools, where the LA's counts are small too, these worked out counts that the ranges
  // and the schools' programs left (linear.ts takes any grouping of cells).
  for (const ix of opts.areaPrograms === false ? [] : [ay, ab]) {
    byProgram(ix, (r) => `area ${String(r.key.area_type)} ${String(r.key.area_code)} ${String(r.key.academic_year)}`);
  }
  const programs = await schoolPrograms({ hidden: g.suppressed, value: g.value, lin: system, school, minCount: config.min_count });
  const fromHere = secondaryOrder.length;
  // (After a round, only the schools that had a finding can have one: suppressing only widens.)
  let only: Set<number> | undefined;
  ranges = protectUntilNone(g, system, ranges, (r) => {
    const found = programs.givenAway(r.lo, r.hi, only);
    only = new Set(found.map((id) => school[id]!));
    return found;
  }, protect, settle);
  // Then the last pass again, over every secondary cell (newest first): what those cells protect
  // can leave earlier ones unneeded. A cell is published again where no equation, range or
  // program needs it: the programs of the schools whose cells it publishes or narrows.
  if (secondaryOrder.length > fromHere) {
    const schoolsOf = (cells: readonly number[]) => new Set(cells.map((c) => school[c]!).filter((sc) => sc >= 0));
    // The schools of the cells themselves first: most cells tried are still needed, and that is
    // where it shows (then the first finding ends it).
    const programsSafe = (cells: number[]) => (narrowed: readonly number[]) => {
      const own = schoolsOf(cells);
      if (programs.givenAway(ranges.lo, ranges.hi, own, true).length > 0) return false;
      const others = [...schoolsOf(narrowed)].filter((sc) => !own.has(sc));
      return programs.givenAway(ranges.lo, ranges.hi, others, true).length === 0;
    };
    minimise(g, secondaryOrder, { ...zeros, safe: (cells) => ranges.tryPublish(cells, config.min_count, true, programsSafe(cells)) });
  }
  await writeBack(conn, g);

  const counts: Record<SuppressionRule, number> = { small_count: 0, small_group: 0, follows_pupils: 0, secondary: 0, source: 0 };
  let published = 0;
  for (let i = 0; i < g.value.length; i++) {
    const r = g.rule[i]!;
    if (r) counts[RULE_CODES[r - 1]!]++;
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
 * Equations one at a time cannot see everything a reader can: an outside review combined them
 * (two hidden cells adding up to 0 are both 0, and the cells beside them follow) and worked out
 * small counts the single-equation rule had left protected. So, to a fixed point, for the counts
 * `find` says are given away (by the ranges every suppressed count can still take across all
 * equations and bounds, bounds.ts, or by the schools' linear programs, linear.ts): suppress one
 * more cell in the equation of each with the least room left, settle the equations again, and work
 * the ranges out again. Returns the ranges at the end. (Nothing left to suppress around a count
 * ends it too: the audit names that count.)
 */
function protectUntilNone(
  g: CellGraph,
  lin: Linear,
  ranges: Ranges,
  find: (ranges: Ranges) => number[],
  protect: (eq: number) => boolean,
  settle: () => void
): Ranges {
  for (let round = 0; round < 1000; round++) {
    let changed = false;
    for (const id of find(ranges)) if (protectCell(g, id, ranges, protect)) changed = true;
    if (!changed) return ranges;
    settle();
    ranges = new Ranges(g.suppressed, g.value, lin);
  }
  return ranges;
}

/**
 * One more cell suppressed for a count given away: in its equation whose other hidden cells have
 * the least room (the one pinning it), or the next that has a cell to give. (Ranges are not worked
 * out again after each: what that over-protects, the last pass publishes again.)
 */
function protectCell(g: CellGraph, id: number, { lo, hi }: Ranges, protect: (eq: number) => boolean): boolean {
  const eqs: { eq: number; room: number }[] = [];
  for (let k = g.equationsOfStart[id]!; k < g.equationsOfStart[id + 1]!; k++) {
    const eq = g.equationsOfList[k]!;
    let room = 0;
    for (let j = g.eqStart[eq]!; j < g.eqStart[eq + 1]!; j++) {
      const c = g.eqCells[j]!;
      if (c !== id && g.suppressed[c]) room += hi[c]! - lo[c]!;
    }
    eqs.push({ eq, room });
  }
  eqs.sort((a, b) => (a.room === b.room ? 0 : a.room < b.room ? -1 : 1));
  return eqs.some(({ eq }) => protect(eq));
}

/** Signed linear constraints (bounds.ts's `Linear`), built in growable typed arrays. */
class LinearBuilder {
  private readonly cells = new Column(Int32Array);
  private readonly signs = new Column(Int32Array);
  private readonly start = new Column(Int32Array).push(0);
  private readonly equal = new Column(Int32Array);

  /** The sum of `small` at most `factor` times `big`. */
  atMost(small: readonly number[], big: number, factor: number): void {
    for (const c of small) {
      this.cells.push(c);
      this.signs.push(1);
    }
    this.cells.push(big);
    this.signs.push(-factor);
    this.start.push(this.cells.length);
    this.equal.push(0);
  }

  /** The bounds so far and the graph's equations (totals = parts), as one system. */
  withEquations(g: CellGraph): Linear {
    for (let eq = 0; eq < g.equationCount; eq++) {
      const mid = g.eqStart[eq]! + g.eqTotals[eq]!;
      for (let j = g.eqStart[eq]!; j < g.eqStart[eq + 1]!; j++) {
        this.cells.push(g.eqCells[j]!);
        this.signs.push(j < mid ? -1 : 1);
      }
      this.start.push(this.cells.length);
      this.equal.push(1);
    }
    return { cells: this.cells.done(), signs: this.signs.done(), start: this.start.done(), equal: this.equal.done() };
  }
}

/**
 * Rows grouped by a numbered family (`family[i]`), families in the order of their first row and
 * rows in table order; only rows where `include(i)`. What `groupBy` gives, for numbered keys.
 */
function familiesInOrder(family: readonly number[], include: (i: number) => boolean): number[][] {
  const at = new Map<number, number[]>();
  const out: number[][] = [];
  for (let i = 0; i < family.length; i++) {
    if (!include(i)) continue;
    let list = at.get(family[i]!);
    if (!list) {
      at.set(family[i]!, (list = []));
      out.push(list);
    }
    list.push(i);
  }
  return out;
}

/**
 * Suppress what must be, no more: a cell suppressed early to protect one equation can become
 * unnecessary once later choices put a second suppressed cell in every equation it protects. Walk
 * the secondary choices newest first and publish each one again (with the event counts that only
 * followed it) when every equation it touches still keeps zero or at least two suppressed cells.
 */
function minimise(
  g: CellGraph,
  order: number[],
  zeros: {
    hiddenIn: (eq: number, enough?: number) => number;
    told: (id: number) => boolean;
    tellsHidden: (id: number) => boolean;
    /** Asked last, and it publishes the cells in its own reckoning when it says yes (the ranges). */
    safe?: (cells: number[]) => boolean;
  }
): void {
  const FOLLOWS = RULE_CODE.follows_pupils;
  /**
   * Publish `cells` again if no equation they touch would be left with exactly one suppressed cell
   * that hides anything (a told 0 counts as published), and none of them is a 0 that would tell a
   * suppressed cell.
   */
  const tryPublish = (cells: number[]): boolean => {
    if (cells.some((c) => zeros.tellsHidden(c))) return false;
    const delta = new Map<number, number>();
    const hiding = new Map<number, number>();
    for (const cellId of cells) {
      const counts = !zeros.told(cellId);
      for (let k = g.equationsOfStart[cellId]!; k < g.equationsOfStart[cellId + 1]!; k++) {
        const eq = g.equationsOfList[k]!;
        delta.set(eq, (delta.get(eq) ?? 0) + 1);
        if (counts) hiding.set(eq, (hiding.get(eq) ?? 0) + 1);
      }
    }
    for (const [eq, d] of hiding) if (zeros.hiddenIn(eq, d + 2) - d === 1) return false;
    if (zeros.safe && !zeros.safe(cells)) return false;
    for (const cellId of cells) {
      g.suppressed[cellId] = 0;
      g.rule[cellId] = 0;
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
    const followers: number[] = [];
    for (let j = g.followersStart[c]!; j < g.followersStart[c + 1]!; j++) {
      const f = g.followersList[j]!;
      if (g.rule[f] === FOLLOWS) followers.push(f);
    }
    if (tryPublish([c, ...followers])) continue;
    // The pupil count alone may be publishable while its events still protect other cells: the
    // events then stay suppressed in their own right, each if it is still needed.
    if (followers.length > 0 && tryPublish([c])) {
      for (const f of followers) if (!tryPublish([f])) g.rule[f] = RULE_CODE.secondary;
    }
  }
}

/**
 * NULL plus a `c` flag for every suppressed cell: the decisions go to DuckDB as one row per table
 * row (its rowid and a bit per count column), and one UPDATE per table applies them.
 */
async function writeBack(conn: DuckDBConnection, g: CellGraph): Promise<void> {
  const SOURCE = RULE_CODE.source;
  const masks = TABLE_CODES.map(() => new Map<number, number>());
  const bit = TABLE_CODES.map((t) => COLUMN_CODES.map((c) => COLUMNS[t].indexOf(c)));
  for (let i = 0; i < g.value.length; i++) {
    // A source's own NULL keeps the source's flag (x, z ...); only our decisions get `c`.
    if (!g.suppressed[i] || g.rule[i] === SOURCE) continue;
    const t = g.whereTable[i]!;
    const m = masks[t]!;
    const row = g.whereRow[i]!;
    m.set(row, (m.get(row) ?? 0) | (1 << bit[t]![g.whereColumn[i]!]!));
  }
  await conn.run('CREATE OR REPLACE TEMP TABLE suppressed_cells (rid INTEGER, mask INTEGER)');
  for (const [t, table] of TABLE_CODES.entries()) {
    const m = masks[t]!;
    if (m.size === 0) continue;
    await conn.run('DELETE FROM suppressed_cells');
    const appender = await conn.createAppender('suppressed_cells');
    const rids = [...m.keys()];
    const bits = [...m.values()];
    const size = DuckDBVector.standardSize();
    for (let at = 0; at < rids.length; at += size) {
      const end = Math.min(rids.length, at + size);
      const chunk = DuckDBDataChunk.create([INTEGER, INTEGER], end - at);
      chunk.setColumnValues(0, rids.slice(at, end));
      chunk.setColumnValues(1, bits.slice(at, end));
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
    const set = COLUMNS[table]
      .flatMap((c, b) => [
        `"${c}" = CASE WHEN s.mask & ${1 << b} <> 0 THEN NULL ELSE "${c}" END`,
        `"${c}_flag" = CASE WHEN s.mask & ${1 << b} <> 0 THEN 'c' ELSE "${c}_flag" END`
      ])
      .join(', ');
    await conn.run(`UPDATE "${table}" SET ${set} FROM suppressed_cells s WHERE "${table}".rowid = s.rid`);
  }
  await conn.run('DROP TABLE suppressed_cells');
}
