import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocateColumns } from '../src/engine/columns.js';
import type { MetricSpec, ModelDefinition } from '../src/engine/model.js';
import { partition, singleUnit, unitPerAgent } from '../src/engine/shards.js';
import { estimateStateBytes, reduceAccumulators, runSimulation } from '../src/engine/simulation.js';
import { contagionModel, contagionParams } from '../src/models/contagion/index.js';

describe('partition', () => {
  it('cuts only at unit starts, covers the population and respects the target size', () => {
    const starts = Uint32Array.from([0, 5, 9, 20, 21, 30, 44, 50]);
    const shards = partition(starts, 10);
    expect(shards[0].start).toBe(0);
    expect(shards[shards.length - 1].end).toBe(50);
    for (let i = 1; i < shards.length; i++) expect(shards[i].start).toBe(shards[i - 1].end);
    for (const s of shards) {
      expect(starts[s.unitStart]).toBe(s.start);
      expect(starts[s.unitEnd]).toBe(s.end);
      // A shard exceeds the target only when a single unit does.
      if (s.end - s.start > 10) expect(s.unitEnd - s.unitStart).toBe(1);
    }
    expect(partition(singleUnit(1000), 10)).toHaveLength(1);
    expect(partition(unitPerAgent(1000), 100)).toHaveLength(10);
  });
});

describe('reduction', () => {
  it('folds shards then the global accumulator per metric, in order', () => {
    const metrics: MetricSpec[] = [
      { name: 's', key: '', reduce: 'sum', description: '' },
      { name: 'mx', key: '', reduce: 'max', description: '' },
      { name: 'mn', key: '', reduce: 'min', description: '' },
    ];
    const shardAcc = Float64Array.from([1, 5, 3, 2, 7, -1]);
    const out = new Float64Array(3);
    reduceAccumulators(shardAcc, Float64Array.from([10, 0, 4]), metrics, 2, out);
    expect([...out]).toEqual([13, 7, -1]);
  });
});

describe('columns', () => {
  it('allocates zeroed typed arrays, shared when asked, and rejects duplicates', () => {
    const { columns, buffers } = allocateColumns(
      [
        { name: 'a', type: 'u8', length: 10 },
        { name: 'b', type: 'f64', length: 3 },
      ],
      true,
    );
    expect(columns.a).toBeInstanceOf(Uint8Array);
    expect(columns.b.length).toBe(3);
    expect(buffers.a).toBeInstanceOf(SharedArrayBuffer);
    expect(() =>
      allocateColumns(
        [
          { name: 'a', type: 'u8', length: 1 },
          { name: 'a', type: 'u8', length: 1 },
        ],
        false,
      ),
    ).toThrow(/declared twice/);
  });
});

describe('runSimulation', () => {
  const params = contagionParams.parse({ cells: 60, meanCellSize: 50, agentsPerShard: 500 });

  async function series(seed: number): Promise<Float64Array[]> {
    const rows: Float64Array[] = [];
    await runSimulation(contagionModel, params, { seed, steps: 30, onTick: (_t, v) => void rows.push(v.slice()) });
    return rows;
  }

  it('conserves the population and is reproducible per seed', async () => {
    const a = await series(1);
    const b = await series(1);
    const c = await series(2);
    expect(a).toHaveLength(31);
    const agents = contagionModel.layout(params).agents;
    for (const row of a) expect(row[0] + row[1]).toBe(agents);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    // The epidemic actually moves: otherwise the parallel test below would prove little.
    expect(a.some((row) => row[2] > 0)).toBe(true);
  });

  it('stops early when asked and reports the run as incomplete', async () => {
    let ticks = 0;
    const result = await runSimulation(contagionModel, params, {
      seed: 1,
      steps: 100,
      onTick: () => void ticks++,
      shouldStop: () => ticks >= 5,
    });
    expect(result.completed).toBe(false);
    expect(result.ticks).toBe(4);
  });

  it('estimates state bytes before allocating, matching what it allocates', async () => {
    const layout = contagionModel.layout(params);
    const result = await runSimulation(contagionModel, params, { seed: 1, steps: 1 });
    expect(Math.abs(estimateStateBytes(layout) - result.stateBytes)).toBeLessThan(layout.metrics.length * 8 * 3);
  });

  it('propagates an error thrown by a system', async () => {
    const bad: ModelDefinition<null> = {
      name: 'bad',
      streams: [],
      layout: () => ({ agents: 1, columns: [], metrics: [], globals: 0, unitStarts: singleUnit(1), agentsPerShard: 1 }),
      init: [],
      step: [
        {
          kind: 'global',
          name: 'boom',
          run: () => {
            throw new Error('boom');
          },
        },
      ],
    };
    await expect(runSimulation(bad, null, { seed: 1, steps: 1 })).rejects.toThrow('boom');
  });
});

describe('engine portability', () => {
  it('uses no Node-only API, so it can run in a browser worker', () => {
    const dir = join(import.meta.dirname, '..', 'src', 'engine');
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text, file).not.toMatch(/from ['"](node:|fs|path|os|worker_threads|child_process)/);
      expect(text, file).not.toMatch(/\b(process\.|Buffer\.|require\()/);
    }
  });
});
