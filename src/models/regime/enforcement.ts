/**
 * Enforcement: what happens to a resident once the day's events are on record —
 * arrest (capacity permitting), court judgments, score changes, blacklisting and
 * redlisting, appeals, joint-punishment blocks, account closure, release from detention
 * — then, household by household, family spillover and the legitimacy response.
 */
import type { ShardContext } from '../../engine/model.js';
import type { CounterRng } from '../../engine/rng.js';
import { appealSucceeds } from './dueprocess.js';
import { countdown, type Countdown } from './countdowns.js';
import { childrenBarred, householdHasListedAdult } from './family.js';
import { A, E, F, GROUP_MASK, MAX_PACKED_STRIKES, STRIKE_SHIFT, strikesPacked } from './bits.js';
import { householdEnd, type RegimeLayout, regimeLayout } from './layout.js';
import { blacklistedByScore, delistFlags, redlisted, wrongfulByScore } from './lists.js';
import type { MetricTable } from './metrics.js';
import type { RegimeParams } from './params.js';
import { centreLegitimacyGain } from './propaganda.js';
import { U16, U8, clamp01, round } from './population.js';
import { judgmentClock } from './records.js';
import { legitimacyChange } from './response.js';
import { SANCTION_TYPES, attemptRate } from './sanctions.js';
import { clampPoints, clampScore, falseScoreDelta, restoration, scoreDelta, scoreMoves } from './score.js';

const { WRONGED, VISIBLE } = E;

function popcountNegative(e: number): number {
  return (e & E.PROTEST ? 1 : 0) + (e & E.INFRACTION ? 1 : 0) + (e & E.POST ? 1 : 0) + (e & E.DEFAULT ? 1 : 0);
}

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
    falsePoints: c.falsePoints as Int16Array,
    detainDays: c.detainDays as Uint16Array,
    strikes: c.strikes as Uint8Array,
    records: c.records as Uint8Array,
    acts: c.acts as Uint8Array,
    events: c.events as Uint16Array,
    cellSanctionsSeen: c.cellSanctionsSeen as Float32Array,
    cellCentre: c.cellCentre as Uint8Array,
    cellReports: c.cellReports as Uint32Array,
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
   * the ENFORCEMENT_STATE flags: no score moves (so none restores or rewards) and a
   * resident at the base score is not redlisted.
   */
  readonly idleIsNoop: boolean;
  private readonly mt: MetricTable;
  private readonly M;
  private readonly rng: CounterRng;
  private readonly schoolRng: CounterRng;
  private readonly welfareLoss: number;
  private readonly scoreInPlay: boolean;
  /** Only predictive policing reads the count of recorded events. */
  private readonly keepRecords: boolean;
  private readonly strikesPacked: boolean;
  private readonly listDays: Countdown;
  private readonly timer: Countdown;
  private readonly appealDays: Countdown;
  r = 0;
  /** Share of today's recorded protesters in the cell who are arrested (capacity permitting). */
  arrestShare = 0;
  private rewardPerInformant = 0;
  /** Sanctions today in the current cell that its residents can see. */
  visibleToday = 0;

  constructor(private readonly ctx: ShardContext<RegimeParams>) {
    const p = (this.p = ctx.params);
    this.layout = regimeLayout(p);
    this.cols = columnsOf(ctx);
    const mt = (this.mt = this.layout.metricTable);
    this.M = {
      reactive: mt.base('detentions_reactive'),
      reactiveFalse: mt.base('detentions_reactive_false'),
      entries: mt.base('blacklist_entries'),
      exits: mt.base('blacklist_exits'),
      redEntries: mt.base('redlist_entries'),
      filed: mt.base('appeals_filed'),
      granted: mt.base('appeals_granted'),
      closed: mt.base('accounts_closed_new'),
      schooling: mt.base('blocked_schooling'),
      blocked: SANCTION_TYPES.map((t) => mt.base(`blocked_${t}`)),
    };
    this.rng = ctx.rng('enforce');
    this.schoolRng = ctx.rng('schooling');
    this.welfareLoss = Math.round(p.sanctions.welfareLoss * U8);
    this.scoreInPlay = scoreMoves(p);
    this.keepRecords = p.predictive.enabled;
    this.strikesPacked = strikesPacked(p);
    this.listDays = countdown(ctx, 'listDays');
    this.timer = countdown(ctx, 'timer');
    this.appealDays = countdown(ctx, 'appealDays');
    this.idleIsNoop = !this.scoreInPlay && !p.score.enabled && !redlisted(p, p.score.base, 0);
  }

  /** Per-cell values: the region's arrest share and the informants' share of true reports. */
  begin(c: number): void {
    const { p, layout, ctx } = this;
    const { flags, cellReports } = this.cols;
    const gl = layout.globalsLayout;
    this.r = layout.cellRegion[c];
    const start = layout.unitStarts[c];
    const end = layout.unitStarts[c + 1];
    this.arrestShare = p.police.arrestProbability * ctx.globals[gl.arrestRatio + this.r];
    // True reports are shared among the informants free to collect (detained ones get none).
    let freeInformants = 0;
    if (cellReports[c] > 0) {
      for (let i = start; i < end; i++) if ((flags[i] & (F.INFORMANT | F.DETAINED)) === F.INFORMANT) freeInformants++;
    }
    this.rewardPerInformant = freeInformants > 0 ? cellReports[c] / freeInformants : 0;
    this.visibleToday = 0;
  }

  /**
   * True when, for a resident with no ENFORCEMENT_STATE flag whose only event today is a
   * recorded protest, `resident(i)` can do nothing but arrest it: a caller may then sample
   * the arrests (each with probability `arrestShare`) and call `resident(i, 0)` for those.
   */
  get arrestIsAllForProtesters(): boolean {
    return this.idleIsNoop && !this.keepRecords && this.p.police.enabled;
  }

  /**
   * Everything that happens to resident i today once its events are on record.
   * `arrestDraw` ≥ 0 stands in for the arrest's uniform draw (see `arrestIsAllForProtesters`).
   */
  resident(i: number, arrestDraw = -1): void {
    const { p, ctx, mt, M, rng, r } = this;
    const { flags, group, hardship, scoreOffset, falsePoints, detainDays } = this.cols;
    const { strikes, records, acts, events } = this.cols;
    const { listDays, timer, appealDays } = this;
    let f = flags[i];
    let e = events[i];
    const a = acts[i];
    const g = group[i] & GROUP_MASK;
    rng.keyLazily(i, ctx.tick);

    // Pre-emptive detention (decided in behaviour) of someone who would not have acted.
    if (e & E.DETAINED_TODAY && f & F.PREEMPTIVE) {
      e |= VISIBLE;
      if (!(a & A.WOULD_PROTEST)) {
        e |= WRONGED;
        f |= F.WRONGFUL_DETENTION;
      }
    }
    // Reactive arrest of a recorded protester, within the region's capacity.
    if (
      e & E.PROTEST &&
      p.police.enabled &&
      !(f & F.DETAINED) &&
      (arrestDraw >= 0 ? arrestDraw : rng.uniform()) < this.arrestShare
    ) {
      f = (f & ~F.ACTIVE) | F.DETAINED;
      detainDays[i] = p.police.detentionDays;
      e |= E.SANCTIONED | E.DETAINED_TODAY | VISIBLE;
      mt.add(ctx.acc, M.reactive, g, r, 1);
      if (!(a & A.PROTEST)) {
        f |= F.WRONGFUL_DETENTION;
        e |= WRONGED;
        mt.add(ctx.acc, M.reactiveFalse, g, r, 1);
      }
    }

    // Records: an unpaid recorded default becomes a court judgment after a delay.
    if (e & E.DEFAULT) {
      f |= F.RECORDED_DEFAULT;
      timer.set(i, p.records.judgmentDelay);
    }
    // The clock is read and written only while one runs (RECORDED_DEFAULT): its value is
    // meaningless otherwise, and untouched pages never become resident (memory at scale).
    const running = (f & F.RECORDED_DEFAULT) !== 0;
    const clock = running ? judgmentClock(p, f, timer.get(i)) : -2;
    const judgment = clock === -1;
    if (running) timer.set(i, clock < 0 ? 0 : clock);
    if (clock < 0) f &= ~F.RECORDED_DEFAULT;

    // Credit score.
    // The column holds points relative to the base, so residents at the base are zeros
    // nobody writes (never resident); s is the absolute score.
    const offset = this.scoreInPlay ? scoreOffset[i] : 0;
    let s = p.score.base + offset;
    if (p.score.enabled) {
      let d = scoreDelta(p, e) + (judgment ? p.score.judgment : 0);
      if (f & F.INFORMANT && !(f & F.DETAINED)) {
        // Its own false or reprisal report, plus a share of the cell's true reports.
        let reports = e & E.REPORTED_SOMEONE ? 1 : 0;
        if (this.rewardPerInformant > 0) {
          reports += Math.floor(this.rewardPerInformant) + (rng.uniform() < this.rewardPerInformant % 1 ? 1 : 0);
        }
        d += reports * p.informants.reportReward;
      }
      const restored = restoration(p, s + d, rng.uniform());
      s = clampScore(p, s + d + restored);
      let fp = falsePoints[i] + falseScoreDelta(p, e);
      if (restored > 0 && fp < 0) fp = Math.min(0, fp + restored);
      falsePoints[i] = clampPoints(fp);
    }

    // Lists.
    if (p.lists.enabled) {
      const judged = judgment && p.lists.blacklistOnJudgment;
      if (f & F.BLACKLISTED && judged) {
        // A court judgment on someone already listed (by score) turns the listing into a
        // defaulter listing: rightful, removable by repaying, for a fresh term. (It used to
        // be dropped, leaving a wrongful score listing "wrongful" and appealable as such.)
        f = (f | F.LIST_BY_JUDGMENT) & ~F.WRONGFUL_LISTING;
        listDays.set(i, p.lists.durationDays);
      } else if (f & F.BLACKLISTED) {
        const left = listDays.get(i);
        const expired = left <= 1;
        const performed = f & F.LIST_BY_JUDGMENT && a & A.REPAY && p.lists.removeOnPerformance;
        listDays.set(i, expired ? 0 : left - 1);
        if (expired || performed) {
          // On expiry the entries behind a score listing are deleted: the score returns
          // to the cut-off, so the same record cannot list the resident again tomorrow.
          if (expired && !(f & F.LIST_BY_JUDGMENT)) {
            s = Math.max(s, p.lists.blacklistBelowScore);
            falsePoints[i] = 0;
          }
          f = delistFlags(f);
          listDays.set(i, 0);
          mt.add(ctx.acc, M.exits, g, r, 1);
        }
      } else if (!(f & F.CHILD) && (judged || blacklistedByScore(p, s))) {
        f |= F.BLACKLISTED;
        f &= ~F.REDLISTED;
        listDays.set(i, p.lists.durationDays);
        if (judged) f |= F.LIST_BY_JUDGMENT;
        else if (wrongfulByScore(p, s, falsePoints[i])) {
          f |= F.WRONGFUL_LISTING;
          e |= WRONGED;
        }
        e |= E.SANCTIONED;
        if (p.sanctions.publicShaming) e |= VISIBLE;
        mt.add(ctx.acc, M.entries, g, r, 1);
      }
      if (redlisted(p, s, f)) {
        if (!(f & F.REDLISTED)) mt.add(ctx.acc, M.redEntries, g, r, 1);
        f |= F.REDLISTED;
      } else f &= ~F.REDLISTED;
    }

    // Due process: appeal, decided after a delay; success delists and restores points.
    if (p.dueProcess.enabled && f & F.BLACKLISTED) {
      if (f & F.APPEAL_PENDING) {
        // Decided on the appealDelayDays-th day after filing.
        const left = appealDays.get(i);
        if (left > 1) appealDays.set(i, left - 1);
        else if (appealSucceeds(p, (f & F.WRONGFUL_LISTING) !== 0, rng.uniform())) {
          f = delistFlags(f);
          listDays.set(i, 0);
          if (this.scoreInPlay) {
            s = clampScore(p, s - falsePoints[i]);
            falsePoints[i] = 0;
          }
          mt.add(ctx.acc, M.granted, g, r, 1);
          mt.add(ctx.acc, M.exits, g, r, 1);
        } else f &= ~F.APPEAL_PENDING;
      } else if (rng.uniform() < p.dueProcess.appealRate) {
        f |= F.APPEAL_PENDING;
        appealDays.set(i, p.dueProcess.appealDelayDays);
        mt.add(ctx.acc, M.filed, g, r, 1);
      }
    }
    if (s - p.score.base !== offset) scoreOffset[i] = s - p.score.base;

    // Joint punishment: blocked attempts by a blacklisted adult who is free to try.
    if (p.sanctions.enabled && (f & (F.BLACKLISTED | F.CHILD | F.DETAINED)) === F.BLACKLISTED) {
      for (let k = 0; k < SANCTION_TYPES.length; k++) {
        if (rng.uniform() < attemptRate(p, SANCTION_TYPES[k])) {
          mt.add(ctx.acc, M.blocked[k], g, r, 1);
          hardship[i] = Math.min(U8, hardship[i] + this.welfareLoss);
        }
      }
    }

    // Platform censorship: strikes close the account.
    if (e & E.POST && p.platform.enabled) {
      let count: number;
      if (this.strikesPacked) {
        // Saturating at 15 ≥ strikesToClose: beyond the closing strike the count is moot.
        count = Math.min(MAX_PACKED_STRIKES, (group[i] >> STRIKE_SHIFT) + 1);
        group[i] = g | (count << STRIKE_SHIFT);
      } else count = strikes[i] = Math.min(255, strikes[i] + 1);
      if (count >= p.platform.strikesToClose && !(f & F.ACCOUNT_CLOSED)) {
        f |= F.ACCOUNT_CLOSED;
        mt.add(ctx.acc, M.closed, g, r, 1);
      }
    }

    const recorded = popcountNegative(e);
    if (recorded && this.keepRecords) records[i] = Math.min(255, records[i] + recorded);
    if (f & F.DETAINED && !(e & E.DETAINED_TODAY)) f = runDownDetention(detainDays, i, f);
    if (e & VISIBLE) this.visibleToday++;
    flags[i] = f;
    events[i] = e;
  }

  /**
   * Households of cell c: family spillover (children of a listed adult barred from
   * schools) and every resident's legitimacy response. The reference visits every household;
   * fast/settle.ts fuses this with the end-of-day tally.
   */
  households(c: number): void {
    const p = this.p;
    const { flags, legitimacy, events, cellSanctionsSeen, cellCentre } = this.cols;
    const start = this.layout.unitStarts[c];
    const end = this.layout.unitStarts[c + 1];
    const seenPerThousand = (cellSanctionsSeen[c] * 1000) / (end - start);
    const centreGain = centreLegitimacyGain(p, cellCentre[c] === 1);
    const barChildren = childrenBarred(p);
    const schooling = p.sanctions.enabled ? p.sanctions.schoolingAttemptRate : 0;
    for (let h = start; h < end;) {
      const next = householdEnd(flags, h, end);
      let sanctioned = 0;
      for (let j = h; j < next; j++) if (events[j] & E.SANCTIONED) sanctioned++;
      const listedAdult = barChildren && householdHasListedAdult(flags, h, next);
      for (let j = h; j < next; j++) {
        const e = events[j];
        const ownSanction = (e & E.SANCTIONED) !== 0;
        const L = legitimacy[j] / U16;
        const householdHit = sanctioned > (ownSanction ? 1 : 0);
        const d = legitimacyChange(p, L, centreGain, seenPerThousand, (e & WRONGED) !== 0, householdHit);
        legitimacy[j] = round(clamp01(L + d) * U16);
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

  /** Sanctions seen fade by the memory factor and today's visible ones add to them. */
  end(c: number): void {
    const s = this.cols.cellSanctionsSeen;
    s[c] = this.p.response.sanctionMemory * s[c] + this.visibleToday;
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
