/**
 * The experiment tables in the results store (DuckDB), all keyed by `experiment_id`, in
 * long (tidy) form so that one schema serves every experiment; docs/experiments.md lists
 * them. The coordinator is the only writer: runs finish in threads or on other machines
 * and their outcomes come back to it, which writes them in short transactions.
 *
 * A run is stored at most once per experiment: `experiment_runs` is keyed by
 * (experiment_id, run_key), and a stored complete run is never replaced. Delivery from the
 * queue is at least once; this key is what makes the store exactly once.
 */
import { BOOLEAN, DOUBLE, INTEGER, LIST, listValue, VARCHAR, BIGINT, type DuckDBType } from '@duckdb/node-api';
import { UserError } from '../scenario/errors.js';
import { currentOwner, ownerLiveness } from '../store/owner.js';
import type { ExperimentDb, StoreTx } from './db.js';
import type { RunOutcome } from './execute.js';
import type { Experiment } from './load.js';
import type { Position, RunSpec } from './plan.js';

export const EXPERIMENT_SCHEMA = `
CREATE TABLE IF NOT EXISTS experiments (
  experiment_id TEXT PRIMARY KEY,
  description TEXT,
  file TEXT NOT NULL,
  models TEXT NOT NULL,
  design TEXT NOT NULL,
  points INTEGER NOT NULL,
  arms TEXT NOT NULL,
  reference_arm TEXT NOT NULL,
  seed BIGINT NOT NULL,
  steps BIGINT NOT NULL,
  replicates TEXT NOT NULL,
  definition_hash TEXT NOT NULL,
  version TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  status TEXT NOT NULL,
  runs_planned BIGINT,
  runs_stored BIGINT,
  runs_failed BIGINT,
  note TEXT,
  owner_host TEXT,
  owner_pid INTEGER,
  owner_token TEXT
);
-- stores made before experiments recorded their coordinator
ALTER TABLE experiments ADD COLUMN IF NOT EXISTS owner_host TEXT;
ALTER TABLE experiments ADD COLUMN IF NOT EXISTS owner_pid INTEGER;
ALTER TABLE experiments ADD COLUMN IF NOT EXISTS owner_token TEXT;
CREATE TABLE IF NOT EXISTS experiment_factors (
  experiment_id TEXT NOT NULL, factor TEXT NOT NULL, position INTEGER NOT NULL, path TEXT NOT NULL,
  low DOUBLE, high DOUBLE, levels TEXT, scale TEXT NOT NULL, integer BOOLEAN NOT NULL,
  PRIMARY KEY (experiment_id, factor)
);
CREATE TABLE IF NOT EXISTS experiment_outputs (
  experiment_id TEXT NOT NULL, output TEXT NOT NULL, position INTEGER NOT NULL, metric TEXT NOT NULL,
  stat TEXT NOT NULL, key TEXT NOT NULL, tick_from INTEGER NOT NULL, tick_to INTEGER NOT NULL,
  PRIMARY KEY (experiment_id, output)
);
CREATE TABLE IF NOT EXISTS experiment_arms (
  experiment_id TEXT NOT NULL, arm TEXT NOT NULL, position INTEGER NOT NULL, source TEXT NOT NULL,
  model TEXT NOT NULL, is_reference BOOLEAN NOT NULL,
  PRIMARY KEY (experiment_id, arm)
);
CREATE TABLE IF NOT EXISTS experiment_points (
  experiment_id TEXT NOT NULL, point INTEGER NOT NULL, role TEXT NOT NULL, factor TEXT NOT NULL,
  value DOUBLE, value_text TEXT, unit DOUBLE,
  PRIMARY KEY (experiment_id, point, factor)
);
CREATE TABLE IF NOT EXISTS experiment_design (
  experiment_id TEXT NOT NULL, point INTEGER NOT NULL, arm TEXT NOT NULL, replicate INTEGER NOT NULL,
  seed BIGINT NOT NULL, run_key TEXT NOT NULL,
  PRIMARY KEY (experiment_id, point, arm, replicate)
);
CREATE TABLE IF NOT EXISTS experiment_runs (
  experiment_id TEXT NOT NULL, run_key TEXT NOT NULL, model TEXT NOT NULL, seed BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('complete', 'failed')), error TEXT,
  wall_seconds DOUBLE, init_seconds DOUBLE, worker TEXT, finished_at TIMESTAMPTZ NOT NULL, params_json TEXT NOT NULL,
  PRIMARY KEY (experiment_id, run_key)
);
CREATE TABLE IF NOT EXISTS experiment_values (
  experiment_id TEXT NOT NULL, run_key TEXT NOT NULL, output TEXT NOT NULL, value DOUBLE,
  PRIMARY KEY (experiment_id, run_key, output)
);
CREATE TABLE IF NOT EXISTS experiment_series (
  experiment_id TEXT NOT NULL, run_key TEXT NOT NULL, tick INTEGER NOT NULL, metric TEXT NOT NULL,
  key TEXT NOT NULL, value DOUBLE
);
CREATE OR REPLACE VIEW experiment_results AS
  SELECT d.experiment_id, d.point, d.arm, d.replicate, d.seed, d.run_key, v.output, v.value
  FROM experiment_design d
  JOIN experiment_runs r USING (experiment_id, run_key)
  JOIN experiment_values v USING (experiment_id, run_key)
  WHERE r.status = 'complete';
`;

/** Insert rows column-wise in one statement (lists unnested by DuckDB): cheap for thousands of rows. */
export async function insertColumns(
  tx: StoreTx,
  table: string,
  columns: readonly { name: string; type: DuckDBType; values: readonly unknown[] }[],
  conflict = '',
): Promise<void> {
  const n = columns[0]?.values.length ?? 0;
  if (!n) return;
  const names = columns.map((c) => c.name).join(', ');
  const select = columns.map((_, i) => `unnest($${i + 1})`).join(', ');
  // Types must be given as an array when values are (a record would be ignored and the list
  // types inferred from the first element: a DOUBLE column starting with 0 would become INTEGER).
  const types = columns.map((c) => LIST(c.type));
  await tx.connection.run(
    `INSERT INTO ${table} (${names}) SELECT ${select} ${conflict}`,
    columns.map((c) => listValue(c.values as never[])),
    types,
  );
}

export async function ensureExperimentSchema(db: ExperimentDb): Promise<void> {
  await db.write((tx) => tx.run(EXPERIMENT_SCHEMA));
}

function replicatesText(exp: Experiment): string {
  const r = exp.replicates;
  return r.kind === 'fixed'
    ? String(r.count)
    : JSON.stringify({ until: { output: r.outputs, halfWidth: r.halfWidth }, min: r.min, max: r.max });
}

/**
 * Record the experiment (or find it again). The same id with another definition is refused:
 * its stored runs would not be runs of this file.
 */
export async function registerExperiment(
  db: ExperimentDb,
  exp: Experiment,
  version: string,
): Promise<'new' | 'resumed'> {
  const owner = currentOwner();
  return db.write(async (tx) => {
    const rows = await tx.query<{ definition_hash: string; version: string }>(
      'SELECT definition_hash, version FROM experiments WHERE experiment_id = $1',
      [exp.id],
    );
    if (rows.length) {
      if (rows[0].definition_hash !== exp.definitionHash)
        throw new UserError(
          `experiment ${exp.id} is already in ${db.path} with another definition (base, arms, factors, design, outputs, series or seed differ; only replicates may change); give this one another name: (or use another --db)`,
        );
      await tx.run(
        `UPDATE experiments SET updated_at = now(), status = 'running', version = $2, replicates = $3, file = $4,
           owner_host = $5, owner_pid = $6, owner_token = $7 WHERE experiment_id = $1`,
        [exp.id, version, replicatesText(exp), exp.file, owner.host, owner.pid, owner.token],
      );
      return 'resumed';
    }
    await tx.run(
      `INSERT INTO experiments VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now(), now(), 'running', NULL, 0, 0, NULL, $14, $15, $16)`,
      [
        exp.id,
        exp.description ?? null,
        exp.file,
        [...new Set(exp.arms.map((a) => a.scenario.model))].join(','),
        exp.designSpec ? JSON.stringify(exp.designSpec) : exp.design.type,
        exp.design.points.length,
        exp.arms.map((a) => a.name).join(','),
        exp.reference,
        exp.seed,
        exp.steps,
        replicatesText(exp),
        exp.definitionHash,
        version,
        owner.host,
        owner.pid,
        owner.token,
      ],
    );
    const id = (n: number) => new Array<string>(n).fill(exp.id);
    const f = exp.factors;
    await insertColumns(tx, 'experiment_factors', [
      { name: 'experiment_id', type: VARCHAR, values: id(f.length) },
      { name: 'factor', type: VARCHAR, values: f.map((x) => x.name) },
      { name: 'position', type: INTEGER, values: f.map((_, i) => i) },
      { name: 'path', type: VARCHAR, values: f.map((x) => x.path.text) },
      { name: 'low', type: DOUBLE, values: f.map((x) => x.range?.[0] ?? null) },
      { name: 'high', type: DOUBLE, values: f.map((x) => x.range?.[1] ?? null) },
      { name: 'levels', type: VARCHAR, values: f.map((x) => (x.levels ? JSON.stringify(x.levels) : null)) },
      { name: 'scale', type: VARCHAR, values: f.map((x) => x.scale) },
      { name: 'integer', type: BOOLEAN, values: f.map((x) => x.integer) },
    ]);
    const o = exp.outputs;
    await insertColumns(tx, 'experiment_outputs', [
      { name: 'experiment_id', type: VARCHAR, values: id(o.length) },
      { name: 'output', type: VARCHAR, values: o.map((x) => x.name) },
      { name: 'position', type: INTEGER, values: o.map((_, i) => i) },
      { name: 'metric', type: VARCHAR, values: o.map((x) => x.metric) },
      { name: 'stat', type: VARCHAR, values: o.map((x) => x.stat) },
      { name: 'key', type: VARCHAR, values: o.map((x) => x.key) },
      { name: 'tick_from', type: INTEGER, values: o.map((x) => x.from) },
      { name: 'tick_to', type: INTEGER, values: o.map((x) => x.to) },
    ]);
    const a = exp.arms;
    await insertColumns(tx, 'experiment_arms', [
      { name: 'experiment_id', type: VARCHAR, values: id(a.length) },
      { name: 'arm', type: VARCHAR, values: a.map((x) => x.name) },
      { name: 'position', type: INTEGER, values: a.map((_, i) => i) },
      { name: 'source', type: VARCHAR, values: a.map((x) => x.source) },
      { name: 'model', type: VARCHAR, values: a.map((x) => x.scenario.model) },
      { name: 'is_reference', type: BOOLEAN, values: a.map((x) => x.name === exp.reference) },
    ]);
    const pts = exp.design.points.flatMap((p, i) =>
      exp.factors.map((fac, j) => ({
        point: i,
        role: p.role,
        factor: fac.name,
        v: p.values[j],
        u: p.unit?.[j] ?? null,
      })),
    );
    await insertColumns(tx, 'experiment_points', [
      { name: 'experiment_id', type: VARCHAR, values: id(pts.length) },
      { name: 'point', type: INTEGER, values: pts.map((p) => p.point) },
      { name: 'role', type: VARCHAR, values: pts.map((p) => p.role) },
      { name: 'factor', type: VARCHAR, values: pts.map((p) => p.factor) },
      {
        name: 'value',
        type: DOUBLE,
        values: pts.map((p) => (typeof p.v === 'number' ? p.v : typeof p.v === 'boolean' ? Number(p.v) : null)),
      },
      { name: 'value_text', type: VARCHAR, values: pts.map((p) => (typeof p.v === 'number' ? null : String(p.v))) },
      { name: 'unit', type: DOUBLE, values: pts.map((p) => p.u) },
    ]);
    return 'new';
  });
}

/** Add design positions (point × arm × replicate → run key); positions already there are kept. */
export async function addPositions(db: ExperimentDb, expId: string, positions: readonly Position[]): Promise<void> {
  if (!positions.length) return;
  await db.write((tx) =>
    insertColumns(
      tx,
      'experiment_design',
      [
        { name: 'experiment_id', type: VARCHAR, values: new Array<string>(positions.length).fill(expId) },
        { name: 'point', type: INTEGER, values: positions.map((p) => p.point) },
        { name: 'arm', type: VARCHAR, values: positions.map((p) => p.arm) },
        { name: 'replicate', type: INTEGER, values: positions.map((p) => p.replicate) },
        { name: 'seed', type: BIGINT, values: positions.map((p) => BigInt(p.seed)) },
        { name: 'run_key', type: VARCHAR, values: positions.map((p) => p.key) },
      ],
      'ON CONFLICT DO NOTHING',
    ),
  );
}

/** Run keys already stored for the experiment, with their status. */
export async function storedRuns(db: ExperimentDb, expId: string): Promise<Map<string, 'complete' | 'failed'>> {
  const rows = await db.read((tx) =>
    tx.query<{ run_key: string; status: 'complete' | 'failed' }>(
      'SELECT run_key, status FROM experiment_runs WHERE experiment_id = $1',
      [expId],
    ),
  );
  return new Map(rows.map((r) => [r.run_key, r.status]));
}

/** Whose runs are stored (an experiment, or a calibration) and what each run reports. */
export type RunsOwner = Pick<Experiment, 'id' | 'outputs' | 'series'>;

export interface FinishedRun {
  readonly run: RunSpec;
  readonly outcome: RunOutcome;
  /** Which process ran it: `local` or the queue worker's name. */
  readonly worker: string;
}

/**
 * Store finished runs in one transaction. A run already stored complete is left alone (a
 * duplicate delivery); a failed one is replaced by its new outcome. Returns how many runs
 * were new.
 */
export async function storeFinished(
  db: ExperimentDb,
  exp: RunsOwner,
  finished: readonly FinishedRun[],
): Promise<number> {
  if (!finished.length) return 0;
  return db.write(async (tx) => {
    const keys = finished.map((f) => f.run.key);
    const reader = await tx.connection.runAndReadAll(
      'SELECT run_key, status FROM experiment_runs WHERE experiment_id = $1 AND list_contains($2, run_key)',
      [exp.id, listValue(keys)],
      [VARCHAR, LIST(VARCHAR)],
    );
    const have = new Map(reader.getRowObjectsJS().map((r) => [String(r.run_key), String(r.status)]));
    const fresh: FinishedRun[] = [];
    const seen = new Set<string>();
    for (const f of finished) {
      if (have.get(f.run.key) === 'complete' || seen.has(f.run.key)) continue;
      seen.add(f.run.key);
      fresh.push(f);
    }
    const replaced = fresh.filter((f) => have.get(f.run.key) === 'failed').map((f) => f.run.key);
    for (const key of replaced) {
      await tx.run('DELETE FROM experiment_runs WHERE experiment_id = $1 AND run_key = $2', [exp.id, key]);
      await tx.run('DELETE FROM experiment_values WHERE experiment_id = $1 AND run_key = $2', [exp.id, key]);
      await tx.run('DELETE FROM experiment_series WHERE experiment_id = $1 AND run_key = $2', [exp.id, key]);
    }
    const n = fresh.length;
    const id = (m: number) => new Array<string>(m).fill(exp.id);
    await insertColumns(tx, 'experiment_runs', [
      { name: 'experiment_id', type: VARCHAR, values: id(n) },
      { name: 'run_key', type: VARCHAR, values: fresh.map((f) => f.run.key) },
      { name: 'model', type: VARCHAR, values: fresh.map((f) => f.run.model) },
      { name: 'seed', type: BIGINT, values: fresh.map((f) => BigInt(f.run.seed)) },
      { name: 'status', type: VARCHAR, values: fresh.map((f) => (f.outcome.ok ? 'complete' : 'failed')) },
      { name: 'error', type: VARCHAR, values: fresh.map((f) => (f.outcome.ok ? null : f.outcome.error)) },
      { name: 'wall_seconds', type: DOUBLE, values: fresh.map((f) => f.outcome.wallSeconds) },
      { name: 'init_seconds', type: DOUBLE, values: fresh.map((f) => (f.outcome.ok ? f.outcome.initSeconds : null)) },
      { name: 'worker', type: VARCHAR, values: fresh.map((f) => f.worker) },
      { name: 'finished_at', type: VARCHAR, values: fresh.map(() => new Date().toISOString()) },
      { name: 'params_json', type: VARCHAR, values: fresh.map((f) => JSON.stringify(f.run.params)) },
    ]);
    const ok = fresh.filter((f) => f.outcome.ok);
    const outs = exp.outputs;
    const vals = ok.flatMap((f) =>
      outs.map((o, i) => ({
        key: f.run.key,
        output: o.name,
        value: (f.outcome as { values: Float64Array }).values[i],
      })),
    );
    await insertColumns(tx, 'experiment_values', [
      { name: 'experiment_id', type: VARCHAR, values: id(vals.length) },
      { name: 'run_key', type: VARCHAR, values: vals.map((v) => v.key) },
      { name: 'output', type: VARCHAR, values: vals.map((v) => v.output) },
      { name: 'value', type: DOUBLE, values: vals.map((v) => v.value) },
    ]);
    const s = exp.series.length;
    if (s) {
      const rows: { key: string; tick: number; metric: string; mkey: string; value: number }[] = [];
      for (const f of ok) {
        const series = (f.outcome as { series: Float64Array }).series;
        for (let t = 0; t * s < series.length; t++)
          for (let j = 0; j < s; j++)
            rows.push({
              key: f.run.key,
              tick: t,
              metric: exp.series[j].metric,
              mkey: exp.series[j].key,
              value: series[t * s + j],
            });
      }
      await insertColumns(tx, 'experiment_series', [
        { name: 'experiment_id', type: VARCHAR, values: id(rows.length) },
        { name: 'run_key', type: VARCHAR, values: rows.map((r) => r.key) },
        { name: 'tick', type: INTEGER, values: rows.map((r) => r.tick) },
        { name: 'metric', type: VARCHAR, values: rows.map((r) => r.metric) },
        { name: 'key', type: VARCHAR, values: rows.map((r) => r.mkey) },
        { name: 'value', type: DOUBLE, values: rows.map((r) => r.value) },
      ]);
    }
    return n;
  });
}

/** The coordinator is alive: `experiment list` on another host goes by this (owner.ts). */
export async function heartbeatExperiment(db: ExperimentDb, expId: string): Promise<void> {
  await db.write((tx) => tx.run('UPDATE experiments SET updated_at = now() WHERE experiment_id = $1', [expId]));
}

/**
 * The experiments whose status says `running` while their coordinator is gone (kill -9, a
 * crash, a reboot): readers show them as `abandoned`; running the file again resumes them.
 */
export async function abandonedExperiments(tx: StoreTx): Promise<Set<string>> {
  const [{ n }] = await tx.query<{ n: number }>(
    "SELECT count(*)::INTEGER AS n FROM information_schema.columns WHERE table_name = 'experiments' AND column_name = 'owner_pid'",
  );
  // a store from before owners were recorded: only the age of the last update can tell
  const owner = n ? 'owner_host, owner_pid, owner_token' : 'NULL AS owner_host, NULL AS owner_pid, NULL AS owner_token';
  const rows = await tx.query<{
    experiment_id: string;
    owner_host: string | null;
    owner_pid: number | null;
    owner_token: string | null;
    age: number;
  }>(
    `SELECT experiment_id, ${owner}, epoch(now()) - epoch(updated_at) AS age FROM experiments WHERE status = 'running'`,
  );
  return new Set(
    rows
      .filter(
        (r) =>
          ownerLiveness(
            r.owner_pid === null || r.owner_host === null
              ? null
              : { host: r.owner_host, pid: r.owner_pid, token: r.owner_token },
            r.age,
          ) === 'dead',
      )
      .map((r) => r.experiment_id),
  );
}

export async function finishExperiment(
  db: ExperimentDb,
  expId: string,
  status: 'complete' | 'incomplete' | 'interrupted',
  counts: { planned: number; stored: number; failed: number },
  note: string | null,
): Promise<void> {
  await db.write((tx) =>
    tx.run(
      `UPDATE experiments SET status = $2, runs_planned = $3, runs_stored = $4, runs_failed = $5, note = $6, updated_at = now() WHERE experiment_id = $1`,
      [expId, status, counts.planned, counts.stored, counts.failed, note],
    ),
  );
}

/** Every stored output value of the experiment: the input of the analysis. */
export interface ValueRow {
  readonly point: number;
  readonly arm: string;
  readonly replicate: number;
  readonly output: string;
  readonly value: number;
}

export async function loadValues(db: ExperimentDb, expId: string): Promise<ValueRow[]> {
  return db.read((tx) =>
    tx.query<ValueRow>(
      'SELECT point, arm, replicate, output, value FROM experiment_results WHERE experiment_id = $1 ORDER BY point, arm, replicate, output',
      [expId],
    ),
  );
}
