/**
 * The statistics `panopticon compare` shows for a metric's series: its final value, its
 * mean and maximum over the ticks, and its total over the days (ticks ≥ 1; tick 0 is the
 * synthesized population, not a day of flows). Same definitions as the store's summary.
 */
export type Stat = 'final' | 'mean' | 'max' | 'total';

export function statOf(series: ArrayLike<number>, stat: Stat): number {
  const n = series.length;
  if (n === 0) return NaN;
  if (stat === 'final') return series[n - 1];
  let sum = 0;
  let max = -Infinity;
  for (let i = stat === 'total' ? 1 : 0; i < n; i++) {
    sum += series[i];
    if (series[i] > max) max = series[i];
  }
  if (stat === 'total') return sum;
  return stat === 'mean' ? sum / n : max;
}

/** B − A, and the change relative to |A| where A is not 0. */
export function difference(a: number, b: number): { readonly delta: number; readonly relative: number | null } {
  const delta = b - a;
  return { delta, relative: a !== 0 && Number.isFinite(delta) ? delta / Math.abs(a) : null };
}
