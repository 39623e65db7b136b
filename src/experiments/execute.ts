/**
 * One run of an experiment, start to finish, in the calling thread: synthesize, step,
 * and reduce the metric stream to the declared outputs (and the chosen per-tick series).
 * Each run is single-threaded (the engine's LocalExecutor): experiments get their
 * parallelism from running many runs at once, which scales better than splitting one
 * small run over threads.
 */
import { LocalExecutor, runSimulation } from '../engine/simulation.js';
import type { ModelRegistry } from '../models/registry.js';
import { metricIndices, OutputAccumulator, type OutputDef, type SeriesDef } from './outputs.js';
import type { RunSpec } from './plan.js';

export type RunOutcome =
  | {
      readonly key: string;
      readonly ok: true;
      /** One value per output, in the experiment's output order. */
      readonly values: Float64Array;
      /** (steps + 1) × series values, tick-major; empty when no series were asked for. */
      readonly series: Float64Array;
      readonly wallSeconds: number;
      readonly initSeconds: number;
    }
  | { readonly key: string; readonly ok: false; readonly error: string; readonly wallSeconds: number };

export async function executeRun(
  registry: ModelRegistry,
  run: RunSpec,
  outputs: readonly OutputDef[],
  series: readonly SeriesDef[],
): Promise<RunOutcome> {
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  try {
    const entry = Object.prototype.hasOwnProperty.call(registry, run.model) ? registry[run.model] : undefined;
    if (!entry) throw new Error(`unknown model ${JSON.stringify(run.model)}`);
    const layout = entry.definition.layout(run.params);
    const acc = new OutputAccumulator(outputs, layout.metrics);
    const seriesIndex = metricIndices(series, layout.metrics);
    const missing = seriesIndex.findIndex((k) => k < 0);
    if (missing >= 0)
      throw new Error(
        `series ${series[missing].metric} (${series[missing].key || 'overall'}): not a metric of this run`,
      );
    const s = series.length;
    const out = new Float64Array(s ? (run.steps + 1) * s : 0);
    let initSeconds = 0;
    const result = await runSimulation(entry.definition, run.params, {
      seed: run.seed,
      steps: run.steps,
      ...(run.schedule ? { schedule: run.schedule } : {}),
      executor: new LocalExecutor(),
      onTick: (tick, row) => {
        if (tick === 0) initSeconds = seconds();
        acc.push(tick, row);
        for (let j = 0; j < s; j++) out[tick * s + j] = row[seriesIndex[j]];
      },
    });
    if (!result.completed) throw new Error(`stopped after ${result.ticks} of ${run.steps} ticks`);
    return { key: run.key, ok: true, values: acc.finish(), series: out, wallSeconds: seconds(), initSeconds };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { key: run.key, ok: false, error: msg.split('\n')[0].slice(0, 2000), wallSeconds: seconds() };
  }
}
