/**
 * A queue job is data: a batch of resolved runs (model name, validated params, seed,
 * steps, run key) and the outputs to compute — never code. A worker checks every field
 * against a strict schema, re-validates the params with the model's own schema (they must
 * come back unchanged), recomputes each run key, refuses a model version other than its
 * own, and bounds sizes and memory, before it runs anything.
 *
 * Outputs travel back as the bytes of their Float64Arrays (base64): JSON would turn NaN
 * and ±Infinity into null, and bytes make a run's values over Redis identical, bit for
 * bit, to the same run done locally.
 */
import { z } from 'zod';
import { paramsResolver } from '../engine/schedule.js';
import type { ModelRegistry } from '../models/registry.js';
import { canonicalJson, checkMemory } from '../scenario/resolve.js';
import type { RunOutcome } from './execute.js';
import type { OutputDef, SeriesDef } from './outputs.js';
import { runKey, type RunSpec } from './plan.js';

export const JOB_VERSION = 1;
/** Largest job payload a coordinator sends and a worker accepts (JSON bytes). */
export const MAX_JOB_BYTES = 1024 * 1024;
export const MAX_RUNS_PER_JOB = 64;
/** Largest result a worker returns; a run whose series would not fit fails alone. */
export const MAX_RESULT_BYTES = 32 * 1024 * 1024;

export interface JobData {
  readonly v: typeof JOB_VERSION;
  readonly experiment: string;
  readonly version: string;
  readonly outputs: readonly OutputDef[];
  readonly series: readonly SeriesDef[];
  readonly runs: readonly RunSpec[];
}

export type EncodedOutcome =
  | {
      readonly key: string;
      readonly ok: true;
      readonly values: string;
      readonly series: string;
      readonly wallSeconds: number;
      readonly initSeconds: number;
    }
  | { readonly key: string; readonly ok: false; readonly error: string; readonly wallSeconds: number };

export interface JobResult {
  readonly v: typeof JOB_VERSION;
  readonly worker: string;
  readonly results: readonly EncodedOutcome[];
}

const name = z.string().min(1).max(200);
const jobSchema = z.strictObject({
  v: z.literal(JOB_VERSION),
  experiment: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
    .max(80),
  version: z.string().min(1).max(100),
  outputs: z
    .array(
      z.strictObject({
        name,
        metric: name,
        key: z.string().max(200),
        stat: z.enum(['final', 'mean', 'total', 'max']),
        from: z.number().int().min(0),
        to: z.number().int().min(0),
      }),
    )
    .min(1)
    .max(500),
  series: z.array(z.strictObject({ metric: name, key: z.string().max(200) })).max(100),
  runs: z
    .array(
      z.strictObject({
        key: z.string().regex(/^[0-9a-f]{32}$/),
        model: name,
        params: z.record(z.string(), z.unknown()),
        schedule: z
          .array(
            z.strictObject({
              path: z
                .array(z.union([z.string().max(200), z.number().int().min(0)]))
                .min(1)
                .max(32),
              points: z
                .array(
                  z.strictObject({
                    tick: z.number().int().min(0),
                    value: z.number(),
                    ramp: z.enum(['step', 'linear']),
                  }),
                )
                .min(1)
                .max(10_000),
              integer: z.boolean().optional(),
            }),
          )
          .max(1000)
          .optional(),
        seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
        steps: z
          .number()
          .int()
          .min(1)
          .max(2 ** 31 - 1),
      }),
    )
    .min(1)
    .max(MAX_RUNS_PER_JOB),
});

/**
 * Check a job's payload before running it. Returns the job, or the reason it is refused.
 * `memoryPerRun`: bytes of state one run may use on this worker.
 */
export function validateJob(
  data: unknown,
  registry: ModelRegistry,
  version: string,
  memoryPerRun: number,
): JobData | string {
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(data));
  } catch {
    return 'payload is not JSON data';
  }
  if (size > MAX_JOB_BYTES) return `payload of ${size} bytes exceeds the limit of ${MAX_JOB_BYTES}`;
  const parsed = jobSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return `payload is not a Panopticon experiment job: ${first.path.join('.') || '(top)'}: ${first.message}`;
  }
  const job = parsed.data;
  if (job.version !== version)
    return `job was planned for model version ${job.version}; this worker runs ${version} (update one of them: results would differ)`;
  for (const run of job.runs) {
    const entry = Object.prototype.hasOwnProperty.call(registry, run.model) ? registry[run.model] : undefined;
    if (!entry) return `run ${run.key}: unknown model ${JSON.stringify(run.model)}`;
    const res = entry.params.safeParse(run.params);
    if (!res.success) return `run ${run.key}: params refused by model ${run.model}: ${res.error.issues[0]?.message}`;
    if (canonicalJson(res.data) !== canonicalJson(run.params))
      return `run ${run.key}: params are not fully resolved (the model's schema changes them)`;
    const scheduleProblem = checkSchedule(entry, run as RunSpec);
    if (scheduleProblem) return `run ${run.key}: ${scheduleProblem}`;
    if (runKey(run.model, run.params, run.seed, run.steps, version, run.schedule) !== run.key)
      return `run ${run.key}: the key does not match the run's scenario, seed and model version`;
    try {
      checkMemory(
        { model: run.model, seed: run.seed, steps: run.steps, params: run.params, sources: {} },
        registry,
        memoryPerRun,
      );
    } catch (e) {
      return `run ${run.key}: ${(e as Error).message}`;
    }
    const seriesBytes = (run.steps + 1) * job.series.length * 8;
    if (seriesBytes * job.runs.length * 1.4 > MAX_RESULT_BYTES)
      return `series of ${job.runs.length} runs would exceed the ${MAX_RESULT_BYTES}-byte result limit`;
  }
  return job as JobData;
}

/** Scheduled values must be values the model accepts, at every point. */
function checkSchedule(entry: ModelRegistry[string], run: RunSpec): string | null {
  if (!run.schedule?.length) return null;
  let at: (tick: number) => unknown;
  try {
    at = paramsResolver(run.params, run.schedule);
  } catch (e) {
    return (e as Error).message;
  }
  for (const s of run.schedule)
    for (const p of s.points) {
      const res = entry.params.safeParse(at(p.tick));
      if (!res.success) return `schedule of ${s.path.join('.')} refused by the model on day ${p.tick}`;
    }
  return null;
}

function toBase64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromBase64(s: string): Float64Array {
  const bytes = Buffer.from(s, 'base64');
  const out = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function encodeOutcome(o: RunOutcome): EncodedOutcome {
  return o.ok
    ? {
        key: o.key,
        ok: true,
        values: toBase64(o.values),
        series: toBase64(o.series),
        wallSeconds: o.wallSeconds,
        initSeconds: o.initSeconds,
      }
    : o;
}

export function decodeOutcome(e: EncodedOutcome): RunOutcome {
  return e.ok
    ? {
        key: e.key,
        ok: true,
        values: fromBase64(e.values),
        series: fromBase64(e.series),
        wallSeconds: e.wallSeconds,
        initSeconds: e.initSeconds,
      }
    : e;
}
