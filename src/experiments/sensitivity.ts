/**
 * Global sensitivity estimators, as pure functions of design coordinates and outputs:
 * Morris elementary effects (μ, μ*, σ) and Sobol' first-order and total indices from a
 * Saltelli design, each with bootstrap confidence intervals. SALib is the reference
 * implementation in Python; nothing comparable is maintained on npm, so they are written
 * here and checked against published values (test/experiment-estimators.test.ts:
 * Ishigami's analytic indices, a linear model's exact effects).
 */
import { CounterRng, streamId } from '../engine/rng.js';

export interface MorrisIndex {
  readonly mu: number;
  readonly muStar: number;
  readonly sigma: number;
  /** 95 % bootstrap interval of μ* (percentile, over trajectories). */
  readonly muStarLow: number;
  readonly muStarHigh: number;
  /** Trajectories that contributed an effect. */
  readonly r: number;
}

/**
 * `unit[t][s]`: the unit-cube coordinates of step s of trajectory t (k + 1 steps); `y[t][s]`
 * its output, NaN when missing. The elementary effect of the factor that moves between
 * steps s and s + 1 is Δy / Δu: the output's change per full range of the factor.
 */
export function morrisIndices(
  unit: readonly (readonly (readonly number[])[])[],
  y: readonly (readonly number[])[],
  k: number,
  bootstrap = 1000,
  seed = 1,
): MorrisIndex[] {
  const effects: number[][] = Array.from({ length: k }, () => []);
  unit.forEach((traj, t) => {
    for (let s = 0; s < traj.length - 1; s++) {
      const a = traj[s];
      const b = traj[s + 1];
      const i = a.findIndex((v, j) => v !== b[j]);
      if (i < 0) continue;
      const dy = y[t][s + 1] - y[t][s];
      if (Number.isFinite(dy)) effects[i].push(dy / (b[i] - a[i]));
    }
  });
  const rng = new CounterRng(seed, streamId('experiment:bootstrap:morris'));
  return effects.map((ee, i) => {
    const r = ee.length;
    const mu = mean(ee);
    const abs = ee.map(Math.abs);
    const muStar = mean(abs);
    const sigma = r > 1 ? Math.sqrt(ee.reduce((s, e) => s + (e - mu) ** 2, 0) / (r - 1)) : NaN;
    const boots: number[] = [];
    for (let b = 0; b < bootstrap && r > 1; b++) {
      rng.key(i, b);
      let s = 0;
      for (let j = 0; j < r; j++) s += abs[rng.below(r)];
      boots.push(s / r);
    }
    const [muStarLow, muStarHigh] = percentiles(boots);
    return { mu, muStar, sigma, muStarLow, muStarHigh, r };
  });
}

export interface SobolIndex {
  readonly s1: number;
  readonly s1Low: number;
  readonly s1High: number;
  readonly st: number;
  readonly stLow: number;
  readonly stHigh: number;
  /** Base samples j with every output present. */
  readonly n: number;
}

/**
 * Sobol' indices from a Saltelli design: `yA[j]`, `yB[j]` and `yAB[i][j]` (A with column i
 * from B). First order: Saltelli et al. (2010) eq. (b) with f_B centred, S1_i = mean((f_B − f̄)(f_ABi − f_A)) / V;
 * total: Jansen (1999), ST_i = mean((f_A − f_ABi)²) / 2V; V is the variance of f_A and f_B
 * pooled. Rows j with a missing output are dropped. Intervals: percentile bootstrap over j.
 */
export function sobolIndices(
  yA: readonly number[],
  yB: readonly number[],
  yAB: readonly (readonly number[])[],
  bootstrap = 1000,
  seed = 1,
): SobolIndex[] {
  const k = yAB.length;
  const rows = yA
    .map((_, j) => j)
    .filter((j) => Number.isFinite(yA[j]) && Number.isFinite(yB[j]) && yAB.every((c) => Number.isFinite(c[j])));
  const estimate = (js: readonly number[]) => {
    const pooled: number[] = [];
    for (const j of js) pooled.push(yA[j], yB[j]);
    const m = mean(pooled);
    const v = pooled.reduce((s, x) => s + (x - m) ** 2, 0) / pooled.length;
    return yAB.map((col) => {
      let s1 = 0;
      let st = 0;
      for (const j of js) {
        // Centred f_B: same expectation (E[f_ABi − f_A] = 0), much less noise when the
        // output's mean is large against its spread (counts of thousands, say).
        s1 += (yB[j] - m) * (col[j] - yA[j]);
        st += (yA[j] - col[j]) ** 2;
      }
      return { s1: s1 / js.length / v, st: st / js.length / (2 * v) };
    });
  };
  const point = estimate(rows);
  const rng = new CounterRng(seed, streamId('experiment:bootstrap:sobol'));
  const boots: { s1: number; st: number }[][] = [];
  for (let b = 0; b < bootstrap && rows.length > 1; b++) {
    rng.key(b, 0);
    boots.push(estimate(rows.map(() => rows[rng.below(rows.length)])));
  }
  return Array.from({ length: k }, (_, i) => {
    const [s1Low, s1High] = percentiles(boots.map((bt) => bt[i].s1));
    const [stLow, stHigh] = percentiles(boots.map((bt) => bt[i].st));
    return { s1: point[i].s1, s1Low, s1High, st: point[i].st, stLow, stHigh, n: rows.length };
  });
}

function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN;
}

/** 2.5th and 97.5th percentiles (linear interpolation), NaN for no finite values. */
export function percentiles(xs: readonly number[]): [number, number] {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return [NaN, NaN];
  const q = (p: number) => {
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    return s[lo] + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]) - s[lo]);
  };
  return [q(0.025), q(0.975)];
}
