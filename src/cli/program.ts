/**
 * The `panopticon` commands. Everything the commands touch outside their arguments
 * (registry, presets folder, output, memory, signals, executors) comes in through a
 * CliContext, so tests can run the CLI in-process.
 */
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import cliProgress from 'cli-progress';
import type { ModelLayout } from '../engine/model.js';
import { partition } from '../engine/shards.js';
import type { Executor } from '../engine/simulation.js';
import type { ComparisonRow, ModelRegistry } from '../models/registry.js';
import { formatBytes, isUserError, UserError } from '../scenario/errors.js';
import {
  DEFAULT_PRESET,
  listPresets,
  loadPreset,
  loadScenarioFile,
  scenarioHash,
  defaultPresetsDir,
} from '../scenario/load.js';
import { checkMemory, checkWorkers, type Overrides } from '../scenario/resolve.js';
import type { ResolvedScenario } from '../scenario/schema.js';
import { sources } from '../scenario/sources.js';
import { defaultDbPath, ResultsStore, type ExportFormat, type MetricSummary } from '../store/store.js';
import { fmtNumber, fmtSeconds, keyValues, table } from './format.js';
import { writeExportCrate } from '../charts/node/crate.js';
import { registerReport } from './report.js';
import { executeRun, type RunReport } from './runner.js';

export interface CliContext {
  readonly registry: ModelRegistry;
  /** Preset folder; defaults to <package root>/scenarios. */
  readonly presetsDir?: string;
  readonly version: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Bytes a run's state may use (the memory check refuses bigger scenarios). */
  readonly availableMemory: () => number;
  /** Where the progress bar goes, and whether it is a terminal. */
  readonly progress?: { stream: NodeJS.WritableStream; isTTY: boolean };
  /** Register a handler for SIGINT/SIGTERM during a run; returns the unregister function. */
  readonly onSignal: (handler: (signal: string) => void) => () => void;
  readonly createExecutor: (threads: number) => Promise<Executor>;
  /** CPU cores available, for the default thread count (1 if not given). */
  readonly cores?: number;
}

/** Exit codes: 0 ok, 1 user error, 2 internal error, 130/143 interrupted by SIGINT/SIGTERM. */
export const EXIT_OK = 0;
export const EXIT_USER = 1;
export const EXIT_INTERNAL = 2;

function numberish(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v.trim()) ? Number(v) : v;
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

/** Difference against the reference run, with the relative change where it is defined. */
function difference(reference: number | undefined, value: number | undefined): string {
  if (reference === undefined || value === undefined) return '-';
  const d = value - reference;
  const pct =
    reference !== 0 && Number.isFinite(d)
      ? ` (${d >= 0 ? '+' : ''}${((100 * d) / Math.abs(reference)).toFixed(1)} %)`
      : '';
  return `${d >= 0 ? '+' : ''}${fmtNumber(d)}${pct}`;
}

function dbPathOf(opts: { db?: string; out?: string }): string {
  return opts.db ?? defaultDbPath(opts.out);
}

interface RunOpts {
  preset?: string;
  seed?: string;
  steps?: string;
  threads?: string;
  population?: string;
  out?: string;
  db?: string;
  progress: boolean;
}

function resolveInput(
  ctx: CliContext,
  file: string | undefined,
  preset: string | undefined,
  overrides: Overrides,
): ResolvedScenario {
  const dir = ctx.presetsDir ?? defaultPresetsDir();
  if (file) return loadScenarioFile(file, { registry: ctx.registry, dir, overrides, ...(preset ? { preset } : {}) });
  return loadPreset(preset ?? DEFAULT_PRESET, { registry: ctx.registry, dir, overrides });
}

function headlineRows(r: RunReport): string[][] {
  return r.headline.map((h) => [h.metric, fmtNumber(h.final), fmtNumber(h.mean), fmtNumber(h.max)]);
}

async function runCommand(ctx: CliContext, file: string | undefined, o: RunOpts): Promise<number> {
  // 1. validate everything, memory included, before the store is touched
  const scenario = resolveInput(ctx, file, o.preset, {
    seed: numberish(o.seed),
    steps: numberish(o.steps),
    threads: numberish(o.threads),
    population: numberish(o.population),
  });
  const available = ctx.availableMemory();
  const estimate = checkMemory(scenario, ctx.registry, available);
  const threads = scenario.threads ?? autoThreads(estimate.layout, ctx.cores ?? 1);
  checkWorkers(scenario, estimate, threads, available);
  const entry = ctx.registry[scenario.model];
  const hash = scenarioHash(scenario);

  // 2. run
  const store = await ResultsStore.open(dbPathOf(o));
  let executor: Executor | undefined;
  let stopReason: string | null = null;
  const unregister = ctx.onSignal((sig) => {
    stopReason = sig;
  });
  const showBar = o.progress && ctx.progress;
  const bar = showBar
    ? new cliProgress.SingleBar(
        {
          stream: ctx.progress!.stream,
          noTTYOutput: !ctx.progress!.isTTY,
          notTTYSchedule: 5000,
          hideCursor: ctx.progress!.isTTY,
          format:
            'tick {value}/{total} {phase}|{bar}| {percentage}% | {speed} ticks/s | {agentRate} agent-steps/s | ETA {eta_formatted}',
          etaBuffer: 100,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  try {
    executor = await ctx.createExecutor(threads);
    // Rates count ticks only: synthesis (before tick 0) takes minutes at national scale and
    // is shown as a phase of its own.
    let t0 = performance.now();
    const report = await executeRun({
      scenario,
      entry,
      estimate,
      store,
      executor,
      version: ctx.version,
      scenarioHash: hash,
      stopRequested: () => stopReason,
      onStart: () =>
        bar?.start(scenario.steps, 0, {
          speed: '-',
          agentRate: '-',
          phase: `(synthesizing ${fmtNumber(estimate.agents)} agents) `,
        }),
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
    });
    bar?.stop();
    ctx.out(
      keyValues([
        ['run id', report.runId],
        ['status', report.status],
        ['model', scenario.model],
        ['preset', scenario.preset ?? '-'],
        ['seed', String(scenario.seed)],
        ['ticks', `${fmtNumber(report.ticks)} of ${fmtNumber(scenario.steps)}`],
        ['threads', String(executor.threads)],
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
        ['store', store.path],
      ]) + '\n',
    );
    if (report.headline.length) ctx.out('\n' + table(['metric', 'final', 'mean', 'max'], headlineRows(report)) + '\n');
    if (report.status === 'interrupted') {
      ctx.err(
        `interrupted by ${report.stopReason}: run ${report.runId} stored as 'interrupted' (${report.ticks} of ${scenario.steps} ticks)\n`,
      );
      return report.stopReason === 'SIGTERM' ? 143 : 130;
    }
    return EXIT_OK;
  } catch (e) {
    bar?.stop();
    const runId = (e as { runId?: string }).runId;
    if (runId) ctx.err(`run ${runId} failed and is stored as 'failed'\n`);
    throw e;
  } finally {
    unregister();
    await executor?.close();
    store.close();
  }
}

export function buildProgram(ctx: CliContext, setExit: (code: number) => void): Command {
  const program = new Command('panopticon')
    .description('Agent-based simulator of mass-surveillance and social-credit regimes on synthetic populations')
    .version(ctx.version)
    .exitOverride()
    .configureOutput({ writeOut: ctx.out, writeErr: ctx.err })
    .showSuggestionAfterError(true);

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
    .action(async (file: string | undefined, o: RunOpts) => setExit(await runCommand(ctx, file, o)));

  program
    .command('validate')
    .description(
      'check a scenario file (schema, model params, sources, memory) without running it; a file in the presets folder is checked with the preset rules',
    )
    .argument('<file>', 'scenario YAML file')
    .action((file: string) => {
      const dir = ctx.presetsDir ?? defaultPresetsDir();
      const inPresets =
        resolvePath(dirname(resolvePath(file))) === resolvePath(dir) && basename(file).endsWith('.yaml');
      const s = inPresets
        ? loadPreset(basename(file, '.yaml'), { registry: ctx.registry, dir })
        : loadScenarioFile(file, { registry: ctx.registry, dir });
      const est = checkMemory(s, ctx.registry, ctx.availableMemory());
      ctx.out(
        `valid: ${file} (model ${s.model}, ${fmtNumber(est.agents)} agents, state ${formatBytes(est.stateBytes)}, ${s.steps} steps)\n`,
      );
      setExit(EXIT_OK);
    });

  program
    .command('presets')
    .description('list the preset scenarios')
    .action(() => {
      const dir = ctx.presetsDir ?? defaultPresetsDir();
      const names = listPresets(dir);
      if (!names.length) {
        ctx.out(`no presets in ${dir}\n`);
        return setExit(EXIT_OK);
      }
      const rows: string[][] = [];
      const problems: string[] = [];
      for (const name of names) {
        try {
          const p = loadPreset(name, { registry: ctx.registry, dir });
          const used = [...new Set(Object.values(p.sources).flat())].sort();
          rows.push([name, p.model, p.description ?? '', used.join(', ')]);
        } catch (e) {
          if (!isUserError(e)) throw e;
          rows.push([name, '?', 'INVALID (see below)', '']);
          problems.push(e.message);
        }
      }
      ctx.out(table(['name', 'model', 'description', 'sources'], rows) + '\n');
      if (problems.length) {
        ctx.err(problems.join('\n') + '\n');
        return setExit(EXIT_USER);
      }
      setExit(EXIT_OK);
    });

  program
    .command('sources')
    .description('list the sources registry (id → citation) that scenario files cite')
    .action(() => {
      ctx.out(
        table(
          ['id', 'citation'],
          Object.entries(sources).map(([id, c]) => [id, c]),
        ) + '\n',
      );
      setExit(EXIT_OK);
    });

  program
    .command('runs')
    .description('list the runs in the results store')
    .option('--out <dir>', 'results folder (holds results.duckdb)', 'panopticon-results')
    .option('--db <path>', 'results database file (overrides --out)')
    .action(async (o: { db?: string; out?: string }) => {
      const store = await ResultsStore.open(dbPathOf(o), { create: false });
      try {
        const runs = await store.listRuns();
        if (!runs.length) ctx.out(`no runs in ${store.path}\n`);
        else
          ctx.out(
            table(
              ['run_id', 'status', 'model', 'preset', 'seed', 'steps', 'threads', 'agents', 'wall', 'started (UTC)'],
              runs.map((r) => [
                r.run_id,
                r.status,
                r.model,
                r.preset ?? '-',
                String(r.seed),
                fmtNumber(r.steps),
                String(r.threads),
                fmtNumber(r.agents),
                fmtSeconds(r.wall_seconds),
                r.started_at,
              ]),
            ) + '\n',
          );
      } finally {
        store.close();
      }
      setExit(EXIT_OK);
    });

  program
    .command('export')
    .description("write a run's metrics (long form: run_id, tick, metric, key, value) to Parquet (zstd) or CSV")
    .argument('<run>', 'run id (see `panopticon runs`)')
    .addOption(new Option('--format <format>', 'output format').choices(['parquet', 'csv']).makeOptionMandatory())
    .requiredOption('--out <path>', 'output file')
    .option('--db <path>', 'results database file', join('panopticon-results', 'results.duckdb'))
    .option('--force', 'export a run that is not complete (interrupted or failed: partial rows)', false)
    .action(async (runId: string, o: { format: ExportFormat; out: string; db: string; force: boolean }) => {
      const store = await ResultsStore.open(o.db, { create: false });
      try {
        const rows = await store.exportRun(runId, o.format, o.out, o.force);
        ctx.out(`exported ${fmtNumber(rows)} rows of run ${runId} to ${o.out}\n`);
        // provenance beside the file, noted on stderr (hook from the reports work: src/charts/node/crate.ts)
        ctx.err(
          await writeExportCrate(
            store,
            runId,
            o.out,
            o.format,
            `panopticon export ${runId} --format ${o.format} --out ${o.out}`,
          ),
        );
      } finally {
        store.close();
      }
      setExit(EXIT_OK);
    });

  program
    .command('compare')
    .description(
      'compare runs side by side: stability and harm metrics for regime runs, headline metrics otherwise; differences are against the first run',
    )
    .argument('<runs...>', 'two or more run ids (the first is the reference)')
    .option('--out <dir>', 'results folder (holds results.duckdb)', 'panopticon-results')
    .option('--db <path>', 'results database file (overrides --out)')
    .option('--force', 'compare runs that are not complete', false)
    .action(async (ids: string[], o: { db?: string; out?: string; force: boolean }) => {
      if (ids.length < 2) throw new UserError(`runs: got ${ids.length} run id; allowed: two or more run ids`);
      const store = await ResultsStore.open(dbPathOf(o), { create: false });
      try {
        const runs: Awaited<ReturnType<ResultsStore['getRun']>>[] = [];
        for (const id of ids) runs.push(await store.getRun(id));
        for (const r of runs) {
          if (r.status !== 'complete' && !o.force)
            throw new UserError(
              `run ${r.run_id} is ${r.status}, not complete; pass --force to compare partial results`,
            );
        }
        ctx.out(
          keyValues(
            runs.map((r, i) => [
              String.fromCharCode(65 + (i % 26)),
              `${r.run_id}  ${r.model} ${r.preset ?? '-'} seed ${r.seed}, ${r.steps} steps, ${fmtNumber(r.agents)} agents, ${r.status}`,
            ]),
          ) + '\n\n',
        );
        if (runs.every((r) => r.scenario_hash === runs[0].scenario_hash && r.version === runs[0].version)) {
          ctx.out('(same scenario hash: identical results expected)\n\n');
        }
        const entries = runs.map((r) => ctx.registry[r.model]);
        const sections: [string, readonly ComparisonRow[]][] = entries.every((e) => e?.comparison)
          ? [
              ['stability', entries[0]!.comparison!.stability],
              ['harm', entries[0]!.comparison!.harm],
            ]
          : [
              [
                'headline',
                [...new Set(entries.flatMap((e) => e?.headline ?? []))].flatMap((metric) =>
                  (['final', 'mean', 'max'] as const).map((stat) => ({ metric, stat, label: `${metric} (${stat})` })),
                ),
              ],
            ];
        const names = [...new Set(sections.flatMap(([, rows]) => rows.map((row) => row.metric)))];
        const summaries: Map<string, MetricSummary>[] = [];
        for (const id of ids) summaries.push(await store.metricSummary(id, names));
        const letters = runs.map((_, i) => String.fromCharCode(65 + (i % 26)));
        for (const [title, rows] of sections) {
          const body = rows.map((row) => {
            const values = summaries.map((sm) => sm.get(row.metric)?.[row.stat]);
            const cells = [row.label];
            values.forEach((v, i) => {
              cells.push(fmtNumber(v));
              if (i > 0) cells.push(difference(values[0], v));
            });
            return cells;
          });
          const header = ['', letters[0], ...letters.slice(1).flatMap((l) => [l, `${l} − ${letters[0]}`])];
          ctx.out(`${title}\n${table(header, body)}\n\n`);
        }
      } finally {
        store.close();
      }
      setExit(EXIT_OK);
    });

  registerReport(program, ctx, setExit);

  return program;
}

/** Run the CLI on `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(ctx, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USER; // commander already printed its one-line message
    if (isUserError(e)) {
      ctx.err(`error: ${e.message}\n`);
      return EXIT_USER;
    }
    ctx.err(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_INTERNAL;
  }
}
