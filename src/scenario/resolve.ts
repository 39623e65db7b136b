/**
 * Resolution of a scenario document (already parsed from YAML) into a ResolvedScenario:
 * merge onto its preset, apply overrides, validate the envelope, the model's params and
 * the sources, and check that the state fits in memory. Pure: no file or Node access,
 * so the browser explorer can use it too.
 */
import type { ModelLayout } from '../engine/model.js';
import { estimateStateBytes } from '../engine/simulation.js';
import type { ModelEntry, ModelRegistry } from '../models/registry.js';
import { clip, didYouMean, formatBytes, show, UserError } from './errors.js';
import { asIsoDate, DATE_FORMAT_HINT, isIsoDate } from './dates.js';
import { formatIssues } from './issues.js';
import { resolveSchedules, type ResolvedSchedules } from './schedules.js';
import { envelopeSchema, type ResolvedScenario } from './schema.js';
import { ASSUMPTION, isSourceId, sources as sourceRegistry } from './sources.js';

export type ScenarioDoc = Record<string, unknown>;

export interface Overrides {
  seed?: unknown;
  steps?: unknown;
  threads?: unknown;
  /** Scales a model's population (params.population.agents), keeping every share and density. */
  population?: unknown;
}

export interface ResolveOptions {
  readonly registry: ModelRegistry;
  /** Where the document came from, for messages (a path or `preset NAME`). */
  readonly origin: string;
  /** True when the document is a preset file: stricter rules (name, sources for every param). */
  readonly isPreset?: boolean;
  /** Name the preset must carry (its file name), when isPreset. */
  readonly presetName?: string;
  /** Returns a preset's raw document; called when the document has `preset:`. */
  readonly presetDoc?: (name: string) => ScenarioDoc;
  readonly overrides?: Overrides;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Merge plain objects key by key at every depth; lists and values replace what they override. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(v) && isPlainObject(base[k]) ? deepMerge(base[k], v) : v;
  }
  return out;
}

/**
 * Merge a scenario document onto its preset's: top-level keys replace; params merge key by
 * key at every depth (setting `cameras.falseMatchRate` keeps the preset's other camera
 * values); the preset's sources are dropped for every value the document sets, so no
 * citation stays attached to a number it no longer backs.
 */
export function mergeOntoPreset(base: ScenarioDoc, doc: ScenarioDoc): ScenarioDoc {
  const merged: ScenarioDoc = { ...base, ...doc };
  delete merged.name;
  if (doc.name !== undefined) merged.name = doc.name;
  if (isPlainObject(base.params) && isPlainObject(doc.params)) merged.params = deepMerge(base.params, doc.params);
  // A schedule replaces the preset's for the same parameter; the preset's others stay.
  if (isPlainObject(base.schedules) && isPlainObject(doc.schedules))
    merged.schedules = { ...base.schedules, ...doc.schedules };
  if (isPlainObject(base.sources)) {
    const overridden = [
      ...(isPlainObject(doc.params) ? leafPaths(doc.params) : []),
      ...(isPlainObject(doc.schedules) ? Object.keys(doc.schedules) : []),
    ];
    const kept = Object.entries(base.sources).filter(
      ([key]) => !overridden.some((leaf) => key === leaf || key.startsWith(`${leaf}.`)),
    );
    merged.sources = { ...Object.fromEntries(kept), ...(isPlainObject(doc.sources) ? doc.sources : {}) };
  }
  return merged;
}

export function resolveScenario(input: unknown, opts: ResolveOptions): ResolvedScenario {
  if (!isPlainObject(input)) {
    throw new UserError(
      `${opts.origin}: a scenario must be a YAML mapping of fields (model, seed, steps, params, ...)`,
    );
  }
  let doc: ScenarioDoc = { ...input };
  const problems: string[] = [];

  if (doc.preset !== undefined) {
    if (opts.isPreset) {
      problems.push(`preset: got ${show(doc.preset)}; a preset file cannot start from another preset`);
    } else if (typeof doc.preset === 'string' && opts.presetDoc) {
      doc = mergeOntoPreset(opts.presetDoc(doc.preset), doc);
    }
  }
  if (opts.isPreset) doc.preset = opts.presetName;
  const { population, ...envelopeOverrides } = opts.overrides ?? {};
  for (const [k, v] of Object.entries(envelopeOverrides)) if (v !== undefined) doc[k] = v;
  if (population !== undefined && (typeof population !== 'number' || !Number.isInteger(population) || population < 1)) {
    problems.push(`population (--population): got ${show(population)}; allowed: a whole number of agents`);
  } else if (population !== undefined) {
    // Every other population number is a share or a density, so setting the count scales it.
    const params = isPlainObject(doc.params) ? doc.params : {};
    if (isPlainObject(params.population)) {
      doc.params = { ...params, population: { ...params.population, agents: population } };
    } else {
      problems.push(
        `population: got ${show(population)}; model ${show(doc.model)} has no population.agents to scale (allowed only for models with a synthesized population, e.g. regime)`,
      );
    }
  }

  if (doc.start !== undefined) doc.start = asIsoDate(doc.start);
  const names = Object.keys(opts.registry);
  const envelope = envelopeSchema(names);
  const parsed = envelope.safeParse(doc);
  if (!parsed.success) problems.push(...formatIssues(parsed.error.issues, envelope, doc));
  const start = typeof doc.start === 'string' && isIsoDate(doc.start) ? doc.start : undefined;
  if (typeof doc.start === 'string' && !start)
    problems.push(`start: got ${show(doc.start)}; allowed: ${DATE_FORMAT_HINT}, the date of tick 0`);

  if (opts.isPreset) {
    if (doc.name === undefined)
      problems.push(`name: required in a preset file; allowed: ${JSON.stringify(opts.presetName)} (the file name)`);
    else if (doc.name !== opts.presetName)
      problems.push(
        `name: got ${show(doc.name)}; allowed: ${JSON.stringify(opts.presetName)} (a preset's name is its file name)`,
      );
    if (typeof doc.description !== 'string' || !doc.description.trim())
      problems.push('description: required in a preset file; allowed: a one-line description');
  }

  const modelName = typeof doc.model === 'string' ? doc.model : undefined;
  const entry: ModelEntry | undefined =
    modelName !== undefined && Object.prototype.hasOwnProperty.call(opts.registry, modelName)
      ? opts.registry[modelName]
      : undefined;

  let params: Record<string, unknown> | undefined;
  if (entry && isPlainObject(doc.params ?? {})) {
    const raw = doc.params ?? {};
    const res = entry.params.safeParse(raw);
    if (res.success) params = res.data as Record<string, unknown>;
    else problems.push(...formatIssues(res.error.issues, entry.params, raw, ['params']));
  }
  let scheduled: ResolvedSchedules | undefined;
  if (entry && params && doc.schedules !== undefined && (start || doc.start === undefined)) {
    scheduled = resolveSchedules(doc.schedules, { ...(start ? { start } : {}), params, entry });
    problems.push(...scheduled.problems);
  }

  const srcOut: Record<string, string[]> = {};
  const sourceIds = Object.keys(sourceRegistry);
  const tree = params ?? (isPlainObject(doc.params) ? doc.params : {});
  if (isPlainObject(doc.sources)) {
    for (const [key, ref] of Object.entries(doc.sources)) {
      // Only against validated params: the raw tree lacks the defaults a preset may cite.
      if (entry && params) {
        const miss = missingPath(tree, key);
        if (miss) {
          problems.push(`sources.${clip(key)}: no parameter ${show(key)} in model ${entry.definition.name}${miss}`);
          continue;
        }
      }
      const ids = typeof ref === 'string' ? ref.split(',').map((x) => x.trim()) : Array.isArray(ref) ? ref : [];
      for (const id of ids) {
        if (typeof id === 'string' && !isSourceId(id)) {
          problems.push(
            `sources.${clip(key)}: got ${show(id)}, not in the sources registry; allowed: a source id (see \`panopticon sources\`) or "${ASSUMPTION}"${didYouMean(id, sourceIds)}`,
          );
        }
      }
      srcOut[key] = ids.filter((id): id is string => typeof id === 'string');
    }
  }
  if (opts.isPreset && entry && params) {
    // every value the preset file writes needs a source; model defaults it leaves alone are the model's
    const have = new Set(isPlainObject(doc.sources) ? Object.keys(doc.sources) : []);
    // a scheduled parameter is cited under its own path, for its value and its schedule alike
    const scheduledPaths = Object.keys(scheduled?.schedules ?? {});
    for (const leaf of [...leafPaths(doc.params ?? {}), ...scheduledPaths]) {
      const parts = leaf.split('.');
      let covered = false;
      for (let i = 1; i <= parts.length && !covered; i++) covered = have.has(parts.slice(0, i).join('.'));
      if (!covered)
        problems.push(
          `sources.${leaf}: missing; every parameter of a preset needs a source id or "${ASSUMPTION}" (on it or on a parent path)`,
        );
    }
  }

  if (problems.length || !parsed.success || !params) {
    throw new UserError(problems, `${opts.origin}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:`);
  }
  const s = parsed.data;
  return {
    ...(s.name !== undefined ? { name: s.name } : {}),
    ...(s.description !== undefined ? { description: s.description } : {}),
    model: s.model,
    ...(s.preset !== undefined ? { preset: s.preset } : {}),
    seed: s.seed,
    steps: s.steps,
    ...(s.threads !== undefined ? { threads: s.threads } : {}),
    ...(start ? { start } : {}),
    params,
    ...(scheduled && Object.keys(scheduled.schedules).length
      ? { schedules: scheduled.schedules, schedule: scheduled.schedule }
      : {}),
    sources: srcOut,
  };
}

/**
 * Dotted paths of the leaves of a params tree: numbers, strings, booleans and lists of
 * them are leaves; mappings and lists of mappings are walked into (list items by index).
 */
export function leafPaths(value: unknown, prefix = ''): string[] {
  const join = (k: string | number) => (prefix ? `${prefix}.${k}` : String(k));
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    return keys.length ? keys.flatMap((k) => leafPaths(value[k], join(k))) : prefix ? [prefix] : [];
  }
  if (Array.isArray(value) && value.some((v) => isPlainObject(v) || Array.isArray(v))) {
    return value.flatMap((v, i) => leafPaths(v, join(i)));
  }
  return prefix ? [prefix] : [];
}

/** '' if `path` (dotted) exists in `tree`, else a hint naming the nearest valid path. */
function missingPath(tree: unknown, path: string): string {
  const parts = path.split('.');
  let node: unknown = tree;
  for (let i = 0; i < parts.length; i++) {
    const here = parts.slice(0, i).join('.');
    const children = isPlainObject(node) ? Object.keys(node) : Array.isArray(node) ? node.map((_, j) => String(j)) : [];
    if (!children.includes(parts[i])) {
      if (!children.length) return `; ${show(here)} has no sub-parameters`;
      if (Array.isArray(node)) return `; ${show(here)} is a list with items 0 to ${node.length - 1}`;
      const hint = didYouMean(parts[i], children);
      return hint
        ? hint.replace(/`([^`]*)`/, (_, k: string) => `\`${here ? `${here}.` : ''}${k}\``)
        : `; allowed here: ${children.slice(0, 12).join(', ')}${children.length > 12 ? ', ...' : ''}`;
    }
    node = isPlainObject(node) ? node[parts[i]] : (node as unknown[])[Number(parts[i])];
  }
  return '';
}

export interface MemoryEstimate {
  readonly layout: ModelLayout;
  readonly agents: number;
  readonly stateBytes: number;
}

/**
 * Compute the run's layout and state size, and refuse it if the state would not fit in
 * `availableBytes`. Nothing is allocated here beyond the layout itself.
 */
export function checkMemory(
  scenario: ResolvedScenario,
  registry: ModelRegistry,
  availableBytes: number,
): MemoryEstimate {
  const entry = registry[scenario.model];
  let layout: ModelLayout;
  try {
    layout = entry.definition.layout(scenario.params);
  } catch (e) {
    throw new UserError(`params: the model cannot lay out this population: ${(e as Error).message}`);
  }
  const stateBytes = estimateStateBytes(layout);
  if (stateBytes > availableBytes) throw tooLarge(scenario, layout.agents, stateBytes, availableBytes);
  return { layout, agents: layout.agents, stateBytes };
}

/** Memory a worker thread costs beyond the shared state (its own heap and code; measured ≈ 30–90 MB). */
export const WORKER_OVERHEAD_BYTES = 96 * 2 ** 20;

/** Refuse a run whose state plus its worker threads would not fit, before anything is allocated. */
export function checkWorkers(
  scenario: ResolvedScenario,
  estimate: MemoryEstimate,
  threads: number,
  availableBytes: number,
): void {
  const workers = threads > 1 ? threads : 0;
  const total = estimate.stateBytes + workers * WORKER_OVERHEAD_BYTES;
  if (total > availableBytes) {
    const why = `${formatBytes(estimate.stateBytes)} of state + ${workers} worker threads × ${formatBytes(WORKER_OVERHEAD_BYTES)}`;
    throw new UserError(
      `threads: got ${threads}; this run needs ${formatBytes(total)} (${why}) but only ${formatBytes(availableBytes)} is available; use fewer threads`,
    );
  }
}

function tooLarge(scenario: ResolvedScenario, agents: number, stateBytes: number, availableBytes: number): UserError {
  const perAgent = stateBytes / Math.max(1, agents);
  const fits = Math.floor(availableBytes / perAgent);
  const scaled = isPlainObject((scenario.params as Record<string, unknown>).population);
  const field = scaled ? 'params.population.agents' : 'params';
  const hint = scaled
    ? `at most about ${fits.toLocaleString('en-US')} agents fit (--population N)`
    : 'reduce the population';
  return new UserError(
    `${field}: this scenario needs ${formatBytes(stateBytes)} of state for ${agents.toLocaleString('en-US')} agents ` +
      `(${perAgent.toFixed(1)} bytes each), but only ${formatBytes(availableBytes)} is available; ${hint}`,
  );
}

/** JSON with object keys sorted at every level: equal scenarios give equal strings. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The part of a scenario that determines its results (not names, sources or thread count). */
export function resultDefiningPart(s: ResolvedScenario): Record<string, unknown> {
  // A scenario without schedules hashes as before they existed; the start date only labels ticks.
  return { model: s.model, seed: s.seed, steps: s.steps, params: s.params, ...scheduleKey(s.schedule) };
}

/** The schedule's part of a run's identity: absent when there is none. */
export function scheduleKey(schedule: ResolvedScenario['schedule']): { schedule?: unknown } {
  return schedule?.length ? { schedule } : {};
}
