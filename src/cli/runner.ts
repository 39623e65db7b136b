/**
 * One run, end to end, after validation: insert the run as 'running', stream every
 * tick's metrics to the store, and mark the run complete only once all rows are
 * flushed. A stop request (SIGINT/SIGTERM) ends it as 'interrupted', an error as
 * 'failed'; neither ever reads 'complete'.
 */
import type { Executor } from '../engine/simulation.js';
import { runSimulation } from '../engine/simulation.js';
import type { ModelEntry } from '../models/registry.js';
import type { MemoryEstimate } from '../scenario/resolve.js';
import type { ResolvedScenario } from '../scenario/schema.js';
import type { ResultsStore } from '../store/store.js';

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
  /** Called once the run id exists, before the first tick. */
  readonly onStart?: (runId: string) => void;
  readonly onTick?: (tick: number) => void;
}

export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
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
  o.onStart?.(runId);
  const t0 = performance.now();
  const wall = () => (performance.now() - t0) / 1000;
  let writer: Awaited<ReturnType<ResultsStore['metricsWriter']>> | undefined;
  try {
    writer = await o.store.metricsWriter(runId, metrics);
    const w = writer;
    const idx = o.entry.headline.map((name) => metrics.findIndex((m) => m.name === name && m.key === ''));
    const sum = idx.map(() => 0);
    const max = idx.map(() => -Infinity);
    const last = idx.map(() => NaN);
    let count = 0;
    let stopReason: string | null = null;
    // A local run is one long chain of microtasks: yield to the event loop now and then so
    // that signals (SIGINT/SIGTERM), progress output and timers get through.
    let lastYield = performance.now();
    let initSeconds = 0;
    const result = await runSimulation(o.entry.definition, s.params, {
      seed: s.seed,
      steps: s.steps,
      executor: o.executor,
      onTick: (tick, values) => {
        if (tick === 0) initSeconds = wall();
        w.push(tick, values);
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
    writer.close();
    const wallSeconds = wall();
    const finish = {
      wallSeconds,
      peakRssBytes: peakRssBytes(),
      agentStepsPerSecond:
        wallSeconds > initSeconds ? (o.estimate.agents * result.ticks) / (wallSeconds - initSeconds) : 0,
    };
    const headline = o.entry.headline.flatMap((metric, h) =>
      idx[h] < 0 ? [] : [{ metric, final: last[h], mean: sum[h] / count, max: max[h] }],
    );
    const base = {
      runId,
      ticks: result.ticks,
      agents: o.estimate.agents,
      wallSeconds,
      initSeconds,
      agentStepsPerSecond: finish.agentStepsPerSecond,
      peakRssBytes: finish.peakRssBytes,
      metricRows: writer.rowsWritten,
      headline,
    };
    if (!result.completed) {
      const reason = stopReason ?? 'stop requested';
      await o.store.endRun(
        runId,
        'interrupted',
        `interrupted by ${reason} after ${result.ticks} of ${s.steps} ticks`,
        finish,
      );
      return { ...base, status: 'interrupted', stopReason: reason };
    }
    await o.store.completeRun(runId, finish);
    return { ...base, status: 'complete' };
  } catch (e) {
    writer?.abandon();
    const msg = e instanceof Error ? e.message : String(e);
    await o.store.endRun(runId, 'failed', msg.split('\n')[0], { wallSeconds: wall(), peakRssBytes: peakRssBytes() });
    throw Object.assign(e instanceof Error ? e : new Error(msg), { runId });
  }
}
