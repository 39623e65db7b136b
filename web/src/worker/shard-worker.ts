/** A shard worker of the browser pool (web-pool.ts): src/runtime/shard-worker.ts behind a Web Worker's port. */
import type { WorkerRequest } from '../../../src/runtime/protocol.js';
import { shardWorker } from '../../../src/runtime/shard-worker.js';
import { workerScope } from './scope.js';

const scope = workerScope();
const handle = shardWorker();
scope.onmessage = (e: MessageEvent<WorkerRequest>) => scope.postMessage(handle(e.data));
