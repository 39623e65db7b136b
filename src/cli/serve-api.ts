/**
 * The explorer's read-only API over the results store (`panopticon serve`): the runs, one
 * run with its scenario, and a run's metrics in a compact form the page charts. It takes
 * no SQL and no code, only a run id, which must look like one; every query is fixed and
 * parameterised. Each request opens the store, reads and closes it, so runs can be added
 * by other processes while the server runs.
 */
import { existsSync } from 'node:fs';
import { ResultsStore, type RunDetail, type RunRow } from '../store/store.js';
import { isUserError } from '../scenario/errors.js';

/** Metric rows one response may carry; a larger run is better read with `panopticon export`. */
export const MAX_METRIC_ROWS = 3_000_000;
/** A run id as the store makes them (`YYMMDD-HHMM-xxxx`), with room for longer suffixes. */
const RUN_ID = /^[0-9]{6}-[0-9]{4}-[a-z0-9]{2,16}$/;

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

/** Answer `GET /api/…` (path without the query, already decoded and bounded by the server). */
export async function handleApi(dbPath: string, path: string): Promise<ApiReply> {
  const parts = path.split('/').filter(Boolean).slice(1); // drop 'api'
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
  return problem(404, `no such API path: /${['api', ...parts].join('/')} (try /api/runs)`);
}
