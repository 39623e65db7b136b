/**
 * Expected failures: a list of problems, one line each, that the CLI prints without a
 * stack trace and answers with the exit code of its kind. Anything else that is thrown is
 * a bug (an internal error).
 *
 * Every message is bounded, whatever the input: at most MAX_LISTED_PROBLEMS lines (then
 * "… and N more problems"), each at most MAX_PROBLEM_CHARS characters, so a hostile file
 * cannot turn an error into megabytes of output.
 */

/**
 * What kind of expected failure, which decides the CLI's exit code (src/cli/exit-codes.ts):
 * - input: invalid input or usage (a scenario, an option, an unknown run id, a file that exists);
 * - busy: the results store stayed locked by another process for longer than we wait;
 * - corrupt: the results store is not a readable Panopticon store;
 * - read-only: a file or folder that must be written is on read-only media or not writable;
 * - disk-full: no space left on the device.
 */
export type ErrorKind = 'input' | 'busy' | 'corrupt' | 'read-only' | 'disk-full';

export const MAX_LISTED_PROBLEMS = 20;
export const MAX_PROBLEM_CHARS = 400;
/** Longest rendering of one user-given value (a key, a string, a list) inside a message. */
export const MAX_TOKEN_CHARS = 60;

/** Cut `text` to `max` characters, saying how long it was. */
export function clip(text: string, max: number = MAX_TOKEN_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}… (${text.length.toLocaleString('en-US')} characters)`;
}

/** One problem line: a single line, at most MAX_PROBLEM_CHARS characters. */
function oneLine(problem: string): string {
  const flat = problem.replace(/[\r\n]+/g, ' ');
  return flat.length > MAX_PROBLEM_CHARS ? `${flat.slice(0, MAX_PROBLEM_CHARS - 1)}…` : flat;
}

export class UserError extends Error {
  /** The problems, bounded: at most MAX_LISTED_PROBLEMS lines plus an "and N more" line. */
  readonly problems: readonly string[];
  readonly kind: ErrorKind;

  /**
   * `omitted`: problems found but not passed in (the caller stopped formatting them), added
   * to the "and N more" count.
   */
  constructor(problems: string | readonly string[], header?: string, kind: ErrorKind = 'input', omitted = 0) {
    const all = typeof problems === 'string' ? [problems] : problems;
    const list = all.slice(0, MAX_LISTED_PROBLEMS).map(oneLine);
    const more = all.length - list.length + omitted;
    if (more > 0) list.push(`… and ${more.toLocaleString('en-US')} more problem${more === 1 ? '' : 's'}`);
    const head = header === undefined ? undefined : oneLine(header);
    super(head ? [head, ...list.map((p) => `  ${p}`)].join('\n') : list.join('\n'));
    this.name = 'UserError';
    this.problems = list;
    this.kind = kind;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** Levenshtein distance (insert, delete, substitute; case-insensitive). */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Words longer than this are not typos of a name: no edit distance is computed for them. */
const MAX_SUGGESTABLE = 64;

/** The closest candidate, if it is close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > MAX_SUGGESTABLE) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(word.length, best.length) / 3));
  const prefix = best.toLowerCase().startsWith(word.toLowerCase()) || word.toLowerCase().startsWith(best.toLowerCase());
  return bestD <= limit || prefix ? best : undefined;
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  const n = nearest(word, candidates);
  return n ? `; did you mean \`${n}\`?` : '';
}

/** Short, single-line rendering of a value given by the user (at most about MAX_TOKEN_CHARS characters). */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (typeof value === 'string') return clip(JSON.stringify(value));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'bigint') return clip(`${value}`);
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > MAX_TOKEN_CHARS ? `${s.slice(0, MAX_TOKEN_CHARS - 3)}...` : s;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
