/**
 * Behaviour: each day every adult who is not detained decides, from yesterday's state
 * (synchronous update), whether to protest (Epstein's rule G − R·P > T, with P built
 * from the police and surveillance the resident perceives in its cell), and whether to
 * commit a minor infraction, post criticism online, default on or repay a debt, or make
 * a civic contribution. Perceived detection deters infractions and chills posting.
 *
 * Pre-emptive detention by predictive policing happens first: a resident admitted today
 * is detained before acting, and the decision it would have taken is recorded so that
 * predictive policing can be scored against it.
 */
import { z } from 'zod';
import type { ShardContext } from '../../engine/model.js';
import { CellChannels } from './channels.js';
import { A, E, F, GROUP_MASK, regimeLayout } from './layout.js';
import { metric, type Mechanism } from './mechanism.js';
import type { MetricTable } from './metrics.js';
import type { RegimeParams } from './params.js';
import { epsteinArrestProbability } from './police.js';
import { U16, U8 } from './population.js';
import { admitted, maxRisk, residentRiskBin } from './predictive.js';
import { nonNegative, rate, share } from './units.js';

export const behaviourParams = z
  .object({
    initialLegitimacy: share.default(0.8).describe('mean perceived legitimacy at tick 0'),
    legitimacySpread: share.default(0.1).describe('half-width of the uniform spread of initial legitimacy'),
    threshold: share.default(0.1).describe('Epstein activation threshold T'),
    arrestConstant: nonNegative.max(20).default(2.3).describe('Epstein k in P = 1 − exp(−k·C/A)'),
    infractionRate: rate.default(0.002).describe('daily probability of a minor infraction (before deterrence)'),
    defaultRate: rate.default(0.0002).describe('daily probability that an agent with full hardship defaults on a debt'),
    repaymentRate: rate.default(0.01).describe('daily probability that a defaulter repays'),
    civicRate: rate
      .default(0.001)
      .describe('daily probability of a recorded civic contribution (volunteering, donation)'),
    criticismRate: rate.default(0.02).describe('daily probability of wanting to post criticism, per unit grievance'),
  })
  .strict()
  .prefault({});

export const behaviour: Mechanism = {
  key: 'behaviour',
  title: 'what residents do each day: protest (Epstein’s rule), minor infractions, critical posts, debt, civic acts',
  role: { changes: 'the acts every other mechanism detects, scores and sanctions' },
  enabled: () => true,
  metrics: [
    metric('population', 'stock', 'state', 'residents'),
    metric('adults', 'stock', 'state', 'adult residents'),
    metric('quiet', 'stock', 'state', 'adults neither protesting nor detained'),
    metric('active', 'stock', 'stability', 'adults protesting (Epstein active)'),
    metric('detained', 'stock', 'harm', 'adults in detention (reactive or pre-emptive)'),
    metric(
      'detained_wrongly',
      'stock',
      'harm',
      'adults detained who did not act: false attribution or a false pre-emptive call',
    ),
    metric('in_default', 'stock', 'state', 'adults in debt default'),
    metric('legitimacy_mean', 'mean', 'stability', 'mean perceived legitimacy'),
    metric('grievance_mean', 'mean', 'stability', 'mean grievance H(1 − L)'),
    metric('infractions', 'flow', 'state', 'minor infractions committed'),
    metric('infractions_deterred', 'flow', 'expression', 'infractions not committed because of perceived detection'),
    metric('defaults', 'flow', 'state', 'new debt defaults'),
    metric('repayments', 'flow', 'state', 'defaults repaid'),
    metric('civic', 'flow', 'state', 'civic contributions'),
    metric('posts_desired', 'flow', 'expression', 'critical posts residents wanted to write'),
    metric('posts_expressed', 'flow', 'expression', 'critical posts actually written'),
    metric(
      'would_act',
      'flow',
      'stability',
      'adults whose protest rule says act today (detained pre-emptively included)',
    ),
  ],
};

/** Perceived probability of arrest for protesting: Epstein's P, widened by surveillance. */
export function perceivedArrestRisk(p: RegimeParams, ch: CellChannels, activesCountingSelf: number): number {
  if (!p.police.enabled) return 0;
  const pPolice = epsteinArrestProbability(p.behaviour.arrestConstant, ch.enforcers, activesCountingSelf);
  return p.police.arrestProbability * (1 - (1 - pPolice) * (1 - ch.protest));
}

/** Epstein's activation rule. */
export function wouldProtest(grievance: number, riskAversion: number, arrestRisk: number, threshold: number): boolean {
  return grievance - riskAversion * arrestRisk > threshold;
}

/** What a day's behaviour needs from the parameters (shared by the reference and the fast day). */
export function behaviourSettings(p: RegimeParams) {
  return {
    /** Perceived detection deters infractions and chills posts only when the response is on. */
    deterrence: p.response.enabled ? p.response.deterrence : 0,
    chilling: p.response.enabled ? p.response.chilling : 0,
    /** A closed account cannot be replaced: its owner's posts are lost. */
    barred: p.platform.enabled && p.platform.reRegistrationBarred,
    predictive: p.predictive.enabled,
    /** Highest possible predictive risk score (for binning). */
    max: maxRisk(p),
  };
}

/** Bases of the metrics a day's behaviour adds to (shared by the reference and the fast day). */
export function behaviourMetrics(mt: MetricTable) {
  return {
    wouldAct: mt.base('would_act'),
    infractions: mt.base('infractions'),
    deterred: mt.base('infractions_deterred'),
    defaults: mt.base('defaults'),
    repayments: mt.base('repayments'),
    civic: mt.base('civic'),
    desired: mt.base('posts_desired'),
    expressed: mt.base('posts_expressed'),
    reregistration: mt.base('reregistration_blocked'),
  };
}

export interface PreemptiveMetrics {
  readonly all: number;
  readonly wouldAct: number;
  readonly wouldNot: number;
}

export function preemptiveMetrics(mt: MetricTable): PreemptiveMetrics {
  return {
    all: mt.base('detentions_preemptive'),
    wouldAct: mt.base('preemptive_true'),
    wouldNot: mt.base('preemptive_false'),
  };
}

/**
 * Resident i, admitted by predictive policing, is detained before acting today; what it
 * would have done is kept (WOULD_PROTEST) so that the policing can be scored against it.
 */
export function detainPreemptively(
  ctx: ShardContext<RegimeParams>,
  i: number,
  would: boolean,
  r: number,
  M: PreemptiveMetrics,
): void {
  const { flags, group, acts, events, detainDays } = ctx.columns;
  const mt = regimeLayout(ctx.params).metricTable;
  const g = group[i] & GROUP_MASK;
  flags[i] = (flags[i] & ~F.ACTIVE) | F.DETAINED | F.PREEMPTIVE;
  detainDays[i] = ctx.params.predictive.detentionDays;
  events[i] = E.SANCTIONED | E.DETAINED_TODAY;
  acts[i] = would ? A.WOULD_PROTEST : 0;
  mt.add(ctx.acc, M.all, g, r, 1);
  mt.add(ctx.acc, would ? M.wouldAct : M.wouldNot, g, r, 1);
}

export function behave(ctx: ShardContext<RegimeParams>): void {
  const p = ctx.params;
  const layout = regimeLayout(p);
  const mt = layout.metricTable;
  const gl = layout.globalsLayout;
  const { flags, group, hardship, riskAversion, legitimacy, acts, events } = ctx.columns;
  const { cellActives, cellSanctionsSeen, cellInformants, cellCentre } = ctx.columns;
  const starts = layout.unitStarts;
  const rng = ctx.rng('behave');
  const riskU = ctx.rng('admit');
  const riskRng = ctx.rng('risk');
  const ch = new CellChannels(p);
  const b = p.behaviour;
  const { deterrence, chilling, barred, predictive, max } = behaviourSettings(p);
  const M = behaviourMetrics(mt);
  const PRE = preemptiveMetrics(mt);

  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    const r = layout.cellRegion[c];
    const residents = starts[c + 1] - starts[c];
    ch.update(
      p.population.regions[r],
      residents,
      cellInformants[c],
      cellCentre[c] === 1,
      ctx.globals[gl.observersPerCell + r],
      cellSanctionsSeen[c],
      cellActives[c],
    );
    const activesYesterday = cellActives[c];
    // A counts the agent itself: yesterday's protesters already include it if it protested.
    const riskIfActive = perceivedArrestRisk(p, ch, activesYesterday);
    const riskIfQuiet = perceivedArrestRisk(p, ch, activesYesterday + 1);
    const activeShare = activesYesterday / residents;
    const cutBin = ctx.globals[gl.riskThresholdBin + r];
    const cutFraction = ctx.globals[gl.riskThresholdFraction + r];
    for (let i = starts[c]; i < starts[c + 1]; i++) {
      events[i] = 0;
      acts[i] = 0;
      let f = flags[i];
      if (f & (F.CHILD | F.DETAINED)) continue;
      const g = group[i] & GROUP_MASK;
      const H = hardship[i] / U8;
      const L = legitimacy[i] / U16;
      const grievance = H * (1 - L);
      const P = f & F.ACTIVE ? riskIfActive : riskIfQuiet;
      const would = wouldProtest(grievance, riskAversion[i] / U8, P, b.threshold);
      if (would) mt.add(ctx.acc, M.wouldAct, g, r, 1);

      if (predictive) {
        const bin = residentRiskBin(ctx, riskRng, i, activeShare, max);
        if (admitted(bin, cutBin, cutFraction, riskU.key(i, ctx.tick).uniform())) {
          detainPreemptively(ctx, i, would, r, PRE);
          continue;
        }
      }

      let a = 0;
      if (would) {
        a |= A.PROTEST | A.WOULD_PROTEST;
        f |= F.ACTIVE;
      } else {
        f &= ~F.ACTIVE;
      }
      rng.key(i, ctx.tick);
      // Minor infraction, deterred by perceived detection.
      if (rng.uniform() < b.infractionRate) {
        if (rng.uniform() < deterrence * ch.offline) mt.add(ctx.acc, M.deterred, g, r, 1);
        else {
          a |= A.INFRACTION;
          mt.add(ctx.acc, M.infractions, g, r, 1);
        }
      }
      // Online criticism: desire grows with grievance; perceived platform monitoring chills it.
      if (rng.uniform() < b.criticismRate * grievance) {
        mt.add(ctx.acc, M.desired, g, r, 1);
        if (barred && f & F.ACCOUNT_CLOSED) mt.add(ctx.acc, M.reregistration, g, r, 1);
        else if (rng.uniform() >= chilling * ch.platform) {
          a |= A.POST;
          mt.add(ctx.acc, M.expressed, g, r, 1);
        }
      }
      // Debt: default more likely with hardship, repayment less likely.
      const uDebt = rng.uniform();
      if (f & F.IN_DEFAULT) {
        if (uDebt < b.repaymentRate * (1 - H)) {
          a |= A.REPAY;
          f &= ~F.IN_DEFAULT;
          mt.add(ctx.acc, M.repayments, g, r, 1);
        }
      } else if (uDebt < b.defaultRate * H) {
        a |= A.DEFAULT;
        f |= F.IN_DEFAULT;
        mt.add(ctx.acc, M.defaults, g, r, 1);
      }
      // Civic contribution, more likely the more legitimate the regime seems.
      if (rng.uniform() < b.civicRate * L) {
        a |= A.CIVIC;
        mt.add(ctx.acc, M.civic, g, r, 1);
      }
      acts[i] = a;
      flags[i] = f;
    }
  }
}
