/**
 * Statistics over replicates: means with Student-t 95 % confidence intervals, paired
 * differences on common random numbers, and the Vargha–Delaney A effect size. The t
 * quantile comes from jstat; the rest is a few lines each.
 */
import jstatModule from 'jstat';

const { jStat } = jstatModule as unknown as typeof import('jstat');

export interface Interval {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1); NaN when n < 2. */
  readonly sd: number;
  /** 95 % confidence interval of the mean (Student t, n − 1 degrees of freedom); NaN when n < 2. */
  readonly low: number;
  readonly high: number;
  readonly halfWidth: number;
}

/** Two-sided critical value of Student's t for 95 % coverage with `df` degrees of freedom. */
export function t975(df: number): number {
  return jStat.studentt.inv(0.975, df);
}

export function interval(xs: readonly number[]): Interval {
  const n = xs.length;
  if (n === 0) return { n, mean: NaN, sd: NaN, low: NaN, high: NaN, halfWidth: NaN };
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= n;
  if (n < 2) return { n, mean, sd: NaN, low: NaN, high: NaN, halfWidth: NaN };
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  const halfWidth = (t975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, low: mean - halfWidth, high: mean + halfWidth, halfWidth };
}

/**
 * Vargha & Delaney's (2000) A: the probability that a value drawn from `x` exceeds one
 * drawn from `y`, ties counting half. 0.5 = no effect; 0.56 / 0.64 / 0.71 are their
 * small / medium / large thresholds (and symmetrically below 0.5).
 */
export function varghaDelaneyA(x: readonly number[], y: readonly number[]): number {
  if (!x.length || !y.length) return NaN;
  let wins = 0;
  for (const a of x) for (const b of y) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (x.length * y.length);
}

export interface Paired extends Interval {
  /** Vargha–Delaney A of the arm against the reference (over the same replicates). */
  readonly a: number;
}

/** Differences arm − reference, replicate by replicate (the pairs share seeds: common random numbers). */
export function pairedDifference(arm: ReadonlyMap<number, number>, reference: ReadonlyMap<number, number>): Paired {
  const x: number[] = [];
  const y: number[] = [];
  const d: number[] = [];
  for (const [rep, v] of arm) {
    const r = reference.get(rep);
    if (r === undefined) continue;
    x.push(v);
    y.push(r);
    d.push(v - r);
  }
  return { ...interval(d), a: varghaDelaneyA(x, y) };
}
