/**
 * Experiments over Redis with BullMQ: the coordinator enqueues batches of runs as jobs,
 * `panopticon worker` processes (on this machine or others) run them in their own run
 * pools and return the outcomes as the jobs' results, and the coordinator stores them —
 * it stays the store's only writer, and nothing but Redis is shared.
 *
 * Delivery is at least once: a worker killed mid-job leaves the job's lock to expire,
 * another worker's stalled-job check moves it back to the queue, and it runs again. Run
 * keys make storing exactly once. Runs happen in worker threads, so the worker's event
 * loop is always free to renew its job locks, however long a run takes.
 *
 * Jobs are named after their experiment and identified by a hash of their run keys; the
 * coordinator removes a job once its results are stored, and on start it collects results
 * that finished while no coordinator was there.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { ModelRegistry } from '../models/registry.js';
import { UserError } from '../scenario/errors.js';
import type { Backend, BatchContext } from './coordinator.js';
import type { RunOutcome } from './execute.js';
import {
  decodeOutcome,
  encodeOutcome,
  MAX_JOB_BYTES,
  MAX_RESULT_BYTES,
  MAX_RUNS_PER_JOB,
  validateJob,
  JOB_VERSION,
  type EncodedOutcome,
  type JobData,
  type JobResult,
} from './job.js';
import type { RunSpec } from './plan.js';
import type { RunPool } from './pool.js';
import type { FinishedRun } from './store.js';

export const QUEUE_NAME = 'panopticon-runs';

/** The URL with any password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable URL)';
  }
}

/** Check a --queue URL and that Redis answers there, within a few seconds. */
export async function checkRedis(url: string): Promise<void> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(
      `--queue: got ${JSON.stringify(url)}; allowed: a Redis URL such as redis://HOST:PORT or redis://:PASSWORD@HOST:PORT/DB`,
    );
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new UserError(
      `--queue: got protocol ${JSON.stringify(u.protocol)}; allowed: redis: or rediss: (e.g. redis://127.0.0.1:6379)`,
    );
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 5000,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    throw new UserError(`--queue: cannot reach Redis at ${redactUrl(url)}: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    probe.disconnect();
  }
}

function connect(url: string): Redis {
  // BullMQ's blocking commands need maxRetriesPerRequest: null; errors are retried by ioredis.
  const r = new Redis(url, { maxRetriesPerRequest: null });
  r.on('error', () => undefined);
  return r;
}

function jobId(experiment: string, keys: readonly string[]): string {
  return `${experiment}-${createHash('sha256').update(keys.join(',')).digest('hex').slice(0, 20)}`;
}

/** Outcomes from a job's result, keeping only well-formed ones for runs the job carried. */
function outcomesOf(job: Job, outputs: number): { outcomes: RunOutcome[]; worker: string } {
  const data = job.data as JobData;
  const result = job.returnvalue as JobResult | null;
  const keys = new Set(data.runs.map((r) => r.key));
  const outcomes: RunOutcome[] = [];
  if (!result || result.v !== JOB_VERSION || !Array.isArray(result.results)) return { outcomes, worker: '?' };
  for (const e of result.results as EncodedOutcome[]) {
    if (!e || !keys.has(e.key)) continue;
    try {
      const o = decodeOutcome(e);
      if (o.ok && o.values.length !== outputs) continue;
      outcomes.push(o);
    } catch {
      // a malformed entry: that run stays pending and is enqueued again
    }
  }
  return { outcomes, worker: typeof result.worker === 'string' ? result.worker.slice(0, 100) : '?' };
}

export interface QueueBackendOptions {
  /** Runs per job (default: enough jobs to keep every worker busy, up to 8 runs each). */
  readonly runsPerJob?: number;
  /** How often to look for finished jobs besides listening to events (ms). */
  readonly pollMs?: number;
  readonly queueName?: string;
  /** Told when jobs are enqueued or results collected (for logs). */
  readonly log?: (line: string) => void;
}

export class QueueBackend implements Backend {
  private readonly connection: Redis;
  private readonly eventsConnection: Redis;
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly url: string,
    private readonly opts: QueueBackendOptions = {},
  ) {
    const name = opts.queueName ?? QUEUE_NAME;
    this.connection = connect(url);
    this.queue = new Queue(name, { connection: this.connection });
    this.eventsConnection = connect(url);
    this.events = new QueueEvents(name, { connection: this.eventsConnection });
  }

  get description(): string {
    return `Redis queue ${this.opts.queueName ?? QUEUE_NAME} at ${redactUrl(this.url)}`;
  }

  async execute(runs: readonly RunSpec[], ctx: BatchContext, onFinished: (f: FinishedRun) => void): Promise<void> {
    if (this.stopped || !runs.length) return;
    const pending = new Map(runs.map((r) => [r.key, r]));
    const handled = new Set<string>();
    const finish = (job: Job): void => {
      if (job.name !== ctx.experimentId) return;
      const { outcomes, worker } = outcomesOf(job, ctx.outputs.length);
      for (const outcome of outcomes) {
        const run = pending.get(outcome.key);
        if (!run) continue;
        pending.delete(outcome.key);
        onFinished({ run, outcome, worker });
      }
    };
    const fail = (job: Job, reason: string): void => {
      if (job.name !== ctx.experimentId) return;
      for (const r of (job.data as JobData).runs) {
        const run = pending.get(r.key);
        if (!run) continue;
        pending.delete(r.key);
        onFinished({
          run,
          outcome: { key: r.key, ok: false, error: `job failed: ${reason}`, wallSeconds: 0 },
          worker: '?',
        });
      }
    };
    /** Collect finished jobs of this experiment, enqueue runs no job carries, and report whether all are done. */
    const sweep = async (): Promise<void> => {
      const mine = (jobs: Job[]) => jobs.filter((j) => j && j.name === ctx.experimentId);
      for (const job of mine(await this.queue.getJobs(['completed'], 0, -1))) {
        finish(job);
        await job.remove().catch(() => undefined);
      }
      for (const job of mine(await this.queue.getJobs(['failed'], 0, -1))) {
        fail(job, job.failedReason ?? 'unknown');
        await job.remove().catch(() => undefined);
      }
      const carried = new Set<string>();
      const open = await this.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'], 0, -1);
      for (const job of mine(open)) for (const r of (job.data as JobData).runs) carried.add(r.key);
      const loose = [...pending.values()].filter((r) => !carried.has(r.key));
      if (loose.length) await this.enqueue(loose, ctx);
    };

    const onCompleted = async ({ jobId: id }: { jobId: string }) => {
      if (handled.has(id)) return;
      const job = await this.queue.getJob(id);
      if (!job || job.name !== ctx.experimentId) return;
      handled.add(id);
      finish(job);
      await job.remove().catch(() => undefined);
      if (!pending.size) this.wake?.();
    };
    const onFailed = async ({ jobId: id, failedReason }: { jobId: string; failedReason: string }) => {
      const job = await this.queue.getJob(id);
      if (!job || job.name !== ctx.experimentId || !job.finishedOn) return;
      fail(job, failedReason);
      await job.remove().catch(() => undefined);
      if (!pending.size) this.wake?.();
    };
    const completed = (a: { jobId: string }) => void onCompleted(a).catch(() => undefined);
    const failed = (a: { jobId: string; failedReason: string }) => void onFailed(a).catch(() => undefined);
    this.events.on('completed', completed);
    this.events.on('failed', failed);
    try {
      await this.events.waitUntilReady();
      await sweep();
      if (pending.size && !(await this.queue.getWorkers()).length)
        this.opts.log?.(
          `no worker is serving ${this.description} yet: start \`panopticon worker --queue URL\` on this or another machine; the runs wait in the queue`,
        );
      while (pending.size && !this.stopped) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, this.opts.pollMs ?? 2000);
        });
        this.wake = null;
        if (pending.size && !this.stopped) await sweep();
      }
    } finally {
      this.events.off('completed', completed);
      this.events.off('failed', failed);
      if (this.stopped) await this.withdraw(ctx.experimentId);
    }
  }

  private async enqueue(runs: readonly RunSpec[], ctx: BatchContext): Promise<void> {
    const perJob = Math.max(
      1,
      Math.min(MAX_RUNS_PER_JOB, this.opts.runsPerJob ?? Math.min(8, Math.max(1, Math.ceil(runs.length / 64)))),
    );
    const jobs: {
      name: string;
      data: JobData;
      opts: { jobId: string; attempts: number; removeOnComplete: false; removeOnFail: false };
    }[] = [];
    for (let i = 0; i < runs.length; i += perJob) {
      const batch = runs.slice(i, i + perJob);
      const data: JobData = {
        v: JOB_VERSION,
        experiment: ctx.experimentId,
        version: ctx.version,
        outputs: ctx.outputs,
        series: ctx.series,
        runs: batch,
      };
      const size = Buffer.byteLength(JSON.stringify(data));
      if (size > MAX_JOB_BYTES)
        throw new UserError(
          `a job of ${batch.length} runs is ${size} bytes, over the ${MAX_JOB_BYTES}-byte limit; use --runs-per-job 1`,
        );
      if ((ctx.series.length * 8 * (batch[0].steps + 1) * batch.length * 4) / 3 > MAX_RESULT_BYTES)
        throw new UserError(
          `the series of ${batch.length} runs would exceed a job result's ${MAX_RESULT_BYTES} bytes; ask for fewer series or use --runs-per-job 1`,
        );
      jobs.push({
        name: ctx.experimentId,
        data,
        // A job that throws is a worker-side refusal (bad payload, other model version): retrying on
        // another worker may help once. Runs that fail inside a job are results, not job failures.
        opts: {
          jobId: jobId(
            ctx.experimentId,
            batch.map((r) => r.key),
          ),
          attempts: 2,
          removeOnComplete: false,
          removeOnFail: false,
        },
      });
    }
    await this.queue.addBulk(jobs);
    this.opts.log?.(`enqueued ${runs.length} runs in ${jobs.length} jobs`);
  }

  /** Remove this experiment's jobs that no worker has started (an interrupted coordinator). */
  private async withdraw(experiment: string): Promise<void> {
    const jobs = await this.queue.getJobs(['waiting', 'delayed', 'prioritized'], 0, -1);
    for (const job of jobs) if (job?.name === experiment) await job.remove().catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  async close(): Promise<void> {
    // BullMQ closes the connections it made, not the ones it was given.
    await this.events.close();
    await this.queue.close();
    this.connection.disconnect();
    this.eventsConnection.disconnect();
  }
}

export interface WorkerOptions {
  readonly url: string;
  readonly registry: ModelRegistry;
  readonly pool: RunPool;
  readonly concurrency: number;
  readonly version: string;
  /** Bytes of state one run may use. */
  readonly memoryPerRun: number;
  /** Seconds before a silent worker's jobs count as stalled and go to another worker (default 30). */
  readonly stallSeconds?: number;
  readonly queueName?: string;
  readonly log: (line: string) => void;
}

export interface ServingWorker {
  readonly name: string;
  /** Stop taking jobs; resolves when the jobs in progress have finished (or `force`: at once). */
  close(force?: boolean): Promise<void>;
  readonly jobsDone: () => number;
}

/** Start a BullMQ worker that runs experiment jobs in `pool` until closed. */
export function serveQueue(o: WorkerOptions): ServingWorker {
  const name = `${hostname()}:${process.pid}`;
  const stallMs = Math.round((o.stallSeconds ?? 30) * 1000);
  let done = 0;
  let active = 0;
  const connection = connect(o.url);
  const worker = new Worker(
    o.queueName ?? QUEUE_NAME,
    async (job: Job): Promise<JobResult> => {
      const data = validateJob(job.data, o.registry, o.version, o.memoryPerRun);
      if (typeof data === 'string') {
        o.log(`job ${job.id}: refused: ${data}`);
        throw new UnrecoverableError(data);
      }
      const t0 = performance.now();
      active++;
      const outcomes = await Promise.all(data.runs.map((run) => o.pool.run(run, data.outputs, data.series))).finally(
        () => active--,
      );
      const results = outcomes.map(encodeOutcome);
      let size = Buffer.byteLength(JSON.stringify(results));
      if (size > MAX_RESULT_BYTES) {
        for (let i = 0; i < results.length; i++)
          results[i] = {
            key: results[i].key,
            ok: false,
            error: `result over ${MAX_RESULT_BYTES} bytes (series too long)`,
            wallSeconds: 0,
          };
        size = Buffer.byteLength(JSON.stringify(results));
      }
      const failed = results.filter((r) => !r.ok).length;
      done++;
      o.log(
        `job ${job.id}: ${data.runs.length} run${data.runs.length === 1 ? '' : 's'} of ${data.experiment} in ${((performance.now() - t0) / 1000).toFixed(1)} s${failed ? `, ${failed} failed` : ''}`,
      );
      return { v: JOB_VERSION, worker: name, results };
    },
    {
      connection,
      concurrency: o.concurrency,
      name,
      lockDuration: stallMs,
      stalledInterval: stallMs,
      // A job may lose its worker a few times (kills, reboots) before it is given up as failed.
      maxStalledCount: 5,
      removeOnComplete: { count: 100_000 },
    },
  );
  worker.on('error', (e) => o.log(`worker error: ${e.message}`));
  return {
    name,
    close: async (force = false) => {
      // With no job in progress there is nothing to finish: a graceful close would wait for
      // Redis, forever if it has gone away.
      await worker.close(force || active === 0);
      connection.disconnect();
    },
    jobsDone: () => done,
  };
}
