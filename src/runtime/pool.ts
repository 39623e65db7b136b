/**
 * The engine's Executor over a pool of workers that run shard systems over SharedArrayBuffer
 * columns, whatever the platform's workers are: Node's worker_threads (node-pool.ts) or the
 * browser's Web Workers (the explorer, web/). This module uses no platform API, so both share
 * the same coordination code and the same guarantees.
 *
 * Workers claim shards one at a time from a shared counter, so a worker that runs faster
 * (a vCPU that the host serves better, say) takes more of a phase's shards and the phase
 * ends when the work does, not when the slower stripe does. Which worker runs which shard
 * does not change results: a shard writes only its own agents, its own accumulator slot and
 * its own sparse maps (shared memory, engine/sparse.ts), and the engine reduces slots in
 * shard order.
 */
import type { ModelDefinition } from '../engine/model.js';
import type { Executor, Phase, RunSetup } from '../engine/simulation.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

/** A platform worker as the pool sees it. */
export interface PoolWorker {
  post(message: WorkerRequest): void;
  /** Every reply the worker sends. */
  onReply(handler: (reply: WorkerReply) => void): void;
  /** The worker died or threw outside a request. */
  onFailure(handler: (err: Error) => void): void;
  terminate(): Promise<void>;
}

class PooledWorker {
  private pending: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  /** Milliseconds this worker spent running shard systems, over the run. */
  busyMs = 0;

  constructor(readonly worker: PoolWorker) {
    worker.onReply((reply) => {
      const p = this.pending;
      this.pending = null;
      if (!p) return;
      if (reply.type === 'error') p.reject(new Error(`worker failed: ${reply.message}\n${reply.stack ?? ''}`));
      else {
        this.busyMs += reply.busyMs;
        p.resolve();
      }
    });
    worker.onFailure((err) => this.fail(err));
  }

  private fail(err: Error): void {
    this.failure = err;
    const p = this.pending;
    this.pending = null;
    p?.reject(err);
  }

  request(message: WorkerRequest): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('worker is still busy with an earlier request'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.post(message);
    });
  }
}

/**
 * Where a pool's time went while it ran shard systems, summed over phases: each worker's
 * busy time, the slowest worker's busy time per phase, the mean worker's, and the phases'
 * wall time. `balance` = Σ mean ÷ Σ slowest (1 when every phase's workers are busy equally
 * long); `occupancy` = Σ slowest ÷ wall (1 when nothing but the slowest worker's work
 * stands between phases). Parallel efficiency is about their product, times how much
 * slower each thread runs beside the others than alone.
 */
export interface PoolTimes {
  readonly wallMs: number;
  readonly busyMs: readonly number[];
  readonly slowestMs: number;
  readonly meanMs: number;
  readonly balance: number;
  readonly occupancy: number;
}

/** The pool's times between two readings of `times()`: e.g. the steps alone, without synthesis. */
export function timesBetween(earlier: PoolTimes, later: PoolTimes): PoolTimes {
  const wallMs = later.wallMs - earlier.wallMs;
  const slowestMs = later.slowestMs - earlier.slowestMs;
  const meanMs = later.meanMs - earlier.meanMs;
  return {
    wallMs,
    busyMs: later.busyMs.map((b, i) => b - earlier.busyMs[i]),
    slowestMs,
    meanMs,
    balance: slowestMs > 0 ? meanMs / slowestMs : 1,
    occupancy: wallMs > 0 ? slowestMs / wallMs : 1,
  };
}

export class PoolExecutor implements Executor {
  readonly needsSharedMemory = true;
  private failure: Error | null = null;
  private wallMs = 0;
  private slowestMs = 0;
  private meanMs = 0;
  private readonly workers: PooledWorker[];
  /** The next shard to claim in the phase being run (shard-worker.ts). */
  private readonly claims = new Int32Array(new SharedArrayBuffer(4));

  constructor(workers: readonly PoolWorker[]) {
    if (workers.length < 1) throw new RangeError('a worker pool needs at least one worker');
    this.workers = workers.map((w) => new PooledWorker(w));
  }

  get threads(): number {
    return this.workers.length;
  }

  async start<P>(_model: ModelDefinition<P>, setup: RunSetup<P>): Promise<void> {
    const claims = this.claims.buffer as SharedArrayBuffer;
    await this.all((w) => w.request({ type: 'start', setup: setup as RunSetup<unknown>, claims }));
  }

  async runShards(phase: Phase, index: number, tick: number): Promise<void> {
    const t0 = performance.now();
    const before = this.workers.map((w) => w.busyMs);
    Atomics.store(this.claims, 0, 0);
    await this.all((w) => w.request({ type: 'run', phase, index, tick }));
    this.wallMs += performance.now() - t0;
    const busy = this.workers.map((w, i) => w.busyMs - before[i]);
    this.slowestMs += Math.max(...busy);
    this.meanMs += busy.reduce((a, b) => a + b, 0) / busy.length;
  }

  /** Busy and wall time of the shard phases run so far (init and steps). */
  times(): PoolTimes {
    const zero: PoolTimes = {
      wallMs: 0,
      busyMs: this.workers.map(() => 0),
      slowestMs: 0,
      meanMs: 0,
      balance: 1,
      occupancy: 1,
    };
    return timesBetween(zero, {
      ...zero,
      wallMs: this.wallMs,
      busyMs: this.workers.map((w) => w.busyMs),
      slowestMs: this.slowestMs,
      meanMs: this.meanMs,
    });
  }

  /**
   * Send a request to every worker and wait for all of them, even when one fails: a worker
   * still running shards must not be handed the next phase. After a failure the pool is
   * unusable (its workers' state is unknown) and says so on every later call.
   */
  private async all(send: (w: PooledWorker) => Promise<void>): Promise<void> {
    if (this.failure) throw new Error(`worker pool is unusable after an earlier failure: ${this.failure.message}`);
    const results = await Promise.allSettled(this.workers.map(send));
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) {
      this.failure = rejected.reason instanceof Error ? rejected.reason : new Error(String(rejected.reason));
      throw this.failure;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
