/**
 * Incentives people respond to: residents who know that a score applies to them adjust
 * what it scores. Most residents of pilot areas did not know [TR-A: 11 %]; those who did
 * report changing their behaviour, mostly in traffic and shopping, with rewards mattering
 * more than punishments [KA20]. An aware adult forgoes a share of the minor infractions
 * that would cost it points, and makes more of the civic contributions that earn points; a
 * redlisted resident's benefits raise its legitimacy a little each day.
 *
 * Awareness is a fixed trait of each resident, drawn once on its own stream: knowing is
 * not re-decided each day.
 */
import { z } from 'zod';
import type { ShardContext } from '../../engine/model.js';
import { A, F, GROUP_MASK } from './bits.js';
import { regimeLayout } from './layout.js';
import { metric, type ActModifier, type Mechanism } from './mechanism.js';
import type { RegimeParams } from './params.js';
import { share } from './units.js';

export const incentivesParams = z
  .object({
    enabled: z.boolean().default(false),
    awareness: share.default(0.11).describe('share of adults who know that the score applies to them'),
    infractionResponse: share.default(0.2).describe('share of point-costing minor infractions an aware adult forgoes'),
    civicResponse: z
      .number()
      .min(0)
      .max(5)
      .default(0.3)
      .describe('relative increase in point-earning civic contributions of an aware adult'),
    redlistGain: share
      .default(0.001)
      .describe('share by which a redlisted resident’s legitimacy rises each day (its benefits)'),
  })
  .strict()
  .prefault({});

/** Whether incentives act at all: there must be a score to respond to. */
function inPlay(p: RegimeParams): boolean {
  return p.incentives.enabled && p.score.enabled;
}

export const incentives: Mechanism = {
  key: 'incentives',
  title: 'residents who know of the score forgo point-costing acts and seek point-earning ones',
  role: {
    changes:
      'aware adults commit fewer scored infractions and more scored civic acts; redlist benefits raise legitimacy',
  },
  enabled: inPlay,
  metrics: [metric('infractions_forgone', 'flow', 'expression', 'minor infractions forgone for the points they cost')],
  modifiers: (ctx) => (inPlay(ctx.params) ? incentiveModifiers(ctx) : []),
};

/** A fixed trait: resident i knows the score applies to it. */
export function aware(ctx: ShardContext<RegimeParams>, i: number): boolean {
  return ctx.rng('aware').key(i, 0).uniform() < ctx.params.incentives.awareness;
}

function incentiveModifiers(ctx: ShardContext<RegimeParams>): ActModifier[] {
  const p = ctx.params;
  const q = p.incentives;
  const mods: ActModifier[] = [];
  if (p.score.infraction < 0 && q.infractionResponse > 0) {
    const mt = regimeLayout(p).metricTable;
    const forgone = mt.base('infractions_forgone');
    const group = ctx.columns.group as Uint8Array;
    mods.push({
      act: A.INFRACTION,
      bound: () => 1,
      factor: (i) => (aware(ctx, i) ? 1 - q.infractionResponse : 1),
      rejected: (i, cell) => mt.add(ctx.acc, forgone, group[i] & GROUP_MASK, cell.r, 1),
    });
  }
  if (p.score.civic > 0 && q.civicResponse > 0) {
    mods.push({
      act: A.CIVIC,
      bound: () => 1 + q.civicResponse,
      factor: (i) => (aware(ctx, i) ? 1 + q.civicResponse : 1),
    });
  }
  return mods;
}

/** Daily legitimacy factor of a resident with these flags (redlist benefits). */
export function redlistFactor(p: RegimeParams, flags: number): number {
  return inPlay(p) && flags & F.REDLISTED ? 1 + p.incentives.redlistGain : 1;
}
