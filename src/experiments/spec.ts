/**
 * The experiment file: one zod schema from which the TypeScript types derive. Validation
 * messages go through the scenario loader's issue formatter, so they read the same way
 * (path, value given, what is allowed, nearest valid key). What the schema cannot know —
 * factor paths and output metrics, which depend on the model — is checked in load.ts.
 */
import { z } from 'zod';

export const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-", starting with a letter or digit')
  .max(80);

/** Output and factor names become column names in the exported tables: R- and pandas-friendly. */
export const columnName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a letter, then letters, digits or "_" (it becomes a column name)')
  .max(80);

const scalar = z.union([z.number(), z.boolean(), z.string()]);

export const baseSpec = z.strictObject({
  preset: z.string().min(1).optional(),
  file: z.string().min(1).optional(),
  /** Scales a regime population (params.population.agents), as `run --population`. */
  population: z.number().int().min(1).optional(),
  steps: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .optional(),
});

export const factorSpec = z
  .strictObject({
    name: columnName.optional(),
    /** Dotted path into the model's params; list items by index, by `name`, or `*` for all. */
    path: z.string().min(1),
    /** Continuous range [low, high] (lhs, sobol, morris; grid with `design.levels`). */
    range: z.tuple([z.number(), z.number()]).optional(),
    /** Discrete values (grid; arms are compared at each). */
    levels: z.array(scalar).min(1).max(1000).optional(),
    /** `log`: values spread evenly in log space between the range ends (both > 0). */
    scale: z.enum(['linear', 'log']).default('linear'),
  })
  .refine((f) => (f.range === undefined) !== (f.levels === undefined), {
    message: 'give exactly one of `range: [low, high]` or `levels: [...]`',
  });

/**
 * One schema per design type, chosen by `type` before validation (load.ts), so that an
 * unknown key inside a design gets the nearest valid key of that design.
 */
export const designSpecs = {
  grid: z.strictObject({
    type: z.literal('grid'),
    /** Evenly spaced values per ranged factor (levels lists are used as given). */
    levels: z.number().int().min(2).max(1000).default(3),
  }),
  lhs: z.strictObject({ type: z.literal('lhs'), samples: z.number().int().min(2).max(1_000_000) }),
  sobol: z.strictObject({
    type: z.literal('sobol'),
    /** N base samples: N × (k + 2) points (Saltelli 2010, first-order and total indices). */
    samples: z.number().int().min(4).max(1_048_576),
  }),
  morris: z.strictObject({
    type: z.literal('morris'),
    trajectories: z.number().int().min(2).max(10_000),
    /** Grid levels p; the step is p / (2(p − 1)) (Morris 1991; Saltelli et al. 2008). */
    levels: z.number().int().min(2).max(100).default(4),
  }),
} as const;
export type DesignType = keyof typeof designSpecs;
export const DESIGN_TYPES = Object.keys(designSpecs) as DesignType[];

export const armSpec = z
  .strictObject({ name, preset: z.string().min(1).optional(), file: z.string().min(1).optional() })
  .refine((a) => (a.preset === undefined) !== (a.file === undefined), {
    message: 'give exactly one of `preset: NAME` or `file: PATH`',
  });

export const outputSpec = z.strictObject({
  name: columnName.optional(),
  metric: z.string().min(1),
  stat: z.enum(['final', 'mean', 'total', 'max']),
  /** Ticks [from, to] (inclusive) for mean / total / max; default: every simulated day, 1..steps. */
  window: z.tuple([z.number().int().min(0), z.number().int().min(0)]).optional(),
  /** `group` or `region` expands to one output per group or region; `group=NAME` picks one. */
  by: z.string().min(1).default('overall'),
});

export const untilSpec = z.strictObject({
  /** Output name(s) whose 95 % confidence interval must be narrow enough. */
  output: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** Target half-width of the 95 % CI of the mean, in the output's units. */
  halfWidth: z.number().gt(0),
});

export const fixedReplicates = z.number().int().min(1).max(100_000);
export const adaptiveReplicates = z.strictObject({
  until: untilSpec,
  /** Replicates every point and arm gets before the intervals are first checked. */
  min: z.number().int().min(2).max(100_000).default(3),
  max: z.number().int().min(2).max(100_000),
});

export const seriesSpec = z.strictObject({ metric: z.string().min(1), by: z.string().min(1).default('overall') });

export const experimentSpec = z.strictObject({
  name: name.optional(),
  description: z.string().optional(),
  base: baseSpec.optional(),
  factors: z.array(factorSpec).max(64).default([]),
  /** Checked per type afterwards (designSpecs); `design: grid` is short for `{type: grid}`. */
  design: z.unknown().optional(),
  arms: z.array(armSpec).min(2).max(64).optional(),
  /** Which arm paired differences are taken against (default: the first). */
  reference: z.string().min(1).optional(),
  /** A count, or `{until, min, max}` (adaptive); checked afterwards against the two schemas. */
  replicates: z.unknown().optional(),
  /** Seed of replicate 0; replicate r runs with seed + r at every point and arm. Default: the base scenario's seed. */
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  outputs: z.array(outputSpec).min(1).max(500).optional(),
  /** Per-tick metrics to store for every run: `metric` or `{metric, by}`; a bare name is normalised in load.ts. */
  series: z.array(z.unknown()).max(100).default([]),
});

export type ExperimentSpec = z.infer<typeof experimentSpec>;
export type FactorSpec = z.infer<typeof factorSpec>;
export type DesignSpec = { [T in DesignType]: z.infer<(typeof designSpecs)[T]> }[DesignType];
export type OutputSpec = z.infer<typeof outputSpec>;
export type ReplicatesSpec = number | z.infer<typeof adaptiveReplicates>;
export type ArmSpec = z.infer<typeof armSpec>;
export type SeriesSpec = z.infer<typeof seriesSpec>;
