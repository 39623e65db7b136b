/**
 * The experiment layer's estimators against functions whose answers are published:
 * Ishigami's analytic Sobol' indices, a linear model's exact elementary effects, Student-t
 * quantiles from the tables, and Vargha–Delaney A on small hand-checked samples.
 * Tolerances come from the sample size (the estimators' own standard errors), not tuning.
 */
import { describe, expect, it } from 'vitest';
import { buildDesign, morrisTrajectories, type Factor } from '../src/experiments/designs.js';
import type { FactorPath } from '../src/scenario/paths.js';
import { morrisIndices, sobolIndices } from '../src/experiments/sensitivity.js';
import { interval, pairedDifference, t975, varghaDelaneyA } from '../src/experiments/stats.js';

const path = (text: string): FactorPath => ({ text, segments: [text], leaves: [[text]], baseValue: 0 });
const ranged = (name: string, lo: number, hi: number): Factor => ({
  name,
  path: path(name),
  range: [lo, hi],
  scale: 'linear',
  integer: false,
});

// Ishigami & Homma (1990) with a = 7, b = 0.1 on [−π, π]^3; indices as in Saltelli et al. (2008) and SALib.
const A = 7;
const B = 0.1;
const ishigami = (x: readonly number[]) => Math.sin(x[0]) + A * Math.sin(x[1]) ** 2 + B * x[2] ** 4 * Math.sin(x[0]);
const PI4 = Math.PI ** 4;
const PI8 = Math.PI ** 8;
const V = A ** 2 / 8 + (B * PI4) / 5 + (B ** 2 * PI8) / 18 + 0.5;
const V1 = 0.5 * (1 + (B * PI4) / 5) ** 2;
const V2 = A ** 2 / 8;
const V13 = (8 * B ** 2 * PI8) / 225;
const S1 = [V1 / V, V2 / V, 0];
const ST = [(V1 + V13) / V, V2 / V, V13 / V];

describe('Sobol indices on the Ishigami function', () => {
  const N = 4096;
  const factors = ['x1', 'x2', 'x3'].map((n) => ranged(n, -Math.PI, Math.PI));
  const design = buildDesign(factors, { type: 'sobol', samples: N }, 1);
  const k = 3;
  const y = design.points.map((p) => ishigami(p.values as number[]));
  const yA = Array.from({ length: N }, (_, j) => y[j * (k + 2)]);
  const yB = Array.from({ length: N }, (_, j) => y[j * (k + 2) + k + 1]);
  const yAB = Array.from({ length: k }, (_, i) => Array.from({ length: N }, (_, j) => y[j * (k + 2) + i + 1]));
  const indices = sobolIndices(yA, yB, yAB, 500, 3);

  it('lays out N × (k + 2) points, A, AB_i and B by base sample', () => {
    expect(design.points).toHaveLength(N * (k + 2));
    expect(design.points[1].role).toBe('AB1[0]');
    const a = design.points[7 * (k + 2)].unit!;
    const b = design.points[7 * (k + 2) + k + 1].unit!;
    const ab2 = design.points[7 * (k + 2) + 2].unit!;
    expect(ab2).toEqual([a[0], b[1], a[2]]);
  });

  it('reproduces the analytic first-order and total indices within 4 Monte-Carlo standard errors', () => {
    // Standard error of each estimator's mean-of-terms at this N: sd(term) / (V √N). Quasi-random
    // points do better than Monte Carlo, so 4 MC standard errors is a conservative bound.
    const pooled = [...yA, ...yB];
    const m = pooled.reduce((s, x) => s + x, 0) / pooled.length;
    const v = pooled.reduce((s, x) => s + (x - m) ** 2, 0) / pooled.length;
    const sd = (xs: number[]) => {
      const mu = xs.reduce((s, x) => s + x, 0) / xs.length;
      return Math.sqrt(xs.reduce((s, x) => s + (x - mu) ** 2, 0) / (xs.length - 1));
    };
    for (let i = 0; i < k; i++) {
      const s1Terms = yB.map((b, j) => (b - m) * (yAB[i][j] - yA[j]));
      const stTerms = yA.map((a, j) => (a - yAB[i][j]) ** 2 / 2);
      const se1 = sd(s1Terms) / v / Math.sqrt(N);
      const seT = sd(stTerms) / v / Math.sqrt(N);
      expect(Math.abs(indices[i].s1 - S1[i])).toBeLessThan(4 * se1);
      expect(Math.abs(indices[i].st - ST[i])).toBeLessThan(4 * seT);
      expect(indices[i].n).toBe(N);
    }
  });

  it('gives bootstrap intervals that contain the analytic values and shrink with N', () => {
    for (let i = 0; i < k; i++) {
      // Bootstrap percentiles of a QMC sample are conservative; the true value must lie inside.
      expect(indices[i].s1Low).toBeLessThanOrEqual(S1[i] + 1e-9);
      expect(indices[i].s1High).toBeGreaterThanOrEqual(S1[i] - 1e-9);
      expect(indices[i].stLow).toBeLessThanOrEqual(ST[i]);
      expect(indices[i].stHigh).toBeGreaterThanOrEqual(ST[i]);
    }
    const small = buildDesign(factors, { type: 'sobol', samples: 256 }, 1);
    const ys = small.points.map((p) => ishigami(p.values as number[]));
    const n = 256;
    const wide = sobolIndices(
      Array.from({ length: n }, (_, j) => ys[j * 5]),
      Array.from({ length: n }, (_, j) => ys[j * 5 + 4]),
      [0, 1, 2].map((i) => Array.from({ length: n }, (_, j) => ys[j * 5 + i + 1])),
      500,
      3,
    );
    // Interval width scales as 1/√N: 16× the samples, about 4× narrower (allow 2×–8×).
    const ratio = (wide[0].s1High - wide[0].s1Low) / (indices[0].s1High - indices[0].s1Low);
    expect(ratio).toBeGreaterThan(2);
    expect(ratio).toBeLessThan(8);
  });

  it('drops base samples with a missing output', () => {
    const holes = yA.slice();
    holes[5] = NaN;
    expect(sobolIndices(holes, yB, yAB, 0)[0].n).toBe(N - 1);
  });
});

describe('Morris elementary effects on a linear model', () => {
  // y = Σ β_i x_i on ranges [lo_i, hi_i]: every elementary effect of factor i, per full
  // range, is exactly β_i (hi_i − lo_i), so μ = μ* = |β_i (hi_i − lo_i)| (sign in μ) and σ = 0.
  const beta = [2, -3, 0, 0.5];
  const ranges: [number, number][] = [
    [0, 1],
    [10, 20],
    [-5, 5],
    [0, 100],
  ];
  const factors = ranges.map(([lo, hi], i) => ranged(`x${i}`, lo, hi));
  const r = 20;
  const k = 4;
  const design = buildDesign(factors, { type: 'morris', trajectories: r, levels: 4 }, 9);
  const unit = Array.from({ length: r }, (_, t) =>
    design.points.slice(t * (k + 1), (t + 1) * (k + 1)).map((p) => p.unit!),
  );
  const y = Array.from({ length: r }, (_, t) =>
    design.points
      .slice(t * (k + 1), (t + 1) * (k + 1))
      .map((p) => (p.values as number[]).reduce((s, x, i) => s + beta[i] * x, 0)),
  );
  const idx = morrisIndices(unit, y, k, 200, 1);

  it('gives μ* = |β (hi − lo)|, μ with its sign, σ = 0, one effect per trajectory', () => {
    idx.forEach((m, i) => {
      const effect = beta[i] * (ranges[i][1] - ranges[i][0]);
      expect(m.r).toBe(r);
      expect(m.mu).toBeCloseTo(effect, 9);
      expect(m.muStar).toBeCloseTo(Math.abs(effect), 9);
      expect(m.sigma).toBeLessThan(1e-9 * Math.max(1, Math.abs(effect)));
    });
  });

  it('builds trajectories that move one factor at a time by Δ = p / (2(p − 1)) and stay in [0, 1]', () => {
    const { points, delta } = morrisTrajectories(30, 5, 6, 4);
    expect(delta).toBeCloseTo(0.6, 12);
    for (let t = 0; t < 30; t++) {
      const traj = points.slice(t * 6, (t + 1) * 6);
      const moved = new Set<number>();
      for (let s = 0; s < 5; s++) {
        const diff = traj[s].map((v, j) => traj[s + 1][j] - v);
        const changed = diff.flatMap((d, j) => (Math.abs(d) > 1e-12 ? [j] : []));
        expect(changed).toHaveLength(1);
        expect(Math.abs(diff[changed[0]])).toBeCloseTo(delta, 12);
        moved.add(changed[0]);
      }
      expect(moved.size).toBe(5);
      const all = traj.flat();
      expect(Math.min(...all)).toBeGreaterThanOrEqual(-1e-12);
      expect(Math.max(...all)).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  it('separates an influential nonlinear factor from an inert one (σ > 0 for interaction)', () => {
    // y = x0 · x1: both factors' effects depend on the other (σ > 0); x2 does nothing.
    const f3 = [ranged('a', 0, 1), ranged('b', 0, 1), ranged('c', 0, 1)];
    const d = buildDesign(f3, { type: 'morris', trajectories: 40, levels: 4 }, 2);
    const u = Array.from({ length: 40 }, (_, t) => d.points.slice(t * 4, t * 4 + 4).map((p) => p.unit!));
    const yy = Array.from({ length: 40 }, (_, t) =>
      d.points.slice(t * 4, t * 4 + 4).map((p) => (p.values[0] as number) * (p.values[1] as number)),
    );
    const m = morrisIndices(u, yy, 3, 100, 1);
    expect(m[0].sigma).toBeGreaterThan(0.1);
    expect(m[1].sigma).toBeGreaterThan(0.1);
    expect(m[2].muStar).toBe(0);
  });
});

describe('intervals and effect sizes', () => {
  it('uses Student t critical values from the tables', () => {
    // t_{0.975} for 1, 4, 9, 29 degrees of freedom (any statistics table).
    expect(t975(1)).toBeCloseTo(12.706, 3);
    expect(t975(4)).toBeCloseTo(2.776, 3);
    expect(t975(9)).toBeCloseTo(2.262, 3);
    expect(t975(29)).toBeCloseTo(2.045, 3);
  });

  it('computes mean, s.d. and the 95 % interval', () => {
    const r = interval([1, 2, 3, 4, 5]);
    expect(r.mean).toBe(3);
    expect(r.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(r.halfWidth).toBeCloseTo((2.776445 * Math.sqrt(2.5)) / Math.sqrt(5), 5);
    expect(interval([7]).sd).toBeNaN();
  });

  it('computes Vargha–Delaney A with ties counting half', () => {
    expect(varghaDelaneyA([1, 2, 3], [1, 2, 3])).toBe(0.5);
    expect(varghaDelaneyA([4, 5], [1, 2])).toBe(1);
    expect(varghaDelaneyA([1, 2], [4, 5])).toBe(0);
    // pairs (3>1, 3>2, 3=3, 1=1, 1<2, 1<3) → (1 + 1 + 0.5 + 0.5 + 0 + 0) / 6
    expect(varghaDelaneyA([3, 1], [1, 2, 3])).toBeCloseTo(3 / 6, 12);
  });

  it('pairs replicates by seed: a common shift is exact even when the noise is large', () => {
    const ref = new Map<number, number>();
    const arm = new Map<number, number>();
    for (let r = 0; r < 10; r++) {
      const noise = Math.sin(r * 12.9898) * 1000; // shared by both arms (same seed)
      ref.set(r, 50 + noise);
      arm.set(r, 51 + noise);
    }
    arm.set(10, 3); // an unpaired replicate is ignored
    const d = pairedDifference(arm, ref);
    expect(d.n).toBe(10);
    expect(d.mean).toBeCloseTo(1, 9);
    expect(d.halfWidth).toBeLessThan(1e-9);
  });
});
