/**
 * What the explorer is set to: one scenario (a preset and the parameters the user changed)
 * or two side by side, and the run settings they share — seed (common random numbers in a
 * comparison), days and, for models that synthesize their population, its size.
 */
import { diffLeaves, getAt, setAt, type Tree } from './paths.js';
import type { PresetCatalog, PresetInfo } from './presets.js';

/** Residents of a regime run unless the user says otherwise: a year answers in a couple of seconds. */
export const DEFAULT_AGENTS = 100_000;
export const AGENTS_PATH = 'population.agents';

export interface Side {
  readonly preset: string;
  /** The parameters in effect (the preset's, with the user's changes). May be invalid while edited. */
  readonly params: Tree;
}

export interface Settings {
  readonly seed: number;
  readonly steps: number;
  /** Population size for models that synthesize one (`population.agents`); ignored otherwise. */
  readonly agents: number;
}

export interface ExplorerState {
  readonly a: Side;
  /** The second scenario of a comparison, run on the same seed. */
  readonly b: Side | null;
  readonly settings: Settings;
}

export function presetOrThrow(catalog: PresetCatalog, name: string): PresetInfo {
  const p = catalog.get(name);
  if (!p) throw new Error(`unknown preset ${JSON.stringify(name)}`);
  return p;
}

export function sideOf(preset: PresetInfo): Side {
  return { preset: preset.name, params: preset.base };
}

/** The run settings a preset suggests: its seed and days, and a population that answers fast. */
export function defaultSettings(preset: PresetInfo): Settings {
  const agents = getAt(preset.base, AGENTS_PATH);
  return {
    seed: preset.seed,
    steps: preset.steps,
    agents: typeof agents === 'number' ? Math.min(agents, DEFAULT_AGENTS) : DEFAULT_AGENTS,
  };
}

export function initialState(catalog: PresetCatalog, name: string): ExplorerState {
  const preset = presetOrThrow(catalog, name);
  return { a: sideOf(preset), b: null, settings: defaultSettings(preset) };
}

/** The side's parameters as they run: with the population size of the settings. */
export function effectiveParams(catalog: PresetCatalog, side: Side, settings: Settings): Tree {
  const preset = presetOrThrow(catalog, side.preset);
  return preset.model.scalable ? setAt(side.params, AGENTS_PATH, settings.agents) : side.params;
}

/** Parameters that differ from the preset's, path → value (the population size included). */
export function changedParams(catalog: PresetCatalog, side: Side, settings: Settings): [string, unknown][] {
  return diffLeaves(presetOrThrow(catalog, side.preset).base, effectiveParams(catalog, side, settings));
}

/** A complete scenario document for the run worker (and the CLI's resolver): nothing left to merge. */
export function runDocument(catalog: PresetCatalog, side: Side, settings: Settings): Tree {
  const preset = presetOrThrow(catalog, side.preset);
  return {
    model: preset.model.name,
    preset: preset.name,
    seed: settings.seed,
    steps: settings.steps,
    ...(preset.start ? { start: preset.start } : {}),
    ...(preset.schedules ? { schedules: preset.schedules } : {}),
    params: effectiveParams(catalog, side, settings),
  };
}
