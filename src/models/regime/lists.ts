/**
 * Blacklists and redlists: a court judgment on a default (the defaulter list) or a
 * score below a cut-off puts a resident on the blacklist for a fixed term (2 years for
 * defaulters); repaying removes a defaulter; a high score puts a resident on the redlist.
 * A listing is wrongful when, without the points lost to false attributions, the score
 * would not have crossed the cut-off.
 */
import { F } from './bits.js';
import type { RegimeParams } from './params.js';
import { z } from 'zod';
import { countdownType, sparseCountdowns } from './countdowns.js';
import { metric, type Mechanism } from './mechanism.js';

export const listsParams = z
  .object({
    enabled: z.boolean().default(false),
    blacklistOnJudgment: z
      .boolean()
      .default(true)
      .describe('a court judgment puts the debtor on the defaulter blacklist'),
    blacklistBelowScore: z
      .number()
      .int()
      .min(-32768)
      .max(32767)
      .default(-32768)
      .describe('a score below this puts the agent on the blacklist'),
    redlistAtScore: z
      .number()
      .int()
      .min(-32768)
      .max(32767)
      .default(32767)
      .describe('a score at or above this puts the agent on the redlist'),
    durationDays: z.number().int().min(1).max(36500).default(730).describe('days a blacklisting lasts'),
    removeOnPerformance: z.boolean().default(true).describe('repaying removes a defaulter from the list'),
  })
  .strict()
  .prefault({});

export const lists: Mechanism = {
  key: 'lists',
  title: 'blacklists (by court judgment or score) and redlists (by score)',
  role: {
    changes:
      'listing triggers joint punishment and family spillover; listings seen in the cell deter and cost legitimacy',
  },
  enabled: (p) => p.lists.enabled,
  metrics: [
    metric('blacklisted', 'stock', 'harm', 'residents on the blacklist'),
    metric('redlisted', 'stock', 'state', 'residents on the redlist'),
    metric('blacklist_entries', 'flow', 'harm', 'new blacklistings'),
    metric('blacklist_exits', 'flow', 'state', 'removals from the blacklist'),
    metric('redlist_entries', 'flow', 'state', 'new redlistings'),
    metric('wrongful_listing_days', 'stock', 'harm', 'residents listed because of false attributions (a day each)'),
  ],
  // Days left on a listing (a sparse map instead when listings come only from judgments: countdowns.ts).
  columns: (p, { agents }) =>
    p.lists.enabled && !sparseCountdowns(p)
      ? [{ name: 'listDays', type: countdownType(p.lists.durationDays), length: agents }]
      : [],
};

export function blacklistedByScore(p: RegimeParams, score: number): boolean {
  return p.lists.enabled && score < p.lists.blacklistBelowScore;
}

export function wrongfulByScore(p: RegimeParams, score: number, falsePoints: number): boolean {
  return score - falsePoints >= p.lists.blacklistBelowScore;
}

export function redlisted(p: RegimeParams, score: number, flags: number): boolean {
  return p.lists.enabled && score >= p.lists.redlistAtScore && !(flags & (F.BLACKLISTED | F.CHILD));
}

/** Flags after removal from the blacklist (any cause). */
export function delistFlags(flags: number): number {
  return flags & ~(F.BLACKLISTED | F.WRONGFUL_LISTING | F.LIST_BY_JUDGMENT | F.APPEAL_PENDING);
}
