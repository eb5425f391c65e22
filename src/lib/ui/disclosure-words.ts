/**
 * What the site's pages say about withheld figures, worded from the release manifest's disclosure
 * section (its mode and thresholds), never from constants typed into a page. A release put through
 * this pipeline's disclosure control says its thresholds ("counts of 1 to 4"); a release that
 * passes DfE's figures through under DfE's own suppression (`dfe-published`) says DfE's rule
 * instead (a school's exclusion counts of 1 or 2), because no threshold of ours was applied.
 */
import type { DisclosureSummary } from '$lib/data/manifest';

/** The part of the manifest's disclosure section the wording needs. */
export type DisclosureRule = Pick<DisclosureSummary, 'mode' | 'thresholds'>;

/** This pipeline's default thresholds (src/pipeline/disclosure.ts DEFAULT_DISCLOSURE). */
export const DEFAULT_MIN_COUNT = 5;
export const DEFAULT_MIN_GROUP = 10;

export interface DisclosureWords {
  passThrough: boolean;
  /** Smallest count published (pipeline mode); DfE's smallest school count in pass-through. */
  minCount: number;
  /** Smallest group published (pipeline mode); null in pass-through (DfE applies none). */
  minGroup: number | null;
  /** What is withheld, as a phrase inside a sentence: "counts of 1 to 4". */
  smallCounts: string;
  /** One sentence under a table of school figures. */
  tableNote: string;
  /** One sentence after a count of reasons. */
  reasonsNote: string;
  /** The reader's list of rules (transparency page). */
  rules: string[];
  /** What each suppression rule code in `cells_suppressed` means, as the start of a sentence. */
  ruleWords: Record<string, string>;
  /** Why figures are hidden, the paragraph above the rules. */
  intro: string;
}

/** "1", "1 or 2", "1 to 4": the whole numbers from 1 to `top`. */
export function oneTo(top: number): string {
  return top <= 1 ? '1' : top === 2 ? '1 or 2' : `1 to ${top}`;
}

/** DfE withholds a school's exclusion counts of 1 or 2 (`x` in its school-level files). */
const DFE_SCHOOL_MIN_COUNT = 3;

export function disclosureWords(d: DisclosureRule | null | undefined): DisclosureWords {
  const passThrough = d?.mode === 'dfe-published';
  const common = {
    follows_pupils: 'Goes with a hidden count of pupils (for example, the suspensions of those pupils)',
    secondary: 'Hidden so that another hidden figure cannot be worked out by subtraction'
  };
  if (passThrough) {
    const counts = `a school’s exclusion counts of ${oneTo(DFE_SCHOOL_MIN_COUNT - 1)}`;
    return {
      passThrough,
      minCount: DFE_SCHOOL_MIN_COUNT,
      minGroup: null,
      smallCounts: counts,
      tableNote: `These are the Department for Education’s figures, published under DfE’s own rules: DfE withholds ${counts} pupils, and what it withheld stays withheld here.`,
      reasonsNote: 'Figures the Department for Education withheld are not published.',
      rules: [
        'These figures are the Department for Education’s (DfE), as DfE published them. We hide nothing more, because every figure here is already public.',
        `DfE does not publish ${counts} pupils. Those figures stay hidden here.`,
        'DfE publishes its figures for local authorities, regions and England, and the school census’s pupil counts, without a threshold.',
        'Figures for three years together are added up from the published yearly figures, and none covers a year DfE withheld, so no hidden figure can be worked out from them.',
        'Before anything is published, a separate check reads every file. The data is only published if every figure comes from DfE’s files, with their checksums, and none breaks DfE’s rule.'
      ],
      ruleWords: { ...common, source: 'Withheld by the Department for Education in the file it published' },
      intro:
        'Some figures are about so few pupils that publishing them could let someone work out who those pupils are. The Department for Education hides these figures before it publishes its data, and they stay hidden here.'
    };
  }
  const minCount = d?.thresholds.min_count ?? DEFAULT_MIN_COUNT;
  const minGroup = d?.thresholds.min_group ?? DEFAULT_MIN_GROUP;
  const counts = `counts of ${oneTo(minCount - 1)}`;
  return {
    passThrough,
    minCount,
    minGroup,
    smallCounts: counts,
    tableNote: `Figures of ${oneTo(minCount - 1)} pupils, and any figure they could be worked out from, are not published.`,
    reasonsNote: `Counts of ${oneTo(minCount - 1)} are not published.`,
    rules: [
      `We do not publish a count of ${oneTo(minCount - 1)} pupils.`,
      `If a group has fewer than ${minGroup} pupils, we publish none of its figures.`,
      'If we hide a count of pupils, we also hide the figures that go with it, such as their suspensions.',
      'We hide some extra figures, so that nobody can work out a hidden figure by taking the others away from a total.',
      'Before anything is published, a separate check reads every file. It was written separately from the code that hides the figures. The data is only published if that check finds no figure that breaks these rules.'
    ],
    ruleWords: {
      small_count: `A count of ${oneTo(minCount - 1)} pupils`,
      small_group: `Part of a group of fewer than ${minGroup} pupils`,
      ...common,
      source: 'Already withheld by the organisation that supplied it'
    },
    intro:
      'Some figures are about so few pupils that publishing them could let someone work out who those pupils are. We hide these figures.'
  };
}
