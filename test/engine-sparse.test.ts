import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CounterRng } from '../src/engine/rng.js';
import { ShardCounts, allocateSparse, sparseBytes } from '../src/engine/sparse.js';

describe('sparse counts', () => {
  it('agrees with a Map under random sets, updates and removals across shards', () => {
    const shards = 5;
    const perShard = 10_000;
    const buffers = allocateSparse(shards, false);
    const maps = Array.from({ length: shards }, (_, s) => new ShardCounts('test', buffers, s));
    const refs = Array.from({ length: shards }, () => new Map<number, number>());
    const rng = new CounterRng(3, 1);
    // Small key ranges make long probe runs and many removals inside them.
    for (let op = 0; op < 200_000; op++) {
      const s = rng.below(shards);
      const i = s * perShard + rng.below(op < 100_000 ? 300 : perShard);
      const v = rng.uniform() < 0.35 ? 0 : 1 + rng.below(70_000);
      maps[s].set(i, v);
      if (v === 0) refs[s].delete(i);
      else refs[s].set(i, v);
      if (op % 997 === 0) {
        for (let k = s * perShard; k < (s + 1) * perShard; k += 7) expect(maps[s].get(k)).toBe(refs[s].get(k) ?? 0);
      }
    }
    for (let s = 0; s < shards; s++) {
      expect(maps[s].size).toBe(refs[s].size);
      for (let k = s * perShard; k < (s + 1) * perShard; k++) expect(maps[s].get(k)).toBe(refs[s].get(k) ?? 0);
      // Another shard's agents are never found in this shard's map.
      expect(maps[s].get(((s + 1) % shards) * perShard + 1)).toBe(0);
    }
    // The arena grew past its first 64 KiB to hold thousands of entries.
    expect(sparseBytes(buffers)).toBeGreaterThan(1 << 16);
  });

  it('lets two threads fill different shards at once, growing one shared arena', async () => {
    const buffers = allocateSparse(2, true);
    const src = new URL('../src/engine/sparse.ts', import.meta.url).href;
    const body = `
      const { parentPort, workerData } = require('node:worker_threads');
      // Node 20 does not pass the tsx loader to workers: register it here (as worker-tsx.mjs does).
      import('tsx/esm/api').then(({ register }) => { register(); return import(workerData.src); }).then(({ ShardCounts }) => {
        const m = new ShardCounts('test', workerData.buffers, workerData.shard);
        for (let i = 0; i < 50000; i++) m.set(workerData.shard * 1e6 + i, i + 1);
        parentPort.postMessage(m.size);
      });`;
    const run = (shard: number): Promise<number> =>
      new Promise((resolve, reject) => {
        const w = new Worker(body, { eval: true, workerData: { src, buffers, shard } });
        w.once('message', (n: number) => void w.terminate().then(() => resolve(n)));
        w.once('error', reject);
      });
    const sizes = await Promise.all([run(0), run(1)]);
    expect(sizes).toEqual([50_000, 50_000]);
    for (const shard of [0, 1]) {
      const m = new ShardCounts('test', buffers, shard);
      for (let i = 0; i < 50_000; i += 13) expect(m.get(shard * 1e6 + i)).toBe(i + 1);
      expect(m.get(shard * 1e6 + 50_000)).toBe(0);
    }
  });
});
