/** `panopticon run`: validate, run, store, summarise (as text, or as one JSON document with --json). */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { ModelLayout } from '../../engine/model.js';
import { partition } from '../../engine/shards.js';
import type { Executor } from '../../engine/simulation.js';
import { formatBytes, isUserError } from '../../scenario/errors.js';
import { DEFAULT_PRESET, defaultPresetsDir, loadPreset, loadScenarioFile, scenarioHash } from '../../scenario/load.js';
import { checkMemory, checkWorkers, type MemoryEstimate, type Overrides } from '../../scenario/resolve.js';
import type { ResolvedScenario } from '../../scenario/schema.js';
import { defaultDbPath, ResultsStore } from '../../store/store.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM } from '../exit-codes.js';
import { describeFailure } from '../failure.js';
import { fmtNumber, fmtSeconds, keyValues, table } from '../format.js';
import { executeRun, type FailedRunState, type RunReport } from '../runner.js';

interface RunOpts {
  preset?: string;
  seed?: string;
  steps?: string;
  threads?: string;
  population?: string;
  out?: string;
  db?: string;
  progress: boolean;
  json: boolean;
}

export function numberish(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v.trim()) ? Number(v) : v;
}

export function dbPathOf(opts: { db?: string; out?: string }): string {
  return opts.db ?? defaultDbPath(opts.out);
}

/**
 * Threads when the scenario does not say: one per core when the population splits into
 * several shards (a model with shard systems), else one — a sequential model such as
 * Epstein's gains nothing from workers.
 */
export function autoThreads(layout: ModelLayout, cores: number): number {
  const shards = partition(layout.unitStarts, layout.agentsPerShard).length;
  return Math.max(1, Math.min(cores, shards));
}

export function resolveInput(
  ctx: CliContext,
  file: string | undefined,
  preset: string | undefined,
  overrides: Overrides,
): ResolvedScenario {
  const dir = ctx.presetsDir ?? defaultPresetsDir();
  if (file) return loadScenarioFile(file, { registry: ctx.registry, dir, overrides, ...(preset ? { preset } : {}) });
  return loadPreset(preset ?? DEFAULT_PRESET, { registry: ctx.registry, dir, overrides });
}

/** The machine-readable summary `run --json` prints: one JSON object, nothing else on stdout. */
export interface RunJson {
  readonly status: 'complete' | 'interrupted' | 'failed' | 'error';
  readonly exitCode: number;
  readonly runId: string | null;
  readonly store: string;
  readonly model?: string;
  readonly preset?: string | null;
  readonly seed?: number;
  readonly steps?: number;
  readonly ticks?: number;
  readonly threads?: number;
  readonly agents?: number;
  readonly scenarioHash?: string;
  readonly version: string;
  readonly wallSeconds?: number;
  readonly synthesisSeconds?: number;
  readonly agentStepsPerSecond?: number;
  readonly peakRssBytes?: number;
  readonly stateBytes?: number;
  readonly metricRows?: number;
  /** Headline metrics (whole population): final, mean and max over the ticks; non-finite values are null. */
  readonly outputs?: Record<string, { final: number | null; mean: number | null; max: number | null }>;
  /** The stability and harm rows of `compare`, for models that have them. */
  readonly comparison?: { section: string; metric: string; stat: string; label: string; value: number | null }[];
  readonly stopReason?: string;
  readonly error: { kind: string; message: string } | null;
}

const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

async function comparisonOf(
  ctx: CliContext,
  store: ResultsStore,
  scenario: ResolvedScenario,
  runId: string,
): Promise<RunJson['comparison']> {
  const c = ctx.registry[scenario.model]?.comparison;
  if (!c) return undefined;
  const rows = [
    ...c.stability.map((r) => ({ section: 'stability', ...r })),
    ...c.harm.map((r) => ({ section: 'harm', ...r })),
  ];
  const summary = await store.metricSummary(runId, [...new Set(rows.map((r) => r.metric))]);
  return rows.map((r) => ({ ...r, value: finite(summary.get(r.metric)?.[r.stat]) }));
}

function progressBar(ctx: CliContext, o: RunOpts): cliProgress.SingleBar | undefined {
  const target = o.json ? ctx.progressErr : ctx.progress;
  if (!o.progress || !target) return undefined;
  return new cliProgress.SingleBar(
    {
      stream: target.stream,
      noTTYOutput: !target.isTTY,
      notTTYSchedule: 5000,
      hideCursor: target.isTTY,
      format:
        'tick {value}/{total} {phase}|{bar}| {percentage}% | {speed} ticks/s | {agentRate} agent-steps/s | ETA {eta_formatted}',
      etaBuffer: 100,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
}

function textSummary(
  scenario: ResolvedScenario,
  estimate: MemoryEstimate,
  report: RunReport,
  threads: number,
  store: string,
): string {
  const lines = keyValues([
    ['run id', report.runId],
    ['status', report.status],
    ['model', scenario.model],
    ['preset', scenario.preset ?? '-'],
    ['seed', String(scenario.seed)],
    ['ticks', `${fmtNumber(report.ticks)} of ${fmtNumber(scenario.steps)}`],
    ['threads', String(threads)],
    ['wall time', `${fmtSeconds(report.wallSeconds)} (synthesis ${fmtSeconds(report.initSeconds)})`],
    ['agents', fmtNumber(report.agents)],
    ['agent-steps/s', fmtNumber(Math.round(report.agentStepsPerSecond))],
    [
      'state',
      `${formatBytes(estimate.stateBytes)} (${(estimate.stateBytes / estimate.agents).toFixed(1)} bytes/agent)`,
    ],
    // Peak RSS is the whole process (runtime, DuckDB, workers): per agent it means
    // something only when the population dominates it.
    [
      'peak RSS',
      estimate.agents >= 1_000_000
        ? `${formatBytes(report.peakRssBytes)} (${(report.peakRssBytes / estimate.agents).toFixed(1)} bytes/agent)`
        : `${formatBytes(report.peakRssBytes)} (whole process)`,
    ],
    ['store', store],
  ]);
  const headline = report.headline.map((h) => [h.metric, fmtNumber(h.final), fmtNumber(h.mean), fmtNumber(h.max)]);
  return `${lines}\n${headline.length ? `\n${table(['metric', 'final', 'mean', 'max'], headline)}\n` : ''}`;
}

async function runCommand(ctx: CliContext, file: string | undefined, o: RunOpts): Promise<number> {
  const dbPath = dbPathOf(o);
  let runId: string | null = null;
  let scenario: ResolvedScenario | undefined;
  try {
    // 1. validate everything, memory included, before the store is touched
    scenario = resolveInput(ctx, file, o.preset, {
      seed: numberish(o.seed),
      steps: numberish(o.steps),
      threads: numberish(o.threads),
      population: numberish(o.population),
    });
    const s = scenario;
    const available = ctx.availableMemory();
    const estimate = checkMemory(s, ctx.registry, available);
    const threads = s.threads ?? autoThreads(estimate.layout, ctx.cores ?? 1);
    checkWorkers(s, estimate, threads, available);
    const entry = ctx.registry[s.model];
    const hash = scenarioHash(s);

    // 2. the store: finish what dead runs left behind (best effort), then run
    const store = await ResultsStore.open(dbPath);
    await recoverQuietly(ctx, store);
    let executor: Executor | undefined;
    let stopReason: string | null = null;
    let unregister: (() => void) | undefined;
    const bar = progressBar(ctx, o);
    try {
      executor = await ctx.createExecutor(threads);
      // Rates count ticks only: synthesis (before tick 0) takes minutes at national scale and
      // is shown as a phase of its own.
      let t0 = performance.now();
      const report = await executeRun({
        scenario: s,
        entry,
        estimate,
        store,
        executor,
        version: ctx.version,
        scenarioHash: hash,
        stopRequested: () => stopReason,
        onStart: (id) => {
          runId = id;
          bar?.start(s.steps, 0, {
            speed: '-',
            agentRate: '-',
            phase: `(synthesizing ${fmtNumber(estimate.agents)} agents) `,
          });
        },
        // Signals are handled only once ticks poll for them; until then (synthesis) they end the process.
        onStepping: () => {
          unregister = ctx.onSignal((sig) => {
            stopReason = sig;
          }, 'stopping after the current tick');
        },
        onTick: (tick) => {
          if (tick === 0) {
            t0 = performance.now();
            bar?.update(0, { phase: '' });
            return;
          }
          if (!bar) return;
          const secs = (performance.now() - t0) / 1000;
          bar.update(tick, {
            speed: secs > 0 ? fmtNumber(tick / secs) : '-',
            agentRate: secs > 0 ? fmtNumber(Math.round((estimate.agents * tick) / secs)) : '-',
          });
        },
        onSteppingDone: () => {
          unregister?.();
          unregister = undefined;
        },
        onStoreWait: (pid, waited) =>
          ctx.err(
            `waiting ${Math.round(waited / 1000)} s so far for the results store, held by ${pid ? `process ${pid}` : 'another process'}, to store run ${runId} (if you stop now, the next run or \`panopticon recover\` stores it)\n`,
          ),
      });
      bar?.stop();
      const interrupted = report.status === 'interrupted';
      const code = interrupted ? (report.stopReason === 'SIGTERM' ? EXIT_SIGTERM : EXIT_SIGINT) : EXIT_OK;
      if (o.json) {
        const summary: RunJson = {
          status: report.status,
          exitCode: code,
          runId: report.runId,
          store: store.path,
          model: s.model,
          preset: s.preset ?? null,
          seed: s.seed,
          steps: s.steps,
          ticks: report.ticks,
          threads: executor.threads,
          agents: report.agents,
          scenarioHash: hash,
          version: ctx.version,
          wallSeconds: report.wallSeconds,
          synthesisSeconds: report.initSeconds,
          agentStepsPerSecond: report.agentStepsPerSecond,
          peakRssBytes: report.peakRssBytes,
          stateBytes: estimate.stateBytes,
          metricRows: report.metricRows,
          outputs: Object.fromEntries(
            report.headline.map((h) => [
              h.metric,
              { final: finite(h.final), mean: finite(h.mean), max: finite(h.max) },
            ]),
          ),
          comparison: await comparisonOf(ctx, store, s, report.runId),
          ...(report.stopReason ? { stopReason: report.stopReason } : {}),
          error: null,
        };
        ctx.out(JSON.stringify(summary, null, 2) + '\n');
      } else {
        ctx.out(textSummary(s, estimate, report, executor.threads, store.path));
      }
      if (interrupted)
        ctx.err(
          `interrupted by ${report.stopReason}: run ${report.runId} stored as 'interrupted' (${report.ticks} of ${s.steps} ticks)\n`,
        );
      return code;
    } catch (e) {
      bar?.stop();
      const { runId: id, runState } = e as { runId?: string; runState?: FailedRunState };
      if (id && runState === 'failed') ctx.err(`run ${id} failed and is stored as 'failed'\n`);
      if (id && runState === 'unrecorded')
        ctx.err(`run ${id} failed, and the store could not record it: it will read 'abandoned'\n`);
      throw e;
    } finally {
      unregister?.();
      await executor?.close();
    }
  } catch (e) {
    if (o.json) {
      const f = describeFailure(e, false);
      const summary: RunJson = {
        status: runId ? 'failed' : 'error',
        exitCode: f.code,
        runId,
        store: dbPath,
        ...(scenario ? { model: scenario.model, preset: scenario.preset ?? null, seed: scenario.seed } : {}),
        version: ctx.version,
        error: { kind: f.kind, message: f.message },
      };
      ctx.out(JSON.stringify(summary, null, 2) + '\n');
    }
    throw e;
  }
}

/** Import what runs killed earlier left in staging files; a busy store is left for next time. */
async function recoverQuietly(ctx: CliContext, store: ResultsStore): Promise<void> {
  try {
    const recovered = await store.recover({ waitMs: 5_000 });
    for (const r of recovered)
      ctx.err(
        `recovered run ${r.runId}, whose process had died: stored as '${r.status}' with ${fmtNumber(r.rows)} metric rows\n`,
      );
  } catch (e) {
    if (!isUserError(e) || e.kind !== 'busy') throw e;
  }
}

export const registerRun: RegisterCommands = (program: Command, ctx, setExit) => {
  program
    .command('run')
    .description(`run a scenario file or a preset (default preset: ${DEFAULT_PRESET}) and store its results`)
    .argument('[scenario]', 'scenario YAML file')
    .option('--preset <name>', 'run this preset; with a scenario file, the preset the file starts from')
    .option('--seed <n>', 'override the seed (integer ≥ 0)')
    .option('--steps <n>', 'override the number of ticks (integer ≥ 1)')
    .option('--threads <n>', 'override the worker threads (integer ≥ 1); results do not depend on it')
    .option('--population <n>', 'scale the population to n agents, keeping every share and density (regime presets)')
    .option('--out <dir>', 'results folder (holds results.duckdb)', 'panopticon-results')
    .option('--db <path>', 'results database file (overrides --out)')
    .option('--no-progress', 'do not show the progress bar')
    .option(
      '--json',
      'print one JSON summary on stdout and nothing else there (run id, status, outputs, store); progress goes to stderr',
      false,
    )
    .action(async (file: string | undefined, o: RunOpts) => setExit(await runCommand(ctx, file, o)));
};
