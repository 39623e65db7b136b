/**
 * A run's metric rows indexed by metric and key, with the statistics `compare` uses. Built
 * from the store's long form in Node or from a run in memory in the browser.
 */
import type { MetricRow } from './types.js';

export type Stat = 'final' | 'mean' | 'max' | 'total';

export class RunSeries {
  /** Distinct ticks, ascending. */
  readonly ticks: readonly number[];
  private readonly byMetric = new Map<string, Map<string, (number | null)[]>>();

  constructor(rows: readonly MetricRow[]) {
    const ticks = [...new Set(rows.map((r) => r.tick))].sort((a, b) => a - b);
    this.ticks = ticks;
    const at = new Map(ticks.map((t, i) => [t, i]));
    for (const r of rows) {
      let keys = this.byMetric.get(r.metric);
      if (!keys) this.byMetric.set(r.metric, (keys = new Map()));
      let vals = keys.get(r.key);
      if (!vals) keys.set(r.key, (vals = new Array<number | null>(ticks.length).fill(null)));
      vals[at.get(r.tick)!] = r.value === null || Number.isNaN(r.value) ? null : r.value;
    }
  }

  has(metric: string, key = ''): boolean {
    return this.byMetric.get(metric)?.has(key) ?? false;
  }

  /** Metric names present. */
  metrics(): string[] {
    return [...this.byMetric.keys()];
  }

  /** Values aligned with `ticks` (null where missing). Throws for a metric that is absent. */
  values(metric: string, key = ''): readonly (number | null)[] {
    const v = this.byMetric.get(metric)?.get(key);
    if (!v) throw new Error(`metric ${metric}${key ? ` [${key}]` : ''} is not in this run's data`);
    return v;
  }

  /** Keys of a metric, optionally those starting with `prefix` (e.g. 'group='), in first-seen order. */
  keys(metric: string, prefix = ''): string[] {
    return [...(this.byMetric.get(metric)?.keys() ?? [])].filter((k) => k.startsWith(prefix) && k !== '');
  }

  /**
   * The statistic `compare` shows: the last tick's value, the mean or max over ticks, or the
   * total over the steps (ticks ≥ 1; tick 0 is the initial state, not a day of flows).
   * Missing values are skipped; null when there is nothing to summarise.
   */
  stat(metric: string, key: string, stat: Stat): number | null {
    const vals = this.values(metric, key);
    let sum = 0;
    let n = 0;
    let max = -Infinity;
    let last: number | null = null;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      if (v === null) continue;
      last = v;
      if (stat === 'total' && this.ticks[i] < 1) continue;
      sum += v;
      n++;
      if (v > max) max = v;
    }
    if (stat === 'final') return last;
    if (stat === 'total') return sum;
    if (n === 0) return null;
    return stat === 'mean' ? sum / n : max;
  }

  /** Tick of a series' maximum (first one), or null. */
  argMax(metric: string, key = ''): number | null {
    const vals = this.values(metric, key);
    let best: number | null = null;
    let at: number | null = null;
    vals.forEach((v, i) => {
      if (v !== null && (best === null || v > best)) {
        best = v;
        at = this.ticks[i];
      }
    });
    return at;
  }
}

/** The label in a key: 'group=minority' → 'minority'. */
export function keyLabel(key: string): string {
  const eq = key.indexOf('=');
  return eq < 0 ? key : key.slice(eq + 1);
}

/**
 * Metric rows from a run held in memory (the browser explorer): `metrics[k]` names the
 * value at index k of every tick's array, as the engine's metric specs do.
 */
export function rowsFromTicks(
  metrics: readonly { readonly name: string; readonly key: string; readonly internal?: boolean }[],
  ticks: Iterable<readonly [tick: number, values: ArrayLike<number>]>,
): MetricRow[] {
  const out: MetricRow[] = [];
  for (const [tick, values] of ticks) {
    metrics.forEach((m, k) => {
      if (!m.internal) out.push({ tick, metric: m.name, key: m.key, value: values[k] });
    });
  }
  return out;
}
