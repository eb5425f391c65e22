/**
 * Reads a set of DfE's published files (any order, any mix of the formats in formats.ts) into one
 * normalised import: exclusions by school, by area and phase, by SEN provision and primary need,
 * census SEN counts by school, and the lookups that give schools their URNs and LAs their regions.
 *
 * This is the importer's canonical form, kept close to DfE's figures: decimal (weighted) counts stay
 * decimal, DfE's published rates are kept beside the counts for the consistency checks, and each
 * NULL keeps DfE's symbol and its reason. contract.ts maps it into the data contract.
 */
import { InputError } from '../errors';
import { readDfeFile, type DfeFile, type DfeKind, type DfeRow } from './formats';
import { LaRegistry, regionOfSubRegion } from './la';
import { groupOfSenProvision, needCodeOf, norm, parseAcademicYear, phaseOfSchoolType, type DfeNumber } from './values';

export type AreaLevel = 'England' | 'Region' | 'LA';
export type ImportGroup = 'All pupils' | 'EHC plan' | 'SEN support' | 'No SEN' | 'Unclassified';

/** The four measures every exclusions file has, and DfE's published rates beside them. */
export interface ExclusionCounts {
  pupils: DfeNumber;
  perm: DfeNumber;
  susp: DfeNumber;
  onePlus: DfeNumber;
  permRate?: DfeNumber;
  suspRate?: DfeNumber;
  onePlusRate?: DfeNumber;
}

interface Located {
  /** The file's base name and the line, for errors and the consistency report. */
  file: string;
  line: number;
  yearStart: number;
}

export interface SchoolExclusion extends Located, ExclusionCounts {
  laestab: string;
  la: string;
  academyType: string;
  phase: 'Primary' | 'Secondary' | 'Special' | 'Alternative provision' | null;
  /** From the file itself when it has a URN column. */
  urn: string | null;
  name: string | null;
}

export interface AreaExclusion extends Located, ExclusionCounts {
  level: AreaLevel;
  /** England: E92000001; Region: its ONS code; LA: the 3-digit code. */
  code: string;
  name: string;
  phase: 'All' | 'Primary' | 'Secondary' | 'Special' | 'Alternative provision';
  group: ImportGroup;
  /** Which kind of file it came from (an LA row can be in the school-level file too). */
  from: DfeKind;
}

export interface NeedExclusion extends Located, ExclusionCounts {
  level: AreaLevel;
  code: string;
  phase: AreaExclusion['phase'];
  need: string;
  needName: string;
}

export interface CensusSchool extends Located {
  urn: string;
  la: string | null;
  estab: string | null;
  schoolType: string;
  nor: DfeNumber;
  ehc: DfeNumber;
  senSupport: DfeNumber;
  fsm: DfeNumber | null;
  /** The published shares as fractions (0.014), whichever way the file wrote them. */
  shareEhc: number | null;
  shareSenSupport: number | null;
}

export interface RegisterEntry {
  yearStart: number | null;
  laestab: string;
  urn: string;
  name: string;
}

export interface DfeImport {
  files: DfeFile[];
  schools: SchoolExclusion[];
  areas: AreaExclusion[];
  needs: NeedExclusion[];
  census: CensusSchool[];
  register: RegisterEntry[];
  las: LaRegistry;
  /** 3-digit LA code -> the lookup's sub-region and the English region it is part of. */
  laRegions: Map<string, { name: string; subRegion: string; region: string | null }>;
  /** Census percentages were written as percentages (1.4) or as fractions (0.014). */
  censusShares: 'percentages' | 'fractions' | null;
  /** Rows left aside, with why (characteristics the contract has no place for, summary rows). */
  skipped: Map<string, number>;
}

const ENGLAND = 'E92000001';

function levelOf(text: string): AreaLevel | 'School' | null {
  const n = norm(text);
  if (n === 'national') return 'England';
  if (n === 'regional') return 'Region';
  if (n === 'local authority') return 'LA';
  if (n === 'school') return 'School';
  return null;
}

function counts(r: DfeRow): ExclusionCounts {
  return {
    pupils: r.num.headcount!,
    perm: r.num.perm!,
    susp: r.num.susp!,
    onePlus: r.num.one_plus!,
    permRate: r.num.perm_rate,
    suspRate: r.num.susp_rate,
    onePlusRate: r.num.one_plus_rate
  };
}

export interface ImportOptions {
  /** Start year of the academic year a file without a year column is for (census); from --year. */
  year?: number;
}

export function importDfeFiles(paths: string[], opts: ImportOptions = {}): DfeImport {
  const files = paths.map((p) => readDfeFile(p, { year: opts.year }));
  const out: DfeImport = {
    files,
    schools: [],
    areas: [],
    needs: [],
    census: [],
    register: [],
    las: new LaRegistry(),
    laRegions: new Map(),
    censusShares: null,
    skipped: new Map()
  };
  const skip = (why: string) => out.skipped.set(why, (out.skipped.get(why) ?? 0) + 1);
  const issues: { file: string; line: number; column: string; value: string; expected: string }[] = [];
  const bad = (f: DfeFile, r: DfeRow, key: string, expected: string) =>
    issues.length < 50 && issues.push({ file: f.name, line: r.line, column: f.columns[key] ?? key, value: r.text[key] ?? '', expected });

  // LA-to-region lookups and the register first: the exclusion rows use them.
  for (const f of files) {
    if (f.kind === 'la-region') {
      for (const r of f.rows) {
        const la = r.text.la!;
        if (!/^\d{3}$/.test(la)) {
          bad(f, r, 'la', 'a 3-digit LA code');
          continue;
        }
        out.laRegions.set(la, { name: r.text.la_name!, subRegion: r.text.region_name!, region: regionOfSubRegion(r.text.region_name!) });
      }
    } else if (f.kind === 'register') {
      for (const r of f.rows) {
        if (!/^\d{7}$/.test(r.text.laestab!)) {
          bad(f, r, 'laestab', 'a 7-digit LAESTAB');
          continue;
        }
        if (!/^\d{6}$/.test(r.text.urn!)) {
          bad(f, r, 'urn', 'a 6-digit URN');
          continue;
        }
        out.register.push({ yearStart: r.yearStart, laestab: r.text.laestab!, urn: r.text.urn!, name: r.text.name! });
      }
    }
  }

  for (const f of files) {
    if (f.kind === 'school-exclusions' || f.kind === 'area-exclusions' || f.kind === 'characteristic-exclusions') {
      for (const r of f.rows) {
        if (r.yearStart === null) {
          bad(f, r, 'year', 'an academic year such as 201617');
          continue;
        }
        const level = levelOf(r.text.level!);
        if (level === null) {
          bad(f, r, 'level', 'National, Regional, Local authority or School');
          continue;
        }
        const region = r.text.region_code ? { code: r.text.region_code, name: r.text.region_name ?? '' } : null;
        let la: string | null = null;
        if (level === 'LA' || level === 'School') {
          la = out.las.see(r.text.old_la ?? '', r.text.new_la ?? '', r.text.la_name ?? '', r.yearStart, region);
          if (la === null && level === 'School' && /^\d{7}$/.test(r.text.laestab ?? '')) la = out.las.see(r.text.laestab!.slice(0, 3), r.text.new_la ?? '', r.text.la_name ?? '', r.yearStart, region);
          if (la === null) {
            bad(f, r, 'old_la', 'a 3-digit LA code (old_la_code) or a known ONS code (new_la_code)');
            continue;
          }
        }
        const phase = r.text.school_type === undefined ? 'All' : phaseOfSchoolType(r.text.school_type);
        if (phase === null) {
          bad(f, r, 'school_type', 'Total, or a primary, secondary, special or alternative provision school type');
          continue;
        }
        const loc = { file: f.name, line: r.line, yearStart: r.yearStart };
        if (level === 'School') {
          if (!/^\d{7}$/.test(r.text.laestab!)) {
            bad(f, r, 'laestab', 'a 7-digit LAESTAB');
            continue;
          }
          out.schools.push({
            ...loc,
            ...counts(r),
            laestab: r.text.laestab!,
            la: la!,
            academyType: r.text.academy_type ?? '',
            phase: phase === 'All' ? null : phase,
            urn: r.text.urn && /^\d{6}$/.test(r.text.urn) ? r.text.urn : null,
            name: r.text.school_name || null
          });
          continue;
        }
        const code = level === 'England' ? ENGLAND : level === 'Region' ? (r.text.region_code ?? '') : la!;
        const name = level === 'England' ? 'England' : level === 'Region' ? (r.text.region_name ?? code) : (out.las.get(la!)?.name ?? la!);
        if (level === 'Region' && !code) {
          bad(f, r, 'region_code', 'a region code');
          continue;
        }
        if (f.kind === 'characteristic-exclusions') {
          const g = norm(r.text.char_group!);
          if (g === 'total' || g === 'sen provision' || /^sen provision/.test(norm(r.text.char!))) {
            const group = g === 'total' ? 'All pupils' : groupOfSenProvision(r.text.char!);
            if (group === null) {
              bad(f, r, 'char', 'an SEN provision: EHC plan (or statement), SEN support (or without statement), No SEN, Unclassified');
              continue;
            }
            out.areas.push({ ...loc, ...counts(r), level, code, name, phase, group, from: f.kind });
          } else if (/primary need/.test(g)) {
            const need = needCodeOf(r.text.char!);
            if (need === null) {
              bad(f, r, 'char', 'an SEN primary need DfE names');
              continue;
            }
            out.needs.push({ ...loc, ...counts(r), level, code, phase, need, needName: r.text.char!.replace(/^sen primary need\s*/i, '') });
          } else skip(`${f.name}: characteristic group "${r.text.char_group}" (no place for it in the data contract)`);
          continue;
        }
        out.areas.push({ ...loc, ...counts(r), level, code, name, phase, group: 'All pupils', from: f.kind });
      }
    } else if (f.kind === 'census-sen') {
      const shares: number[] = [];
      for (const r of f.rows) {
        if (!/^\d{6}$/.test(r.text.urn!)) {
          skip(`${f.name}: summary rows without a URN (national and phase totals)`);
          continue;
        }
        const nor = r.num.nor!;
        const ehc = r.num.ehc!;
        if (r.num.pct_ehc?.value != null && ehc.value !== null && nor.value) shares.push(r.num.pct_ehc.value / (ehc.value / nor.value || 1));
        out.census.push({
          file: f.name,
          line: r.line,
          yearStart: r.yearStart!,
          urn: r.text.urn!,
          la: r.text.la && /^\d{3}$/.test(r.text.la) ? r.text.la : null,
          estab: r.text.estab || null,
          schoolType: r.text.school_type ?? '',
          nor,
          ehc,
          senSupport: r.num.sen_support!,
          fsm: r.num.fsm ?? null,
          shareEhc: r.num.pct_ehc?.value ?? null,
          shareSenSupport: r.num.pct_sen_support?.value ?? null
        });
      }
      // Percentages (1.4) or fractions (0.014)? The published share over the share the counts give
      // is about 100 for percentages and about 1 for fractions.
      const mid = shares.filter((s) => Number.isFinite(s) && s > 0).sort((a, b) => a - b)[Math.floor(shares.length / 2)];
      const kind = mid === undefined ? null : mid > 10 ? 'percentages' : 'fractions';
      out.censusShares = kind;
      if (kind === 'percentages') {
        for (const c of out.census) {
          if (c.file !== f.name) continue;
          if (c.shareEhc !== null) c.shareEhc /= 100;
          if (c.shareSenSupport !== null) c.shareSenSupport /= 100;
        }
      }
    }
  }
  if (issues.length > 0) throw new InputError(issues, issues.length >= 50);
  return out;
}

/** `--year` on the command line: an academic year in any full form (a bare year is refused: which one?). */
export function parseYearArgument(text: string): number | null {
  return parseAcademicYear(text);
}

/** The register's URN for a LAESTAB in a year: the entry of that year or the latest before it, else the earliest after. */
export function registerIndex(entries: RegisterEntry[]): (laestab: string, yearStart: number) => RegisterEntry | null {
  const by = new Map<string, RegisterEntry[]>();
  for (const e of entries) {
    let list = by.get(e.laestab);
    if (!list) by.set(e.laestab, (list = []));
    list.push(e);
  }
  for (const list of by.values()) list.sort((a, b) => (a.yearStart ?? 0) - (b.yearStart ?? 0));
  return (laestab, yearStart) => {
    const list = by.get(laestab);
    if (!list) return null;
    let best: RegisterEntry | null = null;
    for (const e of list) if ((e.yearStart ?? 0) <= yearStart) best = e;
    return best ?? list[0]!;
  };
}
