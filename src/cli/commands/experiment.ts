/**
 * `panopticon experiment run | analyze | export | list` and `panopticon worker`: the
 * experiment layer's commands (src/experiments/). Registered on the program by
 * program.ts with one call.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { UserError } from '../../scenario/errors.js';
import { checkMemory } from '../../scenario/resolve.js';
import type { ResolvedScenario } from '../../scenario/schema.js';
import { defaultDbPath } from '../../store/store.js';
import { analyzeExperiment, type Analysis } from '../../experiments/analyze.js';
import { LocalBackend, runExperiment, type Backend, type Progress } from '../../experiments/coordinator.js';
import { openExperimentDb, openExperimentDbToRead } from '../../experiments/db.js';
import { abandonedExperiments } from '../../experiments/store.js';
import { loadExperimentFile } from '../../experiments/load.js';
import { modelVersion, pointParams } from '../../experiments/plan.js';
import { RunPool } from '../../experiments/pool.js';
import { fmtNumber, fmtSeconds, keyValues, table } from '../format.js';
import type { CliContext } from '../context.js';
import { EXIT_RUNS_FAILED, EXIT_SIGINT, EXIT_SIGTERM } from '../exit-codes.js';

export function positiveInt(v: string | undefined, flag: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`${flag}: got ${JSON.stringify(v)}; allowed: an integer ≥ 1`);
  return n;
}

export function dbPath(o: { db?: string; out?: string }): string {
  return o.db ?? defaultDbPath(o.out);
}

function progressBar(ctx: CliContext, enabled: boolean): { update: (p: Progress) => void; stop: () => void } {
  if (!enabled || !ctx.progress) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: ctx.progress.stream,
      noTTYOutput: !ctx.progress.isTTY,
      notTTYSchedule: 10_000,
      hideCursor: ctx.progress.isTTY,
      format:
        'runs {value}/{total} |{bar}| {percentage}% | {rate} runs/min | ETA {remaining} | failed {failed}{skipped}',
      fps: 4,
    },
    cliProgress.Presets.shades_classic,
  );
  const t0 = performance.now();
  let started = false;
  return {
    update: (p) => {
      const minutes = (performance.now() - t0) / 60_000;
      const rate = p.ran > 0 && minutes > 0 ? p.ran / minutes : 0;
      const left = p.total - p.skipped - p.ran;
      const payload = {
        rate: rate ? fmtNumber(Number(rate.toPrecision(3))) : '-',
        remaining: rate ? fmtSeconds((left / rate) * 60) : '-',
        failed: String(p.failed),
        skipped: p.skipped ? ` | ${fmtNumber(p.skipped)} already stored` : '',
      };
      if (!started) {
        bar.start(p.total, p.skipped + p.ran, payload);
        started = true;
      } else {
        bar.setTotal(p.total);
        bar.update(p.skipped + p.ran, payload);
      }
    },
    stop: () => started && bar.stop(),
  };
}

function fmtCi(low: number, high: number): string {
  return Number.isFinite(low) ? `[${fmtNumber(low)}, ${fmtNumber(high)}]` : '-';
}

/** The analysis as plain-text tables: a few rows of each, pointing at the store for the rest. */
export function formatAnalysis(a: Analysis, opts: { outputs?: readonly string[]; rows?: number } = {}): string {
  const limit = opts.rows ?? 30;
  const want = (o: string) => !opts.outputs?.length || opts.outputs.includes(o);
  const parts: string[] = [];
  const cut = <T>(rows: T[], what: string): T[] => {
    if (rows.length > limit) parts.push(`(${rows.length - limit} more ${what} rows in the store)`);
    return rows.slice(0, limit);
  };
  const summary = a.summary.filter((r) => want(r.output));
  const indices = a.morris.length + a.sobol.length > 0;
  if (summary.length && indices && a.points > 12) {
    parts.push(
      `per-point means: ${fmtNumber(summary.length)} rows in experiment_summary (experiment analyze --rows N to print them)`,
    );
  } else if (summary.length) {
    const body = summary
      .slice(0, limit)
      .map((r) => [
        ...(a.points > 1 ? [String(r.point)] : []),
        ...(a.arms.length > 1 || a.arms[0] !== 'base' ? [r.arm] : []),
        r.output,
        String(r.n),
        fmtNumber(r.mean),
        fmtNumber(r.sd),
        fmtCi(r.low, r.high),
      ]);
    const header = [
      ...(a.points > 1 ? ['point'] : []),
      ...(a.arms.length > 1 || a.arms[0] !== 'base' ? ['arm'] : []),
      'output',
      'n',
      'mean',
      's.d.',
      '95 % CI',
    ];
    parts.push(`mean over replicates (experiment_summary)\n${table(header, body)}`);
    cut(summary, 'summary');
  }
  const paired = a.paired.filter((r) => want(r.output));
  if (paired.length) {
    const body = cut(paired, 'paired').map((r) => [
      ...(a.points > 1 ? [String(r.point)] : []),
      `${r.arm} − ${r.reference}`,
      r.output,
      String(r.n),
      fmtNumber(r.mean),
      fmtCi(r.low, r.high),
      Number.isFinite(r.a) ? r.a.toFixed(2) : '-',
    ]);
    parts.push(
      `paired differences on common random numbers (experiment_paired)\n${table([...(a.points > 1 ? ['point'] : []), 'difference', 'output', 'n', 'mean', '95 % CI', 'A'], body)}`,
    );
  }
  const morris = a.morris.filter((r) => want(r.output));
  if (morris.length) {
    const sorted = [...morris].sort((x, y) => (x.output === y.output ? y.muStar - x.muStar : 0));
    const body = cut(sorted, 'Morris').map((r) => [
      r.reference ? `${r.arm} − ${r.reference}` : r.arm,
      r.output,
      r.factor,
      fmtNumber(r.muStar),
      fmtCi(r.muStarLow, r.muStarHigh),
      fmtNumber(r.mu),
      fmtNumber(r.sigma),
    ]);
    parts.push(
      `Morris elementary effects, per full factor range (experiment_morris)\n${table(['arm', 'output', 'factor', 'μ*', '95 % CI', 'μ', 'σ'], body)}`,
    );
  }
  const sobol = a.sobol.filter((r) => want(r.output));
  if (sobol.length) {
    const sorted = [...sobol].sort((x, y) => (x.output === y.output ? y.st - x.st : 0));
    const body = cut(sorted, 'Sobol').map((r) => [
      r.reference ? `${r.arm} − ${r.reference}` : r.arm,
      r.output,
      r.factor,
      fmtNumber(r.s1),
      fmtCi(r.s1Low, r.s1High),
      fmtNumber(r.st),
      fmtCi(r.stLow, r.stHigh),
    ]);
    parts.push(
      `Sobol' indices (experiment_sobol)\n${table(['arm', 'output', 'factor', 'S1', '95 % CI', 'ST', '95 % CI'], body)}`,
    );
  }
  return parts.join('\n\n');
}

export interface RunOpts {
  db?: string;
  out?: string;
  workers?: string;
  queue?: string;
  runsPerJob?: string;
  progress: boolean;
}

/**
 * Where runs execute: a local pool of `--workers` threads, or the Redis queue `--queue`
 * (checked to answer). Every scenario must fit in one run's share of memory; all is
 * checked before the store or Redis is touched.
 */
export async function backendFor(
  ctx: CliContext,
  o: Pick<RunOpts, 'workers' | 'queue' | 'runsPerJob'>,
  scenarios: readonly ResolvedScenario[],
): Promise<Backend> {
  const workers = positiveInt(o.workers, '--workers', Math.max(1, ctx.cores ?? 1));
  if (o.runsPerJob !== undefined && !o.queue) throw new UserError('--runs-per-job: applies only with --queue');
  const perRun = ctx.availableMemory() / (o.queue ? 1 : workers);
  for (const s of scenarios) checkMemory(s, ctx.registry, perRun);
  if (!o.queue) return new LocalBackend(new RunPool(workers));
  const { checkRedis, QueueBackend } = await import('../../experiments/queue.js');
  await checkRedis(o.queue);
  return new QueueBackend(o.queue, {
    log: (line) => ctx.err(`${line}\n`),
    ...(o.runsPerJob ? { runsPerJob: positiveInt(o.runsPerJob, '--runs-per-job', 1) } : {}),
  });
}

/**
 * Run `work` (an experiment or a calibration) on `backend` with a progress bar, until it ends or
 * a first SIGINT/SIGTERM asks it to stop after the runs in flight; the bar, the signal handler
 * and the backend are released whatever happens.
 */
export async function untilDoneOrStopped<P, T>(
  ctx: CliContext,
  backend: Backend,
  stopping: string,
  bar: { update: (p: P) => void; stop: () => void },
  work: (onProgress: (p: P) => void, stopRequested: () => string | null) => Promise<T>,
): Promise<T> {
  let stop: string | null = null;
  const unregister = ctx.onSignal((sig) => (stop = sig), stopping);
  try {
    return await work(bar.update, () => stop);
  } finally {
    bar.stop();
    unregister();
    await backend.close();
  }
}

async function experimentRun(ctx: CliContext, file: string, o: RunOpts): Promise<number> {
  // Everything is checked before the store or Redis is touched.
  const exp = loadExperimentFile(file, {
    registry: ctx.registry,
    ...(ctx.presetsDir ? { presetsDir: ctx.presetsDir } : {}),
  });
  pointParams(exp, ctx.registry); // design points the model refuses (the coordinator resolves them again)
  const backend = await backendFor(
    ctx,
    o,
    exp.arms.map((a) => a.scenario),
  );

  const db = await openExperimentDb(dbPath(o));
  const report = await untilDoneOrStopped(
    ctx,
    backend,
    'stopping the experiment (finished runs are kept; running the file again resumes it)',
    progressBar(ctx, o.progress),
    (onProgress, stopRequested) =>
      runExperiment({ exp, registry: ctx.registry, db, backend, onProgress, stopRequested }),
  );
  ctx.out(
    keyValues([
      ['experiment', `${report.id}${report.resumed ? ' (resumed)' : ''}`],
      ['status', report.status],
      [
        'runs',
        `${fmtNumber(report.planned)} planned: ${fmtNumber(report.skipped)} already stored, ${fmtNumber(report.ran)} run now, ${fmtNumber(report.failures.length)} failed`,
      ],
      [
        'design',
        `${exp.design.type}, ${fmtNumber(exp.design.points.length)} point${exp.design.points.length === 1 ? '' : 's'} × ${exp.arms.length} arm${exp.arms.length === 1 ? '' : 's'}`,
      ],
      [
        'replicates',
        exp.replicates.kind === 'fixed'
          ? `${exp.replicates.count} (seeds ${exp.seed}…${exp.seed + exp.replicates.count - 1}, common to every point and arm)`
          : (report.adaptive?.note ?? 'adaptive'),
      ],
      ['wall time', fmtSeconds(report.wallSeconds)],
      ['backend', report.backend],
      ['store', db.path],
    ]) + '\n',
  );
  if (report.status !== 'interrupted') {
    const analysis = await analyzeExperiment(db, exp.id);
    ctx.out('\n' + formatAnalysis(analysis, { rows: 20 }) + '\n');
    ctx.out(`\nfull tables: panopticon experiment analyze ${exp.id} --db ${db.path}\n`);
  }
  if (report.failures.length) {
    const byError = new Map<string, number>();
    for (const f of report.failures) byError.set(f.error, (byError.get(f.error) ?? 0) + 1);
    ctx.err(
      `${report.failures.length} run${report.failures.length === 1 ? '' : 's'} failed (stored as failed in experiment_runs; running the experiment again retries them):\n` +
        [...byError].map(([e, n]) => `  ${n} × ${e}`).join('\n') +
        '\n',
    );
  }
  if (report.status === 'interrupted') {
    ctx.err(
      `interrupted by ${report.stopReason}: finished runs are stored; run the same command again to complete the experiment\n`,
    );
    return report.stopReason === 'SIGTERM' ? EXIT_SIGTERM : EXIT_SIGINT;
  }
  return report.failures.length ? EXIT_RUNS_FAILED : 0;
}

const EXPORT_TABLES = ['runs', 'summary', 'paired', 'morris', 'sobol', 'series'] as const;

async function experimentExport(
  ctx: CliContext,
  id: string,
  o: { db?: string; out: string; format: 'parquet' | 'csv' },
): Promise<number> {
  const dir = resolve(o.out);
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new UserError(`--out: got ${o.out}, which is a file; allowed: a folder for the experiment's tables`);
  const files = EXPORT_TABLES.map((t) => join(dir, `${t}.${o.format}`));
  const clash = files.filter((f) => existsSync(f));
  if (clash.length)
    throw new UserError(
      `--out: ${clash.join(', ')} already exist${clash.length === 1 ? 's' : ''}; choose an empty folder (nothing is overwritten)`,
    );
  const db = await openExperimentDbToRead(dbPath(o));
  await analyzeExperiment(db, id); // also refuses an unknown id, naming the stored ones
  mkdirSync(dir, { recursive: true });
  const written = await db.read(async (tx) => {
    const factors = await tx.query<{ factor: string; text: boolean }>(
      `SELECT factor, bool_or(value_text IS NOT NULL) AS text FROM experiment_points JOIN experiment_factors USING (experiment_id, factor)
         WHERE experiment_id = $1 GROUP BY factor, position ORDER BY position`,
      [id],
    );
    const outputs = (
      await tx.query<{ output: string }>(
        'SELECT output FROM experiment_outputs WHERE experiment_id = $1 ORDER BY position',
        [id],
      )
    ).map((r) => r.output);
    const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const col = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const factorCols = factors.map(
      (f) => `max(${f.text ? 'value_text' : 'value'}) FILTER (factor = ${lit(f.factor)}) AS ${col(f.factor)}`,
    );
    const outputCols = outputs.map((name) => `max(value) FILTER (output = ${lit(name)}) AS ${col(name)}`);
    const options = o.format === 'parquet' ? 'FORMAT parquet, COMPRESSION zstd' : 'FORMAT csv, HEADER true';
    const queries: Record<(typeof EXPORT_TABLES)[number], string> = {
      runs: `WITH p AS (SELECT point, any_value(role) AS role${factorCols.map((c) => `, ${c}`).join('')} FROM experiment_points WHERE experiment_id = ${lit(id)} GROUP BY point),
               v AS (SELECT run_key${outputCols.map((c) => `, ${c}`).join('')} FROM experiment_values WHERE experiment_id = ${lit(id)} GROUP BY run_key)
               SELECT d.experiment_id, d.point, p.* EXCLUDE (point), d.arm, d.replicate, d.seed, d.run_key, r.status, r.error, r.wall_seconds, v.* EXCLUDE (run_key)
               FROM experiment_design d JOIN experiment_runs r USING (experiment_id, run_key)
               LEFT JOIN p ON p.point = d.point LEFT JOIN v ON v.run_key = d.run_key
               WHERE d.experiment_id = ${lit(id)} ORDER BY d.point, d.arm, d.replicate`,
      summary: `SELECT * FROM experiment_summary WHERE experiment_id = ${lit(id)} ORDER BY point, arm, output`,
      paired: `SELECT * FROM experiment_paired WHERE experiment_id = ${lit(id)} ORDER BY point, arm, output`,
      morris: `SELECT * FROM experiment_morris WHERE experiment_id = ${lit(id)} ORDER BY arm, reference, output, factor`,
      sobol: `SELECT * FROM experiment_sobol WHERE experiment_id = ${lit(id)} ORDER BY arm, reference, output, factor`,
      series: `SELECT d.experiment_id, d.point, d.arm, d.replicate, s.run_key, s.tick, s.metric, s.key, s.value
                 FROM experiment_design d JOIN experiment_series s USING (experiment_id, run_key)
                 WHERE d.experiment_id = ${lit(id)} ORDER BY d.point, d.arm, d.replicate, s.tick, s.metric, s.key`,
    };
    const out: [string, number][] = [];
    for (const [i, t] of EXPORT_TABLES.entries()) {
      const n = (await tx.query<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM (${queries[t]})`))[0].n;
      if (!n && (t === 'morris' || t === 'sobol' || t === 'series' || t === 'paired')) continue;
      await tx.run(`COPY (${queries[t]}) TO ${lit(files[i])} (${options})`);
      out.push([files[i], n]);
    }
    return out;
  });
  ctx.out(written.map(([f, n]) => `wrote ${fmtNumber(n)} rows to ${f}`).join('\n') + '\n');
  // provenance beside the tables (RO-Crate), once they are all in place
  const exported = { experimentId: id, dir, files: written.map(([f]) => f), format: o.format };
  for (const sidecar of ctx.experimentExportSidecars ?? [])
    for (const f of await sidecar(exported, dbPath(o), ctx.registry)) ctx.out(`wrote ${f}\n`);
  return 0;
}

/** The runner's options (where runs execute, the store, the progress bar), shared with `calibrate`. */
export function runnerOptions(c: Command): Command {
  return c
    .option('--workers <n>', 'local worker threads, one run each (default: one per core)')
    .option(
      '--queue <url>',
      'enqueue the runs on Redis (redis://[:PASSWORD@]HOST:PORT[/DB]) for `panopticon worker` processes',
    )
    .option('--runs-per-job <n>', 'runs per queue job (default: up to 8, fewer for small batches)')
    .option('--out <dir>', 'results folder (holds results.duckdb)', 'panopticon-results')
    .option('--db <path>', 'results database file (overrides --out)')
    .option('--no-progress', 'do not show the progress bar');
}

export function registerExperimentCommands(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const experiment = program
    .command('experiment')
    .description('run and analyse experiments: ensembles, sweeps and global sensitivity (docs/experiments.md)');
  const dbOptions = (c: Command) =>
    c
      .option('--out <dir>', 'results folder (holds results.duckdb)', 'panopticon-results')
      .option('--db <path>', 'results database file (overrides --out)');

  runnerOptions(
    experiment
      .command('run')
      .description('run every design point × arm × replicate not yet stored, on the local cores or over a Redis queue')
      .argument('<file>', 'experiment YAML file'),
  ).action(async (file: string, o: RunOpts) => setExit(await experimentRun(ctx, file, o)));

  dbOptions(
    experiment
      .command('analyze')
      .description(
        'recompute and print an experiment’s tables: means with 95 % CIs, paired differences, Morris and Sobol indices',
      )
      .argument('<experiment>', 'experiment id (its name; see `panopticon experiment list`)')
      .option('--output <name...>', 'show only these outputs')
      .option('--rows <n>', 'rows to print per table', '40'),
  ).action(async (id: string, o: { db?: string; out?: string; output?: string[]; rows: string }) => {
    const db = await openExperimentDbToRead(dbPath(o));
    const a = await analyzeExperiment(db, id);
    ctx.out(
      formatAnalysis(a, { rows: positiveInt(o.rows, '--rows', 40), ...(o.output ? { outputs: o.output } : {}) }) + '\n',
    );
    setExit(0);
  });

  experiment
    .command('export')
    .description(
      'write an experiment’s tables (one row per run with factors and outputs; summary, paired, morris, sobol, series) to Parquet or CSV files in a folder',
    )
    .argument('<experiment>', 'experiment id')
    .requiredOption('--out <dir>', 'folder for the files (must not hold them already)')
    .addOption(new Option('--format <format>', 'file format').choices(['parquet', 'csv']).default('parquet'))
    .option('--db <path>', 'results database file', join('panopticon-results', 'results.duckdb'))
    .action(async (id: string, o: { db?: string; out: string; format: 'parquet' | 'csv' }) =>
      setExit(await experimentExport(ctx, id, o)),
    );

  dbOptions(experiment.command('list').description('list the experiments in the results store')).action(
    async (o: { db?: string; out?: string }) => {
      const db = await openExperimentDbToRead(dbPath(o));
      const rows = await db.read(async (tx) => {
        const has = await tx.query<{ n: number }>(
          "SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'experiments'",
        );
        if (!has[0].n) return [];
        const abandoned = await abandonedExperiments(tx);
        const listed = await tx.query<Record<string, string | number | null>>(
          // Counted live: an experiment in progress shows how far it has got.
          `SELECT e.experiment_id, e.status, e.design, e.points, e.arms,
                  (SELECT count(DISTINCT run_key) FROM experiment_design d WHERE d.experiment_id = e.experiment_id) AS runs_planned,
                  (SELECT count(*) FROM experiment_runs r WHERE r.experiment_id = e.experiment_id AND r.status = 'complete') AS runs_stored,
                  (SELECT count(*) FROM experiment_runs r WHERE r.experiment_id = e.experiment_id AND r.status = 'failed') AS runs_failed,
                  strftime(e.updated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS updated FROM experiments e ORDER BY e.updated_at`,
        );
        return listed.map((r) => (abandoned.has(String(r.experiment_id)) ? { ...r, status: 'abandoned' } : r));
      });
      if (!rows.length) ctx.out(`no experiments in ${db.path}\n`);
      else
        ctx.out(
          table(
            ['experiment', 'status', 'design', 'points', 'arms', 'runs stored', 'failed', 'updated (UTC)'],
            rows.map((r) => [
              String(r.experiment_id),
              String(r.status),
              String(r.design).startsWith('{')
                ? (JSON.parse(String(r.design)) as { type: string }).type
                : String(r.design),
              fmtNumber(Number(r.points)),
              String(r.arms),
              `${fmtNumber(Number(r.runs_stored))} of ${r.runs_planned === null ? '?' : fmtNumber(Number(r.runs_planned))}`,
              fmtNumber(Number(r.runs_failed)),
              String(r.updated),
            ]),
          ) + '\n',
        );
      setExit(0);
    },
  );

  program
    .command('worker')
    .description(
      'run experiment jobs from a Redis queue (started by `experiment run --queue`) until stopped; never touches a results store',
    )
    .requiredOption('--queue <url>', 'Redis URL: redis://[:PASSWORD@]HOST:PORT[/DB]')
    .option('--concurrency <n>', 'runs at once, each in its own thread (default: one per core)')
    .option('--stall-timeout <seconds>', 'seconds after which a silent worker’s jobs go to another worker', '30')
    .action(async (o: { queue: string; concurrency?: string; stallTimeout: string }) => {
      const concurrency = positiveInt(o.concurrency, '--concurrency', Math.max(1, ctx.cores ?? 1));
      const stall = Number(o.stallTimeout);
      if (!(stall >= 1))
        throw new UserError(`--stall-timeout: got ${JSON.stringify(o.stallTimeout)}; allowed: a number of seconds ≥ 1`);
      const { checkRedis, redactUrl, serveQueue } = await import('../../experiments/queue.js');
      await checkRedis(o.queue);
      const pool = new RunPool(concurrency);
      const version = modelVersion();
      const log = (line: string) => ctx.out(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
      const w = serveQueue({
        url: o.queue,
        registry: ctx.registry,
        pool,
        concurrency,
        version,
        memoryPerRun: ctx.availableMemory() / concurrency,
        stallSeconds: stall,
        log,
      });
      log(
        `worker ${w.name} serving ${redactUrl(o.queue)} with ${concurrency} thread${concurrency === 1 ? '' : 's'} (model version ${version})`,
      );
      await new Promise<void>((resolveStop) => {
        const unregister = ctx.onSignal((sig) => {
          unregister();
          log(
            `${sig}: finishing the jobs in progress, then exiting (send again to exit at once; unfinished jobs go to other workers)`,
          );
          resolveStop();
        }, null);
      });
      await w.close();
      await pool.close();
      log(`worker ${w.name} stopped after ${w.jobsDone()} jobs`);
      setExit(0);
    });
}
