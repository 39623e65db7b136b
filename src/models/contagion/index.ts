/**
 * A small synchronous contagion model whose only job is to exercise the engine's
 * parallel path: shards read neighbouring cells written by other shards in an earlier
 * phase, draw randomness per agent, and reduce integer and floating-point metrics.
 * Its results must be byte-identical for any thread count (test/engine-parallel.test.ts).
 *
 * Agents live in neighbourhood cells on a ring; a susceptible agent is infected with
 * probability 1 − (1 − β)^(I_own + w·(I_left + I_right)); an infected one recovers with
 * probability γ. Not a model of anything Panopticon studies.
 */
import { z } from 'zod';
import type { ModelDefinition, ModelLayout, ShardContext } from '../../engine/model.js';
import { mix32 } from '../../engine/rng.js';

export const contagionParams = z
  .object({
    cells: z.number().int().min(3).max(10_000_000).default(200).describe('neighbourhood cells on a ring'),
    meanCellSize: z.number().int().min(2).max(100_000).default(100).describe('mean agents per cell (sizes vary ±50 %)'),
    initialInfected: z.number().min(0).max(1).default(0.01).describe('share infected at tick 0'),
    transmission: z
      .number()
      .min(0)
      .max(1)
      .default(0.02)
      .describe('β: infection probability per infected contact per tick'),
    neighbourWeight: z.number().min(0).max(1).default(0.25).describe('weight of contacts in the two adjacent cells'),
    recovery: z.number().min(0).max(1).default(0.1).describe('γ: recovery probability per tick'),
    agentsPerShard: z.number().int().min(1).default(4096).describe('preferred shard size (agents)'),
  })
  .strict();

export type ContagionParams = z.infer<typeof contagionParams>;

const METRICS = [
  { name: 'susceptible', key: '', reduce: 'sum', description: 'susceptible agents' },
  { name: 'infected', key: '', reduce: 'sum', description: 'infected agents' },
  { name: 'new_infections', key: '', reduce: 'sum', description: 'infections this tick' },
  { name: 'force_of_infection', key: '', reduce: 'sum', description: 'Σ infection probability over susceptibles' },
  { name: 'largest_cell_outbreak', key: '', reduce: 'max', description: 'most infected agents in one cell' },
] as const;
const SUSCEPTIBLE = 0;
const INFECTED = 1;
const NEW = 2;
const FORCE = 3;
const LARGEST = 4;

export const contagionHeadline = ['infected', 'new_infections'];

function cellSize(cell: number, mean: number): number {
  return Math.max(1, Math.floor(mean * (0.5 + mix32(cell ^ 0x5bd1e995) / 4294967296)));
}

function layout(p: ContagionParams): ModelLayout {
  const unitStarts = new Uint32Array(p.cells + 1);
  for (let c = 0; c < p.cells; c++) unitStarts[c + 1] = unitStarts[c] + cellSize(c, p.meanCellSize);
  const agents = unitStarts[p.cells];
  return {
    agents,
    columns: [
      { name: 'state', type: 'u8', length: agents },
      { name: 'next', type: 'u8', length: agents },
      { name: 'cellInfected', type: 'u32', length: p.cells },
    ],
    metrics: METRICS,
    globals: 0,
    unitStarts,
    agentsPerShard: p.agentsPerShard,
  };
}

function countCells(ctx: ShardContext<ContagionParams>): void {
  const state = ctx.columns.state;
  const cellInfected = ctx.columns.cellInfected;
  const starts = ctx.layout.unitStarts;
  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    let n = 0;
    for (let i = starts[c]; i < starts[c + 1]; i++) n += state[i];
    cellInfected[c] = n;
    if (n > ctx.acc[LARGEST]) ctx.acc[LARGEST] = n;
  }
}

function transition(ctx: ShardContext<ContagionParams>): void {
  const { transmission, neighbourWeight, recovery, cells } = ctx.params;
  const state = ctx.columns.state;
  const next = ctx.columns.next;
  const cellInfected = ctx.columns.cellInfected;
  const starts = ctx.layout.unitStarts;
  const rng = ctx.rng('transition');
  const escape = 1 - transmission;
  let newInfections = 0;
  let force = 0;
  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    const contacts =
      cellInfected[c] + neighbourWeight * (cellInfected[(c + cells - 1) % cells] + cellInfected[(c + 1) % cells]);
    const pInfect = 1 - Math.pow(escape, contacts);
    for (let i = starts[c]; i < starts[c + 1]; i++) {
      const u = rng.key(i, ctx.tick).uniform();
      if (state[i] === 1) {
        next[i] = u < recovery ? 0 : 1;
      } else {
        force += pInfect;
        const infected = u < pInfect;
        next[i] = infected ? 1 : 0;
        if (infected) newInfections++;
      }
    }
  }
  ctx.acc[NEW] += newInfections;
  ctx.acc[FORCE] += force;
}

function commit(ctx: ShardContext<ContagionParams>): void {
  const state = ctx.columns.state;
  const next = ctx.columns.next;
  let infected = 0;
  for (let i = ctx.start; i < ctx.end; i++) {
    state[i] = next[i];
    infected += next[i];
  }
  ctx.acc[INFECTED] += infected;
  ctx.acc[SUSCEPTIBLE] += ctx.end - ctx.start - infected;
}

function seedInfections(ctx: ShardContext<ContagionParams>): void {
  const rng = ctx.rng('init');
  const state = ctx.columns.state;
  let infected = 0;
  for (let i = ctx.start; i < ctx.end; i++) {
    state[i] = rng.key(i, 0).uniform() < ctx.params.initialInfected ? 1 : 0;
    infected += state[i];
  }
  ctx.acc[INFECTED] += infected;
  ctx.acc[SUSCEPTIBLE] += ctx.end - ctx.start - infected;
}

export const contagionModel: ModelDefinition<ContagionParams> = {
  name: 'contagion',
  streams: ['init', 'transition'],
  layout,
  init: [{ kind: 'shard', name: 'seed-infections', run: seedInfections }],
  step: [
    { kind: 'shard', name: 'count-cells', run: countCells },
    { kind: 'shard', name: 'transition', run: transition },
    { kind: 'shard', name: 'commit', run: commit },
  ],
};
