/**
 * The results store: an embedded DuckDB file with one row per run (`runs`) and the
 * per-tick metrics in long form (`metrics`).
 *
 * Access is by short transactions only (connection.ts): nothing holds the file between
 * them, so listing and exporting work while runs are in progress and several runs (or an
 * experiment coordinator) write to one store. A run's metrics go to its own staging file
 * while it runs (staging.ts) and enter the store in the transaction that sets its final
 * status, so a half-written run never looks complete.
 *
 * For code that keeps its own tables in the store (experiments, reports):
 *
 *   const store = await ResultsStore.open(path);                    // creates or migrates
 *   await store.write(async (tx) => {                               // one transaction
 *     await tx.run('CREATE TABLE IF NOT EXISTS my_table (…)');
 *     await tx.run('INSERT INTO my_table VALUES ($1, $2)', [a, b]);
 *   });
 *   const rows = await store.read((tx) => tx.query<Row>('SELECT …')); // read-only
 *
 * Keep each callback short (no simulation inside it): every other process that wants the
 * store waits for it. `write` rolls back everything if its callback throws. Use these from
 * one thread per process (see connection.ts for why).
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { UserError } from '../scenario/errors.js';
import {
  defaultWaitMs,
  readDatabase,
  writeDatabase,
  type AccessOptions,
  type SqlValue,
  type StoreTx,
} from './connection.js';
import { storeFailure } from './errors.js';
import { exportRunMetrics, type ExportFormat, type ExportOptions, type ExportResult } from './export.js';
import { newRunId } from './ids.js';
import { currentOwner, ownerLiveness, type Owner } from './owner.js';
import { ensureSchema, readSchema, type SchemaInfo } from './schema.js';
import { removeStaging, StagedRun, stagingDir, stagingFile, type MetricSpec } from './staging.js';

export const DEFAULT_RESULTS_DIR = 'panopticon-results';
export const DEFAULT_DB_FILE = 'results.duckdb';

/** Stored statuses. `abandoned`: the owning process died before finishing (what it wrote is kept). */
export type RunStatus = 'running' | 'complete' | 'failed' | 'interrupted' | 'abandoned';

export interface MetricSummary {
  readonly final: number;
  readonly mean: number;
  readonly max: number;
  readonly total: number;
}

export type { ExportFormat, ExportOptions, ExportResult } from './export.js';
export type { StoreTx, SqlValue, AccessOptions } from './connection.js';
export type { RunOutcome, MetricSpec } from './staging.js';
export { StagedRun, MetricsWriter, stagingFile } from './staging.js';

export interface RunStart {
  readonly model: string;
  readonly preset: string | null;
  readonly scenarioHash: string;
  readonly seed: number;
  readonly steps: number;
  readonly threads: number;
  readonly version: string;
  readonly agents: number;
  readonly stateBytes: number;
  readonly scenarioJson: string;
}

export interface RunRow {
  run_id: string;
  model: string;
  preset: string | null;
  scenario_hash: string;
  seed: number;
  steps: number;
  threads: number;
  version: string;
  started_at: string;
  finished_at: string | null;
  wall_seconds: number | null;
  /** As stored, except that a `running` run whose owner is gone reads `abandoned`. */
  status: RunStatus;
  error: string | null;
  agents: number;
  state_bytes: number;
  peak_rss_bytes: number | null;
  agent_steps_per_second: number | null;
  owner_host: string | null;
  owner_pid: number | null;
  owner_token: string | null;
  heartbeat_at: string | null;
  /** Ticks stepped so far (heartbeat) or in the end. */
  ticks_done: number | null;
  /** Seconds since the last heartbeat (or the start). */
  heartbeat_age: number | null;
  /** True when the run's staging file is still beside the store (its rows are not imported yet). */
  staged: boolean;
}

export interface RunDetail extends RunRow {
  scenario_json: string;
}

/** A run that `recover` finalised. */
export interface RecoveredRun {
  readonly runId: string;
  readonly status: RunStatus;
  readonly rows: number;
}

export function defaultDbPath(outDir?: string): string {
  return resolve(outDir ?? DEFAULT_RESULTS_DIR, DEFAULT_DB_FILE);
}

const RUN_COLUMNS = `run_id, model, preset, scenario_hash, seed, steps, threads, version,
  strftime(started_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS started_at,
  strftime(finished_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS finished_at,
  wall_seconds, status, error, agents, state_bytes, peak_rss_bytes, agent_steps_per_second,
  owner_host, owner_pid, owner_token,
  strftime(heartbeat_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS heartbeat_at, ticks_done,
  epoch(now()) - epoch(coalesce(heartbeat_at, started_at)) AS heartbeat_age`;

export interface OpenOptions {
  /** Create the file (and its folder) if missing; default true. Ignored when readOnly. */
  readonly create?: boolean;
  /** Never write: for reading commands and archives on read-only media. */
  readonly readOnly?: boolean;
  /** How long to wait for another process's transaction (ms). */
  readonly waitMs?: number;
}

export class ResultsStore {
  private constructor(
    readonly path: string,
    readonly readOnly: boolean,
    private readonly schema: SchemaInfo,
    private readonly waitMs: number,
  ) {}

  /**
   * Check that `path` is a results store (creating or migrating it unless readOnly) and
   * return a handle. The handle holds nothing open: every call is its own transaction.
   */
  static async open(path: string, opts: OpenOptions = {}): Promise<ResultsStore> {
    const full = resolve(path);
    const waitMs = opts.waitMs ?? defaultWaitMs();
    const readOnly = opts.readOnly ?? false;
    if (readOnly || opts.create === false) {
      if (!existsSync(full))
        throw new UserError(`results store not found: ${full} (run a scenario first, or pass --db PATH)`);
      if (statSync(full).isDirectory())
        throw new UserError(
          `results store ${full} is a folder; pass the database file inside it (e.g. --db ${resolve(full, DEFAULT_DB_FILE)})`,
        );
    } else {
      try {
        mkdirSync(dirname(full), { recursive: true });
      } catch (e) {
        throw storeFailure(e, full, 'create its folder');
      }
    }
    const what = { what: readOnly ? 'read it' : 'open it', waitMs };
    const schema = readOnly
      ? await readDatabase(full, (tx) => readSchema(tx, full), what)
      : await writeDatabase(full, (tx) => ensureSchema(tx, full), what);
    return new ResultsStore(full, readOnly, schema, waitMs);
  }

  /** One read-only transaction. */
  read<T>(fn: (tx: StoreTx) => Promise<T>, opts: AccessOptions = {}): Promise<T> {
    return readDatabase(this.path, fn, { waitMs: this.waitMs, ...opts });
  }

  /** One read-write transaction: everything `fn` does is committed together, or nothing is. */
  write<T>(fn: (tx: StoreTx) => Promise<T>, opts: AccessOptions = {}): Promise<T> {
    if (this.readOnly) return Promise.reject(new Error(`results store ${this.path} was opened read-only`));
    return writeDatabase(this.path, fn, { waitMs: this.waitMs, ...opts });
  }

  /** Run a read query and return plain JS row objects (BIGINTs as numbers). */
  query<T>(sql: string, values?: readonly SqlValue[]): Promise<T[]> {
    return this.read((tx) => tx.query<T>(sql, values));
  }

  /** Insert a run as 'running', owned by this process, and return its new id. */
  async beginRun(r: RunStart, owner: Owner = currentOwner()): Promise<string> {
    return this.write(
      async (tx) => {
        for (let attempt = 0; ; attempt++) {
          const id = newRunId();
          const exists = await tx.query('SELECT 1 FROM runs WHERE run_id = $1', [id]);
          if (exists.length > 0) {
            if (attempt > 20) throw new Error('could not find a free run id');
            continue;
          }
          await tx.run(
            `INSERT INTO runs (run_id, model, preset, scenario_hash, seed, steps, threads, version, started_at, status,
               agents, state_bytes, scenario_json, owner_host, owner_pid, owner_token, heartbeat_at, ticks_done)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), 'running', $9, $10, $11, $12, $13, $14, now(), 0)`,
            [
              id,
              r.model,
              r.preset,
              r.scenarioHash,
              r.seed,
              r.steps,
              r.threads,
              r.version,
              r.agents,
              r.stateBytes,
              r.scenarioJson,
              owner.host,
              owner.pid,
              owner.token,
            ],
          );
          return id;
        }
      },
      { what: 'record a new run' },
    );
  }

  /** Open the staging file a run's metrics go to while it runs (see staging.ts). */
  stage(runId: string, metrics: readonly MetricSpec[], batchTicks?: number): Promise<StagedRun> {
    return StagedRun.create(this.path, runId, metrics, batchTicks);
  }

  /**
   * Say that a running run is alive and how far it is. Best effort: gives up quietly
   * (returns false) if the store stays busy for `waitMs`, since the next beat will do.
   */
  async heartbeat(runId: string, ticksDone: number, waitMs = 2_000): Promise<boolean> {
    try {
      await this.write(
        (tx) =>
          tx.run("UPDATE runs SET heartbeat_at = now(), ticks_done = $2 WHERE run_id = $1 AND status = 'running'", [
            runId,
            ticksDone,
          ]),
        { waitMs, what: `record run ${runId}'s heartbeat` },
      );
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Move a sealed (or abandoned) staging file into the store in one transaction that also
   * sets the run's final status, then delete it. The run must still be `running`; returns
   * null if another process finalised it first.
   */
  async importStaged(runId: string, opts: AccessOptions = {}): Promise<RecoveredRun | null> {
    const file = stagingFile(this.path, runId);
    if (!existsSync(file)) throw new Error(`run ${runId} has no staging file at ${file}`);
    const result = await this.write(async (tx) => finalise(tx, runId), {
      what: `store run ${runId}'s results`,
      ...opts,
      attach: { staged: file },
    });
    if (result !== null) removeStaging(file);
    return result;
  }

  /**
   * Mark a running run as ended without importing metrics (its staging file could not be
   * written or read).
   */
  async endRun(runId: string, status: 'failed' | 'interrupted', error: string, wallSeconds?: number): Promise<void> {
    await this.write(
      (tx) =>
        tx.run(
          `UPDATE runs SET status = $2, error = $3, finished_at = now(), wall_seconds = $4 WHERE run_id = $1 AND status = 'running'`,
          [runId, status, error, wallSeconds ?? null],
        ),
      { what: `record run ${runId}'s end` },
    );
  }

  /**
   * Finalise runs whose owner died: import what each staged (with the outcome it had
   * recorded, or as `abandoned`), and delete staging files left after a finished run.
   * Safe to call at any time from any process: a run whose owner is alive is left alone.
   */
  async recover(opts: AccessOptions = {}): Promise<RecoveredRun[]> {
    const dead = (await this.listRuns()).filter((r) => r.status === 'abandoned' && r.ownerAlive === false);
    const out: RecoveredRun[] = [];
    for (const run of dead) {
      const file = stagingFile(this.path, run.run_id);
      if (existsSync(file)) {
        try {
          const done = await this.importStaged(run.run_id, { what: `recover run ${run.run_id}`, ...opts });
          if (done) out.push(done);
          continue;
        } catch (e) {
          // a staging file that cannot be read: finalise the row without metrics (the file
          // goes with the clean-up of staging files of finished runs)
          const kind = (e as { kind?: string }).kind;
          if (kind === 'busy' || kind === 'disk-full' || kind === 'read-only') throw e;
        }
      }
      const n = await this.write(
        (tx) =>
          tx.run(
            `UPDATE runs SET status = 'abandoned', finished_at = now(), error = $2 WHERE run_id = $1 AND status = 'running'`,
            [run.run_id, `${ownerGone(run)}; no metrics could be recovered`],
          ),
        { what: `recover run ${run.run_id}`, ...opts },
      );
      if (n) out.push({ runId: run.run_id, status: 'abandoned', rows: 0 });
    }
    // staging files of runs that are no longer running: the import committed but the
    // process ended before deleting the file
    const staged = this.stagedIds();
    if (staged.size) {
      const status = new Map((await this.listRuns()).map((r) => [r.run_id, r.stored]));
      for (const id of staged) {
        const s = status.get(id);
        if (s !== undefined && s !== 'running') removeStaging(stagingFile(this.path, id));
      }
    }
    return out;
  }

  /** Every run, oldest first (without the scenario JSON: see getRun). */
  async listRuns(): Promise<(RunRow & { stored: RunStatus; ownerAlive: boolean | null })[]> {
    const rows = await this.read(
      (tx) => tx.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM ${this.schema.runs} AS r ORDER BY r.started_at, r.run_id`),
      { what: 'list runs' },
    );
    const staged = this.stagedIds();
    return rows.map((r) => this.withLiveStatus(r, staged.has(r.run_id)));
  }

  /** Ids of runs with a staging file beside the store. */
  private stagedIds(): Set<string> {
    try {
      return new Set(
        readdirSync(stagingDir(this.path))
          .filter((f) => f.endsWith('.duckdb'))
          .map((f) => basename(f, '.duckdb')),
      );
    } catch {
      return new Set(); // no staging folder (or one we may not read): nothing staged that we can see
    }
  }

  async getRun(runId: string): Promise<RunDetail> {
    const rows = await this.read(
      (tx) =>
        tx.query<RunDetail>(`SELECT ${RUN_COLUMNS}, scenario_json FROM ${this.schema.runs} WHERE run_id = $1`, [runId]),
      { what: `read run ${runId}` },
    );
    if (!rows.length) {
      const ids = (
        await this.query<{ run_id: string }>(
          `SELECT run_id FROM ${this.schema.runs} AS r ORDER BY r.started_at DESC, r.run_id DESC LIMIT 5`,
        )
      ).map((r) => r.run_id);
      throw new UserError(
        `run ${JSON.stringify(runId.slice(0, 60))} not found in ${this.path}${ids.length ? `; latest runs: ${ids.join(', ')}` : '; the store has no runs'}`,
      );
    }
    return this.withLiveStatus(rows[0], existsSync(stagingFile(this.path, runId)));
  }

  private withLiveStatus<T extends RunRow>(
    r: T,
    staged: boolean,
  ): T & { stored: RunStatus; ownerAlive: boolean | null } {
    if (r.status !== 'running') return { ...r, staged, stored: r.status, ownerAlive: null };
    const alive =
      ownerLiveness(
        r.owner_pid === null ? null : { host: r.owner_host ?? undefined, pid: r.owner_pid, token: r.owner_token },
        r.heartbeat_age,
      ) === 'alive';
    return { ...r, staged, stored: 'running', ownerAlive: alive, status: alive ? 'running' : 'abandoned' };
  }

  async metricRowCount(runId: string): Promise<number> {
    const rows = await this.query<{ n: number }>('SELECT count(*)::DOUBLE AS n FROM metrics WHERE run_id = $1', [
      runId,
    ]);
    return rows[0].n;
  }

  /**
   * The final value of whole-population metrics (key ''), and their daily mean, maximum and
   * total over the run's steps (ticks ≥ 1: tick 0 is the initial state, not a day).
   */
  async metricSummary(runId: string, names: readonly string[]): Promise<Map<string, MetricSummary>> {
    const out = new Map<string, MetricSummary>();
    if (!names.length) return out;
    const list = names.map((n) => `'${n.replace(/'/g, "''")}'`).join(', ');
    const rows = await this.query<{ metric: string } & MetricSummary>(
      `SELECT metric, arg_max(value, tick) AS final, avg(value) FILTER (tick > 0) AS mean,
              max(value) FILTER (tick > 0) AS max, coalesce(sum(value) FILTER (tick > 0), 0) AS total
       FROM metrics WHERE run_id = $1 AND key = '' AND metric IN (${list}) GROUP BY metric`,
      [runId],
    );
    for (const r of rows) out.set(r.metric, { final: r.final, mean: r.mean, max: r.max, total: r.total });
    return out;
  }

  /**
   * Write a run's metrics (long form: run_id, tick, metric, key, value) to a Parquet (zstd)
   * or CSV file; see export.ts for what is refused.
   */
  async exportRun(
    runId: string,
    format: ExportFormat,
    outPath: string,
    opts: ExportOptions = {},
  ): Promise<ExportResult> {
    const run = await this.getRun(runId);
    return exportRunMetrics(this, run, format, outPath, opts);
  }
}

function ownerGone(run: RunRow): string {
  const who = run.owner_pid !== null ? `process ${run.owner_pid} on ${run.owner_host}` : 'its process';
  return `abandoned: ${who} ended without finishing (killed, crashed or lost power)`;
}

/**
 * The import transaction (the staging file attached as `staged`): the rows and the final
 * status together. A run whose staging file has no recorded outcome was abandoned.
 */
async function finalise(tx: StoreTx, runId: string): Promise<RecoveredRun | null> {
  const [run] = await tx.query<RunRow>(
    `SELECT run_id, status, owner_pid, owner_host, steps FROM runs WHERE run_id = $1 AND status = 'running'`,
    [runId],
  );
  if (!run) return null;
  const [outcome] = await tx.query<{
    status: 'complete' | 'interrupted' | 'failed';
    error: string | null;
    wall_seconds: number | null;
    peak_rss_bytes: number | null;
    agent_steps_per_second: number | null;
    ticks: number;
  }>('SELECT status, error, wall_seconds, peak_rss_bytes, agent_steps_per_second, ticks FROM staged.outcome LIMIT 1');
  const [{ last }] = await tx.query<{ last: number | null }>(
    'SELECT max(tick)::BIGINT AS last FROM staged.metrics WHERE run_id = $1',
    [runId],
  );
  const status: RunStatus = outcome?.status ?? 'abandoned';
  const ticks = outcome?.ticks ?? Math.max(0, last ?? 0);
  const error = outcome
    ? outcome.error
    : `${ownerGone(run)} after ${last === null ? 'no' : ticks} of ${run.steps} ticks; ${last === null ? 'nothing was written' : 'the ticks written are kept'}`;
  const rows = await tx.run(
    'INSERT INTO metrics SELECT run_id, tick, metric, key, value FROM staged.metrics WHERE run_id = $1',
    [runId],
  );
  await tx.run(
    `UPDATE runs SET status = $2, error = $3, finished_at = now(), wall_seconds = $4, peak_rss_bytes = $5,
       agent_steps_per_second = $6, ticks_done = $7 WHERE run_id = $1`,
    [
      runId,
      status,
      error,
      outcome?.wall_seconds ?? null,
      outcome?.peak_rss_bytes ?? null,
      outcome?.agent_steps_per_second ?? null,
      ticks,
    ],
  );
  return { runId, status, rows };
}
