/**
 * User-facing errors: a list of problems, one line each, that the CLI prints without a
 * stack trace. Anything else that is thrown is a bug and keeps its stack.
 */
export class UserError extends Error {
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[], header?: string) {
    const list = typeof problems === 'string' ? [problems] : [...problems];
    super(header ? [header, ...list.map((p) => `  ${p}`)].join('\n') : list.join('\n'));
    this.name = 'UserError';
    this.problems = list;
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

/** The closest candidate, if it is close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
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

/** Short, single-line rendering of a value given by the user. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'bigint') return `${value}`;
  let s: string;
  try {
    s = JSON.stringify(value);
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
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
