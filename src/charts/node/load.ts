/** Runs read from the results store into what reports need: metric series, facts and provenance. */
import type { ModelRegistry } from '../../models/registry.js';
import { UserError } from '../../scenario/errors.js';
import { startDateOf } from '../../store/export.js';
import type { ResultsStore, RunDetail } from '../../store/store.js';
import { comparisonSectionsOf, type CompareSection } from '../plans/compare.js';
import type { ReportRun } from '../report/document.js';
import { oddPathFor, parameterRecords, type RunProvenance } from '../report/provenance.js';
import { RunSeries } from '../series.js';
import type { MetricRow } from '../types.js';
import { docHref } from './software.js';

interface StoredScenario {
  name?: string;
  description?: string;
  preset?: string;
  params?: Record<string, unknown>;
  sources?: Record<string, string[]>;
}

function parseScenario(run: RunDetail): StoredScenario {
  try {
    const s = JSON.parse(run.scenario_json) as StoredScenario;
    return s && typeof s === 'object' ? s : {};
  } catch {
    return {};
  }
}

/** The run's git commit, if this store records one (a column named commit or git_commit). */
async function storedCommit(store: ResultsStore, runId: string): Promise<string | null> {
  const rows = await store.query<Record<string, unknown>>('SELECT * FROM runs WHERE run_id = $1', [runId]);
  const row = rows[0] ?? {};
  const c = row.commit ?? row.git_commit;
  return typeof c === 'string' && c ? c : null;
}

/** A stored run's provenance; `commit` and the ODD link come from outside (the store, the installed package). */
export function provenanceOf(
  run: RunDetail,
  commit: string | null,
  oddHref: (path: string) => string | null,
): RunProvenance {
  const s = parseScenario(run);
  const odd = oddPathFor(run.model);
  return {
    runId: run.run_id,
    model: run.model,
    preset: run.preset,
    name: s.name ?? null,
    description: s.description ?? null,
    version: run.version,
    commit,
    scenarioHash: run.scenario_hash,
    seed: run.seed,
    steps: run.steps,
    agents: run.agents,
    threads: run.threads,
    status: run.status,
    startedAt: run.started_at,
    finishedAt: run.finished_at,
    wallSeconds: run.wall_seconds,
    parameters: s.params ? parameterRecords(s.params, s.sources ?? {}) : [],
    odd: odd ? { path: odd, href: oddHref(odd) } : null,
  };
}

export async function runProvenance(store: ResultsStore, run: RunDetail): Promise<RunProvenance> {
  return provenanceOf(run, await storedCommit(store, run.run_id), docHref);
}

/** A stored run and its metric rows as the report code takes them. */
export function reportRunOf(
  run: RunDetail,
  rows: readonly MetricRow[],
  registry: ModelRegistry,
  provenance: RunProvenance,
): ReportRun {
  const s = parseScenario(run);
  const entry = registry[run.model];
  const start = startDateOf(run);
  return {
    provenance,
    series: new RunSeries(rows),
    facts: {
      model: run.model,
      preset: run.preset,
      seed: run.seed,
      steps: run.steps,
      agents: run.agents,
      ...(s.params ? { params: s.params } : {}),
      ...(entry ? { headline: entry.headline } : {}),
      ...(start ? { start } : {}),
    },
  };
}

/**
 * Look the runs up and refuse, before anything is read or written, ones that are missing or
 * (unless `partial`) not complete; several runs must be of one model.
 */
export async function checkRuns(store: ResultsStore, ids: readonly string[], partial: boolean): Promise<RunDetail[]> {
  const runs: RunDetail[] = [];
  for (const id of ids) runs.push(await store.getRun(id));
  const incomplete = runs.filter((r) => r.status !== 'complete');
  if (incomplete.length && !partial)
    throw new UserError(
      incomplete.map(
        (r) =>
          `run ${r.run_id} is ${r.status}, not complete: its metrics are partial; pass --partial to report on it anyway`,
      ),
    );
  const models = [...new Set(runs.map((r) => r.model.replace(/-reference$/, '')))];
  if (models.length > 1)
    throw new UserError(
      `runs: got runs of models ${models.join(', ')} (${runs.map((r) => `${r.run_id}: ${r.model}`).join(', ')}); allowed: runs of one model, whose measures mean the same thing`,
    );
  return runs;
}

export async function loadReportRun(store: ResultsStore, run: RunDetail, registry: ModelRegistry): Promise<ReportRun> {
  const rows = await store.query<MetricRow>(
    'SELECT tick, metric, key, value FROM metrics WHERE run_id = $1 ORDER BY tick',
    [run.run_id],
  );
  return reportRunOf(run, rows, registry, await runProvenance(store, run));
}

/** What `compare` shows for a model of the registry (an unknown model: nothing). */
export function comparisonSections(registry: ModelRegistry, model: string): CompareSection[] {
  const entry = registry[model];
  return comparisonSectionsOf(entry ?? { headline: [] });
}
