/**
 * The regime model's core (issue "an answer that comes out of the model"): the defects it
 * fixed, each with a check that fails on the old rule, and the response channels, each
 * acting in its stated direction and doing nothing where it has nothing to act on.
 * Comparisons are between runs that differ in one parameter, on the same seed (fixed), from
 * the small two-region population of regime-helpers.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { perceivedArrestRisk } from '../src/models/regime/behaviour.js';
import { CellChannels } from '../src/models/regime/channels.js';
import type { ShardContext } from '../src/engine/model.js';
import { regimeParams, type RegimeParams } from '../src/models/regime/index.js';
import { REFERENCE_DETENTION_DAYS } from '../src/models/regime/response.js';
import { models } from '../src/models/registry.js';
import { loadPreset } from '../src/scenario/load.js';
import { closeSharedExecutor, merge, run, scenario, type Run } from './regime-helpers.js';

afterAll(closeSharedExecutor);

const AGENTS = 6_000;
const STEPS = 60;
const CALM = { behaviour: { initialLegitimacy: 1, legitimacySpread: 0 } };
/** Legitimacy low enough that many protest and are arrested every day. */
const RESTLESS = { behaviour: { initialLegitimacy: 0.6 }, police: { arrestsPerOfficerPerDay: 5 } };

describe('defects fixed', () => {
  it('counts as active every adult who protested today, arrested tonight or not', async () => {
    const r = await run(scenario({}, { agents: AGENTS }), 30, 3);
    let arrestDays = 0;
    for (let t = 1; t <= r.ticks; t++) {
      // No predictive policing: every adult whose rule says act protests.
      expect(r.at('active', t), `tick ${t}`).toBe(r.at('would_act', t));
      if (r.at('detentions_reactive', t) > 0) arrestDays++;
    }
    // Not vacuous: arrests happened (the old count dropped those arrested the same day).
    expect(arrestDays).toBeGreaterThan(10);
  });

  it('does not list again the day after a granted appeal: the listing’s entries are struck', async () => {
    // One recorded infraction (−30) puts a resident below the cut-off (980); every listing is
    // appealed at once and every appeal is granted a day later. Scores never restore, so a
    // resident can be listed again only after a new recorded infraction.
    const p = scenario(
      merge(CALM, {
        behaviour: { infractionRate: 0.01 },
        cameras: { enabled: true, coveragePerCamera: 1, recognitionAccuracy: 1, falseMatchRate: 0 },
        score: { enabled: true, infraction: -30, restorationPerDay: 0 },
        lists: { enabled: true, blacklistBelowScore: 980, blacklistOnJudgment: false },
        dueProcess: { enabled: true, appealRate: 1, appealDelayDays: 1, successRightful: 1, successWrongful: 1 },
        response: { deterrence: 0 },
      }),
      { agents: AGENTS, region: { camerasPerThousand: 1 } },
    );
    const r = await run(p, STEPS, 5);
    const recorded = r.sum('detected_camera');
    expect(r.sum('appeals_granted')).toBeGreaterThan(100);
    // The old rule relisted the same resident every other day: far more entries than records.
    expect(r.sum('blacklist_entries')).toBeLessThanOrEqual(recorded);
  });

  it('spills the family’s legitimacy loss only from a listing, not from an arrest', async () => {
    // Protest and arrests, no lists: family spillover has nothing to act on.
    const base = merge(RESTLESS, { lists: { enabled: false } });
    const off = await run(scenario(merge(base, { family: { enabled: false } }), { agents: AGENTS }), STEPS, 7);
    const on = await run(scenario(merge(base, { family: { enabled: true } }), { agents: AGENTS }), STEPS, 7);
    expect(off.sum('detentions_reactive')).toBeGreaterThan(100);
    expect(on.series('legitimacy_mean')).toEqual(off.series('legitimacy_mean'));
    expect(on.series('active')).toEqual(off.series('active'));
  });

  it('keeps the mean score at exactly the base when no score is in play', async () => {
    const r = await run(scenario({}, { agents: AGENTS }), 20, 3);
    for (let t = 0; t <= r.ticks; t++) {
      expect(r.at('score_mean', t)).toBe(1000);
      expect(r.at('score_mean', t, 'group=minority')).toBe(1000);
    }
  });

  it('gives gig work, and so observer roles, to both groups in high-intensity', async () => {
    const preset = loadPreset('high-intensity', { registry: models, overrides: { population: 20_000 } });
    const r = await run(regimeParams.parse(preset.params), 1, 1);
    expect(r.at('observers', 0, 'group=majority')).toBeGreaterThan(0);
    expect(r.at('observers', 0, 'group=minority')).toBeGreaterThan(0);
  });
});

describe('detection leaves room for surveillance', () => {
  const runs: Record<string, Run> = {};
  beforeAll(async () => {
    // Enough arrest capacity for every recorded protester: what is recorded is arrested.
    const p = (tracking: boolean, identification: number) =>
      scenario(
        {
          police: { identification, arrestsPerOfficerPerDay: 100 },
          tracking: { enabled: tracking },
        },
        { agents: AGENTS, region: { trackingCoverage: 1, policePer100k: 300 } },
      );
    runs.police = await run(p(false, 0.3), STEPS, 9);
    runs.tracking = await run(p(true, 0.3), STEPS, 9);
  });

  it('police record only some protesters: tracking adds detections and arrests', () => {
    const protests = runs.police.sum('active');
    expect(protests).toBeGreaterThan(500);
    // Police identify at most `identification` of the protesters they see.
    expect(runs.police.sum('detected_police')).toBeLessThanOrEqual(0.3 * protests);
    expect(runs.tracking.sum('detected_tracking')).toBeGreaterThan(0);
    // Arrests per protest-day: more with tracking (each arrest needs a record).
    const rate = (r: Run) => r.sum('detentions_reactive') / r.sum('active');
    expect(rate(runs.tracking)).toBeGreaterThan(1.5 * rate(runs.police));
  });
});

describe('the response channels', () => {
  const legitimacy = (r: Run, key = '') => r.last('legitimacy_mean', key);

  it('deters by certainty more than by severity: the net risk scales as (days / 15)^ε', () => {
    const p = (detentionDays: number, severityElasticity: number) =>
      scenario({ police: { detentionDays }, response: { severityElasticity } });
    const risk = (params: ReturnType<typeof p>) => {
      // A shard context with only what the channels read (no perception, no patrols).
      const ch = new CellChannels({ params, columns: {} } as unknown as ShardContext<RegimeParams>);
      ch.update(params.population.regions[0], 1000, 0, false, 0, 0, 10);
      return perceivedArrestRisk(params, ch, 10);
    };
    const base = risk(p(REFERENCE_DETENTION_DAYS, 0.1));
    expect(risk(p(60, 0.1)) / base).toBeCloseTo(4 ** 0.1, 12);
    expect(risk(p(60, 0))).toBe(risk(p(REFERENCE_DETENTION_DAYS, 0)));
  });

  it('costs legitimacy for wrongful sanctions seen, and nothing where there are none', async () => {
    const p = (falseMatchRate: number, wrongfulLoss: number) =>
      scenario(merge(RESTLESS, { cameras: { enabled: true, falseMatchRate }, response: { wrongfulLoss } }), {
        agents: AGENTS,
        region: { camerasPerThousand: 100 },
      });
    const none = await run(p(0, 0), STEPS, 11);
    const noneButLoss = await run(p(0, 0.005), STEPS, 11);
    expect(noneButLoss.series('legitimacy_mean')).toEqual(none.series('legitimacy_mean'));
    const wrongs = await run(p(0.03, 0), STEPS, 11);
    const wrongsAndLoss = await run(p(0.03, 0.005), STEPS, 11);
    expect(wrongs.sum('detentions_reactive_false')).toBeGreaterThan(20);
    expect(legitimacy(wrongsAndLoss)).toBeLessThan(legitimacy(wrongs) - 0.005);
  });

  it('costs legitimacy for visible sanctions only when they are seen', async () => {
    const p = (detentionsSeen: number, visibleLoss: number) =>
      scenario(merge(RESTLESS, { police: { detentionsSeen }, response: { visibleLoss } }), { agents: AGENTS });
    expect((await run(p(0, 0.0005), STEPS, 13)).series('legitimacy_mean')).toEqual(
      (await run(p(0, 0), STEPS, 13)).series('legitimacy_mean'),
    );
    const seen = await run(p(1, 0), STEPS, 13);
    const seenAndLoss = await run(p(1, 0.0005), STEPS, 13);
    expect(seen.sum('detentions_reactive')).toBeGreaterThan(100);
    expect(legitimacy(seenAndLoss)).toBeLessThan(legitimacy(seen) - 0.005);
  });

  it('costs the household of an arrested resident legitimacy (householdLoss)', async () => {
    const p = (householdLoss: number) => scenario(merge(RESTLESS, { response: { householdLoss } }), { agents: AGENTS });
    const without = await run(p(0), STEPS, 15);
    const withLoss = await run(p(0.2), STEPS, 15);
    expect(without.sum('detentions_reactive')).toBeGreaterThan(100);
    expect(legitimacy(withLoss)).toBeLessThan(legitimacy(without) - 0.002);
  });

  it('costs arrested protesters legitimacy when arrests are a lottery, not when every one is arrested', async () => {
    const p = (arrestProbability: number, arbitrarinessLoss: number) =>
      scenario(
        { police: { arrestProbability, arrestsPerOfficerPerDay: 100 }, response: { arbitrarinessLoss } },
        { agents: AGENTS },
      );
    // Arrest certain and capacity ample: nothing selective, the channel does nothing.
    expect((await run(p(1, 0.2), STEPS, 17)).series('legitimacy_mean')).toEqual(
      (await run(p(1, 0), STEPS, 17)).series('legitimacy_mean'),
    );
    const lottery = await run(p(0.3, 0), STEPS, 17);
    const lotteryLoss = await run(p(0.3, 0.2), STEPS, 17);
    expect(lottery.sum('detentions_reactive')).toBeGreaterThan(100);
    expect(legitimacy(lotteryLoss)).toBeLessThan(legitimacy(lottery));
  });

  it('pushes dissent silenced online toward protest (substitution), only where posts are silenced', async () => {
    const p = (platform: boolean, substitutionLoss: number) =>
      scenario(
        { platform: { enabled: platform, detectionRate: 1 }, response: { chilling: 1, substitutionLoss } },
        { agents: AGENTS, region: { platformPenetration: 1 } },
      );
    expect((await run(p(false, 0.1), STEPS, 19)).series('legitimacy_mean')).toEqual(
      (await run(p(false, 0), STEPS, 19)).series('legitimacy_mean'),
    );
    const censored = await run(p(true, 0), STEPS, 19);
    const substituting = await run(p(true, 0.1), STEPS, 19);
    expect(censored.sum('posts_desired') - censored.sum('posts_expressed')).toBeGreaterThan(100);
    expect(legitimacy(substituting)).toBeLessThan(legitimacy(censored));
    expect(substituting.sum('would_act')).toBeGreaterThan(censored.sum('would_act'));
  });

  it('lowers the legitimacy of a group harmed out of proportion (horizontal inequality)', async () => {
    // Biased predictive policing detains the targeted minority pre-emptively.
    const p = (groupLoss: number) =>
      scenario(
        { predictive: { enabled: true, bias: 2, capacityPer100k: 20, detentionDays: 60 }, response: { groupLoss } },
        {
          agents: AGENTS,
          groups: [
            { name: 'majority', share: 0.7 },
            { name: 'minority', share: 0.3, targeted: true },
          ],
        },
      );
    const without = await run(p(0), STEPS, 21);
    const withLoss = await run(p(0.0005), STEPS, 21);
    expect(without.last('group_excess_harm', 'group=minority')).toBeGreaterThan(5);
    expect(without.last('group_excess_harm', 'group=majority')).toBe(0);
    const gap = (r: Run) => legitimacy(r, 'group=majority') - legitimacy(r, 'group=minority');
    expect(gap(withLoss)).toBeGreaterThan(gap(without) + 0.02);
  });
});
