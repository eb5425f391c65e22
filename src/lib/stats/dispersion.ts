/**
 * How much wider than Poisson the uncertainty of a suspension count is, because suspensions cluster
 * within pupils.
 *
 * Why: the exact Poisson methods (Garwood intervals, Spiegelhalter's Poisson funnel, the
 * conditional test for two Poisson rates) treat every suspension as an independent event. They are
 * not: in England in 2022/23, 786,961 suspensions fell to 304,040 pupils (DfE, "Suspensions and
 * permanent exclusions in England, 2022/23"), 2.6 each on average, and a pupil suspended once is
 * likely to be suspended again. The independent unit is the pupil. With Poisson methods a review of
 * this code (simulating schools that all had the same underlying rate) put 12% of them outside the
 * 99.8% funnel limits, where 0.2% belong: signals that are only repeat suspensions of a few pupils.
 *
 * The model: pupils are suspended independently (a Poisson number of them), and each suspended
 * pupil's number of suspensions Y is geometric on 1, 2, 3, ... with mean m = suspensions / pupils
 * suspended. The total is then a compound Poisson count whose variance is φ times its mean, with
 * φ = E[Y²] / E[Y] = 2m − 1 (φ = 1, plain Poisson, when every suspended pupil has one suspension).
 * On the demo extract's pupil-level data, where E[Y²] / E[Y] can be measured, 2m − 1 is within 5% of
 * it in every year and SEN group (m from 1.7 to 3.4, φ from 2.5 to 5.6). A real council's pupils may
 * have a heavier tail than the geometric (more pupils with many suspensions), which would make φ
 * larger still; φ = m is the smallest the figures allow whatever the distribution (E[Y²] ≥ E[Y]²).
 *
 * How it is used (each in its own module): a count S with dispersion φ is treated as φ times a
 * Poisson count of S / φ, the usual quasi-Poisson scaling (McCullagh and Nelder, Generalized
 * Linear Models, 2nd ed., 1989, 4.5; Spiegelhalter 2005, section 5, for funnels). So the interval
 * is Garwood's on S / φ times φ; the funnel's limits at n pupils are the Poisson limits at n / φ;
 * and two counts are compared by the conditional test on O / φ out of (O + S) / φ, with the
 * binomial's cumulative probability taken at non-integer arguments through the incomplete beta
 * function.
 *
 * φ comes from the same figures that are described or compared (every published suspension count
 * has its pupils-suspended count beside it, because disclosure control publishes or withholds them
 * together), pooled when several are compared: under "no difference" they share one process.
 * Where the pupils suspended are not known, England's 2022/23 figure stands in.
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
