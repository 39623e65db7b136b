/**
 * Cameras and face recognition (Sharp Eyes / Skynet). A public act is caught when it
 * happens in covered space and the face is recognised; innocent people in covered space
 * are sometimes falsely matched to a recorded act, at a rate that differs by group
 * (recognition error is not uniform across demographic groups).
 */
import type { GroupParams, RegimeParams, RegionParams } from './params.js';

/** Share of public space under camera coverage: coverage per camera-per-1,000, capped at 1. */
export function cameraCoverage(p: RegimeParams, region: RegionParams): number {
  if (!p.cameras.enabled) return 0;
  return Math.min(1, region.camerasPerThousand * p.cameras.coveragePerCamera);
}

/** Probability a public act in this region is detected and attributed to its author. */
export function cameraDetection(p: RegimeParams, region: RegionParams): number {
  return cameraCoverage(p, region) * p.cameras.recognitionAccuracy;
}

/** Daily probability an innocent member of `group` is falsely matched to a recorded act. */
export function falseMatchProbability(p: RegimeParams, region: RegionParams, group: GroupParams): number {
  return Math.min(1, cameraCoverage(p, region) * p.cameras.falseMatchRate * group.recognitionErrorMultiplier);
}
