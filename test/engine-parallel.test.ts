import { describe, expect, it } from 'vitest';
import { LocalExecutor, runSimulation, type Executor } from '../src/engine/simulation.js';
import { contagionModel, contagionParams } from '../src/models/contagion/index.js';
import { NodePoolExecutor, timesBetween } from '../src/runtime/node-pool.js';

// Thread-count invariance: the same seed must give byte-identical metrics whether shard
// systems run in this thread, on one worker or on two. The model has cross-shard reads
// (neighbouring cells), per-agent randomness and floating-point sums, the three things
// that would break it.
async function metricBytes(executor: Executor): Promise<Uint8Array> {
  const params = contagionParams.parse({ cells: 400, meanCellSize: 60, agentsPerShard: 1500, transmission: 0.03 });
  const rows: number[] = [];
  try {
    await runSimulation(contagionModel, params, {
      seed: 77,
      steps: 40,
      executor,
      onTick: (_t, v) => void rows.push(...v),
    });
  } finally {
    await executor.close();
  }
  return new Uint8Array(Float64Array.from(rows).buffer);
}

describe('parallel execution', () => {
  it('gives byte-identical metrics for 1 and 2 worker threads and the local executor', async () => {
    const local = await metricBytes(new LocalExecutor());
    const one = await metricBytes(NodePoolExecutor.create(1));
    const two = await metricBytes(NodePoolExecutor.create(2));
    expect(Buffer.from(one).equals(Buffer.from(local))).toBe(true);
    expect(Buffer.from(two).equals(Buffer.from(local))).toBe(true);
  });

  it('accounts for where the pool spent its time', async () => {
    const executor = NodePoolExecutor.create(2);
    const params = contagionParams.parse({ cells: 400, meanCellSize: 60, agentsPerShard: 1500, transmission: 0.03 });
    let atInit = executor.times();
    try {
      await runSimulation(contagionModel, params, {
        seed: 5,
        steps: 30,
        executor,
        onTick: (t) => {
          if (t === 0) atInit = executor.times();
        },
      });
    } finally {
      await executor.close();
    }
    const run = executor.times();
    const steps = timesBetween(atInit, run);
    for (const t of [run, steps]) {
      expect(t.busyMs).toHaveLength(2);
      for (const b of t.busyMs) expect(b).toBeGreaterThan(0);
      // Per phase the slowest worker is at least the mean one and within the phase's wall time.
      expect(t.slowestMs).toBeGreaterThanOrEqual(t.meanMs);
      expect(t.wallMs).toBeGreaterThanOrEqual(t.slowestMs);
      // The per-phase means add up to half the workers' summed busy time.
      expect(t.meanMs).toBeCloseTo((t.busyMs[0] + t.busyMs[1]) / 2, 6);
      expect(t.balance).toBeCloseTo(t.meanMs / t.slowestMs, 12);
      expect(t.occupancy).toBeCloseTo(t.slowestMs / t.wallMs, 12);
    }
    // The steps are part of the run: each of their figures is at most the run's.
    expect(steps.wallMs).toBeLessThan(run.wallMs);
    expect(steps.busyMs[0]).toBeLessThan(run.busyMs[0]);
  });

  it('surfaces an error thrown inside a worker', async () => {
    const executor = NodePoolExecutor.create(2);
    // A model name the registry does not know fails in the worker at start.
    const params = contagionParams.parse({ cells: 10 });
    await expect(
      runSimulation({ ...contagionModel, name: 'no-such-model' }, params, { seed: 1, steps: 1, executor }),
    ).rejects.toThrow(/unknown model/);
    // Its workers' state is unknown now: the pool refuses further work instead of mixing runs.
    await expect(runSimulation(contagionModel, params, { seed: 1, steps: 1, executor })).rejects.toThrow(
      /unusable after an earlier failure/,
    );
    await executor.close();
  });
});
