/**
 * The model registry: every model a scenario may name, by key. Worker threads (Node or
 * browser) import this module to find a model's definition by name, so it must stay
 * free of side effects and of Node-only imports.
 */
import type { z } from 'zod';
import type { ModelDefinition } from '../engine/model.js';
import { contagionHeadline, contagionModel, contagionParams } from './contagion/index.js';
import { epsteinHeadline, epsteinModel, epsteinParams, epsteinReferenceModel } from './epstein/index.js';
import { epstein2Headline, epstein2Model, epstein2Params } from './epstein2/index.js';
import { ensignUrnHeadline, ensignUrnModel, ensignUrnParams } from './ensign-urn/index.js';
import { granovetterHeadline, granovetterModel, granovetterParams } from './granovetter/index.js';
import { dissentHeadline, dissentModel, dissentParams } from './dissent/index.js';
import { regimeComparison, regimeHeadline, regimeModel, regimeParams, regimeReferenceModel } from './regime/index.js';

/** One line of `compare`: a whole-population metric and the statistic of its series to show. */
export interface ComparisonRow {
  readonly metric: string;
  /** final value, mean or max over ticks, or total over the steps (for daily flows). */
  readonly stat: 'final' | 'mean' | 'max' | 'total';
  readonly label: string;
}

export interface ModelEntry<P = unknown> {
  readonly definition: ModelDefinition<P>;
  /** The model's parameter schema (strict: unknown keys are errors). */
  readonly params: z.ZodType<P>;
  /** Metric names (whole-population key '') shown in the end-of-run summary and in compare. */
  readonly headline: readonly string[];
  readonly description: string;
  /** What `compare` shows: stability and harm side by side (DESIGN.md §4). */
  readonly comparison?: { readonly stability: readonly ComparisonRow[]; readonly harm: readonly ComparisonRow[] };
}

export type ModelRegistry = Readonly<Record<string, ModelEntry>>;

function entry<P>(e: ModelEntry<P>): ModelEntry {
  return e as unknown as ModelEntry;
}

export const models: ModelRegistry = Object.freeze({
  epstein: entry({
    definition: epsteinModel,
    params: epsteinParams,
    headline: epsteinHeadline,
    description: 'Classic civil-violence model (Epstein 2002): citizens, cops, jail on a torus lattice',
  }),
  'epstein-reference': entry({
    definition: epsteinReferenceModel,
    params: epsteinParams,
    headline: epsteinHeadline,
    description:
      'Epstein (2002) Model I written as the rules read (window scans, explicit lists): the reference the fast model is docked against; small lattices',
  }),
  epstein2: entry({
    definition: epstein2Model,
    params: epstein2Params,
    headline: epstein2Headline,
    description:
      'Epstein (2002) Model II: inter-group violence between two groups, cloning, death by age, optional cops',
  }),
  regime: entry({
    definition: regimeModel,
    params: regimeParams,
    headline: regimeHeadline,
    comparison: regimeComparison,
    description: 'Surveillance and social-credit regime acting on a synthetic population (one tick = one day)',
  }),
  'regime-reference': entry({
    definition: regimeReferenceModel,
    params: regimeParams,
    headline: regimeHeadline,
    comparison: regimeComparison,
    description:
      'The regime model written straight (every resident, every system, every day): the reference the fast model is docked against; small populations',
  }),
  'ensign-urn': entry({
    definition: ensignUrnModel,
    params: ensignUrnParams,
    headline: ensignUrnHeadline,
    description:
      'Ensign et al. (2018): the predictive-policing feedback loop as a Pólya urn; one agent = one urn of two regions, one tick = one day',
  }),
  granovetter: entry({
    definition: granovetterModel,
    params: granovetterParams,
    headline: granovetterHeadline,
    description:
      'Granovetter (1978): threshold models of collective behaviour; people join once enough of their crowd has, one tick = one round',
  }),
  dissent: entry({
    definition: dissentModel,
    params: dissentParams,
    headline: dissentHeadline,
    description:
      'Daymude, Axelrod & Forrest (2025): individuals weigh dissent against punishment and comply, self-censor or defy; the authority may adapt its policy',
  }),
  contagion: entry({
    definition: contagionModel,
    params: contagionParams,
    headline: contagionHeadline,
    description: 'Small synchronous contagion on a ring of cells; exercises the parallel engine (not a study model)',
  }),
});

export function getModel(name: string): ModelEntry | undefined {
  return Object.prototype.hasOwnProperty.call(models, name) ? models[name] : undefined;
}
