/**
 * The coordinator: plans an experiment's runs, skips those already stored, hands the rest
 * to a backend (the local run pool, or workers over a Redis queue), and stores each
 * outcome as it arrives — it is the store's only writer. With adaptive replicates it
 * repeats: after each round it widens the replicates of the points and arms whose
 * confidence intervals are still too wide, until all are narrow enough or at `max`.
 *
 * Killed at any moment, it loses at most the runs in flight and those finished in the last
 * fraction of a second; running it again completes the experiment, and the run keys make
 * sure nothing is stored twice.
 */
import type { ModelRegistry } from '../models/registry.js';
import { HEARTBEAT_SECONDS } from '../store/owner.js';
import type { ExperimentDb } from './db.js';
import type { RunOutcome } from './execute.js';
import type { Experiment } from './load.js';
import type { OutputDef, SeriesDef } from './outputs.js';
import { modelVersion, pointParams, positionsFor, type Position, type RunSpec } from './plan.js';
import type { RunPool } from './pool.js';
import { interval, t975 } from './stats.js';
import {
  addPositions,
  ensureExperimentSchema,
  finishExperiment,
  heartbeatExperiment,
  loadValues,
  registerExperiment,
  storedRuns,
  storeFinished,
  type FinishedRun,
  type RunsOwner,
} from './store.js';

/** What a backend needs besides the runs. */
export interface BatchContext {
  readonly experimentId: string;
  readonly version: string;
  readonly outputs: readonly OutputDef[];
  readonly series: readonly SeriesDef[];
}

/** Where runs execute. `execute` resolves when every run has finished or `stop()` was called. */
export interface Backend {
  readonly description: string;
  execute(runs: readonly RunSpec[], ctx: BatchContext, onFinished: (f: FinishedRun) => void): Promise<void>;
  stop(): void;
  close(): Promise<void>;
}

/** The local pool as a backend: every run is handed to the pool, which keeps its threads busy. */
export class LocalBackend implements Backend {
  private stopped = false;
  private wake: (() => void) | null = null;
  constructor(private readonly pool: RunPool) {}

  get description(): string {
    return `local pool of ${this.pool.size} worker thread${this.pool.size === 1 ? '' : 's'}`;
  }

  async execute(runs: readonly RunSpec[], ctx: BatchContext, onFinished: (f: FinishedRun) => void): Promise<void> {
    if (this.stopped || !runs.length) return;
    const all = Promise.all(
      runs.map((run) =>
        this.pool.run(run, ctx.outputs, ctx.series).then((outcome) => {
          if (!this.stopped) onFinished({ run, outcome, worker: 'local' });
        }),
      ),
    );
    await Promise.race([all, new Promise<void>((r) => (this.wake = r))]);
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

export interface Progress {
  /** Runs in the plan so far (grows with adaptive replicates). */
  readonly total: number;
  /** Runs found already stored when this invocation started a round. */
  readonly skipped: number;
  /** Runs finished by this invocation (complete or failed). */
  readonly ran: number;
  readonly failed: number;
  readonly round: number;
}

export interface Failure {
  readonly key: string;
  readonly seed: number;
  readonly error: string;
}

export interface AdaptiveCell {
  readonly point: number;
  readonly arm: string;
  readonly replicates: number;
  /** Widest 95 % half-width among the `until` outputs (NaN with fewer than 2 values). */
  readonly halfWidth: number;
  readonly output: string;
}

export interface ExperimentReport {
  readonly id: string;
  readonly status: 'complete' | 'incomplete' | 'interrupted';
  readonly resumed: boolean;
  readonly planned: number;
  readonly skipped: number;
  readonly ran: number;
  readonly failures: readonly Failure[];
  readonly stopReason?: string;
  readonly wallSeconds: number;
  /** Adaptive replicates: where each point and arm stopped, and why. */
  readonly adaptive?: { readonly rounds: number; readonly cells: readonly AdaptiveCell[]; readonly note: string };
  readonly backend: string;
}

export interface CoordinatorOptions {
  readonly exp: Experiment;
  readonly registry: ModelRegistry;
  readonly db: ExperimentDb;
  readonly backend: Backend;
  readonly onProgress?: (p: Progress) => void;
  /** Polled: a reason stops the experiment (runs in flight are abandoned, finished ones kept). */
  readonly stopRequested?: () => string | null;
  /** Milliseconds between store writes of finished runs (default 200). */
  readonly flushMs?: number;
}

/** Buffers finished runs and writes them in short transactions, one at a time. */
export class WriteBehind {
  private buffer: FinishedRun[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private error: unknown = null;

  constructor(
    private readonly db: ExperimentDb,
    private readonly exp: RunsOwner,
    private readonly flushMs: number,
  ) {}

  push(f: FinishedRun): void {
    this.buffer.push(f);
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  private flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length)
      this.chain = this.chain.then(() =>
        storeFinished(this.db, this.exp, batch).then(
          () => undefined,
          (e) => {
            this.error ??= e;
          },
        ),
      );
    return this.chain;
  }

  async drain(): Promise<void> {
    await this.flush();
    if (this.error) throw this.error;
  }
}

export async function runExperiment(o: CoordinatorOptions): Promise<ExperimentReport> {
  const t0 = performance.now();
  const { exp, db, backend } = o;
  const version = modelVersion();
  const params = pointParams(exp, o.registry);
  await ensureExperimentSchema(db);
  const resumed = (await registerExperiment(db, exp, version)) === 'resumed';
  const ctx: BatchContext = { experimentId: exp.id, version, outputs: exp.outputs, series: exp.series };
  const writer = new WriteBehind(db, exp, o.flushMs ?? 200);

  const armCount = exp.arms.length;
  const counts: number[][] = params.map(() => new Array<number>(armCount).fill(0));
  const start = exp.replicates.kind === 'fixed' ? exp.replicates.count : exp.replicates.min;
  const target: number[][] = params.map(() => new Array<number>(armCount).fill(start));
  const runs = new Map<string, RunSpec>();
  const positions: Position[] = [];
  const failures = new Map<string, Failure>();
  let skipped = 0;
  let ran = 0;
  let failed = 0;
  let stopReason: string | null = null;
  let round = 0;
  let adaptive: ExperimentReport['adaptive'];
  const stopPoll = setInterval(() => {
    if (stopReason) return;
    stopReason = o.stopRequested?.() ?? null;
    if (stopReason) backend.stop();
  }, 100);
  const heartbeat = setInterval(
    () => void heartbeatExperiment(db, exp.id).catch(() => undefined),
    HEARTBEAT_SECONDS * 1000,
  );
  try {
    for (;;) {
      const fresh = positionsFor(exp, params, version, (p, a) => ({ from: counts[p][a], to: target[p][a] }), runs);
      params.forEach((_, p) => exp.arms.forEach((_, a) => (counts[p][a] = target[p][a])));
      positions.push(...fresh);
      await addPositions(db, exp.id, fresh);
      const stored = await storedRuns(db, exp.id);
      const pendingKeys = [...new Set(fresh.map((p) => p.key))].filter((k) => stored.get(k) !== 'complete');
      skipped += new Set(fresh.map((p) => p.key)).size - pendingKeys.length;
      const total = runs.size;
      const report = () => o.onProgress?.({ total, skipped, ran, failed, round });
      report();
      await backend.execute(
        pendingKeys.map((k) => runs.get(k)!),
        ctx,
        (f) => {
          ran++;
          if (!f.outcome.ok) {
            failed++;
            failures.set(f.run.key, { key: f.run.key, seed: f.run.seed, error: f.outcome.error });
          } else failures.delete(f.run.key);
          writer.push(f);
          report();
        },
      );
      await writer.drain();
      if (stopReason) break;
      if (exp.replicates.kind === 'fixed') break;
      round++;
      const next = await widen(db, exp, counts, target);
      adaptive = { ...next.report, rounds: round };
      if (!next.more) break;
    }
  } finally {
    clearInterval(stopPoll);
    clearInterval(heartbeat);
    await writer.drain().catch(() => undefined);
  }
  const unstoredFailures = [...failures.values()];
  const status: ExperimentReport['status'] = stopReason
    ? 'interrupted'
    : unstoredFailures.length
      ? 'incomplete'
      : 'complete';
  const note = adaptive?.note ?? null;
  const finalStored = await storedRuns(db, exp.id);
  await finishExperiment(
    db,
    exp.id,
    status,
    {
      planned: runs.size,
      stored: [...finalStored.values()].filter((s) => s === 'complete').length,
      failed: [...finalStored.values()].filter((s) => s === 'failed').length,
    },
    stopReason ? `interrupted by ${stopReason}` : note,
  );
  return {
    id: exp.id,
    status,
    resumed,
    planned: runs.size,
    skipped,
    ran,
    failures: unstoredFailures,
    ...(stopReason ? { stopReason } : {}),
    wallSeconds: (performance.now() - t0) / 1000,
    ...(adaptive ? { adaptive } : {}),
    backend: backend.description,
  };
}

/**
 * Adaptive replicates: for every point and arm whose widest `until` interval is above the
 * target, ask for the replicates the current s.d. says it needs — (t·s / h)², at least one
 * more, at most twice as many as now, never above `max`.
 */
async function widen(
  db: ExperimentDb,
  exp: Experiment,
  counts: number[][],
  target: number[][],
): Promise<{ more: boolean; report: { rounds: number; cells: AdaptiveCell[]; note: string } }> {
  if (exp.replicates.kind !== 'adaptive') throw new Error('widen: not adaptive');
  const rep = exp.replicates;
  const byCell = new Map<string, number[]>();
  for (const v of await loadValues(db, exp.id)) {
    if (!rep.outputs.includes(v.output)) continue;
    const key = `${v.point}\u0000${v.arm}\u0000${v.output}`;
    let xs = byCell.get(key);
    if (!xs) byCell.set(key, (xs = []));
    xs.push(v.value);
  }
  const cells: AdaptiveCell[] = [];
  let more = false;
  let atMax = 0;
  counts.forEach((byArm, p) =>
    byArm.forEach((n, a) => {
      const arm = exp.arms[a].name;
      let worst = { hw: -Infinity, output: rep.outputs[0], sd: NaN, n: 0 };
      for (const output of rep.outputs) {
        const iv = interval(byCell.get(`${p}\u0000${arm}\u0000${output}`) ?? []);
        const hw = Number.isNaN(iv.halfWidth) ? Infinity : iv.halfWidth;
        if (hw > worst.hw) worst = { hw, output, sd: iv.sd, n: iv.n };
      }
      cells.push({
        point: p,
        arm,
        replicates: n,
        halfWidth: Number.isFinite(worst.hw) ? worst.hw : NaN,
        output: worst.output,
      });
      if (worst.hw <= rep.halfWidth) return;
      if (n >= rep.max) {
        atMax++;
        return;
      }
      const need =
        worst.n >= 2 && worst.sd > 0 ? Math.ceil(((t975(worst.n - 1) * worst.sd) / rep.halfWidth) ** 2) : n + 1;
      target[p][a] = Math.min(rep.max, Math.max(n + 1, Math.min(2 * n, need)));
      more = true;
    }),
  );
  const total = cells.length;
  const note = more
    ? `widening: ${cells.filter((c) => !(c.halfWidth <= rep.halfWidth)).length} of ${total} point×arm cells above half-width ${rep.halfWidth}`
    : atMax
      ? `stopped: ${total - atMax} of ${total} point×arm cells reached half-width ≤ ${rep.halfWidth}; ${atMax} stopped at max ${rep.max} replicates`
      : `stopped: every point×arm cell reached half-width ≤ ${rep.halfWidth} (replicates ${Math.min(...cells.map((c) => c.replicates))}–${Math.max(...cells.map((c) => c.replicates))})`;
  return { more, report: { rounds: 0, cells, note } };
}

export type { RunOutcome };
