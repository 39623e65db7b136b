/**
 * From an experiment to runs: the model-validated parameters of every (design point,
 * arm), the seed of every replicate (common random numbers: replicate r has seed + r at
 * every point and arm), and each run's key — a hash of the resolved scenario, its seed
 * and the model version — so a run already stored is never run again.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParamSchedule } from '../engine/schedule.js';
import type { ModelRegistry } from '../models/registry.js';
import { UserError } from '../scenario/errors.js';
import { formatIssues } from '../scenario/issues.js';
import { packageVersion, scenarioHash } from '../scenario/load.js';
import type { Experiment } from './load.js';
import { paramsAt } from './load.js';

/** What a run needs besides the experiment's outputs: plain data, sent to threads and over Redis. */
export interface RunSpec {
  readonly key: string;
  readonly model: string;
  readonly params: Record<string, unknown>;
  /** Parameters that change during the run (a dated scenario's schedules), if any. */
  readonly schedule?: ParamSchedule;
  readonly seed: number;
  readonly steps: number;
}

export interface Position {
  readonly point: number;
  readonly arm: string;
  readonly replicate: number;
  readonly seed: number;
  readonly key: string;
}

let versionCache: string | undefined;

/**
 * The model version in run keys: the package version plus a hash of the engine's and the
 * models' code as installed. Any change to how a run computes its results — a new release
 * or an edited model in a development checkout — gives new keys, so a stored result is
 * never taken for one the current code would produce differently.
 */
export function modelVersion(): string {
  if (versionCache) return versionCache;
  const here = dirname(fileURLToPath(import.meta.url));
  const root = join(here, '..');
  const hash = createHash('sha256');
  for (const folder of ['engine', 'models']) {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const name of readdirSync(d).sort()) {
        const full = join(d, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (/\.(ts|js)$/.test(name) && !name.endsWith('.d.ts')) files.push(full);
      }
    };
    walk(join(root, folder));
    for (const f of files)
      hash
        .update(relative(root, f).replace(/\.(ts|js)$/, ''))
        .update('\0')
        .update(readFileSync(f))
        .update('\0');
  }
  return (versionCache = `${packageVersion()}+${hash.digest('hex').slice(0, 12)}`);
}

export function runKey(
  model: string,
  params: unknown,
  seed: number,
  steps: number,
  version: string,
  schedule?: ParamSchedule,
): string {
  const scenario = scenarioHash({
    model,
    seed,
    steps,
    params: params as Record<string, unknown>,
    ...(schedule?.length ? { schedule } : {}),
    sources: {},
  });
  return createHash('sha256').update(`${scenario}:${version}`).digest('hex').slice(0, 32);
}

/** The model-validated params of every design point, per arm: [point][arm]. Refuses bad points before any run. */
export function pointParams(exp: Experiment, registry: ModelRegistry): Record<string, unknown>[][] {
  const problems: string[] = [];
  let omitted = 0;
  const out = exp.design.points.map((pt, p) =>
    exp.arms.map((arm) => {
      const raw = paramsAt(exp, arm, pt.values);
      const entry = registry[arm.scenario.model];
      const res = entry.params.safeParse(raw);
      if (res.success) return res.data as Record<string, unknown>;
      if (problems.length >= 10) omitted++;
      else {
        const where = exp.factors.map((f, i) => `${f.name}=${String(pt.values[i])}`).join(', ');
        problems.push(
          ...formatIssues(res.error.issues, entry.params, raw, ['params']).map(
            (line) => `design point ${p} (${where})${exp.arms.length > 1 ? `, arm ${arm.name}` : ''}: ${line}`,
          ),
        );
      }
      return raw;
    }),
  );
  if (problems.length)
    throw new UserError(
      problems.slice(0, 10),
      `${exp.file}: the model refuses some design points (fix the factor ranges):`,
      'input',
      omitted + Math.max(0, problems.length - 10),
    );
  return out;
}

/**
 * Positions for replicates [from, to) of every point and arm, and the runs behind them
 * (several positions share a run when their scenarios coincide, e.g. Sobol rows that equal A).
 */
export function positionsFor(
  exp: Experiment,
  params: Record<string, unknown>[][],
  version: string,
  replicates: (point: number, arm: number) => { from: number; to: number },
  runs: Map<string, RunSpec>,
): Position[] {
  const positions: Position[] = [];
  params.forEach((byArm, point) =>
    byArm.forEach((p, a) => {
      const arm = exp.arms[a];
      const { from, to } = replicates(point, a);
      for (let r = from; r < to; r++) {
        const seed = exp.seed + r;
        const schedule = arm.scenario.schedule;
        const key = runKey(arm.scenario.model, p, seed, exp.steps, version, schedule);
        if (!runs.has(key))
          runs.set(key, {
            key,
            model: arm.scenario.model,
            params: p,
            ...(schedule ? { schedule } : {}),
            seed,
            steps: exp.steps,
          });
        positions.push({ point, arm: arm.name, replicate: r, seed, key });
      }
    }),
  );
  return positions;
}
