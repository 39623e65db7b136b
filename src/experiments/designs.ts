/**
 * Designs: which factor values each design point gets. Every design works in the unit
 * cube and maps coordinates to values per factor (linear or log range, integer rounding
 * where the model wants integers, or an index into a list of levels), so the estimators
 * see the same coordinates the points were built from.
 *
 * Random choices (LHS strata, Morris starting points, orders and directions) come from the
 * engine's counter-based RNG keyed by the experiment's seed: the same file gives the same
 * design on any machine.
 */
import { CounterRng, streamId } from '../engine/rng.js';
import type { FactorPath } from '../scenario/paths.js';
import { sobolPoints } from './sobol-sequence.js';
import type { DesignSpec } from './spec.js';

export type Value = number | boolean | string;

export interface Factor {
  readonly name: string;
  readonly path: FactorPath;
  readonly range?: readonly [number, number];
  readonly levels?: readonly Value[];
  readonly scale: 'linear' | 'log';
  readonly integer: boolean;
}

export interface DesignPoint {
  /** Where the point sits in its design: `grid`, `lhs`, `A[3]`, `AB2[3]`, `B[3]`, `traj 1 step 0`, `base`. */
  readonly role: string;
  /** Unit-cube coordinates (absent for grid points, which are built from values). */
  readonly unit?: readonly number[];
  readonly values: readonly Value[];
}

export interface Design {
  readonly type: 'base' | DesignSpec['type'];
  readonly points: readonly DesignPoint[];
  /** Sobol: point j·(k+2) is A_j, j·(k+2)+i is AB_i,j (i = 1..k), j·(k+2)+k+1 is B_j. */
  readonly sobol?: { readonly N: number; readonly k: number };
  /** Morris: point t·(k+1)+s is step s of trajectory t. */
  readonly morris?: { readonly r: number; readonly k: number; readonly delta: number };
}

/** The value of factor `f` at unit coordinate u ∈ [0, 1]. */
export function valueAt(f: Factor, u: number): Value {
  if (f.levels) return f.levels[Math.min(f.levels.length - 1, Math.floor(u * f.levels.length))];
  const [lo, hi] = f.range!;
  const v = f.scale === 'log' ? lo * Math.pow(hi / lo, u) : lo + u * (hi - lo);
  return f.integer ? Math.round(v) : v;
}

/** Evenly spaced values of a ranged factor for a grid (ends included). */
export function gridLevels(f: Factor, count: number): Value[] {
  if (f.levels) return [...f.levels];
  const out: Value[] = [];
  for (let i = 0; i < count; i++) out.push(valueAt(f, count === 1 ? 0 : i / (count - 1)));
  return [...new Set(out)];
}

function fromUnit(factors: readonly Factor[], unit: readonly number[], role: string): DesignPoint {
  return { role, unit, values: factors.map((f, i) => valueAt(f, unit[i])) };
}

export function buildDesign(factors: readonly Factor[], spec: DesignSpec | undefined, seed: number): Design {
  const k = factors.length;
  if (k === 0 || !spec) return { type: 'base', points: [{ role: 'base', values: [] }] };
  switch (spec.type) {
    case 'grid': {
      const axes = factors.map((f) => gridLevels(f, spec.levels));
      let rows: Value[][] = [[]];
      for (const axis of axes) rows = rows.flatMap((r) => axis.map((v) => [...r, v]));
      return { type: 'grid', points: rows.map((values) => ({ role: 'grid', values })) };
    }
    case 'lhs':
      return { type: 'lhs', points: latinHypercube(spec.samples, k, seed).map((u) => fromUnit(factors, u, 'lhs')) };
    case 'sobol': {
      const N = spec.samples;
      // Point 0 of the sequence is the origin: there A, B and every AB_i coincide (all factors
      // at their lower ends), so it would cost k + 2 runs and tell nothing. Start at point 1.
      const base = sobolPoints(N + 1, 2 * k).slice(1);
      const points: DesignPoint[] = [];
      base.forEach((row, j) => {
        const a = row.slice(0, k);
        const b = row.slice(k);
        points.push(fromUnit(factors, a, `A[${j}]`));
        for (let i = 0; i < k; i++) {
          const ab = a.slice();
          ab[i] = b[i];
          points.push(fromUnit(factors, ab, `AB${i + 1}[${j}]`));
        }
        points.push(fromUnit(factors, b, `B[${j}]`));
      });
      return { type: 'sobol', points, sobol: { N, k } };
    }
    case 'morris': {
      const { points, delta } = morrisTrajectories(spec.trajectories, k, spec.levels, seed);
      return {
        type: 'morris',
        points: points.map((u, i) => fromUnit(factors, u, `traj ${Math.floor(i / (k + 1))} step ${i % (k + 1)}`)),
        morris: { r: spec.trajectories, k, delta },
      };
    }
  }
}

/** n points in [0,1)^k, one in each of n equal strata per dimension, jittered within the stratum. */
export function latinHypercube(n: number, k: number, seed: number): number[][] {
  const rng = new CounterRng(seed, streamId('experiment:lhs'));
  const rows = Array.from({ length: n }, () => new Array<number>(k));
  for (let d = 0; d < k; d++) {
    rng.key(d, 0);
    const perm = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    rng.key(d, 1);
    for (let i = 0; i < n; i++) rows[i][d] = (perm[i] + rng.uniform()) / n;
  }
  return rows;
}

/**
 * r Morris trajectories of k+1 points each on a p-level grid {0, 1/(p−1), …, 1}: a random
 * base point x* on the levels that leave room for a step Δ = p / (2(p − 1)), then one
 * factor at a time, in random order, moves by Δ up or down (random direction) — the B*
 * construction of Morris (1991) as given by Saltelli et al. (2008, §3.3). Campolongo's
 * selection of the most spread-out trajectories is not applied.
 */
export function morrisTrajectories(
  r: number,
  k: number,
  p: number,
  seed: number,
): { points: number[][]; delta: number } {
  const delta = p / (2 * (p - 1));
  const rng = new CounterRng(seed, streamId('experiment:morris'));
  // Levels x* may start from: those with x* + Δ ≤ 1.
  const starts: number[] = [];
  for (let l = 0; l < p; l++) if (l / (p - 1) + delta <= 1 + 1e-12) starts.push(l / (p - 1));
  const points: number[][] = [];
  for (let t = 0; t < r; t++) {
    rng.key(t, 0);
    const order = Array.from({ length: k }, (_, i) => i);
    for (let i = k - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const x = new Array<number>(k);
    const up = new Array<boolean>(k);
    for (let i = 0; i < k; i++) {
      const base = starts[rng.below(starts.length)];
      up[i] = rng.uniform() < 0.5;
      // Moving down from x* + Δ lands on x*: both ends stay on the grid.
      x[i] = up[i] ? base : base + delta;
    }
    points.push(x.slice());
    for (const i of order) {
      x[i] = up[i] ? x[i] + delta : x[i] - delta;
      points.push(x.slice());
    }
  }
  return { points, delta };
}
