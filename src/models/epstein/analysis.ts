/**
 * Outburst analysis of an actives series (Epstein 2002, "punctuated equilibrium").
 *
 * Definitions (index i of the series is tick i when the series starts at tick 0):
 *   - An outburst is a maximal run of consecutive ticks with actives > threshold
 *     (threshold 50 by default, the paper's). It starts at the first such tick and ends at
 *     the last one (inclusive); its length is end − start + 1.
 *   - Ticks before `burnIn` are ignored. An outburst is complete when the series is
 *     calm just before its start (or the start is tick 0) and just after its end; a run
 *     touching the end of the series or cut by the burn-in is incomplete.
 *   - Waiting time between consecutive outbursts i and i+1: the number of calm ticks
 *     between them, start(i+1) − end(i) − 1. The onset interval start(i+1) − start(i) is
 *     reported too, since "waiting time" is not defined more precisely in the sources.
 *   - Total activation of an outburst: the sum of actives over its ticks (complete ones).
 * Means and sample standard deviations (n − 1) are pooled over outbursts.
 */

export interface Outburst {
  readonly start: number;
  readonly end: number;
  readonly length: number;
  readonly peak: number;
  /** Sum of actives over the outburst's ticks. */
  readonly activation: number;
  readonly complete: boolean;
}

export interface OutburstOptions {
  /** Actives strictly above this count are an outburst (default 50). */
  readonly threshold?: number;
  /** Ignore ticks before this index (default 0). */
  readonly burnIn?: number;
}

export function findOutbursts(actives: ArrayLike<number>, options: OutburstOptions = {}): Outburst[] {
  const threshold = options.threshold ?? 50;
  const burnIn = Math.max(0, options.burnIn ?? 0);
  const n = actives.length;
  const out: Outburst[] = [];
  let i = burnIn;
  while (i < n) {
    if (!(actives[i] > threshold)) {
      i++;
      continue;
    }
    const start = i;
    let peak = 0;
    let activation = 0;
    while (i < n && actives[i] > threshold) {
      peak = Math.max(peak, actives[i]);
      activation += actives[i];
      i++;
    }
    const end = i - 1;
    const cutAtStart = start > 0 && start === burnIn && actives[start - 1] > threshold;
    const complete = !cutAtStart && end < n - 1;
    out.push({ start, end, length: end - start + 1, peak, activation, complete });
  }
  return out;
}

export interface MeanSd {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1); NaN for n < 2. */
  readonly sd: number;
}

export function meanSd(xs: readonly number[]): MeanSd {
  const n = xs.length;
  if (n === 0) return { n, mean: NaN, sd: NaN };
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / n;
  let v = 0;
  for (const x of xs) v += (x - mean) * (x - mean);
  return { n, mean, sd: n > 1 ? Math.sqrt(v / (n - 1)) : NaN };
}

export interface OutburstSummary {
  readonly outbursts: Outburst[];
  /** Calm ticks between consecutive outbursts. */
  readonly waits: number[];
  /** Onset-to-onset intervals. */
  readonly intervals: number[];
  /** Total activation of complete outbursts. */
  readonly activations: number[];
}

export function summarizeOutbursts(actives: ArrayLike<number>, options: OutburstOptions = {}): OutburstSummary {
  const outbursts = findOutbursts(actives, options);
  const waits: number[] = [];
  const intervals: number[] = [];
  for (let i = 1; i < outbursts.length; i++) {
    waits.push(outbursts[i].start - outbursts[i - 1].end - 1);
    intervals.push(outbursts[i].start - outbursts[i - 1].start);
  }
  const activations = outbursts.filter((o) => o.complete).map((o) => o.activation);
  return { outbursts, waits, intervals, activations };
}

/** Pool several runs' summaries (e.g. one per seed): waits never span two runs. */
export function poolOutbursts(summaries: readonly OutburstSummary[]): {
  count: number;
  wait: MeanSd;
  interval: MeanSd;
  activation: MeanSd;
} {
  const waits: number[] = [];
  const intervals: number[] = [];
  const activations: number[] = [];
  let count = 0;
  for (const s of summaries) {
    count += s.outbursts.length;
    waits.push(...s.waits);
    intervals.push(...s.intervals);
    activations.push(...s.activations);
  }
  return { count, wait: meanSd(waits), interval: meanSd(intervals), activation: meanSd(activations) };
}

/**
 * A statistic of values pooled over runs, with its standard error from run-to-run variation:
 * the delete-one-run jackknife. Outbursts within one run are not independent (each follows the
 * last one's jail cycle), so the run (seed), not the outburst, is the unit of replication.
 */
export function jackknife(
  groups: readonly (readonly number[])[],
  stat: (xs: number[]) => number,
): { value: number; se: number } {
  const value = stat(groups.flat());
  const n = groups.length;
  if (n < 2) return { value, se: NaN };
  const loo = groups.map((_, i) => stat(groups.filter((_, j) => j !== i).flat()));
  const m = loo.reduce((a, b) => a + b, 0) / n;
  return { value, se: Math.sqrt(((n - 1) / n) * loo.reduce((s, x) => s + (x - m) ** 2, 0)) };
}
