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
import type { ShardContext } from '../../engine/model.js';
import { E, F, MAX_PACKED_STRIKES, STRIKE_SHIFT } from './bits.js';
import { regimeLayout } from './layout.js';
import type { EnforcementStep } from './mechanism.js';

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
  enforcement: (ctx) => (ctx.params.platform.enabled ? [strikesStep(ctx)] : []),
};

/** Probability a critical post by a resident of this region is detected. */
export function postDetection(p: RegimeParams, region: RegionParams): number {
  if (!p.platform.enabled) return 0;
  return region.platformPenetration * p.platform.detectionRate;
}

/** Each detected post is a strike; enough strikes close the account. */
function strikesStep(ctx: ShardContext<RegimeParams>): EnforcementStep {
  const p = ctx.params;
  const closed = regimeLayout(p).metricTable.base('accounts_closed_new');
  const packed = strikesPacked(p);
  const group = ctx.columns.group as Uint8Array;
  const strikes = ctx.columns.strikes as Uint8Array;
  return {
    slot: 'censor',
    idle: false,
    onProtest: false,
    run(d) {
      if (!(d.e & E.POST)) return;
      let count: number;
      if (packed) {
        // Saturating at 15 ≥ strikesToClose: beyond the closing strike the count is moot.
        count = Math.min(MAX_PACKED_STRIKES, (group[d.i] >> STRIKE_SHIFT) + 1);
        group[d.i] = d.g | (count << STRIKE_SHIFT);
      } else count = strikes[d.i] = Math.min(255, strikes[d.i] + 1);
      if (count >= p.platform.strikesToClose && !(d.f & F.ACCOUNT_CLOSED)) {
        d.f |= F.ACCOUNT_CLOSED;
        regimeLayout(p).metricTable.add(ctx.acc, closed, d.g, d.r, 1);
      }
    },
  };
}
