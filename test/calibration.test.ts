/**
 * Calibration (ABC-SMC): parameter recovery with a coverage check over several seeds, the
 * method's determinism across interruptions, and the refusal of bad files before any run.
 * The counting model (helpers/counting-model.ts) makes a run cost a millisecond, so the
 * whole method — runner, store, generations, predictive — is exercised many times.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jstatModule from 'jstat';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalExecutor, runSimulation } from '../src/engine/simulation.js';
import { LocalBackend } from '../src/experiments/coordinator.js';
import { openExperimentDb } from '../src/experiments/db.js';
import { resolveCalibration, type Calibration } from '../src/experiments/calibration/load.js';
import { calibrate, type CalibrationReport } from '../src/experiments/calibration/run.js';
import { RunPool } from '../src/experiments/pool.js';
import { UserError } from '../src/scenario/errors.js';
import { countingModel, countingParams, countingRegistry } from './helpers/counting-model.js';

const { jStat } = jstatModule as unknown as { jStat: { binomial: { cdf(k: number, n: number, p: number): number } } };

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
steps: 100
params: { agents: 200, rateA: 0.01, rateB: 0.003 }
sources: { agents: assumption, rateA: assumption, rateB: assumption }
`,
);
const pools: RunPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});
function backend(): LocalBackend {
  const pool = new RunPool(2, {
    registryModule: new URL('./helpers/counting-model.ts', import.meta.url).href,
    registryExport: 'countingRegistry',
  });
  pools.push(pool);
  return new LocalBackend(pool);
}

const TRUE = { rateA: 0.01, rateB: 0.003 };
let files = 0;

/** Cumulative counts of a (day 50, day 100) and b (day 100) in one run at the true rates. */
async function synthetic(seed: number): Promise<number[]> {
  const params = countingParams.parse({ agents: 200, ...TRUE });
  const a: number[] = [];
  const b: number[] = [];
  await runSimulation(countingModel, params, {
    seed,
    steps: 100,
    executor: new LocalExecutor(),
    onTick: (t, v) => {
      if (t === 0) return;
      a.push((a.at(-1) ?? 0) + v[0]);
      b.push((b.at(-1) ?? 0) + v[1]);
    },
  });
  return [a[49], a[99], b[99]];
}

function calibrationDoc(obs: number[], seed: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  // Each observation's uncertainty is the binomial noise of its count at the truth: the
  // spread a run itself has, so that a distance of 1 means "as close as chance allows".
  const sd = (days: number, rate: number) => Math.sqrt(200 * days * rate * (1 - rate));
  return {
    name: `counting-${seed}-${files}`,
    base: { preset: 'counting-base' },
    parameters: [
      { path: 'rateA', prior: { loguniform: [0.001, 0.1] } },
      { path: 'rateB', prior: { loguniform: [0.0003, 0.03] } },
    ],
    observations: [
      { metric: 'a', stat: 'cumulative', date: '2020-02-20', value: obs[0], sd: sd(50, TRUE.rateA) },
      { metric: 'a', stat: 'cumulative', date: '2020-04-10', value: obs[1], sd: sd(100, TRUE.rateA) },
      { metric: 'b', stat: 'cumulative', date: '2020-04-10', value: obs[2], sd: sd(100, TRUE.rateB) },
    ],
    method: { particles: 60, generations: 3, tolerance: { quantile: 0.5 }, seed },
    forecast: { draws: 20, quantities: [{ name: 'a_2020_06', metric: 'a', stat: 'total', from: '2020-06-01', to: '2020-06-30' }] },
    ...extra,
  };
}

function load(doc: Record<string, unknown>): Calibration {
  return resolveCalibration(doc, join(dir, `c${files++}.yaml`), { registry: countingRegistry, presetsDir: presets });
}

async function run(cal: Calibration, db: string, stop?: () => string | null): Promise<CalibrationReport> {
  const b = backend();
  return calibrate({
    cal,
    registry: countingRegistry,
    db: await openExperimentDb(db),
    backend: b,
    flushMs: 20,
    ...(stop ? { stopRequested: stop } : {}),
  });
}

describe('parameter recovery', () => {
  it('the posterior 90 % intervals cover the true rates as often as a calibrated method must, and narrow the prior', async () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    let covered = 0;
    let checks = 0;
    const widths: number[] = [];
    for (const seed of seeds) {
      const obs = await synthetic(1000 + seed);
      const report = await run(load(calibrationDoc(obs, seed)), join(dir, `recover-${seed}.duckdb`));
      expect(report.status).toBe('complete');
      for (const p of report.posterior) {
        const truth = TRUE[p.name as keyof typeof TRUE];
        checks++;
        if (truth >= p.q05 && truth <= p.q95) covered++;
        widths.push(Math.log(p.q95 / p.q05));
      }
    }
    // ABC at a tolerance above zero widens the posterior, so its intervals cover at least
    // their nominal 90 %; fail only if the count covered is below what a calibrated 90 %
    // interval gives with probability 1 % (binomial over the checks).
    let least = 0;
    while (jStat.binomial.cdf(least, checks, 0.9) < 0.01) least++;
    expect(covered).toBeGreaterThanOrEqual(least);
    // And the intervals must say something: with 60–200 events, binomial noise alone is a
    // relative s.d. of 7–13 %, so even at three times that a 90 % interval spans less than
    // 1.3 in log units — under a third of the priors' log(100) = 4.6. A method that accepted
    // anything would return the prior.
    expect(Math.max(...widths)).toBeLessThan(Math.log(100) / 3);
  });
});

describe('resuming', () => {
  it('an interrupted calibration, run again, ends with the very posterior and forecast of an uninterrupted one', async () => {
    const obs = await synthetic(77);
    const doc = calibrationDoc(obs, 9);
    const whole = await run(load(doc), join(dir, 'whole.duckdb'));
    const db = join(dir, 'parts.duckdb');
    let runs = 0;
    const first = await run(load(doc), db, () => (++runs > 40 ? 'SIGINT' : null));
    expect(first.status).toBe('interrupted');
    const second = await run(load(doc), db);
    expect(second.status).toBe('complete');
    expect(second.resumed).toBe(true);
    expect(second.posterior).toEqual(whole.posterior);
    expect(second.generations).toEqual(whole.generations);
    expect(second.predictive?.forecast).toEqual(whole.predictive?.forecast);
    // the second invocation ran fewer runs than the whole: what the first stored was reused
    expect(second.ran).toBeLessThan(whole.ran);
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
  const base = calibrationDoc([10, 20, 5], 1);
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
    expect(problems({ ...base, observations: [{ metric: 'a', stat: 'cumulative', date: '2020-02-01', value: 1 }] })).toMatch(
      /observations\[0\]: give exactly one of sd: \(absolute\) or relSd:/,
    );
    expect(
      problems({ ...base, observations: [{ metric: 'a', stat: 'total', date: '2020-02-01', value: 1, sd: 1 }] }),
    ).toMatch(/stat total needs from: and to:/);
    expect(problems({ ...base, method: { particles: 5 } })).toMatch(/method\.particles: got 5, out of range/);
    expect(
      problems({ ...base, parameters: [{ path: 'rateA', points: [0], prior: { uniform: [0, 1] } }] }),
    ).toMatch(/parameters\[0\]\.points: the base scenario has no schedule for rateA/);
  });
});
