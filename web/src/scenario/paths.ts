/**
 * Dotted paths into a parameter tree (`population.regions.0.camerasPerThousand`), the same
 * paths a scenario file's `sources:` map and `panopticon`'s error messages use.
 */

export type Tree = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function splitPath(path: string): string[] {
  return path === '' ? [] : path.split('.');
}

/** The value at `path`, or undefined when the path does not lead anywhere. */
export function getAt(tree: unknown, path: string): unknown {
  let node: unknown = tree;
  for (const part of splitPath(path)) {
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
    else if (isPlainObject(node) && Object.prototype.hasOwnProperty.call(node, part)) node = node[part];
    else return undefined;
  }
  return node;
}

/**
 * A copy of `tree` with `value` at `path`; only the nodes along the path are copied, so
 * every other value is the same object as before. Throws if the path leaves the tree (a
 * missing key inside an object is added; a list index must exist or be the next one).
 */
export function setAt<T>(tree: T, path: string, value: unknown): T {
  const parts = splitPath(path);
  const go = (node: unknown, i: number): unknown => {
    if (i === parts.length) return value;
    const part = parts[i];
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(part) || Number(part) > node.length)
        throw new Error(`${parts.slice(0, i + 1).join('.')}: no such list item (the list has ${node.length})`);
      const copy = node.slice();
      copy[Number(part)] = go(node[Number(part)], i + 1);
      return copy;
    }
    if (isPlainObject(node)) return { ...node, [part]: go(node[part], i + 1) };
    if (node === undefined && i > 0) return { [part]: go(undefined, i + 1) };
    throw new Error(`${parts.slice(0, i).join('.') || '(top level)'}: not a mapping or a list`);
  };
  return go(tree, 0) as T;
}

/** Structural equality of JSON-like values (numbers compared with Object.is: -0 ≠ 0, NaN = NaN). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameValue(a[k], b[k]));
  }
  return false;
}

/**
 * The leaves of `current` that differ from `base`, as path → value, in tree order.
 * Mappings are compared key by key; a list of mappings of the same length item by item;
 * any other list (numbers, or a list whose length changed) as one value — as a scenario
 * file's merge replaces lists whole.
 */
export function diffLeaves(base: unknown, current: unknown, prefix = ''): [string, unknown][] {
  const join = (k: string | number): string => (prefix ? `${prefix}.${k}` : String(k));
  if (isPlainObject(base) && isPlainObject(current)) {
    const keys = [...new Set([...Object.keys(base), ...Object.keys(current)])];
    return keys.flatMap((k) => diffLeaves(base[k], current[k], join(k)));
  }
  if (
    Array.isArray(base) &&
    Array.isArray(current) &&
    base.length === current.length &&
    current.some((v) => isPlainObject(v))
  ) {
    return current.flatMap((v, i) => diffLeaves(base[i], v, join(i)));
  }
  return sameValue(base, current) || current === undefined ? [] : [[prefix, current]];
}

/**
 * The smallest tree that, merged onto `base` the way a scenario file is merged onto its
 * preset (mappings key by key, lists replaced whole), gives `current`.
 */
export function overlayTree(base: unknown, current: unknown): Tree {
  const out: Tree = {};
  if (!isPlainObject(current)) return out;
  for (const [k, v] of Object.entries(current)) {
    const b = isPlainObject(base) ? base[k] : undefined;
    if (isPlainObject(v) && isPlainObject(b)) {
      const sub = overlayTree(b, v);
      if (Object.keys(sub).length) out[k] = sub;
    } else if (v !== undefined && !sameValue(b, v)) out[k] = v;
  }
  return out;
}
