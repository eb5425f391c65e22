/**
 * The measures the dashboard shows, each a rate per 100 pupils computed from published counts.
 *
 * A measure names its numerator column from a closed list, so a page can pass a measure key that
 * came from the URL or a control and the SQL still only ever sees a known column name. `kind` says
 * which interval fits: pupils with an event are a proportion (Wilson), events such as suspensions
 * can exceed one per pupil and are a Poisson count (exact interval).
 */

export const MEASURE_KEYS = ['suspension_rate', 'one_plus_suspension_rate', 'permanent_exclusion_rate'] as const;
export type MeasureKey = (typeof MEASURE_KEYS)[number];

export type NumeratorColumn = 'suspensions' | 'pupils_suspended' | 'permanent_exclusions';
export const NUMERATOR_COLUMNS: readonly NumeratorColumn[] = ['suspensions', 'pupils_suspended', 'permanent_exclusions'];
/** Each numerator's `_flag` column (why it is NULL), as a closed list for `ident`. */
export type NumeratorFlagColumn = `${NumeratorColumn}_flag`;
export const NUMERATOR_FLAG_COLUMNS: readonly NumeratorFlagColumn[] = NUMERATOR_COLUMNS.map((c) => `${c}_flag` as const);

export interface Measure {
  key: MeasureKey;
  label: string;
  short: string;
  /** The phrase used in sentences: "pupils with an EHC plan were {verb} at ..." */
  verb: string;
  numerator: NumeratorColumn;
  kind: 'proportion' | 'events';
}

export const MEASURES: Record<MeasureKey, Measure> = {
  suspension_rate: {
    key: 'suspension_rate',
    label: 'Suspensions per 100 pupils',
    short: 'Suspension rate',
    verb: 'suspended',
    numerator: 'suspensions',
    kind: 'events'
  },
  one_plus_suspension_rate: {
    key: 'one_plus_suspension_rate',
    label: 'Pupils with one or more suspensions, per 100 pupils',
    short: 'One or more suspensions',
    verb: 'suspended at least once',
    numerator: 'pupils_suspended',
    kind: 'proportion'
  },
  permanent_exclusion_rate: {
    key: 'permanent_exclusion_rate',
    label: 'Permanent exclusions per 100 pupils',
    short: 'Permanent exclusion rate',
    verb: 'permanently excluded',
    numerator: 'permanent_exclusions',
    kind: 'proportion'
  }
};

export function isMeasureKey(v: unknown): v is MeasureKey {
  return typeof v === 'string' && (MEASURE_KEYS as readonly string[]).includes(v);
}
