/**
 * Joint punishment: a blacklisted adult who tries to buy a flight or a high-speed train
 * ticket, book a luxury hotel, buy property or take a barred post is blocked; each
 * blocked attempt is counted (comparable to the documented flight- and train-ban counts)
 * and costs welfare, raising hardship.
 */
import type { RegimeParams } from './params.js';
import { z } from 'zod';
import { metric, type Mechanism } from './mechanism.js';
import { nonNegative, rate, share } from './units.js';
import type { ShardContext } from '../../engine/model.js';
import { F } from './bits.js';
import { regimeLayout } from './layout.js';
import type { EnforcementStep } from './mechanism.js';
import { U8 } from './population.js';

export const sanctionsParams = z
  .object({
    enabled: z.boolean().default(false),
    flightAttemptRate: rate.default(0.002).describe('daily probability a listed person tries to buy a flight'),
    trainAttemptRate: rate
      .default(0.005)
      .describe('daily probability a listed person tries to buy a high-speed train ticket'),
    hotelAttemptRate: rate.default(0.002).describe('daily probability of a luxury-hotel booking attempt'),
    propertyAttemptRate: rate.default(0.0002).describe('daily probability of a property purchase attempt'),
    jobAttemptRate: rate.default(0.001).describe('daily probability of applying for a barred post'),
    schoolingAttemptRate: rate
      .default(0.001)
      .describe('daily probability a listed parent’s child applies to a barred school'),
    publicShaming: z.boolean().default(false).describe('listings are published (visible to the cell)'),
    welfareLoss: nonNegative.max(0.5).default(0.01).describe('hardship added per blocked attempt'),
    learning: share
      .default(0)
      .describe('share by which a listed person’s attempts fall after each one blocked (learning the ban)'),
  })
  .strict()
  .prefault({});

export const sanctions: Mechanism = {
  key: 'sanctions',
  title: 'joint punishment: flight, train, hotel, property and job bans on the blacklisted',
  role: {
    changes:
      'each blocked attempt raises the listed person’s hardship, and so grievance; the listed learn the ban and try less',
  },
  enabled: (p) => p.sanctions.enabled,
  metrics: [
    metric('blocked_flight', 'flow', 'harm', 'flight purchases blocked'),
    metric('blocked_train', 'flow', 'harm', 'high-speed train purchases blocked'),
    metric('blocked_hotel', 'flow', 'harm', 'luxury hotel bookings blocked'),
    metric('blocked_property', 'flow', 'harm', 'property purchases blocked'),
    metric('blocked_job', 'flow', 'harm', 'job applications blocked'),
  ],
  enforcement: (ctx) => (ctx.params.sanctions.enabled ? [attemptsStep(ctx)] : []),
  // Blocks met so far, per listed resident who has met one (only when the listed learn).
  sparse: (p) => (p.sanctions.enabled && p.sanctions.learning > 0 ? ['blocks'] : []),
};

export const SANCTION_TYPES = ['flight', 'train', 'hotel', 'property', 'job'] as const;
export type SanctionType = (typeof SANCTION_TYPES)[number];

export function attemptRate(p: RegimeParams, type: SanctionType): number {
  const s = p.sanctions;
  switch (type) {
    case 'flight':
      return s.flightAttemptRate;
    case 'train':
      return s.trainAttemptRate;
    case 'hotel':
      return s.hotelAttemptRate;
    case 'property':
      return s.propertyAttemptRate;
    case 'job':
      return s.jobAttemptRate;
  }
}

/** Blocked attempts by a blacklisted adult who is free to try; each costs welfare. */
function attemptsStep(ctx: ShardContext<RegimeParams>): EnforcementStep {
  const p = ctx.params;
  const mt = regimeLayout(p).metricTable;
  const blocked = SANCTION_TYPES.map((t) => mt.base(`blocked_${t}`));
  const rates = SANCTION_TYPES.map((t) => attemptRate(p, t));
  const welfareLoss = Math.round(p.sanctions.welfareLoss * U8);
  const hardship = ctx.columns.hardship as Uint8Array;
  const keep = 1 - p.sanctions.learning;
  const blocks = p.sanctions.learning > 0 ? ctx.sparse.blocks : undefined;
  return {
    slot: 'sanction',
    idle: false,
    onProtest: false,
    run(d) {
      if (!(d.f & F.BLACKLISTED)) {
        // Off the list (today, or long ago): what it learned of the ban is forgotten.
        if (blocks && blocks.get(d.i) > 0) blocks.set(d.i, 0);
        return;
      }
      if (d.f & (F.CHILD | F.DETAINED)) return;
      const met = blocks ? blocks.get(d.i) : 0;
      const tries = met > 0 ? Math.pow(keep, met) : 1;
      let more = 0;
      for (let k = 0; k < rates.length; k++) {
        if (d.rng.uniform() < rates[k] * tries) {
          mt.add(ctx.acc, blocked[k], d.g, d.r, 1);
          hardship[d.i] = Math.min(U8, hardship[d.i] + welfareLoss);
          more++;
        }
      }
      if (blocks && more > 0) blocks.set(d.i, Math.min(1000, met + more));
    },
  };
}
