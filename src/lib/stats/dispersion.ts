/**
 * How much wider than Poisson the uncertainty of a suspension count is, because suspensions cluster
 * within pupils.
 *
 * Why: the exact Poisson methods (Garwood intervals, Spiegelhalter's Poisson funnel, the
 * conditional test for two Poisson rates) treat every suspension as an independent event. They are
 * not: in England in 2022/23, 786,961 suspensions fell to 304,040 pupils (DfE, "Suspensions and
 * permanent exclusions in England, 2022/23"), 2.6 each on average, and a pupil suspended once is
 * likely to be suspended again. The independent unit is the pupil. With Poisson methods, schools
 * simulated with one underlying rate (dispersion.test.ts) fell outside the 99.8% funnel limits 12%
 * of the time, where 0.2% belong: signals that are only repeat suspensions of a few pupils. With
 * the dispersion, 0.23%.
 *
 * The model: pupils are suspended independently (a Poisson number of them), and each suspended
 * pupil's number of suspensions Y is geometric on 1, 2, 3, ... with mean m = suspensions / pupils
 * suspended. The total is then a compound Poisson count whose variance is φ times its mean, with
 * φ = E[Y²] / E[Y] = 2m − 1 (φ = 1, plain Poisson, when every suspended pupil has one suspension).
 * On the demo extract, where E[Y²] / E[Y] can be measured pupil by pupil, 2m − 1 is within 7% of
 * it in every year and SEN group (m from 1.7 to 3.4, φ from 2.5 to 5.6); but the demo is synthetic,
 * its clustering made by this project's generator, so that says the arithmetic works, not that real
 * pupils are geometric. A real council's pupils may have a heavier tail than the geometric (more
 * pupils with many suspensions), which would make φ larger still; φ = m is the smallest the figures
 * allow whatever the distribution (E[Y²] ≥ E[Y]²).
 *
 * How it is used (each in its own module): a count S with dispersion φ is treated as φ times a
 * Poisson count of S / φ, the usual quasi-Poisson scaling (McCullagh and Nelder, Generalized
 * Linear Models, 2nd ed., 1989, 4.5). So the interval is Garwood's on S / φ times φ; the funnel's
 * limits at n pupils are the Poisson limits at n / φ; and two counts are compared by the
 * conditional test on O / φ out of (O + S) / φ, with the binomial's cumulative probability taken at
 * non-integer arguments through the incomplete beta function. These are approximations, exact in
 * form only: the true count (Poisson-geometric) is more skewed than φ times a Poisson, so at a
 * handful of expected suspensions the upper limits are still exceeded more often than they
 * promise (an outside review, by exact recursion: the 99.8% limit 0.46% of the time at 3 expected,
 * 0.32% at 13, 0.20% at 78), and the lower ones less often.
 *
 * φ comes from the figures that are described or compared (every published suspension count has
 * its pupils-suspended count beside it, because disclosure control publishes or withholds them
 * together), pooled when several are compared: under "no difference" they share one process. A
 * school's own figures are pooled with its similar schools' (school-view.ts), a funnel takes the
 * LA's, a reason its pupil group's. Where the pupils suspended are not known, England's 2022/23
 * figure stands in. Known limit: over several years pooled, pupils suspended are summed year by
 * year, so a pupil suspended in two years counts twice and φ comes out low (by about a quarter for
 * three years on the demo extract, measured pupil by pupil).
 */

/** A count of events and the number of pupils with at least one of them, as published (NULL when withheld). */
export interface EventPair {
  events: number | null;
  withEvent: number | null;
}

/** England, 2022/23: DfE, "Suspensions and permanent exclusions in England, academic year 2022/23". */
export const ENGLAND_SUSPENSIONS_2022_23 = 786_961;
export const ENGLAND_PUPILS_SUSPENDED_2022_23 = 304_040;

/** φ = 2m − 1 for m events per pupil with an event (geometric counts); never below 1. */
export function dispersionOf(perPupil: number): number {
  if (!Number.isFinite(perPupil)) throw new RangeError(`dispersionOf: need a finite number (${perPupil})`);
  return Math.max(1, 2 * perPupil - 1);
}

/** The stand-in when a figure's pupils with an event are not known: England's, 2022/23 (about 4.2). */
export const DEFAULT_DISPERSION = dispersionOf(ENGLAND_SUSPENSIONS_2022_23 / ENGLAND_PUPILS_SUSPENDED_2022_23);

/**
 * Events per pupil with an event, pooled over the pairs where both are published and some pupil
 * had one; NULL when there is no such pair.
 */
export function eventsPerPupil(pairs: readonly EventPair[]): number | null {
  let events = 0;
  let pupils = 0;
  for (const p of pairs) {
    if (p.events === null || p.withEvent === null || !(p.withEvent > 0) || !(p.events >= 0)) continue;
    events += p.events;
    pupils += p.withEvent;
  }
  return pupils > 0 ? events / pupils : null;
}

/** The dispersion of the pairs pooled (see the module comment), England's when none tells. */
export function dispersion(pairs: readonly EventPair[]): number {
  const m = eventsPerPupil(pairs);
  return m === null ? DEFAULT_DISPERSION : dispersionOf(m);
}

/** The dispersion for a kind of count: `dispersion(pairs)` for events, 1 for pupils with an event (one per pupil). */
export function dispersionFor(kind: 'proportion' | 'events', pairs: readonly EventPair[]): number {
  return kind === 'events' ? dispersion(pairs) : 1;
}
