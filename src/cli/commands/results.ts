/**
 * `panopticon runs`, `export`, `compare` and `recover`: reading the results store. The
 * first three open it read-only (they work on archives on read-only media and while runs
 * write to it); `recover` writes.
 */
import { Option } from 'commander';
import type { ComparisonRow, ModelEntry } from '../../models/registry.js';
import { UserError } from '../../scenario/errors.js';
import { ResultsStore, type ExportFormat, type MetricSummary, type RunDetail, type RunRow } from '../../store/store.js';
import type { RegisterCommands } from '../context.js';
import { EXIT_OK } from '../exit-codes.js';
import { fmtNumber, fmtSeconds, keyValues, table } from '../format.js';
import { dbPathOf } from './run.js';

const OUT_HELP = 'results folder (holds results.duckdb)';
const DB_HELP = 'results database file (overrides --out)';

/** Who is running a run and how far it is; for an abandoned one, whether `recover` has work to do. */
function runNote(r: RunRow): string {
  const owner = r.owner_pid !== null ? `pid ${r.owner_pid} on ${r.owner_host}` : '';
  if (r.status === 'running') return `tick ${fmtNumber(r.ticks_done ?? 0)}, ${owner}`;
  if (r.status === 'abandoned' && r.staged) return `${owner || 'its process'} died; \`panopticon recover\` stores it`;
  return '';
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

/** What `compare` shows for a model: its stability and harm rows, or its headline metrics. */
function comparedRows(e: ModelEntry): [string, readonly ComparisonRow[]][] {
  if (e.comparison)
    return [
      ['stability', e.comparison.stability],
      ['harm', e.comparison.harm],
    ];
  return [
    [
      'headline',
      e.headline.flatMap((metric) =>
        (['final', 'mean', 'max'] as const).map((stat) => ({ metric, stat, label: `${metric} (${stat})` })),
      ),
    ],
  ];
}

/**
 * Refuse runs whose numbers are not the same quantities: different models, unless they
 * are implementations of one model that report the same rows (regime and
 * regime-reference). Warn when populations differ: counts scale with them.
 */
function checkComparable(runs: readonly RunDetail[], entries: readonly (ModelEntry | undefined)[], letters: string[]) {
  const unknown = runs.findIndex((_, i) => !entries[i]);
  if (unknown >= 0)
    throw new UserError(
      `run ${runs[unknown].run_id} is of model ${JSON.stringify(runs[unknown].model)}, which this version of Panopticon does not know; it cannot be compared`,
    );
  const signature = (e: ModelEntry) => JSON.stringify(comparedRows(e));
  const first = signature(entries[0]!);
  const odd = entries.findIndex((e) => signature(e!) !== first);
  if (odd >= 0)
    throw new UserError(
      `runs ${letters[0]} (${runs[0].run_id}, model ${runs[0].model}) and ${letters[odd]} (${runs[odd].run_id}, model ${runs[odd].model}) are of different models: their metrics are not the same quantities, so their differences mean nothing; compare runs of one model`,
    );
}

function populationNote(runs: readonly RunDetail[], letters: string[]): string | undefined {
  if (runs.every((r) => r.agents === runs[0].agents)) return undefined;
  const sizes = runs.map((r, i) => `${letters[i]}: ${fmtNumber(r.agents)}`).join(', ');
  return `note: the runs have different populations (${sizes} agents); counts and totals scale with population, so compare shares, or run with --population to match\n`;
}

export const registerResultsCommands: RegisterCommands = (program, ctx, setExit) => {
  program
    .command('runs')
    .description('list the runs in the results store (a run whose process died shows as abandoned)')
    .option('--out <dir>', OUT_HELP, 'panopticon-results')
    .option('--db <path>', DB_HELP)
    .option('--json', 'print the runs as a JSON array', false)
    .action(async (o: { db?: string; out?: string; json: boolean }) => {
      const store = await ResultsStore.open(dbPathOf(o), { readOnly: true });
      const runs = await store.listRuns();
      if (o.json) {
        const rows = runs.map(({ owner_token: _token, stored: _stored, ownerAlive: _alive, ...r }) => r);
        ctx.out(JSON.stringify(rows, null, 2) + '\n');
      } else if (!runs.length) ctx.out(`no runs in ${store.path}\n`);
      else
        ctx.out(
          table(
            [
              'run_id',
              'status',
              'model',
              'preset',
              'seed',
              'steps',
              'threads',
              'agents',
              'wall',
              'started (UTC)',
              'note',
            ],
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
              runNote(r),
            ]),
          ) + '\n',
        );
      setExit(EXIT_OK);
    });

  program
    .command('export')
    .description(
      "write a run's metrics (long form: run_id, tick, metric, key, value) to Parquet (zstd) or CSV; an existing file is never replaced without --force, and a DuckDB database never",
    )
    .argument('<run>', 'run id (see `panopticon runs`)')
    .addOption(new Option('--format <format>', 'output format').choices(['parquet', 'csv']).makeOptionMandatory())
    .requiredOption('--out <path>', 'output file')
    .option('--db <path>', 'results database file', 'panopticon-results/results.duckdb')
    .option('--force', 'replace an existing output file (never a DuckDB database)', false)
    .option('--partial', 'export a run that is not complete (interrupted, failed, abandoned: partial rows)', false)
    .action(
      async (runId: string, o: { format: ExportFormat; out: string; db: string; force: boolean; partial: boolean }) => {
        const store = await ResultsStore.open(o.db, { readOnly: true });
        const done = await store.exportRun(runId, o.format, o.out, { partial: o.partial, force: o.force });
        const extra: string[] = [];
        for (const sidecar of ctx.exportSidecars ?? []) extra.push(...(await sidecar(done, store, o.force)));
        ctx.out(
          `exported ${fmtNumber(done.rows)} rows of run ${runId} to ${o.out}${done.replaced ? ' (replaced)' : ''}\n`,
        );
        for (const f of extra) ctx.out(`wrote ${f}\n`);
        setExit(EXIT_OK);
      },
    );

  program
    .command('compare')
    .description(
      'compare runs of one model side by side: stability and harm metrics for regime runs, headline metrics otherwise; differences are against the first run',
    )
    .argument('<runs...>', 'two or more run ids (the first is the reference)')
    .option('--out <dir>', OUT_HELP, 'panopticon-results')
    .option('--db <path>', DB_HELP)
    .option('--partial', 'compare runs that are not complete', false)
    .action(async (ids: string[], o: { db?: string; out?: string; partial: boolean }) => {
      if (ids.length < 2) throw new UserError(`runs: got ${ids.length} run id; allowed: two or more run ids`);
      const store = await ResultsStore.open(dbPathOf(o), { readOnly: true });
      const runs: RunDetail[] = [];
      for (const id of ids) runs.push(await store.getRun(id));
      for (const r of runs) {
        if (r.status !== 'complete' && !o.partial)
          throw new UserError(
            `run ${r.run_id} is ${r.status}, not complete; pass --partial to compare partial results`,
          );
      }
      const letters = runs.map((_, i) => String.fromCharCode(65 + (i % 26)));
      const entries = runs.map((r) =>
        Object.prototype.hasOwnProperty.call(ctx.registry, r.model) ? ctx.registry[r.model] : undefined,
      );
      checkComparable(runs, entries, letters);
      ctx.out(
        keyValues(
          runs.map((r, i) => [
            letters[i],
            `${r.run_id}  ${r.model} ${r.preset ?? '-'} seed ${r.seed}, ${r.steps} steps, ${fmtNumber(r.agents)} agents, ${r.status}`,
          ]),
        ) + '\n\n',
      );
      const note = populationNote(runs, letters);
      if (note) ctx.err(note);
      if (runs.every((r) => r.scenario_hash === runs[0].scenario_hash && r.version === runs[0].version)) {
        ctx.out('(same scenario hash: identical results expected)\n\n');
      }
      const sections = comparedRows(entries[0]!);
      const names = [...new Set(sections.flatMap(([, rows]) => rows.map((row) => row.metric)))];
      const summaries: Map<string, MetricSummary>[] = [];
      for (const id of ids) summaries.push(await store.metricSummary(id, names));
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
      setExit(EXIT_OK);
    });

  program
    .command('recover')
    .description(
      'store what runs whose process died (kill -9, crash, power loss, full disk) left in their staging files; `run` does this too',
    )
    .option('--out <dir>', OUT_HELP, 'panopticon-results')
    .option('--db <path>', DB_HELP)
    .action(async (o: { db?: string; out?: string }) => {
      const store = await ResultsStore.open(dbPathOf(o), { create: false });
      const recovered = await store.recover();
      if (!recovered.length) ctx.out(`nothing to recover in ${store.path}\n`);
      for (const r of recovered)
        ctx.out(`recovered run ${r.runId}: stored as '${r.status}' with ${fmtNumber(r.rows)} metric rows\n`);
      setExit(EXIT_OK);
    });
};
