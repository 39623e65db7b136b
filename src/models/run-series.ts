/**
 * Run any model in this thread and keep every metric's per-tick series (index = tick, 0 = the
 * initial state): for tests, validation reports and examples. Parameters are parsed by the
 * given schema first (defaults filled in, ranges checked).
 */
import type { z } from 'zod';
import type { ModelDefinition } from '../engine/model.js';
import { runSimulation } from '../engine/simulation.js';

export async function runSeries<P>(
  model: ModelDefinition<P>,
  schema: z.ZodType<P>,
  params: unknown,
  seed: number,
  steps: number,
): Promise<Record<string, Float64Array>> {
  const p = schema.parse(params);
  const metrics = model.layout(p).metrics;
  const series = metrics.map(() => new Float64Array(steps + 1));
  await runSimulation(model, p, {
    seed,
    steps,
    onTick: (tick, values) => {
      for (let m = 0; m < series.length; m++) series[m][tick] = values[m];
    },
  });
  return Object.fromEntries(metrics.map((m, i) => [m.key ? `${m.name}{${m.key}}` : m.name, series[i]]));
}
