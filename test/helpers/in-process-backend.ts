/**
 * A backend that runs each run in the calling thread, one after another: for tests whose
 * runs take a millisecond, where handing them to worker threads would cost more than the
 * runs. Everything else a calibration or experiment does (proposals, store, resuming) is the
 * real code; the worker-thread pool and the Redis queue have tests of their own.
 */
import type { Backend, BatchContext } from '../../src/experiments/coordinator.js';
import { executeRun } from '../../src/experiments/execute.js';
import type { RunSpec } from '../../src/experiments/plan.js';
import type { FinishedRun } from '../../src/experiments/store.js';
import type { ModelRegistry } from '../../src/models/registry.js';

export class InProcessBackend implements Backend {
  readonly description = 'in-process (tests)';
  private stopped = false;

  constructor(private readonly registry: ModelRegistry) {}

  async execute(runs: readonly RunSpec[], ctx: BatchContext, onFinished: (f: FinishedRun) => void): Promise<void> {
    for (const run of runs) {
      if (this.stopped) return;
      const outcome = await executeRun(this.registry, run, ctx.outputs, ctx.series);
      if (!this.stopped) onFinished({ run, outcome, worker: 'local' });
      // let timers (the stop poll) and the store's write-behind run between runs
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  stop(): void {
    this.stopped = true;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
