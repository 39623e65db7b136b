/**
 * Bernoulli trials by skipping. Instead of one draw per trial, draw the number of
 * failures before the next success — geometric, from one uniform: ⌊ln(1 − u) / ln(1 − p)⌋ —
 * so the work is proportional to the successes, not to the trials. Heterogeneous rates
 * are sampled by thinning: skip at an upper bound q ≥ pᵢ and accept each candidate with
 * probability pᵢ / q; each trial still succeeds with probability exactly pᵢ.
 */
import type { CounterRng } from './rng.js';

export class Skipper {
  private logQ = 0;
  private never = true;

  /** Set the success probability of each trial (p ≤ 0: never; p ≥ 1: every trial). */
  rate(p: number): this {
    this.never = !(p > 0);
    this.logQ = p >= 1 ? -Infinity : Math.log1p(-p);
    return this;
  }

  /** Failures before the next success: 0, 1, 2, … (Infinity when p ≤ 0). */
  gap(rng: CounterRng): number {
    if (this.never) return Infinity;
    // 1 − u lies in (0, 1], so the logarithm is finite; at p = 1 the quotient is −0 → 0.
    return Math.floor(Math.log(1 - rng.uniform()) / this.logQ);
  }
}
