/**
 * A calibration's tables in the results store (tidy, keyed by `calibration_id`; listed in
 * docs/guide.md §9). Its runs are stored like an experiment's, in experiment_runs,
 * experiment_values and experiment_series under the calibration's id (experiments/store.ts).
 *
 * Nothing half-written looks finished: a generation (its row and its particles) is written
 * in one transaction once all its particles are accepted; the fit, the forecast and the
 * status `complete` are written together at the end. Until then the status reads `running`
 * (or `interrupted`), and a reader is told so.
 */
import { BOOLEAN, DOUBLE, INTEGER, VARCHAR, BIGINT } from '@duckdb/node-api';
import { UserError } from '../../scenario/errors.js';
import type { ExperimentDb } from '../db.js';
import { insertColumns } from '../store.js';
import type { Population } from './abc-smc.js';
import type { Calibration, Quantity } from './load.js';

export const CALIBRATION_SCHEMA = `
CREATE TABLE IF NOT EXISTS calibrations (
  calibration_id TEXT PRIMARY KEY, description TEXT, file TEXT NOT NULL, base TEXT NOT NULL, model TEXT NOT NULL,
  start_date DATE NOT NULL, steps BIGINT NOT NULL, agents BIGINT NOT NULL, scale DOUBLE NOT NULL,
  scale_population DOUBLE, method TEXT NOT NULL, distance TEXT NOT NULL, definition_hash TEXT NOT NULL,
  version TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL, status TEXT NOT NULL,
  generations INTEGER NOT NULL, runs BIGINT NOT NULL, stop_reason TEXT, note TEXT
);
CREATE TABLE IF NOT EXISTS calibration_parameters (
  calibration_id TEXT NOT NULL, parameter TEXT NOT NULL, position INTEGER NOT NULL, path TEXT NOT NULL,
  points TEXT, prior TEXT NOT NULL, prior_a DOUBLE NOT NULL, prior_b DOUBLE NOT NULL,
  PRIMARY KEY (calibration_id, parameter)
);
CREATE TABLE IF NOT EXISTS calibration_observations (
  calibration_id TEXT NOT NULL, observation TEXT NOT NULL, position INTEGER NOT NULL, metric TEXT NOT NULL,
  key TEXT NOT NULL, stat TEXT NOT NULL, per TEXT, counts BOOLEAN NOT NULL, from_date DATE NOT NULL, to_date DATE NOT NULL,
  tick_from INTEGER NOT NULL, tick_to INTEGER NOT NULL, value DOUBLE NOT NULL, sd DOUBLE NOT NULL, sources TEXT, note TEXT,
  PRIMARY KEY (calibration_id, observation)
);
CREATE TABLE IF NOT EXISTS calibration_generations (
  calibration_id TEXT NOT NULL, generation INTEGER NOT NULL, epsilon DOUBLE, proposed BIGINT NOT NULL,
  accepted INTEGER NOT NULL, acceptance_rate DOUBLE NOT NULL, ess DOUBLE NOT NULL, wall_seconds DOUBLE,
  finished_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (calibration_id, generation)
);
CREATE TABLE IF NOT EXISTS calibration_particles (
  calibration_id TEXT NOT NULL, generation INTEGER NOT NULL, particle INTEGER NOT NULL, parameter TEXT NOT NULL,
  value DOUBLE NOT NULL, weight DOUBLE NOT NULL, distance DOUBLE NOT NULL, proposal BIGINT NOT NULL, run_key TEXT NOT NULL,
  PRIMARY KEY (calibration_id, generation, particle, parameter)
);
CREATE TABLE IF NOT EXISTS calibration_predictive (
  calibration_id TEXT NOT NULL, draw INTEGER NOT NULL, particle INTEGER NOT NULL, seed BIGINT NOT NULL, run_key TEXT NOT NULL,
  PRIMARY KEY (calibration_id, draw)
);
CREATE TABLE IF NOT EXISTS calibration_fit (
  calibration_id TEXT NOT NULL, observation TEXT NOT NULL, position INTEGER NOT NULL, from_date DATE NOT NULL,
  to_date DATE NOT NULL, observed DOUBLE NOT NULL, sd DOUBLE NOT NULL, mean DOUBLE, q05 DOUBLE, q25 DOUBLE, q50 DOUBLE,
  q75 DOUBLE, q95 DOUBLE, in50 BOOLEAN, in90 BOOLEAN, draws INTEGER NOT NULL,
  PRIMARY KEY (calibration_id, observation)
);
CREATE TABLE IF NOT EXISTS calibration_forecast (
  calibration_id TEXT NOT NULL, quantity TEXT NOT NULL, position INTEGER NOT NULL, metric TEXT NOT NULL, stat TEXT NOT NULL,
  per TEXT, from_date DATE NOT NULL, to_date DATE NOT NULL, mean DOUBLE, q05 DOUBLE, q25 DOUBLE, q50 DOUBLE, q75 DOUBLE,
  q95 DOUBLE, draws INTEGER NOT NULL, counts BOOLEAN,
  PRIMARY KEY (calibration_id, quantity)
);
-- stores written before forecasts recorded whether a quantity is a count (NULL there: the default, a count)
ALTER TABLE calibration_forecast ADD COLUMN IF NOT EXISTS counts BOOLEAN;
CREATE OR REPLACE VIEW calibration_posterior AS
  SELECT p.* FROM calibration_particles p
  JOIN (SELECT calibration_id, max(generation) AS generation FROM calibration_generations GROUP BY calibration_id) g
  USING (calibration_id, generation);
`;

export const DISTANCE_TEXT =
  'root mean square of (simulated − observed) / sd over the observations (sd: each observation’s stated uncertainty)';

export async function ensureCalibrationSchema(db: ExperimentDb): Promise<void> {
  await db.write((tx) => tx.run(CALIBRATION_SCHEMA));
}

export interface StoredGeneration {
  readonly generation: number;
  readonly epsilon: number;
  readonly proposed: number;
  readonly accepted: number;
  readonly population: Population;
  readonly proposals: readonly number[];
  readonly runKeys: readonly string[];
}

/** Record the calibration, or find it again; another definition or model version under the same id is refused. */
export async function registerCalibration(
  db: ExperimentDb,
  cal: Calibration,
  version: string,
): Promise<'new' | 'resumed'> {
  return db.write(async (tx) => {
    const rows = await tx.query<{ definition_hash: string; version: string }>(
      'SELECT definition_hash, version FROM calibrations WHERE calibration_id = $1',
      [cal.id],
    );
    if (rows.length) {
      if (rows[0].definition_hash !== cal.definitionHash)
        throw new UserError(
          `calibration ${cal.id} is already in ${db.path} with another definition (base, parameters, observations or method differ); give this one another name: (or use another --db)`,
        );
      if (rows[0].version !== version)
        throw new UserError(
          `calibration ${cal.id} in ${db.path} was started with model version ${rows[0].version}; this is ${version}, whose runs would differ; give this one another name: (or use another --db)`,
        );
      await tx.run(
        `UPDATE calibrations SET status = 'running', updated_at = now(), file = $2 WHERE calibration_id = $1`,
        [cal.id, cal.file],
      );
      return 'resumed';
    }
    await tx.run(
      `INSERT INTO calibrations VALUES ($1, $2, $3, $4, $5, $6::DATE, $7, $8, $9, $10, $11, $12, $13, $14, now(), now(), 'running', 0, 0, NULL, NULL)`,
      [
        cal.id,
        cal.description ?? null,
        cal.file,
        cal.source,
        cal.base.model,
        cal.start,
        cal.steps,
        cal.agents,
        cal.scale,
        cal.scalePopulation ?? null,
        JSON.stringify(cal.method),
        DISTANCE_TEXT,
        cal.definitionHash,
        version,
      ],
    );
    const id = (n: number) => new Array<string>(n).fill(cal.id);
    const ps = cal.parameters;
    await insertColumns(tx, 'calibration_parameters', [
      { name: 'calibration_id', type: VARCHAR, values: id(ps.length) },
      { name: 'parameter', type: VARCHAR, values: ps.map((p) => p.name) },
      { name: 'position', type: INTEGER, values: ps.map((_, i) => i) },
      { name: 'path', type: VARCHAR, values: ps.map((p) => p.path.text) },
      { name: 'points', type: VARCHAR, values: ps.map((p) => (p.points ? p.points.join(',') : null)) },
      { name: 'prior', type: VARCHAR, values: ps.map((p) => p.prior.kind) },
      { name: 'prior_a', type: DOUBLE, values: ps.map((p) => p.prior.args[0]) },
      { name: 'prior_b', type: DOUBLE, values: ps.map((p) => p.prior.args[1]) },
    ]);
    const os = cal.observations;
    await insertColumns(tx, 'calibration_observations', [
      { name: 'calibration_id', type: VARCHAR, values: id(os.length) },
      { name: 'observation', type: VARCHAR, values: os.map((o) => o.name) },
      { name: 'position', type: INTEGER, values: os.map((_, i) => i) },
      { name: 'metric', type: VARCHAR, values: os.map((o) => o.metric) },
      { name: 'key', type: VARCHAR, values: os.map((o) => o.key) },
      { name: 'stat', type: VARCHAR, values: os.map((o) => o.stat) },
      { name: 'per', type: VARCHAR, values: os.map((o) => o.per ?? null) },
      { name: 'counts', type: BOOLEAN, values: os.map((o) => o.counts) },
      { name: 'from_date', type: VARCHAR, values: os.map((o) => o.from) },
      { name: 'to_date', type: VARCHAR, values: os.map((o) => o.to) },
      { name: 'tick_from', type: INTEGER, values: os.map((o) => o.tickFrom) },
      { name: 'tick_to', type: INTEGER, values: os.map((o) => o.tickTo) },
      { name: 'value', type: DOUBLE, values: os.map((o) => o.value) },
      { name: 'sd', type: DOUBLE, values: os.map((o) => o.sd) },
      { name: 'sources', type: VARCHAR, values: os.map((o) => o.sources.join(',') || null) },
      { name: 'note', type: VARCHAR, values: os.map((o) => o.note ?? null) },
    ]);
    return 'new';
  });
}

/** The generations already complete, in order (the particles on the priors' internal scale). */
export async function loadGenerations(db: ExperimentDb, cal: Calibration): Promise<StoredGeneration[]> {
  const gens = await db.read((tx) =>
    tx.query<{ generation: number; epsilon: number | null; proposed: number; accepted: number }>(
      'SELECT generation, epsilon, proposed, accepted FROM calibration_generations WHERE calibration_id = $1 ORDER BY generation',
      [cal.id],
    ),
  );
  const rows = await db.read((tx) =>
    tx.query<{
      generation: number;
      particle: number;
      parameter: string;
      value: number;
      weight: number;
      distance: number;
      proposal: number;
      run_key: string;
    }>(
      'SELECT generation, particle, parameter, value, weight, distance, proposal, run_key FROM calibration_particles WHERE calibration_id = $1 ORDER BY generation, particle',
      [cal.id],
    ),
  );
  const index = new Map(cal.parameters.map((p, i) => [p.name, i]));
  return gens.map((g) => {
    const mine = rows.filter((r) => r.generation === g.generation);
    const n = g.accepted;
    const theta = Array.from({ length: n }, () => new Array<number>(cal.parameters.length).fill(NaN));
    const weights = new Array<number>(n).fill(0);
    const distances = new Array<number>(n).fill(NaN);
    const proposals = new Array<number>(n).fill(0);
    const runKeys = new Array<string>(n).fill('');
    for (const r of mine) {
      const j = index.get(r.parameter)!;
      theta[r.particle][j] = cal.parameters[j].prior.toInternal(r.value);
      weights[r.particle] = r.weight;
      distances[r.particle] = r.distance;
      proposals[r.particle] = r.proposal;
      runKeys[r.particle] = r.run_key;
    }
    return {
      generation: g.generation,
      epsilon: g.epsilon ?? Infinity,
      proposed: g.proposed,
      accepted: n,
      population: { theta, weights, distances },
      proposals,
      runKeys,
    };
  });
}

/** Write a finished generation and its particles in one transaction. */
export async function storeGeneration(
  db: ExperimentDb,
  cal: Calibration,
  g: StoredGeneration & { wallSeconds: number; ess: number },
): Promise<void> {
  await db.write(async (tx) => {
    await tx.run(`INSERT INTO calibration_generations VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())`, [
      cal.id,
      g.generation,
      Number.isFinite(g.epsilon) ? g.epsilon : null,
      g.proposed,
      g.accepted,
      g.accepted / g.proposed,
      g.ess,
      g.wallSeconds,
    ]);
    const rows = g.population.theta.flatMap((t, i) =>
      cal.parameters.map((p, j) => ({ i, name: p.name, value: p.prior.toValue(t[j]) })),
    );
    await insertColumns(tx, 'calibration_particles', [
      { name: 'calibration_id', type: VARCHAR, values: rows.map(() => cal.id) },
      { name: 'generation', type: INTEGER, values: rows.map(() => g.generation) },
      { name: 'particle', type: INTEGER, values: rows.map((r) => r.i) },
      { name: 'parameter', type: VARCHAR, values: rows.map((r) => r.name) },
      { name: 'value', type: DOUBLE, values: rows.map((r) => r.value) },
      { name: 'weight', type: DOUBLE, values: rows.map((r) => g.population.weights[r.i]) },
      { name: 'distance', type: DOUBLE, values: rows.map((r) => g.population.distances[r.i]) },
      { name: 'proposal', type: BIGINT, values: rows.map((r) => BigInt(g.proposals[r.i])) },
      { name: 'run_key', type: VARCHAR, values: rows.map((r) => g.runKeys[r.i]) },
    ]);
    await tx.run(
      'UPDATE calibrations SET generations = $2, runs = runs + $3, updated_at = now() WHERE calibration_id = $1',
      [cal.id, g.generation + 1, g.proposed],
    );
  });
}

export interface Summary {
  readonly mean: number;
  readonly q05: number;
  readonly q25: number;
  readonly q50: number;
  readonly q75: number;
  readonly q95: number;
}

export interface PredictiveResult {
  readonly draws: readonly { draw: number; particle: number; seed: number; key: string }[];
  readonly fit: readonly (Summary & { observed: number; sd: number })[];
  readonly forecast: readonly Summary[];
  /** Completed draws (failed runs are left out of the intervals). */
  readonly n: number;
}

/** Write the posterior predictive, the fit and the forecast, and mark the calibration complete, in one transaction. */
export async function storeCompletion(
  db: ExperimentDb,
  cal: Calibration,
  r: PredictiveResult,
  status: 'complete' | 'incomplete',
  stopReason: string,
  note: string | null,
): Promise<void> {
  const q = (k: keyof Summary) => (s: Summary) => (Number.isFinite(s[k]) ? s[k] : null);
  await db.write(async (tx) => {
    for (const t of ['calibration_predictive', 'calibration_fit', 'calibration_forecast'])
      await tx.run(`DELETE FROM ${t} WHERE calibration_id = $1`, [cal.id]);
    const id = (n: number) => new Array<string>(n).fill(cal.id);
    await insertColumns(tx, 'calibration_predictive', [
      { name: 'calibration_id', type: VARCHAR, values: id(r.draws.length) },
      { name: 'draw', type: INTEGER, values: r.draws.map((d) => d.draw) },
      { name: 'particle', type: INTEGER, values: r.draws.map((d) => d.particle) },
      { name: 'seed', type: BIGINT, values: r.draws.map((d) => BigInt(d.seed)) },
      { name: 'run_key', type: VARCHAR, values: r.draws.map((d) => d.key) },
    ]);
    const os = cal.observations;
    const summaryColumns = (rows: readonly Summary[]) =>
      (['mean', 'q05', 'q25', 'q50', 'q75', 'q95'] as const).map((k) => ({
        name: k,
        type: DOUBLE,
        values: rows.map(q(k)),
      }));
    await insertColumns(tx, 'calibration_fit', [
      { name: 'calibration_id', type: VARCHAR, values: id(os.length) },
      { name: 'observation', type: VARCHAR, values: os.map((o) => o.name) },
      { name: 'position', type: INTEGER, values: os.map((_, i) => i) },
      { name: 'from_date', type: VARCHAR, values: os.map((o) => o.from) },
      { name: 'to_date', type: VARCHAR, values: os.map((o) => o.to) },
      { name: 'observed', type: DOUBLE, values: os.map((o) => o.value) },
      { name: 'sd', type: DOUBLE, values: os.map((o) => o.sd) },
      ...summaryColumns(r.fit),
      { name: 'in50', type: BOOLEAN, values: r.fit.map((f) => f.observed >= f.q25 && f.observed <= f.q75) },
      { name: 'in90', type: BOOLEAN, values: r.fit.map((f) => f.observed >= f.q05 && f.observed <= f.q95) },
      { name: 'draws', type: INTEGER, values: os.map(() => r.n) },
    ]);
    const fq: readonly Quantity[] = cal.forecast.quantities;
    await insertColumns(tx, 'calibration_forecast', [
      { name: 'calibration_id', type: VARCHAR, values: id(fq.length) },
      { name: 'quantity', type: VARCHAR, values: fq.map((x) => x.name) },
      { name: 'position', type: INTEGER, values: fq.map((_, i) => i) },
      { name: 'metric', type: VARCHAR, values: fq.map((x) => x.metric) },
      { name: 'stat', type: VARCHAR, values: fq.map((x) => x.stat) },
      { name: 'per', type: VARCHAR, values: fq.map((x) => x.per ?? null) },
      { name: 'from_date', type: VARCHAR, values: fq.map((x) => x.from) },
      { name: 'to_date', type: VARCHAR, values: fq.map((x) => x.to) },
      ...summaryColumns(r.forecast),
      { name: 'draws', type: INTEGER, values: fq.map(() => r.n) },
      { name: 'counts', type: BOOLEAN, values: fq.map((x) => x.counts) },
    ]);
    await tx.run(
      'UPDATE calibrations SET status = $2, stop_reason = $3, note = $4, updated_at = now() WHERE calibration_id = $1',
      [cal.id, status, stopReason, note],
    );
  });
}

export async function markCalibration(
  db: ExperimentDb,
  id: string,
  status: 'interrupted' | 'failed',
  note: string,
): Promise<void> {
  await db.write((tx) =>
    tx.run('UPDATE calibrations SET status = $2, note = $3, updated_at = now() WHERE calibration_id = $1', [
      id,
      status,
      note,
    ]),
  );
}
