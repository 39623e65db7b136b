/**
 * Turn zod issues into one line per problem: the full field path, the value given and
 * what is allowed (type, range, options), with a "did you mean" for unknown keys and
 * mistyped options.
 */
import type { z } from 'zod';
import { clip, didYouMean, MAX_LISTED_PROBLEMS, show } from './errors.js';

type Path = readonly PropertyKey[];
// zod's internal definition objects are untyped from the outside; read them defensively.
type AnyDef = Record<string, unknown> & { type?: string };

function defOf(schema: unknown): AnyDef | undefined {
  const zod = (schema as { _zod?: { def?: AnyDef } } | undefined)?._zod;
  return zod?.def;
}

const WRAPPERS = new Set(['optional', 'default', 'nullable', 'readonly', 'catch', 'prefault', 'nonoptional']);

export function unwrap(schema: unknown): unknown {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(s);
    if (!def) return s;
    if (def.type && WRAPPERS.has(def.type)) s = def.innerType;
    else if (def.type === 'pipe') s = def.in;
    else return s;
  }
  return s;
}

/** Keys of an object schema (after unwrapping), or undefined. */
export function objectKeys(schema: unknown): string[] | undefined {
  const s = unwrap(schema);
  const def = defOf(s);
  if (def?.type !== 'object') return undefined;
  return Object.keys((def.shape as Record<string, unknown>) ?? {});
}

/** The sub-schema at a path, if it can be followed. */
export function schemaAt(schema: unknown, path: Path): unknown {
  let s: unknown = schema;
  for (const key of path) {
    s = unwrap(s);
    const def = defOf(s);
    if (!def) return undefined;
    if (def.type === 'object' && typeof key === 'string') s = (def.shape as Record<string, unknown>)[key];
    else if (def.type === 'record') s = def.valueType;
    else if (def.type === 'array' && typeof key === 'number') s = def.element;
    else return undefined;
    if (s === undefined) return undefined;
  }
  return s;
}

function fmtNum(n: number): string {
  return Number.isInteger(n) && Math.abs(n) >= 1e6 ? n.toLocaleString('en-US').replace(/,/g, '_') : String(n);
}

/** What a schema accepts, in words. */
export function describeAllowed(schema: unknown): string | undefined {
  const s = unwrap(schema);
  const def = defOf(s);
  if (!def) return undefined;
  switch (def.type) {
    case 'number': {
      const num = s as { minValue: number | null; maxValue: number | null; isInt: boolean };
      const kind = num.isInt ? 'an integer' : 'a number';
      const lo = num.minValue;
      const hi = num.maxValue;
      const hasLo = lo !== null && Number.isFinite(lo) && lo !== Number.MIN_SAFE_INTEGER;
      const hasHi = hi !== null && Number.isFinite(hi) && hi !== Number.MAX_SAFE_INTEGER;
      if (hasLo && hasHi) return `${kind} in [${fmtNum(lo)}, ${fmtNum(hi)}]`;
      if (hasLo) return `${kind} ≥ ${fmtNum(lo)}`;
      if (hasHi) return `${kind} ≤ ${fmtNum(hi)}`;
      return kind;
    }
    case 'enum':
      return `one of ${Object.values(def.entries as Record<string, unknown>)
        .map((v) => show(v))
        .join(', ')}`;
    case 'literal':
      return `exactly ${(def.values as unknown[]).map((v) => show(v)).join(' or ')}`;
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'object':
      return 'a mapping';
    case 'record':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'union': {
      const parts = (def.options as unknown[]).map(describeAllowed);
      return parts.every((p) => p) ? parts.join(' or ') : undefined;
    }
    default:
      return undefined;
  }
}

export function pathString(path: Path): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out ? `.${clip(String(k))}` : clip(String(k));
  }
  return out || '(top level)';
}

function valueAt(data: unknown, path: Path): unknown {
  let v: unknown = data;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k as string];
  }
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/**
 * One line per problem. `prefix` is prepended to every path (e.g. ['params'] when the
 * issues come from a model's params schema); `data` is what was validated.
 */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: unknown,
  data: unknown,
  prefix: Path = [],
): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (lines.length >= MAX_LISTED_PROBLEMS) {
      // beyond what UserError lists: count the problems, do not format them (hints cost an
      // edit distance per unknown key)
      lines.push(...(issue.code === 'unrecognized_keys' ? issue.keys.map(() => '') : ['']));
      continue;
    }
    const path = issue.path as Path;
    const full = [...prefix, ...path];
    const value = valueAt(data, path);
    const allowed = describeAllowed(schemaAt(schema, path));
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = objectKeys(schemaAt(schema, path)) ?? [];
        for (const key of issue.keys) {
          if (lines.length >= MAX_LISTED_PROBLEMS) {
            lines.push('');
            continue;
          }
          const hint = didYouMean(key, known) || (known.length ? `; allowed keys: ${known.join(', ')}` : '');
          lines.push(`${pathString([...full, key])}: unknown key${hint}`);
        }
        break;
      }
      case 'invalid_type':
        if (value === undefined)
          lines.push(`${pathString(full)}: required, missing; allowed: ${allowed ?? issue.expected}`);
        else
          lines.push(
            `${pathString(full)}: got ${typeName(value)} ${show(value)}; allowed: ${allowed ?? issue.expected}`,
          );
        break;
      case 'too_small':
      case 'too_big': {
        const bound =
          issue.code === 'too_small'
            ? `${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}`
            : `${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}`;
        const what =
          issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint'
            ? ''
            : ` ${issue.origin} length`;
        lines.push(
          `${pathString(full)}: got ${show(value)}, out of range; allowed:${what} ${allowed && !what ? allowed : bound}`,
        );
        break;
      }
      case 'invalid_value': {
        const options = issue.values.map((v) => String(v));
        const hint = typeof value === 'string' ? didYouMean(value, options) : '';
        lines.push(
          `${pathString(full)}: got ${show(value)}; allowed: one of ${issue.values.map((v) => show(v)).join(', ')}${hint}`,
        );
        break;
      }
      case 'custom':
        // A model's own cross-field rule (shares summing to 1, unique names): its message says it all.
        lines.push(`${pathString(full)}: got ${show(value)}; ${issue.message}`);
        break;
      default:
        lines.push(`${pathString(full)}: got ${show(value)}; ${allowed ? `allowed: ${allowed}` : issue.message}`);
    }
  }
  return lines;
}
