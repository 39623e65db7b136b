/**
 * Phone / IoT tracking (Safe City packages): where deployed, attendance at a gathering
 * is revealed by the devices people carry. Acts only on protest, the one act that is a
 * gathering.
 */
import type { RegimeParams, RegionParams } from './params.js';

export function trackingDetection(p: RegimeParams, region: RegionParams): number {
  if (!p.tracking.enabled) return 0;
  return region.trackingCoverage * p.tracking.detectionRate;
}
