/**
 * Where a run's numbers came from: the software, the scenario, the seed, and every parameter
 * in effect with the source it cites (full citation from the sources registry) or the plain
 * statement that it is an assumption.
 */
import { leafPaths } from '../../scenario/resolve.js';
import { ASSUMPTION, sources as registry } from '../../scenario/sources.js';

export interface ParameterRecord {
  /** Dotted path into the model's parameters, e.g. `cameras.falseMatchRate`. */
  readonly path: string;
  readonly value: unknown;
  /** Source ids from the sources registry; ['assumption'] when none is cited; [] when the citations are not known. */
  readonly sources: readonly string[];
  /** The path (itself or a parent) the citation is attached to; null for a model default nobody cited. */
  readonly citedAt: string | null;
  /** Set when an experiment varies this parameter: its range or levels. */
  readonly varied?: string;
}

export interface RunProvenance {
  readonly runId: string;
  readonly letter?: string;
  readonly model: string;
  readonly preset: string | null;
  readonly name: string | null;
  readonly description: string | null;
  /** Panopticon version that ran it. */
  readonly version: string;
  /** Git commit that ran it, when the store recorded one. */
  readonly commit: string | null;
  readonly scenarioHash: string;
  readonly seed: number;
  readonly steps: number;
  readonly agents: number;
  readonly threads: number;
  readonly status: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly wallSeconds: number | null;
  readonly parameters: readonly ParameterRecord[];
  /** The model's ODD description: its path in the package and a link, when one is known. */
  readonly odd: { readonly path: string; readonly href: string | null } | null;
}

/** The software that wrote the report or figures. */
export interface GeneratorInfo {
  readonly name: 'Panopticon';
  readonly version: string;
  readonly commit: string | null;
  /** True when the working tree had uncommitted changes. */
  readonly dirty: boolean;
  /** ISO 8601 time the report was written. */
  readonly at: string;
  /** The command line, as typed (file paths relative). */
  readonly command: string;
}

/**
 * Every leaf parameter with the most specific source entry that covers it (the path itself or
 * a parent). A value nobody cited is a model default the scenario left alone: an assumption.
 */
export function parameterRecords(
  params: Readonly<Record<string, unknown>>,
  cited: Readonly<Record<string, readonly string[]>> | null,
): ParameterRecord[] {
  return leafPaths(params).map((path) => {
    if (cited === null) return { path, value: valueAt(params, path), sources: [], citedAt: null };
    let at: string | null = null;
    for (const key of Object.keys(cited)) {
      if ((path === key || path.startsWith(`${key}.`)) && (at === null || key.length > at.length)) at = key;
    }
    const ids = at !== null && cited[at].length ? [...cited[at]] : [ASSUMPTION];
    return { path, value: valueAt(params, path), sources: ids, citedAt: at };
  });
}

function valueAt(tree: unknown, path: string): unknown {
  let v = tree;
  for (const part of path.split('.')) {
    if (Array.isArray(v)) v = v[Number(part)];
    else if (v && typeof v === 'object') v = (v as Record<string, unknown>)[part];
    else return undefined;
  }
  return v;
}

export interface Citation {
  readonly id: string;
  readonly citation: string;
}

/** Full citations of the ids used, in first-use order; unknown ids say so rather than vanish. */
export function citationsFor(ids: Iterable<string>): Citation[] {
  const seen = [...new Set(ids)];
  return seen.map((id) => ({
    id,
    citation: Object.prototype.hasOwnProperty.call(registry, id)
      ? registry[id]
      : `(not in this version's sources registry)`,
  }));
}

/** The ODD page of a model, relative to the package root. */
export function oddPathFor(model: string): string | null {
  if (model.startsWith('regime')) return 'docs/odd/regime.md';
  if (model.startsWith('epstein')) return 'docs/odd/epstein.md';
  return null;
}

/** A parameter value as text: lists inline, strings quoted only when they could look like numbers. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export interface ExperimentArmProvenance {
  readonly name: string;
  /** `preset NAME` or the scenario file it came from. */
  readonly source: string;
  readonly model: string;
  readonly isReference: boolean;
  /** Parameters of the arm's first design point (factors' values there; `varied` says how they vary). */
  readonly parameters: readonly ParameterRecord[];
  /** Where the citations came from, or why they are not known. */
  readonly sourcesNote: string;
  readonly odd: { readonly path: string; readonly href: string | null } | null;
}

export interface ExperimentProvenance {
  readonly id: string;
  readonly description: string | null;
  readonly file: string;
  readonly design: string;
  readonly points: number;
  readonly seed: number;
  readonly steps: number;
  readonly replicates: string;
  readonly definitionHash: string;
  /** Panopticon version that ran it, `VERSION+HASH` with a hash of the engine and model code (src/experiments/plan.ts). */
  readonly version: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly status: string;
  readonly runsPlanned: number | null;
  readonly runsStored: number | null;
  readonly runsFailed: number | null;
  readonly factors: readonly { name: string; path: string; range: string }[];
  readonly outputs: readonly { name: string; metric: string; stat: string; key: string; window: string }[];
  readonly arms: readonly ExperimentArmProvenance[];
}
