/**
 * The calibration file: a base scenario (dated), the parameters to calibrate with their
 * priors, dated observations with their uncertainties, the method, and what to forecast.
 * Validation messages read like the scenario loader's (path, value, what is allowed); what
 * depends on the model (paths, metrics, dates against the start) is checked in load.ts.
 */
import { z } from 'zod';
import { sourceRef } from '../../scenario/schema.js';
import { baseSpec, columnName, name } from '../spec.js';

const pair = z.tuple([z.number(), z.number()]);

export const priorSpec = z.union([
  z.strictObject({ uniform: pair }),
  z.strictObject({ loguniform: pair }),
  z.strictObject({ normal: pair }),
  z.strictObject({ lognormal: pair }),
]);
export type PriorSpec = z.infer<typeof priorSpec>;

export const parameterSpec = z.strictObject({
  name: columnName.optional(),
  /** Dotted path into the base scenario's params (as experiment factors). */
  path: z.string().min(1),
  /** Indices of the points of the base scenario's schedule of `path` to set (instead of its params value). */
  points: z.array(z.number().int().min(0)).min(1).max(100).optional(),
  prior: priorSpec,
});

/** What a run is summarised by, at a date or over dates (observations and forecasts share it). */
const quantityShape = {
  name: columnName.optional(),
  metric: z.string().min(1),
  /** `overall`, or a metric key such as `group=NAME` or `region=NAME`. */
  by: z.string().min(1).default('overall'),
  /** value: the metric on `date`; cumulative: its sum over the days from the start through `date`; total: its sum over `from`…`to`. */
  stat: z.enum(['value', 'cumulative', 'total']),
  date: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  /** Divide by the same statistic of this metric (a ratio, e.g. exits per entry): the scale cancels. */
  per: z.string().min(1).optional(),
  /** A count of people or events, multiplied by the scale (false: a share or a mean, left as it is). */
  counts: z.boolean().default(true),
};

export const observationSpec = z.strictObject({
  ...quantityShape,
  value: z.number(),
  /** The observation's uncertainty: a standard deviation, absolute or relative to the value. */
  sd: z.number().gt(0).optional(),
  relSd: z.number().gt(0).optional(),
  source: sourceRef.optional(),
  note: z.string().optional(),
});
export const forecastQuantitySpec = z.strictObject(quantityShape);

export const methodSpec = z
  .strictObject({
    type: z.literal('abc-smc').default('abc-smc'),
    /** Particles per generation. */
    particles: z.number().int().min(10).max(100_000).default(200),
    /** Generations after the prior's (generation 0). */
    generations: z.number().int().min(1).max(100).default(8),
    /** Adaptive: ε_t = this quantile of generation t−1's accepted distances; or a fixed list ε_1, ε_2, … */
    tolerance: z
      .union([z.strictObject({ quantile: z.number().gt(0).lt(1) }), z.array(z.number().gt(0)).min(1).max(100)])
      .default({ quantile: 0.5 }),
    /** The perturbation kernel: Beaumont et al.'s 2 Σ̂, or the optimal local covariance per ancestor (Filippi et al. 2013). */
    kernel: z.enum(['beaumont', 'olcm']).default('beaumont'),
    /** Stop once ε is at or below this (1: within one stated uncertainty on average). */
    minEpsilon: z.number().min(0).default(0),
    /** Stop when a generation accepts fewer than this share of its proposals. */
    minAcceptance: z.number().gt(0).lt(1).default(0.02),
    /** Seed of the proposals and of the runs' seeds. */
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
  })
  .prefault({});

export const forecastSpec = z.strictObject({
  /** Posterior-predictive runs: particles drawn by weight, each with a fresh seed. */
  draws: z.number().int().min(10).max(100_000).default(200),
  /** Last date the predictive runs simulate (default: the last date a quantity needs). */
  until: z.string().optional(),
  quantities: z.array(forecastQuantitySpec).max(400).default([]),
  /** Daily metrics stored for every predictive run (for fan charts): names, overall. */
  series: z.array(z.string().min(1)).max(20).default([]),
});

export const calibrationSpec = z.strictObject({
  name: name.optional(),
  description: z.string().optional(),
  base: baseSpec.omit({ steps: true }),
  /** The population the observed counts refer to: simulated counts × (population / the run's agents). */
  scale: z.strictObject({ population: z.number().gt(0), source: sourceRef }).optional(),
  parameters: z.array(parameterSpec).min(1).max(32),
  observations: z.array(observationSpec).min(1).max(400),
  method: methodSpec,
  forecast: forecastSpec.optional(),
});

export type CalibrationSpec = z.infer<typeof calibrationSpec>;
export type ObservationSpec = z.infer<typeof observationSpec>;
export type QuantitySpec = z.infer<typeof forecastQuantitySpec>;
export type MethodSpec = z.infer<typeof methodSpec>;
