/**
 * Platform data and online censorship. A critical post written on a monitored platform
 * is detected with some probability and deleted; enough detections close the account,
 * and where re-registration is barred the person loses that channel for good.
 */
import type { RegimeParams, RegionParams } from './params.js';
import { z } from 'zod';
import { strikesPacked } from './bits.js';
import { metric, type Mechanism } from './mechanism.js';
import { rate, share } from './units.js';

export const platformParams = z
  .object({
    enabled: z.boolean().default(false),
    detectionRate: rate.default(0.3).describe('probability a critical post on a monitored platform is detected'),
    strikesToClose: z.number().int().min(1).max(100).default(3).describe('detected posts before the account is closed'),
    reRegistrationBarred: z.boolean().default(true).describe('a closed account cannot be replaced'),
  })
  .strict()
  .prefault({});

export const platformRegion = {
  platformPenetration: share
    .default(0.7)
    .describe('share of residents whose online speech runs on monitored platforms'),
};

export const platform: Mechanism = {
  key: 'platform',
  title: 'platform monitoring of critical posts, deletion and account closure',
  role: {
    changes:
      'perceived monitoring chills posting; closed accounts silence their owners where re-registration is barred',
  },
  enabled: (p) => p.platform.enabled,
  metrics: [
    metric('accounts_closed', 'stock', 'expression', 'residents whose platform account is closed'),
    metric('detected_platform', 'flow', 'surveillance', 'critical posts detected and deleted'),
    metric('accounts_closed_new', 'flow', 'expression', 'accounts closed today'),
    metric('reregistration_blocked', 'flow', 'expression', 'posts lost because re-registration is barred'),
  ],
  // Strikes live in the group byte's high bits when they fit (layout.ts); a column otherwise.
  columns: (p, { agents }) =>
    p.platform.enabled && !strikesPacked(p) ? [{ name: 'strikes', type: 'u8', length: agents }] : [],
  channels: [{ name: 'platform', post: (c) => postDetection(c.p, c.region), perceived: true }],
};

/** Probability a critical post by a resident of this region is detected. */
export function postDetection(p: RegimeParams, region: RegionParams): number {
  if (!p.platform.enabled) return 0;
  return region.platformPenetration * p.platform.detectionRate;
}
