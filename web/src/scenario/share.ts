/**
 * Share links: the explorer's state in the URL's fragment (after `#`, so it never reaches
 * a server), readable and exact:
 *
 *   #preset=national-blacklist&seed=1&days=365&agents=100000&p.police.detentionDays=30
 *    &compare=high-intensity&c.cameras.falseMatchRate=0.001
 *
 * `p.PATH` and `c.PATH` are the parameters of the first and second scenario that differ
 * from their preset, as JSON (numbers print the shortest text that reads back to the same
 * double, so a link reproduces the same numbers bit for bit). Anything a link asks for
 * that the page cannot honour is reported, never dropped in silence.
 */
import { AGENTS_PATH, changedParams, defaultSettings, sideOf, type ExplorerState, type Side } from './state.js';
import { getAt, isPlainObject, setAt, splitPath } from './paths.js';
import type { PresetCatalog } from './presets.js';

/** Longest fragment the page reads (a link is typed, pasted and mailed: far below browser limits). */
export const MAX_SHARE_LENGTH = 100_000;
const MAX_ENTRIES = 2_000;

function encodeSide(out: URLSearchParams, prefix: string, changes: [string, unknown][]): void {
  for (const [path, value] of changes) if (path !== AGENTS_PATH) out.append(`${prefix}.${path}`, JSON.stringify(value));
}

/** The fragment (without `#`) that reproduces `state`. */
export function encodeShare(catalog: PresetCatalog, state: ExplorerState): string {
  const out = new URLSearchParams();
  out.set('preset', state.a.preset);
  out.set('seed', String(state.settings.seed));
  out.set('days', String(state.settings.steps));
  const model = catalog.get(state.a.preset)?.model;
  if (model?.scalable) out.set('agents', String(state.settings.agents));
  encodeSide(out, 'p', changedParams(catalog, state.a, state.settings));
  if (state.b) {
    out.set('compare', state.b.preset);
    encodeSide(out, 'c', changedParams(catalog, state.b, state.settings));
  }
  return out.toString();
}

export interface Decoded {
  readonly state: ExplorerState;
  /** One line per part of the link that could not be applied. */
  readonly problems: readonly string[];
}

function wholeNumber(text: string | null, min: number, max: number): number | undefined {
  if (text === null || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

/** A path the preset's parameter tree has (a list item must exist: lists of other lengths come whole). */
function settable(tree: unknown, path: string): boolean {
  const parts = splitPath(path);
  if (!parts.length) return false;
  const parent = getAt(tree, parts.slice(0, -1).join('.'));
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) return /^\d+$/.test(last) && Number(last) < parent.length;
  return isPlainObject(parent) && Object.prototype.hasOwnProperty.call(parent, last);
}

/** Read a fragment (with or without `#`); unknown presets fall back to `fallback`. */
export function decodeShare(catalog: PresetCatalog, fragment: string, fallback: string): Decoded {
  const problems: string[] = [];
  let text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (text.length > MAX_SHARE_LENGTH) {
    problems.push(`the link is ${text.length} characters long; at most ${MAX_SHARE_LENGTH} are read`);
    text = '';
  }
  const query = new URLSearchParams(text);
  const entries = [...query.entries()];
  if (entries.length > MAX_ENTRIES) {
    problems.push(`the link sets ${entries.length} values; at most ${MAX_ENTRIES} are read`);
    entries.length = 0;
  }
  const presetOf = (key: string, wanted: string | null): string => {
    if (wanted === null) return fallback;
    if (catalog.get(wanted)) return wanted;
    problems.push(`${key}: no preset ${JSON.stringify(wanted)}; showing ${fallback}`);
    return fallback;
  };
  const get = (key: string): string | null => entries.find(([k]) => k === key)?.[1] ?? null;
  const a = catalog.get(presetOf('preset', get('preset')))!;
  const comparing = get('compare');
  const b = comparing === null ? null : catalog.get(presetOf('compare', comparing))!;
  if (b && b.model.name !== a.model.name) {
    problems.push(`compare: ${b.name} runs model ${b.model.name}, not ${a.model.name}; comparisons pair one model`);
  }
  const defaults = defaultSettings(a);
  const setting = (key: string, min: number, max: number, fallbackValue: number): number => {
    const given = get(key);
    if (given === null) return fallbackValue;
    const n = wholeNumber(given, min, max);
    if (n === undefined) {
      problems.push(`${key}: got ${JSON.stringify(given)}; allowed: a whole number in [${min}, ${max}]`);
      return fallbackValue;
    }
    return n;
  };
  const settings = {
    seed: setting('seed', 0, Number.MAX_SAFE_INTEGER, defaults.seed),
    steps: setting('days', 1, 2 ** 31 - 1, defaults.steps),
    agents: setting('agents', 1, 2_000_000_000, defaults.agents),
  };
  const apply = (prefix: string, side: Side): Side => {
    const base = side.params;
    let params = base;
    for (const [key, raw] of entries) {
      if (!key.startsWith(`${prefix}.`)) continue;
      const path = key.slice(prefix.length + 1);
      if (!settable(base, path)) {
        problems.push(`${key}: preset ${side.preset} has no parameter ${JSON.stringify(path)}`);
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        problems.push(`${key}: got ${JSON.stringify(raw.slice(0, 60))}, not a JSON value`);
        continue;
      }
      params = setAt(params, path, value);
    }
    return { preset: side.preset, params };
  };
  const known = new Set(['preset', 'seed', 'days', 'agents', 'compare']);
  for (const [key] of entries) {
    if (!known.has(key) && !key.startsWith('p.') && !key.startsWith('c.'))
      problems.push(`${key}: not something a link sets (preset, seed, days, agents, compare, p.PATH, c.PATH)`);
    if (key.startsWith('c.') && !b)
      problems.push(`${key}: a second scenario's parameter, but the link has no compare=`);
  }
  const sameModel = b !== null && b.model.name === a.model.name;
  return {
    state: {
      a: apply('p', sideOf(a)),
      b: sameModel ? apply('c', sideOf(b)) : null,
      settings,
    },
    problems,
  };
}
