/**
 * Parameters of Granovetter's (1978) threshold model of collective behaviour
 * (docs/odd/granovetter.md). Thresholds are shares of the crowd: a person joins once the share
 * already taking part is at least their threshold.
 */
import { z } from 'zod';

const change = z
  .strictObject({
    from: z
      .number()
      .min(0)
      .max(1)
      .describe('threshold of the person whose threshold changes (must exist in the ladder)'),
    to: z.number().min(0).max(1.5).describe('their new threshold'),
  })
  .describe('one person of the ladder with a different threshold');

export const thresholdsSchema = z
  .discriminatedUnion('kind', [
    z
      .strictObject({
        kind: z.literal('ladder').describe('thresholds 0, 1/N, 2/N, …, (N − 1)/N: one person at each'),
        changes: z.array(change).max(100).default([]).describe('people whose threshold differs from the ladder'),
      })
      .describe("Granovetter's uniform example: everyone joins; one changed threshold can stop the cascade"),
    z
      .strictObject({
        kind: z.literal('normal').describe('thresholds normally distributed'),
        mean: z.number().min(-1).max(2).describe('mean threshold (share of the crowd)'),
        sd: z.number().gt(0).max(2).describe('standard deviation of the thresholds'),
        sampling: z
          .enum(['random', 'quantiles'])
          .default('random')
          .describe(
            "'random': each person draws a threshold; 'quantiles': person i gets the ((i + ½)/N)-quantile (the same crowd every time)",
          ),
      })
      .describe("Granovetter's normal example: thresholds N(mean, sd²); below 0 = instigators"),
  ])
  .describe('how thresholds are distributed in each crowd');

export const granovetterParams = z
  .strictObject({
    crowdSize: z.number().int().min(1).max(10_000_000).default(100).describe('people in each crowd (N)'),
    crowds: z.number().int().min(1).max(1_000_000).default(1).describe('independent crowds simulated side by side'),
    thresholds: thresholdsSchema.default({ kind: 'ladder', changes: [] }),
  })
  .superRefine((p, ctx) => {
    if (p.crowdSize * p.crowds > 100_000_000)
      ctx.addIssue({
        code: 'custom',
        path: ['crowds'],
        message: `crowdSize × crowds = ${p.crowdSize * p.crowds} people; allowed: at most 100,000,000`,
      });
    if (p.thresholds.kind !== 'ladder') return;
    p.thresholds.changes.forEach((c, i) => {
      const k = Math.round(c.from * p.crowdSize);
      if (Math.abs(k / p.crowdSize - c.from) > 1e-9 || k >= p.crowdSize)
        ctx.addIssue({
          code: 'custom',
          path: ['thresholds', 'changes', i, 'from'],
          message: `no one in a ladder of ${p.crowdSize} has threshold ${c.from}; allowed: k/${p.crowdSize} for k = 0 … ${p.crowdSize - 1}`,
        });
    });
  });

export type GranovetterParams = z.infer<typeof granovetterParams>;
