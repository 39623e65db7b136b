/** A tiny inline model for scenario, store and CLI tests (independent of the real models). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ModelDefinition, ModelLayout } from '../../src/engine/model.js';
import { singleUnit } from '../../src/engine/shards.js';
import type { ModelEntry, ModelRegistry } from '../../src/models/registry.js';

export const tinyParams = z
  .object({
    agents: z.number().int().min(1).max(1e12).default(50),
    rate: z.number().min(0).max(1).default(0.5),
    mode: z.enum(['calm', 'storm']).default('calm'),
    legitimacy: z.number().min(0).max(1).default(0.8),
    /** Throw inside the step system at this tick (0: never). */
    failAt: z.number().int().min(0).default(0),
    /** Call the test hook at this tick (0: never): lets a test raise a signal mid-run. */
    hookAt: z.number().int().min(0).default(0),
    groups: z
      .array(z.strictObject({ name: z.string(), share: z.number().min(0).max(1) }))
      .default([{ name: 'all', share: 1 }]),
  })
  .strict();
export type TinyParams = z.infer<typeof tinyParams>;

export const hooks: { onTick: ((tick: number) => void) | null } = { onTick: null };

export const tinyModel: ModelDefinition<TinyParams> = {
  name: 'tiny',
  streams: ['main'],
  layout(p): ModelLayout {
    return {
      agents: p.agents,
      columns: [{ name: 'x', type: 'u8', length: p.agents }],
      metrics: [
        { name: 'active', key: '', reduce: 'sum', description: 'active agents' },
        { name: 'active', key: 'half=first', reduce: 'sum', description: 'active agents in the first half' },
        { name: 'tick_seen', key: '', reduce: 'max', description: 'tick' },
      ],
      globals: 0,
      unitStarts: singleUnit(p.agents),
      agentsPerShard: p.agents,
    };
  },
  init: [],
  step: [
    {
      kind: 'shard',
      name: 'activate',
      run(ctx) {
        if (ctx.params.failAt > 0 && ctx.tick === ctx.params.failAt)
          throw new Error(`tiny model failure at tick ${ctx.tick}`);
        if (ctx.params.hookAt > 0 && ctx.tick === ctx.params.hookAt) hooks.onTick?.(ctx.tick);
        const x = ctx.columns.x;
        const rng = ctx.rng('main');
        const half = ctx.params.agents / 2;
        for (let i = ctx.start; i < ctx.end; i++) {
          const on = rng.key(i, ctx.tick).uniform() < ctx.params.rate ? 1 : 0;
          x[i] = on;
          ctx.acc[0] += on;
          if (i < half) ctx.acc[1] += on;
        }
        ctx.acc[2] = Math.max(ctx.acc[2], ctx.tick);
      },
    },
  ],
};

export const tinyEntry: ModelEntry<TinyParams> = {
  definition: tinyModel,
  params: tinyParams,
  headline: ['active', 'tick_seen'],
  description: 'tiny test model',
};

export const testRegistry: ModelRegistry = { tiny: tinyEntry as unknown as ModelEntry };

/** A presets folder in `dir` holding the preset `tiny-base` (20 agents, 10 steps); returns its path. */
export function tinyPresets(dir: string): string {
  const presets = join(dir, 'presets');
  mkdirSync(presets, { recursive: true });
  writeFileSync(
    join(presets, 'tiny-base.yaml'),
    `name: tiny-base
description: a tiny preset
model: tiny
seed: 7
steps: 10
params: { agents: 20, rate: 0.25 }
sources: { agents: assumption, rate: EP, mode: assumption, legitimacy: "EP, NL", failAt: assumption, hookAt: assumption }
`,
  );
  return presets;
}
