/**
 * One run, end to end, after validation: record the run as 'running' (owned by this
 * process), stream every tick's metrics to the run's staging file, beat a heartbeat into
 * the store, and at the end import the metrics in the one transaction that sets the final
 * status. A stop request (SIGINT/SIGTERM) ends it as 'interrupted', an error as 'failed';
 * neither ever reads 'complete'. If this process dies instead, `recover` finishes the job
 * from the staging file (src/store/staging.ts).
 */
import type { Executor } from '../engine/simulation.js';
import { runSimulation } from '../engine/simulation.js';
import type { ModelEntry } from '../models/registry.js';
import { isUserError } from '../scenario/errors.js';
import type { MemoryEstimate } from '../scenario/resolve.js';
import type { ResolvedScenario } from '../scenario/schema.js';
import { firstLine } from '../store/errors.js';
import { HEARTBEAT_SECONDS } from '../store/owner.js';
import type { ResultsStore, RunOutcome, StagedRun } from '../store/store.js';

export interface HeadlineStat {
  readonly metric: string;
  readonly final: number;
  readonly mean: number;
  readonly max: number;
}

export interface RunReport {
  readonly runId: string;
  readonly status: 'complete' | 'interrupted';
  /** Signal or reason that stopped the run early. */
  readonly stopReason?: string;
  readonly ticks: number;
  readonly agents: number;
  readonly wallSeconds: number;
  /** Seconds before tick 0 was reported: synthesis of the population (initialisation). */
  readonly initSeconds: number;
  /** Agents × ticks per second of stepping (initialisation excluded). */
  readonly agentStepsPerSecond: number;
  readonly peakRssBytes: number;
  readonly metricRows: number;
  readonly headline: readonly HeadlineStat[];
}

export interface ExecuteOptions {
  readonly scenario: ResolvedScenario;
  readonly entry: ModelEntry;
  readonly estimate: MemoryEstimate;
  readonly store: ResultsStore;
  readonly executor: Executor;
  readonly version: string;
  readonly scenarioHash: string;
  /** Polled between ticks: a non-null reason stops the run early. */
  readonly stopRequested: () => string | null;
  /** Called once the run id exists, before synthesis. */
  readonly onStart?: (runId: string) => void;
  /**
   * Called once tick 0 (the synthesized population) is reported: from here on the run
   * polls stopRequested between ticks. Before it, nothing polls (synthesis is one long
   * synchronous stage), so a signal should keep its default effect and end the process.
   */
  readonly onStepping?: () => void;
  readonly onTick?: (tick: number) => void;
  /**
   * Called when the last tick is done (or the run stopped early), before the results are
   * stored: from here a signal may take its default effect again, since what the run did
   * is safe in its staging file.
   */
  readonly onSteppingDone?: () => void;
  /** Called now and then while the final import waits for another process's transaction. */
  readonly onStoreWait?: (holderPid: number | undefined, waitedMs: number) => void;
}

export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * What became of a run that ended in an error: stored as 'failed'; its results kept in its
 * staging file for `recover` (the store could not take them); or nothing could be recorded
 * (the run will read 'abandoned').
 */
export type FailedRunState = 'failed' | 'staged' | 'unrecorded';

/** An error that carries the run it ended and what became of it, so the CLI can say so. */
function withRunId(e: unknown, runId: string, state: FailedRunState): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  return Object.assign(err, { runId, runState: state });
}

export async function executeRun(o: ExecuteOptions): Promise<RunReport> {
  const s = o.scenario;
  const metrics = o.estimate.layout.metrics;
  const runId = await o.store.beginRun({
    model: s.model,
    preset: s.preset ?? null,
    scenarioHash: o.scenarioHash,
    seed: s.seed,
    steps: s.steps,
    threads: o.executor.threads,
    version: o.version,
    agents: o.estimate.agents,
    stateBytes: o.estimate.stateBytes,
    scenarioJson: JSON.stringify(s),
  });
  const t0 = performance.now();
  const wall = () => (performance.now() - t0) / 1000;
  let staged: StagedRun;
  try {
    staged = await o.store.stage(runId, metrics);
  } catch (e) {
    const recorded = await o.store.endRun(runId, 'failed', firstLine(e), wall()).then(
      () => true,
      () => false,
    );
    throw withRunId(e, runId, recorded ? 'failed' : 'unrecorded');
  }
  o.onStart?.(runId);

  let ticksDone = 0;
  const beat = setInterval(() => void o.store.heartbeat(runId, ticksDone), HEARTBEAT_SECONDS * 1000);
  beat.unref();

  const idx = o.entry.headline.map((name) => metrics.findIndex((m) => m.name === name && m.key === ''));
  const sum = idx.map(() => 0);
  const max = idx.map(() => -Infinity);
  const last = idx.map(() => NaN);
  let count = 0;
  let stopReason: string | null = null;
  let initSeconds = 0;
  // A local run is one long chain of microtasks: yield to the event loop now and then so
  // that signals (SIGINT/SIGTERM), progress output, heartbeats and timers get through.
  let lastYield = performance.now();
  let result: Awaited<ReturnType<typeof runSimulation>>;
  try {
    result = await runSimulation(o.entry.definition, s.params, {
      seed: s.seed,
      steps: s.steps,
      ...(s.schedule ? { schedule: s.schedule } : {}),
      executor: o.executor,
      onTick: (tick, values) => {
        if (tick === 0) {
          initSeconds = wall();
          o.onStepping?.();
        }
        staged.push(tick, values);
        ticksDone = tick;
        // Daily statistics are over the days (ticks ≥ 1); tick 0 is the initial state.
        if (tick > 0) count++;
        for (let h = 0; h < idx.length; h++) {
          if (idx[h] < 0) continue;
          const v = values[idx[h]];
          last[h] = v;
          if (tick === 0) continue;
          sum[h] += v;
          if (v > max[h]) max[h] = v;
        }
        o.onTick?.(tick);
        const now = performance.now();
        if (now - lastYield >= 50) {
          lastYield = now;
          return new Promise<void>((resolveYield) => setImmediate(resolveYield));
        }
        return undefined;
      },
      shouldStop: () => (stopReason = o.stopRequested()) !== null,
    });
  } catch (e) {
    clearInterval(beat);
    o.onSteppingDone?.();
    throw withRunId(e, runId, await failRun(o, staged, runId, e, ticksDone, wall()));
  }
  clearInterval(beat);
  o.onSteppingDone?.();

  const wallSeconds = wall();
  const rss = peakRssBytes();
  const agentStepsPerSecond =
    wallSeconds > initSeconds ? (o.estimate.agents * result.ticks) / (wallSeconds - initSeconds) : 0;
  const reason = result.completed ? undefined : (stopReason ?? 'stop requested');
  const outcome: RunOutcome = {
    status: result.completed ? 'complete' : 'interrupted',
    error: reason ? `interrupted by ${reason} after ${result.ticks} of ${s.steps} ticks` : null,
    wallSeconds,
    peakRssBytes: rss,
    agentStepsPerSecond,
    ticks: result.ticks,
  };
  try {
    await staged.seal(outcome);
  } catch (e) {
    throw withRunId(e, runId, await failRun(o, staged, runId, e, result.ticks, wallSeconds));
  }
  // The results exist only in the staging file until this commits: wait for the store as
  // long as it takes (a signal still ends the wait; `recover` then imports them).
  let stored: Awaited<ReturnType<ResultsStore['importStaged']>>;
  try {
    stored = await o.store.importStaged(runId, { waitMs: Infinity, onWait: o.onStoreWait });
  } catch (e) {
    throw withRunId(keptInStaging(e, staged.file, o.store.path), runId, 'staged');
  }
  // Only if a process on another host took this one for dead (no heartbeat for 15 minutes)
  // and recovered the run first: say so rather than report a result the store does not hold.
  if (stored === null)
    throw withRunId(
      new Error(`run ${runId} was finalised by another process (\`recover\` took this one for dead)`),
      runId,
      'unrecorded',
    );
  const headline = o.entry.headline.flatMap((metric, h) =>
    idx[h] < 0 ? [] : [{ metric, final: last[h], mean: sum[h] / count, max: max[h] }],
  );
  return {
    runId,
    status: result.completed ? 'complete' : 'interrupted',
    ...(reason ? { stopReason: reason } : {}),
    ticks: result.ticks,
    agents: o.estimate.agents,
    wallSeconds,
    initSeconds,
    agentStepsPerSecond,
    peakRssBytes: rss,
    metricRows: staged.writer.rowsWritten,
    headline,
  };
}

/**
 * A run that threw: keep what it staged under status 'failed' if the store takes it, else
 * drop the staging file (it may be what filled the disk) and mark the row failed.
 */
async function failRun(
  o: ExecuteOptions,
  staged: StagedRun,
  runId: string,
  e: unknown,
  ticks: number,
  wallSeconds: number,
): Promise<FailedRunState> {
  const outcome: RunOutcome = {
    status: 'failed',
    error: firstLine(e),
    wallSeconds,
    peakRssBytes: peakRssBytes(),
    agentStepsPerSecond: null,
    ticks,
  };
  try {
    await staged.seal(outcome);
    await o.store.importStaged(runId);
    return 'failed';
  } catch {
    staged.discard();
    return o.store.endRun(runId, 'failed', outcome.error ?? 'failed', wallSeconds).then(
      () => 'failed',
      () => 'unrecorded',
    );
  }
}

/** An import that failed: the results are safe in the staging file; say how to finish the job. */
function keptInStaging(e: unknown, file: string, storePath: string): unknown {
  if (!isUserError(e)) return e;
  const how = `the run's results are kept in ${file}; once the store is writable again, \`panopticon recover --db ${storePath}\` moves them into it`;
  return Object.assign(e, { message: `${e.message}; ${how}` });
}
