/**
 * Parameters of the dissent and self-censorship model of Daymude, Axelrod & Forrest (2025),
 * docs/odd/dissent.md. Defaults: the uniform-punishment panel of the paper's Fig. 3.
 */
import { z } from 'zod';

const desire = z
  .discriminatedUnion('kind', [
    z
      .strictObject({ kind: z.literal('grid').describe('δ_i = i/(N − 1): evenly spaced on [0, 1]') })
      .describe("every desired dissent from 0 to 1 (the y-axis of the paper's phase diagrams)"),
    z
      .strictObject({
        kind: z.literal('truncated-exponential').describe('exponential truncated to [0, 1]'),
        mean: z.number().gt(0).lt(0.5).describe('mean desired dissent'),
      })
      .describe("desired dissent exponentially distributed on [0, 1] (the paper's simulated populations)"),
  ])
  .describe('how desired dissent δ is distributed');

const boldness = z
  .discriminatedUnion('kind', [
    z
      .strictObject({
        kind: z.literal('constant'),
        value: z.number().gt(0).max(1000).describe('boldness β of everyone'),
      })
      .describe('one boldness for all'),
    z
      .strictObject({
        kind: z.literal('exponential'),
        mean: z.number().gt(0).max(1000).describe('mean boldness'),
      })
      .describe('boldness exponentially distributed'),
  ])
  .describe('how boldness β (weight of acting on one’s desire against avoiding punishment) is distributed');

export const authoritySchema = z
  .strictObject({
    tolerance: z.number().min(0).max(1).describe('τ: dissent up to this level is never punished'),
    severity: z.number().gt(0).max(1000).describe('ψ: punishment severity'),
    surveillance: z.number().min(0).max(1).describe('ν: an action a is observed with probability ν + (1 − ν)·a'),
    punishment: z
      .enum(['uniform', 'proportional'])
      .describe("'uniform': ψ for any observed action above τ; 'proportional': ψ·(a − τ)"),
  })
  .describe("the authority's policy (its starting policy when it adapts)");

export const dissentParams = z.strictObject({
  individuals: z.number().int().min(2).max(10_000_000).default(1001).describe('individuals in the population'),
  desire: desire.default({ kind: 'grid' }),
  boldness: boldness.default({ kind: 'constant', value: 1 }),
  authority: authoritySchema.default({ tolerance: 0.25, severity: 0.6, surveillance: 0.5, punishment: 'uniform' }),
  adaptation: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('fixed') }).describe('the policy never changes'),
      z
        .strictObject({
          kind: z.literal('hill-climbing'),
          adamancy: z.number().gt(0).max(1e6).describe('α: weight of expressed dissent against punishment cost'),
          window: z.number().gt(0).max(1).describe('ε: a mutation moves one parameter uniformly within ±ε'),
        })
        .describe(
          'random-mutation hill climbing: each round one policy parameter mutates; the change is undone if α·dissent + punishment cost rose',
        ),
    ])
    .default({ kind: 'fixed' })
    .describe('how the authority changes its policy between rounds'),
  actionGrid: z
    .number()
    .int()
    .min(2)
    .max(100_000)
    .default(200)
    .describe('actions an individual compares on [0, δ] before refining the best one (golden-section search)'),
});

export type DissentParams = z.infer<typeof dissentParams>;
export type Authority = z.infer<typeof authoritySchema>;
