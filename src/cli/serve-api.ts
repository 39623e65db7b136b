/**
 * The explorer's read-only API over the results store (`panopticon serve`): the runs, one
 * run with its scenario, and a run's metrics in a compact form the page charts. It takes
 * no SQL and no code, only a run id, which must look like one; every query is fixed and
 * parameterised. Each request opens the store, reads and closes it, so runs can be added
 * by other processes while the server runs.
 */
import { existsSync } from 'node:fs';
import { isExperiment, loadExperiment } from '../charts/node/experiment.js';
import { abandonedExperiments } from '../experiments/store.js';
import type { ModelRegistry } from '../models/registry.js';
import { isUserError } from '../scenario/errors.js';
import { ResultsStore, type RunDetail, type RunRow } from '../store/store.js';

/** Metric rows one response may carry; a larger run is better read with `panopticon export`. */
export const MAX_METRIC_ROWS = 3_000_000;
/** A run id as the store makes them (`YYMMDD-HHMM-xxxx`), with room for longer suffixes. */
const RUN_ID = /^[0-9]{6}-[0-9]{4}-[a-z0-9]{2,16}$/;
/** An experiment's name, as experiment files allow them. */
const EXPERIMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** An experiment's data (summaries, indices, per-tick series) larger than this is refused. */
export const MAX_EXPERIMENT_BYTES = 64 * 2 ** 20;

export interface ApiReply {
  readonly status: number;
  readonly body: unknown;
}

const reply = (status: number, body: unknown): ApiReply => ({ status, body });
const problem = (status: number, error: string): ApiReply => reply(status, { error });

function listed(r: RunRow | RunDetail): RunRow {
  const { scenario_json: _scenario, ...rest } = r as RunDetail;
  return rest;
}

/** How long a request waits for a writer's transaction to end (runs hold the store only briefly). */
const STORE_WAIT_MS = 5_000;

async function withStore(dbPath: string, fn: (store: ResultsStore) => Promise<ApiReply>): Promise<ApiReply> {
  if (!existsSync(dbPath)) return problem(404, `no results store at ${dbPath}: run a scenario first`);
  try {
    // Read only: nothing here can change the store, and runs may write to it meanwhile.
    return await fn(await ResultsStore.open(dbPath, { readOnly: true, waitMs: STORE_WAIT_MS }));
  } catch (e) {
    if (isUserError(e)) return problem(503, e.message.split('\n')[0]);
    throw e;
  }
}

async function metrics(store: ResultsStore, runId: string): Promise<ApiReply> {
  const n = await store.metricRowCount(runId);
  if (n > MAX_METRIC_ROWS)
    return problem(
      413,
      `run ${runId} has ${n} metric rows, more than the ${MAX_METRIC_ROWS} this page loads; use \`panopticon export ${runId} --format parquet\``,
    );
  const names = await store.query<{ metric: string; key: string }>(
    'SELECT DISTINCT metric, key FROM metrics WHERE run_id = $1 ORDER BY metric, key',
    [runId],
  );
  const column = new Map(names.map((m, i) => [`${m.metric}\u0000${m.key}`, i]));
  const rows = await store.query<{ tick: number; metric: string; key: string; value: number | null }>(
    'SELECT tick, metric, key, value FROM metrics WHERE run_id = $1 ORDER BY tick, metric, key',
    [runId],
  );
  const ticks: number[] = [];
  const values: (number | null)[] = [];
  const m = names.length;
  for (const r of rows) {
    if (ticks[ticks.length - 1] !== r.tick) {
      ticks.push(r.tick);
      for (let k = 0; k < m; k++) values.push(null);
    }
    const v = r.value;
    values[(ticks.length - 1) * m + column.get(`${r.metric}\u0000${r.key}`)!] =
      v === null || !Number.isFinite(v) ? null : v;
  }
  return reply(200, {
    run_id: runId,
    metrics: names.map((x) => ({ name: x.metric, key: x.key, description: '' })),
    ticks,
    values,
  });
}

interface ExperimentListed {
  experiment_id: string;
  description: string | null;
  design: string;
  points: number;
  steps: number;
  status: string;
  runs_planned: number | null;
  runs_stored: number | null;
  runs_failed: number | null;
  updated_at: string;
}

/** The experiments (issue 11's tables), or none when the store has never held one. */
async function experiments(store: ResultsStore): Promise<ApiReply> {
  const rows = await store.read(async (tx) => {
    const t = await tx.query<{ n: number }>(
      "SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'experiments'",
    );
    if (!t[0]?.n) return [];
    const abandoned = await abandonedExperiments(tx);
    const listed = await tx.query<ExperimentListed>(
      `SELECT experiment_id, description, design, points, steps, status, runs_planned, runs_stored, runs_failed,
              strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS updated_at
       FROM experiments ORDER BY created_at, experiment_id`,
    );
    return listed.map((e) => (abandoned.has(e.experiment_id) ? { ...e, status: 'abandoned' } : e));
  });
  return reply(200, { experiments: rows });
}

/** One experiment as the chart module draws it (the analysis recomputed from the stored values, as reports do). */
async function experiment(store: ResultsStore, id: string, registry: ModelRegistry): Promise<ApiReply> {
  if (!(await isExperiment(store, id))) return problem(404, `no experiment ${id} in the store`);
  const { data } = await loadExperiment(store, id, registry);
  const body = JSON.stringify({ data });
  if (body.length > MAX_EXPERIMENT_BYTES)
    return problem(
      413,
      `experiment ${id} is ${Math.round(body.length / 2 ** 20)} MiB of data, more than the page loads; use \`panopticon report ${id}\``,
    );
  return { status: 200, body: JSON.parse(body) as unknown };
}

/** Answer `GET /api/…` (path without the query, already decoded and bounded by the server). */
export async function handleApi(dbPath: string, path: string, registry: ModelRegistry): Promise<ApiReply> {
  const parts = path.split('/').filter(Boolean).slice(1); // drop 'api'
  if (parts.length === 1 && parts[0] === 'experiments') return withStore(dbPath, experiments);
  if (parts.length === 2 && parts[0] === 'experiments') {
    const id = parts[1];
    if (!EXPERIMENT_ID.test(id)) return problem(400, `not an experiment name: ${JSON.stringify(id.slice(0, 40))}`);
    return withStore(dbPath, (store) => experiment(store, id, registry));
  }
  if (parts.length === 1 && parts[0] === 'runs') {
    const out = await withStore(dbPath, async (store) => reply(200, { runs: (await store.listRuns()).map(listed) }));
    return out;
  }
  if (parts[0] === 'runs' && (parts.length === 2 || (parts.length === 3 && parts[2] === 'metrics'))) {
    const runId = parts[1];
    if (!RUN_ID.test(runId)) return problem(400, `not a run id: ${JSON.stringify(runId.slice(0, 40))}`);
    return withStore(dbPath, async (store) => {
      let run: RunDetail;
      try {
        run = await store.getRun(runId);
      } catch (e) {
        if (isUserError(e)) return problem(404, `no run ${runId} in the store`);
        throw e;
      }
      if (parts.length === 3) {
        // A run's metrics reach the store with its final status, in one transaction.
        if (run.status === 'running')
          return problem(
            409,
            `run ${runId} is still running (tick ${run.ticks_done ?? 0} of ${run.steps}): its metrics are stored when it ends`,
          );
        if (run.staged)
          return problem(
            409,
            `run ${runId} is ${run.status} and its metrics are not in the store yet; \`panopticon recover\` stores them`,
          );
        return metrics(store, runId);
      }
      let scenario: unknown = null;
      try {
        scenario = JSON.parse(run.scenario_json);
      } catch {
        scenario = null;
      }
      return reply(200, { run: listed(run), scenario });
    });
  }
  return problem(404, `no such API path: /${['api', ...parts].join('/')} (try /api/runs or /api/experiments)`);
}
