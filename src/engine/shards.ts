import type { Shard } from './model.js';

/**
 * Split a population into contiguous shards that cut only at alignment-unit starts
 * (e.g. neighbourhood cells), each holding about `agentsPerShard` agents.
 *
 * The split depends on the population alone, never on the thread count: per-shard
 * floating-point reductions are then summed in the same order whatever the parallelism,
 * which is what makes results byte-identical for 1 or N threads.
 */
export function partition(unitStarts: Uint32Array, agentsPerShard: number): Shard[] {
  const units = unitStarts.length - 1;
  if (units < 1) throw new RangeError('a layout needs at least one alignment unit');
  const agents = unitStarts[units];
  const target = Math.max(1, Math.floor(agentsPerShard));
  const shards: Shard[] = [];
  let unitStart = 0;
  while (unitStart < units) {
    const start = unitStarts[unitStart];
    let unitEnd = unitStart + 1;
    while (unitEnd < units && unitStarts[unitEnd + 1] - start <= target) unitEnd++;
    shards.push({ index: shards.length, start, end: unitStarts[unitEnd], unitStart, unitEnd });
    unitStart = unitEnd;
  }
  if (shards[shards.length - 1].end !== agents) throw new Error('partition does not cover the population');
  return shards;
}

/** Alignment where every agent is its own unit: shards may cut anywhere. */
export function unitPerAgent(agents: number): Uint32Array {
  const starts = new Uint32Array(agents + 1);
  for (let i = 0; i <= agents; i++) starts[i] = i;
  return starts;
}

/** Alignment with a single unit: one shard holds everyone (sequential models). */
export function singleUnit(agents: number): Uint32Array {
  return Uint32Array.of(0, agents);
}
