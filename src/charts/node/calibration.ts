/**
 * A calibration read from the store (`panopticon calibrate`'s tables) into the chart module's
 * plain data. The fans are computed in DuckDB from the predictive runs' daily series: the
 * quantiles across runs of each measure's value, or of its running total, once a week.
 */
import { weightedQuantile } from '../../experiments/calibration/abc-smc.js';
import type { ResultsStore } from '../../store/store.js';
import { num, storeHolds } from './experiment.js';
import type { CalibrationData, CalibrationFan, Quantiles } from '../plans/calibration.js';

/** Whether the store holds a calibration with this id. */
export async function isCalibration(store: ResultsStore, id: string): Promise<boolean> {
  return storeHolds(store, 'calibrations', 'calibration_id', id);
}

/** Days between fan points (a week keeps a 12-year fan to some 600 points per band), plus each observation's day. */
const FAN_STEP = 7;
const Q = ['q05', 'q25', 'q50', 'q75', 'q95'] as const;
const PROBS = [0.05, 0.25, 0.5, 0.75, 0.95];

function quantilesOf(r: Record<string, unknown>): Quantiles {
  return {
    q05: num(r.q05 as number),
    q25: num(r.q25 as number),
    q50: num(r.q50 as number),
    q75: num(r.q75 as number),
    q95: num(r.q95 as number),
  };
}

interface CalibrationRow {
  calibration_id: string;
  description: string | null;
  file: string;
  base: string;
  model: string;
  start_date: string;
  steps: number;
  agents: number;
  scale: number;
  scale_population: number | null;
  method: string;
  distance: string;
  version: string;
  status: string;
  stop_reason: string | null;
  runs: number;
  created_at: string;
  updated_at: string;
}

export async function loadCalibration(store: ResultsStore, id: string): Promise<CalibrationData> {
  return store.read(async (tx) => {
    const c = (
      await tx.query<CalibrationRow>(
        `SELECT calibration_id, description, file, base, model, strftime(start_date, '%Y-%m-%d') AS start_date, steps,
                agents, scale, scale_population, method, distance, version, status, stop_reason, runs,
                strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS created_at,
                strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS updated_at
         FROM calibrations WHERE calibration_id = $1`,
        [id],
      )
    )[0];
    const generations = await tx.query<{
      generation: number;
      epsilon: number | null;
      proposed: number;
      accepted: number;
      acceptance_rate: number;
      ess: number;
      wall_seconds: number | null;
    }>(
      'SELECT generation, epsilon, proposed, accepted, acceptance_rate, ess, wall_seconds FROM calibration_generations WHERE calibration_id = $1 ORDER BY generation',
      [id],
    );
    const params = await tx.query<{ parameter: string; path: string; prior: string; prior_a: number; prior_b: number }>(
      'SELECT parameter, path, prior, prior_a, prior_b FROM calibration_parameters WHERE calibration_id = $1 ORDER BY position',
      [id],
    );
    const particles = await tx.query<{ parameter: string; value: number; weight: number }>(
      'SELECT parameter, value, weight FROM calibration_posterior WHERE calibration_id = $1 ORDER BY particle',
      [id],
    );
    const observations = await tx.query<{
      observation: string;
      metric: string;
      stat: string;
      per: string | null;
      counts: boolean;
      sources: string | null;
    }>(
      'SELECT observation, metric, stat, per, counts, sources FROM calibration_observations WHERE calibration_id = $1',
      [id],
    );
    const fit = await tx.query<Record<string, unknown>>(
      `SELECT observation, strftime(from_date, '%Y-%m-%d') AS from_date, strftime(to_date, '%Y-%m-%d') AS to_date,
              observed, sd, q05, q25, q50, q75, q95, in50, in90
       FROM calibration_fit WHERE calibration_id = $1 ORDER BY position`,
      [id],
    );
    // Stores written before forecasts recorded whether a quantity is a count lack the column
    // (a read-only open does not add it) or hold NULL: the default, a count.
    const hasCounts =
      (
        await tx.query<{ n: number }>(
          "SELECT count(*)::INTEGER AS n FROM information_schema.columns WHERE table_name = 'calibration_forecast' AND column_name = 'counts'",
        )
      )[0].n > 0;
    const forecast = await tx.query<Record<string, unknown>>(
      `SELECT quantity, metric, stat, per, strftime(from_date, '%Y-%m-%d') AS from_date, strftime(to_date, '%Y-%m-%d') AS to_date,
              q05, q25, q50, q75, q95, ${hasCounts ? 'coalesce(counts, true)' : 'true'} AS is_count
       FROM calibration_forecast WHERE calibration_id = $1 ORDER BY position`,
      [id],
    );
    const draws = (
      await tx.query<{ n: number }>(
        'SELECT count(*)::INTEGER AS n FROM calibration_predictive WHERE calibration_id = $1',
        [id],
      )
    )[0].n;
    const seriesMetrics = (
      await tx.query<{ metric: string }>(
        `SELECT DISTINCT e.metric FROM experiment_series e
         JOIN calibration_predictive p ON p.calibration_id = e.experiment_id AND p.run_key = e.run_key
         WHERE e.experiment_id = $1 AND e.key = '' ORDER BY e.metric`,
        [id],
      )
    ).map((r) => r.metric);

    const obsOf = new Map(observations.map((o) => [o.observation, o]));
    // How the file summarises each measure (ratios aside): its fan shows the running total or
    // the day's value, multiplied back to national counts unless the file says it is not a count.
    const quantities = [
      ...observations,
      ...forecast.map((f) => ({
        metric: f.metric as string,
        stat: f.stat as string,
        per: f.per as string | null,
        counts: f.is_count as boolean,
      })),
    ].filter((q) => !q.per);
    const fans: CalibrationFan[] = [];
    const unsummarised: string[] = [];
    for (const metric of seriesMetrics) {
      const mine = quantities.filter((q) => q.metric === metric);
      const scale = mine.some((q) => !q.counts) ? 1 : c.scale;
      const kinds = (['cumulative', 'value'] as const).filter((k) => mine.some((q) => q.stat === k));
      if (!kinds.length) unsummarised.push(metric);
      for (const kind of kinds) {
        const col = kind === 'cumulative' ? 'cum' : 'value';
        const rows = await tx.query<Record<string, unknown>>(
          `WITH s AS (
             SELECT e.run_key, e.tick, e.value,
                    sum(CASE WHEN e.tick > 0 THEN e.value ELSE 0 END)
                      OVER (PARTITION BY e.run_key ORDER BY e.tick ROWS UNBOUNDED PRECEDING) AS cum
             FROM experiment_series e
             JOIN calibration_predictive p ON p.calibration_id = e.experiment_id AND p.run_key = e.run_key
             WHERE e.experiment_id = $1 AND e.metric = $2 AND e.key = ''
           )
           SELECT tick, ${PROBS.map((p, i) => `quantile_cont(${col} * $3, ${p}) AS ${Q[i]}`).join(', ')}
           FROM s WHERE tick % ${FAN_STEP} = 0 OR tick = (SELECT max(tick) FROM s)
             OR tick IN (SELECT tick_to FROM calibration_observations WHERE calibration_id = $1)
           GROUP BY tick ORDER BY tick`,
          [id, metric, scale],
        );
        fans.push({ metric, kind, scale, points: rows.map((r) => ({ x: Number(r.tick), ...quantilesOf(r) })) });
      }
    }
    const observationCount = observations.length;

    return {
      id,
      description: c.description,
      file: c.file,
      base: c.base,
      model: c.model,
      start: c.start_date,
      steps: Number(c.steps),
      agents: Number(c.agents),
      scale: c.scale,
      scalePopulation: c.scale_population,
      method: JSON.parse(c.method) as Record<string, unknown>,
      distance: c.distance,
      version: c.version,
      status: c.status,
      stopReason: c.stop_reason,
      runs: Number(c.runs),
      createdAt: c.created_at,
      updatedAt: c.updated_at,
      generations: generations.map((g) => ({
        generation: g.generation,
        epsilon: num(g.epsilon),
        proposed: Number(g.proposed),
        accepted: g.accepted,
        acceptance: g.acceptance_rate,
        ess: g.ess,
        wallSeconds: num(g.wall_seconds),
      })),
      parameters: params.map((p) => {
        const mine = particles.filter((x) => x.parameter === p.parameter);
        const values = mine.map((x) => x.value);
        const total = mine.reduce((s, x) => s + x.weight, 0);
        const weights = mine.map((x) => x.weight / total);
        const q = (x: number) => (values.length ? weightedQuantile(values, weights, x) : null);
        return {
          name: p.parameter,
          path: p.path,
          prior: `${p.prior}(${p.prior_a}, ${p.prior_b})`,
          q05: q(0.05),
          q25: q(0.25),
          q50: q(0.5),
          q75: q(0.75),
          q95: q(0.95),
        };
      }),
      fit: fit.map((f) => {
        const o = obsOf.get(f.observation as string);
        return {
          name: f.observation as string,
          metric: o?.metric ?? '',
          stat: o?.stat ?? '',
          per: o?.per ?? null,
          from: f.from_date as string,
          to: f.to_date as string,
          observed: f.observed as number,
          sd: f.sd as number,
          in50: (f.in50 as boolean | null) ?? null,
          in90: (f.in90 as boolean | null) ?? null,
          sources: o?.sources ?? null,
          ...quantilesOf(f),
        };
      }),
      forecast: forecast.map((f) => ({
        name: f.quantity as string,
        metric: f.metric as string,
        stat: f.stat as string,
        per: (f.per as string | null) ?? null,
        from: f.from_date as string,
        to: f.to_date as string,
        ...quantilesOf(f),
      })),
      fans,
      unsummarised,
      observationCount,
      draws,
    };
  });
}
