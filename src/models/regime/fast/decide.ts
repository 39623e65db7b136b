/**
 * Protest decisions of the fast day. A resident decides from yesterday's state
 * (synchronous update), so tomorrow's decision can be taken tonight, in the same pass that
 * settles today's legitimacy (fast/settle.ts): the decision is left in `acts`
 * (PROTEST | WOULD_PROTEST), and tomorrow's act phase reads it and sets the ACTIVE flag.
 *
 * Epstein's rule H(1 − L) − R·P > T (behaviour.ts wouldProtest) is evaluated with hardship
 * and risk aversion on their stored scales (1/255), multiplied through by 255·65535, so no
 * resident costs a division: h·65535·(1 − L) − r·P·65535 > T·255·65535.
 */
import type { ShardContext } from '../../../engine/model.js';
import { perceivedArrestRisk } from '../behaviour.js';
import { CellChannels } from '../channels.js';
import { A, F, GROUP_MASK } from '../bits.js';
import { regimeLayout, type RegimeLayout } from '../layout.js';
import type { RegimeParams } from '../params.js';
import { Perception } from '../perception.js';
import { expectedFromCalls } from '../platform.js';
import { expressedView } from '../views.js';
import { U16, U8 } from '../population.js';
import { gradeIndex } from '../score.js';
import { TallyCounts } from '../tally.js';
import {
  RARE_FLAGS,
  REBUILT_SCALE,
  REBUILT_SHIFT,
  VISIT_FLAGS,
  encode,
  setVisited,
  sumGrievance,
  sumLegitimacy,
} from './lazy.js';

/** Residents who take no decision: children and the detained. */
export const UNDECIDED = F.CHILD | F.DETAINED;

/** A cell's perceived arrest risks on the stored scale, for tomorrow's decisions. */
export class ProtestRule {
  private readonly ch: CellChannels;
  private readonly layout: RegimeLayout;
  readonly thresholdScaled: number;
  /** P·65535 for a resident who protested today, and for one who did not (times r in the rule). */
  activeRiskScaled = 0;
  quietRiskScaled = 0;
  /** The same for a resident whose household had an act detected recently (perception.ts). */
  private activeAlertedScaled = 0;
  private quietAlertedScaled = 0;
  private readonly perception: Perception;
  private readonly cellCalls: Float32Array | undefined;

  constructor(private readonly ctx: ShardContext<RegimeParams>) {
    this.layout = regimeLayout(ctx.params);
    this.ch = new CellChannels(ctx);
    this.perception = this.ch.perception;
    this.cellCalls = ctx.columns.cellCalls as Float32Array | undefined;
    this.thresholdScaled = ctx.params.behaviour.threshold * U8 * U16;
  }

  /** Perceived protest detection, cell-wide, of the cell last set up. */
  get perceivedProtest(): number {
    return this.ch.protest;
  }

  /** Perceived surveillance of speech and acts, cell-wide (views.ts). */
  get perceivedSpeech(): number {
    return Math.max(this.ch.platform, this.ch.offline);
  }

  /** Set up cell c from its state tonight: protesters (cellActives) and sanctions seen. */
  cell(c: number): void {
    const { ctx, layout } = this;
    const p = ctx.params;
    const { cellActives, cellSanctionsSeen, cellInformants, cellCentre } = ctx.columns;
    const r = layout.cellRegion[c];
    this.ch.update(
      p.population.regions[r],
      layout.unitStarts[c + 1] - layout.unitStarts[c],
      cellInformants[c],
      cellCentre[c] === 1,
      ctx.globals[layout.globalsLayout.observersPerCell + r],
      cellSanctionsSeen[c],
      cellActives[c],
      c,
    );
    // A counts the agent itself: tonight's protesters already include it if it protested;
    // calls to collective action that reached their readers add the protesters they promise.
    const ch = this.ch;
    const A = cellActives[c] + expectedFromCalls(p, this.cellCalls, c);
    this.activeRiskScaled = perceivedArrestRisk(p, ch, A) * U16;
    this.quietRiskScaled = perceivedArrestRisk(p, ch, A + 1) * U16;
    if (this.perception.alerts) {
      const household = Math.max(ch.protest, p.perception.householdPerception);
      this.activeAlertedScaled = perceivedArrestRisk(p, ch, A, household) * U16;
      this.quietAlertedScaled = perceivedArrestRisk(p, ch, A + 1, household) * U16;
    }
  }

  /** Whether free adult i with these flags, grievance and risk aversion protests tomorrow. */
  protests(i: number, flags: number, grievanceScaled: number, riskAversion: number): boolean {
    // Decided tonight for tomorrow: household alerts are read as of tomorrow.
    const alerted = this.perception.alerts && this.perception.alerted(i, this.ctx.tick + 1);
    const risk =
      flags & F.ACTIVE
        ? alerted
          ? this.activeAlertedScaled
          : this.activeRiskScaled
        : alerted
          ? this.quietAlertedScaled
          : this.quietRiskScaled;
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
  acts[i] = rule.protests(i, f, grievanceScaled, riskAversion[i]) ? A.PROTEST | A.WOULD_PROTEST | was : was;
}

/**
 * Init system: the lazy state of every cell (fast/lazy.ts) — codes under the rebuilt map,
 * per-group counts and sums — the tick-0 tally from them (the reference's `tallyInit`, which
 * would be a second pass), and the first day's decisions, from the synthesized population.
 * Every free adult starts as a candidate, visited on the first night, which rebuilds every
 * cell.
 */
export function decideFirstDay(ctx: ShardContext<RegimeParams>): void {
  const layout = regimeLayout(ctx.params);
  const G = layout.groups;
  const cols = ctx.columns;
  const flags = cols.flags as Uint16Array;
  const acts = cols.acts as Uint8Array;
  const group = cols.group as Uint8Array;
  const hardship = cols.hardship as Uint8Array;
  const legitimacy = cols.legitimacy as Uint16Array;
  const riskAversion = cols.riskAversion as Uint8Array;
  const visits = cols.visits as Uint32Array;
  const groupResidents = cols.cellGroupResidents as Uint32Array;
  const groupAdults = cols.cellGroupAdults as Uint32Array;
  const groupHardship = cols.cellGroupHardship as Float64Array;
  const groupCodes = cols.cellGroupCodes as Float64Array;
  const groupHardshipCodes = cols.cellGroupHardshipCodes as Float64Array;
  const rule = new ProtestRule(ctx);
  const tally = new TallyCounts(ctx);
  const perception = new Perception(ctx);
  const base = ctx.params.score.base;
  let adults = 0;
  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    rule.cell(c);
    tally.clear();
    const s = layout.unitStarts[c];
    let bound = 0;
    let defaulters = 0;
    for (let i = s; i < layout.unitStarts[c + 1]; i++) {
      const f = flags[i];
      const g = c * G + (group[i] & GROUP_MASK);
      const h = hardship[i];
      const x = encode(legitimacy[i] / U16, REBUILT_SCALE, REBUILT_SHIFT);
      legitimacy[i] = x;
      groupResidents[g]++;
      groupHardship[g] += h;
      groupCodes[g] += x;
      groupHardshipCodes[g] += h * x;
      acts[i] = 0;
      if (!(f & F.CHILD)) groupAdults[g]++;
      if (f & VISIT_FLAGS) setVisited(visits, layout.wordStarts[c], s, i, true);
      // Synthesis counted residents, adults and observers already.
      if (f & RARE_FLAGS & ~F.OBSERVER) tally.rare(f & ~F.OBSERVER, group[i] & GROUP_MASK, false, false);
      if (f & UNDECIDED) continue;
      const L = REBUILT_SCALE * x + REBUILT_SHIFT;
      decide(rule, acts, riskAversion, i, f, h * U16 * (1 - L));
      setVisited(visits, layout.wordStarts[c], s, i, true);
      bound = Math.max(bound, (h / U8) * (1 - L));
      if (f & F.IN_DEFAULT) defaulters++;
    }
    for (let k = c * G; k < (c + 1) * G; k++) {
      adults += groupAdults[k];
      // Nobody is active or detained yet; every score is the base.
      tally.group(
        k - c * G,
        0,
        0,
        0,
        groupAdults[k],
        sumLegitimacy(REBUILT_SCALE, REBUILT_SHIFT, groupResidents[k], groupCodes[k]) * U16,
        sumGrievance(REBUILT_SCALE, REBUILT_SHIFT, groupHardship[k], groupHardshipCodes[k]) * U16,
        0,
      );
      tally.sumPerceived[k - c * G] = rule.perceivedProtest * groupResidents[k];
    }
    // Tick 0's survey (views.ts), as the reference's tally takes it.
    if (ctx.params.views.enabled) {
      const every = ctx.params.views.sampleEvery;
      for (let i = s + ((every - (s % every)) % every); i < layout.unitStarts[c + 1]; i += every) {
        if (flags[i] & UNDECIDED) continue;
        const L = REBUILT_SCALE * legitimacy[i] + REBUILT_SHIFT;
        const perceived = perception.of(i, rule.perceivedSpeech, ctx.tick);
        tally.survey(group[i] & GROUP_MASK, L, expressedView(ctx.params, L, perceived, riskAversion[i] / U8));
      }
    }
    tally.flush(layout.cellRegion[c]);
    for (let k = c * G; k < (c + 1) * G; k++) {
      (cols.cellMapScale as Float64Array)[k] = REBUILT_SCALE;
      (cols.cellMapShift as Float64Array)[k] = REBUILT_SHIFT;
      (cols.cellShiftFloor as Float64Array)[k] = Infinity;
    }
    (cols.cellGrievanceBound as Float64Array)[c] = bound;
    (cols.cellDefaulters as Uint32Array)[c] = defaulters;
  }
  ctx.acc[layout.metricTable.gradeBase + gradeIndex(ctx.params, base)] += adults;
}
