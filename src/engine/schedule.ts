/**
 * Parameter schedules: numeric parameters that change during a run, by steps or linear
 * ramps between points given in ticks. The engine knows nothing of what a parameter means
 * (or of dates: the scenario layer turns dates into ticks); it substitutes each scheduled
 * value into the model's parameter tree before the systems of a tick run, in every thread,
 * from the same plain data, so a run's results do not depend on the thread count.
 */

export type Ramp = 'step' | 'linear';

export interface SchedulePoint {
  readonly tick: number;
  readonly value: number;
  /**
   * How the value arrives at `tick`: `step` — it holds from this tick on; `linear` — it
   * moves in a straight line from the previous point (or from the base value at tick 0).
   */
  readonly ramp: Ramp;
}

export interface ScheduledParam {
  /** Leaf path into the parameter tree (object keys and list indices). */
  readonly path: readonly (string | number)[];
  /** Points in increasing tick order. */
  readonly points: readonly SchedulePoint[];
  /** Round ramped values to whole numbers (the parameter is an integer). */
  readonly integer?: boolean;
}

export type ParamSchedule = readonly ScheduledParam[];

/** The value of a schedule at `tick`, given the parameter's base (unscheduled) value. */
export function scheduledValue(base: number, s: ScheduledParam, tick: number): number {
  const pts = s.points;
  let k = -1;
  while (k + 1 < pts.length && pts[k + 1].tick <= tick) k++;
  const next = pts[k + 1];
  let v: number;
  if (next && next.ramp === 'linear') {
    const t0 = k >= 0 ? pts[k].tick : 0;
    const v0 = k >= 0 ? pts[k].value : base;
    v = next.tick === t0 ? next.value : v0 + ((next.value - v0) * (tick - t0)) / (next.tick - t0);
  } else v = k >= 0 ? pts[k].value : base;
  return s.integer ? Math.round(v) : v;
}

function getIn(tree: unknown, path: readonly (string | number)[]): unknown {
  let node = tree;
  for (const k of path) node = (node as Record<string | number, unknown>)[k];
  return node;
}

function setIn(node: unknown, path: readonly (string | number)[], i: number, value: unknown): unknown {
  if (i === path.length) return value;
  const k = path[i];
  if (Array.isArray(node)) {
    const copy = node.slice();
    copy[k as number] = setIn(node[k as number], path, i + 1, value);
    return copy;
  }
  const obj = node as Record<string, unknown>;
  return { ...obj, [k]: setIn(obj[k as string], path, i + 1, value) };
}

/** Scheduled parameter objects → the base they were derived from. */
const derived = new WeakMap<object, object>();

/**
 * The base parameters a scheduled parameter object was derived from, if it was. A schedule
 * never changes a model's layout (the scenario layer refuses one that would), so a model
 * may reuse what it derived from the base (its layout) instead of deriving it again daily.
 */
export function scheduledFrom<P extends object>(p: P): P | undefined {
  return derived.get(p) as P | undefined;
}

/**
 * A function from tick to the parameters in force on that tick. It returns the very same
 * object while no scheduled value changes (models may cache what they derive from their
 * parameters by identity), and `base` itself on ticks where every schedule gives the base.
 */
export function paramsResolver<P>(base: P, schedule: ParamSchedule | undefined): (tick: number) => P {
  if (!schedule?.length) return () => base;
  const bases = schedule.map((s) => {
    const v = getIn(base, s.path);
    if (typeof v !== 'number') throw new Error(`schedule: ${s.path.join('.')} is not a numeric parameter`);
    return v;
  });
  let last: number[] | null = null;
  let current = base;
  return (tick) => {
    const values = schedule.map((s, i) => scheduledValue(bases[i], s, tick));
    if (last && values.every((v, i) => v === last![i])) return current;
    last = values;
    let p: unknown = base;
    values.forEach((v, i) => {
      if (v !== bases[i]) p = setIn(p, schedule[i].path, 0, v);
    });
    if (p !== base) derived.set(p as object, base as object);
    return (current = p as P);
  };
}
