/**
 * Behaviour: each day every adult who is not detained decides, from yesterday's state
 * (synchronous update), whether to protest (Epstein's rule G − R·P > T, with P built
 * from the police and surveillance the resident perceives in its cell), and whether to
 * commit a minor infraction, post criticism online, default on or repay a debt, or make
 * a civic contribution (the act kinds below). Perceived detection deters infractions and
 * chills posting.
 */
import { z } from 'zod';
import type { ShardContext } from '../../engine/model.js';
import type { CounterRng } from '../../engine/rng.js';
import type { CellChannels } from './channels.js';
import { A, E, F, GROUP_MASK } from './bits.js';
import { regimeLayout } from './layout.js';
import { metric, type ActCell, type ActKind, type ActModifier, type Mechanism } from './mechanism.js';
import { mechanisms } from './mechanisms.js';
import type { RegimeParams } from './params.js';
import { epsteinArrestProbability } from './police.js';
import { severityFactor } from './response.js';
import { U8 } from './population.js';
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
  acts: (ctx) => actKinds(ctx),
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

/**
 * What a protester expects to lose, per unit of risk aversion: the perceived probability of
 * arrest — Epstein's estimate 1 − exp(−k·C/A) from the enforcers the resident perceives,
 * widened by the surveillance it perceives (`surveillance`: the cell's, or a resident's own
 * after a household alert, perception.ts), times the arrest probability — scaled by the
 * detention's length (severity, response.ts).
 */
export function perceivedArrestRisk(
  p: RegimeParams,
  ch: CellChannels,
  activesCountingSelf: number,
  surveillance = ch.protest,
): number {
  if (!p.police.enabled) return 0;
  const pPolice = epsteinArrestProbability(p.behaviour.arrestConstant, ch.enforcers, activesCountingSelf);
  const certainty = p.police.arrestProbability * (1 - (1 - pPolice) * (1 - surveillance));
  return certainty * severityFactor(p, p.police.detentionDays);
}

/** Epstein's activation rule. */
export function wouldProtest(grievance: number, riskAversion: number, arrestRisk: number, threshold: number): boolean {
  return grievance - riskAversion * arrestRisk > threshold;
}

/** Residents who do nothing today: children and the detained. */
export const IDLE = F.CHILD | F.DETAINED;

/**
 * The modifiers of one act (mechanism.ts `ActModifier`): the rate's bound for the cell, and
 * the thinning that leaves each resident its own factor. With none, no draw is made.
 */
class Modifiers {
  private readonly bounds: Float64Array;
  constructor(private readonly list: readonly ActModifier[]) {
    this.bounds = new Float64Array(list.length);
  }

  rate(base: number, cell: ActCell): number {
    let rate = base;
    for (let k = 0; k < this.list.length; k++) rate *= this.bounds[k] = this.list[k].bound(cell);
    return rate;
  }

  /** Each modifier thins with a draw of its own, so that a rejection is its own to count. */
  accept(i: number, cell: ActCell, rng: CounterRng): boolean {
    for (let k = 0; k < this.list.length; k++) {
      const m = this.list[k];
      if (rng.uniform() * this.bounds[k] >= m.factor(i, cell)) {
        m.rejected?.(i, cell);
        return false;
      }
    }
    return true;
  }
}

/** The day's acts besides protest, in the order they are sampled (repayment before default). */
function actKinds(ctx: ShardContext<RegimeParams>): ActKind[] {
  const p = ctx.params;
  const b = p.behaviour;
  const mt = regimeLayout(p).metricTable;
  const acc = ctx.acc;
  const flags = ctx.columns.flags as Uint16Array;
  const group = ctx.columns.group as Uint8Array;
  const hardship = ctx.columns.hardship as Uint8Array;
  const acts = ctx.columns.acts as Uint8Array;
  // Perceived detection deters infractions and chills posts only when the response is on.
  const deterrence = p.response.enabled ? p.response.deterrence : 0;
  const chilling = p.response.enabled ? p.response.chilling : 0;
  // A closed account cannot be replaced: its owner's posts are lost.
  const barred = p.platform.enabled && p.platform.reRegistrationBarred;
  // Dissent silenced online costs legitimacy (substitution toward protest, response.ts).
  const silenced = p.response.enabled ? 1 - p.response.substitutionLoss : 1;
  const callShare = p.platform.callShare;
  const events = ctx.columns.events as Uint16Array;
  const M = {
    infractions: mt.base('infractions'),
    deterred: mt.base('infractions_deterred'),
    defaults: mt.base('defaults'),
    repayments: mt.base('repayments'),
    civic: mt.base('civic'),
    desired: mt.base('posts_desired'),
    expressed: mt.base('posts_expressed'),
    reregistration: mt.base('reregistration_blocked'),
    callsDesired: mt.base('calls_desired'),
    callsWritten: mt.base('calls_written'),
  };
  const count = (base: number, i: number, r: number): void => mt.add(acc, base, group[i] & GROUP_MASK, r, 1);
  const modifiers = mechanisms().flatMap((m) => m.modifiers?.(ctx) ?? []);
  const modsOf = (act: number): Modifiers => new Modifiers(modifiers.filter((m) => m.act === act));
  const mods = {
    infraction: modsOf(A.INFRACTION),
    repay: modsOf(A.REPAY),
    civic: modsOf(A.CIVIC),
  };

  /** A minor infraction, deterred by perceived detection. */
  const infraction: ActKind = {
    rate: (cell) => mods.infraction.rate(b.infractionRate, cell),
    candidate(i, cell, rng) {
      if (flags[i] & IDLE || !mods.infraction.accept(i, cell, rng)) return;
      if (rng.uniform() < deterrence * cell.perceived(i, cell.ch.offline)) count(M.deterred, i, cell.r);
      else {
        cell.mark(i, A.INFRACTION);
        count(M.infractions, i, cell.r);
      }
    },
  };
  /** Online criticism, wanted at criticismRate × grievance; perceived monitoring chills it. */
  const post: ActKind = {
    rate: (cell) => b.criticismRate * cell.grievanceBound,
    candidate(i, cell, rng) {
      const f = flags[i];
      if (f & IDLE) return;
      const grievance = (hardship[i] / U8) * (1 - cell.legitimacy(i));
      // Thinning needs the bound: nothing may raise grievance between its making and here.
      if (grievance > cell.grievanceBound * (1 + 1e-9))
        throw new Error(`act: grievance above the cell's bound at resident ${i}`);
      if (rng.uniform() * cell.grievanceBound >= grievance) return;
      count(M.desired, i, cell.r);
      // A call to collective action or criticism (platform.ts); a draw only where calls exist.
      const call = callShare > 0 && rng.uniform() < callShare;
      if (call) count(M.callsDesired, i, cell.r);
      if (barred && f & F.ACCOUNT_CLOSED) {
        count(M.reregistration, i, cell.r);
        if (silenced < 1) cell.shock(i, silenced);
      } else if (rng.uniform() >= chilling * cell.perceived(i, call ? cell.ch.call : cell.ch.platform)) {
        cell.mark(i, A.POST);
        // Written; detection may yet delete it (detection.ts takes it off posts_expressed).
        count(M.expressed, i, cell.r);
        if (call) {
          events[i] |= E.CALL;
          count(M.callsWritten, i, cell.r);
        }
      } else if (silenced < 1) cell.shock(i, silenced);
    },
  };
  /** A defaulter repays at repaymentRate × (1 − hardship). */
  const repay: ActKind = {
    rate: (cell) => (cell.anyDefaulter ? mods.repay.rate(b.repaymentRate, cell) : 0),
    candidate(i, cell, rng) {
      const f = flags[i];
      if (f & IDLE || !(f & F.IN_DEFAULT) || !mods.repay.accept(i, cell, rng)) return;
      if (rng.uniform() >= 1 - hardship[i] / U8) return;
      cell.mark(i, A.REPAY);
      flags[i] = f & ~F.IN_DEFAULT;
      count(M.repayments, i, cell.r);
    },
  };
  /** Anyone else defaults at defaultRate × hardship. */
  const debt: ActKind = {
    rate: () => b.defaultRate,
    candidate(i, cell, rng) {
      const f = flags[i];
      if (f & (IDLE | F.IN_DEFAULT) || acts[i] & A.REPAY || rng.uniform() >= hardship[i] / U8) return;
      cell.mark(i, A.DEFAULT);
      flags[i] = f | F.IN_DEFAULT;
      count(M.defaults, i, cell.r);
    },
  };
  /** A civic contribution at civicRate × legitimacy. */
  const civic: ActKind = {
    rate: (cell) => mods.civic.rate(b.civicRate, cell),
    candidate(i, cell, rng: CounterRng) {
      if (flags[i] & IDLE || !mods.civic.accept(i, cell, rng)) return;
      if (rng.uniform() >= cell.legitimacy(i)) return;
      cell.mark(i, A.CIVIC);
      count(M.civic, i, cell.r);
    },
  };
  return [infraction, post, repay, debt, civic];
}
