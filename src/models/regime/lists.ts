/**
 * Blacklists and redlists: a court judgment on a default (the defaulter list; in courts that
 * have adopted it, `listingShare`) or a score below a cut-off puts a resident on the
 * blacklist for a fixed term (2 years for defaulters, extendable); repaying removes a
 * defaulter; a high score puts a resident on the redlist.
 * A listing is wrongful when, without the points lost to false attributions, the score
 * would not have crossed the cut-off.
 */
import { F } from './bits.js';
import type { RegimeParams } from './params.js';
import { z } from 'zod';
import { countdownType, sparseCountdowns } from './countdowns.js';
import { metric, type Mechanism } from './mechanism.js';
import type { ShardContext } from '../../engine/model.js';
import { A, E } from './bits.js';
import { countdown, type Countdown } from './countdowns.js';
import { regimeLayout } from './layout.js';
import type { EnforcementStep, ResidentDay } from './mechanism.js';
import { share } from './units.js';

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
    listingShare: share
      .default(1)
      .describe('probability that a court judgment lists the debtor (how far courts have adopted the list)'),
    extensionShare: share
      .default(0)
      .describe('probability that a defaulter listing which runs out is extended instead of ending'),
    extensionDays: z
      .number()
      .int()
      .min(1)
      .max(36500)
      .default(730)
      .describe('days an extension adds (1–3 years for resisting or repeat violations)'),
    removeOnPerformance: z.boolean().default(true).describe('repaying removes a defaulter from the list'),
    repaymentBoost: z
      .number()
      .min(0)
      .max(100)
      .default(0)
      .describe('relative increase in a listed defaulter’s daily repayment (the list’s pressure to perform)'),
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
    metric(
      'blacklist_performed',
      'flow',
      'state',
      'defaulters removed from the blacklist because they performed (repaid)',
    ),
    metric('blacklist_extended', 'flow', 'harm', 'defaulter listings extended when their term ran out'),
    metric('redlist_entries', 'flow', 'state', 'new redlistings'),
    metric('wrongful_listing_days', 'stock', 'harm', 'residents listed because of false attributions (a day each)'),
  ],
  // Days left on a listing (a sparse map instead when listings come only from judgments: countdowns.ts).
  columns: (p, { agents }) =>
    p.lists.enabled && !sparseCountdowns(p)
      ? [{ name: 'listDays', type: countdownType(longestTerm(p)), length: agents }]
      : [],
  enforcement: (ctx) => (ctx.params.lists.enabled ? [new ListStep(ctx)] : []),
  // A listed defaulter repays more often (pressure to perform: removal follows within days).
  modifiers: (ctx) => {
    const boost = ctx.params.lists.repaymentBoost;
    if (!ctx.params.lists.enabled || boost === 0) return [];
    const flags = ctx.columns.flags as Uint16Array;
    return [
      {
        act: A.REPAY,
        bound: () => 1 + boost,
        factor: (i) =>
          (flags[i] & (F.BLACKLISTED | F.LIST_BY_JUDGMENT)) === (F.BLACKLISTED | F.LIST_BY_JUDGMENT) ? 1 + boost : 1,
      },
    ];
  },
};

/** The longest a listing's countdown can run: its term, or an extension. */
export function longestTerm(p: RegimeParams): number {
  return p.lists.extensionShare > 0 ? Math.max(p.lists.durationDays, p.lists.extensionDays) : p.lists.durationDays;
}

/** Whether today's judgment lists the debtor: courts that have adopted the list do (a draw only while some have not). */
function judgmentLists(p: RegimeParams, d: ResidentDay): boolean {
  if (!d.judgment || !p.lists.blacklistOnJudgment) return false;
  const share = p.lists.listingShare;
  return share >= 1 || (share > 0 && d.rng.uniform() < share);
}

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

/** Blacklisting (by judgment or score), its term, removal on performance or expiry; redlisting. */
class ListStep implements EnforcementStep {
  readonly slot = 'list';
  /** A resident at the base score is redlisted when the redlist cut-off is at or below it. */
  readonly idle: boolean;
  readonly onProtest = false;
  private readonly p: RegimeParams;
  private readonly listDays: Countdown;
  private readonly falsePoints: Int16Array;
  private readonly M;

  constructor(private readonly ctx: ShardContext<RegimeParams>) {
    const p = (this.p = ctx.params);
    this.idle = redlisted(p, p.score.base, 0);
    this.listDays = countdown(ctx, 'listDays');
    this.falsePoints = ctx.columns.falsePoints as Int16Array;
    const mt = regimeLayout(p).metricTable;
    this.M = {
      entries: mt.base('blacklist_entries'),
      exits: mt.base('blacklist_exits'),
      performed: mt.base('blacklist_performed'),
      extended: mt.base('blacklist_extended'),
      redEntries: mt.base('redlist_entries'),
    };
  }

  run(d: ResidentDay): void {
    const { p, ctx, listDays, M } = this;
    const mt = regimeLayout(p).metricTable;
    const judged = judgmentLists(p, d);
    if (d.f & F.BLACKLISTED && judged) {
      // A court judgment on someone already listed (by score) turns the listing into a
      // defaulter listing: rightful, removable by repaying, for a fresh term.
      d.f = (d.f | F.LIST_BY_JUDGMENT) & ~F.WRONGFUL_LISTING;
      listDays.set(d.i, p.lists.durationDays);
    } else if (d.f & F.BLACKLISTED) {
      const left = listDays.get(d.i);
      let expired = left <= 1;
      const performed = d.f & F.LIST_BY_JUDGMENT && d.a & A.REPAY && p.lists.removeOnPerformance;
      listDays.set(d.i, expired ? 0 : left - 1);
      // A defaulter listing that runs out may be extended (resisting, repeat violations) [AF].
      const share = p.lists.extensionShare;
      if (expired && !performed && d.f & F.LIST_BY_JUDGMENT && share > 0 && d.rng.uniform() < share) {
        expired = false;
        listDays.set(d.i, p.lists.extensionDays);
        mt.add(ctx.acc, M.extended, d.g, d.r, 1);
      }
      if (expired || performed) {
        // On expiry the entries behind a score listing are deleted: the score returns
        // to the cut-off, so the same record cannot list the resident again tomorrow.
        if (expired && !(d.f & F.LIST_BY_JUDGMENT)) {
          d.s = Math.max(d.s, p.lists.blacklistBelowScore);
          this.falsePoints[d.i] = 0;
        }
        d.f = delistFlags(d.f);
        listDays.set(d.i, 0);
        mt.add(ctx.acc, M.exits, d.g, d.r, 1);
        if (performed) mt.add(ctx.acc, M.performed, d.g, d.r, 1);
      }
    } else if (!(d.f & F.CHILD) && (judged || blacklistedByScore(p, d.s))) {
      d.f |= F.BLACKLISTED;
      d.f &= ~F.REDLISTED;
      listDays.set(d.i, p.lists.durationDays);
      if (judged) d.f |= F.LIST_BY_JUDGMENT;
      else if (wrongfulByScore(p, d.s, this.falsePoints[d.i])) {
        d.f |= F.WRONGFUL_LISTING;
        d.e |= E.WRONGED;
      }
      d.e |= E.SANCTIONED | E.LISTED;
      if (p.sanctions.publicShaming) {
        d.e |= E.VISIBLE;
        d.seen = 1;
      }
      mt.add(ctx.acc, M.entries, d.g, d.r, 1);
    }
    if (redlisted(p, d.s, d.f)) {
      if (!(d.f & F.REDLISTED)) mt.add(ctx.acc, M.redEntries, d.g, d.r, 1);
      d.f |= F.REDLISTED;
    } else d.f &= ~F.REDLISTED;
  }
}
