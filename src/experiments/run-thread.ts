/**
 * A run-pool thread: receives runs (plain data), runs each to the end with the real model
 * registry, and posts back the outcome. Models are found by name, never sent as code.
 */
import { parentPort } from 'node:worker_threads';
import { models } from '../models/registry.js';
import { executeRun } from './execute.js';
import type { ThreadReply, ThreadRequest } from './pool.js';

if (!parentPort) throw new Error('run-thread.ts must run in a worker thread');
const port = parentPort;

port.on('message', (msg: ThreadRequest) => {
  void executeRun(models, msg.run, msg.outputs, msg.series).then((outcome) => {
    const reply: ThreadReply = { id: msg.id, outcome };
    port.postMessage(
      reply,
      outcome.ok ? [outcome.values.buffer as ArrayBuffer, outcome.series.buffer as ArrayBuffer] : [],
    );
  });
});
