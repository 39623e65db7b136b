/**
 * Phone / IoT tracking (Safe City packages): where deployed, attendance at a gathering
 * is revealed by the devices people carry. Acts only on protest, the one act that is a
 * gathering.
 */
import { z } from 'zod';
import { metric, type Mechanism } from './mechanism.js';
import type { RegimeParams, RegionParams } from './params.js';
import { rate, share } from './units.js';

export const trackingParams = z
  .object({
    enabled: z.boolean().default(false),
    detectionRate: rate.default(0.9).describe('probability a tracked gathering reveals each attendee'),
  })
  .strict()
  .prefault({});

export const trackingRegion = {
  trackingCoverage: share.default(0).describe('share of gatherings where phone / IoT tracking is deployed'),
};

export const tracking: Mechanism = {
  key: 'tracking',
  title: 'phone and IoT tracking of attendance at gatherings',
  role: { changes: 'detection of protest attendance feeds arrests and records, and raises perceived risk' },
  enabled: (p) => p.tracking.enabled,
  metrics: [
    metric('detected_tracking', 'flow', 'surveillance', 'protest attendances detected by phone / IoT tracking'),
  ],
  channels: [{ name: 'tracking', protest: (c) => trackingDetection(c.p, c.region), perceived: true }],
};

export function trackingDetection(p: RegimeParams, region: RegionParams): number {
  if (!p.tracking.enabled) return 0;
  return region.trackingCoverage * p.tracking.detectionRate;
}
