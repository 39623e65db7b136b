/**
 * The reference implementation of the regime model's day: the same rules as the fast day
 * (fast/), written straight — every system visits every resident every day, each with its
 * own draws. For small populations and for docking the fast day against
 * (test/regime-docking.test.ts).
 */
import type { ShardContext } from '../../engine/model.js';
import { IDLE, perceivedArrestRisk, wouldProtest } from './behaviour.js';
import { CellChannels } from './channels.js';
import { CellDetector } from './detection.js';
import { CellEnforcer } from './enforcement.js';
import { A, F, GROUP_MASK } from './bits.js';
import { regimeLayout } from './layout.js';
import type { ActCell, ActKind } from './mechanism.js';
import { mechanisms } from './mechanisms.js';
import type { RegimeParams } from './params.js';
import { U16, U8, clamp01, round } from './population.js';
import { Perception } from './perception.js';
import { expectedFromCalls } from './platform.js';
import { admitted, flag, maxRisk, preemptiveMetrics, residentRiskBin } from './predictive.js';

/** The act kinds of every mechanism, for one shard, in registry order. */
export function actKindsOf(ctx: ShardContext<RegimeParams>): ActKind[] {
  return mechanisms().flatMap((m) => m.acts?.(ctx) ?? []);
}

/** A cell as the reference's act kinds see it: legitimacy as stored, grievance bounded by 1. */
class ReferenceCell implements ActCell {
  c = 0;
  r = 0;
  readonly grievanceBound = 1;
  readonly anyDefaulter = true;
  day = 0;
  constructor(
    readonly ch: CellChannels,
    private readonly perception: Perception,
    private readonly legitimacyColumn: Uint16Array,
    private readonly acts: Uint8Array,
  ) {}
  legitimacy(i: number): number {
    return this.legitimacyColumn[i] / U16;
  }
  perceived(i: number, cellWide: number): number {
    return this.perception.of(i, cellWide, this.day);
  }
  mark(i: number, act: number): void {
    this.acts[i] |= act;
  }
  /** The reference visits everyone every night. */
  visit(): void {}
  shock(i: number, factor: number): void {
    this.legitimacyColumn[i] = round(clamp01((this.legitimacyColumn[i] / U16) * factor) * U16);
  }
}

/**
 * Behaviour: pre-emptive detention first (a resident admitted today is detained before
 * acting; what it would have done is kept to score predictive policing), then Epstein's
 * protest rule, then every act kind: u < rate, and the kind's own rule for the candidate.
 */
export function behave(ctx: ShardContext<RegimeParams>): void {
  const p = ctx.params;
  const layout = regimeLayout(p);
  const mt = layout.metricTable;
  const gl = layout.globalsLayout;
  const { flags, group, hardship, riskAversion, events } = ctx.columns;
  const { cellActives, cellSanctionsSeen, cellInformants, cellCentre } = ctx.columns;
  const acts = ctx.columns.acts as Uint8Array;
  const cellCalls = ctx.columns.cellCalls as Float32Array | undefined;
  const starts = layout.unitStarts;
  const rng = ctx.rng('behave');
  const riskU = ctx.rng('admit');
  const riskRng = ctx.rng('risk');
  const ch = new CellChannels(ctx);
  const perception = ch.perception;
  const cell = new ReferenceCell(ch, perception, ctx.columns.legitimacy as Uint16Array, acts);
  cell.day = ctx.tick;
  const kinds = actKindsOf(ctx);
  const rates = new Float64Array(kinds.length);
  const wouldAct = mt.base('would_act');
  const PRE = preemptiveMetrics(mt);
  const predictive = p.predictive.enabled;
  const max = maxRisk(p);

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
      c,
    );
    cell.c = c;
    cell.r = r;
    for (let k = 0; k < kinds.length; k++) rates[k] = kinds[k].rate(cell);
    // Calls to collective action that reached their readers yesterday add the protesters they promise.
    const activesYesterday = cellActives[c] + expectedFromCalls(p, cellCalls, c);
    // A counts the agent itself: yesterday's protesters already include it if it protested.
    const riskIfActive = perceivedArrestRisk(p, ch, activesYesterday);
    const riskIfQuiet = perceivedArrestRisk(p, ch, activesYesterday + 1);
    // A resident whose household had an act detected perceives more surveillance (perception.ts).
    const household = perception.alerts ? Math.max(ch.protest, p.perception.householdPerception) : ch.protest;
    const riskIfActiveAlerted = perceivedArrestRisk(p, ch, activesYesterday, household);
    const riskIfQuietAlerted = perceivedArrestRisk(p, ch, activesYesterday + 1, household);
    const activeShare = cellActives[c] / residents;
    const cutBin = ctx.globals[gl.riskThresholdBin + r];
    const cutFraction = ctx.globals[gl.riskThresholdFraction + r];
    for (let i = starts[c]; i < starts[c + 1]; i++) {
      events[i] = 0;
      acts[i] = 0;
      const f = flags[i];
      if (f & IDLE) continue;
      const g = group[i] & GROUP_MASK;
      const grievance = (hardship[i] / U8) * (1 - cell.legitimacy(i));
      const alerted = perception.alerted(i, ctx.tick);
      const P =
        f & F.ACTIVE ? (alerted ? riskIfActiveAlerted : riskIfActive) : alerted ? riskIfQuietAlerted : riskIfQuiet;
      const would = wouldProtest(grievance, riskAversion[i] / U8, P, p.behaviour.threshold);
      if (would) mt.add(ctx.acc, wouldAct, g, r, 1);

      if (predictive) {
        const bin = residentRiskBin(ctx, riskRng, i, activeShare, max);
        const u = riskU.key(i, ctx.tick);
        if (admitted(bin, cutBin, cutFraction, u.uniform()) && flag(ctx, i, would, r, PRE, u)) continue;
      }
      if (would) {
        acts[i] = A.PROTEST | A.WOULD_PROTEST;
        flags[i] = f | F.ACTIVE;
      } else flags[i] = f & ~F.ACTIVE;
      rng.key(i, ctx.tick);
      for (let k = 0; k < kinds.length; k++) if (rng.uniform() < rates[k]) kinds[k].candidate(i, cell, rng);
    }
  }
}

/** The reference system: every resident's acts and every innocent adult's false-match draw. */
export function detect(ctx: ShardContext<RegimeParams>): void {
  const d = new CellDetector(ctx);
  const starts = regimeLayout(ctx.params).unitStarts;
  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    d.begin(c);
    for (let i = starts[c]; i < starts[c + 1]; i++) {
      d.acts(i);
      d.falseMatchDraw(i);
    }
    d.informants(c);
    d.end(c);
  }
}

/** The reference system: every resident of every cell, then every household. */
export function enforce(ctx: ShardContext<RegimeParams>): void {
  const en = new CellEnforcer(ctx);
  const starts = en.layout.unitStarts;
  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    en.begin(c);
    for (let i = starts[c]; i < starts[c + 1]; i++) en.resident(i);
    en.households(c);
    en.end(c);
  }
}
