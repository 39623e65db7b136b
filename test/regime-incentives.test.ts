/**
 * Mechanisms people respond to (issue "Mechanisms people respond to", item 1): residents who
 * know of the score, debtors pressed by the list, the listed who learn the ban, informants
 * recruited by rewards, targets wronged by false reports. Each changes the behaviour it
 * claims, and nothing when it is off. Fixed seeds; expected ratios come from each rule and
 * are checked with exact binomial tails (regime-helpers.ts) where the rule gives a rate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regimeReferenceModel } from '../src/models/regime/index.js';
import {
  closeSharedExecutor,
  consistentWithRate,
  merge,
  run,
  scenario,
  sharedExecutor,
  type Run,
} from './regime-helpers.js';

afterAll(closeSharedExecutor);

const AGENTS = 6_000;
const STEPS = 60;
const CALM = { behaviour: { initialLegitimacy: 1, legitimacySpread: 0 } };
/** A score that costs infractions and rewards civic acts, and lists nobody. */
const SCORED = merge(CALM, {
  behaviour: { infractionRate: 0.01, civicRate: 0.01 },
  score: { enabled: true, infraction: -5, civic: 5 },
  response: { deterrence: 0 },
});

describe('incentives: residents who know of the score (incentives.ts)', () => {
  const runs: Record<string, Run> = {};
  beforeAll(async () => {
    const p = (incentives: Record<string, unknown>, score = true) =>
      scenario(merge(SCORED, { incentives, score: { enabled: score } }), { agents: AGENTS });
    const all = { enabled: true, awareness: 1, infractionResponse: 0.5, civicResponse: 1 };
    runs.off = await run(p({ enabled: false }), STEPS, 3);
    runs.aware = await run(p(all), STEPS, 3);
    runs.noScore = await run(p(all, false), STEPS, 3);
    runs.noScoreOff = await run(p({ enabled: false }, false), STEPS, 3);
  });

  it('halves the scored infractions of aware adults and counts the forgone', () => {
    const before = runs.off.sum('infractions');
    const after = runs.aware.sum('infractions');
    expect(before).toBeGreaterThan(1000);
    // Each aware candidate acts with probability 1 − 0.5: after ~ Binomial(before + forgone, 0.5).
    const forgone = runs.aware.sum('infractions_forgone');
    expect(consistentWithRate(after, after + forgone, 0.5)).toBe(true);
    expect(after).toBeLessThan(0.6 * before);
  });

  it('doubles the scored civic acts of aware adults', () => {
    const ratio = runs.aware.sum('civic') / runs.off.sum('civic');
    expect(ratio).toBeGreaterThan(1.8);
    expect(ratio).toBeLessThan(2.2);
  });

  it('does nothing without a score to respond to', () => {
    expect(runs.noScore.series('infractions')).toEqual(runs.noScoreOff.series('infractions'));
    expect(runs.noScore.series('civic')).toEqual(runs.noScoreOff.series('civic'));
    expect(runs.noScore.sum('infractions_forgone')).toBe(0);
  });
});

describe('redlist benefits (incentives.ts)', () => {
  it('raise the legitimacy of the redlisted, and of no one else', async () => {
    // Legitimacy below 1 so that it can rise; everyone at the base is redlisted.
    const p = (redlistGain: number) =>
      scenario(
        merge(SCORED, {
          behaviour: { initialLegitimacy: 0.6, legitimacySpread: 0.05, infractionRate: 0 },
          lists: { enabled: true, redlistAtScore: 1000, blacklistOnJudgment: false },
          incentives: { enabled: true, redlistGain },
        }),
        { agents: AGENTS },
      );
    const none = await run(p(0), STEPS, 5);
    const gain = await run(p(0.01), STEPS, 5);
    expect(none.last('redlisted')).toBeGreaterThan(3000);
    expect(gain.last('legitimacy_mean')).toBeGreaterThan(none.last('legitimacy_mean') + 0.05);
  });
});

describe('listing presses defaulters to repay (lists.ts repaymentBoost)', () => {
  it('raises the repayments of the listed by the boost', async () => {
    const p = (repaymentBoost: number) =>
      scenario(
        merge(CALM, {
          behaviour: { defaultRate: 0.02, repaymentRate: 0.002 },
          records: { enabled: true, judgmentDelay: 5 },
          lists: { enabled: true, repaymentBoost },
        }),
        { agents: AGENTS },
      );
    const plain = await run(p(0), STEPS, 7);
    const pressed = await run(p(4), STEPS, 7);
    expect(plain.sum('blacklisted')).toBeGreaterThan(2000);
    // Exits of the listed are repayments (no listing expires within the run): per listed
    // person-day, five times as many, within binomial error.
    const rate = (r: Run) => r.sum('blacklist_exits') / r.sum('blacklisted');
    expect(rate(pressed) / rate(plain)).toBeGreaterThan(3);
    expect(rate(pressed) / rate(plain)).toBeLessThan(7);
  });
});

describe('the listed learn the ban (sanctions.ts learning)', () => {
  it('try less often after each blocked attempt, and as before without learning', async () => {
    const p = (learning: number) =>
      scenario(
        merge(CALM, {
          behaviour: { defaultRate: 0.02, repaymentRate: 0 },
          records: { enabled: true, judgmentDelay: 1 },
          lists: { enabled: true },
          sanctions: { enabled: true, flightAttemptRate: 0.05, trainAttemptRate: 0.05, learning },
        }),
        { agents: AGENTS },
      );
    const constant = await run(p(0), STEPS, 9);
    const learning = await run(p(0.5), STEPS, 9);
    const perListedDay = (r: Run) => r.sum('blocked_flight') / r.sum('blacklisted');
    // Without learning, a listed adult free to travel tries at the attempt rate every day.
    expect(consistentWithRate(constant.sum('blocked_flight'), constant.sum('blacklisted'), 0.05)).toBe(true);
    expect(perListedDay(learning)).toBeLessThan(0.6 * perListedDay(constant));
  });
});

describe('informants recruited by rewards (informants.ts)', () => {
  it('grow with the points a report earns, not without a score, and shrink as they quit', async () => {
    const p = (score: boolean, recruitmentPerPoint: number, quitRate: number) =>
      scenario(
        merge(CALM, {
          score: { enabled: score },
          informants: { enabled: true, reportReward: 2, recruitmentPerPoint, quitRate },
        }),
        { agents: AGENTS, region: { informantsPerThousand: 5 } },
      );
    const still = await run(p(true, 0, 0), STEPS, 11);
    const rewarded = await run(p(true, 0.0005, 0), STEPS, 11);
    const unpaid = await run(p(false, 0.0005, 0), STEPS, 11);
    const quitting = await run(p(true, 0, 0.02), STEPS, 11);
    const start = still.at('informants', 0);
    expect(still.last('informants')).toBe(start);
    expect(unpaid.last('informants')).toBe(start);
    // Joiners: free non-informant adults × 0.001 a day × 60 days (binomial).
    const joined = rewarded.last('informants') - start;
    const exposure = (rewarded.at('adults', 0) - start) * STEPS;
    expect(consistentWithRate(joined, exposure, 0.0005 * 2)).toBe(true);
    expect(quitting.last('informants')).toBeLessThan(0.5 * start);
  });
});

describe('false reports wrong their targets (informants.ts)', () => {
  it('cost the falsely reported legitimacy through injustice, and nothing when injustice costs nothing', async () => {
    const p = (falseReportRate: number, injusticeLoss: number) =>
      scenario(
        merge(
          { behaviour: { initialLegitimacy: 0.7 } },
          { informants: { enabled: true, falseReportRate }, response: { injusticeLoss } },
        ),
        { agents: AGENTS, region: { informantsPerThousand: 20 } },
      );
    const none = await run(p(0, 0.3), STEPS, 13);
    const reportsLoss = await run(p(0.05, 0.3), STEPS, 13);
    expect(reportsLoss.sum('false_informant')).toBeGreaterThan(100);
    // Reports that cost nothing change no legitimacy (no score or list reads them here). In the
    // reference: the fast day samples arrests by skipping along the protesters with nothing else
    // recorded, so a report on a protester moves other protesters' draws (same distribution).
    const quiet = async (falseReportRate: number) =>
      (await run(p(falseReportRate, 0), STEPS, 13, sharedExecutor(), regimeReferenceModel)).series('legitimacy_mean');
    expect(await quiet(0.05)).toEqual(await quiet(0));
    expect(reportsLoss.last('legitimacy_mean')).toBeLessThan(none.last('legitimacy_mean') - 0.005);
  });
});

describe('perceived surveillance, learned (perception.ts)', () => {
  // Cameras everywhere (perceived) and police who identify half of what they see (not
  // perceived as surveillance): what residents learn of protest detection exceeds what they
  // were told, because police detections count too; without learning it stays as told.
  const p = (perception: Record<string, unknown>) =>
    scenario(
      merge(
        { behaviour: { initialLegitimacy: 0.6 } },
        {
          police: { identification: 0.5, visibility: 38, arrestsPerOfficerPerDay: 5 },
          cameras: { enabled: true, falseMatchRate: 0 },
          perception,
        },
      ),
      { agents: AGENTS, region: { camerasPerThousand: 100 } },
    );

  it('moves from the deployed rate toward the detections seen, and stays put without learning', async () => {
    const told = await run(p({ enabled: false }), STEPS, 15);
    const learned = await run(p({ enabled: true, priorWeight: 5, memory: 0.9, householdPerception: 0 }), STEPS, 15);
    const deployed = told.at('perceived_protest_detection', 0);
    expect(deployed).toBeGreaterThan(0.1);
    expect(told.last('perceived_protest_detection')).toBe(deployed);
    // The learned counts are stored as f32: the seed equals the deployed rate to single precision.
    expect(learned.at('perceived_protest_detection', 0)).toBeCloseTo(deployed, 6);
    expect(learned.last('perceived_protest_detection')).toBeGreaterThan(deployed + 0.05);
  });

  it('makes households that saw a detection fear more: more infractions deterred', async () => {
    const cell = await run(p({ enabled: true, householdPerception: 0 }), STEPS, 17);
    const household = await run(p({ enabled: true, householdPerception: 1, householdDays: 60 }), STEPS, 17);
    const deterredShare = (r: Run) =>
      r.sum('infractions_deterred') / (r.sum('infractions_deterred') + r.sum('infractions'));
    expect(deterredShare(household)).toBeGreaterThan(deterredShare(cell) + 0.01);
  });
});

describe('what people say and what they think (views.ts)', () => {
  const p = (falsification: number, camerasPerThousand: number) =>
    scenario(
      merge(
        { behaviour: { initialLegitimacy: 0.5, legitimacySpread: 0.3 } },
        { cameras: { enabled: camerasPerThousand > 0 }, views: { enabled: true, falsification, sampleEvery: 5 } },
      ),
      { agents: AGENTS, region: { camerasPerThousand } },
    );

  it('says support where it is not felt in proportion to perceived surveillance', async () => {
    const watched = await run(p(1, 200), 20, 19);
    const unwatched = await run(p(1, 0), 20, 19);
    const honest = await run(p(0, 200), 20, 19);
    const gap = (r: Run) => (r.sum('support_direct') - r.sum('support_private')) / r.sum('survey_sample');
    expect(watched.sum('survey_sample')).toBeGreaterThan(10_000);
    // Nothing perceived, nothing falsified; no falsification weight, none either.
    expect(gap(unwatched)).toBe(0);
    expect(gap(honest)).toBe(0);
    expect(gap(watched)).toBeGreaterThan(0.05);
  });
});

describe('censorship by kind of post (platform.ts)', () => {
  const p = (platform: Record<string, unknown>) =>
    scenario(
      merge(
        { behaviour: { initialLegitimacy: 0.6, criticismRate: 0.2 }, response: { chilling: 0 } },
        { platform: { enabled: true, detectionRate: 0.1, callDetectionRate: 0.9, ...platform } },
      ),
      { agents: AGENTS, region: { platformPenetration: 1 } },
    );

  it('deletes calls to collective action far more often than criticism, and a deleted post is not expressed', async () => {
    const r = await run(p({ callShare: 0.3, mobilization: 0 }), STEPS, 23);
    const calls = r.sum('calls_written');
    const callsDeleted = r.sum('calls_deleted');
    const criticism = r.sum('posts_expressed') + r.sum('posts_deleted') - calls;
    const criticismDeleted = r.sum('posts_deleted') - callsDeleted;
    expect(calls).toBeGreaterThan(500);
    expect(consistentWithRate(callsDeleted, calls, 0.9)).toBe(true);
    expect(consistentWithRate(criticismDeleted, criticism, 0.1)).toBe(true);
    // Every written post is either expressed or deleted; none is both.
    expect(r.sum('posts_expressed') + r.sum('posts_deleted')).toBe(
      r.sum('posts_desired') - r.sum('reregistration_blocked'),
    );
  });

  it('feeds protest through calls that reach their readers, so that deleting them matters', async () => {
    const quiet = await run(p({ callShare: 0.3, mobilization: 0 }), STEPS, 25);
    const mobilizing = await run(p({ callShare: 0.3, mobilization: 20 }), STEPS, 25);
    const unchecked = await run(p({ callShare: 0.3, mobilization: 20, callDetectionRate: 0 }), STEPS, 25);
    expect(mobilizing.sum('would_act')).toBeGreaterThan(quiet.sum('would_act'));
    expect(unchecked.sum('would_act')).toBeGreaterThan(mobilizing.sum('would_act'));
  });
});

describe('policing that feeds on its own detections (patrols.ts)', () => {
  // Ten cells per region of residents alike in every respect: any lasting difference in
  // patrols between cells is the feedback's, not behaviour's.
  const p = (patrols: Record<string, unknown>) =>
    scenario(
      merge(
        { behaviour: { initialLegitimacy: 0.55 } },
        { police: { identification: 0.5, visibility: 10, arrestsPerOfficerPerDay: 0.5 }, patrols },
      ),
      { agents: 20_000, region: { policePer100k: 300 } },
    );
  const spread = (r: Run): number => {
    const s = r.columns.cellPatrol as Float32Array;
    return Math.max(...s) / Math.min(...s);
  };

  it('concentrates patrols beyond what protest warrants, and the correction undoes most of it', async () => {
    const runaway = await run(p({ enabled: true, memory: 0.99, prior: 1 }), 120, 27);
    const corrected = await run(p({ enabled: true, memory: 0.99, prior: 1, correction: true }), 120, 27);
    const misallocation = (r: Run) => r.last('patrol_misallocation', 'region=north');
    expect(runaway.sum('active')).toBeGreaterThan(5_000);
    // Some misallocation remains with the correction: protest itself is noisy across cells.
    expect(misallocation(corrected)).toBeLessThan(0.5 * misallocation(runaway));
    expect(spread(runaway)).toBeGreaterThan(spread(corrected));
  });

  it('does nothing when off: patrols uniform, no misallocation measured', async () => {
    const off = await run(p({ enabled: false }), 20, 27);
    expect(off.columns.cellPatrol).toBeUndefined();
    expect(Number.isNaN(off.last('patrol_misallocation', 'region=north'))).toBe(true);
  });
});

describe('precision and recall of pre-emptive detention, by group (predictive.ts)', () => {
  it('are the cumulative ratios of the pre-emptive metrics', async () => {
    const r = await run(
      scenario(
        merge(
          { behaviour: { initialLegitimacy: 0.5 } },
          { predictive: { enabled: true, bias: 0.3, capacityPer100k: 200, detentionDays: 10 } },
        ),
        {
          agents: AGENTS,
          groups: [
            { name: 'majority', share: 0.7 },
            { name: 'minority', share: 0.3, targeted: true },
          ],
        },
      ),
      STEPS,
      29,
    );
    for (const g of ['group=majority', 'group=minority']) {
      const detained = r.sum('detentions_preemptive', g);
      const hits = r.sum('preemptive_true', g);
      // Undefined until the group has had a pre-emptive detention.
      if (detained === 0) expect(Number.isNaN(r.last('preemptive_precision', g))).toBe(true);
      else expect(r.last('preemptive_precision', g)).toBeCloseTo(hits / detained, 12);
      expect(r.last('preemptive_recall', g)).toBeCloseTo(hits / r.sum('would_act', g), 12);
    }
    // The bias fills the capacity with the targeted group: it bears the detentions, and the
    // other group's would-be protesters go uncaught.
    expect(r.sum('detentions_preemptive', 'group=minority')).toBeGreaterThan(100);
    expect(r.last('preemptive_recall', 'group=minority')).toBeGreaterThan(
      r.last('preemptive_recall', 'group=majority'),
    );
  });
});
