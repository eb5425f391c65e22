/**
 * DfE code lists the extract uses, with their meanings: one place for validation, aggregation
 * (reason names in the published tables) and the docs.
 */
import { academicYear, FIRST_YEAR, LAST_YEAR } from '../lib/validation/rules';

export const SEN_PROVISION: Record<string, string> = {
  E: 'EHC plan',
  K: 'SEN support',
  N: 'No SEN'
};

/** DfE school census SEN primary need codes. NSA applies to SEN support only. */
export const PRIMARY_NEEDS: Record<string, string> = {
  SPLD: 'Specific learning difficulty',
  MLD: 'Moderate learning difficulty',
  SLD: 'Severe learning difficulty',
  PMLD: 'Profound and multiple learning difficulty',
  SEMH: 'Social, emotional and mental health',
  SLCN: 'Speech, language and communication needs',
  HI: 'Hearing impairment',
  VI: 'Vision impairment',
  MSI: 'Multi-sensory impairment',
  PD: 'Physical disability',
  ASD: 'Autistic spectrum disorder',
  OTH: 'Other difficulty or disability',
  NSA: 'SEN support but no specialist assessment of type of need'
};

export const CATEGORIES: Record<string, string> = {
  SUSP: 'Suspension (fixed-period exclusion before 2020/21)',
  PERM: 'Permanent exclusion'
};

/**
 * DfE exclusion reason codes. The list was revised in 2020/21 (new codes; up to three reasons per
 * event from then on); `from`/`to` give the first and last academic year (start year) a code is
 * valid, so an old code in a new year, or a new code in an old year, is a validation error.
 */
export const REASONS: Record<string, { name: string; from?: number; to?: number }> = {
  PP: { name: 'Physical assault against a pupil' },
  PA: { name: 'Physical assault against an adult' },
  VP: { name: 'Verbal abuse or threatening behaviour against a pupil' },
  VA: { name: 'Verbal abuse or threatening behaviour against an adult' },
  BU: { name: 'Bullying' },
  RA: { name: 'Racist abuse' },
  LG: { name: 'Abuse against sexual orientation and gender identity', from: 2020 },
  DS: { name: 'Abuse relating to disability', from: 2020 },
  SM: { name: 'Sexual misconduct' },
  DA: { name: 'Drug and alcohol related' },
  MT: { name: 'Use or threat of use of an offensive weapon or prohibited item', from: 2020 },
  DM: { name: 'Damage' },
  TH: { name: 'Theft' },
  PD: { name: 'Persistent disruptive behaviour' },
  OM: { name: 'Inappropriate use of social media or online technology', from: 2020 },
  PH: { name: 'Wilful and repeated transgression of protective measures to protect public health', from: 2020, to: 2021 },
  OT: { name: 'Other' }
};

export const YEAR_GROUPS = ['N1', 'N2', 'R', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', 'X'];

/**
 * Year groups a school of each phase can have on roll; a phase not listed takes any year group.
 * Deliberately a little wider than the usual ranges (primary R-6, secondary 7-13) because the
 * extract's phase list has no "middle" phase: DfE files a middle school deemed primary (up to
 * Year 8) as Primary and one deemed secondary (from Year 5) as Secondary. What this still catches
 * is the impossible, such as a Year 10 pupil at a primary school or a Reception pupil at a
 * secondary. `X` (not following the national curriculum) can be anywhere.
 */
export const YEAR_GROUPS_BY_PHASE: Record<string, string[]> = {
  Primary: ['N1', 'N2', 'R', '1', '2', '3', '4', '5', '6', '7', '8', 'X'],
  Secondary: ['5', '6', '7', '8', '9', '10', '11', '12', '13', '14', 'X']
};

// The academic years an extract may hold (2000/01 to 2099/00) are the contract's, shared with the
// explorer's checks of an analyst's own file.
export { academicYear, FIRST_YEAR, LAST_YEAR };

/** When a reason code is valid, in words: `from 2020/21`, `2020/21 to 2021/22 only`. */
export function reasonYears(code: string): string {
  const r = REASONS[code];
  if (!r || (r.from === undefined && r.to === undefined)) return 'every year';
  if (r.to === undefined) return `from ${academicYear(r.from ?? FIRST_YEAR)}`;
  if (r.from === undefined) return `until ${academicYear(r.to)}`;
  return `${academicYear(r.from)} to ${academicYear(r.to)} only`;
}

export const SCHOOL_PHASES = ['Primary', 'Secondary', 'Special', 'Alternative provision', 'All-through'];
export const SCHOOL_TYPES = ['Academy', 'Maintained', 'Free school', 'Pupil referral unit'];
export const SCHOOL_STATUSES = ['Open', 'Closed'];

/**
 * Terms an exclusion can start in, by the calendar: autumn from 1 September to 31 December, spring
 * from 1 January to Easter Sunday, summer from Easter Monday to 31 August. Schools set their own
 * term dates, but they differ by days and the boundaries here fall in holidays (Christmas, Easter),
 * when no exclusion starts, so the calendar rule puts every school day in its own term.
 */
export const TERMS: Record<string, string> = {
  AUT: 'Autumn term',
  SPR: 'Spring term',
  SUM: 'Summer term'
};

/** Free school meal eligibility on census day, as a breakdown. */
export const FSM_CATEGORIES: Record<string, string> = {
  FSM: 'Eligible for free school meals',
  NOT_FSM: 'Not eligible for free school meals'
};

/** Easter Sunday of a calendar year as `YYYY-MM-DD` (Gregorian; the anonymous algorithm). */
export function easterSunday(y: number): string {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
