/**
 * Response: how residents react to the regime, through channels the repression–dissent
 * literature keeps apart (docs/odd/regime.md §7.17), each with its own parameter:
 *
 * - certainty deters: the perceived arrest risk P (Epstein's rule) grows with police,
 *   surveillance and the rightful sanctions residents have seen (`sanctionFear`) [NA13];
 * - severity deters far less: the net risk R·P is scaled by (J / 15 days)^ε, with a small
 *   elasticity ε (`severityElasticity`) [NA13];
 * - repression seen costs legitimacy (backfire) [HM06]: a share of one's legitimacy per
 *   visible sanction seen in the cell (`visibleLoss`), more for wrongful ones
 *   (`wrongfulLoss`) [TY06];
 * - repression suffered: one's own wrongful sanction (`injusticeLoss`) [TY06], a household
 *   member's detention (`householdLoss`), and an arrest that falls on some protesters and not
 *   others — selective enforcement is unfair treatment (`arbitrarinessLoss` × (1 − the share of
 *   recorded protesters arrested)) [TY06];
 * - consistency: repressing one form of dissent and not another pushes dissent into the other
 *   [LI87]. A resident whose wish to post is silenced online (chilled, or barred after its
 *   account is closed) loses a share of legitimacy (`substitutionLoss`), so its grievance,
 *   and its protest where offline repression does not deter it, rise;
 * - repression that falls disproportionately on one's group costs legitimacy (horizontal
 *   inequality) [ST08]: a share per unit of the group's excess sanction rate (`groupLoss`).
 *
 * Legitimacy relaxes toward its initial mean at `recovery` a day and service centres add
 * to it; losses are shares of what is left, so legitimacy stays in [0, 1] and settles
 * where recovery balances the losses, however large they are. Lower legitimacy raises
 * grievance H(1 − L), which feeds protest; the model measures whether a regime's net
 * effect stifles dissent or breeds resentment (docs/validation/regime.md).
 *
 * For residents with no shock the day's change is affine in L, the same for every member
 * of a group in a cell — L' = keep·L + shift — which is what lets the fast day keep
 * legitimacy lazily (fast/lazy.ts).
 */
import { z } from 'zod';
import type { GlobalContext, ShardContext } from '../../engine/model.js';
import { E, F } from './bits.js';
import { regimeLayout } from './layout.js';
import { metric, type Mechanism } from './mechanism.js';
import type { RegimeParams } from './params.js';
import { redlistFactor } from './incentives.js';
import { centreLegitimacyGain } from './propaganda.js';
import { nonNegative, share } from './units.js';

/** Detention length at which severity neither adds to nor takes from the deterrent (Epstein's runs: 15). */
export const REFERENCE_DETENTION_DAYS = 15;

export const responseParams = z
  .object({
    enabled: z.boolean().default(true),
    deterrence: share.default(0.8).describe('how strongly perceived detection suppresses infractions (0–1)'),
    chilling: share.default(0.8).describe('how strongly perceived online surveillance suppresses posting (0–1)'),
    recovery: nonNegative
      .max(0.1)
      .default(0.01)
      .describe('share of the gap to the initial mean legitimacy that closes each day'),
    sanctionMemory: share.default(0.9).describe('share of yesterday’s seen sanctions still remembered today'),
    sanctionFear: nonNegative
      .max(100)
      .default(1)
      .describe('perceived enforcers added per rightful visible sanction seen in the cell (per 1,000 residents)'),
    severityElasticity: share
      .default(0.1)
      .describe('elasticity of the deterrent in detention length: net risk × (days / 15)^elasticity'),
    visibleLoss: share
      .default(0.00005)
      .describe('share of legitimacy lost a day per visible sanction remembered in the cell (per 1,000 residents)'),
    wrongfulLoss: share
      .default(0.001)
      .describe('further share lost a day per visible wrongful sanction remembered in the cell (per 1,000 residents)'),
    injusticeLoss: share.default(0.2).describe('share of legitimacy a wrongly sanctioned person loses'),
    householdLoss: share.default(0.05).describe('share of legitimacy lost when another household member is detained'),
    groupLoss: share
      .default(0.0001)
      .describe('share lost a day per 1,000 adults by which the share of one’s group held unjustly exceeds everyone’s'),
    arbitrarinessLoss: share
      .default(0.05)
      .describe('share an arrested protester loses, times the share of recorded protesters not arrested'),
    substitutionLoss: share
      .default(0.02)
      .describe('share of legitimacy lost by a resident whose wish to post is silenced (chilled or barred)'),
  })
  .strict()
  .prefault({});

export const response: Mechanism = {
  key: 'response',
  title: 'how residents respond to the regime: deterrence, chilling, legitimacy',
  role: {
    changes:
      'perceived certainty and severity deter protest; perceived detection deters infractions and chills posts; repression seen and suffered, and harm concentrated on one’s group, lower legitimacy and so raise grievance and protest',
  },
  enabled: (p) => p.response.enabled,
  derived: [
    {
      name: 'group_excess_harm',
      by: 'group',
      description: 'members held unjustly per 1,000 adults above the rate of all adults: the group-grievance input',
    },
  ],
  phases: [{ name: 'group-harm', at: 'dusk', run: (ctx) => groupHarm(ctx) }],
  metrics: [
    metric('sanctions', 'flow', 'harm', 'residents detained or listed today'),
    metric(
      'held_unjustly',
      'stock',
      'harm',
      'adults detained pre-emptively or for an act not done, or listed for one (the group-grievance input)',
    ),
  ],
};

/**
 * Global step at the end of each day: the share of each group's adults held without an act
 * of their own — detained pre-emptively or for an act they did not do, or listed for one —
 * per 1,000; by how much a group's rate exceeds all adults' feeds that group's legitimacy loss
 * tomorrow (horizontal inequality). Harm that follows one's own act is left out, so that a
 * group's protest does not feed its own grievance through its own arrests; a stock rather
 * than events, so that a year's pre-emptive detention weighs more than a day's.
 */
export function groupHarm(ctx: GlobalContext<RegimeParams>): void {
  const p = ctx.params;
  const layout = regimeLayout(p);
  const gl = layout.globalsLayout;
  const mt = layout.metricTable;
  const base = mt.base('held_unjustly');
  const G = layout.groups;
  let allHeld = 0;
  let allAdults = 0;
  for (let g = 0; g < G; g++) {
    for (const acc of ctx.shardAccs) allHeld += acc[base + 1 + g];
    allAdults += ctx.globals[gl.adultGroupPopulation + g];
  }
  const all = (1000 * allHeld) / Math.max(1, allAdults);
  for (let g = 0; g < G; g++) {
    let held = 0;
    for (const acc of ctx.shardAccs) held += acc[base + 1 + g];
    const rate = (1000 * held) / Math.max(1, ctx.globals[gl.adultGroupPopulation + g]);
    const excess = Math.max(0, rate - all);
    ctx.globals[gl.groupExcessHarm + g] = excess;
    ctx.acc[mt.derivedBase('group_excess_harm') + g] = excess;
  }
}

/**
 * The plausible range of each channel's parameter (every value is an assumption within it):
 * docs/validation/regime.md shows the model's answers across these ranges.
 */
export const PLAUSIBLE_RANGES = {
  recovery: [0.002, 0.05],
  sanctionMemory: [0.5, 0.98],
  sanctionFear: [0, 5],
  severityElasticity: [0, 0.5],
  visibleLoss: [0, 0.0005],
  wrongfulLoss: [0, 0.005],
  injusticeLoss: [0.05, 0.5],
  householdLoss: [0, 0.2],
  groupLoss: [0, 0.0005],
  arbitrarinessLoss: [0, 0.2],
  substitutionLoss: [0, 0.1],
} as const satisfies Partial<Record<keyof z.infer<typeof responseParams>, readonly [number, number]>>;

/** The deterrent's scaling with detention length: (days / 15)^ε. */
export function severityFactor(p: RegimeParams, detentionDays: number): number {
  if (!p.response.enabled || p.response.severityElasticity === 0) return 1;
  return Math.pow(detentionDays / REFERENCE_DETENTION_DAYS, p.response.severityElasticity);
}

/** Shocks of the day that move one resident's legitimacy besides the cell's map. */
export const SHOCKS = E.WRONGED | E.HOUSEHOLD_HIT | E.HOUSEHOLD_LISTED | E.DETAINED_TODAY;

/**
 * The legitimacy response of one cell tonight: the map for each group's residents without
 * a shock, and the factor for those with one. Shared by the reference (enforcement.ts
 * `households`) and the fast day (fast/settle.ts).
 */
export class CellResponse {
  /** Per group: L' = keep·L + shift for a resident with no shock. */
  readonly keep: Float64Array;
  readonly shift: Float64Array;
  private readonly p: RegimeParams;
  private readonly on: boolean;
  private readonly familyLoss: number;
  /** Flags that move a resident's legitimacy every night they are held (redlist benefits). */
  private readonly flagShocks: number;
  private arbitrary = 0;

  constructor(private readonly ctx: ShardContext<RegimeParams>) {
    const p = (this.p = ctx.params);
    const G = p.population.groups.length;
    this.keep = new Float64Array(G);
    this.shift = new Float64Array(G);
    this.on = p.response.enabled;
    this.familyLoss = p.family.enabled ? p.family.householdLegitimacyLoss : 0;
    this.flagShocks = redlistFactor(p, F.REDLISTED) !== 1 ? F.REDLISTED : 0;
  }

  /**
   * Set up cell c from what its residents remember (before today's sanctions are added)
   * and the share of recorded protesters arrested today.
   */
  cell(c: number, arrestShare: number): void {
    const { p, ctx } = this;
    const layout = regimeLayout(p);
    const residents = layout.unitStarts[c + 1] - layout.unitStarts[c];
    const gain = centreLegitimacyGain(p, (ctx.columns.cellCentre as Uint8Array)[c] === 1);
    const q = p.response;
    if (!this.on) {
      this.keep.fill(1);
      this.shift.fill(gain);
      this.arbitrary = 0;
      return;
    }
    const perThousand = 1000 / residents;
    const visible = (ctx.columns.cellSanctionsSeen as Float32Array)[c] * perThousand;
    const wrongful = (ctx.columns.cellWrongfulSeen as Float32Array)[c] * perThousand;
    const cellLoss = q.visibleLoss * visible + q.wrongfulLoss * wrongful;
    const excess = layout.globalsLayout.groupExcessHarm;
    for (let g = 0; g < this.keep.length; g++) {
      const loss = Math.min(1, cellLoss + q.groupLoss * ctx.globals[excess + g]);
      // L + r(L0 − L) + gain − loss·(that): the loss is a share of the legitimacy after recovery.
      this.keep[g] = (1 - q.recovery) * (1 - loss);
      this.shift[g] = (q.recovery * p.behaviour.initialLegitimacy + gain) * (1 - loss);
    }
    this.arbitrary = q.arbitrarinessLoss * (1 - arrestShare);
  }

  /** Factor on tonight's legitimacy of a resident with these events and flags (1: no shock). */
  shock(events: number, flags: number): number {
    if (!(events & SHOCKS) && !(flags & this.flagShocks)) return 1;
    const q = this.p.response;
    let factor = redlistFactor(this.p, flags);
    if (this.on) {
      if (events & E.WRONGED) factor *= 1 - q.injusticeLoss;
      if (events & E.HOUSEHOLD_HIT) factor *= 1 - q.householdLoss;
      // A reactive arrest of a protester today: selective when arrests are a lottery.
      if (events & E.DETAINED_TODAY && !(flags & (F.PREEMPTIVE | F.WRONGFUL_DETENTION))) factor *= 1 - this.arbitrary;
    }
    if (events & E.HOUSEHOLD_LISTED) factor *= 1 - this.familyLoss;
    return factor;
  }

  /** Tonight's legitimacy of a resident of group g at L (shock factor as `shock` returns). */
  next(L: number, g: number, factor: number): number {
    const v = (this.keep[g] * L + this.shift[g]) * factor;
    return v < 0 ? 0 : v > 1 ? 1 : v;
  }
}
