/**
 * The councillors' view's defaults and choices: what /council prerenders, what its address can
 * hold (each filter and selection a parameter), and the tables each chart reads. Shared by the
 * page's build-time load and the page itself so the two cannot drift.
 */
import { COMPARATOR_TYPES, COUNCIL_PHASES, type ComparatorType, type CouncilPhase } from '$lib/data/council-queries';
import { MEASURE_KEYS, type MeasureKey } from '$lib/data/measures';
import { REASON_MEASURES, TREND_GROUPS, type ReasonMeasure, type TrendGroup } from './council-view';

export const REASON_GROUPS = ['EHC plan', 'SEN support', 'No SEN', 'All pupils'] as const;
export type ReasonGroup = (typeof REASON_GROUPS)[number];

export const COUNCIL_DEFAULTS = {
  phase: 'All' as CouncilPhase,
  measure: 'suspension_rate' as MeasureKey,
  group: 'all' as TrendGroup,
  compare: ['England'] as readonly ComparatorType[],
  rgroup: 'EHC plan' as ReasonGroup,
  rmeasure: 'suspension_rate' as ReasonMeasure,
  nmeasure: 'suspension_rate' as MeasureKey,
  tmeasure: 'suspension_rate' as ReasonMeasure,
  fmeasure: 'suspension_rate' as MeasureKey,
  extra: 'repeat' as 'repeat' | 'sessions'
};

export const CHOICES = { COUNCIL_PHASES, MEASURE_KEYS, TREND_GROUPS, COMPARATOR_TYPES, REASON_GROUPS, REASON_MEASURES };

export const PHASE_LABEL: Record<CouncilPhase, string> = {
  All: 'All schools',
  Primary: 'Primary',
  Secondary: 'Secondary',
  Special: 'Special',
  'Alternative provision': 'Alternative provision'
};

export const COMPARATOR_LABEL: Record<ComparatorType, string> = {
  England: 'England',
  Region: 'Region',
  Neighbour: 'Statistical neighbours'
};
