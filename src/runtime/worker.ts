/**
 * Worker-thread side of the Node pool: finds the model by name in the registry (models
 * are never sent as closures), attaches the shared columns and runs shard systems on the
 * shards it claims, one at a time, until none is left (see node-pool.ts).
 */
import { parentPort } from 'node:worker_threads';
import { attachColumns } from '../engine/columns.js';
import type { ModelDefinition, ShardContext } from '../engine/model.js';
import { shardContexts, systemsOf } from '../engine/simulation.js';
import { models } from '../models/registry.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

if (!parentPort) throw new Error('worker.ts must run in a worker thread');
const port = parentPort;

let model: ModelDefinition<unknown> | null = null;
let contexts: (ShardContext<unknown> & { tick: number })[] = [];
let claims: Int32Array<ArrayBufferLike> = new Int32Array(1);

function handle(msg: WorkerRequest): void {
  if (msg.type === 'start') {
    const entry = models[msg.setup.modelName];
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
    ctx.tick = msg.tick;
    system.run(ctx);
  }
}

port.on('message', (msg: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const t0 = performance.now();
    handle(msg);
    // Busy time counts shard systems only, not attaching the columns at start.
    reply = { type: 'ok', busyMs: msg.type === 'run' ? performance.now() - t0 : 0 };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { type: 'error', message: e.message, stack: e.stack };
  }
  port.postMessage(reply);
});
