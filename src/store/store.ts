/**
 * The results store: an embedded DuckDB file with one row per run (`runs`) and the
 * per-tick metrics in long form (`metrics`). A run is inserted as 'running' before its
 * first tick and marked 'complete' only after every metric row has been flushed; a run
 * that fails or is interrupted is marked so and never looks complete.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  DOUBLE,
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  INTEGER,
  VARCHAR,
  type DuckDBAppender,
} from '@duckdb/node-api';
import { UserError } from '../scenario/errors.js';
import { newRunId } from './ids.js';

export const DEFAULT_RESULTS_DIR = 'panopticon-results';
export const DEFAULT_DB_FILE = 'results.duckdb';

export type RunStatus = 'running' | 'complete' | 'failed' | 'interrupted';
export interface MetricSummary {
  readonly final: number;
  readonly mean: number;
  readonly max: number;
  readonly total: number;
}

export type ExportFormat = 'parquet' | 'csv';

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

export interface RunFinish {
  readonly wallSeconds: number;
  readonly peakRssBytes: number;
  readonly agentStepsPerSecond: number;
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
  status: RunStatus;
  error: string | null;
  agents: number;
  state_bytes: number;
  peak_rss_bytes: number | null;
  agent_steps_per_second: number | null;
  scenario_json: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  preset TEXT,
  scenario_hash TEXT NOT NULL,
  seed BIGINT NOT NULL,
  steps BIGINT NOT NULL,
  threads INTEGER NOT NULL,
  version TEXT NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  wall_seconds DOUBLE,
  status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed', 'interrupted')),
  error TEXT,
  agents BIGINT NOT NULL,
  state_bytes BIGINT NOT NULL,
  peak_rss_bytes BIGINT,
  agent_steps_per_second DOUBLE,
  scenario_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS metrics (
  run_id TEXT NOT NULL,
  tick INTEGER NOT NULL,
  metric TEXT NOT NULL,
  key TEXT NOT NULL,
  value DOUBLE
);
`;

/** Rows per DataChunk (DuckDB's vector size). */
const CHUNK_ROWS = 2048;

export function defaultDbPath(outDir?: string): string {
  return resolve(outDir ?? DEFAULT_RESULTS_DIR, DEFAULT_DB_FILE);
}

export class ResultsStore {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
  ) {}

  /** Open (creating if needed) the store at `path`. `create: false` refuses a missing file. */
  static async open(path: string, opts: { create?: boolean } = {}): Promise<ResultsStore> {
    const full = resolve(path);
    if (opts.create !== false) mkdirSync(dirname(full), { recursive: true });
    else {
      const { existsSync } = await import('node:fs');
      if (!existsSync(full))
        throw new UserError(`results store not found: ${full} (run a scenario first, or pass --db PATH)`);
    }
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(full);
    } catch (e) {
      const msg = (e as Error).message;
      if (/lock/i.test(msg))
        throw new UserError(
          `results store ${full} is in use by another process (a run in progress?): ${msg.split('\n')[0]}`,
        );
      throw new UserError(`cannot open results store ${full}: ${msg.split('\n')[0]}`);
    }
    const con = await instance.connect();
    await con.run(SCHEMA);
    return new ResultsStore(full, instance, con);
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }

  /** Insert a run as 'running' and return its new id. */
  async beginRun(r: RunStart): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const id = newRunId();
      const exists = await this.con.runAndReadAll('SELECT 1 FROM runs WHERE run_id = $1', [id]);
      if (exists.currentRowCount > 0) {
        if (attempt > 20) throw new Error('could not find a free run id');
        continue;
      }
      await this.con.run(
        `INSERT INTO runs (run_id, model, preset, scenario_hash, seed, steps, threads, version, started_at, status, agents, state_bytes, scenario_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), 'running', $9, $10, $11)`,
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
        ],
      );
      return id;
    }
  }

  /** A buffered writer of one run's metrics; `flush()` before finishing the run. */
  async metricsWriter(
    runId: string,
    metrics: readonly { name: string; key: string; internal?: boolean }[],
    batchTicks?: number,
  ): Promise<MetricsWriter> {
    const appender = await this.con.createAppender('metrics');
    return new MetricsWriter(appender, runId, metrics, batchTicks);
  }

  async completeRun(runId: string, f: RunFinish): Promise<void> {
    await this.con.run(
      `UPDATE runs SET status = 'complete', finished_at = now(), wall_seconds = $2, peak_rss_bytes = $3, agent_steps_per_second = $4, error = NULL
       WHERE run_id = $1 AND status = 'running'`,
      [runId, f.wallSeconds, Math.round(f.peakRssBytes), f.agentStepsPerSecond],
    );
  }

  async endRun(runId: string, status: 'failed' | 'interrupted', error: string, f?: Partial<RunFinish>): Promise<void> {
    await this.con.run(
      `UPDATE runs SET status = $2, error = $3, finished_at = now(), wall_seconds = $4, peak_rss_bytes = $5 WHERE run_id = $1`,
      [runId, status, error, f?.wallSeconds ?? null, f?.peakRssBytes !== undefined ? Math.round(f.peakRssBytes) : null],
    );
  }

  async listRuns(): Promise<RunRow[]> {
    return this.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY runs.started_at, runs.run_id`);
  }

  async getRun(runId: string): Promise<RunRow> {
    const rows = await this.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = $1`, [runId]);
    if (!rows.length) {
      const ids = (
        await this.query<{ run_id: string }>('SELECT run_id FROM runs ORDER BY runs.started_at DESC LIMIT 5')
      ).map((r) => r.run_id);
      throw new UserError(
        `run ${JSON.stringify(runId)} not found in ${this.path}${ids.length ? `; latest runs: ${ids.join(', ')}` : '; the store has no runs'}`,
      );
    }
    return rows[0];
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
   * or CSV file through DuckDB COPY. A run that is not 'complete' is refused unless `force`.
   * Returns the number of rows written.
   */
  async exportRun(runId: string, format: ExportFormat, outPath: string, force = false): Promise<number> {
    const run = await this.getRun(runId);
    if (run.status !== 'complete' && !force) {
      throw new UserError(
        `run ${runId} is ${run.status}, not complete: its metrics are partial. Re-run it, or pass --force to export the partial rows anyway`,
      );
    }
    const out = resolve(outPath);
    const store = resolve(this.path);
    if (out === store || out === `${store}.wal`) {
      throw new UserError(
        `--out: got ${outPath}, which is the results store itself; allowed: a new file path (e.g. run.parquet)`,
      );
    }
    if (existsSync(out) && statSync(out).isDirectory()) {
      throw new UserError(
        `--out: got ${outPath}, which is a folder; allowed: a file path (e.g. ${join(outPath, `${runId}.${format}`)})`,
      );
    }
    mkdirSync(dirname(out), { recursive: true });
    const options = format === 'parquet' ? 'FORMAT parquet, COMPRESSION zstd' : 'FORMAT csv, HEADER true';
    const literal = `'${out.replace(/'/g, "''")}'`;
    await this.con.run(
      `COPY (SELECT run_id, tick, metric, key, value FROM metrics WHERE run_id = $1 ORDER BY tick, metric, key) TO ${literal} (${options})`,
      [runId],
    );
    return this.metricRowCount(runId);
  }

  /** Run a read query and return plain JS row objects (BIGINTs as numbers). */
  async query<T>(sql: string, values?: (string | number | boolean | null)[]): Promise<T[]> {
    const reader = await this.con.runAndReadAll(sql, values);
    return reader.getRowObjectsJS().map((row) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row))
        o[k] = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v;
      return o as T;
    });
  }
}

const RUN_COLUMNS = `run_id, model, preset, scenario_hash, seed, steps, threads, version,
  strftime(started_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS started_at,
  strftime(finished_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS finished_at,
  wall_seconds, status, error, agents, state_bytes, peak_rss_bytes, agent_steps_per_second, scenario_json`;

/** Buffers metric rows per tick and appends them in DataChunks of up to 2048 rows. */
export class MetricsWriter {
  private ticks: number[] = [];
  private values: number[] = [];
  private readonly m: number;
  private readonly outputs: number[];
  private readonly metrics: readonly { name: string; key: string }[];
  private readonly batchTicks: number;
  private closed = false;
  rowsWritten = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    private readonly runId: string,
    allMetrics: readonly { name: string; key: string; internal?: boolean }[],
    batchTicks?: number,
  ) {
    // Internal metrics are working values shared between systems within a tick: not results.
    this.outputs = allMetrics.flatMap((spec, k) => (spec.internal ? [] : [k]));
    this.metrics = this.outputs.map((k) => allMetrics[k]);
    this.m = this.outputs.length;
    this.batchTicks = batchTicks ?? Math.max(1, Math.floor(16_384 / Math.max(1, this.m)));
  }

  /** Buffer one tick's reduced values (copied). Flushes when a batch is full. */
  push(tick: number, values: Float64Array): void {
    if (this.closed) throw new Error('metrics writer is closed');
    this.ticks.push(tick);
    for (let k = 0; k < this.m; k++) this.values.push(values[this.outputs[k]]);
    if (this.ticks.length >= this.batchTicks) this.flush();
  }

  flush(): void {
    const rows = this.ticks.length * this.m;
    if (rows === 0) return;
    for (let off = 0; off < rows; off += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows - off);
      const ids = new Array<string>(n).fill(this.runId);
      const ticks = new Array<number>(n);
      const names = new Array<string>(n);
      const keys = new Array<string>(n);
      const vals = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        const r = off + i;
        const k = r % this.m;
        ticks[i] = this.ticks[(r - k) / this.m];
        names[i] = this.metrics[k].name;
        keys[i] = this.metrics[k].key;
        vals[i] = this.values[r];
      }
      const chunk = DuckDBDataChunk.create([VARCHAR, INTEGER, VARCHAR, VARCHAR, DOUBLE], n);
      chunk.setColumns([ids, ticks, names, keys, vals]);
      this.appender.appendDataChunk(chunk);
    }
    this.appender.flushSync();
    this.rowsWritten += rows;
    this.ticks = [];
    this.values = [];
  }

  /** Flush what is buffered and release the appender. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.appender.closeSync();
  }

  /** Drop what is buffered (a failed run) and release the appender. */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.ticks = [];
    this.values = [];
    try {
      this.appender.clear();
      this.appender.closeSync();
    } catch {
      // the run is being marked failed anyway
    }
  }
}
