/**
 * The scenario envelope: one zod schema from which the TypeScript types derive. A
 * model's own parameters are validated by the model's schema (see resolve.ts).
 */
import { z } from 'zod';
import type { ParamSchedule } from '../engine/schedule.js';
import type { SchedulesDoc } from './schedules.js';

/** Ticks are stored as 32-bit integers; a run longer than this is refused. */
export const MAX_STEPS = 2 ** 31 - 1;
export const MAX_THREADS = 256;

export const sourceRef = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export function envelopeSchema(modelNames: readonly string[]) {
  const model = modelNames.length ? z.enum(modelNames as [string, ...string[]]) : z.string().min(1);
  return z.strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-", starting with a letter or digit')
      .optional(),
    description: z.string().optional(),
    model,
    preset: z.string().min(1).optional(),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    steps: z.number().int().min(1).max(MAX_STEPS),
    threads: z.number().int().min(1).max(MAX_THREADS).optional(),
    /** The date of tick 0 (YYYY-MM-DD): ticks are days from it; checked in resolve.ts. */
    start: z.string().optional(),
    params: z.record(z.string(), z.unknown()).default({}),
    /** Parameter path → dated points (schedules.ts). */
    schedules: z.record(z.string(), z.unknown()).optional(),
    sources: z.record(z.string(), sourceRef).optional(),
  });
}

export type ScenarioFile = z.infer<ReturnType<typeof envelopeSchema>>;

/** A scenario after merging with its preset, CLI overrides and model defaults. */
export interface ResolvedScenario<P = Record<string, unknown>> {
  readonly name?: string;
  readonly description?: string;
  readonly model: string;
  /** The preset this scenario is, or starts from. */
  readonly preset?: string;
  readonly seed: number;
  readonly steps: number;
  /** Worker threads asked for; absent means the CLI picks (results never depend on it). */
  readonly threads?: number;
  /** The date of tick 0 (YYYY-MM-DD), when the scenario is dated: tick t is t days later. */
  readonly start?: string;
  /** Model parameters with the model's defaults filled in (their values before any schedule). */
  readonly params: P;
  /** Schedules as written (normalised), when the scenario has any. */
  readonly schedules?: SchedulesDoc;
  /** The same schedules as the engine runs them (leaf paths, ticks). */
  readonly schedule?: ParamSchedule;
  /** Parameter key → source ids (see sources.ts). */
  readonly sources: Readonly<Record<string, readonly string[]>>;
}
