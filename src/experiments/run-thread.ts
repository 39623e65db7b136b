/**
 * A run-pool thread: receives runs (plain data), runs each to the end with the model
 * registry, and posts back the outcome. Models are found by name, never sent as code.
 * The registry is the real one unless the pool names another module (tests use a tiny
 * model this way).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelRegistry } from '../models/registry.js';
import { executeRun } from './execute.js';
import type { ThreadReply, ThreadRequest } from './pool.js';

if (!parentPort) throw new Error('run-thread.ts must run in a worker thread');
const port = parentPort;
const source = workerData as { registryModule?: string; registryExport?: string } | undefined;
const registry: ModelRegistry = source?.registryModule
  ? ((await import(source.registryModule)) as Record<string, ModelRegistry>)[source.registryExport ?? 'models']
  : (await import('../models/registry.js')).models;

port.on('message', (msg: ThreadRequest) => {
  void executeRun(registry, msg.run, msg.outputs, msg.series).then((outcome) => {
    const reply: ThreadReply = { id: msg.id, outcome };
    port.postMessage(
      reply,
      outcome.ok ? [outcome.values.buffer as ArrayBuffer, outcome.series.buffer as ArrayBuffer] : [],
    );
  });
});
