/**
 * Schedules in a scenario: any numeric parameter may change during a run, by steps or
 * linear ramps between dated points (or points given in days from the start):
 *
 *   start: 2013-10-24
 *   schedules:
 *     lists.listingShare:
 *       - {date: 2014-01-01, value: 0.2}               # from this date on
 *       - {date: 2016-01-22, value: 1, ramp: linear}   # a straight line from the previous point
 *
 * Before its first point a parameter has its `params` value. Every point is checked like
 * any other field — the path against the model's parameters (with the nearest valid one),
 * the value against the parameter's range, the dates against the start — and a schedule may
 * not change what the model allocates (its layout), before any run. Pure: no Node API.
 */
import { z } from 'zod';
import type { ModelLayout } from '../engine/model.js';
import { paramsResolver, type ParamSchedule, type ScheduledParam } from '../engine/schedule.js';
import type { ModelEntry } from '../models/registry.js';
import { asIsoDate, DATE_FORMAT_HINT, isIsoDate, tickOf } from './dates.js';
import { clip, show } from './errors.js';
import { formatIssues, schemaAt } from './issues.js';
import { isIntegerParam, isPlainObject, resolveFactorPath } from './paths.js';

export const schedulePoint = z.strictObject({
  date: z.string().optional(),
  day: z.number().int().min(0).optional(),
  value: z.number(),
  ramp: z.enum(['step', 'linear']).default('step'),
});

/** A schedule point as written (normalised: dates as `YYYY-MM-DD`, the ramp filled in). */
export type SchedulePointDoc = z.infer<typeof schedulePoint>;
export type SchedulesDoc = Readonly<Record<string, readonly SchedulePointDoc[]>>;

export interface ScheduleContext {
  readonly start?: string;
  /** The model-validated parameters the schedules act on. */
  readonly params: Record<string, unknown>;
  readonly entry: ModelEntry;
}

export interface ResolvedSchedules {
  /** As written, normalised (for provenance and display). */
  readonly schedules: SchedulesDoc;
  /** What the engine runs: leaf paths and ticks. */
  readonly schedule: ParamSchedule;
  readonly problems: string[];
}

/** Columns, metrics and the rest of what a run allocates, as one comparable string. */
function layoutSignature(l: ModelLayout): string {
  return JSON.stringify([
    l.agents,
    l.columns.map((c) => `${c.name}:${c.type}:${c.length}`),
    l.metrics.map((m) => `${m.name}|${m.key}`),
    l.globals,
    l.sparse ?? [],
    Array.from(l.unitStarts.subarray(0, 64)),
    l.unitStarts.length,
  ]);
}

export function resolveSchedules(raw: unknown, ctx: ScheduleContext): ResolvedSchedules {
  const problems: string[] = [];
  const schedules: Record<string, SchedulePointDoc[]> = {};
  const schedule: ScheduledParam[] = [];
  if (raw === undefined) return { schedules, schedule, problems };
  if (!isPlainObject(raw)) {
    problems.push(
      `schedules: got ${show(raw)}; allowed: a mapping from parameter path to a list of points {date or day, value, ramp}`,
    );
    return { schedules, schedule, problems };
  }
  for (const [path, list] of Object.entries(raw)) {
    const field = `schedules.${clip(path)}`;
    const resolved = resolveFactorPath(ctx.params, path);
    if (typeof resolved === 'string') {
      problems.push(`${field}: ${resolved}`);
      continue;
    }
    if (typeof resolved.baseValue !== 'number') {
      problems.push(
        `${field}: ${path} holds ${typeof resolved.baseValue} values; allowed: a numeric parameter (only numbers follow a schedule)`,
      );
      continue;
    }
    if (!Array.isArray(list)) {
      problems.push(`${field}: got ${show(list)}; allowed: a list of points {date or day, value, ramp}`);
      continue;
    }
    const points: SchedulePointDoc[] = [];
    const ticks: number[] = [];
    const leafSchema = schemaAt(ctx.entry.params, resolved.leaves[0]);
    list.forEach((item, i) => {
      const at = `${field}[${i}]`;
      const doc = isPlainObject(item)
        ? { ...item, ...(item.date !== undefined ? { date: asIsoDate(item.date) } : {}) }
        : item;
      const res = schedulePoint.safeParse(doc);
      if (!res.success) {
        problems.push(...formatIssues(res.error.issues, schedulePoint, doc, [at]));
        return;
      }
      const p = res.data;
      if ((p.date === undefined) === (p.day === undefined)) {
        problems.push(`${at}: give exactly one of \`date: YYYY-MM-DD\` or \`day: N\` (days from the start)`);
        return;
      }
      let tick = p.day ?? 0;
      if (p.date !== undefined) {
        if (!isIsoDate(p.date)) {
          problems.push(`${at}.date: got ${show(p.date)}; allowed: ${DATE_FORMAT_HINT}`);
          return;
        }
        if (ctx.start === undefined) {
          problems.push(
            `${at}.date: a dated point needs the scenario's \`start:\` (the date of tick 0); add start: YYYY-MM-DD, or give day: N`,
          );
          return;
        }
        tick = tickOf(ctx.start, p.date);
        if (tick < 0) {
          problems.push(
            `${at}.date: got ${p.date}, before the scenario's start ${ctx.start}; allowed: ${ctx.start} or later`,
          );
          return;
        }
      }
      if (ticks.length && tick <= ticks[ticks.length - 1]) {
        problems.push(
          `${at}: ${p.date ?? `day ${tick}`} is not after the previous point (day ${ticks[ticks.length - 1]}); points go in time order`,
        );
        return;
      }
      if (leafSchema) {
        const v = (leafSchema as z.ZodType).safeParse(p.value);
        if (!v.success) {
          problems.push(...formatIssues(v.error.issues, leafSchema, p.value, [`${at}.value`]));
          return;
        }
      }
      points.push(p);
      ticks.push(tick);
    });
    schedules[path] = points;
    const integer = isIntegerParam(ctx.entry.params, resolved);
    for (const leaf of resolved.leaves)
      if (points.length)
        schedule.push({
          path: leaf,
          points: points.map((p, i) => ({ tick: ticks[i], value: p.value, ramp: p.ramp })),
          ...(integer ? { integer } : {}),
        });
  }
  if (!problems.length && schedule.length) problems.push(...checkPoints(ctx, schedule, schedules));
  return { schedules, schedule, problems };
}

/**
 * At every point's tick, the parameters in force must pass the model's cross-field rules
 * and lay out exactly as the base: a run allocates once, so a schedule may change values
 * the model reads, not what it allocates (a column's width, a region's size).
 */
function checkPoints(ctx: ScheduleContext, schedule: ParamSchedule, schedules: SchedulesDoc): string[] {
  const at = paramsResolver(ctx.params, schedule);
  const base = layoutSignature(ctx.entry.definition.layout(ctx.params));
  const ticks = [...new Set(schedule.flatMap((s) => s.points.map((p) => p.tick)))].sort((a, b) => a - b);
  const names = Object.keys(schedules).join(', ');
  for (const tick of ticks) {
    // a copy: the resolver's own object is marked as laid out like the base (engine/schedule.ts)
    const p = structuredClone(at(tick));
    const res = ctx.entry.params.safeParse(p);
    if (!res.success) {
      return formatIssues(res.error.issues, ctx.entry.params, p, ['params']).map(
        (l) => `schedules (${names}), on day ${tick}: ${l}`,
      );
    }
    let sig: string;
    try {
      sig = layoutSignature(ctx.entry.definition.layout(p));
    } catch (e) {
      return [`schedules (${names}), on day ${tick}: the model cannot lay out these values: ${(e as Error).message}`];
    }
    if (sig !== base)
      return [
        `schedules (${names}), on day ${tick}: these values change what the model allocates (its columns, metrics or population); allowed: values that keep the layout of the params (a schedule may not, e.g., lengthen a term past what its column holds)`,
      ];
  }
  return [];
}
