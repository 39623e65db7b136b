/**
 * Grid management and social observers. Each cell of ~1,000 residents has grid workers
 * who notice offline acts there; gig workers (delivery, ride-hailing) recruited as
 * mobile observers pass through several cells a day and notice acts too.
 */
import type { RegimeParams, RegionParams } from './params.js';

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
