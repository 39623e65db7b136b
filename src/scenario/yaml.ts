/**
 * Scenario YAML in, plain data out, in time and output proportional to a bounded input —
 * whatever the file holds. No Node API: the explorer parses with it too.
 *
 * The `yaml` library checks duplicate keys in time quadratic in a mapping's size (each key
 * is compared with every earlier one: 60,000 keys took 37 s), so that check is off and
 * done here with a set, in one pass over the document, together with the other bounds:
 * - the text: at most MAX_SCENARIO_BYTES, UTF-8, no NUL bytes (a binary file is not YAML);
 * - the tree: at most MAX_DEPTH levels and MAX_KEYS_PER_MAPPING keys in one mapping;
 * - aliases: the library refuses alias chains that multiply (maxAliasCount), and the value
 *   once aliases are expanded must stay under MAX_EXPANDED_UNITS;
 * - messages: UserError lists at most 20 problems and clips every echoed token.
 */
import {
  Composer,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  Parser,
  type Document,
  type Node,
  type CST,
} from 'yaml';

type Token = CST.Token;
import { clip, MAX_LISTED_PROBLEMS, UserError } from './errors.js';

/**
 * A scenario is parameters, not data: 512 KiB is 70 times the largest preset (room for a
 * list of thousands of regions), and the YAML parser reads it in well under a second.
 */
export const MAX_SCENARIO_BYTES = 512 * 1024;
export const MAX_DEPTH = 64;
export const MAX_KEYS_PER_MAPPING = 10_000;
/**
 * Size of the document with its aliases expanded, in units of about one JSON character
 * (a string counts its length, any other value 8): four times the largest file.
 */
export const MAX_EXPANDED_UNITS = 4 * MAX_SCENARIO_BYTES;

const size = (n: number) => (n < 1024 * 1024 ? `${n / 1024} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);

/** Refuse bytes that cannot be a scenario file: too large, binary or not UTF-8. Returns the text. */
export function decodeScenarioBytes(bytes: Uint8Array, origin: string): string {
  if (bytes.length > MAX_SCENARIO_BYTES)
    throw new UserError(
      `${origin}: the file is over ${size(MAX_SCENARIO_BYTES)}; allowed: a scenario file of at most ${size(MAX_SCENARIO_BYTES)} (parameters, not data)`,
    );
  const nul = bytes.indexOf(0);
  if (nul >= 0)
    throw new UserError(
      `${origin}: binary data (a NUL byte at byte ${nul}), not a YAML file; allowed: a UTF-8 text file`,
    );
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${origin}: not UTF-8 text (binary data?); allowed: a UTF-8 text YAML file`);
  }
}

interface Walk {
  readonly origin: string;
  readonly lines: LineCounter;
  readonly problems: string[];
  omitted: number;
}

function add(w: Walk, problem: () => string): void {
  if (w.problems.length < MAX_LISTED_PROBLEMS) w.problems.push(problem());
  else w.omitted++;
}

function where(w: Walk, node: { range?: readonly number[] | null } | null | undefined): string {
  const offset = node?.range?.[0];
  if (offset === undefined) return w.origin;
  const { line, col } = w.lines.linePos(offset);
  return `${w.origin}:${line}:${col}`;
}

/**
 * One pass over the parsed tree (iterative: depth is bounded here, before anything
 * recursive sees it): depth, mapping sizes, duplicate and complex keys.
 */
function checkTree(root: Node | null, w: Walk): void {
  const stack: [Node, number, string][] = root ? [[root, 1, '']] : [];
  while (stack.length) {
    const [node, depth, path] = stack.pop()!;
    if (depth > MAX_DEPTH) {
      add(w, () => `${where(w, node)}: nested deeper than ${MAX_DEPTH} levels; allowed: at most ${MAX_DEPTH}`);
      continue;
    }
    if (isMap(node)) {
      if (node.items.length > MAX_KEYS_PER_MAPPING) {
        add(
          w,
          () =>
            `${where(w, node)}: ${clip(path || '(top level)')} has ${node.items.length.toLocaleString('en-US')} keys; allowed: at most ${MAX_KEYS_PER_MAPPING.toLocaleString('en-US')} in one mapping`,
        );
        continue;
      }
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        if (key !== null && !isScalar(key)) {
          add(w, () => `${where(w, key)}: a mapping key must be a plain name, not a list, mapping or alias`);
          continue;
        }
        const name = key === null ? '' : String(key.value);
        if (seen.has(name)) add(w, () => `${where(w, key)}: duplicate key ${clip(JSON.stringify(name))}`);
        seen.add(name);
        if (pair.value) stack.push([pair.value as Node, depth + 1, path ? `${path}.${name}` : name]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        // `[a: 1]` is a list of one-key mappings
        const child = isPair(item) ? (item.value as Node | null) : (item as Node | null);
        if (child) stack.push([child, depth + 1, `${path}[${i}]`]);
      });
    }
    // scalars and aliases are leaves here; what aliases expand to is measured after toJS
  }
}

/**
 * Size of a plain value with aliases expanded (a value reached twice counts twice), or
 * Infinity as soon as it passes `limit`: linear in min(size, limit).
 */
export function expandedUnits(value: unknown, limit = MAX_EXPANDED_UNITS): number {
  let units = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') units += v.length + 2;
    else if (Array.isArray(v)) {
      units += 2;
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (ArrayBuffer.isView(v)) units += v.byteLength;
    else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      units += 2;
      for (const [k, child] of Object.entries(v)) {
        units += k.length + 3;
        stack.push(child);
      }
    } else units += 8;
    if (units > limit) return Infinity;
  }
  return units;
}

/** Parse YAML text into plain data; every problem becomes a bounded UserError naming `origin:line:col`. */
export function parseScenarioYaml(text: string, origin: string): unknown {
  if (text.length > MAX_SCENARIO_BYTES)
    throw new UserError(
      `${origin}: the text is over ${size(MAX_SCENARIO_BYTES)}; allowed: a scenario of at most ${size(MAX_SCENARIO_BYTES)}`,
    );
  const lines = new LineCounter();
  const w: Walk = { origin, lines, problems: [], omitted: 0 };
  const syntaxError = (offset: number, message: string) =>
    add(w, () => {
      const { line, col } = lines.linePos(offset);
      const msg = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      // the library composes nested flow collections recursively: thousands of `[` overflow its stack
      if (/Maximum call stack size exceeded/.test(msg))
        return `${origin}:${line}:${col}: invalid YAML: nested too deep for the parser; allowed: at most ${MAX_DEPTH} levels`;
      return `${origin}:${line}:${col}: invalid YAML: ${clip(msg, 200)}`;
    });
  // parseDocument, in its two stages, so that text that is mostly syntax errors is answered
  // from the first (cheaper) one. The composer creates an Error object per problem, and
  // capturing each one's stack trace was most of its time on garbage (256,000 errors: 6.3 s
  // with stacks, 0.9 s without); nothing else runs during this synchronous call, and the
  // limit is restored.
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  const errorTokens = tokens.filter((t): t is Extract<Token, { type: 'error' }> => t.type === 'error');
  if (errorTokens.length > MAX_LISTED_PROBLEMS) {
    for (const t of errorTokens) syntaxError(t.offset, t.message);
    throw new UserError(w.problems, undefined, 'input', w.omitted);
  }
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let doc: Document.Parsed | undefined;
  try {
    for (const d of new Composer({ uniqueKeys: false }).compose(tokens, true, text.length)) {
      if (!doc) doc = d;
      else {
        syntaxError(d.range[0], 'the file holds more than one YAML document (---); allowed: one scenario');
        break;
      }
    }
  } finally {
    Error.stackTraceLimit = stackLimit;
  }
  if (!doc) throw new UserError(`${origin}: the file is empty; a scenario needs at least model, seed and steps`);
  for (const e of doc.errors) syntaxError(e.pos[0], e.message);
  if (!w.problems.length) checkTree(doc.contents as Node | null, w);
  if (w.problems.length) throw new UserError(w.problems, undefined, 'input', w.omitted);
  if (doc.contents === null)
    throw new UserError(`${origin}: the file is empty; a scenario needs at least model, seed and steps`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const msg = (e as Error).message;
    if (/alias/i.test(msg))
      throw new UserError(
        `${origin}: invalid YAML: ${/Excessive alias count/.test(msg) ? 'aliases repeat too much (an alias bomb?); allowed: aliases that do not multiply the document' : clip(msg, 200)}`,
      );
    throw e;
  }
  if (expandedUnits(value) === Infinity)
    throw new UserError(
      `${origin}: with its aliases expanded the scenario is over ${size(MAX_EXPANDED_UNITS)}; allowed: at most ${size(MAX_EXPANDED_UNITS)} (aliases may repeat a value, not multiply the file)`,
    );
  return value;
}
