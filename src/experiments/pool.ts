/**
 * The run pool: a fixed set of reused worker threads, each running one whole run at a
 * time (run-level parallelism). Threads rather than processes: a run's outputs come back
 * as a transferred buffer, a thread starts in tens of milliseconds, and the main thread's
 * event loop stays free for the store, the progress bar, signals and BullMQ's lock
 * renewal. A thread that dies (out of memory, say) fails only its current run and is
 * replaced.
 */
import { Worker } from 'node:worker_threads';
import type { RunOutcome } from './execute.js';
import type { OutputDef, SeriesDef } from './outputs.js';
import type { RunSpec } from './plan.js';

export interface ThreadRequest {
  readonly id: number;
  readonly run: RunSpec;
  readonly outputs: readonly OutputDef[];
  readonly series: readonly SeriesDef[];
}
export interface ThreadReply {
  readonly id: number;
  readonly outcome: RunOutcome;
}

function threadUrl(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? './run-thread-tsx.mjs' : './run-thread.js', import.meta.url);
}

interface Pending {
  readonly request: ThreadRequest;
  readonly resolve: (o: RunOutcome) => void;
  readonly started: number;
}

/** Which model registry the threads use: the real one by default. */
export interface RegistrySource {
  /** URL of a module exporting a ModelRegistry. */
  readonly registryModule: string;
  /** Name of the export (default `models`). */
  readonly registryExport?: string;
}

class PoolThread {
  worker: Worker;
  current: Pending | null = null;

  constructor(
    private readonly onFree: (t: PoolThread) => void,
    private readonly source: RegistrySource | undefined,
  ) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const w = new Worker(threadUrl(), { workerData: this.source });
    w.on('message', (reply: ThreadReply) => {
      const p = this.current;
      if (!p || p.request.id !== reply.id) return;
      this.current = null;
      p.resolve(reply.outcome);
      this.onFree(this);
    });
    const die = (why: string) => {
      const p = this.current;
      this.current = null;
      if (p)
        p.resolve({
          key: p.request.run.key,
          ok: false,
          error: why,
          wallSeconds: (performance.now() - p.started) / 1000,
        });
      if (this.closing) return;
      this.worker = this.spawn();
      this.onFree(this);
    };
    w.on('error', (e) => die(`run thread failed: ${e.message}`));
    w.on('exit', (code) => {
      if (code !== 0 && !this.closing) die(`run thread exited with code ${code}`);
    });
    return w;
  }

  closing = false;

  run(p: Pending): void {
    this.current = p;
    this.worker.postMessage(p.request);
  }
}

export class RunPool {
  private readonly threads: PoolThread[];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    readonly size: number,
    source?: RegistrySource,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`run pool size must be an integer ≥ 1, got ${size}`);
    this.threads = Array.from({ length: size }, () => new PoolThread((t) => this.dispatch(t), source));
  }

  /** Runs waiting for a thread plus runs in progress. */
  get load(): number {
    return this.queue.length + this.threads.filter((t) => t.current).length;
  }

  run(run: RunSpec, outputs: readonly OutputDef[], series: readonly SeriesDef[]): Promise<RunOutcome> {
    if (this.closed) return Promise.reject(new Error('run pool is closed'));
    return new Promise((resolve) => {
      this.queue.push({ request: { id: this.nextId++, run, outputs, series }, resolve, started: performance.now() });
      const idle = this.threads.find((t) => !t.current);
      if (idle) this.dispatch(idle);
    });
  }

  private dispatch(t: PoolThread): void {
    if (t.current || this.closed) return;
    const next = this.queue.shift();
    if (next) t.run({ ...next, started: performance.now() });
  }

  /** Stop every thread; runs in progress are abandoned (their promises never settle). */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await Promise.all(
      this.threads.map((t) => {
        t.closing = true;
        return t.worker.terminate();
      }),
    );
  }
}
