/**
 * Enforcement: what happens to a resident once the day's events are on record — each
 * mechanism's steps (mechanism.ts `EnforcementStep`: arrest, court judgments, score,
 * lists, appeals, joint punishment, account closure, …) in slot order — then release from
 * detention; and, household by household, family spillover and the legitimacy response.
 */
import type { ShardContext } from '../../engine/model.js';
import type { CounterRng } from '../../engine/rng.js';
import { childrenBarred, householdHasListedAdult } from './family.js';
import { E, F, GROUP_MASK } from './bits.js';
import { householdEnd, type RegimeLayout, regimeLayout } from './layout.js';
import { SLOTS, type EnforcementStep, type ResidentDay } from './mechanism.js';
import { mechanisms } from './mechanisms.js';
import type { MetricTable } from './metrics.js';
import type { RegimeParams } from './params.js';
import { Perception } from './perception.js';
import { Arrest } from './police.js';
import { U16, U8, round } from './population.js';
import { CellResponse } from './response.js';
import { scoreMoves } from './score.js';

/** Columns enforcement works on, typed once per shard. */
function columnsOf(ctx: ShardContext<RegimeParams>) {
  const c = ctx.columns;
  return {
    flags: c.flags as Uint16Array,
    group: c.group as Uint8Array,
    hardship: c.hardship as Uint8Array,
    riskAversion: c.riskAversion as Uint8Array,
    legitimacy: c.legitimacy as Uint16Array,
    scoreOffset: c.scoreOffset as Int16Array,
    detainDays: c.detainDays as Uint16Array,
    acts: c.acts as Uint8Array,
    events: c.events as Uint16Array,
    cellSanctionsSeen: c.cellSanctionsSeen as Float32Array,
    cellWrongfulSeen: c.cellWrongfulSeen as Float32Array,
  };
}

/** Detention runs down a day; release (flags without the detention's) on the last. */
function runDownDetention(detainDays: Uint16Array | Uint8Array, i: number, f: number): number {
  if (detainDays[i] <= 1) {
    detainDays[i] = 0;
    return f & ~(F.DETAINED | F.PREEMPTIVE | F.WRONGFUL_DETENTION);
  }
  detainDays[i]--;
  return f;
}

/**
 * Flags under which a resident with no events today still has something to do in
 * enforcement: a sentence or listing to run down, a judgment clock, a redlisting to review.
 */
export const ENFORCEMENT_STATE = F.DETAINED | F.BLACKLISTED | F.RECORDED_DEFAULT | F.REDLISTED;

/** Every mechanism's enforcement steps for one shard, in slot order (registry order within a slot). */
function enforcementSteps(ctx: ShardContext<RegimeParams>): EnforcementStep[] {
  const steps = mechanisms().flatMap((m) => m.enforcement?.(ctx) ?? []);
  return steps
    .map((step, k) => ({ step, k }))
    .sort((x, y) => SLOTS.indexOf(x.step.slot) - SLOTS.indexOf(y.step.slot) || x.k - y.k)
    .map((x) => x.step);
}

/**
 * Enforcement for one cell at a time. `resident(i)` is the whole per-resident rule; its
 * draws come from i's own stream (keyed lazily), so skipping residents for whom it is a
 * no-op (see `idleIsNoop`) changes nothing.
 */
export class CellEnforcer {
  readonly p: RegimeParams;
  readonly layout: RegimeLayout;
  readonly cols: ReturnType<typeof columnsOf>;
  /**
   * True when `resident(i)` does nothing for a resident with no events today and none of
   * the ENFORCEMENT_STATE flags (no step acts on the idle).
   */
  readonly idleIsNoop: boolean;
  /**
   * True when, for a resident with no ENFORCEMENT_STATE flag whose only event today is a
   * recorded protest, `resident(i)` can do nothing but arrest it: a caller may then sample
   * the arrests (each with probability `arrestShare`) and call `resident(i, 0)` for those.
   */
  readonly arrestIsAllForProtesters: boolean;
  private readonly steps: EnforcementStep[];
  /** Mechanisms' per-cell updates at the end of each cell's night. */
  private readonly nights: ((c: number) => void)[];
  private readonly arrest: Arrest | undefined;
  private readonly mt: MetricTable;
  private readonly M;
  private readonly schoolRng: CounterRng;
  private readonly welfareLoss: number;
  private readonly scoreInPlay: boolean;
  private readonly day: ResidentDay;
  r = 0;
  /** Sanctions today in the current cell that its residents can see (weighted by how much they see), and the wrongful ones among them. */
  visibleToday = 0;
  wrongfulToday = 0;
  /** The legitimacy response of the current cell (households). */
  readonly response: CellResponse;
  private readonly perception: Perception;

  constructor(private readonly ctx: ShardContext<RegimeParams>) {
    const p = (this.p = ctx.params);
    this.layout = regimeLayout(p);
    this.cols = columnsOf(ctx);
    const mt = (this.mt = this.layout.metricTable);
    this.M = { schooling: mt.base('blocked_schooling'), sanctions: mt.base('sanctions') };
    this.response = new CellResponse(ctx);
    this.perception = new Perception(ctx);
    this.schoolRng = ctx.rng('schooling');
    this.welfareLoss = Math.round(p.sanctions.welfareLoss * U8);
    this.scoreInPlay = scoreMoves(p);
    this.steps = enforcementSteps(ctx);
    this.nights = mechanisms().flatMap((m) => m.night?.(ctx) ?? []);
    this.arrest = this.steps.find((s): s is Arrest => s instanceof Arrest);
    this.idleIsNoop = !this.steps.some((s) => s.idle);
    this.arrestIsAllForProtesters =
      this.idleIsNoop && this.arrest !== undefined && !this.steps.some((s) => s.onProtest);
    this.day = {
      i: 0,
      f: 0,
      e: 0,
      a: 0,
      g: 0,
      r: 0,
      s: 0,
      judgment: false,
      seen: 0,
      arrestDraw: -1,
      rng: ctx.rng('enforce'),
    };
  }

  /** Share of today's recorded protesters in the cell who are arrested (capacity permitting). */
  get arrestShare(): number {
    return this.arrest?.share ?? 0;
  }

  /** Per-cell set-up of every step. */
  begin(c: number): void {
    this.r = this.layout.cellRegion[c];
    for (const step of this.steps) step.begin?.(c, this.r);
    this.visibleToday = 0;
    this.wrongfulToday = 0;
  }

  /**
   * Everything that happens to resident i today once its events are on record.
   * `arrestDraw` ≥ 0 stands in for the arrest's uniform draw (see `arrestIsAllForProtesters`).
   */
  resident(i: number, arrestDraw = -1): void {
    const { p, ctx, day: d } = this;
    const { flags, group, scoreOffset, detainDays, acts, events } = this.cols;
    d.i = i;
    d.f = flags[i];
    d.e = events[i];
    d.a = acts[i];
    d.g = group[i] & GROUP_MASK;
    d.r = this.r;
    d.judgment = false;
    d.seen = 0;
    d.arrestDraw = arrestDraw;
    d.rng.keyLazily(i, ctx.tick);
    // The column holds points relative to the base, so residents at the base are zeros
    // nobody writes (never resident).
    const offset = this.scoreInPlay ? scoreOffset[i] : 0;
    d.s = p.score.base + offset;
    for (let k = 0; k < this.steps.length; k++) this.steps[k].run(d);
    if (d.s - p.score.base !== offset) scoreOffset[i] = d.s - p.score.base;
    let f = d.f;
    if (f & F.DETAINED && !(d.e & E.DETAINED_TODAY)) f = runDownDetention(detainDays, i, f);
    if (d.e & E.VISIBLE) {
      this.visibleToday += d.seen;
      // The sanction seen was wrongful (not merely: its subject was wronged today in some way).
      const wrongDetention = d.e & E.DETAINED_TODAY && f & F.WRONGFUL_DETENTION;
      const wrongListing = d.e & E.LISTED && f & F.WRONGFUL_LISTING;
      if (wrongDetention || wrongListing) this.wrongfulToday += d.seen;
    }
    if (d.e & E.SANCTIONED) this.mt.add(ctx.acc, this.M.sanctions, d.g, d.r, 1);
    flags[i] = f;
    events[i] = d.e;
  }

  /**
   * Households of cell c: family spillover (children of a listed adult barred from
   * schools) and every resident's legitimacy response. The reference visits every household;
   * fast/settle.ts fuses this with the end-of-day tally.
   */
  households(c: number): void {
    const p = this.p;
    const { flags, group, legitimacy, events } = this.cols;
    const start = this.layout.unitStarts[c];
    const end = this.layout.unitStarts[c + 1];
    const response = this.response;
    response.cell(c, this.arrestShare);
    const barChildren = childrenBarred(p);
    const schooling = p.sanctions.enabled ? p.sanctions.schoolingAttemptRate : 0;
    for (let h = start; h < end;) {
      const next = householdEnd(flags, h, end);
      let detained = 0;
      let listed = 0;
      for (let j = h; j < next; j++) {
        if (events[j] & E.DETAINED_TODAY) detained++;
        if (events[j] & E.LISTED) listed++;
      }
      const listedAdult = barChildren && householdHasListedAdult(flags, h, next);
      // A detected act tells the household that surveillance sees (perception.ts).
      if (this.perception.alerts) {
        let alarming = false;
        for (let j = h; j < next; j++) if (this.perception.alarming(events[j])) alarming = true;
        if (alarming) for (let j = h; j < next; j++) this.perception.alert(j, this.ctx.tick);
      }
      for (let j = h; j < next; j++) {
        let e = events[j];
        if (detained > (e & E.DETAINED_TODAY ? 1 : 0)) e |= E.HOUSEHOLD_HIT;
        if (listed > (e & E.LISTED ? 1 : 0)) e |= E.HOUSEHOLD_LISTED;
        const factor = response.shock(e, flags[j]);
        legitimacy[j] = round(response.next(legitimacy[j] / U16, group[j] & GROUP_MASK, factor) * U16);
        if (listedAdult && flags[j] & F.CHILD) this.school(j, schooling);
      }
      h = next;
    }
  }

  /**
   * `resident(i)` for a resident whose only business today is a detention to run down: no
   * events, DETAINED its only ENFORCEMENT_STATE flag, and `idleIsNoop` (nothing else in
   * the rule applies to it). Most of a day's enforcement visits are these.
   */
  serveDetention(i: number): void {
    const { flags, detainDays } = this.cols;
    flags[i] = runDownDetention(detainDays, i, flags[i]);
  }

  /** A child of a listed adult applies to school today with probability `rate` and is blocked. */
  school(j: number, rate: number): void {
    if (rate > 0 && this.schoolRng.key(j, this.ctx.tick).uniform() < rate) {
      const { group, hardship } = this.cols;
      this.mt.add(this.ctx.acc, this.M.schooling, group[j] & GROUP_MASK, this.r, 1);
      hardship[j] = Math.min(U8, hardship[j] + this.welfareLoss);
    }
  }

  /** Sanctions seen fade by the memory factor and today's visible ones add to them; then every mechanism's night. */
  end(c: number): void {
    const m = this.p.response.sanctionMemory;
    const { cellSanctionsSeen, cellWrongfulSeen } = this.cols;
    cellSanctionsSeen[c] = m * cellSanctionsSeen[c] + this.visibleToday;
    cellWrongfulSeen[c] = m * cellWrongfulSeen[c] + this.wrongfulToday;
    for (let k = 0; k < this.nights.length; k++) this.nights[k](c);
  }
}
