/**
 * Convenience for tests and validation: run Model II in this thread and keep every metric's
 * per-tick series (index = tick, 0 = initial state).
 */
import type { GlobalContext, ModelDefinition, TypedColumn } from '../../engine/model.js';
import { runSimulation } from '../../engine/simulation.js';
import { type Epstein2Metric, METRICS, epstein2Model, metricIndex } from './model.js';
import { type Epstein2Params, epstein2Params } from './params.js';

export interface Epstein2Run {
  readonly params: Epstein2Params;
  readonly series: Readonly<Record<Epstein2Metric, Float64Array>>;
  /** Last simulated tick (less than the steps asked for if the run stopped at genocide). */
  readonly ticks: number;
}

export interface RunEpstein2Options {
  /** Called after init and after every step with the live state (e.g. to check invariants). */
  readonly inspect?: (tick: number, columns: Readonly<Record<string, TypedColumn>>, globals: Float64Array) => void;
  /** Stop at the first tick with a group extinct; later ticks of the series keep that tick's values. */
  readonly stopAtGenocide?: boolean;
}

/** Parse (defaults filled in, ranges checked) and run for `steps` ticks. */
export async function runEpstein2(
  params: Partial<Epstein2Params>,
  seed: number,
  steps: number,
  options: RunEpstein2Options = {},
): Promise<Epstein2Run> {
  const p = epstein2Params.parse(params);
  const series = Object.fromEntries(METRICS.map(([name]) => [name, new Float64Array(steps + 1)])) as Record<
    Epstein2Metric,
    Float64Array
  >;
  const cols = METRICS.map(([name]) => series[name]);
  const inspect = options.inspect;
  let model: ModelDefinition<Epstein2Params> = epstein2Model;
  if (inspect) {
    const capture = {
      kind: 'global' as const,
      name: 'inspect',
      run: (ctx: GlobalContext<Epstein2Params>) => inspect(ctx.tick, ctx.columns, ctx.globals),
    };
    model = { ...epstein2Model, init: [...epstein2Model.init, capture], step: [...epstein2Model.step, capture] };
  }
  let last = 0;
  let extinct = false;
  const genocide = metricIndex.genocide;
  await runSimulation(model, p, {
    seed,
    steps,
    onTick: (tick, values) => {
      for (let m = 0; m < cols.length; m++) cols[m][tick] = values[m];
      last = tick;
      extinct = values[genocide] === 1;
    },
    shouldStop: () => options.stopAtGenocide === true && extinct,
  });
  for (let m = 0; m < cols.length; m++) cols[m].fill(cols[m][last], last + 1);
  return { params: p, series, ticks: last };
}

/** First tick at which a group is extinct, or -1 if both survive the run. */
export function genocideTick(run: Epstein2Run): number {
  return run.series.genocide.indexOf(1);
}
