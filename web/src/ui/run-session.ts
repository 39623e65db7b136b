/**
 * One simulation as the page sees it: a run worker (worker/run-worker.ts) started with a
 * scenario document, the metric rows it streams back, and run / pause / step / stop.
 * Stopping (reset) ends the worker and with it every shard worker it started.
 */
import type { Tree } from '../scenario/paths.js';
import type { FromRunner, MetricInfo, RunRequest, ToRunner } from '../worker/protocol.js';

export type RunStatus = 'starting' | 'running' | 'paused' | 'done' | 'failed' | 'stopped';

/** What the run worker says when it starts: population, days, threads, shards, the model's summary rows. */
export type RunInfo = Omit<Extract<FromRunner, { type: 'started' }>, 'type' | 'metrics'>;

export class RunSession {
  status: RunStatus = 'starting';
  metrics: readonly MetricInfo[] = [];
  info: RunInfo | null = null;
  /** Ticks received (tick 0, the synthesized population, included). */
  ticks = 0;
  error: string | null = null;
  problems: readonly string[] = [];
  /** Milliseconds from the request to the synthesized population, and for the days after it. */
  initMs = 0;
  stepMs = 0;
  readonly startedAt = performance.now();
  private rows = new Float64Array(0);
  private readonly worker: Worker;
  private readonly listeners = new Set<() => void>();

  constructor(
    /** The scenario document the run was started with. */
    readonly doc: Tree,
    options: { readonly threads: number; readonly paused: boolean; readonly stepBudget: number },
  ) {
    // The name tells the run worker how many shard workers to start before it knows its scenario.
    this.worker = new Worker(new URL('../worker/run-worker.ts', import.meta.url), {
      type: 'module',
      name: `run:${Math.max(1, options.threads)}`,
    });
    this.worker.addEventListener('message', (e: MessageEvent<FromRunner>) => this.receive(e.data));
    this.worker.addEventListener('error', (e) => {
      this.fail(`the run worker failed: ${e.message || 'it could not be loaded'}`);
    });
    const request: RunRequest = { doc, ...options };
    this.post({ type: 'start', request });
    if (options.paused) this.status = 'paused';
  }

  /** Values of output metric `k` over the ticks received so far. */
  series(k: number): Float64Array {
    const m = this.metrics.length;
    const out = new Float64Array(this.ticks);
    for (let t = 0; t < this.ticks; t++) out[t] = this.rows[t * m + k];
    return out;
  }

  /** Every value received, row-major (tick t's values start at t × metrics). */
  values(): Float64Array {
    return this.rows.subarray(0, this.ticks * this.metrics.length);
  }

  metricIndex(name: string, key = ''): number {
    return this.metrics.findIndex((m) => m.name === name && m.key === key);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get active(): boolean {
    return this.status === 'starting' || this.status === 'running' || this.status === 'paused';
  }

  pause(): void {
    if (this.status === 'running' || this.status === 'starting') this.post({ type: 'pause' });
  }

  resume(): void {
    if (!this.active) return;
    this.status = 'running';
    this.post({ type: 'resume' });
    this.emit();
  }

  step(): void {
    if (!this.active) return;
    this.post({ type: 'step' });
  }

  /** End the run now; what was received stays readable. */
  stop(): void {
    this.worker.terminate();
    if (this.active) this.status = 'stopped';
    this.emit();
  }

  private post(msg: ToRunner): void {
    this.worker.postMessage(msg);
  }

  private fail(message: string, problems: readonly string[] = []): void {
    this.error = message;
    this.problems = problems;
    this.status = 'failed';
    this.worker.terminate();
    this.emit();
  }

  private receive(msg: FromRunner): void {
    switch (msg.type) {
      case 'started':
        this.metrics = msg.metrics;
        if (!performance.getEntriesByName('explorer:worker-started').length)
          performance.mark('explorer:worker-started');
        this.info = msg;
        this.rows = new Float64Array(Math.max(1, msg.metrics.length * Math.min(msg.steps + 1, 4096)));
        if (this.status === 'starting') this.status = 'running';
        break;
      case 'ticks': {
        const m = this.metrics.length;
        const need = (msg.first + msg.count) * m;
        if (need > this.rows.length) {
          const grown = new Float64Array(Math.max(need, 2 * this.rows.length));
          grown.set(this.rows);
          this.rows = grown;
        }
        this.rows.set(msg.values, msg.first * m);
        this.ticks = msg.first + msg.count;
        if (this.ticks === 1) {
          this.initMs = performance.now() - this.startedAt;
          if (!performance.getEntriesByName('explorer:first-tick').length) performance.mark('explorer:first-tick');
        }
        break;
      }
      case 'paused':
        this.status = 'paused';
        break;
      case 'done':
        this.status = 'done';
        this.initMs = msg.initMs;
        this.stepMs = msg.stepMs;
        this.worker.terminate();
        break;
      case 'error':
        this.fail(msg.message, msg.problems ?? []);
        return;
    }
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
