/**
 * Parameter paths (experiment factors, schedules, calibration parameters): dotted paths into
 * a model's (resolved) parameter tree. A list item is
 * named by its index (`population.regions.0.camerasPerThousand`), by its `name` field
 * (`population.regions.city.camerasPerThousand`), or by `*` for every item at once
 * (`population.regions.*.camerasPerThousand`: one factor that moves all regions
 * together). A path must end at a value (number, boolean or string), not at a group.
 */
import { nearest } from './errors.js';
import { schemaAt, unwrap } from './issues.js';

export type Segment = string | number | '*';

export interface FactorPath {
  /** The path as written. */
  readonly text: string;
  /** Segments with list names turned into indices (`*` kept). */
  readonly segments: readonly Segment[];
  /** Every concrete leaf the path reaches (one, or one per list item under `*`). */
  readonly leaves: readonly (readonly (string | number)[])[];
  /** The base value at the first leaf. */
  readonly baseValue: unknown;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isLeaf(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string';
}

/** Every path a factor may name in `tree`: by index, by name where items have unique names, and with `*`. */
export function factorPathCandidates(tree: unknown): string[] {
  const out = new Set<string>();
  const walk = (node: unknown, prefixes: string[]): void => {
    if (isLeaf(node)) {
      for (const p of prefixes) out.add(p);
      return;
    }
    const join = (k: string) => prefixes.map((p) => (p ? `${p}.${k}` : k));
    if (isPlainObject(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, join(k));
    } else if (Array.isArray(node) && node.some((v) => isPlainObject(v))) {
      const names = uniqueNames(node);
      node.forEach((v, i) => {
        const ways = [...join(String(i)), ...(names ? join(names[i]) : [])];
        walk(v, ways);
      });
      if (node.length) walk(node[0], join('*'));
    }
  };
  walk(tree, ['']);
  return [...out].filter((p) => p !== '');
}

function uniqueNames(list: unknown[]): string[] | undefined {
  const names = list.map((v) => (isPlainObject(v) && typeof v.name === 'string' ? v.name : undefined));
  if (names.some((n) => n === undefined)) return undefined;
  return new Set(names).size === names.length ? (names as string[]) : undefined;
}

/**
 * Follow `text` through `tree`. Returns the resolved path, or a message saying where it
 * stops and the nearest valid path.
 */
export function resolveFactorPath(tree: unknown, text: string): FactorPath | string {
  const parts = text.split('.');
  const segments: Segment[] = [];
  let leaves: (string | number)[][] = [[]];
  const at = (leaf: readonly (string | number)[]): unknown =>
    leaf.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], tree);
  const hint = (): string => {
    const n = nearest(text, factorPathCandidates(tree));
    return n ? `; did you mean \`${n}\`?` : '';
  };
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const here = parts.slice(0, i).join('.') || '(top level)';
    const node = at(leaves[0]);
    if (isPlainObject(node)) {
      if (!Object.prototype.hasOwnProperty.call(node, part)) {
        const keys = Object.keys(node);
        return `no parameter ${JSON.stringify(part)} under ${here}${hint() || `; allowed here: ${keys.slice(0, 14).join(', ')}${keys.length > 14 ? ', ...' : ''}`}`;
      }
      segments.push(part);
      leaves = leaves.map((l) => [...l, part]);
    } else if (Array.isArray(node)) {
      const names = uniqueNames(node);
      if (part === '*') {
        segments.push('*');
        leaves = leaves.flatMap((l) => node.map((_, j) => [...l, j]));
      } else if (/^\d+$/.test(part)) {
        const j = Number(part);
        if (j >= node.length)
          return `${here} is a list with items 0 to ${node.length - 1}; got item ${j}${names ? ` (items by name: ${names.join(', ')})` : ''}`;
        segments.push(j);
        leaves = leaves.map((l) => [...l, j]);
      } else {
        const j = names ? names.indexOf(part) : -1;
        if (j < 0) {
          const allowed = names
            ? `an index 0 to ${node.length - 1}, a name (${names.join(', ')}) or *`
            : `an index 0 to ${node.length - 1} or *`;
          const n = names ? nearest(part, names) : undefined;
          return `${here} is a list; got ${JSON.stringify(part)}; allowed: ${allowed}${n ? `; did you mean \`${[...parts.slice(0, i), n, ...parts.slice(i + 1)].join('.')}\`?` : ''}`;
        }
        segments.push(j);
        leaves = leaves.map((l) => [...l, j]);
      }
    } else {
      return `${here} is a value, not a group of parameters${hint()}`;
    }
  }
  const first = at(leaves[0]);
  if (!isLeaf(first)) {
    const under = factorPathCandidates(first)
      .filter((p) => !p.includes('*'))
      .slice(0, 10)
      .map((p) => `${text}.${p}`);
    return `${text} is a group of parameters, not a value${under.length ? `; its values include ${under.join(', ')}` : ''}`;
  }
  return { text, segments, leaves, baseValue: first };
}

/** A copy of `tree` with `value` at every leaf of `path` (only the spine is copied). */
export function withValue<T>(tree: T, path: FactorPath, value: unknown): T {
  let out: unknown = tree;
  for (const leaf of path.leaves) out = setIn(out, leaf, 0, value);
  return out as T;
}

function setIn(node: unknown, leaf: readonly (string | number)[], i: number, value: unknown): unknown {
  if (i === leaf.length) return value;
  const k = leaf[i];
  if (Array.isArray(node)) {
    const copy = node.slice();
    copy[k as number] = setIn(node[k as number], leaf, i + 1, value);
    return copy;
  }
  const obj = node as Record<string, unknown>;
  return { ...obj, [k]: setIn(obj[k as string], leaf, i + 1, value) };
}

/** Whether the model's schema wants an integer at this path (values are then rounded). */
export function isIntegerParam(paramsSchema: unknown, path: FactorPath): boolean {
  return Boolean((unwrap(schemaAt(paramsSchema, path.leaves[0])) as { isInt?: boolean } | undefined)?.isInt);
}
