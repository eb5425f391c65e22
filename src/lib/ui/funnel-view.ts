/**
 * Turns funnel rows from the query layer into what the funnel plot, its summary, its table and the
 * "outside the 99.8% limits" list show. Pure, so the prerender and the browser agree, and so the
 * wording (a signal to look into, never a verdict) is tested in one place.
 */
import type { FunnelPoint } from '$lib/charts/FunnelPlot.svelte';
import { compareText } from '$lib/charts/funnel-marks';
import { MEASURES, type MeasureKey } from '$lib/data/measures';
import type { FunnelRow, FunnelTarget, Missing } from '$lib/data/school-queries';
import { dispersionFor } from '$lib/stats/dispersion';
import { funnelCurve, funnelPosition, isOutlier, type FunnelLimits, type FunnelPosition } from '$lib/stats/funnel';
import { PHASES } from '$lib/data/schema';
import { count } from './plain-words';

export interface FunnelOutlier {
  urn: string;
  name: string;
  phase: string;
  position: FunnelPosition;
  numerator: number;
  denominator: number;
  rate: number;
  /** What the school would have had at the target rate. */
  expected: number;
  href: string;
}

export interface FunnelView {
  points: FunnelPoint[];
  curve: FunnelLimits[];
  /** Target rate per 100, NULL when the LA's own figure is not published. */
  target: number | null;
  counts: Record<FunnelPosition, number>;
  /** Schools that could not be placed, by reason. */
  notPlaced: { suppressed: number; other: number };
  outliers: FunnelOutlier[];
  summary: string;
}

const NOT_PLACED: Missing[] = ['c', 'low'];

// Points and outliers as classes whose link is worked out only when read: at national scale a
// funnel holds 20,000 schools, a filter change makes them all afresh, and only the few a reader
// opens (or the 100 outliers listed) need an address.
class Point implements FunnelPoint {
  constructor(
    readonly id: string,
    readonly label: string,
    readonly n: number,
    readonly rate: number,
    readonly position: FunnelPosition,
    link: (urn: string) => string
  ) {
    this.#link = link;
  }
  readonly #link: (urn: string) => string;
  get href(): string {
    return this.#link(this.id);
  }
}

class Outlier implements FunnelOutlier {
  /** How far from the target, as |log| of count over expected (each +0.5): the list's order. */
  readonly distance: number;
  constructor(
    readonly urn: string,
    readonly name: string,
    readonly phase: string,
    readonly position: FunnelPosition,
    readonly numerator: number,
    readonly denominator: number,
    readonly rate: number,
    readonly expected: number,
    link: (urn: string) => string
  ) {
    this.distance = Math.abs(Math.log((numerator + 0.5) / (expected + 0.5)));
    this.#link = link;
  }
  readonly #link: (urn: string) => string;
  get href(): string {
    return this.#link(this.urn);
  }
}

/** Furthest from the target first (by how many times the expected count), higher before lower. */
function byDistance(a: Outlier, b: Outlier): number {
  return (a.position === b.position ? 0 : a.position === 'above-998' ? -1 : 1) || b.distance - a.distance || compareText(a.name, b.name);
}

/**
 * `rows` may be every school, or only those that can be placed with `alsoNotPlaced` counting the
 * rest (funnelPoints): the view is the same either way.
 */
export function funnelView(
  rows: readonly FunnelRow[],
  target: FunnelTarget,
  measure: MeasureKey,
  href: (urn: string) => string,
  alsoNotPlaced: { suppressed: number; other: number } = { suppressed: 0, other: 0 }
): FunnelView {
  const kind = MEASURES[measure].kind;
  const theta = target.numerator !== null && target.denominator !== null && target.denominator > 0 ? target.numerator / target.denominator : null;
  // Suspensions cluster within pupils: the limits are widened by the LA's own clustering, the
  // process every school would share if none differed (stats/funnel.ts).
  const phi = dispersionFor(kind, [{ events: target.numerator, withEvent: target.withEvent }]);
  const counts: Record<FunnelPosition, number> = { 'above-998': 0, 'above-95': 0, inside: 0, 'below-95': 0, 'below-998': 0 };
  const notPlaced = { ...alsoNotPlaced };
  const points: FunnelPoint[] = [];
  const outliers: Outlier[] = [];
  for (const r of rows) {
    if (r.numerator === null || r.denominator === null || !(r.denominator > 0)) {
      if (r.flag !== null && NOT_PLACED.includes(r.flag)) notPlaced.suppressed++;
      else notPlaced.other++;
      continue;
    }
    if (theta === null) continue;
    const position = funnelPosition(kind, r.numerator, r.denominator, theta, phi);
    counts[position]++;
    const rate = (r.numerator / r.denominator) * 100;
    points.push(new Point(r.urn, r.name, r.denominator, rate, position, href));
    if (isOutlier(position)) outliers.push(new Outlier(r.urn, r.name, r.phase, position, r.numerator, r.denominator, rate, r.denominator * theta, href));
  }
  // Furthest from the target first (by how many times the expected count), higher before lower;
  // the distance worked out once per school, not in each comparison (thousands of outliers when
  // every pupil is counted at national scale).
  outliers.sort(byDistance);
  const ns = points.map((p) => p.n);
  const curve = theta === null || ns.length === 0 ? [] : funnelCurve(kind, theta, Math.min(...ns), Math.max(...ns), 120, phi);
  const view: FunnelView = { points, curve, target: theta === null ? null : theta * 100, counts, notPlaced, outliers, summary: '' };
  view.summary = funnelSummary(view);
  return view;
}

/** One phase's funnel, around the LA's own rate for that phase. */
export interface PhaseFunnel {
  phase: string;
  view: FunnelView;
}

/** The funnels of a view: one per phase, and what they add up to (for the summary, the table and the outliers). */
export interface PhaseFunnels {
  /** More than one phase, each drawn against its own rate (no phase chosen). */
  byPhase: boolean;
  panels: PhaseFunnel[];
  points: FunnelPoint[];
  counts: Record<FunnelPosition, number>;
  notPlaced: { suppressed: number; other: number };
  outliers: FunnelOutlier[];
  /** The target rate per 100 a school of this phase is set against (NULL when not published). */
  targetOf: (phase: string) => number | null;
  summary: string;
}

const PHASE_ORDER: readonly string[] = PHASES;

/**
 * The funnels for `targets` (funnelTargets: the chosen phase's, or each phase's own). Why one per
 * phase and not one for every school: phase changes exclusion rates more than anything else, so
 * against the LA's rate for all schools together every secondary school looked high and every
 * primary school low, and the list of schools outside the limits disagreed with the schools' own
 * pages, which place each school among its own phase (an outside review found both).
 */
export function phaseFunnels(
  rows: readonly FunnelRow[],
  targets: ReadonlyMap<string, FunnelTarget>,
  measure: MeasureKey,
  href: (urn: string) => string,
  alsoNotPlaced: { suppressed: number; other: number } = { suppressed: 0, other: 0 },
  laName = 'the local authority'
): PhaseFunnels {
  const rateOf = (t: FunnelTarget | undefined) => (t && t.numerator !== null && t.denominator !== null && t.denominator > 0 ? (t.numerator / t.denominator) * 100 : null);
  if (targets.size <= 1) {
    const [phase, target] = [...targets.entries()][0] ?? ['', { numerator: null, denominator: null, withEvent: null }];
    const view = funnelView(rows, target, measure, href, alsoNotPlaced);
    return { byPhase: false, panels: [{ phase, view }], ...view, targetOf: () => view.target };
  }
  const byPhase = new Map<string, FunnelRow[]>();
  for (const r of rows) {
    let list = byPhase.get(r.phase);
    if (!list) byPhase.set(r.phase, (list = []));
    list.push(r);
  }
  const rank = (p: string) => (PHASE_ORDER.includes(p) ? PHASE_ORDER.indexOf(p) : PHASE_ORDER.length);
  const phases = [...byPhase.keys()].sort((a, b) => rank(a) - rank(b) || compareText(a, b));
  const none: FunnelTarget = { numerator: null, denominator: null, withEvent: null };
  const all = phases.map((phase) => ({ phase, view: funnelView(byPhase.get(phase)!, targets.get(phase) ?? none, measure, href) }));
  // A phase whose LA rate is withheld has no funnel: its schools are counted and said apart.
  const panels = all.filter((p) => p.view.target !== null);
  const withoutTarget = all.filter((p) => p.view.target === null).map((p) => ({ phase: p.phase, n: byPhase.get(p.phase)!.length }));
  const counts: Record<FunnelPosition, number> = { 'above-998': 0, 'above-95': 0, inside: 0, 'below-95': 0, 'below-998': 0 };
  const notPlaced = { ...alsoNotPlaced };
  for (const { view } of panels) {
    for (const k of Object.keys(counts) as FunnelPosition[]) counts[k] += view.counts[k];
    notPlaced.suppressed += view.notPlaced.suppressed;
    notPlaced.other += view.notPlaced.other;
  }
  const points = panels.flatMap((p) => p.view.points);
  const outliers = panels.flatMap((p) => p.view.outliers as Outlier[]).sort(byDistance);
  const summary =
    `Each phase has its own funnel, around ${laName}’s rate for schools of that phase: phase changes exclusion rates more than anything else. ` +
    (withoutTarget.length > 0
      ? `${cap(listWords(withoutTarget.map((w) => `${count(w.n)} ${w.phase.toLowerCase()} ${w.n === 1 ? 'school' : 'schools'}`)))} ${
          withoutTarget.reduce((n, w) => n + w.n, 0) === 1 ? 'is' : 'are'
        } not placed: ${laName}’s own rate for ${withoutTarget.length === 1 ? 'that phase' : 'those phases'} is not published. `
      : '') +
    funnelSummary({ points, counts, notPlaced, target: panels.length > 0 ? 0 : null }, true);
  return { byPhase: true, panels, points, counts, notPlaced, outliers, targetOf: (phase) => rateOf(targets.get(phase)), summary };
}

function listWords(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;
}

function schools(n: number): string {
  return `${count(n)} ${n === 1 ? 'school' : 'schools'}`;
}

function are(n: number, verb: [string, string] = ['is', 'are']): string {
  return n === 0 ? `no school ${verb[0]}` : `${schools(n)} ${n === 1 ? verb[0] : verb[1]}`;
}

function about(n: number): string {
  return n < 1 ? 'none or one' : count(Math.round(n));
}

/** The funnel's one-paragraph text summary: what is placed, what is not and why, and what to make of it. */
export function funnelSummary(v: Pick<FunnelView, 'points' | 'counts' | 'notPlaced' | 'target'>, byPhase = false): string {
  // With a funnel per phase, each school is set against its own phase's rate.
  const rate = byPhase ? 'the local authority’s rate for its phase' : 'the local authority’s rate';
  const placed = v.points.length;
  const missing = v.notPlaced.suppressed + v.notPlaced.other;
  const why = v.notPlaced.other === 0 ? 'not published (small numbers)' : v.notPlaced.suppressed === 0 ? 'not available' : 'not published or not available';
  const missingText = missing === 0 ? '' : ` ${cap(are(missing))} not shown because ${missing === 1 ? 'its figures are' : 'their figures are'} ${why}.`;
  if (v.target === null) return `The local authority’s own rate for this selection is not published, so no limits can be drawn.${missingText}`;
  if (placed === 0) return `No school has published figures for this selection.${missingText}`;
  const above = v.counts['above-998'];
  const below = v.counts['below-998'];
  const between = v.counts['above-95'] + v.counts['below-95'];
  const outside =
    above + below === 0 ? 'No school is outside the 99.8% limits.' : `${cap(are(above))} above the 99.8% limits and ${are(below).replace(/ (is|are)$/, '')} below.`;
  const chance = placed * 0.002;
  // Many more schools outside the limits than chance would give means schools really differ from
  // one another (overdispersion, Spiegelhalter 2005 section 5): say what that does to the reading.
  const overdispersed =
    above + below >= 3 && above + below > 10 * Math.max(chance, 0.1)
      ? ` Far more schools are outside the limits than chance alone would put there, so schools really do differ from one another: being outside the limits says a school differs from ${rate} by more than chance, not that it is unusual among schools.`
      : '';
  return (
    `${schools(placed)} shown.${missingText} ${outside} ${cap(are(between, ['lies', 'lie']))} between the 95% and 99.8% limits. ` +
    `If every school had the same underlying rate${byPhase ? ' as the others of its phase' : ''}, chance alone would put about ${about(chance)} outside the 99.8% limits ` +
    `and about ${about(placed * 0.05)} outside the 95% limits.${overdispersed}`
  );
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
