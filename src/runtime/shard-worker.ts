/**
 * What a pool worker does with each request, whatever thread it runs in (a Node worker
 * thread, worker.ts; a browser Web Worker, web/): finds the model by name in the registry
 * (models are never sent as closures), attaches the shared columns and runs shard systems
 * on the shards it claims, one at a time, until none is left (see pool.ts). No platform API.
 */
import { attachColumns } from '../engine/columns.js';
import type { ModelDefinition } from '../engine/model.js';
import { shardContexts, systemsOf, type TickedShardContext } from '../engine/simulation.js';
import { models } from '../models/registry.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

/** A request handler holding one worker's state; returns the reply to post. */
export function shardWorker(): (msg: WorkerRequest) => WorkerReply {
  let model: ModelDefinition<unknown> | null = null;
  let contexts: TickedShardContext<unknown>[] = [];
  let claims: Int32Array<ArrayBufferLike> = new Int32Array(1);

  const handle = (msg: WorkerRequest): void => {
    if (msg.type === 'start') {
      const entry = Object.prototype.hasOwnProperty.call(models, msg.setup.modelName)
        ? models[msg.setup.modelName]
        : undefined;
      if (!entry) throw new Error(`unknown model "${msg.setup.modelName}"`);
      model = entry.definition as ModelDefinition<unknown>;
      contexts = shardContexts(msg.setup, attachColumns(msg.setup.layout.columns, msg.setup.columnBuffers));
      claims = new Int32Array(msg.claims);
      return;
    }
    const system = systemsOf(model!, msg.phase)[msg.index];
    if (system.kind !== 'shard') throw new Error(`system ${system.name} is not a shard system`);
    const n = contexts.length;
    for (let s = Atomics.add(claims, 0, 1); s < n; s = Atomics.add(claims, 0, 1)) {
      const ctx = contexts[s];
      ctx.enter(msg.tick);
      system.run(ctx);
    }
  };

  return (msg) => {
    try {
      const t0 = performance.now();
      handle(msg);
      // Busy time counts shard systems only, not attaching the columns at start.
      return { type: 'ok', busyMs: msg.type === 'run' ? performance.now() - t0 : 0 };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      return { type: 'error', message: e.message, stack: e.stack };
    }
  };
}
