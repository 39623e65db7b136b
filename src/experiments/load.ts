/**
 * Reading an experiment file: validate its fields (errors name the path, the value and
 * what is allowed), load the base scenario or the arms, resolve factor paths and outputs
 * against the model, and build the design — all before anything runs.
 */
import { createHash } from 'node:crypto';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import type { z } from 'zod';
import type { ModelRegistry } from '../models/registry.js';
import { didYouMean, UserError } from '../scenario/errors.js';
import { formatIssues } from '../scenario/issues.js';
import { defaultPresetsDir, loadPreset, loadScenarioFile, readScenarioDoc } from '../scenario/load.js';
import { canonicalJson, type Overrides } from '../scenario/resolve.js';
import type { ResolvedScenario } from '../scenario/schema.js';
import { buildDesign, type Design, type Factor } from './designs.js';
import { defaultOutputSpecs, resolveOutputs, resolveSeries, type OutputDef, type SeriesDef } from './outputs.js';
import { isIntegerParam, resolveFactorPath, withValue } from '../scenario/paths.js';
import {
  adaptiveReplicates,
  DESIGN_TYPES,
  designSpecs,
  experimentSpec,
  fixedReplicates,
  seriesSpec,
  type DesignSpec,
  type OutputSpec,
  type SeriesSpec,
} from './spec.js';

export interface Arm {
  readonly name: string;
  /** `preset NAME` or the scenario file's path. */
  readonly source: string;
  readonly scenario: ResolvedScenario;
}

export type Replicates =
  | { readonly kind: 'fixed'; readonly count: number }
  | {
      readonly kind: 'adaptive';
      readonly min: number;
      readonly max: number;
      readonly outputs: readonly string[];
      readonly halfWidth: number;
    };

export interface Experiment {
  /** The experiment's id in the store: its `name`, else the file name without extension. */
  readonly id: string;
  readonly description?: string;
  readonly file: string;
  readonly arms: readonly Arm[];
  /** The arm paired differences are taken against. */
  readonly reference: string;
  readonly factors: readonly Factor[];
  readonly design: Design;
  readonly designSpec?: DesignSpec;
  readonly outputs: readonly OutputDef[];
  readonly series: readonly SeriesDef[];
  readonly replicates: Replicates;
  /** Seed of replicate 0; replicate r uses seed + r at every point and arm (common random numbers). */
  readonly seed: number;
  readonly steps: number;
  /**
   * sha256 of everything that decides which runs exist and what is measured — arms,
   * factors, design, outputs, series, seed — but not the replicate counts, so asking for
   * more replicates extends the same experiment.
   */
  readonly definitionHash: string;
}

export interface LoadOptions {
  readonly registry: ModelRegistry;
  readonly presetsDir?: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Validate one field with its own schema; problems get the field's path as prefix. */
function check<S extends z.ZodType>(
  schema: S,
  value: unknown,
  path: PropertyKey[],
  problems: string[],
): z.infer<S> | undefined {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  problems.push(...formatIssues(res.error.issues, schema, value, path));
  return undefined;
}

/** Fields whose schema depends on their shape, checked one by one for precise messages. */
function checkDesignAndReplicates(
  design: unknown,
  reps: unknown,
  problems: string[],
): { designSpec: DesignSpec | undefined; replicates: Replicates } {
  let designSpec: DesignSpec | undefined;
  if (design !== undefined) {
    const raw = typeof design === 'string' ? { type: design } : design;
    const type = isPlainObject(raw) ? raw.type : undefined;
    if (typeof type !== 'string' || !(DESIGN_TYPES as string[]).includes(type)) {
      problems.push(
        `design${isPlainObject(design) ? '.type' : ''}: got ${JSON.stringify(type ?? design)}; allowed: one of ${DESIGN_TYPES.join(', ')}${typeof type === 'string' ? didYouMean(type, DESIGN_TYPES) : ''}`,
      );
    } else designSpec = check(designSpecs[type as keyof typeof designSpecs], raw, ['design'], problems) as DesignSpec;
  }
  let replicates: Replicates = { kind: 'fixed', count: 1 };
  if (isPlainObject(reps)) {
    const a = check(adaptiveReplicates, reps, ['replicates'], problems);
    if (a) {
      if (a.max < a.min) problems.push(`replicates.max: got ${a.max}; allowed: ≥ replicates.min (${a.min})`);
      const outs = typeof a.until.output === 'string' ? [a.until.output] : a.until.output;
      replicates = { kind: 'adaptive', min: a.min, max: a.max, outputs: outs, halfWidth: a.until.halfWidth };
    }
  } else if (reps !== undefined) {
    const n = check(fixedReplicates, reps, ['replicates'], problems);
    if (n !== undefined) replicates = { kind: 'fixed', count: n };
  }
  return { designSpec, replicates };
}

export function loadExperimentFile(file: string, opts: LoadOptions): Experiment {
  const doc = readScenarioDoc(file);
  if (!isPlainObject(doc))
    throw new UserError(
      `${file}: an experiment must be a YAML mapping (base, factors, design, replicates, outputs, ...)`,
    );
  return resolveExperiment(doc, file, opts);
}

export function resolveExperiment(doc: Record<string, unknown>, file: string, opts: LoadOptions): Experiment {
  const problems: string[] = [];
  const fail = (): never => {
    throw new UserError(problems, `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:`);
  };
  const spec = check(experimentSpec, doc, [], problems);
  // design and replicates are checked on their own even when the rest of the file is not
  // valid, so that one answer lists the problems of every field
  const { designSpec, replicates } = checkDesignAndReplicates(doc.design, doc.replicates, problems);
  if (!spec) return fail();
  const seriesSpecs: SeriesSpec[] = [];
  spec.series.forEach((s, i) => {
    const v = check(seriesSpec, typeof s === 'string' ? { metric: s } : s, ['series', i], problems);
    if (v) seriesSpecs.push(v);
  });
  if (problems.length) fail();

  // Scenarios: the base, or one per arm.
  const dir = opts.presetsDir ?? defaultPresetsDir();
  const here = dirname(file);
  const overrides: Overrides = { population: spec.base?.population, steps: spec.base?.steps };
  const load = (src: { preset?: string; file?: string }, field: string): ResolvedScenario | undefined => {
    try {
      if (src.file) {
        const path = isAbsolute(src.file) ? src.file : join(here, src.file);
        return loadScenarioFile(path, { registry: opts.registry, dir, overrides });
      }
      return loadPreset(src.preset!, { registry: opts.registry, dir, overrides });
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      problems.push(...e.message.split('\n').map((line, i) => (i === 0 ? `${field}: ${line}` : line)));
      return undefined;
    }
  };
  const arms: Arm[] = [];
  if (spec.arms) {
    if (spec.base?.preset || spec.base?.file)
      problems.push(
        `base.${spec.base.preset ? 'preset' : 'file'}: with arms, every arm names its own scenario; keep only population and steps under base`,
      );
    const names = new Set<string>();
    spec.arms.forEach((a, i) => {
      if (names.has(a.name))
        problems.push(`arms[${i}].name: got ${JSON.stringify(a.name)} twice; arm names must differ`);
      names.add(a.name);
      const s = load(a, `arms[${i}]`);
      if (s) arms.push({ name: a.name, source: a.preset ? `preset ${a.preset}` : a.file!, scenario: s });
    });
  } else if (spec.base?.preset || spec.base?.file) {
    if (spec.base.preset && spec.base.file) problems.push('base: give one of `preset: NAME` or `file: PATH`, not both');
    const s = load(spec.base, 'base');
    if (s)
      arms.push({
        name: 'base',
        source: spec.base.preset ? `preset ${spec.base.preset}` : spec.base.file!,
        scenario: s,
      });
  } else {
    problems.push(
      'base: required, missing; allowed: `base: {preset: NAME}` or `base: {file: PATH}` (or a list of `arms`)',
    );
  }
  if (problems.length) fail();
  const reference = spec.reference ?? arms[0].name;
  if (!arms.some((a) => a.name === reference))
    problems.push(
      `reference: got ${JSON.stringify(reference)}; allowed: one of the arms (${arms.map((a) => a.name).join(', ')})${didYouMean(
        reference,
        arms.map((a) => a.name),
      )}`,
    );
  const steps = arms[0].scenario.steps;
  for (const a of arms.slice(1))
    if (a.scenario.steps !== steps)
      problems.push(
        `arms: arm ${a.name} runs ${a.scenario.steps} steps but ${arms[0].name} runs ${steps}; arms must run equally long (set base.steps)`,
      );

  // Factors: every path must exist in every arm's parameters.
  const factors: Factor[] = [];
  const factorNames = new Set<string>();
  spec.factors.forEach((f, i) => {
    let resolved: Factor | undefined;
    for (const arm of arms) {
      const path = resolveFactorPath(arm.scenario.params, f.path);
      if (typeof path === 'string') {
        problems.push(`factors[${i}].path: ${path}${arms.length > 1 ? ` (arm ${arm.name})` : ''}`);
        return;
      }
      if (!resolved) {
        const entry = opts.registry[arm.scenario.model];
        const name = f.name ?? defaultFactorName(f.path);
        resolved = {
          name,
          path,
          ...(f.range ? { range: f.range } : {}),
          ...(f.levels ? { levels: f.levels } : {}),
          scale: f.scale,
          integer: isIntegerParam(entry.params, path),
        };
      }
    }
    if (!resolved) return;
    if (resolved.range) {
      const [lo, hi] = resolved.range;
      if (!(lo < hi)) problems.push(`factors[${i}].range: got [${lo}, ${hi}]; allowed: [low, high] with low < high`);
      if (f.scale === 'log' && lo <= 0)
        problems.push(`factors[${i}].range: got [${lo}, ${hi}]; a log scale needs low > 0`);
      if (typeof resolved.path.baseValue !== 'number')
        problems.push(
          `factors[${i}].range: ${f.path} holds ${typeof resolved.path.baseValue} values; a range needs a number (use levels: [...])`,
        );
    }
    if (factorNames.has(resolved.name))
      problems.push(`factors[${i}].name: two factors are named ${JSON.stringify(resolved.name)}; give one a \`name\``);
    factorNames.add(resolved.name);
    factors.push(resolved);
  });
  if (factors.length && !designSpec)
    problems.push(`design: required with factors; allowed: one of ${DESIGN_TYPES.join(', ')}`);
  if (!spec.factors.length && designSpec) problems.push(`factors: design ${designSpec.type} needs at least one factor`);
  if (designSpec && designSpec.type !== 'grid')
    factors.forEach((f, i) => {
      if (f.levels && f.levels.length < 2)
        problems.push(`factors[${i}].levels: a ${designSpec!.type} design needs at least two levels to move between`);
    });
  if (designSpec?.type === 'sobol' && factors.length > 32)
    problems.push(`factors: got ${factors.length}; a sobol design takes at most 32 factors`);

  // Outputs and series, against every arm's metrics.
  const outputSpecs: OutputSpec[] = spec.outputs ?? defaultOutputSpecs(opts.registry[arms[0].scenario.model]);
  let outputs: OutputDef[] = [];
  let series: SeriesDef[] = [];
  arms.forEach((arm, a) => {
    const layout = opts.registry[arm.scenario.model].definition.layout(arm.scenario.params);
    const o = resolveOutputs(outputSpecs, layout.metrics, steps, 'outputs');
    const s = resolveSeries(seriesSpecs, layout.metrics, 'series');
    const suffix = arms.length > 1 ? ` (arm ${arm.name})` : '';
    problems.push(...o.problems.map((p) => p + suffix), ...s.problems.map((p) => p + suffix));
    if (a === 0) {
      outputs = o.outputs;
      series = s.series;
    } else if (!o.problems.length && canonicalJson(o.outputs) !== canonicalJson(outputs)) {
      problems.push(
        `outputs: arm ${arm.name} expands \`by\` to other groups or regions than arm ${arms[0].name}; name the keys (by: group=NAME)`,
      );
    }
  });
  if (replicates.kind === 'adaptive') {
    const names = outputs.map((o) => o.name);
    for (const o of replicates.outputs)
      if (!names.includes(o))
        problems.push(
          `replicates.until.output: got ${JSON.stringify(o)}, not an output of this experiment${didYouMean(o, names)}; outputs: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', ...' : ''}`,
        );
  }
  if (problems.length) fail();

  const seed = spec.seed ?? arms[0].scenario.seed;
  const design = buildDesign(factors, designSpec, seed);
  const id = spec.name ?? basename(file, extname(file));
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id))
    problems.push(
      `name: the file name ${JSON.stringify(id)} is not a valid experiment id; set name: (letters, digits, ".", "_", "-")`,
    );
  if (problems.length) fail();
  const definitionHash = createHash('sha256')
    .update(
      canonicalJson({
        arms: arms.map((a) => ({
          name: a.name,
          model: a.scenario.model,
          steps: a.scenario.steps,
          params: a.scenario.params,
        })),
        factors: factors.map((f) => ({
          name: f.name,
          path: f.path.text,
          range: f.range,
          levels: f.levels,
          scale: f.scale,
        })),
        design: designSpec ?? null,
        outputs,
        series,
        seed,
        reference,
      }),
    )
    .digest('hex');
  return {
    id,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    file,
    arms,
    reference,
    factors,
    design,
    ...(designSpec ? { designSpec } : {}),
    outputs,
    series,
    replicates,
    seed,
    steps,
    definitionHash,
  };
}

/** `population.regions.*.camerasPerThousand` → `camerasPerThousand`; `cameras.falseMatchRate` → `cameras_falseMatchRate`. */
export function defaultFactorName(path: string): string {
  const parts = path.split('.').filter((p) => p !== '*' && !/^\d+$/.test(p));
  const last = parts.slice(-2);
  const n =
    (last.length === 2 && /^[a-z]/.test(last[0]) && last[0] !== 'regions' && last[0] !== 'groups'
      ? last.join('_')
      : parts.slice(-1)[0]) ?? 'factor';
  const clean = n.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z]/.test(clean) ? clean : `f_${clean}`;
}

/** Params of `arm` at design point values (not yet validated by the model's schema). */
export function paramsAt(exp: Experiment, arm: Arm, values: readonly unknown[]): Record<string, unknown> {
  let params = arm.scenario.params;
  exp.factors.forEach((f, i) => {
    const path = resolveFactorPath(params, f.path.text);
    if (typeof path === 'string') throw new Error(`factor ${f.name}: ${path}`);
    params = withValue(params, path, values[i]);
  });
  return params;
}
