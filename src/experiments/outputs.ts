/**
 * Outputs: declared summaries of a run's metrics, one number per run each — the value at
 * the last tick (`final`), or the `mean`, `total` or `max` over a window of ticks — for the
 * whole population, a group or a region. They are what replicates are averaged over and
 * what sensitivity indices are computed for.
 *
 * Windows default to the simulated days 1..steps: tick 0 is the initial state, not a day
 * (`panopticon compare` includes tick 0 in its means; experiments do not).
 */
import type { MetricSpec } from '../engine/model.js';
import type { ModelEntry } from '../models/registry.js';
import { nearest } from '../scenario/errors.js';
import type { OutputSpec, SeriesSpec } from './spec.js';

export type Stat = 'final' | 'mean' | 'total' | 'max';

/** A resolved output: what the run thread computes. Plain data (crosses threads and Redis). */
export interface OutputDef {
  readonly name: string;
  readonly metric: string;
  /** Metric key: '' (whole population), `group=NAME`, `region=NAME`, … */
  readonly key: string;
  readonly stat: Stat;
  /** Inclusive tick window (final: both = steps). */
  readonly from: number;
  readonly to: number;
}

export interface SeriesDef {
  readonly metric: string;
  readonly key: string;
}

/** The outputs an experiment gets when its file declares none: the model's comparison rows, else its headline. */
export function defaultOutputSpecs(entry: ModelEntry): OutputSpec[] {
  const rows = entry.comparison ? [...entry.comparison.stability, ...entry.comparison.harm] : [];
  if (rows.length) return rows.map((r) => ({ metric: r.metric, stat: r.stat, by: 'overall' }));
  return entry.headline.flatMap((metric) =>
    (['final', 'mean', 'max'] as const).map((stat) => ({ metric, stat, by: 'overall' })),
  );
}

function keyLabel(key: string): string {
  return key.replace(/^[a-z]+=/, '').replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * Expand and check output specs against a layout's metrics. Returns the outputs, or the
 * problems (one line each, naming the field and the nearest valid name).
 */
export function resolveOutputs(
  specs: readonly OutputSpec[],
  metrics: readonly MetricSpec[],
  steps: number,
  where: string,
): { outputs: OutputDef[]; problems: string[] } {
  const visible = metrics.filter((m) => !m.internal);
  const names = [...new Set(visible.map((m) => m.name))];
  const outputs: OutputDef[] = [];
  const problems: string[] = [];
  specs.forEach((spec, i) => {
    const field = `${where}[${i}]`;
    if (!names.includes(spec.metric)) {
      const n = nearest(spec.metric, names);
      problems.push(
        `${field}.metric: got ${JSON.stringify(spec.metric)}, not a metric of this model${n ? `; did you mean \`${n}\`?` : `; metrics include ${names.slice(0, 12).join(', ')}, ...`}`,
      );
      return;
    }
    const keys = visible.filter((m) => m.name === spec.metric).map((m) => m.key);
    let chosen: string[];
    if (spec.by === 'overall') chosen = keys.includes('') ? [''] : [];
    else if (spec.by === 'group' || spec.by === 'region') chosen = keys.filter((k) => k.startsWith(`${spec.by}=`));
    else chosen = keys.includes(spec.by) ? [spec.by] : [];
    if (!chosen.length) {
      const allowed = [
        ...(keys.includes('') ? ['overall'] : []),
        ...(keys.some((k) => k.startsWith('group=')) ? ['group'] : []),
        ...(keys.some((k) => k.startsWith('region=')) ? ['region'] : []),
        ...keys.filter((k) => k !== ''),
      ];
      const n = nearest(spec.by, allowed);
      problems.push(
        `${field}.by: got ${JSON.stringify(spec.by)} for metric ${spec.metric}; allowed: ${allowed.join(', ')}${n ? `; did you mean \`${n}\`?` : ''}`,
      );
      return;
    }
    let from = 1;
    let to = steps;
    if (spec.window) {
      if (spec.stat === 'final') {
        problems.push(
          `${field}.window: a window applies to mean, total and max; \`final\` is the value at the last tick (use stat: mean with window [t, t] for another tick)`,
        );
        return;
      }
      [from, to] = spec.window;
      if (from > to || to > steps) {
        problems.push(
          `${field}.window: got [${from}, ${to}]; allowed: ticks [from, to] with 0 ≤ from ≤ to ≤ steps (${steps})`,
        );
        return;
      }
    } else if (spec.stat === 'final') from = steps;
    for (const key of chosen) {
      const base = spec.name ?? `${spec.metric}_${spec.stat}`;
      const name = spec.name && chosen.length === 1 ? spec.name : key ? `${base}_${keyLabel(key)}` : base;
      outputs.push({ name, metric: spec.metric, key, stat: spec.stat, from, to });
    }
  });
  const seen = new Set<string>();
  for (const o of outputs) {
    if (seen.has(o.name))
      problems.push(`${where}: two outputs are named ${JSON.stringify(o.name)}; give one of them a \`name\``);
    seen.add(o.name);
  }
  return { outputs, problems };
}

/** Expand series specs (`metric` or `{metric, by}`) against a layout's metrics. */
export function resolveSeries(
  specs: readonly SeriesSpec[],
  metrics: readonly MetricSpec[],
  where: string,
): { series: SeriesDef[]; problems: string[] } {
  const { outputs, problems } = resolveOutputs(
    specs.map((s) => ({ metric: s.metric, by: s.by, stat: 'final' as const })),
    metrics,
    1,
    where,
  );
  const seen = new Set<string>();
  const series: SeriesDef[] = [];
  for (const o of outputs) {
    const id = `${o.metric}\u0000${o.key}`;
    if (!seen.has(id)) series.push({ metric: o.metric, key: o.key });
    seen.add(id);
  }
  return { series, problems };
}

/** Index of each def's metric in a layout (−1 when missing). */
export function metricIndices(
  defs: readonly { metric: string; key: string }[],
  metrics: readonly MetricSpec[],
): number[] {
  return defs.map((d) => metrics.findIndex((m) => m.name === d.metric && m.key === d.key && !m.internal));
}

/** Accumulates every output of one run from its stream of per-tick metric rows. */
export class OutputAccumulator {
  readonly values: Float64Array;
  private readonly counts: Float64Array;
  private readonly index: number[];

  constructor(
    private readonly defs: readonly OutputDef[],
    metrics: readonly MetricSpec[],
  ) {
    this.index = metricIndices(defs, metrics);
    const missing = this.index.findIndex((k) => k < 0);
    if (missing >= 0) throw new Error(`output ${defs[missing].name}: metric ${defs[missing].metric} not in the layout`);
    this.values = new Float64Array(defs.length);
    this.counts = new Float64Array(defs.length);
    defs.forEach((d, i) => {
      this.values[i] = d.stat === 'max' ? -Infinity : d.stat === 'final' ? NaN : 0;
    });
  }

  push(tick: number, row: Float64Array): void {
    for (let i = 0; i < this.defs.length; i++) {
      const d = this.defs[i];
      if (tick < d.from || tick > d.to) continue;
      const v = row[this.index[i]];
      switch (d.stat) {
        case 'final':
          this.values[i] = v;
          break;
        case 'max':
          if (v > this.values[i]) this.values[i] = v;
          break;
        default:
          this.values[i] += v;
          this.counts[i]++;
      }
    }
  }

  /** The outputs once the run is over (means divided by the ticks seen). */
  finish(): Float64Array {
    this.defs.forEach((d, i) => {
      if (d.stat === 'mean') this.values[i] = this.counts[i] > 0 ? this.values[i] / this.counts[i] : NaN;
    });
    return this.values;
  }
}
