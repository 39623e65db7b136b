/**
 * Node adapter for the engine's Executor: the worker pool of pool.ts over worker_threads.
 * Lives outside src/engine because worker_threads is a Node-only API; the explorer's
 * browser adapter (web/) puts the same pool over Web Workers.
 */
import { Worker } from 'node:worker_threads';
import type { Executor } from '../engine/simulation.js';
import { PoolExecutor, type PoolWorker } from './pool.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

export { timesBetween, type PoolTimes } from './pool.js';

function workerUrl(): URL {
  // From TypeScript sources (tests, tsx) the worker needs the tsx loader, which Node 20
  // does not pass to worker threads through execArgv: a bootstrap registers it.
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? './worker-tsx.mjs' : './worker.js', import.meta.url);
}

function nodeWorker(url: URL): PoolWorker {
  const worker = new Worker(url);
  return {
    post: (message: WorkerRequest) => worker.postMessage(message),
    onReply: (handler) => worker.on('message', (reply: WorkerReply) => handler(reply)),
    onFailure: (handler) => {
      worker.on('error', handler);
      worker.on('exit', (code) => {
        if (code !== 0) handler(new Error(`worker exited with code ${code}`));
      });
    },
    terminate: async () => {
      await worker.terminate();
    },
  };
}

export class NodePoolExecutor extends PoolExecutor {
  static create(threads: number): NodePoolExecutor {
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`threads must be an integer ≥ 1, got ${threads}`);
    const url = workerUrl();
    return new NodePoolExecutor(Array.from({ length: threads }, () => nodeWorker(url)));
  }
}

export async function createNodeExecutor(threads: number): Promise<Executor> {
  return NodePoolExecutor.create(threads);
}
