/** Worker-thread side of the Node pool: shard-worker.ts behind Node's message port. */
import { parentPort } from 'node:worker_threads';
import type { WorkerRequest } from './protocol.js';
import { shardWorker } from './shard-worker.js';

if (!parentPort) throw new Error('worker.ts must run in a worker thread');
const port = parentPort;
const handle = shardWorker();

port.on('message', (msg: WorkerRequest) => port.postMessage(handle(msg)));
