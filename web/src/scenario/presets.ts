/**
 * The preset gallery's data: each preset scenario file with its parameters resolved
 * against its model's schema (defaults filled in) and the sources it cites, so that every
 * control can say where its default comes from.
 */
import { asIsoDate, isIsoDate } from '../../../src/scenario/dates.js';
import { ASSUMPTION, sources as sourceRegistry } from '../../../src/scenario/sources.js';
import { pageModel, type PageModel } from './models.js';
import { isPlainObject, splitPath, type Tree } from './paths.js';

export interface PresetInfo {
  readonly name: string;
  readonly model: PageModel;
  readonly description: string;
  readonly seed: number;
  readonly steps: number;
  /** The parameters as the file writes them. */
  readonly raw: Tree;
  /** The parameters in effect: the file's, with the model's defaults for the rest. */
  readonly base: Tree;
  /** Parameter path (or a parent path) → source ids, as the file's `sources:` map says. */
  readonly sources: Readonly<Record<string, readonly string[]>>;
  /** A dated preset's start date (YYYY-MM-DD) and its parameters' schedules, passed to every run as the CLI does. */
  readonly start?: string;
  readonly schedules?: Tree;
}

export interface Citation {
  /** Source ids (from the sources registry) or `assumption`. */
  readonly ids: readonly string[];
  /** The `sources:` key that covers the path; undefined when the preset cites nothing for it. */
  readonly via?: string;
}

/** Where a preset's value at `path` comes from: the longest `sources:` key covering it, else `assumption`. */
export function citationOf(preset: PresetInfo, path: string): Citation {
  const parts = splitPath(path);
  for (let i = parts.length; i > 0; i--) {
    const key = parts.slice(0, i).join('.');
    const ids = preset.sources[key];
    if (ids) return { ids, via: key };
  }
  return { ids: [ASSUMPTION] };
}

/** The full citation of a source id. */
export function citationText(id: string): string {
  return Object.prototype.hasOwnProperty.call(sourceRegistry, id) ? sourceRegistry[id] : `unknown source id ${id}`;
}

function sourceIds(ref: unknown): string[] {
  if (typeof ref === 'string')
    return ref
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  return Array.isArray(ref) ? ref.filter((x): x is string => typeof x === 'string') : [];
}

/** Every source id a preset cites, sorted, `assumption` last. */
export function citedIds(preset: PresetInfo): string[] {
  const ids = [...new Set(Object.values(preset.sources).flat())];
  return ids
    .filter((id) => id !== ASSUMPTION)
    .sort()
    .concat(ids.includes(ASSUMPTION) ? [ASSUMPTION] : []);
}

export interface PresetCatalog {
  readonly names: readonly string[];
  get(name: string): PresetInfo | undefined;
}

/** The presets the page offers (models it can run), from parsed scenario files by name. */
export function presetCatalog(docs: Readonly<Record<string, Readonly<Record<string, unknown>>>>): PresetCatalog {
  const infos = new Map<string, PresetInfo>();
  for (const [name, doc] of Object.entries(docs)) {
    const model = typeof doc.model === 'string' ? pageModel(doc.model) : undefined;
    if (!model) continue;
    const raw = isPlainObject(doc.params) ? doc.params : {};
    const parsed = model.params.safeParse(raw);
    if (!parsed.success) throw new Error(`preset ${name} does not validate: ${parsed.error.message}`);
    const sources: Record<string, string[]> = {};
    if (isPlainObject(doc.sources)) for (const [k, v] of Object.entries(doc.sources)) sources[k] = sourceIds(v);
    infos.set(name, {
      name,
      model,
      description: typeof doc.description === 'string' ? doc.description : '',
      seed: typeof doc.seed === 'number' ? doc.seed : 1,
      steps: typeof doc.steps === 'number' ? doc.steps : 100,
      raw,
      base: parsed.data as Tree,
      sources,
      ...(isIsoDate(asIsoDate(doc.start)) ? { start: asIsoDate(doc.start) as string } : {}),
      ...(isPlainObject(doc.schedules) ? { schedules: doc.schedules } : {}),
    });
  }
  // The regime model's presets first (the explorer's subject), then Epstein's runs in order.
  const rank = (p: PresetInfo): number => (p.model.name === 'regime' ? 0 : p.model.name === 'epstein' ? 1 : 2);
  const names = [...infos.values()]
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'en', { numeric: true }))
    .map((p) => p.name);
  return { names, get: (name) => infos.get(name) };
}
