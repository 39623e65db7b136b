/**
 * Police and the Epstein arrest rule. Residents perceive the police of their cell (plus
 * sanctions they have seen) as C enforcers and the cell's protesters as A, and estimate
 * the chance of being caught as 1 − exp(−k·C/A) (Epstein 2002, without the floor that
 * NetLogo adds: cells of ~1,000 people make C/A a smooth quantity). Police catch a
 * protester with that same probability; arrests are then limited by the region's daily
 * arrest capacity.
 */
import { z } from 'zod';
import type { GlobalContext } from '../../engine/model.js';
import { regimeLayout } from './layout.js';
import { metric, type Mechanism } from './mechanism.js';
import type { RegimeParams, RegionParams } from './params.js';
import { days, nonNegative, rate, share } from './units.js';
import type { ShardContext } from '../../engine/model.js';
import { A, E, F } from './bits.js';
import type { EnforcementStep, ResidentDay } from './mechanism.js';

export const policeParams = z
  .object({
    enabled: z.boolean().default(true),
    arrestProbability: rate.default(0.5).describe('probability a detected protester is arrested, capacity permitting'),
    detentionDays: days(3650).default(15).describe('days of detention after arrest'),
    arrestsPerOfficerPerDay: nonNegative.max(100).default(0.2).describe('arrest capacity per officer per day'),
    visibility: nonNegative.max(100).default(1).describe('effective enforcers perceived per police officer per cell'),
    identification: rate
      .default(0.3)
      .describe('share of the protesters police see (Epstein’s 1 − exp(−k·C/A)) whom they identify'),
    detentionsSeen: share.default(1).describe('weight of an arrest in what the cell sees (1: every arrest is seen)'),
  })
  .strict()
  .prefault({});

export const policeRegion = {
  policePer100k: nonNegative.max(100_000).default(150).describe('police able to make arrests, per 100,000 residents'),
};

export const police: Mechanism = {
  key: 'police',
  title: 'police presence, Epstein’s arrest rule and the region’s arrest capacity',
  role: { changes: 'perceived arrest risk deters protest (Epstein’s rule); arrests detain protesters' },
  enabled: (p) => p.police.enabled,
  metrics: [
    metric('detected_police', 'flow', 'surveillance', 'acts detected by police presence'),
    metric('detentions_reactive', 'flow', 'harm', 'arrests of detected protesters'),
    metric('detentions_reactive_false', 'flow', 'harm', 'arrests of people who did not protest (false attribution)'),
  ],
  channels: [
    {
      name: 'police',
      // Police present (Epstein's C against the crowd A) identify a protester only some of the time.
      protest: (c) =>
        c.p.police.enabled
          ? c.p.police.identification *
            epsteinArrestProbability(
              c.p.behaviour.arrestConstant,
              c.police * c.patrol * c.p.police.visibility,
              c.actives,
            )
          : 0,
      perceived: false,
    },
  ],
  enforcement: (ctx) => (ctx.params.police.enabled ? [new Arrest(ctx)] : []),
  phases: [{ name: 'arrest-capacity', at: 'detected', run: (ctx) => arrestRatios(ctx) }],
};

/** Police officers present in a cell of `residents`. */
export function policeInCell(p: RegimeParams, region: RegionParams, residents: number): number {
  if (!p.police.enabled) return 0;
  return (region.policePer100k * residents) / 100_000;
}

/** Enforcers a resident perceives in the cell: visible police plus sanctions seen there. */
export function perceivedEnforcers(p: RegimeParams, police: number, sanctionsSeen: number, residents: number): number {
  const fear = p.response.enabled ? (p.response.sanctionFear * sanctionsSeen * 1000) / residents : 0;
  return police * p.police.visibility + fear;
}

/** Epstein's estimated arrest probability P = 1 − exp(−k·C/A), A ≥ 1. */
export function epsteinArrestProbability(k: number, enforcers: number, actives: number): number {
  return 1 - Math.exp((-k * enforcers) / Math.max(1, actives));
}

/** Daily arrest capacity of a region. */
export function arrestCapacity(p: RegimeParams, region: RegionParams, residents: number): number {
  if (!p.police.enabled) return 0;
  return ((region.policePer100k * residents) / 100_000) * p.police.arrestsPerOfficerPerDay;
}

/**
 * Global step after detection: the share of each region's detected protesters that its
 * police can arrest today (1 when capacity suffices).
 */
export function arrestRatios(ctx: GlobalContext<RegimeParams>): void {
  const p = ctx.params;
  const layout = regimeLayout(p);
  for (let r = 0; r < layout.regions; r++) {
    let detected = 0;
    for (const acc of ctx.shardAccs) detected += acc[layout.metricTable.detectedBase + r];
    const capacity = arrestCapacity(p, p.population.regions[r], layout.regionAgents[r]);
    ctx.globals[layout.globalsLayout.arrestRatio + r] = detected > 0 ? Math.min(1, capacity / detected) : 1;
  }
}

/** Reactive arrest of a recorded protester, within the region's capacity. */
export class Arrest implements EnforcementStep {
  readonly slot = 'detain';
  readonly idle = false;
  readonly onProtest = false;
  /** Share of the cell's recorded protesters arrested today (arrest probability × capacity ratio). */
  share = 0;
  private readonly reactive: number;
  private readonly reactiveFalse: number;

  constructor(private readonly ctx: ShardContext<RegimeParams>) {
    const mt = regimeLayout(ctx.params).metricTable;
    this.reactive = mt.base('detentions_reactive');
    this.reactiveFalse = mt.base('detentions_reactive_false');
  }

  begin(_c: number, r: number): void {
    const { ctx } = this;
    this.share =
      ctx.params.police.arrestProbability * ctx.globals[regimeLayout(ctx.params).globalsLayout.arrestRatio + r];
  }

  run(d: ResidentDay): void {
    if (!(d.e & E.PROTEST) || d.f & F.DETAINED) return;
    if ((d.arrestDraw >= 0 ? d.arrestDraw : d.rng.uniform()) >= this.share) return;
    const { ctx } = this;
    const mt = regimeLayout(ctx.params).metricTable;
    d.f = (d.f & ~F.ACTIVE) | F.DETAINED;
    (ctx.columns.detainDays as Uint8Array | Uint16Array)[d.i] = ctx.params.police.detentionDays;
    d.e |= E.SANCTIONED | E.DETAINED_TODAY | E.VISIBLE;
    d.seen = Math.max(d.seen, ctx.params.police.detentionsSeen);
    mt.add(ctx.acc, this.reactive, d.g, d.r, 1);
    if (!(d.a & A.PROTEST)) {
      d.f |= F.WRONGFUL_DETENTION;
      d.e |= E.WRONGED;
      mt.add(ctx.acc, this.reactiveFalse, d.g, d.r, 1);
    }
  }
}
