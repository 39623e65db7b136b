/**
 * Reading a calibration file: validate every field, load the (dated) base scenario, resolve
 * the calibrated parameters against the model (paths, schedule points, priors inside the
 * model's ranges), turn every observation and forecast into run outputs on ticks — all
 * before anything runs.
 */
import { createHash } from 'node:crypto';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import type { z } from 'zod';
import type { ParamSchedule } from '../../engine/schedule.js';
import type { ModelRegistry } from '../../models/registry.js';
import { DATE_FORMAT_HINT, asIsoDate, dateOf, isIsoDate, tickOf } from '../../scenario/dates.js';
import { show, UserError } from '../../scenario/errors.js';
import { formatIssues, schemaAt } from '../../scenario/issues.js';
import { defaultPresetsDir, loadPreset, loadScenarioFile, readScenarioDoc } from '../../scenario/load.js';
import { isIntegerParam, isPlainObject, resolveFactorPath, withValue, type FactorPath } from '../../scenario/paths.js';
import { canonicalJson, scheduleKey } from '../../scenario/resolve.js';
import type { ResolvedScenario } from '../../scenario/schema.js';
import { isSourceId } from '../../scenario/sources.js';
import { resolveOutputs, resolveSeries, type OutputDef, type SeriesDef } from '../outputs.js';
import { makePrior, type Prior } from './priors.js';
import type { LoadOptions } from '../load.js';
import { calibrationSpec, type MethodSpec, type QuantitySpec } from './spec.js';

/** A summary of a run at a date or over dates, as run outputs. */
export interface Quantity {
  readonly name: string;
  readonly metric: string;
  readonly key: string;
  readonly stat: QuantitySpec['stat'];
  readonly per?: string;
  readonly counts: boolean;
  /** The date it refers to (value, cumulative) or the first and last dates (total). */
  readonly from: string;
  readonly to: string;
  readonly tickFrom: number;
  readonly tickTo: number;
  /** The run outputs it is computed from: the metric's, then the `per` metric's. */
  readonly outputs: readonly OutputDef[];
}

export interface Observation extends Quantity {
  readonly value: number;
  /** Absolute standard deviation. */
  readonly sd: number;
  readonly sources: readonly string[];
  readonly note?: string;
}

export interface CalibratedParameter {
  readonly name: string;
  readonly path: FactorPath;
  /** Points of the base schedule of `path` it sets; absent: the params value. */
  readonly points?: readonly number[];
  readonly prior: Prior;
}

export interface Calibration {
  readonly id: string;
  readonly description?: string;
  readonly file: string;
  /** `preset NAME` or the scenario file's path. */
  readonly source: string;
  readonly base: ResolvedScenario;
  readonly start: string;
  readonly agents: number;
  /** Simulated counts are multiplied by this (1 without `scale`). */
  readonly scale: number;
  readonly scalePopulation?: number;
  readonly scaleSources: readonly string[];
  readonly parameters: readonly CalibratedParameter[];
  readonly observations: readonly Observation[];
  readonly method: MethodSpec;
  /** Ticks the calibration's runs simulate: through the last observation. */
  readonly steps: number;
  readonly outputs: readonly OutputDef[];
  readonly forecast: {
    readonly draws: number;
    readonly steps: number;
    readonly quantities: readonly Quantity[];
    readonly series: readonly SeriesDef[];
    /** Observations' outputs, then the quantities'. */
    readonly outputs: readonly OutputDef[];
  };
  /** sha256 of what decides the posterior: base, parameters, observations, method (not the forecast). */
  readonly definitionHash: string;
}

export type { LoadOptions };

export function loadCalibrationFile(file: string, opts: LoadOptions): Calibration {
  const doc = readScenarioDoc(file);
  if (!isPlainObject(doc))
    throw new UserError(
      `${file}: a calibration must be a YAML mapping (base, parameters, observations, method, forecast)`,
    );
  return resolveCalibration(doc, file, opts);
}

/** Dates in a YAML document may arrive as Date objects (YAML 1.1 timestamps): make them strings. */
function datesAsText(doc: Record<string, unknown>): Record<string, unknown> {
  const fix = (q: unknown) =>
    isPlainObject(q)
      ? { ...q, ...Object.fromEntries(['date', 'from', 'to'].filter((k) => k in q).map((k) => [k, asIsoDate(q[k])])) }
      : q;
  const out = { ...doc };
  if (Array.isArray(doc.observations)) out.observations = doc.observations.map(fix);
  if (isPlainObject(doc.forecast)) {
    const f = { ...doc.forecast };
    if ('until' in f) f.until = asIsoDate(f.until);
    if (Array.isArray(f.quantities)) f.quantities = f.quantities.map(fix);
    out.forecast = f;
  }
  return out;
}

export function resolveCalibration(raw: Record<string, unknown>, file: string, opts: LoadOptions): Calibration {
  const problems: string[] = [];
  const fail = (): never => {
    throw new UserError(problems, `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:`);
  };
  const doc = datesAsText(raw);
  const parsed = calibrationSpec.safeParse(doc);
  if (!parsed.success) {
    problems.push(...formatIssues(parsed.error.issues, calibrationSpec, doc));
    fail();
  }
  const spec = parsed.data!;

  // The base scenario, which must be dated.
  const dir = opts.presetsDir ?? defaultPresetsDir();
  let base: ResolvedScenario | undefined;
  const b = spec.base;
  if (!b.preset === !b.file) problems.push('base: give one of `preset: NAME` or `file: PATH`');
  else {
    try {
      const overrides = { population: b.population };
      base = b.file
        ? loadScenarioFile(isAbsolute(b.file) ? b.file : join(dirname(file), b.file), {
            registry: opts.registry,
            dir,
            overrides,
          })
        : loadPreset(b.preset!, { registry: opts.registry, dir, overrides });
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      problems.push(...e.message.split('\n').map((line, i) => (i === 0 ? `base: ${line}` : line)));
    }
  }
  if (!base) return fail();
  if (!base.start)
    problems.push(
      `base: the scenario has no start date; a calibration fits dated observations, so its base needs start: YYYY-MM-DD (the date of tick 0)`,
    );
  if (problems.length) fail();
  const start = base.start!;
  const entry = opts.registry[base.model];
  const layout = entry.definition.layout(base.params);
  const agents = layout.agents;

  // Parameters.
  const parameters: CalibratedParameter[] = [];
  const names = new Set<string>();
  spec.parameters.forEach((p, i) => {
    const field = `parameters[${i}]`;
    const path = resolveFactorPath(base.params, p.path);
    if (typeof path === 'string') return void problems.push(`${field}.path: ${path}`);
    if (typeof path.baseValue !== 'number')
      return void problems.push(
        `${field}.path: ${p.path} holds ${typeof path.baseValue} values; allowed: a numeric parameter`,
      );
    if (isIntegerParam(entry.params, path))
      return void problems.push(
        `${field}.path: ${p.path} is a whole number; allowed: a continuous parameter (ABC-SMC perturbs values continuously)`,
      );
    if (p.points) {
      const points = base.schedules?.[p.path];
      if (!points)
        return void problems.push(
          `${field}.points: the base scenario has no schedule for ${p.path}; allowed: points of a schedule the base scenario gives (schedules: ${Object.keys(base.schedules ?? {}).join(', ') || 'none'})`,
        );
      const bad = p.points.find((k) => k >= points.length);
      if (bad !== undefined)
        return void problems.push(
          `${field}.points: got ${bad}; the schedule of ${p.path} has points 0 to ${points.length - 1}`,
        );
    }
    const prior = makePrior(p.prior);
    const [lo, hi] = prior.args;
    if ((prior.kind === 'uniform' || prior.kind === 'loguniform') && !(lo < hi))
      return void problems.push(`${field}.prior: got [${lo}, ${hi}]; allowed: [low, high] with low < high`);
    if (prior.kind === 'loguniform' && !(lo > 0))
      return void problems.push(`${field}.prior.loguniform: got low ${lo}; allowed: low > 0`);
    if ((prior.kind === 'normal' || prior.kind === 'lognormal') && !(hi > 0))
      return void problems.push(`${field}.prior: got sd ${hi}; allowed: sd > 0`);
    // The prior's support must lie inside what the model accepts at this path.
    const leaf = schemaAt(entry.params, path.leaves[0]) as z.ZodType | undefined;
    for (const v of [prior.low, prior.high].filter((x) => Number.isFinite(x))) {
      const res = leaf?.safeParse(v);
      if (res && !res.success)
        problems.push(
          ...formatIssues(res.error.issues, leaf, v, [`${field}.prior`]).map(
            (l) => `${l} (the prior's support must lie inside the model's range for ${p.path})`,
          ),
        );
    }
    const nm =
      p.name ??
      p.path
        .split('.')
        .pop()!
        .replace(/[^A-Za-z0-9_]/g, '_');
    if (names.has(nm)) problems.push(`${field}.name: two parameters are named ${show(nm)}; give one a \`name\``);
    names.add(nm);
    parameters.push({ name: nm, path, ...(p.points ? { points: p.points } : {}), prior });
  });

  // Observations and forecast quantities become outputs on ticks.
  const lastTick = { value: 0 };
  const quantity = (q: QuantitySpec, field: string, steps: number): Quantity | undefined => {
    const dateField = (k: 'date' | 'from' | 'to'): number | undefined => {
      const v = q[k];
      if (v === undefined) return undefined;
      if (!isIsoDate(v)) {
        problems.push(`${field}.${k}: got ${show(v)}; allowed: ${DATE_FORMAT_HINT}`);
        return undefined;
      }
      const t = tickOf(start, v);
      if (t < 1) {
        problems.push(`${field}.${k}: got ${v}; allowed: a date after the base scenario's start ${start}`);
        return undefined;
      }
      return t;
    };
    let from: number | undefined;
    let to: number | undefined;
    if (q.stat === 'total') {
      if (q.date !== undefined || q.from === undefined || q.to === undefined) {
        problems.push(`${field}: stat total needs from: and to: (dates), not date:`);
        return undefined;
      }
      from = dateField('from');
      to = dateField('to');
      if (from !== undefined && to !== undefined && from > to)
        problems.push(`${field}: from ${q.from} is after to ${q.to}`);
    } else {
      if (q.date === undefined || q.from !== undefined || q.to !== undefined) {
        problems.push(`${field}: stat ${q.stat} needs date: (not from:/to:)`);
        return undefined;
      }
      to = dateField('date');
      from = q.stat === 'value' ? to : 1;
    }
    if (from === undefined || to === undefined) return undefined;
    lastTick.value = Math.max(lastTick.value, to);
    const nm = q.name ?? `${q.metric}_${q.stat}_${(q.to ?? q.date)!.replace(/-/g, '_')}`;
    const stat = q.stat === 'value' ? ('mean' as const) : ('total' as const);
    const specs = [
      { name: nm, metric: q.metric, stat, window: [from, to] as [number, number], by: q.by },
      ...(q.per ? [{ name: `${nm}__per`, metric: q.per, stat, window: [from, to] as [number, number], by: q.by }] : []),
    ];
    const r = resolveOutputs(specs, layout.metrics, Math.max(steps, to), field);
    if (r.problems.length) {
      problems.push(...r.problems.map((l) => l.replace(/\[0\]\.|\[1\]\./, '.')));
      return undefined;
    }
    return {
      name: nm,
      metric: q.metric,
      key: r.outputs[0].key,
      stat: q.stat,
      ...(q.per ? { per: q.per } : {}),
      counts: q.counts,
      from: q.stat === 'total' ? q.from! : q.stat === 'cumulative' ? dateOf(start, 1) : q.date!,
      to: q.stat === 'total' ? q.to! : q.date!,
      tickFrom: from,
      tickTo: to,
      outputs: r.outputs,
    };
  };

  const observations: Observation[] = [];
  spec.observations.forEach((o, i) => {
    const field = `observations[${i}]`;
    if ((o.sd === undefined) === (o.relSd === undefined))
      return void problems.push(`${field}: give exactly one of sd: (absolute) or relSd: (relative to the value)`);
    if (o.relSd !== undefined && o.value === 0)
      return void problems.push(`${field}.relSd: the value is 0; give an absolute sd:`);
    const q = quantity(o, field, 0);
    if (!q) return;
    const sources =
      o.source === undefined ? [] : typeof o.source === 'string' ? o.source.split(',').map((s) => s.trim()) : o.source;
    for (const s of sources)
      if (!isSourceId(s))
        problems.push(
          `${field}.source: got ${show(s)}, not in the sources registry; allowed: a source id (see \`panopticon sources\`) or "assumption"`,
        );
    observations.push({
      ...q,
      value: o.value,
      sd: o.sd ?? Math.abs(o.value) * o.relSd!,
      sources,
      ...(o.note ? { note: o.note } : {}),
    });
  });
  const seen = new Set<string>();
  for (const o of observations) {
    if (seen.has(o.name)) problems.push(`observations: two are named ${show(o.name)}; give one a \`name\``);
    seen.add(o.name);
  }
  const steps = lastTick.value;

  const f = spec.forecast ?? { draws: 200, quantities: [], series: [] };
  let until = steps;
  if (f.until !== undefined) {
    if (!isIsoDate(f.until)) problems.push(`forecast.until: got ${show(f.until)}; allowed: ${DATE_FORMAT_HINT}`);
    else until = Math.max(until, tickOf(start, f.until));
  }
  const quantities: Quantity[] = [];
  f.quantities.forEach((q, i) => {
    const r = quantity(q, `forecast.quantities[${i}]`, until);
    if (r) quantities.push(r);
  });
  for (const q of quantities) {
    if (seen.has(q.name))
      problems.push(`forecast.quantities: ${show(q.name)} is named like another quantity; give it a \`name\``);
    seen.add(q.name);
  }
  const predictiveSteps = Math.max(until, lastTick.value);
  const s = resolveSeries(
    f.series.map((metric) => ({ metric, by: 'overall' })),
    layout.metrics,
    'forecast.series',
  );
  problems.push(...s.problems);

  let scaleSources: string[] = [];
  if (spec.scale) {
    const src = spec.scale.source;
    scaleSources = typeof src === 'string' ? src.split(',').map((x) => x.trim()) : src;
    for (const id of scaleSources)
      if (!isSourceId(id)) problems.push(`scale.source: got ${show(id)}, not in the sources registry`);
  }
  const id = spec.name ?? basename(file, extname(file));
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id))
    problems.push(
      `name: the file name ${show(id)} is not a valid calibration id; set name: (letters, digits, ".", "_", "-")`,
    );
  if (Array.isArray(spec.method.tolerance) && spec.method.tolerance.length < spec.method.generations)
    problems.push(
      `method.tolerance: got ${spec.method.tolerance.length} tolerances for ${spec.method.generations} generations; allowed: one ε per generation after the prior's`,
    );
  if (problems.length) fail();

  const outputs = observations.flatMap((o) => o.outputs);
  // The calibrated values in the base do not matter (every run sets them), nor do the
  // stopping rules (a generation does not depend on how many follow it): asking for more
  // generations, or editing a preset's calibrated defaults, goes on with the same calibration.
  const masked = substitute(
    base,
    parameters,
    parameters.map(() => 0),
  );
  const { generations: _g, minEpsilon: _e, minAcceptance: _a, kernel, ...rest } = spec.method;
  // Beaumont's kernel is left out of the identity, as before the `kernel` option existed: those calibrations resume.
  const method = kernel === 'beaumont' ? rest : { ...rest, kernel };
  const definitionHash = createHash('sha256')
    .update(
      canonicalJson({
        model: base.model,
        params: masked.params,
        ...scheduleKey(masked.schedule),
        start,
        parameters: parameters.map((p) => ({
          name: p.name,
          path: p.path.text,
          points: p.points,
          prior: [p.prior.kind, ...p.prior.args],
        })),
        observations: observations.map(({ outputs: _o, ...rest }) => rest),
        outputs,
        method,
        scale: spec.scale?.population ?? null,
        steps,
      }),
    )
    .digest('hex');
  return {
    id,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    file,
    source: b.preset ? `preset ${b.preset}` : b.file!,
    base,
    start,
    agents,
    scale: spec.scale ? spec.scale.population / agents : 1,
    ...(spec.scale ? { scalePopulation: spec.scale.population } : {}),
    scaleSources,
    parameters,
    observations,
    method: spec.method,
    steps,
    outputs,
    forecast: {
      draws: f.draws,
      steps: predictiveSteps,
      quantities,
      series: s.series,
      outputs: [...outputs, ...quantities.flatMap((q) => q.outputs)],
    },
    definitionHash,
  };
}

/** The base's params and schedule with each calibrated parameter set to its value (unvalidated). */
function substitute(
  base: ResolvedScenario,
  parameters: readonly CalibratedParameter[],
  values: readonly number[],
): { params: Record<string, unknown>; schedule?: ParamSchedule } {
  let params = base.params;
  let schedule = base.schedule;
  parameters.forEach((p, i) => {
    if (!p.points) params = withValue(params, p.path, values[i]);
    else {
      const leaves = new Set(p.path.leaves.map((l) => l.join('\u0000')));
      schedule = schedule!.map((s) =>
        leaves.has(s.path.join('\u0000'))
          ? { ...s, points: s.points.map((pt, k) => (p.points!.includes(k) ? { ...pt, value: values[i] } : pt)) }
          : s,
      );
    }
  });
  return { params, ...(schedule ? { schedule } : {}) };
}

/**
 * The parameters and schedule of a run at `values` (one per calibrated parameter, on the
 * value scale), or the first reason the model refuses them.
 */
export function scenarioAt(
  cal: Calibration,
  registry: ModelRegistry,
  values: readonly number[],
): { params: Record<string, unknown>; schedule?: ParamSchedule } | string {
  const { params, schedule } = substitute(cal.base, cal.parameters, values);
  const entry = registry[cal.base.model];
  const res = entry.params.safeParse(params);
  if (!res.success) return `${res.error.issues[0]?.path.join('.')}: ${res.error.issues[0]?.message}`;
  for (const p of cal.parameters) {
    if (!p.points) continue;
    const leaf = schemaAt(entry.params, p.path.leaves[0]) as z.ZodType | undefined;
    const v = values[cal.parameters.indexOf(p)];
    if (leaf && !leaf.safeParse(v).success) return `${p.path.text}: ${v} is outside the model's range`;
  }
  return { params: res.data as Record<string, unknown>, ...(schedule ? { schedule } : {}) };
}
