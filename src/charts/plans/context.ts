/** What a plan knows about a run besides its metric rows. */

export interface RunContext {
  /** Shown in subtitles: "national-blacklist, seed 1". */
  readonly label: string;
  /** Agents in the run (residents for the regime model). */
  readonly agents: number;
  readonly seed?: number;
  /** The run's resolved model parameters, when known: group order, score bands, what is enabled. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Whole-population metrics to draw when the model has no plan of its own. */
  readonly headline?: readonly string[];
  /** A dated scenario's start (YYYY-MM-DD): its charts are drawn against calendar dates. */
  readonly start?: string;
  /**
   * The run is still going (the explorer's live charts): a series flat so far may not stay
   * flat, so every figure is drawn and the figures keep their places as the run goes on.
   */
  readonly partial?: boolean;
}

/** The line-chart option that draws a dated run against dates (nothing for an undated one). */
export function datedAxis(ctx: Pick<RunContext, 'start'>): { start?: string } {
  return ctx.start ? { start: ctx.start } : {};
}

/** A value inside params by dotted path, or undefined. */
export function paramAt(params: RunContext['params'], path: string): unknown {
  let v: unknown = params;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Names from a list of objects with `name` at a params path (regime groups, regions). */
export function namesAt(params: RunContext['params'], path: string): string[] | undefined {
  const v = paramAt(params, path);
  if (!Array.isArray(v)) return undefined;
  const names = v.map((x) => (x && typeof x === 'object' ? (x as { name?: unknown }).name : undefined));
  return names.every((n): n is string => typeof n === 'string') ? names : undefined;
}

/** Put each figure in its report section: `sections[id]`, else `fallback`. */
export function inSections<T extends { readonly id: string }>(
  figures: readonly T[],
  sections: Readonly<Record<string, string>>,
  fallback: string,
): (T & { section: string })[] {
  return figures.map((f) => ({ ...f, section: sections[f.id] ?? fallback }));
}
