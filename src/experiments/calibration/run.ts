/**
 * Running a calibration: ABC-SMC generations (abc-smc.ts) whose simulations go through the
 * experiment runner's backends — the local run pool, or workers over a Redis queue — and
 * are stored as they finish (experiments/store.ts); then the posterior-predictive runs, the
 * fit and the forecast.
 *
 * Deterministic and resumable: proposal k of generation t is drawn from a stream keyed by
 * (seed, t, k), and its run's seed likewise, so the runs of a generation are the same
 * whatever the batch sizes, the number of workers or the interruptions. A generation keeps
 * the first N proposals (by index) within its tolerance, so its particles do not depend on
 * which runs happened to finish first. Killed at any moment, running the same file again
 * reloads the generations already stored, re-proposes the current one and finds its runs in
 * the store (their keys), so only the runs that had not finished are run again.
 */
import { VARCHAR, LIST, listValue } from '@duckdb/node-api';
import { CounterRng, streamId } from '../../engine/rng.js';
import type { ModelRegistry } from '../../models/registry.js';
import type { Backend, BatchContext } from '../coordinator.js';
import { WriteBehind } from '../coordinator.js';
import type { ExperimentDb } from '../db.js';
import { modelVersion, runKey, type RunSpec } from '../plan.js';
import { ensureExperimentSchema, storedRuns, type RunsOwner } from '../store.js';
import {
  distance,
  drawIndex,
  effectiveSampleSize,
  logImportanceWeight,
  makeKernel,
  normaliseLogWeights,
  propose,
  quantile,
  sampleFromPrior,
  weightedQuantile,
  type Kernel,
  type Population,
} from './abc-smc.js';
import { scenarioAt, type Calibration, type Quantity } from './load.js';
import {
  ensureCalibrationSchema,
  loadGenerations,
  markCalibration,
  registerCalibration,
  storeCompletion,
  storeGeneration,
  type PredictiveResult,
  type StoredGeneration,
  type Summary,
} from './store.js';

export interface CalibrationProgress {
  readonly phase: 'abc' | 'predictive';
  /** Generation being filled (0 = the prior) and the last one planned. */
  readonly generation: number;
  readonly generations: number;
  readonly epsilon: number;
  readonly accepted: number;
  readonly particles: number;
  /** Proposals of this generation whose runs are done (run now or found stored). */
  readonly examined: number;
  /** Runs done by this invocation, and their mean wall time per run (s, per concurrent slot). */
  readonly ran: number;
  readonly secondsPerRun: number;
  readonly failed: number;
  readonly predictiveDone: number;
  readonly predictiveTotal: number;
}

export interface GenerationSummary {
  readonly generation: number;
  readonly epsilon: number;
  readonly proposed: number;
  readonly accepted: number;
  readonly ess: number;
}

export interface ParameterSummary extends Summary {
  readonly name: string;
}

export interface CalibrationReport {
  readonly id: string;
  readonly status: 'complete' | 'incomplete' | 'interrupted';
  readonly resumed: boolean;
  readonly stopReason: string;
  readonly generations: readonly GenerationSummary[];
  readonly posterior: readonly ParameterSummary[];
  readonly predictive?: PredictiveResult;
  readonly ran: number;
  readonly failed: number;
  readonly wallSeconds: number;
  readonly backend: string;
}

export interface CalibrateOptions {
  readonly cal: Calibration;
  readonly registry: ModelRegistry;
  readonly db: ExperimentDb;
  readonly backend: Backend;
  readonly onProgress?: (p: CalibrationProgress) => void;
  readonly stopRequested?: () => string | null;
  readonly flushMs?: number;
}

/** A proposal: its parameters on the internal scale and the run that simulates it. */
interface Proposal {
  readonly index: number;
  readonly theta: readonly number[];
  readonly run: RunSpec;
}

class Interrupted extends Error {}

export async function calibrate(o: CalibrateOptions): Promise<CalibrationReport> {
  const t0 = performance.now();
  const { cal, db, backend, registry } = o;
  const version = modelVersion();
  await ensureExperimentSchema(db);
  await ensureCalibrationSchema(db);
  const resumed = (await registerCalibration(db, cal, version)) === 'resumed';
  const priors = cal.parameters.map((p) => p.prior);
  const N = cal.method.particles;
  const G = cal.method.generations;
  const proposalRng = new CounterRng(cal.method.seed, streamId('calibration-proposal'));
  const seedRng = new CounterRng(cal.method.seed, streamId('calibration-seed'));
  const model = cal.base.model;

  let ran = 0;
  let failed = 0;
  let busySeconds = 0;
  let stopReason: string | null = null;
  const stopPoll = setInterval(() => {
    if (stopReason) return;
    stopReason = o.stopRequested?.() ?? null;
    if (stopReason) backend.stop();
  }, 100);

  /** Run what is not stored yet; return every run's outputs (null: the run failed). */
  const execute = async (
    runs: readonly RunSpec[],
    owner: RunsOwner,
    onDone: (values: Float64Array | null) => void,
  ): Promise<Map<string, Float64Array | null>> => {
    const out = await storedValues(
      db,
      owner,
      runs.map((r) => r.key),
    );
    const stored = await storedRuns(db, owner.id);
    const pending = runs.filter((r) => stored.get(r.key) !== 'complete' || !out.has(r.key));
    const writer = new WriteBehind(db, owner, o.flushMs ?? 200);
    const ctx: BatchContext = { experimentId: owner.id, version, outputs: owner.outputs, series: owner.series };
    await backend.execute(pending, ctx, (f) => {
      ran++;
      busySeconds += f.outcome.wallSeconds;
      if (!f.outcome.ok) failed++;
      const values = f.outcome.ok ? f.outcome.values : null;
      out.set(f.run.key, values);
      writer.push(f);
      onDone(values);
    });
    await writer.drain();
    if (stopReason) throw new Interrupted(stopReason);
    return out;
  };

  const abcOwner: RunsOwner = { id: cal.id, outputs: cal.outputs, series: [] };
  const outIndex = new Map(cal.forecast.outputs.map((d, i) => [d.name, i]));
  const abcIndex = new Map(cal.outputs.map((d, i) => [d.name, i]));
  const summaries = (values: Float64Array, qs: readonly Quantity[], index: Map<string, number>): number[] =>
    qs.map((q) => summaryOf(cal, q, values, index));
  const obs = cal.observations.map((x) => x.value);
  const sds = cal.observations.map((x) => x.sd);

  const valid = (theta: readonly number[]) =>
    typeof scenarioAt(
      cal,
      registry,
      theta.map((x, i) => priors[i].toValue(x)),
    ) !== 'string';
  const proposalAt = (t: number, k: number, prev: Population | null, kernel: Kernel | null): Proposal => {
    proposalRng.key(k, t);
    let theta: number[];
    if (!prev) {
      let tries = 0;
      do theta = sampleFromPrior(priors, proposalRng);
      while (!valid(theta) && ++tries < 10_000);
    } else theta = propose(prev, kernel!, priors, proposalRng, valid);
    const sc = scenarioAt(
      cal,
      registry,
      theta.map((x, i) => priors[i].toValue(x)),
    );
    if (typeof sc === 'string')
      throw new Error(`calibration: the prior keeps proposing values the model refuses: ${sc}`);
    const seed = seedRng.key(k, t).u32();
    const key = runKey(model, sc.params, seed, cal.steps, version, sc.schedule);
    return {
      index: k,
      theta,
      run: { key, model, params: sc.params, ...(sc.schedule ? { schedule: sc.schedule } : {}), seed, steps: cal.steps },
    };
  };

  const generations = await loadGenerations(db, cal);
  let finalStop = 'generations';
  let status: CalibrationReport['status'] = 'complete';
  let predictive: PredictiveResult | undefined;
  try {
    for (let t = generations.length; t <= G; t++) {
      const prev = generations[t - 1];
      let epsilon = Infinity;
      if (prev) {
        if (prev.epsilon <= cal.method.minEpsilon) {
          finalStop = `minEpsilon: ε ${fmt(prev.epsilon)} ≤ ${cal.method.minEpsilon}`;
          break;
        }
        const tol = cal.method.tolerance;
        epsilon = Array.isArray(tol)
          ? tol[t - 1]
          : weightedQuantile(prev.population.distances, prev.population.weights, tol.quantile);
      }
      const kernel = prev ? makeKernel(prev.population, priors, cal.method.kernel, epsilon) : null;
      const accepted: { p: Proposal; d: number }[] = [];
      const tGen = performance.now();
      const maxProposals = Math.ceil(N / cal.method.minAcceptance);
      let examined = 0;
      // Runs of the current batch within ε so far, whatever their order (for the progress bar).
      let within = 0;
      const report = () =>
        o.onProgress?.({
          phase: 'abc',
          generation: t,
          generations: G,
          epsilon,
          accepted: Math.min(N, accepted.length + within),
          particles: N,
          examined,
          ran,
          secondsPerRun: ran ? busySeconds / ran : NaN,
          failed,
          predictiveDone: 0,
          predictiveTotal: cal.forecast.draws,
        });
      report();
      let k = 0;
      let lastAccepted = -1;
      while (accepted.length < N && k < maxProposals) {
        const rate = prev ? Math.max(cal.method.minAcceptance, prev.accepted / prev.proposed) : 1;
        const want = t === 0 ? N : Math.ceil(((N - accepted.length) / rate) * 1.2);
        const size = Math.min(maxProposals - k, Math.max(want, 8));
        const batch = Array.from({ length: size }, (_, i) => proposalAt(t, k + i, prev?.population ?? null, kernel));
        within = 0;
        const values = await execute(
          batch.map((b) => b.run),
          abcOwner,
          (v) => {
            examined++;
            if (v && distance(summaries(v, cal.observations, abcIndex), obs, sds) <= epsilon) within++;
            report();
          },
        );
        within = 0;
        for (const b of batch) {
          if (accepted.length >= N) break;
          const v = values.get(b.run.key);
          const d = v ? distance(summaries(v, cal.observations, abcIndex), obs, sds) : Infinity;
          if (d <= epsilon) {
            accepted.push({ p: b, d });
            lastAccepted = b.index;
          }
        }
        k += size;
        examined = k;
        report();
      }
      if (accepted.length < N) {
        finalStop = `minAcceptance: generation ${t} accepted ${accepted.length} of ${k} proposals (< ${cal.method.minAcceptance})`;
        break;
      }
      const theta = accepted.map((a) => a.p.theta);
      const weights = prev
        ? normaliseLogWeights(theta.map((x) => logImportanceWeight(x, prev.population, kernel!, priors)))
        : theta.map(() => 1 / N);
      const g: StoredGeneration = {
        generation: t,
        epsilon,
        proposed: lastAccepted + 1,
        accepted: N,
        population: { theta, weights, distances: accepted.map((a) => a.d) },
        proposals: accepted.map((a) => a.p.index),
        runKeys: accepted.map((a) => a.p.run.key),
      };
      await storeGeneration(db, cal, {
        ...g,
        ess: effectiveSampleSize(weights),
        wallSeconds: (performance.now() - tGen) / 1000,
      });
      generations.push(g);
    }
    if (generations.length === G + 1 && finalStop === 'generations') finalStop = `generations: ${G} after the prior's`;

    // Posterior predictive: particles drawn by weight from the last generation, fresh seeds.
    const last = generations[generations.length - 1];
    if (!last) throw new Error('calibration: not even the prior generation could be filled');
    const drawRng = new CounterRng(cal.method.seed, streamId('calibration-predictive'));
    const D = cal.forecast.draws;
    const draws = Array.from({ length: D }, (_, d) => {
      drawRng.key(d, 0);
      const particle = drawIndex(last.population.weights, drawRng.uniform());
      const seed = drawRng.u32();
      const values = last.population.theta[particle].map((x, i) => priors[i].toValue(x));
      const sc = scenarioAt(cal, registry, values);
      if (typeof sc === 'string') throw new Error(`calibration: a posterior particle is refused by the model: ${sc}`);
      const steps = cal.forecast.steps;
      const key = runKey(model, sc.params, seed, steps, version, sc.schedule);
      const run: RunSpec = {
        key,
        model,
        params: sc.params,
        ...(sc.schedule ? { schedule: sc.schedule } : {}),
        seed,
        steps,
      };
      return { draw: d, particle, seed, key, run };
    });
    const ppOwner: RunsOwner = { id: cal.id, outputs: cal.forecast.outputs, series: cal.forecast.series };
    let done = 0;
    const progress = () =>
      o.onProgress?.({
        phase: 'predictive',
        generation: last.generation,
        generations: G,
        epsilon: last.epsilon,
        accepted: N,
        particles: N,
        examined: 0,
        ran,
        secondsPerRun: ran ? busySeconds / ran : NaN,
        failed,
        predictiveDone: done,
        predictiveTotal: D,
      });
    progress();
    const values = await execute(
      draws.map((d) => d.run),
      ppOwner,
      () => {
        done++;
        progress();
      },
    );
    const ok = draws.map((d) => values.get(d.key)).filter((v): v is Float64Array => !!v);
    const column = (qs: readonly Quantity[]) => qs.map((q) => summarise(ok.map((v) => summaryOf(cal, q, v, outIndex))));
    predictive = {
      draws: draws.map(({ run: _r, ...d }) => d),
      fit: column(cal.observations).map((s, i) => ({ ...s, observed: obs[i], sd: sds[i] })),
      forecast: column(cal.forecast.quantities),
      n: ok.length,
    };
    if (ok.length < D) status = 'incomplete';
    await storeCompletion(
      db,
      cal,
      predictive,
      status,
      finalStop,
      ok.length < D ? `${D - ok.length} of ${D} predictive runs failed; intervals use the rest` : null,
    );
  } catch (e) {
    if (!(e instanceof Interrupted)) {
      await markCalibration(db, cal.id, 'failed', (e as Error).message.slice(0, 500)).catch(() => undefined);
      throw e;
    }
    status = 'interrupted';
    finalStop = `interrupted by ${e.message}`;
    await markCalibration(db, cal.id, 'interrupted', finalStop);
  } finally {
    clearInterval(stopPoll);
  }
  const last = generations[generations.length - 1];
  return {
    id: cal.id,
    status,
    resumed,
    stopReason: finalStop,
    generations: generations.map((g) => ({
      generation: g.generation,
      epsilon: g.epsilon,
      proposed: g.proposed,
      accepted: g.accepted,
      ess: effectiveSampleSize(g.population.weights),
    })),
    posterior: last ? posteriorSummary(cal, last.population) : [],
    ...(predictive ? { predictive } : {}),
    ran,
    failed,
    wallSeconds: (performance.now() - t0) / 1000,
    backend: backend.description,
  };
}

/** A quantity of one run, at the scale of the observations (counts multiplied back). */
export function summaryOf(cal: Calibration, q: Quantity, values: Float64Array, index: Map<string, number>): number {
  const v = values[index.get(q.outputs[0].name)!];
  if (q.per) return v / values[index.get(q.outputs[1].name)!];
  return q.counts ? v * cal.scale : v;
}

export function summarise(xs: readonly number[]): Summary {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return {
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    q05: quantile(s, 0.05),
    q25: quantile(s, 0.25),
    q50: quantile(s, 0.5),
    q75: quantile(s, 0.75),
    q95: quantile(s, 0.95),
  };
}

/** Weighted posterior quantiles of each parameter (on the value scale). */
export function posteriorSummary(cal: Calibration, pop: Population): ParameterSummary[] {
  return cal.parameters.map((p, j) => {
    const xs = pop.theta.map((t) => p.prior.toValue(t[j]));
    const q = (x: number) => weightedQuantile(xs, pop.weights, x);
    return {
      name: p.name,
      mean: xs.reduce((s, x, i) => s + x * pop.weights[i], 0),
      q05: q(0.05),
      q25: q(0.25),
      q50: q(0.5),
      q75: q(0.75),
      q95: q(0.95),
    };
  });
}

/** Outputs of runs already stored for `owner`, in its output order. */
async function storedValues(
  db: ExperimentDb,
  owner: RunsOwner,
  keys: readonly string[],
): Promise<Map<string, Float64Array | null>> {
  const index = new Map(owner.outputs.map((d, i) => [d.name, i]));
  const rows = await db.read(async (tx) => {
    const reader = await tx.connection.runAndReadAll(
      `SELECT v.run_key, v.output, v.value FROM experiment_values v JOIN experiment_runs r USING (experiment_id, run_key)
       WHERE v.experiment_id = $1 AND r.status = 'complete' AND list_contains($2, v.run_key)`,
      [owner.id, listValue([...keys])],
      [VARCHAR, LIST(VARCHAR)],
    );
    return reader.getRowObjectsJS() as { run_key: string; output: string; value: number | null }[];
  });
  const out = new Map<string, Float64Array | null>();
  const seen = new Map<string, number>();
  for (const r of rows) {
    const i = index.get(r.output);
    if (i === undefined) continue;
    let v = out.get(r.run_key);
    if (!v) out.set(r.run_key, (v = new Float64Array(owner.outputs.length).fill(NaN)));
    v[i] = r.value ?? NaN;
    seen.set(r.run_key, (seen.get(r.run_key) ?? 0) + 1);
  }
  // a run stored with other outputs (another phase) is not one of these
  for (const [k, n] of seen) if (n < owner.outputs.length) out.delete(k);
  return out;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(3) : '∞';
}
