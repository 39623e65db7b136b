/**
 * Parameters of the predictive-policing urn of Ensign et al. (2018), docs/odd/ensign-urn.md.
 * Region A and region B; the defaults are the paper's Oakland Top1-vs-Top2 run.
 */
import { z } from 'zod';

/** Poisson draws are by inversion, whose work grows with the mean: keep rates modest. */
export const MAX_RATE = 500;

const pair = (what: string, min: number, max: number) =>
  z
    .strictObject({
      a: z.number().min(min).max(max).describe(`${what}, region A`),
      b: z.number().min(min).max(max).describe(`${what}, region B`),
    })
    .describe(what);

export const ensignUrnParams = z
  .strictObject({
    urns: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .default(1000)
      .describe('independent urns (runs of the feedback loop) simulated side by side'),
    prior: pair('balls at day 0 (historical incidents)', 1e-9, 1e9).default({ a: 609, b: 379 }),
    discoveredRate: pair(
      'incidents police discover per day in the region they patrol (the true crime rate λ)',
      0,
      MAX_RATE,
    ).default({ a: 3.68511, b: 2.816466 }),
    reportedRate: pair(
      'incidents residents report per day, patrolled or not (0: discovered only)',
      0,
      MAX_RATE,
    ).default({ a: 0, b: 0 }),
    updates: z
      .enum(['expected', 'poisson'])
      .default('poisson')
      .describe("balls added per incident stream: 'expected' the rate itself, 'poisson' a Poisson draw with that mean"),
    decay: z
      .number()
      .min(0)
      .lt(1)
      .default(0.01)
      .describe('daily probability that each ball is forgotten (binomial thinning; a region keeps at least one ball)'),
    surprise: z
      .enum(['none', 'linear'])
      .default('none')
      .describe(
        "'linear': keep a day's update with probability (1 − share of the patrolled region) / max(share A, share B), the paper's correction",
      ),
    lockTolerance: z
      .number()
      .gt(0)
      .lt(0.5)
      .default(0.01)
      .describe('an urn counts as locked in when the share of region A is within this of 0 or 1'),
  })
  .superRefine((p, ctx) => {
    const out = (k: 'a' | 'b') => p.discoveredRate[k] + p.reportedRate[k];
    if (out('a') + out('b') === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['discoveredRate'],
        message: 'discoveredRate and reportedRate are all 0: the urn would never change; allowed: some rate > 0',
      });
  });

export type EnsignUrnParams = z.infer<typeof ensignUrnParams>;
