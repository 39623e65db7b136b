/**
 * Parameters of the regime model: the synthetic population's aggregate description and
 * one block per mechanism (DESIGN.md §4). Every mechanism block has `enabled`, so a
 * scenario can switch it off and the model reduces toward the Epstein rule.
 *
 * Rates are per agent per day unless a name says otherwise. Defaults here are neutral
 * (a light regime); presets in scenarios/ set every number and cite its source.
 */
import { z } from 'zod';

import { abuseParams } from './abuse.js';
import { behaviourParams } from './behaviour.js';
import { camerasGroup, camerasParams, camerasRegion } from './cameras.js';
import { checkpointsParams, checkpointsRegion } from './checkpoints.js';
import { dueProcessParams } from './dueprocess.js';
import { familyParams } from './family.js';
import { gridGroup, gridParams, gridRegion } from './grid.js';
import { incentivesParams } from './incentives.js';
import { informantsParams, informantsRegion } from './informants.js';
import { listsParams } from './lists.js';
import { patrolsParams } from './patrols.js';
import { perceptionParams } from './perception.js';
import { platformParams, platformRegion } from './platform.js';
import { policeParams, policeRegion } from './police.js';
import { predictiveGroup, predictiveParams } from './predictive.js';
import { propagandaParams, propagandaRegion } from './propaganda.js';
import { recordsParams } from './records.js';
import { responseParams } from './response.js';
import { sanctionsParams } from './sanctions.js';
import { scoreParams } from './score.js';
import { trackingParams, trackingRegion } from './tracking.js';
import { viewsParams } from './views.js';
import { share } from './units.js';

/** A region: its name and size, and what each mechanism deploys there. */
export const regionParams = z
  .object({
    name: z.string().min(1).max(40).describe('region label used in metric keys'),
    populationShare: z.number().gt(0).max(1).describe('share of the population living here'),
    ...camerasRegion,
    ...informantsRegion,
    ...platformRegion,
    ...policeRegion,
    ...trackingRegion,
    ...propagandaRegion,
    ...gridRegion,
    ...checkpointsRegion,
    hardshipShift: z
      .number()
      .min(-0.5)
      .max(0.5)
      .default(0)
      .describe('added to every resident’s hardship (regional deprivation)'),
  })
  .strict();

/** A group: its name and share, and how each mechanism treats its members. */
export const groupParams = z
  .object({
    name: z.string().min(1).max(40).describe('group label used in metric keys'),
    share: z.number().gt(0).max(1).describe('share of households belonging to this group'),
    hardshipShift: z.number().min(-0.5).max(0.5).default(0).describe('added to hardship of members'),
    ...camerasGroup,
    ...predictiveGroup,
    ...gridGroup,
  })
  .strict();

export const regimeParams = z
  .object({
    population: z
      .object({
        agents: z.number().int().min(100).max(2_000_000_000).default(100_000).describe('number of synthetic residents'),
        cellSize: z
          .number()
          .int()
          .min(10)
          .max(100_000)
          .default(1000)
          .describe('residents per grid cell (the grid-management unit)'),
        householdSizes: z
          .array(share)
          .min(1)
          .max(8)
          .default([0.15, 0.3, 0.25, 0.2, 0.07, 0.03])
          .describe('probability of a household of 1, 2, … members (sums to 1)'),
        childShare: share.default(0.2).describe('share of residents in households of 2+ who are school-age children'),
        regions: z.array(regionParams).min(1).max(64).describe('regions; population shares sum to 1'),
        groups: z
          .array(groupParams)
          .min(1)
          .max(16)
          .describe('groups; shares sum to 1; the first is the reference (majority) group'),
      })
      .strict(),
    behaviour: behaviourParams,
    police: policeParams,
    grid: gridParams,
    informants: informantsParams,
    cameras: camerasParams,
    tracking: trackingParams,
    platform: platformParams,
    records: recordsParams,
    score: scoreParams,
    lists: listsParams,
    sanctions: sanctionsParams,
    family: familyParams,
    predictive: predictiveParams,
    patrols: patrolsParams,
    abuse: abuseParams,
    dueProcess: dueProcessParams,
    propaganda: propagandaParams,
    checkpoints: checkpointsParams,
    incentives: incentivesParams,
    perception: perceptionParams,
    views: viewsParams,
    response: responseParams,
    agentsPerShard: z.number().int().min(1000).max(100_000_000).default(65_536).describe('preferred shard size'),
  })
  .strict()
  .superRefine((p, ctx) => {
    const regionTotal = p.population.regions.reduce((s, r) => s + r.populationShare, 0);
    if (Math.abs(regionTotal - 1) > 1e-6) {
      ctx.addIssue({
        code: 'custom',
        path: ['population', 'regions'],
        message: `region populationShare values sum to ${regionTotal}, must sum to 1`,
      });
    }
    const groupTotal = p.population.groups.reduce((s, g) => s + g.share, 0);
    if (Math.abs(groupTotal - 1) > 1e-6) {
      ctx.addIssue({
        code: 'custom',
        path: ['population', 'groups'],
        message: `group share values sum to ${groupTotal}, must sum to 1`,
      });
    }
    const hh = p.population.householdSizes.reduce((s, x) => s + x, 0);
    if (Math.abs(hh - 1) > 1e-6) {
      ctx.addIssue({
        code: 'custom',
        path: ['population', 'householdSizes'],
        message: `household size probabilities sum to ${hh}, must sum to 1`,
      });
    }
    const names = new Set<string>();
    for (const [i, r] of p.population.regions.entries()) {
      if (names.has(r.name))
        ctx.addIssue({
          code: 'custom',
          path: ['population', 'regions', i, 'name'],
          message: `duplicate region name "${r.name}"`,
        });
      names.add(r.name);
    }
    names.clear();
    for (const [i, g] of p.population.groups.entries()) {
      if (names.has(g.name))
        ctx.addIssue({
          code: 'custom',
          path: ['population', 'groups', i, 'name'],
          message: `duplicate group name "${g.name}"`,
        });
      names.add(g.name);
    }
    const outcomes = p.predictive.criminalShare + p.predictive.educationShare + p.predictive.watchShare;
    if (outcomes > 1 + 1e-9) {
      ctx.addIssue({
        code: 'custom',
        path: ['predictive', 'criminalShare'],
        message: `criminalShare + educationShare + watchShare sum to ${outcomes}, must be at most 1 (the rest are let go)`,
      });
    }
    const grades = new Set<string>();
    for (const [i, band] of p.score.bands.entries()) {
      if (grades.has(band.grade)) {
        ctx.addIssue({
          code: 'custom',
          path: ['score', 'bands', i, 'grade'],
          message: `duplicate grade "${band.grade}"`,
        });
      }
      grades.add(band.grade);
    }
    for (let i = 1; i < p.score.bands.length; i++) {
      if (p.score.bands[i].min >= p.score.bands[i - 1].min) {
        ctx.addIssue({
          code: 'custom',
          path: ['score', 'bands', i, 'min'],
          message: 'bands must be listed highest first with decreasing min',
        });
      }
    }
  });

export type RegimeParams = z.infer<typeof regimeParams>;
export type RegionParams = z.infer<typeof regionParams>;
export type GroupParams = z.infer<typeof groupParams>;
