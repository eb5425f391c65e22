/**
 * Maps a DfE import (import.ts) into the data contract's tables (src/lib/data/schema.ts) for one
 * local authority, in native DuckDB, ready for disclosure control and publishing like any other
 * release.
 *
 * Decisions (data/SCHEMA.md, "Built from DfE's published data", says the same for readers):
 * - Schools are the LA's rows of the school-level file, given URNs and names by the register (the
 *   entry for the same LAESTAB in that year, else the latest before it, else the earliest after).
 *   A school-level row the register cannot place is left out of the school tables and listed in
 *   the build summary; the LA's own row still counts it.
 * - DfE publishes school-level exclusions for all pupils only. Each school-year still has the three
 *   SEN group rows, as the contract promises: their pupils come from the school census of the same
 *   year when one was imported (No SEN = pupils on roll minus EHC plan minus SEN support), and their
 *   exclusion counts are `x`, not available. The school views read this as "no SEN split" and fall
 *   back to all pupils with the census SEN make-up as context.
 * - Flags: what DfE withheld (`c`, and `x` in the SFR-era files, where it meant 1 or 2 pupils) is
 *   `c`, suppressed by its source; not available (`x` in EES, `:`, `u`, `NA`, `NULL`, empty) is `x`;
 *   `z` and `.` are `z`; `low` is `low`. A weighted count that is not a whole number (the late
 *   2000s) cannot be a count of the contract, which holds whole numbers, and is not rounded into
 *   one: it is `x` here, kept to its decimals in the import and the consistency report.
 * - Areas: England, the LA's region, the LA and any configured neighbours come from the national,
 *   regional and LA file when it is there (exact counts), else from the school-level file's LA and
 *   National rows (rounded to 5); SEN provision groups for England from the characteristic file.
 *   DfE's groups need not add up to All pupils (`Unclassified` pupils, rounding). Groups no file
 *   gives are rows of `x`, so a page says "not available" rather than nothing.
 * - SEN primary need (the characteristic file's `SEN primary need` rows) goes to `area_breakdown`,
 *   dimension `need`, for England, in every year and phase the file gives (DfE's file is England
 *   only, by school type; rows of other areas are left out and noted, as no page reads them). DfE counts every pupil with SEN together there (statement or EHC plan and SEN
 *   support alike), so the rows' pupil group is `SEND`, a group of this dimension only: they are
 *   not the contract's per-group need rows and are never split into them. They add up to no
 *   published row (the area_year groups are EHC plan and SEN support apart, DfE rounds each figure
 *   to 5, and before 2015/16 pupils at School Action had no primary need recorded), so disclosure
 *   control sees no additive set among them. Behavioural, emotional and social difficulties (BESD,
 *   to 2013/14) keeps its own code beside social, emotional and mental health (SEMH, from
 *   2014/15): a changed definition, not a renamed one.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { createTableSql, TABLES, type TableName } from '../../lib/data/schema';
import { InputError } from '../errors';
import { PRIMARY_NEEDS } from '../codes';
import type { AreaExclusion, AreaLevel, CensusSchool, DfeImport, ImportGroup, NeedExclusion, SchoolExclusion } from './import';
import { registerIndex } from './import';
import { ENGLISH_REGIONS } from './la';
import { yearLabel, type ContractFlag, type DfeNumber } from './values';

export interface DfeBuildOptions {
  /** The 3-digit code of the LA the release is about; may be left out when the school-level file has one LA. */
  la?: string;
  /** 3-digit codes of statistical neighbours; null or empty: none (DfE's files do not say which LAs are alike). */
  neighbours: string[] | null;
}

export interface DfeBuildResult {
  la: { code: string; name: string; region: string };
  neighbours: { code: string; name: string }[];
  /** What the summary reports: weighted counts withheld, schools the register could not place, census years unused. */
  notes: string[];
  /** Schools published, by URN, with the rows they came from (for the consistency checks). */
  schoolRows: SchoolExclusion[];
  /** Area rows used, after choosing between files. */
  areaRows: AreaExclusion[];
}

type Cell = { value: number | null; flag: ContractFlag | null };
const GROUPS: ImportGroup[] = ['EHC plan', 'SEN support', 'No SEN', 'All pupils'];
const X: Cell = { value: null, flag: 'x' };

/** A DfE number as a contract count: whole numbers only (see the header on weighted counts). */
function cell(n: DfeNumber | null | undefined, weighted?: { n: number }): Cell {
  if (!n) return X;
  if (n.value === null) return { value: null, flag: n.flag ?? 'x' };
  if (!Number.isInteger(n.value)) {
    if (weighted) weighted.n++;
    return X;
  }
  return { value: n.value, flag: null };
}

/** The pupil group of DfE's primary-need rows: every pupil with SEN, whatever their provision (data/SCHEMA.md). */
export const NEED_GROUP = 'SEND';

/** A need code's words: the contract's (src/pipeline/codes.ts), and BESD, which only DfE's older files have. */
export const DFE_NEED_NAMES: Record<string, string> = {
  ...PRIMARY_NEEDS,
  NSA: 'No specialist assessment of type of need',
  BESD: 'Behavioural, emotional and social difficulties'
};

const PRIORITY: Record<string, number> = { 'area-exclusions': 0, 'characteristic-exclusions': 1, 'school-exclusions': 2 };

export async function buildFromDfe(conn: DuckDBConnection, imp: DfeImport, opts: DfeBuildOptions): Promise<DfeBuildResult> {
  const notes: string[] = [];
  const schoolLas = [...new Set(imp.schools.map((s) => s.la))].sort();
  let laCode = opts.la;
  if (!laCode) {
    if (schoolLas.length !== 1) {
      throw new InputError([
        {
          file: '--la',
          line: 0,
          column: '',
          value: '',
          expected: `the LA to build for, with --la CODE (the school-level files hold ${schoolLas.length === 0 ? 'no schools' : `schools of ${schoolLas.length} LAs: ${schoolLas.join(', ')}`})`
        }
      ]);
    }
    laCode = schoolLas[0]!;
  }
  const resolved = imp.las.resolve(laCode);
  const laId = resolved ? imp.las.get(resolved) : undefined;
  if (!laId) {
    throw new InputError([{ file: '--la', line: 0, column: '', value: laCode, expected: `an LA the imported files have (${imp.las.all().map((l) => l.code).join(', ')})` }]);
  }
  const regionCode = laId.region?.code ?? '';
  const regionName = laId.region?.name || imp.laRegions.get(laId.code)?.region || '';
  if (!regionName) notes.push(`no region known for LA ${laId.code}: no region comparator`);
  const la = { code: laId.code, name: laId.name, region: regionName };

  // ---- Schools.
  const lookup = registerIndex(imp.register);
  const weighted = { n: 0 };
  const unplaced = new Set<string>();
  const trimmedNames = new Set<string>();
  const bySchoolYear = new Map<string, SchoolExclusion & { urn: string; name: string }>();
  for (const s of imp.schools) {
    if (s.la !== la.code) continue;
    const reg = s.urn ? null : lookup(s.laestab, s.yearStart);
    const urn = s.urn ?? reg?.urn ?? null;
    // A register name can carry the school's address, postcode included ("..., Greenacre, EX33 ...");
    // a postcode must never be published, so it and anything after it go.
    const rawName = s.name ?? reg?.name ?? null;
    const name = rawName === null ? null : rawName.replace(/,?\s*[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2}\b.*$/i, '').trim() || rawName;
    if (rawName !== null && name !== rawName) trimmedNames.add(s.laestab);
    if (!urn || !name) {
      unplaced.add(s.laestab);
      continue;
    }
    const k = `${urn}\u0001${s.yearStart}`;
    if (bySchoolYear.has(k)) {
      notes.push(`${s.file}:${s.line}: LAESTAB ${s.laestab} gives URN ${urn} for ${yearLabel(s.yearStart)}, which another row already has: left out`);
      continue;
    }
    bySchoolYear.set(k, { ...s, urn, name });
  }
  if (unplaced.size > 0) notes.push(`${unplaced.size} LAESTAB${unplaced.size === 1 ? '' : 's'} of LA ${la.code} not in the register lookup, left out of the school tables: ${[...unplaced].slice(0, 10).join(', ')}${unplaced.size > 10 ? ', ...' : ''}`);
  if (trimmedNames.size > 0) notes.push(`${trimmedNames.size} school name${trimmedNames.size === 1 ? '' : 's'} in the register carried a postcode, removed: ${[...trimmedNames].slice(0, 10).join(', ')}`);
  const schoolRows = [...bySchoolYear.values()].sort((a, b) => a.urn.localeCompare(b.urn) || a.yearStart - b.yearStart);
  const years = [...new Set(schoolRows.map((s) => s.yearStart))].sort((a, b) => a - b);
  const latest = years.at(-1);

  const schools = new Map<string, Record<string, unknown>>();
  for (const s of schoolRows) {
    const t = s.academyType.toLowerCase();
    const type = t === 'total' || t === '' ? 'Maintained' : /free|utc|studio/.test(t) ? 'Free school' : /academy/.test(t) ? 'Academy' : 'Maintained';
    schools.set(s.urn, {
      urn: s.urn,
      laestab: s.laestab,
      name: s.name,
      la_code: la.code,
      la_name: la.name,
      region: la.region,
      phase: s.phase ?? 'Primary',
      type: s.phase === 'Alternative provision' && type === 'Maintained' ? 'Pupil referral unit' : type,
      status: s.yearStart === latest ? 'Open' : 'Closed',
      trust: null
    });
  }

  // ---- Census SEN counts, by URN and year.
  const census = new Map<string, CensusSchool>();
  for (const c of imp.census) census.set(`${c.urn}\u0001${c.yearStart}`, c);
  const censusYears = [...new Set(imp.census.map((c) => c.yearStart))];
  for (const y of censusYears) {
    if (!years.includes(y)) notes.push(`the school census for ${yearLabel(y)} matches no year of the school-level exclusions (${years.map(yearLabel).join(', ') || 'none'}): its SEN counts are not used`);
  }

  const schoolYear: Record<string, unknown>[] = [];
  for (const s of schoolRows) {
    const c = census.get(`${s.urn}\u0001${s.yearStart}`);
    const nor = cell(c?.nor);
    const ehc = cell(c?.ehc);
    const sup = cell(c?.senSupport);
    const noSen: Cell = nor.value !== null && ehc.value !== null && sup.value !== null && nor.value - ehc.value - sup.value >= 0 ? { value: nor.value - ehc.value - sup.value, flag: null } : X;
    const groupPupils: Record<string, Cell> = { 'EHC plan': ehc, 'SEN support': sup, 'No SEN': noSen };
    for (const g of GROUPS) {
      const base = { urn: s.urn, academic_year: yearLabel(s.yearStart), year_start: s.yearStart, pupil_group: g };
      if (g === 'All pupils') {
        schoolYear.push({
          ...base,
          ...cols('pupils', cell(s.pupils, weighted)),
          ...cols('suspensions', cell(s.susp, weighted)),
          ...cols('pupils_suspended', cell(s.onePlus, weighted)),
          ...cols('pupils_repeat_suspended', X),
          ...cols('permanent_exclusions', cell(s.perm, weighted)),
          ...cols('sessions_lost', X),
          ...cols('pupils_fsm', cell(c?.fsm))
        });
      } else {
        schoolYear.push({
          ...base,
          ...cols('pupils', groupPupils[g]!),
          ...['suspensions', 'pupils_suspended', 'pupils_repeat_suspended', 'permanent_exclusions', 'sessions_lost', 'pupils_fsm'].reduce((o, k) => ({ ...o, ...cols(k, X) }), {})
        });
      }
    }
  }
  if (weighted.n > 0) notes.push(`${weighted.n} weighted count${weighted.n === 1 ? '' : 's'} (not whole numbers, as DfE published for the late 2000s) published as x: the contract's counts are whole numbers, and they are not rounded`);

  // ---- Areas: pick, for each area, year, phase and group, the row of the most exact file.
  const neighbourCodes = (opts.neighbours ?? []).map((c) => imp.las.resolve(c) ?? c);
  const wanted = (a: { level: AreaLevel; code: string }) =>
    a.level === 'England' || (a.level === 'Region' && a.code === regionCode) || (a.level === 'LA' && (a.code === la.code || neighbourCodes.includes(a.code)));
  const chosen = new Map<string, AreaExclusion>();
  for (const a of imp.areas) {
    if (!wanted(a) || a.group === 'Unclassified') continue;
    const k = [a.level, a.code, a.yearStart, a.phase, a.group].join('\u0001');
    const prev = chosen.get(k);
    if (!prev || PRIORITY[a.from]! < PRIORITY[prev.from]!) chosen.set(k, a);
  }
  const areaRows = [...chosen.values()];
  const areaYear: Record<string, unknown>[] = [];
  const frames = new Map<string, { type: string; code: string; name: string; year: number; phase: string }>();
  /** An area's contract identity: its area_type (the LA, or a neighbour) and its name. */
  const areaOf = (level: AreaLevel, code: string, fallback: string) => ({
    type: level === 'LA' ? (code === la.code ? 'LA' : 'Neighbour') : level,
    name: level === 'LA' ? (imp.las.get(code)?.name ?? fallback) : level === 'Region' ? (ENGLISH_REGIONS[code] ?? fallback) : level === 'England' ? 'England' : fallback
  });
  for (const a of areaRows) {
    const { type, name } = areaOf(a.level, a.code, a.name);
    frames.set([type, a.code, a.yearStart, a.phase].join('\u0001'), { type, code: a.code, name, year: a.yearStart, phase: a.phase });
  }
  for (const f of frames.values()) {
    for (const g of GROUPS) {
      const level = f.type === 'LA' || f.type === 'Neighbour' ? 'LA' : f.type;
      const a = chosen.get([level, f.code, f.year, f.phase, g].join('\u0001'));
      areaYear.push({
        area_type: f.type,
        area_code: f.code,
        area_name: f.name,
        academic_year: yearLabel(f.year),
        year_start: f.year,
        phase: f.phase,
        pupil_group: g,
        ...cols('pupils', a ? cell(a.pupils) : X),
        ...cols('suspensions', a ? cell(a.susp) : X),
        ...cols('pupils_suspended', a ? cell(a.onePlus) : X),
        ...cols('pupils_repeat_suspended', X),
        ...cols('permanent_exclusions', a ? cell(a.perm) : X),
        ...cols('sessions_lost', X),
        ...cols('pupils_fsm', X),
        source: a ? `DfE: ${a.file}` : 'DfE: not published'
      });
    }
  }
  const typeOrder: Record<string, number> = { LA: 0, England: 1, Region: 2, Neighbour: 3 };
  const phaseOrder: Record<string, number> = { All: 0, Primary: 1, Secondary: 2, Special: 3, 'Alternative provision': 4 };
  areaYear.sort(
    (p, q) =>
      typeOrder[p.area_type as string]! - typeOrder[q.area_type as string]! ||
      String(p.area_code).localeCompare(String(q.area_code)) ||
      Number(p.year_start) - Number(q.year_start) ||
      phaseOrder[p.phase as string]! - phaseOrder[q.phase as string]! ||
      GROUPS.indexOf(p.pupil_group as ImportGroup) - GROUPS.indexOf(q.pupil_group as ImportGroup)
  );

  for (const t of ['schools', 'school_year', 'school_year_reason', 'school_period', 'area_year', 'area_breakdown'] as TableName[]) await conn.run(createTableSql(t));
  await insertRows(conn, 'schools', [...schools.values()].sort((a, b) => String(a.urn).localeCompare(String(b.urn))));
  await insertRows(conn, 'school_year', schoolYear);
  await insertRows(conn, 'area_year', areaYear);
  // England only: the pages read need rows of SEND pupils as England's context, and have no place
  // for an LA's (a newer DfE file by LA would need one), so other areas' rows are left out and said so.
  const otherNeeds = imp.needs.filter((n) => n.level !== 'England' && wanted(n)).length;
  if (otherNeeds > 0) notes.push(`${otherNeeds} SEN primary need row${otherNeeds === 1 ? '' : 's'} for areas other than England left out: the pages show DfE's need figures for England only`);
  await insertRows(conn, 'area_breakdown', needBreakdown(imp.needs.filter((n) => n.level === 'England'), areaOf, notes));
  await pooledPeriod(conn);

  const neighbours = neighbourCodes
    .map((c) => ({ code: c, name: imp.las.get(c)?.name ?? '' }))
    .filter((n) => n.name !== '' && areaRows.some((a) => a.level === 'LA' && a.code === n.code));
  for (const c of neighbourCodes) if (!neighbours.some((n) => n.code === c)) notes.push(`statistical neighbour ${c} is in no imported LA-level file: left out`);
  return { la, neighbours, notes, schoolRows, areaRows };
}

/**
 * DfE's primary-need rows as `area_breakdown` rows (see the header): one per area, year, phase and
 * need the file gives, pupil group `SEND`, each count with DfE's flag, sessions lost `x` (DfE's
 * files have none by need). A need a year's file does not have (BESD from 2014/15, SEMH before it)
 * has no row that year: the category did not exist. A weighted count is `x`, as in area_year. A second row for the same area, year, phase
 * and need (two characteristic files given) is left out and noted.
 */
function needBreakdown(
  needs: NeedExclusion[],
  areaOf: (level: AreaLevel, code: string, fallback: string) => { type: string; name: string },
  notes: string[]
): Record<string, unknown>[] {
  const seen = new Map<string, NeedExclusion>();
  for (const n of needs) {
    const k = [n.level, n.code, n.yearStart, n.phase, n.need].join('\u0001');
    const prev = seen.get(k);
    if (prev) {
      notes.push(`${n.file}:${n.line}: primary need ${n.need} for ${n.level} ${yearLabel(n.yearStart)} ${n.phase} is already given by ${prev.file}:${prev.line}: left out`);
      continue;
    }
    seen.set(k, n);
  }
  const typeOrder: Record<string, number> = { LA: 0, England: 1, Region: 2, Neighbour: 3 };
  const phaseOrder: Record<string, number> = { All: 0, Primary: 1, Secondary: 2, Special: 3, 'Alternative provision': 4 };
  return [...seen.values()]
    .map((n) => {
      const area = areaOf(n.level, n.code, n.code);
      return {
        area_type: area.type,
        area_code: n.code,
        area_name: area.name,
        academic_year: yearLabel(n.yearStart),
        year_start: n.yearStart,
        phase: n.phase,
        pupil_group: NEED_GROUP,
        dimension: 'need',
        category_code: n.need,
        category: DFE_NEED_NAMES[n.need] ?? n.needName,
        ...cols('pupils', cell(n.pupils)),
        ...cols('suspensions', cell(n.susp)),
        ...cols('pupils_suspended', cell(n.onePlus)),
        ...cols('permanent_exclusions', cell(n.perm)),
        ...cols('sessions_lost', X),
        source: `DfE: ${n.file}`
      };
    })
    .sort(
      (p, q) =>
        typeOrder[p.area_type]! - typeOrder[q.area_type]! ||
        p.area_code.localeCompare(q.area_code) ||
        p.year_start - q.year_start ||
        phaseOrder[p.phase]! - phaseOrder[q.phase]! ||
        p.category_code.localeCompare(q.category_code)
    );
}

function cols(name: string, c: Cell): Record<string, unknown> {
  return { [name]: c.value, [`${name}_flag`]: c.flag };
}

/** Rows (objects keyed by column name) into a contract table, in the schema's column order. */
export async function insertRows(conn: DuckDBConnection, table: TableName, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const app = await conn.createAppender(table);
  const columns = TABLES[table].columns;
  for (const r of rows) {
    for (const c of columns) {
      const v = r[c.name];
      if (v === null || v === undefined) app.appendNull();
      else if (c.type === 'INTEGER') app.appendInteger(Number(v));
      else if (c.type === 'DOUBLE') app.appendDouble(Number(v));
      else app.appendVarchar(String(v));
    }
    app.endRow();
  }
  app.flushSync();
  app.closeSync();
}

/**
 * The latest three years pooled (data/SCHEMA.md `school_period`). Unlike a council's extract, DfE's
 * figures arrive with NULLs: a pooled count with a year its source withheld is withheld too (`c`),
 * one with a year not available is `x`.
 */
async function pooledPeriod(conn: DuckDBConnection): Promise<void> {
  const r = (await conn.runAndReadAll('SELECT max(year_start)::INTEGER AS y FROM school_year')).getRowObjectsJS()[0];
  const last = r?.y === null || r?.y === undefined ? null : Number(r.y);
  if (last === null) return;
  const first = Number((await conn.runAndReadAll('SELECT min(year_start)::INTEGER AS y FROM school_year WHERE year_start > $1', [last - 3])).getRowObjectsJS()[0]?.y ?? last);
  const counts = ['pupils', 'suspensions', 'pupils_suspended', 'permanent_exclusions', 'sessions_lost'];
  const sum = (c: string) =>
    `CASE WHEN count(*) FILTER (WHERE ${c} IS NULL) = 0 THEN sum(${c})::INTEGER END,
     CASE WHEN count(*) FILTER (WHERE ${c} IS NULL) = 0 THEN NULL
          WHEN count(*) FILTER (WHERE ${c}_flag IN ('c', 'low')) > 0 THEN 'c'
          WHEN count(*) FILTER (WHERE ${c}_flag = 'x') > 0 THEN 'x' ELSE 'z' END`;
  await conn.run(
    `INSERT INTO school_period
     SELECT urn, $1, $2, $3, pupil_group, ${counts.map(sum).join(', ')}
     FROM school_year WHERE year_start BETWEEN $2 AND $3
     GROUP BY urn, pupil_group ORDER BY urn, pupil_group`,
    [`${yearLabel(first)} to ${yearLabel(last)}`, first, last]
  );
}
