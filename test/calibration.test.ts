/**
 * Calibration (ABC-SMC): parameter recovery with a coverage check over several seeds, the
 * method's determinism across interruptions, and the refusal of bad files before any run.
 * The counting model (helpers/counting-model.ts) makes a run cost milliseconds and has a
 * posterior known in closed form, so the whole method — proposals, store, generations,
 * predictive — is exercised many times and checked against the exact answer.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jstatModule from 'jstat';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { LocalExecutor, runSimulation } from '../src/engine/simulation.js';
import { LocalBackend } from '../src/experiments/coordinator.js';
import { openExperimentDb } from '../src/experiments/db.js';
import { resolveCalibration, type Calibration } from '../src/experiments/calibration/load.js';
import { calibrate, type CalibrationProgress, type CalibrationReport } from '../src/experiments/calibration/run.js';
import { logImportanceWeight, makeKernel, type Population } from '../src/experiments/calibration/abc-smc.js';
import { makePrior } from '../src/experiments/calibration/priors.js';
import { RunPool } from '../src/experiments/pool.js';
import { models } from '../src/models/registry.js';
import { UserError } from '../src/scenario/errors.js';
import { tickOf } from '../src/scenario/dates.js';
import { ResultsStore } from '../src/store/store.js';
import { loadCalibration } from '../src/charts/node/calibration.js';
import { inProcessCli } from './helpers/cli-inprocess.js';
import { InProcessBackend } from './helpers/in-process-backend.js';
import { countingModel, countingParams, countingRegistry } from './helpers/counting-model.js';

const { jStat } = jstatModule as unknown as {
  jStat: {
    binomial: { cdf(k: number, n: number, p: number): number };
    beta: { inv(p: number, a: number, b: number): number };
  };
};

const dir = mkdtempSync(join(tmpdir(), 'pano-calibration-'));
const presets = join(dir, 'presets');
mkdirSync(presets);
writeFileSync(
  join(presets, 'counting-base.yaml'),
  `name: counting-base
description: counting events from 1 Jan 2020
model: counting
seed: 1
start: 2020-01-01
steps: 20
params: { agents: 1000, rateA: 0.005, rateB: 0.002 }
sources: { agents: assumption, rateA: assumption, rateB: assumption }
`,
);
const pools: RunPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});
function poolBackend(): LocalBackend {
  const pool = new RunPool(2, {
    registryModule: new URL('./helpers/counting-model.ts', import.meta.url).href,
    registryExport: 'countingRegistry',
  });
  pools.push(pool);
  return new LocalBackend(pool);
}

const AGENTS = 1000;
const DAYS = 20;
const TRUE = { rateA: 0.005, rateB: 0.002 };
let files = 0;

/** Cumulative counts of a (day 10, day 20) and b (day 20) in one run at the true rates. */
async function synthetic(seed: number): Promise<number[]> {
  const params = countingParams.parse({ agents: AGENTS, ...TRUE });
  const a: number[] = [];
  const b: number[] = [];
  await runSimulation(countingModel, params, {
    seed,
    steps: DAYS,
    executor: new LocalExecutor(),
    onTick: (t, v) => {
      if (t === 0) return;
      a.push((a.at(-1) ?? 0) + v[0]);
      b.push((b.at(-1) ?? 0) + v[1]);
    },
  });
  return [a[9], a[19], b[19]];
}

/** Each observation's uncertainty: the binomial noise of its count at the truth (a distance of 1 is "as close as chance allows"). */
const sdOf = (days: number, rate: number) => Math.sqrt(AGENTS * days * rate * (1 - rate));
const PRIORS = { rateA: [0.001, 0.02], rateB: [0.0004, 0.008] } as const;

function calibrationDoc(obs: number[], seed: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `counting-${seed}-${files}`,
    base: { preset: 'counting-base' },
    parameters: [
      { path: 'rateA', prior: { loguniform: PRIORS.rateA } },
      { path: 'rateB', prior: { loguniform: PRIORS.rateB } },
    ],
    observations: [
      { metric: 'a', stat: 'cumulative', date: '2020-01-11', value: obs[0], sd: sdOf(10, TRUE.rateA) },
      { metric: 'a', stat: 'cumulative', date: '2020-01-21', value: obs[1], sd: sdOf(20, TRUE.rateA) },
      { metric: 'b', stat: 'cumulative', date: '2020-01-21', value: obs[2], sd: sdOf(20, TRUE.rateB) },
    ],
    method: { particles: 40, generations: 2, tolerance: [5, 2.5], seed },
    forecast: {
      draws: 10,
      quantities: [{ name: 'a_2020_02', metric: 'a', stat: 'total', from: '2020-02-01', to: '2020-02-10' }],
    },
    ...extra,
  };
}

function load(doc: Record<string, unknown>): Calibration {
  return resolveCalibration(doc, join(dir, `c${files++}.yaml`), { registry: countingRegistry, presetsDir: presets });
}

async function run(
  cal: Calibration,
  db: string,
  o: { pool?: boolean; onProgress?: (p: CalibrationProgress) => void; stop?: () => string | null } = {},
): Promise<CalibrationReport> {
  return calibrate({
    cal,
    registry: countingRegistry,
    db: await openExperimentDb(db),
    backend: o.pool ? poolBackend() : new InProcessBackend(countingRegistry),
    // one write per batch: the store opens its file for each write
    flushMs: 10_000,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.stop ? { stopRequested: o.stop } : {}),
  });
}

describe('the local kernel (Filippi et al. 2013)', () => {
  // three particles of one parameter; the next tolerance ε = 2 keeps the first two
  const pop: Population = { theta: [[0], [1], [3]], weights: [0.5, 0.25, 0.25], distances: [1, 2, 5] };
  const priors = [makePrior({ uniform: [-10, 10] })];
  const k = makeKernel(pop, priors, 'olcm', 2);
  const variance = (j: number) => k.components[j].chol[0][0] ** 2;

  it('centres a covariance on each ancestor: the second moment about it of the particles within ε, reweighted', () => {
    // weights within ε: 2/3 and 1/3
    expect(variance(0)).toBeCloseTo((2 / 3) * 0 + (1 / 3) * 1, 12);
    expect(variance(1)).toBeCloseTo((2 / 3) * 1 + (1 / 3) * 0, 12);
    expect(variance(2)).toBeCloseTo((2 / 3) * 9 + (1 / 3) * 4, 12);
    // Beaumont's: one shared component, twice the weighted covariance
    expect(makeKernel(pop, priors, 'beaumont').components).toHaveLength(1);
  });

  it('weights a particle by the prior over the mixture of the ancestors’ own kernels', () => {
    const normal = (x: number, m: number, v: number) =>
      Math.exp(-((x - m) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
    const x = 0.7;
    const mixture = pop.weights.reduce((s, w, j) => s + w * normal(x, pop.theta[j][0], variance(j)), 0);
    expect(logImportanceWeight([x], pop, k, priors)).toBeCloseTo(Math.log(1 / 20) - Math.log(mixture), 10);
  });
});

describe('parameter recovery', () => {
  it('the posterior 90 % intervals cover the true rates as often as a calibrated method must, and are as narrow as the tolerance allows', async () => {
    const seeds = [1, 2, 3, 4, 5];
    let covered = 0;
    let checks = 0;
    // both kernels: the default global one (Beaumont et al. 2009) and the local one (Filippi et al. 2013)
    for (const [seed, kernel] of seeds.flatMap((x) => [[x, 'olcm'] as const, [x, 'beaumont'] as const])) {
      const obs = await synthetic(1000 + seed);
      const doc = calibrationDoc(obs, seed);
      const cal = load({ ...doc, method: { ...(doc.method as object), kernel } });
      const report = await run(cal, join(dir, `recover-${seed}-${kernel}.duckdb`));
      expect(report.status).toBe('complete');
      const epsilon = report.generations.at(-1)!.epsilon;
      expect(epsilon).toBe(2.5);
      // The exact posterior of a rate given its count k of n = agents × days Bernoulli trials
      // under the log-uniform prior (∝ 1/θ) is Beta(k, n − k + 1), truncated to the prior's
      // range. ABC accepts a particle only if the RMS of the standardised residuals is ≤ ε,
      // i.e. every residual is within √3·ε uncertainties: its posterior is the exact one of
      // data moved by at most that much, so its 90 % interval is no wider than the exact
      // one plus √3·ε·σ/n on each side (σ: the count's uncertainty), and it must be
      // narrower than the prior's own 90 % interval.
      const n = AGENTS * DAYS;
      const counts = { rateA: obs[1], rateB: obs[2] };
      for (const p of report.posterior) {
        const name = p.name as keyof typeof TRUE;
        checks++;
        if (TRUE[name] >= p.q05 && TRUE[name] <= p.q95) covered++;
        const k = counts[name];
        const exact = jStat.beta.inv(0.95, k, n - k + 1) - jStat.beta.inv(0.05, k, n - k + 1);
        const slack = (2 * Math.sqrt(3) * epsilon * sdOf(DAYS, TRUE[name])) / n;
        expect(p.q95 - p.q05).toBeLessThan(exact + slack);
        const [lo, hi] = PRIORS[name];
        const prior90 = lo * (hi / lo) ** 0.95 - lo * (hi / lo) ** 0.05;
        expect(exact + slack).toBeLessThan(prior90); // the bound says something
      }
    }
    // ABC at a tolerance above zero widens the posterior, so its intervals cover at least
    // their nominal 90 %; fail only if the count covered is below what a calibrated 90 %
    // interval gives with probability 1 % (binomial over the checks).
    let least = 0;
    while (jStat.binomial.cdf(least, checks, 0.9) < 0.01) least++;
    expect(covered).toBeGreaterThanOrEqual(least);
  });
});

describe('resuming', () => {
  it('an interrupted calibration, run again, ends with the very posterior and forecast of an uninterrupted one', async () => {
    const obs = await synthetic(77);
    // the adaptive tolerance (the default), and the worker-thread pool the CLI uses
    const doc = calibrationDoc(obs, 9, {
      method: { particles: 20, generations: 2, tolerance: { quantile: 0.5 }, seed: 9 },
    });
    const whole = await run(load(doc), join(dir, 'whole.duckdb'), { pool: true });
    expect(whole.status).toBe('complete');
    const db = join(dir, 'parts.duckdb');
    let ran = 0;
    const first = await run(load(doc), db, {
      pool: true,
      onProgress: (p) => (ran = p.ran),
      stop: () => (ran >= 30 ? 'SIGINT' : null),
    });
    expect(first.status).toBe('interrupted');
    const second = await run(load(doc), db, { pool: true });
    expect(second.status).toBe('complete');
    expect(second.resumed).toBe(true);
    expect(second.posterior).toEqual(whole.posterior);
    expect(second.generations).toEqual(whole.generations);
    expect(second.predictive?.forecast).toEqual(whole.predictive?.forecast);
    // the second invocation ran fewer runs than the whole: what the first stored was reused
    expect(second.ran).toBeLessThan(whole.ran);
    expect(second.ran + first.ran).toBeGreaterThanOrEqual(whole.ran);
  });
});

describe('identity', () => {
  it('leaves Beaumont’s kernel (the default) out of the hash, as before the kernel option, but not the local one', () => {
    const doc = calibrationDoc([50, 100, 40], 7);
    const hash = (method: object) => load({ ...doc, method: { ...(doc.method as object), ...method } }).definitionHash;
    // the hash this calibration had before the kernel option existed (commit ca91ef7): stored
    // calibrations resume only if it is unchanged
    expect(hash({})).toBe('4ab527b9c154442d60b040adffb801d8e9232b5c7a0e8ffbce6574b658876181');
    expect(hash({ kernel: 'beaumont' })).toBe(hash({}));
    expect(hash({ kernel: 'olcm' })).not.toBe(hash({}));
    // stopping rules are not part of it either
    expect(hash({ generations: 1, minAcceptance: 0.1 })).toBe(hash({}));
  });
});

describe('bad calibration files', () => {
  const problems = (doc: Record<string, unknown>): string => {
    try {
      load(doc);
    } catch (e) {
      if (e instanceof UserError) return e.message;
      throw e;
    }
    throw new Error('not refused');
  };
  const base = calibrationDoc([50, 100, 40], 1);
  it('are refused with the field, the value and what is allowed', () => {
    expect(problems({ ...base, parameters: [{ path: 'rateC', prior: { uniform: [0, 1] } }] })).toMatch(
      /parameters\[0\]\.path: no parameter "rateC".*did you mean `rate[AB]`/,
    );
    expect(problems({ ...base, parameters: [{ path: 'rateA', prior: { uniform: [0, 2] } }] })).toMatch(
      /parameters\[0\]\.prior: got 2, out of range; allowed: a number in \[0, 1\].*inside the model's range/,
    );
    expect(problems({ ...base, parameters: [{ path: 'agents', prior: { uniform: [10, 20] } }] })).toMatch(
      /agents is a whole number/,
    );
    expect(
      problems({ ...base, observations: [{ metric: 'c', stat: 'cumulative', date: '2020-02-01', value: 1, sd: 1 }] }),
    ).toMatch(/observations\[0\]\.metric: got "c", not a metric of this model; did you mean `[ab]`/);
    expect(
      problems({ ...base, observations: [{ metric: 'a', stat: 'cumulative', date: '2019-12-01', value: 1, sd: 1 }] }),
    ).toMatch(/observations\[0\]\.date: got 2019-12-01; allowed: a date after the base scenario's start 2020-01-01/);
    expect(
      problems({ ...base, observations: [{ metric: 'a', stat: 'cumulative', date: '2020-02-01', value: 1 }] }),
    ).toMatch(/observations\[0\]: give exactly one of sd: \(absolute\) or relSd:/);
    expect(
      problems({ ...base, observations: [{ metric: 'a', stat: 'total', date: '2020-02-01', value: 1, sd: 1 }] }),
    ).toMatch(/stat total needs from: and to:/);
    expect(problems({ ...base, method: { particles: 5 } })).toMatch(/method\.particles: got 5, out of range/);
    expect(problems({ ...base, parameters: [{ path: 'rateA', points: [0], prior: { uniform: [0, 1] } }] })).toMatch(
      /parameters\[0\]\.points: the base scenario has no schedule for rateA/,
    );
  });
});

describe('the shipped 2013–2018 calibration file', () => {
  it('loads, and a small version of it runs end to end through the CLI with every observation and forecast finite', async () => {
    const shipped = parse(
      readFileSync(new URL('../calibrations/defaulter-list-2013-2018.yaml', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    // 2,000 residents, 10 particles, 1 generation, 10 predictive runs: the full one is documented
    const small = {
      ...shipped,
      name: 'defaulter-list-small',
      base: { ...(shipped.base as object), population: 2000 },
      method: { ...(shipped.method as object), particles: 10, generations: 1 },
      forecast: { ...(shipped.forecast as object), draws: 10 },
    };
    const file = join(dir, 'defaulter-list-small.yaml');
    writeFileSync(file, stringify(small));
    const cli = inProcessCli(models);
    const res = await cli('calibrate', file, '--db', join(dir, 'small.duckdb'), '--workers', '2', '--no-progress');
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/status\s+complete/);
    expect(res.out).toMatch(/simulated counts × 705,000 \(1,410,000,000 \/ 2,000 synthetic residents/);
    const store = await openExperimentDb(join(dir, 'small.duckdb'), { create: false });
    const rows = await store.read((tx) =>
      tx.query<{ q50: number | null }>(
        'SELECT q50 FROM calibration_fit UNION ALL SELECT q50 FROM calibration_forecast',
      ),
    );
    expect(rows.length).toBe(15 + 25);
    expect(rows.every((r) => Number.isFinite(r.q50))).toBe(true);

    // its report: fans of the fitted measures with the observations on them, and the tables
    const out = join(dir, 'small-report', 'calibration.html');
    const rep = await cli('report', 'defaulter-list-small', '--db', join(dir, 'small.duckdb'), '--out', out);
    expect(rep.err).toBe('');
    expect(rep.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    for (const id of [
      'fit-blacklist-entries-cumulative',
      'fit-blocked-flight-cumulative',
      'fit-blacklisted-value',
      'tolerance',
    ])
      expect(html).toContain(`id="figure-${id}"`);
    // the six list sizes fitted are on the fan of listings, each on its date
    expect(html).toMatch(
      /Observed, with ± one stated uncertainty: 31,259 on 2013-11-05; 203,000 on 2014-08-03; 6,730,000 on 2017-02-14/,
    );
    expect(html).toContain('The fit saw the record up to 2018-12-31');
    expect(html).toContain('global (Beaumont et al. 2009) kernel');
    // the fan passes through the fit's own quantiles on each observation's day (same runs, same quantile rule)
    const reader = await ResultsStore.open(join(dir, 'small.duckdb'), { readOnly: true });
    const data = await loadCalibration(reader, 'defaulter-list-small');
    const fan = data.fans.find((f) => f.metric === 'blacklist_entries' && f.kind === 'cumulative')!;
    for (const f of data.fit.filter((x) => x.metric === 'blacklist_entries' && x.stat === 'cumulative')) {
      const at = fan.points.find((p) => p.x === tickOf(data.start, f.to))!;
      expect(at.q50).toBeCloseTo(f.q50!, 6);
      expect(at.q95).toBeCloseTo(f.q95!, 6);
    }
    // a store written before forecasts recorded `counts` still reports (opened read only, it is not migrated)
    const writable = await openExperimentDb(join(dir, 'small.duckdb'), { create: false });
    await writable.write((tx) => tx.run('ALTER TABLE calibration_forecast DROP COLUMN counts'));
    const older = await loadCalibration(
      await ResultsStore.open(join(dir, 'small.duckdb'), { readOnly: true }),
      'defaulter-list-small',
    );
    expect(older.forecast.map((f) => f.q50)).toEqual(data.forecast.map((f) => f.q50));
    expect(older.fans.map((f) => f.scale)).toEqual(data.fans.map((f) => f.scale));
    for (const caption of [
      'Acceptance history',
      'Posterior (last generation',
      'Fit: each observation',
      'Forecast: posterior-predictive',
    ])
      expect(html).toContain(caption);
  });
});
