/**
 * Published figures the demo is calibrated to, and the target rates derived from them.
 *
 * The demo must look like a real English local authority to the people who will judge the
 * dashboard (analysts, councillors, head teachers), so its rates are not invented: they start from
 * DfE's national rates by SEN provision, move over the years with DfE's national trend, and are
 * scaled by a documented "local story" for the fictional LA. Every number below is a published
 * fact typed in by hand, with its source in a comment; nothing here reads the source files at run
 * time (the generator must work in a fresh clone that has no copy of them).
 */

export const YEARS = ['2016/17', '2017/18', '2018/19', '2019/20', '2020/21', '2021/22', '2022/23', '2023/24'] as const;
export type AcademicYear = (typeof YEARS)[number];

export const PUPIL_GROUPS = ['EHC plan', 'SEN support', 'No SEN'] as const;
export type PupilGroup = (typeof PUPIL_GROUPS)[number];

export const MEASURES = ['suspension', 'one_plus_suspension', 'permanent_exclusion'] as const;
export type Measure = (typeof MEASURES)[number];

type ByMeasure = Record<Measure, number>;

/**
 * England, all state-funded schools, 2016/17, rates per 100 pupils by SEN provision.
 * Source: DfE, national_exclusions_by_characteristic_2011-2017.csv (SFR35/2017), school type
 * Total, characteristics "SEN provision SEN with statement EHC", "SEN provision SEN without
 * statement" (SEN support) and "SEN Provision No SEN".
 */
export const NATIONAL_BASE_2016: Record<PupilGroup, ByMeasure> = {
  'EHC plan': { permanent_exclusion: 0.16, suspension: 15.93, one_plus_suspension: 6.44 },
  'SEN support': { permanent_exclusion: 0.35, suspension: 14.76, one_plus_suspension: 6.18 },
  'No SEN': { permanent_exclusion: 0.06, suspension: 3.06, one_plus_suspension: 1.63 }
};

export interface AreaTotals {
  headcount: number;
  /** Rates per 100 pupils. */
  permanent_exclusion: number;
  suspension: number;
  one_plus_suspension: number;
}

/**
 * England, school type Total (state-funded primary, secondary and special), by year.
 * 2016/17 to 2022/23: DfE, exclusions_national_regional_la_2006-2023.csv (2022/23 release),
 * geographic_level National, columns headcount, perm_excl_rate, susp_rate, one_plus_susp_rate.
 * 2023/24: DfE, "Suspensions and permanent exclusions in England, academic year 2023/24"
 * 954,952 suspensions at a rate of 11.31 and 10,885 permanent exclusions at 0.13;
 * the headcount is derived from those (954,952 / 11.31 x 100, approximate). The one-or-more
 * suspension rate is NOT a transcribed figure: it is an estimate (about 4.0) from the 2022/23
 * rate of 3.61 and the 21% rise in suspensions, because the value suggested to us (about 2.6)
 * would imply a 28% fall in pupils suspended in the year suspensions rose by a fifth. Replace it
 * with the published value when it is to hand; everything downstream follows.
 */
export const ENGLAND_TOTALS: Record<AcademicYear, AreaTotals> = {
  '2016/17': { headcount: 8_025_073, permanent_exclusion: 0.09619, suspension: 4.75839, one_plus_suspension: 2.28626 },
  '2017/18': { headcount: 8_092_747, permanent_exclusion: 0.09768, suspension: 5.07557, one_plus_suspension: 2.32928 },
  '2018/19': { headcount: 8_179_491, permanent_exclusion: 0.09651, suspension: 5.3581, one_plus_suspension: 2.44227 },
  '2019/20': { headcount: 8_255_046, permanent_exclusion: 0.06126, suspension: 3.76416, one_plus_suspension: 1.87187 },
  '2020/21': { headcount: 8_291_354, permanent_exclusion: 0.04737, suspension: 4.25086, one_plus_suspension: 2.20059 },
  '2021/22': { headcount: 8_368_293, permanent_exclusion: 0.07761, suspension: 6.91037, one_plus_suspension: 3.0169 },
  '2022/23': { headcount: 8_430_600, permanent_exclusion: 0.11121, suspension: 9.33458, one_plus_suspension: 3.60639 },
  '2023/24': { headcount: 8_443_431, permanent_exclusion: 0.13, suspension: 11.31, one_plus_suspension: 4.0 }
};

/**
 * South West region, school type Total. 2016/17 to 2022/23: DfE,
 * exclusions_national_regional_la_2006-2023.csv, geographic_level Regional, region_name South
 * West. 2023/24 is not in that file: the region keeps its 2022/23 ratio to England (an
 * assumption, applied in comparators.ts) and its headcount grows with England's.
 */
export const SOUTH_WEST_TOTALS: Partial<Record<AcademicYear, AreaTotals>> = {
  '2016/17': { headcount: 735_670, permanent_exclusion: 0.10412, suspension: 5.14062, one_plus_suspension: 2.37702 },
  '2017/18': { headcount: 742_493, permanent_exclusion: 0.11502, suspension: 5.91373, one_plus_suspension: 2.56083 },
  '2018/19': { headcount: 749_519, permanent_exclusion: 0.11181, suspension: 6.45027, one_plus_suspension: 2.70227 },
  '2019/20': { headcount: 756_050, permanent_exclusion: 0.07354, suspension: 4.54758, one_plus_suspension: 2.09563 },
  '2020/21': { headcount: 760_492, permanent_exclusion: 0.05141, suspension: 5.45726, one_plus_suspension: 2.53546 },
  '2021/22': { headcount: 766_215, permanent_exclusion: 0.08901, suspension: 8.13323, one_plus_suspension: 3.25509 },
  '2022/23': { headcount: 770_401, permanent_exclusion: 0.13006, suspension: 11.71559, one_plus_suspension: 3.98234 }
};

/**
 * Share of pupils (%) with an EHC plan and with SEN support, England, January census.
 * Source: DfE, "Special educational needs in England" releases 2017 to 2024 (headline figures,
 * all schools, rounded to one decimal; approximate for the middle years). Used for the England
 * comparator's group sizes and as Wessex's own SEN shares (its SEN identification is typical;
 * its exclusions of SEN pupils are not).
 */
export const SEN_SHARES: Record<AcademicYear, { ehc: number; senSupport: number }> = {
  '2016/17': { ehc: 2.8, senSupport: 11.6 },
  '2017/18': { ehc: 2.9, senSupport: 11.7 },
  '2018/19': { ehc: 3.1, senSupport: 11.9 },
  '2019/20': { ehc: 3.3, senSupport: 12.1 },
  '2020/21': { ehc: 3.7, senSupport: 12.2 },
  '2021/22': { ehc: 4.0, senSupport: 12.6 },
  '2022/23': { ehc: 4.3, senSupport: 13.0 },
  '2023/24': { ehc: 4.8, senSupport: 13.6 }
};

export function groupShares(year: AcademicYear): Record<PupilGroup, number> {
  const s = SEN_SHARES[year];
  return { 'EHC plan': s.ehc / 100, 'SEN support': s.senSupport / 100, 'No SEN': 1 - (s.ehc + s.senSupport) / 100 };
}

/** The all-pupil rate England would have in `year` if each group kept its 2016/17 rate. */
function mixRate(year: AcademicYear, measure: Measure): number {
  const shares = groupShares(year);
  let r = 0;
  for (const g of PUPIL_GROUPS) r += shares[g] * NATIONAL_BASE_2016[g][measure];
  return r;
}

/**
 * How much a group's rate in `year` differs from 2016/17: England's published all-pupil trend,
 * corrected for the growing share of SEN pupils (who are excluded more). Without the correction
 * the England comparator's "All pupils" rate would drift above the published headline (by 11% for
 * suspensions in 2023/24), because the larger SEN groups would add to the trend a second time.
 */
export function nationalTrend(year: AcademicYear, measure: Measure): number {
  const base: AcademicYear = '2016/17';
  return (ENGLAND_TOTALS[year][measure] / ENGLAND_TOTALS[base][measure]) * (mixRate(base, measure) / mixRate(year, measure));
}

/** England's rate per 100 pupils for a group: the national calibration without any local factor. */
export function nationalGroupRate(year: AcademicYear, group: PupilGroup, measure: Measure): number {
  return NATIONAL_BASE_2016[group][measure] * nationalTrend(year, measure);
}

/**
 * The local story of Wessex, the fictional LA (this is what the demo dashboard should reveal).
 *
 * Wessex is a large, mostly rural and coastal county in the South West. It identifies SEN at
 * about England's rates, but excludes its SEND pupils markedly more than England does, while its
 * pupils without SEN are excluded at about the national rate. Permanent exclusion of pupils with
 * an EHC plan is the sharpest difference (half as high again as England). The gap widened after
 * the COVID closures (2020/21 to 2022/23); the Ofsted/CQC local area inspection in 2022/23 said so,
 * and the improvement plan that followed narrows it in 2023/24, without closing it.
 */
export const LA_FACTORS: Record<PupilGroup, ByMeasure> = {
  'EHC plan': { suspension: 1.3, one_plus_suspension: 1.25, permanent_exclusion: 1.5 },
  'SEN support': { suspension: 1.3, one_plus_suspension: 1.25, permanent_exclusion: 1.3 },
  'No SEN': { suspension: 1.0, one_plus_suspension: 1.0, permanent_exclusion: 1.0 }
};

/** Multiplier on the SEND (EHC plan and SEN support) factors by year: the widening and the plan. */
export const LA_SEND_YEAR_MULTIPLIER: Record<AcademicYear, number> = {
  '2016/17': 1.0,
  '2017/18': 1.0,
  '2018/19': 1.0,
  '2019/20': 1.0,
  '2020/21': 1.05,
  '2021/22': 1.1,
  '2022/23': 1.1,
  '2023/24': 0.95
};

export function isAcademicYear(year: string): year is AcademicYear {
  return (YEARS as readonly string[]).includes(year);
}

/**
 * Target rate per 100 pupils for Wessex pupils in `group` in `year`: base(group, 2016/17) x
 * national trend(year) x the LA factor. Realised demo rates land within rounding of these
 * (the generator fixes the LA-wide counts at round(target x pupils / 100)).
 */
export function calibrationTarget(year: string, group: PupilGroup, measure: Measure): number {
  if (!isAcademicYear(year)) throw new RangeError(`no calibration for academic year ${year} (covers ${YEARS[0]} to ${YEARS[YEARS.length - 1]})`);
  const send = group === 'No SEN' ? 1 : LA_SEND_YEAR_MULTIPLIER[year];
  return nationalGroupRate(year, group, measure) * LA_FACTORS[group][measure] * send;
}
