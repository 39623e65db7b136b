/**
 * Convenience for tests, validation and benchmarks: run the model in this thread and keep
 * every metric's per-tick series (index = tick, 0 = initial state).
 */
import type { GlobalContext, ModelDefinition, TypedColumn } from '../../engine/model.js';
import { runSimulation } from '../../engine/simulation.js';
import { type EpsteinMetric, METRICS, epsteinModel } from './model.js';
import { type EpsteinParams, epsteinParams } from './params.js';

export interface EpsteinRun {
  readonly params: EpsteinParams;
  readonly series: Readonly<Record<EpsteinMetric, Float64Array>>;
  /** Final state. */
  readonly columns: Readonly<Record<string, TypedColumn>>;
  /** Final model-wide counters (copy). */
  readonly globals: Float64Array;
  readonly agents: number;
  readonly stateBytes: number;
}

export interface RunEpsteinOptions {
  /** Called after init and after every step with the live state (e.g. to check invariants). */
  readonly inspect?: (tick: number, columns: Readonly<Record<string, TypedColumn>>, globals: Float64Array) => void;
  /** The implementation to run (default the fast model; epsteinReferenceModel for the reference). */
  readonly model?: ModelDefinition<EpsteinParams>;
}

/** Parse (defaults filled in, ranges checked) and run for `steps` ticks. */
export async function runEpstein(
  params: Partial<EpsteinParams>,
  seed: number,
  steps: number,
  options: RunEpsteinOptions = {},
): Promise<EpsteinRun> {
  const p = epsteinParams.parse(params);
  const series = Object.fromEntries(METRICS.map(([name]) => [name, new Float64Array(steps + 1)])) as Record<
    EpsteinMetric,
    Float64Array
  >;
  const cols = METRICS.map(([name]) => series[name]);
  let globals = new Float64Array(0);
  const capture = {
    kind: 'global' as const,
    name: 'capture',
    run: (ctx: GlobalContext<EpsteinParams>) => {
      globals = Float64Array.from(ctx.globals);
      options.inspect?.(ctx.tick, ctx.columns, ctx.globals);
    },
  };
  const base = options.model ?? epsteinModel;
  const model: ModelDefinition<EpsteinParams> = {
    ...base,
    init: [...base.init, capture],
    step: [...base.step, capture],
  };
  const result = await runSimulation(model, p, {
    seed,
    steps,
    onTick: (tick, values) => {
      for (let m = 0; m < cols.length; m++) cols[m][tick] = values[m];
    },
  });
  return {
    params: p,
    series,
    columns: result.columns,
    globals,
    agents: result.layout.agents,
    stateBytes: result.stateBytes,
  };
}
