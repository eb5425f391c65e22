/**
 * Seeded pseudo-random numbers for the demo generator.
 *
 * The demo dataset must be byte-identical for the same seed on every machine and every run, so
 * nothing in the generator may touch Math.random, the clock or anything else outside the seed.
 * SplitMix32 is tiny, fast and statistically good enough for simulation (not for security).
 *
 * Each part of the generator (schools, cohorts, exclusions, comparators...) draws from its own
 * stream, derived from the seed and a label. That way a change in how many numbers one part draws
 * (say, a new column in the school list) does not reshuffle every pupil and every exclusion.
 */

/** FNV-1a over the label, mixed with the seed and finalised, so that nearby seeds give unrelated streams. */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= seed >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Rng {
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A fresh stream for a named sub-task; see the module comment for why streams are split. */
  static derive(seed: number, label: string): Rng {
    return new Rng(deriveSeed(seed, label));
  }

  /** Next unsigned 32-bit integer (SplitMix32). */
  u32(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform on [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform on the open interval (0, 1): safe to take logs and powers of. */
  open(): number {
    return (this.u32() + 0.5) / 4294967296;
  }

  /** Uniform on [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer on [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box-Muller, keeping the second value). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    const u = this.open();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** exp(N(mu, sigma)). */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Index drawn with probability proportional to weights[i] (weights need not sum to 1). */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] as number;
      if (x < 0) return i;
    }
    // Floating-point leftovers: return the last index with a positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] as number) > 0) return i;
    throw new Error('weightedIndex needs a positive weight');
  }

  /** Fisher-Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }
}

/**
 * Weighted sampling without replacement (Efraimidis-Spirakis): each candidate gets the key
 * log(u)/w, the k largest keys win. Returns the chosen positions (indexes into `weights`) in
 * ascending order. Candidates with weight 0 are never chosen unless k exceeds the positive ones.
 *
 * Exclusion counts are fixed in advance (calibrated allocation) and then handed to pupils by
 * weight; this is the step that turns "these 37 suspended EHC pupils" into which pupils they are.
 */
export function weightedSampleWithoutReplacement(rng: Rng, weights: ArrayLike<number>, k: number): number[] {
  const n = weights.length;
  if (k <= 0 || n === 0) return [];
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = weights[i] as number;
    // Zero-weight candidates share -Infinity and, if ever needed, are taken in index order.
    keys[i] = w > 0 ? Math.log(rng.open()) / w : -Infinity;
  }
  const sorted = Float64Array.from(keys).sort();
  const threshold = sorted[n - k] as number;
  const chosen: number[] = [];
  for (let i = 0; i < n && chosen.length < k; i++) if ((keys[i] as number) >= threshold) chosen.push(i);
  return chosen;
}

/** Cumulative weights, for repeated draws with replacement by binary search. */
export class CumulativeSampler {
  private readonly cum: Float64Array;

  constructor(weights: ArrayLike<number>) {
    this.cum = new Float64Array(weights.length);
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      total += Math.max(0, weights[i] as number);
      this.cum[i] = total;
    }
  }

  get total(): number {
    return this.cum.length === 0 ? 0 : (this.cum[this.cum.length - 1] as number);
  }

  /** Index of the weight hit by a uniform draw; requires total > 0. */
  draw(rng: Rng): number {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cum[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
