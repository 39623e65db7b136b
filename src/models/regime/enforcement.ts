/**
 * Enforcement: what happens to a resident once the day's events are on record —
 * arrest (capacity permitting), court judgments, score changes, blacklisting and
 * redlisting, appeals, joint-punishment blocks, account closure, release from detention
 * — then, household by household, family spillover and the legitimacy response.
 */
import type { ShardContext } from '../../engine/model.js';
import { appealSucceeds } from './dueprocess.js';
import { childrenBarred, householdHasListedAdult } from './family.js';
import { A, E, F, householdSize, regimeLayout } from './layout.js';
import { blacklistedByScore, delistFlags, redlisted, wrongfulByScore } from './lists.js';
import type { RegimeParams } from './params.js';
import { centreLegitimacyGain } from './propaganda.js';
import { U16, U8, clamp01 } from './population.js';
import { judgmentClock } from './records.js';
import { legitimacyChange } from './response.js';
import { SANCTION_TYPES, attemptRate } from './sanctions.js';
import { clampPoints, clampScore, falseScoreDelta, restoration, scoreDelta, scoreMoves } from './score.js';

const { WRONGED, VISIBLE } = E;

function popcountNegative(e: number): number {
  return (e & E.PROTEST ? 1 : 0) + (e & E.INFRACTION ? 1 : 0) + (e & E.POST ? 1 : 0) + (e & E.DEFAULT ? 1 : 0);
}

export function enforce(ctx: ShardContext<RegimeParams>): void {
  const p = ctx.params;
  const layout = regimeLayout(p);
  const mt = layout.metricTable;
  const gl = layout.globalsLayout;
  const c0 = ctx.columns;
  const flags = c0.flags as Uint16Array;
  const { group, household, hardship, legitimacy, scoreOffset, falsePoints, listDays, detainDays, timer } = c0;
  const { appealDays, strikes, records, acts, events } = c0;
  const { cellSanctionsSeen, cellCentre, cellReports } = c0;
  const starts = layout.unitStarts;
  const rng = ctx.rng('enforce');
  const schoolRng = ctx.rng('schooling');
  const M = {
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
  const welfareLoss = Math.round(p.sanctions.welfareLoss * U8);
  const memory = p.response.sanctionMemory;
  const scoreInPlay = scoreMoves(p);

  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    const r = layout.cellRegion[c];
    const start = starts[c];
    const end = starts[c + 1];
    const residents = end - start;
    const arrestShare = p.police.arrestProbability * ctx.globals[gl.arrestRatio + r];
    // True reports are shared among the informants free to collect (detained ones get none).
    let freeInformants = 0;
    if (cellReports[c] > 0) {
      for (let i = start; i < end; i++) if ((flags[i] & (F.INFORMANT | F.DETAINED)) === F.INFORMANT) freeInformants++;
    }
    const rewardPerInformant = freeInformants > 0 ? cellReports[c] / freeInformants : 0;
    let visibleToday = 0;

    for (let i = start; i < end; i++) {
      let f = flags[i];
      let e = events[i];
      const a = acts[i];
      const g = group[i];
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
      if (e & E.PROTEST && p.police.enabled && !(f & F.DETAINED) && rng.uniform() < arrestShare) {
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
        timer[i] = p.records.judgmentDelay;
      }
      // The clock is read and written only while one runs (RECORDED_DEFAULT): its value is
      // meaningless otherwise, and untouched pages never become resident (memory at scale).
      const running = (f & F.RECORDED_DEFAULT) !== 0;
      const clock = running ? judgmentClock(p, f, timer[i]) : -2;
      const judgment = clock === -1;
      if (running) timer[i] = clock < 0 ? 0 : clock;
      if (clock < 0) f &= ~F.RECORDED_DEFAULT;

      // Credit score.
      // The column holds points relative to the base, so residents at the base are zeros
      // nobody writes (never resident); s is the absolute score.
      const offset = scoreInPlay ? scoreOffset[i] : 0;
      let s = p.score.base + offset;
      if (p.score.enabled) {
        let d = scoreDelta(p, e) + (judgment ? p.score.judgment : 0);
        if (f & F.INFORMANT && !(f & F.DETAINED)) {
          // Its own false or reprisal report, plus a share of the cell's true reports.
          let reports = e & E.REPORTED_SOMEONE ? 1 : 0;
          if (rewardPerInformant > 0) {
            reports += Math.floor(rewardPerInformant) + (rng.uniform() < rewardPerInformant % 1 ? 1 : 0);
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
          listDays[i] = p.lists.durationDays;
        } else if (f & F.BLACKLISTED) {
          const expired = listDays[i] <= 1;
          const performed = f & F.LIST_BY_JUDGMENT && a & A.REPAY && p.lists.removeOnPerformance;
          listDays[i] = expired ? 0 : listDays[i] - 1;
          if (expired || performed) {
            // On expiry the entries behind a score listing are deleted: the score returns
            // to the cut-off, so the same record cannot list the resident again tomorrow.
            if (expired && !(f & F.LIST_BY_JUDGMENT)) {
              s = Math.max(s, p.lists.blacklistBelowScore);
              falsePoints[i] = 0;
            }
            f = delistFlags(f);
            listDays[i] = 0;
            mt.add(ctx.acc, M.exits, g, r, 1);
          }
        } else if (!(f & F.CHILD) && (judged || blacklistedByScore(p, s))) {
          f |= F.BLACKLISTED;
          f &= ~F.REDLISTED;
          listDays[i] = p.lists.durationDays;
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
          if (appealDays[i] > 1) appealDays[i]--;
          else if (appealSucceeds(p, (f & F.WRONGFUL_LISTING) !== 0, rng.uniform())) {
            f = delistFlags(f);
            listDays[i] = 0;
            s = clampScore(p, s - falsePoints[i]);
            falsePoints[i] = 0;
            mt.add(ctx.acc, M.granted, g, r, 1);
            mt.add(ctx.acc, M.exits, g, r, 1);
          } else f &= ~F.APPEAL_PENDING;
        } else if (rng.uniform() < p.dueProcess.appealRate) {
          f |= F.APPEAL_PENDING;
          appealDays[i] = p.dueProcess.appealDelayDays;
          mt.add(ctx.acc, M.filed, g, r, 1);
        }
      }
      if (s - p.score.base !== offset) scoreOffset[i] = s - p.score.base;

      // Joint punishment: blocked attempts by a blacklisted adult who is free to try.
      if (p.sanctions.enabled && (f & (F.BLACKLISTED | F.CHILD | F.DETAINED)) === F.BLACKLISTED) {
        for (let k = 0; k < SANCTION_TYPES.length; k++) {
          if (rng.uniform() < attemptRate(p, SANCTION_TYPES[k])) {
            mt.add(ctx.acc, M.blocked[k], g, r, 1);
            hardship[i] = Math.min(U8, hardship[i] + welfareLoss);
          }
        }
      }

      // Platform censorship: strikes close the account.
      if (e & E.POST && p.platform.enabled) {
        strikes[i] = Math.min(255, strikes[i] + 1);
        if (strikes[i] >= p.platform.strikesToClose && !(f & F.ACCOUNT_CLOSED)) {
          f |= F.ACCOUNT_CLOSED;
          mt.add(ctx.acc, M.closed, g, r, 1);
        }
      }

      const recorded = popcountNegative(e);
      if (recorded) records[i] = Math.min(255, records[i] + recorded);
      // Detention runs down; release on the last day.
      if (f & F.DETAINED && !(e & E.DETAINED_TODAY)) {
        if (detainDays[i] <= 1) {
          detainDays[i] = 0;
          f &= ~(F.DETAINED | F.PREEMPTIVE | F.WRONGFUL_DETENTION);
        } else detainDays[i]--;
      }
      if (e & VISIBLE) visibleToday++;
      flags[i] = f;
      events[i] = e;
    }

    // Households: family spillover and the legitimacy response.
    const seenPerThousand = (cellSanctionsSeen[c] * 1000) / residents;
    const centreGain = centreLegitimacyGain(p, cellCentre[c] === 1);
    const barChildren = childrenBarred(p);
    const schooling = p.sanctions.enabled ? p.sanctions.schoolingAttemptRate : 0;
    for (let h = start; h < end;) {
      const size = householdSize(household[h]);
      let sanctioned = 0;
      for (let j = h; j < h + size; j++) if (events[j] & E.SANCTIONED) sanctioned++;
      const listedAdult = barChildren && householdHasListedAdult(flags, h, size);
      for (let j = h; j < h + size; j++) {
        const e = events[j];
        const ownSanction = (e & E.SANCTIONED) !== 0;
        const L = legitimacy[j] / U16;
        const householdHit = sanctioned > (ownSanction ? 1 : 0);
        const d = legitimacyChange(p, L, centreGain, seenPerThousand, (e & WRONGED) !== 0, householdHit);
        legitimacy[j] = Math.round(clamp01(L + d) * U16);
        if (listedAdult && flags[j] & F.CHILD && schooling > 0 && schoolRng.key(j, ctx.tick).uniform() < schooling) {
          mt.add(ctx.acc, M.schooling, group[j], r, 1);
          hardship[j] = Math.min(U8, hardship[j] + welfareLoss);
        }
      }
      h += size;
    }
    cellSanctionsSeen[c] = memory * cellSanctionsSeen[c] + visibleToday;
  }
}
