/**
 * The engine's worker pool (src/runtime/pool.ts) over the browser's Web Workers: the same
 * coordination as the CLI's Node pool, so the same shards run the same systems in the same
 * order and reduce to the same numbers. Needs a cross-origin isolated page (SharedArrayBuffer).
 */
import { PoolExecutor, type PoolWorker } from '../../../src/runtime/pool.js';
import type { WorkerReply, WorkerRequest } from '../../../src/runtime/protocol.js';

export function webWorker(): PoolWorker {
  const worker = new Worker(new URL('./shard-worker.ts', import.meta.url), { type: 'module', name: 'shard' });
  return {
    post: (message: WorkerRequest) => worker.postMessage(message),
    onReply: (handler) => worker.addEventListener('message', (e: MessageEvent<WorkerReply>) => handler(e.data)),
    onFailure: (handler) => {
      worker.addEventListener('error', (e) => handler(new Error(`shard worker failed: ${e.message || 'load error'}`)));
      worker.addEventListener('messageerror', () => handler(new Error('shard worker could not read a message')));
    },
    terminate: async () => worker.terminate(),
  };
}

/** True where the page may share memory with its workers. */
export function canShareMemory(): boolean {
  return typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true;
}

/**
 * Shard workers started before they are needed: their code loads while the run worker
 * reads its scenario. `take(n)` hands out n of them (starting more if needed) and ends the rest.
 */
export class SpareWorkers {
  private readonly spare: PoolWorker[];

  constructor(count: number) {
    this.spare = canShareMemory() ? Array.from({ length: count }, webWorker) : [];
  }

  take(threads: number): PoolExecutor {
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`threads must be an integer ≥ 1, got ${threads}`);
    const workers = this.spare.splice(0, threads);
    while (workers.length < threads) workers.push(webWorker());
    this.release();
    return new PoolExecutor(workers);
  }

  /** End the workers not taken. */
  release(): void {
    for (const w of this.spare.splice(0)) void w.terminate();
  }
}
