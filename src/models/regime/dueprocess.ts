/**
 * Due process: a listed resident may appeal; the decision comes after a delay and
 * succeeds with a probability that depends on whether the listing was wrongful. A
 * granted appeal removes the listing and restores the points lost to false attributions
 * (credit restoration). The listing stays in force while the appeal is pending.
 */
import type { RegimeParams } from './params.js';
import { z } from 'zod';
import { countdownType, sparseCountdowns } from './countdowns.js';
import { metric, type Mechanism } from './mechanism.js';
import { rate } from './units.js';
import type { ShardContext } from '../../engine/model.js';
import { F } from './bits.js';
import { countdown } from './countdowns.js';
import { regimeLayout } from './layout.js';
import { delistFlags } from './lists.js';
import type { EnforcementStep } from './mechanism.js';
import { clampScore, scoreMoves } from './score.js';

export const dueProcessParams = z
  .object({
    enabled: z.boolean().default(false),
    appealRate: rate.default(0.01).describe('daily probability a listed person files an appeal'),
    appealDelayDays: z.number().int().min(0).max(3650).default(30).describe('days until an appeal is decided'),
    successWrongful: rate.default(0.5).describe('probability an appeal against a wrongful listing succeeds'),
    successRightful: rate.default(0.05).describe('probability an appeal against a rightful listing succeeds'),
  })
  .strict()
  .prefault({});

export const dueProcess: Mechanism = {
  key: 'dueProcess',
  title: 'appeals against listings, decided after a delay; credit restoration',
  role: { changes: 'a granted appeal ends a listing and its joint punishment early' },
  enabled: (p) => p.dueProcess.enabled,
  metrics: [
    metric('appeals_filed', 'flow', 'state', 'appeals filed'),
    metric('appeals_granted', 'flow', 'state', 'appeals granted (listing removed, points restored)'),
  ],
  // Days until a pending appeal is decided (sparse when listings come only from judgments).
  columns: (p, { agents }) =>
    p.dueProcess.enabled && !sparseCountdowns(p)
      ? [{ name: 'appealDays', type: countdownType(p.dueProcess.appealDelayDays), length: agents }]
      : [],
  enforcement: (ctx) => (ctx.params.dueProcess.enabled ? [appealStep(ctx)] : []),
};

export function appealSucceeds(p: RegimeParams, wrongful: boolean, u: number): boolean {
  return u < (wrongful ? p.dueProcess.successWrongful : p.dueProcess.successRightful);
}

/** A listed resident files an appeal; it is decided on the appealDelayDays-th day after filing. */
function appealStep(ctx: ShardContext<RegimeParams>): EnforcementStep {
  const p = ctx.params;
  const mt = regimeLayout(p).metricTable;
  const filed = mt.base('appeals_filed');
  const granted = mt.base('appeals_granted');
  const exits = mt.base('blacklist_exits');
  const appealDays = countdown(ctx, 'appealDays');
  const listDays = countdown(ctx, 'listDays');
  const scoreInPlay = scoreMoves(p);
  const falsePoints = ctx.columns.falsePoints as Int16Array;
  return {
    slot: 'appeal',
    idle: false,
    onProtest: false,
    run(d) {
      if (!(d.f & F.BLACKLISTED)) return;
      if (d.f & F.APPEAL_PENDING) {
        const left = appealDays.get(d.i);
        if (left > 1) appealDays.set(d.i, left - 1);
        else if (appealSucceeds(p, (d.f & F.WRONGFUL_LISTING) !== 0, d.rng.uniform())) {
          const byScore = !(d.f & F.LIST_BY_JUDGMENT);
          d.f = delistFlags(d.f);
          listDays.set(d.i, 0);
          if (scoreInPlay) {
            // The entries behind the listing are struck: the points lost to false attributions
            // come back, and a score listing leaves the score no lower than its cut-off — else
            // the same record would list the resident again tomorrow.
            d.s = clampScore(p, d.s - falsePoints[d.i]);
            if (byScore) d.s = Math.max(d.s, p.lists.blacklistBelowScore);
            falsePoints[d.i] = 0;
          }
          mt.add(ctx.acc, granted, d.g, d.r, 1);
          mt.add(ctx.acc, exits, d.g, d.r, 1);
        } else d.f &= ~F.APPEAL_PENDING;
      } else if (d.rng.uniform() < p.dueProcess.appealRate) {
        d.f |= F.APPEAL_PENDING;
        appealDays.set(d.i, p.dueProcess.appealDelayDays);
        mt.add(ctx.acc, filed, d.g, d.r, 1);
      }
    },
  };
}
