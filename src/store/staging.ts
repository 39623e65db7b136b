/**
 * A run's own staging file: where its per-tick metrics go while it runs.
 *
 * A national run writes 365 ticks × thousands of metric keys over more than an hour. If it
 * wrote them into the results store as it went, it would hold the store's lock for that
 * hour (DuckDB allows one writing process, and no readers beside it). Instead each run
 * appends to a DuckDB file of its own, `<store>.staging/<run id>.duckdb`, which no other
 * process needs, and the store imports it in one transaction when the run ends. So:
 * - `runs`, `export`, `compare` and other runs reach the store between short transactions;
 * - a half-written run never looks complete: its rows enter `metrics` in the same
 *   transaction that sets its final status;
 * - a run killed at any point leaves its staging file behind (DuckDB's WAL keeps what was
 *   flushed), and `panopticon recover` (run by every `panopticon run` too) imports it with
 *   the outcome the run had recorded, or as `abandoned` if it had none.
 */
import { existsSync, mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DOUBLE,
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  INTEGER,
  VARCHAR,
  type DuckDBAppender,
} from '@duckdb/node-api';
import { storeFailure } from './errors.js';

/** Rows per DataChunk (DuckDB's vector size). */
const CHUNK_ROWS = 2048;

/** How a run ended, as recorded in its staging file before the import. */
export interface RunOutcome {
  readonly status: 'complete' | 'interrupted' | 'failed';
  readonly error: string | null;
  readonly wallSeconds: number | null;
  readonly peakRssBytes: number | null;
  readonly agentStepsPerSecond: number | null;
  /** Ticks stepped (tick 0, the initial state, is not counted). */
  readonly ticks: number;
}

export function stagingDir(storePath: string): string {
  return `${storePath}.staging`;
}

export function stagingFile(storePath: string, runId: string): string {
  return join(stagingDir(storePath), `${runId}.duckdb`);
}

/** Delete a staging file and its WAL, and the staging folder once it is empty; missing files are fine. */
export function removeStaging(file: string): void {
  rmSync(file, { force: true });
  rmSync(`${file}.wal`, { force: true });
  try {
    rmdirSync(dirname(file));
  } catch {
    // not empty (another run is staging), or already gone
  }
}

const STAGING_SCHEMA = `
CREATE TABLE metrics (run_id TEXT NOT NULL, tick INTEGER NOT NULL, metric TEXT NOT NULL, key TEXT NOT NULL, value DOUBLE);
CREATE TABLE outcome (status TEXT NOT NULL, error TEXT, wall_seconds DOUBLE, peak_rss_bytes BIGINT,
  agent_steps_per_second DOUBLE, ticks BIGINT NOT NULL, ended_at TIMESTAMPTZ NOT NULL DEFAULT now());
`;

export interface MetricSpec {
  readonly name: string;
  readonly key: string;
  /** Working values shared between systems within a tick: not results, not stored. */
  readonly internal?: boolean;
}

/** One run's staging file, open for appending for the length of the run. */
export class StagedRun {
  private sealed = false;

  private constructor(
    readonly file: string,
    readonly runId: string,
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
    readonly writer: MetricsWriter,
  ) {}

  static async create(
    storePath: string,
    runId: string,
    metrics: readonly MetricSpec[],
    batchTicks?: number,
  ): Promise<StagedRun> {
    const file = stagingFile(storePath, runId);
    // Another run may remove the (empty) staging folder between our mkdir and our create: retry once.
    for (let attempt = 0; ; attempt++) {
      let instance: DuckDBInstance | undefined;
      try {
        mkdirSync(stagingDir(storePath), { recursive: true });
        instance = await DuckDBInstance.create(file);
        const con = await instance.connect();
        await con.run(STAGING_SCHEMA);
        const appender = await con.createAppender('metrics');
        return new StagedRun(file, runId, instance, con, new MetricsWriter(appender, runId, metrics, batchTicks));
      } catch (e) {
        try {
          instance?.closeSync();
        } catch {
          /* already failing */
        }
        if (attempt === 0 && !existsSync(stagingDir(storePath))) continue;
        removeStaging(file);
        throw storeFailure(e, file, `create the staging file of run ${runId}`);
      }
    }
  }

  /** Buffer one tick's values; full batches go to the staging file. */
  push(tick: number, values: Float64Array): void {
    try {
      this.writer.push(tick, values);
    } catch (e) {
      throw storeFailure(e, this.file, `write run ${this.runId}'s metrics`);
    }
  }

  /** Flush every buffered row, record the outcome, and close the file: it is ready to import. */
  async seal(outcome: RunOutcome): Promise<void> {
    if (this.sealed) return;
    try {
      this.writer.close();
      await this.con.run(
        'INSERT INTO outcome (status, error, wall_seconds, peak_rss_bytes, agent_steps_per_second, ticks) VALUES ($1, $2, $3, $4, $5, $6)',
        [
          outcome.status,
          outcome.error,
          outcome.wallSeconds,
          outcome.peakRssBytes === null ? null : Math.round(outcome.peakRssBytes),
          outcome.agentStepsPerSecond,
          outcome.ticks,
        ],
      );
    } catch (e) {
      throw storeFailure(e, this.file, `finish run ${this.runId}'s staging file`);
    } finally {
      this.close();
    }
  }

  /** Close and delete the staging file (its rows are dropped). */
  discard(): void {
    this.writer.abandon();
    this.close();
    removeStaging(this.file);
  }

  private close(): void {
    if (this.sealed) return;
    this.sealed = true;
    try {
      this.con.closeSync();
      this.instance.closeSync();
    } catch {
      /* what was committed is in the file or its WAL */
    }
  }
}

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
  /** The last tick pushed (-1 before tick 0). */
  lastTick = -1;

  constructor(
    private readonly appender: DuckDBAppender,
    private readonly runId: string,
    allMetrics: readonly MetricSpec[],
    batchTicks?: number,
  ) {
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
    this.lastTick = tick;
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

  /** Drop what is buffered and release the appender. */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.ticks = [];
    this.values = [];
    try {
      this.appender.clear();
      this.appender.closeSync();
    } catch {
      // the run is being dropped anyway
    }
  }
}
