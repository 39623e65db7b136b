/**
 * Platform data and online censorship, by kind of post [KPR13][KPR14][ZHU13]: a wanted
 * critical post is a call to collective action with probability `callShare`, criticism
 * otherwise. Each kind written on a monitored platform is detected and deleted with its own
 * probability (calls far more often than criticism [KPR13]); a deleted post is not expressed
 * (only `deletedReach` of its readers saw it first [ZHU13]). Calls that reach their readers
 * make the cell's residents expect more protesters tomorrow (`mobilization` each): a larger
 * crowd lowers Epstein's arrest estimate, so calls feed protest, and deleting them matters.
 * Detections are strikes; enough close the account, and where re-registration is barred the
 * person loses that channel for good.
 */
import { z } from 'zod';
import type { ShardContext } from '../../engine/model.js';
import { E, F, MAX_PACKED_STRIKES, STRIKE_SHIFT, strikesPacked } from './bits.js';
import { regimeLayout } from './layout.js';
import { metric, type EnforcementStep, type Mechanism } from './mechanism.js';
import type { RegimeParams, RegionParams } from './params.js';
import { nonNegative, rate, share } from './units.js';

export const platformParams = z
  .object({
    enabled: z.boolean().default(false),
    detectionRate: rate.default(0.3).describe('probability a critical post on a monitored platform is detected'),
    strikesToClose: z.number().int().min(1).max(100).default(3).describe('detected posts before the account is closed'),
    reRegistrationBarred: z.boolean().default(true).describe('a closed account cannot be replaced'),
    callShare: share.default(0).describe('share of wanted critical posts that are calls to collective action'),
    callDetectionRate: rate
      .default(0.9)
      .describe('probability a call to collective action on a monitored platform is detected and deleted'),
    deletedReach: share.default(0.3).describe('share of a deleted post’s readers who saw it before it went'),
    mobilization: nonNegative
      .max(1000)
      .default(5)
      .describe('protesters residents expect tomorrow per call that reached its readers in the cell today'),
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
      'perceived monitoring chills posting, by kind; deletion keeps posts from readers; calls that survive feed tomorrow’s protest; closed accounts silence their owners where re-registration is barred',
  },
  enabled: (p) => p.platform.enabled,
  metrics: [
    metric('accounts_closed', 'stock', 'expression', 'residents whose platform account is closed'),
    metric('detected_platform', 'flow', 'surveillance', 'critical posts (either kind) detected and deleted'),
    metric('posts_deleted', 'flow', 'expression', 'critical posts (either kind) written and deleted'),
    metric('calls_desired', 'flow', 'expression', 'calls to collective action residents wanted to write'),
    metric('calls_written', 'flow', 'expression', 'calls to collective action written'),
    metric('calls_deleted', 'flow', 'expression', 'calls to collective action written and deleted'),
    metric('accounts_closed_new', 'flow', 'expression', 'accounts closed today'),
    metric('reregistration_blocked', 'flow', 'expression', 'posts lost because re-registration is barred'),
  ],
  // Strikes live in the group byte's high bits when they fit (layout.ts); a column otherwise.
  columns: (p, { agents, cells }) => [
    ...(p.platform.enabled && !strikesPacked(p) ? ([{ name: 'strikes', type: 'u8', length: agents }] as const) : []),
    // Calls that reached their readers in each cell today (their mobilizing weight).
    ...(calling(p) ? ([{ name: 'cellCalls', type: 'f32', length: cells }] as const) : []),
  ],
  channels: [
    {
      name: 'platform',
      post: (c) => postDetection(c.p, c.region),
      call: (c) => callDetection(c.p, c.region),
      perceived: true,
    },
  ],
  enforcement: (ctx) => (ctx.params.platform.enabled ? [strikesStep(ctx)] : []),
};

/** Whether some critical posts are calls to collective action. */
export function calling(p: RegimeParams): boolean {
  return p.platform.callShare > 0;
}

/** Protesters a cell's residents expect besides those they saw, from today's calls (0 without calls). */
export function expectedFromCalls(p: RegimeParams, cellCalls: Float32Array | undefined, c: number): number {
  return cellCalls ? p.platform.mobilization * cellCalls[c] : 0;
}

/** Probability a call to collective action by a resident of this region is detected. */
export function callDetection(p: RegimeParams, region: RegionParams): number {
  if (!p.platform.enabled) return 0;
  return region.platformPenetration * p.platform.callDetectionRate;
}

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
