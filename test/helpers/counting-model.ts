/**
 * A counting model for calibration tests: each day each of `agents` agents has an event of
 * kind a with probability `rateA` and one of kind b with probability `rateB`. Cumulative
 * counts are binomial, so what an observation says about a rate is known exactly, and a run
 * takes a millisecond.
 */
import { z } from 'zod';
import type { ModelDefinition } from '../../src/engine/model.js';
import { singleUnit } from '../../src/engine/shards.js';
import type { ModelEntry, ModelRegistry } from '../../src/models/registry.js';

export const countingParams = z
  .object({
    agents: z.number().int().min(1).max(1_000_000).default(200),
    rateA: z.number().min(0).max(1).default(0.01),
    rateB: z.number().min(0).max(1).default(0.003),
  })
  .strict();
type CountingParams = z.infer<typeof countingParams>;

export const countingModel: ModelDefinition<CountingParams> = {
  name: 'counting',
  streams: ['events'],
  layout: (p) => ({
    agents: p.agents,
    columns: [],
    metrics: [
      { name: 'a', key: '', reduce: 'sum', description: 'events of kind a' },
      { name: 'b', key: '', reduce: 'sum', description: 'events of kind b' },
    ],
    globals: 0,
    unitStarts: singleUnit(p.agents),
    agentsPerShard: p.agents,
  }),
  init: [],
  step: [
    {
      kind: 'shard',
      name: 'events',
      run(ctx) {
        const rng = ctx.rng('events');
        for (let i = ctx.start; i < ctx.end; i++) {
          rng.key(i, ctx.tick);
          if (rng.uniform() < ctx.params.rateA) ctx.acc[0]++;
          if (rng.uniform() < ctx.params.rateB) ctx.acc[1]++;
        }
      },
    },
  ],
};

export const countingRegistry: ModelRegistry = {
  counting: {
    definition: countingModel,
    params: countingParams,
    headline: ['a', 'b'],
    description: 'counting test model',
  } as unknown as ModelEntry,
};
