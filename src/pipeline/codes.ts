/**
 * DfE code lists the extract uses, with their meanings: one place for validation, aggregation
 * (reason names in the published tables) and the docs.
 */

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

export const SCHOOL_PHASES = ['Primary', 'Secondary', 'Special', 'Alternative provision', 'All-through'];
export const SCHOOL_TYPES = ['Academy', 'Maintained', 'Free school', 'Pupil referral unit'];
export const SCHOOL_STATUSES = ['Open', 'Closed'];
