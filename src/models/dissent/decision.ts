/**
 * An individual's choice (Daymude, Axelrod & Forrest 2025): act at a level a ∈ [0, δ] of
 * dissent, δ the dissent one desires, to maximise the expected utility
 *   E[U](a) = β·(1 − δ + a) − Pr(observed | a)·π(a),  Pr(observed | a) = ν + (1 − ν)·a,
 *   π(a) = 0 for a ≤ τ; ψ (uniform) or ψ·(a − τ) (proportional) for a > τ.
 * The paper solves this in closed form (its Eqs. 5–8); here individuals search for the best
 * action numerically, so that the closed forms are a check on the model, not part of it.
 */
import type { Authority } from './params.js';

export type Phase = 'compliant' | 'self-censoring-full' | 'self-censoring-partial' | 'defiant';

/** Tolerance when classifying a numerically found action as δ or τ. */
const SLACK = 1e-7;
const GOLDEN = (Math.sqrt(5) - 1) / 2;

export function expectedUtility(a: number, delta: number, beta: number, auth: Authority): number {
  let u = beta * (1 - delta + a);
  if (a > auth.tolerance) {
    const observed = auth.surveillance + (1 - auth.surveillance) * a;
    u -= observed * (auth.punishment === 'uniform' ? auth.severity : auth.severity * (a - auth.tolerance));
  }
  return u;
}

/** Maximise f on [lo, hi] by golden-section search (f unimodal there). */
function goldenMax(f: (x: number) => number, lo: number, hi: number): number {
  let a = lo;
  let b = hi;
  let c = b - GOLDEN * (b - a);
  let d = a + GOLDEN * (b - a);
  while (b - a > 1e-12) {
    if (f(c) >= f(d)) b = d;
    else a = c;
    c = b - GOLDEN * (b - a);
    d = a + GOLDEN * (b - a);
  }
  return (a + b) / 2;
}

/**
 * The best action: the best of `grid` + 1 evenly spaced actions on [0, δ], the kink τ and δ
 * itself, then refined by golden-section search within one grid step on its side of τ
 * (the utility is smooth on each side, but jumps at τ under uniform punishment).
 */
export function bestAction(delta: number, beta: number, auth: Authority, grid: number): number {
  const u = (a: number): number => expectedUtility(a, delta, beta, auth);
  const tau = auth.tolerance;
  const candidates = [delta, ...(tau < delta ? [tau] : [])];
  for (let k = 0; k <= grid; k++) candidates.push((k * delta) / grid);
  let best = candidates[0];
  for (const a of candidates) if (u(a) > u(best)) best = a;
  const step = delta / grid;
  const [lo, hi] =
    best <= tau
      ? [Math.max(0, best - step), Math.min(tau, delta, best + step)]
      : [Math.max(tau, best - step), Math.min(delta, best + step)];
  if (hi - lo < 1e-12) return best;
  // Above τ the interval is open at τ (an action at τ is not punished): start just above it.
  const refined = goldenMax(u, best > tau && lo === tau ? tau + 1e-12 : lo, hi);
  return u(refined) > u(best) ? refined : best;
}

/** The paper's phases: compliant (δ ≤ τ), self-censoring (τ ≤ a < δ; full at a = τ), defiant (a = δ > τ). */
export function phaseOf(delta: number, tau: number, action: number): Phase {
  if (delta <= tau) return 'compliant';
  if (action >= delta - SLACK) return 'defiant';
  return action <= tau + SLACK ? 'self-censoring-full' : 'self-censoring-partial';
}
