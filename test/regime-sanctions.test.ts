/**
 * Regime model: each enforcement, sanction and response mechanism measurably acts.
 * Scenarios differ in one parameter (fixed seeds, the small two-region population of
 * regime-helpers.ts). Many use a calm population (legitimacy 1 for everyone: grievance 0,
 * so nobody protests or posts and nobody is detained) so that a mechanism's counts can be
 * checked against its rule exactly or within exact binomial tails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F, householdEnd } from '../src/models/regime/layout.js';
import {
  FOUR_SIGMA,
  binomialTails,
  closeSharedExecutor,
  consistentWithRate,
  merge,
  run,
  scenario,
  type Run,
} from './regime-helpers.js';

const AGENTS = 5_000;

afterAll(closeSharedExecutor);
const STEPS = 60;
const CALM = { behaviour: { initialLegitimacy: 1, legitimacySpread: 0 } };
const calm = (modules: Record<string, unknown>) => merge(CALM, modules);
/**
 * Debtors: 2 % × hardship default a day; a recorded default becomes a court judgment
 * after 5 days and the judgment blacklists (lists.blacklistOnJudgment, default true).
 */
const DEBTORS = calm({
  behaviour: { defaultRate: 0.02 },
  records: { enabled: true, judgmentDelay: 5 },
  lists: { enabled: true },
});
const debtors = (modules: Record<string, unknown>) => merge(DEBTORS, modules);

/** Whether k is not above what Poisson(mean) allows at the 4-s.d.-equivalent level. */
function notAbovePoisson(k: number, mean: number): boolean {
  const n = 1e7;
  return binomialTails(k, n, mean / n).upper >= FOUR_SIGMA / 2;
}

describe('records and court judgments (records.ts)', () => {
  const runs: Record<string, Run> = {};
  beforeAll(async () => {
    const p = (records: boolean, removeOnPerformance: boolean) =>
      scenario(
        debtors({ behaviour: { repaymentRate: 0.05 }, records: { enabled: records }, lists: { removeOnPerformance } }),
        { agents: AGENTS },
      );
    runs.off = await run(p(false, true), STEPS, 21);
    runs.on = await run(p(true, true), STEPS, 21);
    runs.kept = await run(p(true, false), STEPS, 21);
  });

  it('blacklists by judgment only when records are on', () => {
    expect(runs.off.sum('defaults')).toBeGreaterThan(0);
    expect(runs.off.sum('detected_records')).toBe(0);
    expect(runs.off.sum('blacklist_entries')).toBe(0);
    expect(runs.on.sum('blacklist_entries')).toBeGreaterThan(0);
    // A default reaches the records with recordingRate 0.9.
    expect(consistentWithRate(runs.on.sum('detected_records'), runs.on.sum('defaults'), 0.9)).toBe(true);
  });

  it('turns a recorded default into a judgment judgmentDelay days later', () => {
    const first = (r: Run, m: string): number => r.series(m).findIndex((x) => x > 0) + 1;
    expect(first(runs.on, 'blacklist_entries')).toBeGreaterThanOrEqual(first(runs.on, 'detected_records') + 5);
  });

  it('removes a repaying defaulter from the list only with removeOnPerformance', () => {
    // durationDays (730) exceeds the run, so repayment is the only way off the list.
    expect(runs.on.sum('blacklist_exits')).toBeGreaterThan(0);
    expect(runs.kept.sum('blacklist_exits')).toBe(0);
    expect(runs.kept.last('blacklisted')).toBeGreaterThan(runs.on.last('blacklisted'));
  });
});

describe('a court judgment on someone already listed by score (enforcement.ts, lists.ts)', () => {
  let r: Run;
  // Every default is recorded (recordingRate 1) and judged the same day (judgmentDelay 0),
  // and nobody repays: at the end everyone in default has a court judgment. False informant
  // reports (−5 points, cut-off 1,000) list many residents wrongfully by score first.
  beforeAll(async () => {
    r = await run(
      scenario(
        calm({
          behaviour: { defaultRate: 0.01, repaymentRate: 0 },
          informants: { enabled: true, falseReportRate: 0.05 },
          score: { enabled: true },
          records: { enabled: true, recordingRate: 1, judgmentDelay: 0 },
          lists: { enabled: true, blacklistBelowScore: 1000, durationDays: 1000 },
        }),
        { agents: AGENTS, region: { informantsPerThousand: 30 } },
      ),
      STEPS,
      40,
    );
  });

  it('makes the listing a rightful defaulter listing (regression: the judgment used to be dropped)', () => {
    const flags = r.columns.flags as Uint16Array;
    let judged = 0;
    let notDefaulterListing = 0;
    let wrongful = 0;
    for (const f of flags) {
      if (!(f & F.IN_DEFAULT)) continue;
      judged++;
      if ((f & (F.BLACKLISTED | F.LIST_BY_JUDGMENT)) !== (F.BLACKLISTED | F.LIST_BY_JUDGMENT)) notDefaulterListing++;
      if (f & F.WRONGFUL_LISTING) wrongful++;
    }
    expect(judged).toBeGreaterThan(0);
    expect(r.sum('wrongful_listing_days')).toBeGreaterThan(0);
    expect(notDefaulterListing).toBe(0);
    expect(wrongful).toBe(0);
  });
});

describe('blacklist duration (lists.ts)', () => {
  const runs: Record<string, Run> = {};
  // No repayment, so each defaulter is judged once and stays in default: a listing ends
  // only when its durationDays run out.
  const p = (durationDays: number) =>
    scenario(debtors({ behaviour: { repaymentRate: 0 }, records: { judgmentDelay: 0 }, lists: { durationDays } }), {
      agents: AGENTS,
    });
  beforeAll(async () => {
    runs.short = await run(p(10), STEPS, 22);
    runs.long = await run(p(1000), STEPS, 22);
  });

  it('keeps each listing exactly durationDays: the stock is the last D days of entries', () => {
    for (const [r, D] of [
      [runs.short, 10],
      [runs.long, 1000],
    ] as const) {
      const entries = r.series('blacklist_entries');
      for (let t = 1; t <= r.ticks; t++) {
        const window = entries.slice(Math.max(0, t - D), t).reduce((a, b) => a + b, 0);
        expect(r.at('blacklisted', t), `D=${D} tick ${t}`).toBe(window);
      }
    }
    expect(runs.short.sum('blacklist_exits')).toBeGreaterThan(0);
    expect(runs.long.sum('blacklist_exits')).toBe(0);
  });
});

describe('joint punishment (sanctions.ts)', () => {
  const runs: Record<string, Run> = {};
  // welfareLoss 0: blocked attempts do not feed back into hardship, so the listed
  // population is the same in every run and only the attempts differ.
  const p = (enabled: boolean, flightAttemptRate: number) =>
    scenario(debtors({ sanctions: { enabled, flightAttemptRate, welfareLoss: 0 } }), { agents: AGENTS });
  beforeAll(async () => {
    runs.off = await run(p(false, 0.002), STEPS, 23);
    runs.on = await run(p(true, 0.002), STEPS, 23);
    runs.fly = await run(p(true, 0.02), STEPS, 23);
  });

  const types = [
    ['flight', 'flightAttemptRate'],
    ['train', 'trainAttemptRate'],
    ['hotel', 'hotelAttemptRate'],
    ['property', 'propertyAttemptRate'],
    ['job', 'jobAttemptRate'],
  ] as const;

  it('blocks nothing with sanctions off', () => {
    expect(runs.off.sum('blacklisted')).toBeGreaterThan(0);
    for (const [t] of types) expect(runs.off.sum(`blocked_${t}`), t).toBe(0);
    expect(runs.off.sum('blocked_schooling')).toBe(0);
  });

  it('blocks each listed adult’s attempts at the attempt rate (listed person-days × rate)', () => {
    // Nobody is detained in a calm population, and only adults are listed, so every listed
    // person-day is one chance per sanction type.
    expect(runs.on.sum('detained')).toBe(0);
    expect(runs.on.series('blacklisted')).toEqual(runs.off.series('blacklisted'));
    for (const r of [runs.on, runs.fly]) {
      const exposure = r.sum('blacklisted');
      for (const [t, rate] of types) {
        expect(r.sum(`blocked_${t}`), t).toBeGreaterThan(0);
        expect(consistentWithRate(r.sum(`blocked_${t}`), exposure, r.params.sanctions[rate]), t).toBe(true);
      }
    }
  });

  it('scales with the attempt rate: 10× the flight attempts, ~10× the flights blocked', () => {
    // Same draws, so a tenfold rate can only add blocked flights, and nothing else changes.
    expect(runs.fly.sum('blocked_flight')).toBeGreaterThan(runs.on.sum('blocked_flight'));
    for (let t = 0; t < runs.on.ticks; t++)
      expect(runs.fly.series('blocked_flight')[t]).toBeGreaterThanOrEqual(runs.on.series('blocked_flight')[t]);
    expect(runs.fly.series('blocked_train')).toEqual(runs.on.series('blocked_train'));
  });
});

describe('family spillover (family.ts)', () => {
  const runs: Record<string, Run> = {};
  const p = (lists: boolean, family: boolean, childrenBarred = true) =>
    scenario(
      debtors({
        lists: { enabled: lists },
        family: { enabled: family, childrenBarred },
        sanctions: { enabled: true, schoolingAttemptRate: 0.01 },
      }),
      { agents: AGENTS },
    );
  beforeAll(async () => {
    runs.noLists = await run(p(false, true), STEPS, 24);
    runs.on = await run(p(true, true), STEPS, 24);
    runs.noFamily = await run(p(true, false), STEPS, 24);
    runs.noBar = await run(p(true, true, false), STEPS, 24);
  });

  it('reaches nobody when nobody is listed', () => {
    for (const m of ['family_affected', 'children_barred', 'blocked_schooling']) expect(runs.noLists.sum(m), m).toBe(0);
  });

  it('reaches household members of a listed parent, and bars their children from schools', () => {
    for (const m of ['family_affected', 'children_barred', 'blocked_schooling'])
      expect(runs.on.sum(m), m).toBeGreaterThan(0);
    // A barred child applies with schoolingAttemptRate each day and is blocked.
    expect(consistentWithRate(runs.on.sum('blocked_schooling'), runs.on.sum('children_barred'), 0.01)).toBe(true);
    // Recount from the final state: non-listed members of households with a listed adult.
    const flags = runs.on.columns.flags as Uint16Array;
    let affected = 0;
    let children = 0;
    for (let h = 0; h < flags.length;) {
      const next = householdEnd(flags, h, flags.length);
      const size = next - h;
      let listedAdult = false;
      for (let j = h; j < h + size; j++)
        if ((flags[j] & (F.BLACKLISTED | F.CHILD)) === F.BLACKLISTED) listedAdult = true;
      if (listedAdult) {
        for (let j = h; j < h + size; j++) {
          if (flags[j] & F.BLACKLISTED) continue;
          affected++;
          if (flags[j] & F.CHILD) children++;
        }
      }
      h += size;
    }
    expect(runs.on.last('family_affected')).toBe(affected);
    expect(runs.on.last('children_barred')).toBe(children);
  });

  it('needs the family module, and childrenBarred for the school bans', () => {
    expect(runs.noFamily.sum('blacklisted')).toBeGreaterThan(0);
    for (const m of ['family_affected', 'children_barred', 'blocked_schooling'])
      expect(runs.noFamily.sum(m), m).toBe(0);
    expect(runs.noBar.sum('family_affected')).toBeGreaterThan(0);
    expect(runs.noBar.sum('children_barred')).toBe(0);
    expect(runs.noBar.sum('blocked_schooling')).toBe(0);
  });

  it('costs the household legitimacy when one of them is sanctioned', () => {
    // householdLegitimacyLoss (0.02) for every other member on the day of a listing.
    expect(runs.on.last('legitimacy_mean')).toBeLessThan(runs.noFamily.last('legitimacy_mean'));
  });
});

describe('informant abuse: extortion (abuse.ts)', () => {
  const runs: Record<string, Run> = {};
  // No false reports of the ordinary kind: every malicious report is an extortion reprisal.
  const p = (informantsPerThousand: number, extortionRate: number) =>
    scenario(calm({ informants: { enabled: true, falseReportRate: 0 }, abuse: { enabled: true, extortionRate } }), {
      agents: AGENTS,
      region: { informantsPerThousand },
    });
  beforeAll(async () => {
    runs.none = await run(p(0, 0.01), STEPS, 25);
    runs.few = await run(p(10, 0.01), STEPS, 25);
    runs.many = await run(p(40, 0.01), STEPS, 25);
    runs.greedy = await run(p(10, 0.04), STEPS, 25);
  });

  it('is exactly zero without informants', () => {
    for (const m of ['extortion_demands', 'extortion_paid', 'reports_malicious', 'false_informant'])
      expect(runs.none.sum(m), m).toBe(0);
  });

  it('grows with informant density and with the extortion rate', () => {
    expect(runs.many.sum('extortion_demands')).toBeGreaterThan(runs.few.sum('extortion_demands'));
    expect(runs.greedy.sum('extortion_demands')).toBeGreaterThan(runs.few.sum('extortion_demands'));
    // Each informant-day: a demand with extortionRate, if the random neighbour drawn is an
    // adult other than the informant (≈ the adult share of residents).
    for (const r of [runs.few, runs.many, runs.greedy]) {
      const adultShare = r.at('adults', 0) / r.at('population', 0);
      const informantDays = r.sum('informants');
      expect(
        consistentWithRate(r.sum('extortion_demands'), informantDays, r.params.abuse.extortionRate * adultShare),
      ).toBe(true);
    }
  });

  it('is paid with payShare, and a refusal is reported maliciously', () => {
    for (const r of [runs.few, runs.many, runs.greedy]) {
      expect(consistentWithRate(r.sum('extortion_paid'), r.sum('extortion_demands'), 0.6)).toBe(true);
      expect(r.sum('reports_malicious')).toBe(r.sum('extortion_demands') - r.sum('extortion_paid'));
    }
  });
});

describe('due process: appeals (dueprocess.ts)', () => {
  const runs: Record<string, Run> = {};
  // False informant reports cost 5 points; a score below 1,000 blacklists, so a false report
  // alone makes a wrongful listing (lists.ts: the score without false points would not
  // have crossed the cut-off).
  const p = (dueProcess: Record<string, unknown>) =>
    scenario(
      calm({
        informants: { enabled: true, falseReportRate: 0.05 },
        score: { enabled: true },
        lists: { enabled: true, blacklistBelowScore: 1000 },
        dueProcess: { appealRate: 0.05, appealDelayDays: 5, ...dueProcess },
      }),
      { agents: AGENTS, region: { informantsPerThousand: 30 } },
    );
  beforeAll(async () => {
    runs.off = await run(p({ enabled: false, successWrongful: 1, successRightful: 0 }), STEPS, 26);
    runs.on = await run(p({ enabled: true, successWrongful: 1, successRightful: 0 }), STEPS, 26);
    runs.futile = await run(p({ enabled: true, successWrongful: 0, successRightful: 0 }), STEPS, 26);
  });

  it('shortens wrongful listing when appeals against wrongful listings succeed', () => {
    expect(runs.off.sum('wrongful_listing_days')).toBeGreaterThan(0);
    expect(runs.off.sum('appeals_filed')).toBe(0);
    expect(runs.on.sum('appeals_granted')).toBeGreaterThan(0);
    expect(runs.on.sum('wrongful_listing_days')).toBeLessThan(runs.off.sum('wrongful_listing_days'));
    // Granted appeals restore the points lost to false attributions.
    expect(runs.on.last('score_mean')).toBeGreaterThan(runs.off.last('score_mean'));
  });

  it('changes nothing when appeals never succeed', () => {
    expect(runs.futile.sum('appeals_filed')).toBeGreaterThan(0);
    expect(runs.futile.sum('appeals_granted')).toBe(0);
    expect(runs.futile.series('wrongful_listing_days')).toEqual(runs.off.series('wrongful_listing_days'));
    expect(runs.futile.series('blacklisted')).toEqual(runs.off.series('blacklisted'));
  });
});

describe('credit score (score.ts)', () => {
  const runs: Record<string, Run> = {};
  // Cameras (coverage 0.8, no false matches) record infractions; civic contributions are
  // always recorded. Calm: no protests, posts or recorded defaults.
  const p = (score: Record<string, unknown>) =>
    scenario(calm({ cameras: { enabled: true, falseMatchRate: 0 }, score: { restorationPerDay: 0, ...score } }), {
      agents: AGENTS,
      region: { camerasPerThousand: 200 },
    });
  beforeAll(async () => {
    runs.off = await run(p({ enabled: false, infraction: -5 }), STEPS, 27);
    runs.mild = await run(p({ enabled: true, infraction: -5 }), STEPS, 27);
    runs.harsh = await run(p({ enabled: true, infraction: -50 }), STEPS, 27);
    runs.restored = await run(p({ enabled: true, infraction: -50, restorationPerDay: 5 }), STEPS, 27);
  });

  it('stays at base when the score is off', () => {
    // (A mean of thousands of equal values summed in floating point: equal to ~1e-9.)
    for (let t = 0; t <= runs.off.ticks; t++) expect(runs.off.at('score_mean', t)).toBeCloseTo(1000, 9);
  });

  it('moves by the rule table: base + points × recorded events', () => {
    for (const r of [runs.mild, runs.harsh]) {
      const N = r.at('adults', 0); // the score is averaged over adults
      // Each detected infraction is one camera detection (cameras are the only channel).
      const expected =
        1000 + (r.params.score.infraction * r.sum('detected_camera') + r.params.score.civic * r.sum('civic')) / N;
      expect(r.last('score_mean')).toBeCloseTo(expected, 6);
    }
  });

  it('falls with harsher points and recovers with restoration', () => {
    expect(runs.harsh.last('score_mean')).toBeLessThan(runs.mild.last('score_mean'));
    expect(runs.restored.last('score_mean')).toBeGreaterThan(runs.harsh.last('score_mean'));
    // Restoration of 5 a day undoes a −50 infraction within 10 days: only the last 10
    // days' infractions can still weigh on the score.
    const recent = runs.restored
      .series('detected_camera')
      .slice(-10)
      .reduce((a, b) => a + b, 0);
    expect(runs.restored.last('score_mean')).toBeGreaterThanOrEqual(
      1000 - (50 * recent) / runs.restored.at('adults', 0),
    );
  });
});

describe('party service centres and propaganda (propaganda.ts)', () => {
  const runs: Record<string, Run> = {};
  // Response off, so legitimacy moves only by the centres' daily gain (response.ts returns
  // centreGain alone): with every cell covered each resident gains 0.0005 a day, stored
  // in 1/65,535ths by the reference, i.e. round(0.0005 × 65,535) = 33 units a day; the fast
  // day stores 3/65,535ths (fast/lazy.ts) and rounds to 11 of them, the same 33. (With response on,
  // the centres' contact surveillance also adds detections and hence visible detentions,
  // whose repression loss can outweigh the gain; this test isolates the gain.)
  const p = (serviceCentreCoverage: number) =>
    scenario(
      { propaganda: { enabled: true }, response: { enabled: false } },
      { agents: AGENTS, region: { serviceCentreCoverage } },
    );
  beforeAll(async () => {
    runs.none = await run(p(0), STEPS, 28);
    runs.all = await run(p(1), STEPS, 28);
  });

  it('raises legitimacy by the daily gain where there are centres', () => {
    expect(runs.all.at('legitimacy_mean', 0)).toBe(runs.none.at('legitimacy_mean', 0));
    // The fast day re-codes the synthesized legitimacy once, before day 1, on its grid of
    // 3/65,535 (fast/lazy.ts): the mean moves by less than half a step, then stays.
    const L0 = runs.none.at('legitimacy_mean', 1);
    expect(Math.abs(L0 - runs.none.at('legitimacy_mean', 0))).toBeLessThan(1.5 / 65535);
    for (let t = 1; t <= STEPS; t++) {
      expect(runs.none.at('legitimacy_mean', t)).toBeCloseTo(L0, 9);
      // Initial legitimacy ≤ 0.9 and 60 × 0.0005 = 0.03: no one reaches the cap of 1.
      expect(runs.all.at('legitimacy_mean', t)).toBeCloseTo(L0 + (t * 33) / 65535, 9);
    }
  });

  it('adds contact surveillance where there are centres', () => {
    expect(runs.none.sum('detected_centre')).toBe(0);
    expect(
      consistentWithRate(
        runs.all.sum('detected_centre'),
        runs.all.sum('would_act') + runs.all.sum('infractions'),
        0.02,
      ),
    ).toBe(true);
  });
});

describe('response: injustice and deterrence (response.ts)', () => {
  const runs: Record<string, Run> = {};
  // Any recorded infraction (−5) blacklists (score < 1,000); a listing caused by a false
  // match is wrongful, and the wronged resident loses injusticeLoss of legitimacy.
  const unjust = (falseMatchRate: number, injusticeLoss: number) =>
    scenario(
      calm({
        cameras: { enabled: true, falseMatchRate },
        score: { enabled: true },
        lists: { enabled: true, blacklistBelowScore: 1000 },
        response: { injusticeLoss },
      }),
      { agents: AGENTS, region: { camerasPerThousand: 200 } },
    );
  const deter = (deterrence: number) =>
    scenario(calm({ cameras: { enabled: true, falseMatchRate: 0 }, response: { deterrence } }), {
      agents: AGENTS,
      region: { camerasPerThousand: 200 },
    });
  beforeAll(async () => {
    runs.fmrMild = await run(unjust(0.005, 0), STEPS, 29);
    runs.fmrHarsh = await run(unjust(0.005, 0.1), STEPS, 29);
    runs.exactMild = await run(unjust(0, 0), STEPS, 29);
    runs.exactHarsh = await run(unjust(0, 0.1), STEPS, 29);
    runs.undeterred = await run(deter(0), STEPS, 30);
    runs.deterred = await run(deter(0.8), STEPS, 30);
  });

  it('lowers legitimacy with injusticeLoss when false matches happen, and not otherwise', () => {
    expect(runs.fmrHarsh.sum('wrongful_listing_days')).toBeGreaterThan(0);
    expect(runs.fmrHarsh.last('legitimacy_mean')).toBeLessThan(runs.fmrMild.last('legitimacy_mean'));
    // Without false matches nobody is wronged, so injusticeLoss has nothing to act on.
    expect(runs.exactHarsh.sum('wrongful_listing_days')).toBe(0);
    expect(runs.exactHarsh.sum('blacklist_entries')).toBeGreaterThan(0);
    expect(runs.exactHarsh.series('legitimacy_mean')).toEqual(runs.exactMild.series('legitimacy_mean'));
  });

  it('deters infractions in proportion to perceived detection', () => {
    expect(runs.undeterred.sum('infractions_deterred')).toBe(0);
    expect(runs.deterred.sum('infractions')).toBeLessThan(runs.undeterred.sum('infractions'));
    // An intended infraction is dropped with deterrence × offline detection, and offline
    // detection here is the camera's: coverage 0.8 × accuracy 0.9.
    const attempts = runs.deterred.sum('infractions') + runs.deterred.sum('infractions_deterred');
    expect(consistentWithRate(runs.deterred.sum('infractions_deterred'), attempts, 0.8 * 0.8 * 0.9)).toBe(true);
  });
});

describe('police capacity limits reactive detentions (police.ts)', () => {
  const runs: Record<string, Run> = {};
  // The default population protests heavily (low cop density), so detections outrun a
  // region's daily arrest capacity: officers × arrestsPerOfficerPerDay.
  const p = (arrestsPerOfficerPerDay: number) => scenario({ police: { arrestsPerOfficerPerDay } }, { agents: AGENTS });
  beforeAll(async () => {
    runs.scarce = await run(p(0.2), STEPS, 31);
    runs.ample = await run(p(20), STEPS, 31);
  });

  it('arrests at most arrestProbability × capacity a day in expectation', () => {
    const r = runs.scarce;
    for (const [k, region] of ['north', 'south'].entries()) {
      const key = `region=${region}`;
      const capacity = ((150 * r.layout.regionAgents[k]) / 100_000) * 0.2;
      // Detected protesters (police is the only channel) far exceed capacity.
      expect(r.sum('detected_police', key)).toBeGreaterThan(4 * capacity * STEPS);
      // Arrests are independent draws with total mean ≤ 0.5 × capacity a day: their sum
      // is no more spread upward than a Poisson count of that mean.
      expect(notAbovePoisson(r.sum('detentions_reactive', key), 0.5 * capacity * STEPS)).toBe(true);
    }
  });

  it('arrests half of the detected protesters when capacity is ample', () => {
    expect(runs.ample.sum('detentions_reactive')).toBeGreaterThan(runs.scarce.sum('detentions_reactive'));
    expect(consistentWithRate(runs.ample.sum('detentions_reactive'), runs.ample.sum('detected_police'), 0.5)).toBe(
      true,
    );
  });
});
