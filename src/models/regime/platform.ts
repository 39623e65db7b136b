/**
 * Platform data and online censorship. A critical post written on a monitored platform
 * is detected with some probability and deleted; enough detections close the account,
 * and where re-registration is barred the person loses that channel for good.
 */
import type { RegimeParams, RegionParams } from './params.js';

/** Probability a critical post by a resident of this region is detected. */
export function postDetection(p: RegimeParams, region: RegionParams): number {
  if (!p.platform.enabled) return 0;
  return region.platformPenetration * p.platform.detectionRate;
}
