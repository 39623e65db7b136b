/**
 * Grid management and social observers. Each cell of ~1,000 residents has grid workers
 * who notice offline acts there; gig workers (delivery, ride-hailing) recruited as
 * mobile observers pass through several cells a day and notice acts too.
 */
import { z } from 'zod';
import { metric, type Mechanism } from './mechanism.js';
import type { RegimeParams, RegionParams } from './params.js';
import { nonNegative, rate, share } from './units.js';

export const gridParams = z
  .object({
    enabled: z.boolean().default(false),
    detectionPerWorker: rate
      .default(0.05)
      .describe('probability one grid worker notices a given offline act in the cell'),
    gigRecruitmentRate: share.default(0).describe('share of gig workers recruited as mobile observers'),
    detectionPerObserver: rate
      .default(0.005)
      .describe('probability one gig observer notices a given offline act in a cell it passes'),
    cellsPerObserver: z.number().int().min(1).max(1000).default(5).describe('cells a mobile observer covers'),
  })
  .strict()
  .prefault({});

export const gridRegion = {
  gridWorkersPerCell: nonNegative
    .max(100)
    .default(0)
    .describe('grid workers assigned to each cell of ~1,000 residents'),
};

export const gridGroup = {
  gigWorkerShare: share
    .default(0)
    .describe('share of adult members working in delivery / ride-hailing (new employment forms)'),
};

export const grid: Mechanism = {
  key: 'grid',
  title: 'grid workers in each cell and gig workers recruited as mobile observers',
  role: { changes: 'detection of offline acts feeds arrests, records and scores, and deters infractions' },
  enabled: (p) => p.grid.enabled,
  metrics: [
    metric('observers', 'stock', 'surveillance', 'gig workers recruited as mobile observers'),
    metric('detected_grid', 'flow', 'surveillance', 'acts detected by grid workers'),
    metric('detected_observer', 'flow', 'surveillance', 'acts detected by gig-worker observers'),
  ],
  channels: [
    {
      name: 'grid',
      protest: (c) => gridDetection(c.p, c.region),
      offline: (c) => gridDetection(c.p, c.region),
      perceived: true,
    },
    {
      name: 'observer',
      protest: (c) => observerDetection(c.p, c.observersPerCell),
      offline: (c) => observerDetection(c.p, c.observersPerCell),
      perceived: true,
    },
  ],
};

export function gridDetection(p: RegimeParams, region: RegionParams): number {
  if (!p.grid.enabled) return 0;
  return 1 - Math.pow(1 - p.grid.detectionPerWorker, region.gridWorkersPerCell);
}

/** Probability one of the mobile observers passing a cell notices a given act there. */
export function observerDetection(p: RegimeParams, observersPerCell: number): number {
  if (!p.grid.enabled || observersPerCell <= 0) return 0;
  return 1 - Math.pow(1 - p.grid.detectionPerObserver, observersPerCell);
}

/** Expected observers passing an average cell of a region, from its recruited gig workers. */
export function observersPassingCell(p: RegimeParams, observers: number, cells: number): number {
  return cells > 0 ? (observers * p.grid.cellsPerObserver) / cells : 0;
}
