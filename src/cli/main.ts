#!/usr/bin/env node
/** Entry point of the `panopticon` command (compiled to dist/src/cli/main.js). */
import { availableParallelism, totalmem } from 'node:os';
import { LocalExecutor, type Executor } from '../engine/simulation.js';
import { models } from '../models/registry.js';
import { packageVersion } from '../scenario/load.js';
import { runCli } from './program.js';

/** Memory kept back for Node, DuckDB and the OS: 1 GiB or 15 % of RAM, whichever is larger. */
export function availableStateBytes(total = totalmem()): number {
  return Math.max(0, total - Math.max(2 ** 30, 0.15 * total));
}

// Output piped into `head` and closed early must not kill a run half-way: ignore EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

// SIGINT/SIGTERM: a run asks to hear them only while its ticks can poll for them
// (ctx.onSignal). Until then — parsing, validation, synthesis, all synchronous — no
// listener is installed, so a signal keeps its default effect and ends the process at
// once; a JS listener would only run after the blocking stage had finished.
let signals = 0;
const handlers = new Map<(signal: string) => void, string | null>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
function onProcessSignal(sig: NodeJS.Signals): void {
  signals++;
  if (signals > 1 || handlers.size === 0) {
    // second signal: leave now; the run's staging file stays, and `panopticon recover` imports it
    process.stderr.write(`\n${sig}: exiting now\n`);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  }
  const stopping = [...handlers.values()].find((s) => s !== null);
  if (stopping) process.stderr.write(`\n${sig}: ${stopping} (send again to exit at once)\n`);
  for (const h of handlers.keys()) h(sig);
}
function addSignalHandler(h: (signal: string) => void, stopping: string | null): () => void {
  if (handlers.size === 0) for (const sig of SIGNALS) process.on(sig, onProcessSignal);
  handlers.set(h, stopping);
  return () => {
    handlers.delete(h);
    // With no listener left, Node restores the default action. Not after a first signal: a
    // second one caught during the last tick may be dispatched only after this, and must
    // still end the process at once rather than be dropped.
    if (handlers.size === 0 && signals === 0) for (const sig of SIGNALS) process.off(sig, onProcessSignal);
  };
}

const code = await runCli(process.argv.slice(2), {
  registry: models,
  version: packageVersion(),
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  availableMemory: () => availableStateBytes(),
  cores: availableParallelism(),
  progress: { stream: process.stdout, isTTY: Boolean(process.stdout.isTTY) },
  progressErr: { stream: process.stderr, isTTY: Boolean(process.stderr.isTTY) },
  onSignal: addSignalHandler,
  // RO-Crate metadata beside every export (src/charts/node/crate.ts), loaded only when an export happens
  exportSidecars: [async (...args) => (await import('../charts/node/crate.js')).roCrateSidecar(...args)],
  experimentExportSidecars: [
    async (...args) => (await import('../charts/node/crate.js')).experimentCrateSidecar(...args),
  ],
  createExecutor: async (threads): Promise<Executor> => {
    if (threads <= 1) return new LocalExecutor();
    const { createNodeExecutor } = await import('../runtime/node-pool.js');
    return createNodeExecutor(threads);
  },
});
process.exitCode = code;
