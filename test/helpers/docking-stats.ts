/**
 * The statistics docking tests rely on: two implementations of the same rules agree in
 * distribution when a paired t-test on per-seed summaries and a two-sample Kolmogorov–Smirnov
 * test both fail to reject. Critical values for 20 seeds (two-sided α = 0.001).
 */

/** Student t, 19 d.f., two-sided α = 0.001. */
export const T_CRITICAL_19 = 3.883;
/** Exact two-sample KS, n = m = 20: D ≥ 13/20 has p = 0.00027. */
export const KS_CRITICAL_20 = 13 / 20;

/** Paired t statistic of the differences b − a (0 when all differences are 0). */
export function pairedT(a: readonly number[], b: readonly number[]): number {
  const d = a.map((x, k) => b[k] - x);
  const n = d.length;
  const mean = d.reduce((s, x) => s + x, 0) / n;
  const variance = d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  if (variance === 0) return mean === 0 ? 0 : Infinity;
  return mean / Math.sqrt(variance / n);
}

/** Two-sample Kolmogorov–Smirnov statistic: the largest gap between the empirical CDFs. */
export function ksStatistic(a: readonly number[], b: readonly number[]): number {
  const xs = [...new Set([...a, ...b])].sort((x, y) => x - y);
  const cdf = (v: readonly number[], x: number): number => v.filter((y) => y <= x).length / v.length;
  return Math.max(0, ...xs.map((x) => Math.abs(cdf(a, x) - cdf(b, x))));
}
