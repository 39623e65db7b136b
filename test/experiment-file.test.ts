/**
 * Experiment files: validation with clear messages before any run, factor paths (by index,
 * by name, `*`), outputs against the model's metrics, design sizes, common random numbers
 * and run keys.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperimentFile, type Experiment } from '../src/experiments/load.js';
import { resolveFactorPath, withValue } from '../src/scenario/paths.js';
import { modelVersion, pointParams, positionsFor, runKey, type RunSpec } from '../src/experiments/plan.js';
import { models } from '../src/models/registry.js';
import { UserError } from '../src/scenario/errors.js';
import { loadPreset } from '../src/scenario/load.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-expfile-'));
let n = 0;
function file(text: string): string {
  const f = join(dir, `e${n++}.yaml`);
  writeFileSync(f, text);
  return f;
}
writeFileSync(
  join(dir, 'contagion.yaml'),
  'model: contagion\nseed: 5\nsteps: 12\nparams: { cells: 30, meanCellSize: 20 }\n',
);

function problems(text: string): string[] {
  try {
    loadExperimentFile(file(text), { registry: models });
  } catch (e) {
    if (e instanceof UserError) return [...e.problems];
    throw e;
  }
  throw new Error('expected the file to be refused');
}

const load = (text: string): Experiment => loadExperimentFile(file(text), { registry: models });

describe('experiment file validation', () => {
  it('names unknown keys with the nearest valid one, at any depth', () => {
    expect(problems('base: { file: contagion.yaml }\nreplicatess: 3\n')).toEqual([
      'replicatess: unknown key; did you mean `replicates`?',
    ]);
    expect(
      problems(
        'base: { file: contagion.yaml }\nfactors: [{path: recovery, range: [0, 1]}]\ndesign: {type: lhs, sample: 8}\n',
      ),
    ).toEqual([
      'design.samples: required, missing; allowed: an integer in [2, 1_000_000]',
      'design.sample: unknown key; did you mean `samples`?',
    ]);
    expect(
      problems('base: { file: contagion.yaml }\nreplicates: {until: {output: x, halfWidht: 1}, max: 5}\n'),
    ).toContain('replicates.until.halfWidht: unknown key; did you mean `halfWidth`?');
    expect(
      problems('base: { file: contagion.yaml }\ndesign: sobl\nfactors: [{path: recovery, range: [0, 1]}]\n'),
    ).toEqual(['design: got "sobl"; allowed: one of grid, lhs, sobol, morris; did you mean `sobol`?']);
  });

  it('lists the problems of every field in one answer, not one stage at a time', () => {
    expect(
      problems(
        'base: { file: contagion.yaml, stepz: 3 }\nfactors: [{path: recovery, range: [0, 1]}]\ndesign: {type: sobool, samples: 4}\nreplicates: 0\n',
      ),
    ).toEqual([
      'base.stepz: unknown key; did you mean `steps`?',
      'design.type: got "sobool"; allowed: one of grid, lhs, sobol, morris; did you mean `sobol`?',
      'replicates: got 0, out of range; allowed: an integer in [1, 100000]',
    ]);
  });

  it('refuses unknown factor paths and outputs with the nearest valid name, before anything runs', () => {
    const p = problems(`base: { preset: national-blacklist, population: 2000, steps: 5 }
factors:
  - { path: cameras.falseMatchRat, range: [0, 0.01] }
  - { path: population.regions.citty.camerasPerThousand, range: [0, 100] }
  - { path: dueProcess, range: [0, 1] }
  - { path: population.regions.5.camerasPerThousand, range: [0, 100] }
design: grid
outputs:
  - { metric: wrongful_listing_day, stat: total }
  - { metric: blacklisted, stat: final, by: grop }
  - { metric: active, stat: final, window: [1, 3] }
  - { metric: active, stat: mean, window: [1, 30] }
`);
    expect(p).toEqual([
      'factors[0].path: no parameter "falseMatchRat" under cameras; did you mean `cameras.falseMatchRate`?',
      'factors[1].path: population.regions is a list; got "citty"; allowed: an index 0 to 1, a name (city, rural) or *; did you mean `population.regions.city.camerasPerThousand`?',
      'factors[2].path: dueProcess is a group of parameters, not a value; its values include dueProcess.enabled, dueProcess.appealRate, dueProcess.appealDelayDays, dueProcess.successWrongful, dueProcess.successRightful',
      'factors[3].path: population.regions is a list with items 0 to 1; got item 5 (items by name: city, rural)',
      'outputs[0].metric: got "wrongful_listing_day", not a metric of this model; did you mean `wrongful_listing_days`?',
      'outputs[1].by: got "grop" for metric blacklisted; allowed: overall, group, region, group=majority, group=minority, region=city, region=rural; did you mean `group`?',
      'outputs[2].window: a window applies to mean, total and max; `final` is the value at the last tick (use stat: mean with window [t, t] for another tick)',
      'outputs[3].window: got [1, 30]; allowed: ticks [from, to] with 0 ≤ from ≤ to ≤ steps (5)',
    ]);
  });

  it('refuses design points the model refuses, naming the point and the field', () => {
    const f = file(`base: { file: contagion.yaml }
factors: [{ path: recovery, levels: [0.1, 1.5] }]
design: grid
`);
    const exp = loadExperimentFile(f, { registry: models });
    expect(() => pointParams(exp, models)).toThrow(
      /design point 1 \(recovery=1\.5\): params\.recovery: got 1\.5, out of range; allowed: a number in \[0, 1\]/,
    );
  });

  it('needs a base or arms, and a design with factors', () => {
    expect(problems('replicates: 2\n')[0]).toMatch(/^base: required, missing/);
    expect(problems('base: { file: contagion.yaml }\nfactors: [{path: recovery, range: [0, 1]}]\n')).toEqual([
      'design: required with factors; allowed: one of grid, lhs, sobol, morris',
    ]);
    expect(problems('arms: [{name: a, preset: epstein-run1}, {name: a, preset: epstein-run2}]\n')).toContain(
      'arms[1].name: got "a" twice; arm names must differ',
    );
  });
});

describe('factor paths', () => {
  const params = loadPreset('national-blacklist', { registry: models, overrides: { population: 2000 } }).params;

  it('reach list items by index, by name, or all at once with *', () => {
    const byName = resolveFactorPath(params, 'population.regions.rural.camerasPerThousand');
    const byIndex = resolveFactorPath(params, 'population.regions.1.camerasPerThousand');
    const all = resolveFactorPath(params, 'population.regions.*.camerasPerThousand');
    if (typeof byName === 'string' || typeof byIndex === 'string' || typeof all === 'string')
      throw new Error('unresolved');
    expect(byName.leaves).toEqual(byIndex.leaves);
    expect(all.leaves).toHaveLength(2);
    const changed = withValue(params, all, 42) as { population: { regions: { camerasPerThousand: number }[] } };
    expect(changed.population.regions.map((r) => r.camerasPerThousand)).toEqual([42, 42]);
    // the original is untouched
    expect((params as typeof changed).population.regions[0].camerasPerThousand).not.toBe(42);
  });
});

describe('designs, seeds and run keys', () => {
  it('crosses grid levels and arms; replicate r has seed + r at every point and arm (common random numbers)', () => {
    const exp = load(`arms:
  - { name: slow, file: contagion.yaml }
  - { name: fast, file: contagion.yaml }
factors:
  - { path: recovery, levels: [0.1, 0.2, 0.3] }
  - { path: transmission, range: [0.01, 0.03] }
design: { type: grid, levels: 2 }
replicates: 3
seed: 100
outputs: [{ metric: infected, stat: final }]
`);
    expect(exp.design.points).toHaveLength(6);
    const params = pointParams(exp, models);
    const runs = new Map<string, RunSpec>();
    const positions = positionsFor(exp, params, modelVersion(), () => ({ from: 0, to: 3 }), runs);
    expect(positions).toHaveLength(6 * 2 * 3);
    for (const p of positions) expect(p.seed).toBe(100 + p.replicate);
    // both arms run the same scenario here, so their runs coincide: 6 points × 3 replicates
    expect(runs.size).toBe(18);
    expect(new Set(positions.map((p) => p.key)).size).toBe(18);
  });

  it('keys a run by its resolved scenario, seed and model version', () => {
    const v = modelVersion();
    const p = { cells: 30, meanCellSize: 20 };
    expect(runKey('contagion', p, 1, 10, v)).toBe(runKey('contagion', { meanCellSize: 20, cells: 30 }, 1, 10, v));
    expect(runKey('contagion', p, 2, 10, v)).not.toBe(runKey('contagion', p, 1, 10, v));
    expect(runKey('contagion', p, 1, 11, v)).not.toBe(runKey('contagion', p, 1, 10, v));
    expect(runKey('contagion', p, 1, 10, `${v}x`)).not.toBe(runKey('contagion', p, 1, 10, v));
  });

  it('gives the model defaults as outputs when the file declares none', () => {
    const exp = load('base: { file: contagion.yaml }\n');
    expect(exp.outputs.map((o) => o.name)).toEqual([
      'infected_final',
      'infected_mean',
      'infected_max',
      'new_infections_final',
      'new_infections_mean',
      'new_infections_max',
    ]);
    const regime = load('base: { preset: national-blacklist, population: 2000 }\n');
    expect(regime.outputs.map((o) => o.name)).toContain('wrongful_listing_days_total');
    expect(regime.outputs.find((o) => o.name === 'legitimacy_mean_final')).toMatchObject({ from: 365, to: 365 });
  });

  it('expands `by: group` into one output per group and keeps the definition hash independent of replicates', () => {
    const text = (reps: number) => `base: { preset: national-blacklist, population: 2000, steps: 5 }
outputs: [{ metric: wrongful_listing_days, stat: total, by: group }]
replicates: ${reps}
`;
    const a = load(text(2));
    expect(a.outputs.map((o) => [o.name, o.key])).toEqual([
      ['wrongful_listing_days_total_majority', 'group=majority'],
      ['wrongful_listing_days_total_minority', 'group=minority'],
    ]);
    expect(load(text(5)).definitionHash).toBe(a.definitionHash);
  });
});

describe('the example experiments (docs/experiments.md)', () => {
  it.each(['wrongful-sanctions.yaml', 'legitimacy-robustness.yaml'])('%s is valid for the current model', (name) => {
    const exp = loadExperimentFile(join(import.meta.dirname, '..', 'examples', 'experiments', name), {
      registry: models,
    });
    expect(exp.factors.map((f) => f.name)).toEqual(['cameras', 'falseMatch', 'informants', 'appealSuccess']);
    expect(pointParams(exp, models)).toHaveLength(exp.design.points.length);
  });
});
