/**
 * Cameras and face recognition (Sharp Eyes / Skynet). A public act is caught when it
 * happens in covered space and the face is recognised; innocent people in covered space
 * are sometimes falsely matched to a recorded act, at a rate that differs by group
 * (recognition error is not uniform across demographic groups).
 */
import { z } from 'zod';
import { metric, type Mechanism } from './mechanism.js';
import type { GroupParams, RegimeParams, RegionParams } from './params.js';
import { nonNegative, rate } from './units.js';

export const camerasParams = z
  .object({
    enabled: z.boolean().default(false),
    coveragePerCamera: nonNegative
      .max(1)
      .default(0.004)
      .describe('share of public space one camera per 1,000 residents covers'),
    recognitionAccuracy: rate.default(0.9).describe('probability a covered face is recognised'),
    falseMatchRate: rate
      .default(0.0001)
      .describe('daily probability an innocent person in covered space is falsely matched to a recorded act'),
  })
  .strict()
  .prefault({});

export const camerasRegion = {
  camerasPerThousand: nonNegative.max(1000).default(0).describe('public cameras per 1,000 residents'),
};

export const camerasGroup = {
  recognitionErrorMultiplier: nonNegative
    .max(100)
    .default(1)
    .describe('face-recognition false-match rate relative to the base rate'),
};

export const cameras: Mechanism = {
  key: 'cameras',
  title: 'camera networks with face recognition, and their false matches by group',
  role: { changes: 'detection of public acts feeds arrests, records and scores; false matches wrong the innocent' },
  enabled: (p) => p.cameras.enabled,
  metrics: [
    metric('detected_camera', 'flow', 'surveillance', 'acts detected by cameras and face recognition'),
    metric('false_camera', 'flow', 'harm', 'acts wrongly attributed by face-recognition false matches'),
  ],
  channels: [
    {
      name: 'camera',
      protest: (c) => cameraDetection(c.p, c.region),
      offline: (c) => cameraDetection(c.p, c.region),
      perceived: true,
    },
  ],
};

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
