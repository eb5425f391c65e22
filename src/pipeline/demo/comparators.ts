/**
 * Synthetic comparator series for the demo: England, the South West region and ten statistical
 * neighbours, by year, phase and pupil group.
 *
 * A council's extract never contains other areas' figures, yet every view of the dashboard
 * compares the LA with England, its region and its neighbours. For the real thing those come from
 * DfE's files; for the demo they are made here, consistently with the calibration the demo LA
 * uses: England's group rates are the national calibration (no local factor) on England's real
 * headcounts, the region's are England's scaled by the South West's published ratio to England,
 * and each neighbour has its own plausible factors around England. Counts are integers computed
 * from the rates (rate = count / pupils x 100 when read back); "All pupils" is always the sum of
 * the three groups. The phase split is plausible, not exact: Primary + Secondary + Special need
 * not add up to All, as in DfE's own tables where All also covers other school types.
 */
import {
  ENGLAND_TOTALS,
  groupShares,
  MEASURES,
  nationalGroupRate,
  PUPIL_GROUPS,
  SOUTH_WEST_TOTALS,
  YEARS,
  type AcademicYear,
  type Measure,
  type PupilGroup
} from './calibration';
import { NEIGHBOURS } from './names';
import { Rng } from './prng';

export interface ComparatorRow {
  area_type: 'England' | 'Region' | 'Neighbour';
  area_code: string;
  area_name: string;
  academic_year: AcademicYear;
  phase: ComparatorPhase;
  pupil_group: PupilGroup | 'All pupils';
  pupils: number;
  suspensions: number;
  pupils_suspended: number;
  permanent_exclusions: number;
}

export const COMPARATOR_PHASES = ['All', 'Primary', 'Secondary', 'Special'] as const;
export type ComparatorPhase = (typeof COMPARATOR_PHASES)[number];
type SplitPhase = Exclude<ComparatorPhase, 'All'>;

/**
 * Where each group's pupils are (share by phase). EHC plans split between mainstream and special
 * schools (about 40% in special schools, as in England); almost no pupil without SEN is in a
 * special school.
 */
const PHASE_SHARE: Record<PupilGroup, Record<SplitPhase, number>> = {
  'EHC plan': { Primary: 0.3, Secondary: 0.28, Special: 0.42 },
  'SEN support': { Primary: 0.6, Secondary: 0.39, Special: 0.01 },
  'No SEN': { Primary: 0.575, Secondary: 0.4248, Special: 0.0002 }
};

/**
 * Relative rate by phase within a group before normalising (DfE's phase pattern: secondary
 * pupils are suspended several times as often as primary; special schools suspend less than
 * secondaries and rarely exclude permanently). Normalised so that the phases average to the
 * group's rate.
 */
const PHASE_REL: Record<PupilGroup, Record<Measure, Record<SplitPhase, number>>> = {
  'EHC plan': {
    suspension: { Primary: 0.35, Secondary: 2.2, Special: 0.42 },
    one_plus_suspension: { Primary: 0.4, Secondary: 2.0, Special: 0.5 },
    permanent_exclusion: { Primary: 0.35, Secondary: 2.6, Special: 0.3 }
  },
  'SEN support': {
    suspension: { Primary: 0.27, Secondary: 1.9, Special: 0.8 },
    one_plus_suspension: { Primary: 0.32, Secondary: 1.8, Special: 0.8 },
    permanent_exclusion: { Primary: 0.25, Secondary: 2.1, Special: 0.5 }
  },
  'No SEN': {
    suspension: { Primary: 0.17, Secondary: 2.0, Special: 0.5 },
    one_plus_suspension: { Primary: 0.2, Secondary: 1.9, Special: 0.5 },
    permanent_exclusion: { Primary: 0.2, Secondary: 2.1, Special: 0.2 }
  }
};

function phaseRel(group: PupilGroup, measure: Measure, phase: SplitPhase): number {
  const rel = PHASE_REL[group][measure];
  const share = PHASE_SHARE[group];
  const mean = share.Primary * rel.Primary + share.Secondary * rel.Secondary + share.Special * rel.Special;
  return rel[phase] / mean;
}

interface AreaYear {
  headcount: number;
  shares: Record<PupilGroup, number>;
  rates: Record<PupilGroup, Record<Measure, number>>;
}

/** Counts for one cell, kept coherent (no more pupils suspended than suspensions or pupils). */
function cell(pupils: number, rates: Record<Measure, number>): Pick<ComparatorRow, 'pupils' | 'suspensions' | 'pupils_suspended' | 'permanent_exclusions'> {
  const n = (m: Measure): number => Math.round((rates[m] * pupils) / 100);
  const pupilsSuspended = Math.min(pupils, n('one_plus_suspension'));
  return {
    pupils,
    suspensions: Math.max(pupilsSuspended, n('suspension')),
    pupils_suspended: pupilsSuspended,
    permanent_exclusions: Math.min(pupils, n('permanent_exclusion'))
  };
}

function areaRows(type: ComparatorRow['area_type'], code: string, name: string, year: AcademicYear, a: AreaYear): ComparatorRow[] {
  const rows: ComparatorRow[] = [];
  const groupPupils: Record<PupilGroup, number> = {
    'EHC plan': Math.round(a.headcount * a.shares['EHC plan']),
    'SEN support': Math.round(a.headcount * a.shares['SEN support']),
    'No SEN': 0
  };
  groupPupils['No SEN'] = a.headcount - groupPupils['EHC plan'] - groupPupils['SEN support'];

  for (const phase of COMPARATOR_PHASES) {
    const sum = { pupils: 0, suspensions: 0, pupils_suspended: 0, permanent_exclusions: 0 };
    for (const g of PUPIL_GROUPS) {
      let c;
      if (phase === 'All') {
        c = cell(groupPupils[g], a.rates[g]);
      } else {
        const pupils = Math.round(groupPupils[g] * PHASE_SHARE[g][phase]);
        const rates = {} as Record<Measure, number>;
        for (const m of MEASURES) rates[m] = a.rates[g][m] * phaseRel(g, m, phase);
        c = cell(pupils, rates);
      }
      rows.push({ area_type: type, area_code: code, area_name: name, academic_year: year, phase, pupil_group: g, ...c });
      sum.pupils += c.pupils;
      sum.suspensions += c.suspensions;
      sum.pupils_suspended += c.pupils_suspended;
      sum.permanent_exclusions += c.permanent_exclusions;
    }
    rows.push({ area_type: type, area_code: code, area_name: name, academic_year: year, phase, pupil_group: 'All pupils', ...sum });
  }
  return rows;
}

function englandYear(year: AcademicYear): AreaYear {
  const rates = {} as AreaYear['rates'];
  for (const g of PUPIL_GROUPS) {
    rates[g] = {} as Record<Measure, number>;
    for (const m of MEASURES) rates[g][m] = nationalGroupRate(year, g, m);
  }
  return { headcount: ENGLAND_TOTALS[year].headcount, shares: groupShares(year), rates };
}

export function buildComparators(seed: number): ComparatorRow[] {
  const rows: ComparatorRow[] = [];

  for (const year of YEARS) rows.push(...areaRows('England', 'E92000001', 'England', year, englandYear(year)));

  // South West: England's group rates x the region's published ratio to England that year.
  const lastSw = SOUTH_WEST_TOTALS['2022/23'];
  for (const year of YEARS) {
    const sw = SOUTH_WEST_TOTALS[year];
    const eng = ENGLAND_TOTALS[year];
    const ref = sw ?? lastSw;
    const refEng = sw ? eng : ENGLAND_TOTALS['2022/23'];
    if (!ref) throw new Error('South West totals missing');
    const base = englandYear(year);
    const rates = {} as AreaYear['rates'];
    for (const g of PUPIL_GROUPS) {
      rates[g] = {} as Record<Measure, number>;
      for (const m of MEASURES) rates[g][m] = base.rates[g][m] * (ref[m] / refEng[m]);
    }
    const headcount = sw ? sw.headcount : Math.round(ref.headcount * (eng.headcount / refEng.headcount));
    rows.push(...areaRows('Region', 'E12000009', 'South West', year, { headcount, shares: base.shares, rates }));
  }

  // Statistical neighbours: each a plausible LA near England, with a persistent character.
  const rng = Rng.derive(seed, 'comparators');
  for (const nb of NEIGHBOURS) {
    const size = Math.round(rng.uniform(28_000, 160_000));
    const growth = rng.uniform(-0.004, 0.008);
    const shareE = Math.exp(0.12 * rng.normal());
    const shareK = Math.exp(0.1 * rng.normal());
    const area = Math.exp(0.15 * rng.normal()); // the area's general level of exclusion
    const measure = { suspension: Math.exp(0.08 * rng.normal()), one_plus_suspension: Math.exp(0.06 * rng.normal()), permanent_exclusion: Math.exp(0.15 * rng.normal()) };
    const sendExtra = Math.exp(0.12 * rng.normal());
    YEARS.forEach((year, yi) => {
      const base = englandYear(year);
      const headcount = Math.round(size * (base.headcount / ENGLAND_TOTALS['2016/17'].headcount) * (1 + growth * yi));
      const shares = {
        'EHC plan': base.shares['EHC plan'] * shareE,
        'SEN support': base.shares['SEN support'] * shareK,
        'No SEN': 0
      };
      shares['No SEN'] = 1 - shares['EHC plan'] - shares['SEN support'];
      const yearNoise = Math.exp(0.05 * rng.normal());
      const rates = {} as AreaYear['rates'];
      for (const g of PUPIL_GROUPS) {
        rates[g] = {} as Record<Measure, number>;
        for (const m of MEASURES) {
          rates[g][m] = base.rates[g][m] * area * measure[m] * yearNoise * (g === 'No SEN' ? 1 : sendExtra) * Math.exp(0.04 * rng.normal());
        }
      }
      rows.push(...areaRows('Neighbour', nb.code, nb.name, year, { headcount, shares, rates }));
    });
  }
  return rows;
}
