/**
 * Protest decisions of the fast day. A resident decides from yesterday's state
 * (synchronous update), so tomorrow's decision can be taken tonight, in the same pass that
 * settles today's legitimacy (fast/settle.ts): the decision is left in `acts`
 * (PROTEST | WOULD_PROTEST), and tomorrow's act phase reads it and sets the ACTIVE flag.
 *
 * Epstein's rule H(1 − L) − R·P > T (behaviour.ts wouldProtest) is evaluated on the stored
 * scales — hardship and risk aversion in 1/255, legitimacy in 1/65535 — multiplied through
 * by 255·65535, so no resident costs a division: h·(65535 − ℓ) − r·P·65535 > T·255·65535.
 */
import type { ShardContext } from '../../../engine/model.js';
import { perceivedArrestRisk } from '../behaviour.js';
import { CellChannels } from '../channels.js';
import { A, F, regimeLayout, type RegimeLayout } from '../layout.js';
import type { RegimeParams } from '../params.js';
import { U16, U8 } from '../population.js';

/** Residents who take no decision: children and the detained. */
export const UNDECIDED = F.CHILD | F.DETAINED;

/** A cell's perceived arrest risks on the stored scale, for tomorrow's decisions. */
export class ProtestRule {
  private readonly ch = new CellChannels();
  private readonly layout: RegimeLayout;
  readonly thresholdScaled: number;
  /** r·P·65535 with P for a resident who protested today, and for one who did not. */
  activeRiskScaled = 0;
  quietRiskScaled = 0;

  constructor(private readonly ctx: ShardContext<RegimeParams>) {
    this.layout = regimeLayout(ctx.params);
    this.thresholdScaled = ctx.params.behaviour.threshold * U8 * U16;
  }

  /** Set up cell c from its state tonight: protesters (cellActives) and sanctions seen. */
  cell(c: number): void {
    const { ctx, layout } = this;
    const p = ctx.params;
    const { cellActives, cellSanctionsSeen, cellInformants, cellCentre } = ctx.columns;
    const r = layout.cellRegion[c];
    this.ch.update(
      p,
      p.population.regions[r],
      layout.unitStarts[c + 1] - layout.unitStarts[c],
      cellInformants[c],
      cellCentre[c] === 1,
      ctx.globals[layout.globalsLayout.observersPerCell + r],
      cellSanctionsSeen[c],
    );
    // A counts the agent itself: tonight's protesters already include it if it protested.
    this.activeRiskScaled = perceivedArrestRisk(p, this.ch, cellActives[c]) * U16;
    this.quietRiskScaled = perceivedArrestRisk(p, this.ch, cellActives[c] + 1) * U16;
  }

  /** Grievance on the 255·65535 scale. */
  static grievance(hardship: number, legitimacy: number): number {
    return hardship * (U16 - legitimacy);
  }

  /** Whether a free adult with these flags, grievance and risk aversion protests tomorrow. */
  protests(flags: number, grievanceScaled: number, riskAversion: number): boolean {
    const risk = flags & F.ACTIVE ? this.activeRiskScaled : this.quietRiskScaled;
    return grievanceScaled - riskAversion * risk > this.thresholdScaled;
  }
}

/**
 * Decide for free adult i (flags f, grievance on the stored scale): leave the decision in
 * `acts`, with WAS_ACTIVE if it protested today (the ACTIVE flag keeps meaning "protested
 * today" until the act phase sets it).
 */
export function decide(
  rule: ProtestRule,
  acts: Uint8Array,
  riskAversion: Uint8Array,
  i: number,
  f: number,
  grievanceScaled: number,
): void {
  const was = f & F.ACTIVE ? A.WAS_ACTIVE : 0;
  acts[i] = rule.protests(f, grievanceScaled, riskAversion[i]) ? A.PROTEST | A.WOULD_PROTEST | was : was;
}

/** Init system: the first day's decisions, from the synthesized population. */
export function decideFirstDay(ctx: ShardContext<RegimeParams>): void {
  const layout = regimeLayout(ctx.params);
  const flags = ctx.columns.flags as Uint16Array;
  const acts = ctx.columns.acts as Uint8Array;
  const { hardship, legitimacy, riskAversion, cellGrievanceMax, cellDefaulters } = ctx.columns;
  const rule = new ProtestRule(ctx);
  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    rule.cell(c);
    let grievanceMax = 0;
    let defaulters = 0;
    for (let i = layout.unitStarts[c]; i < layout.unitStarts[c + 1]; i++) {
      const f = flags[i];
      acts[i] = 0;
      if (f & UNDECIDED) continue;
      const grievance = ProtestRule.grievance(hardship[i], legitimacy[i]);
      decide(rule, acts, riskAversion as Uint8Array, i, f, grievance);
      if (grievance > grievanceMax) grievanceMax = grievance;
      if (f & F.IN_DEFAULT) defaulters++;
    }
    cellGrievanceMax[c] = grievanceMax;
    cellDefaulters[c] = defaulters;
  }
}
