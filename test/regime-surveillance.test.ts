/**
 * Regime model: each surveillance mechanism measurably acts. Every comparison is between
 * scenarios that differ in one parameter, from the small two-region population of
 * regime-helpers.ts (5,000 agents unless stated, fixed seeds). Expected rates come from
 * the model's rules (cited file by file) and are checked with 4-s.d. binomial bands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F, STRIKE_SHIFT } from '../src/models/regime/layout.js';
import { closeSharedExecutor, consistentWithRate, run, scenario, type Run } from './regime-helpers.js';

/** Resident i's platform strikes: the high nibble of its group byte (layout.ts), 15 at most. */
function strikes(r: Run, i: number): number {
  return (r.columns.group as Uint8Array)[i] >> STRIKE_SHIFT;
}

const AGENTS = 5_000;

afterAll(closeSharedExecutor);
const STEPS = 60;
const groupKeys = ['group=majority', 'group=minority'] as const;

/** Public acts committed (protests + infractions): every one gets one draw per channel (detection.ts). */
function publicActs(r: Run, key = ''): number {
  // Without predictive policing every adult whose rule says act does protest.
  return r.sum('would_act', key) + r.sum('infractions', key);
}

/**
 * Person-days on which an adult could be falsely matched or reported: not detained at the
 * start of the day (yesterday's stock) and not acting today. Protest and infraction on
 * the same day are rare (rate 0.002), so subtracting both slightly understates exposure.
 */
function innocentAdultDays(r: Run, key = ''): number {
  let n = 0;
  for (let t = 1; t <= r.ticks; t++) {
    n +=
      r.at('adults', t - 1, key) -
      r.at('detained', t - 1, key) -
      r.at('would_act', t, key) -
      r.at('infractions', t, key);
  }
  return n;
}

describe('cameras and face recognition (cameras.ts, detection.ts)', () => {
  const runs: Record<string, Run> = {};
  const cams = (camerasPerThousand: number, falseMatchRate: number) =>
    scenario(
      { cameras: { enabled: true, falseMatchRate } },
      {
        agents: AGENTS,
        region: { camerasPerThousand },
        // The minority's false-match rate is 5× the majority's (group-dependent error).
        groups: [
          { name: 'majority', share: 0.8 },
          { name: 'minority', share: 0.2, recognitionErrorMultiplier: 5 },
        ],
      },
    );
  beforeAll(async () => {
    runs.few = await run(cams(20, 0.002), STEPS, 3);
    runs.many = await run(cams(200, 0.002), STEPS, 3);
    runs.exact = await run(cams(200, 0), STEPS, 3);
    runs.sloppy = await run(cams(200, 0.02), STEPS, 3);
  });

  it('detects more public acts with more cameras, at coverage × accuracy per act', () => {
    expect(runs.many.sum('detected_camera')).toBeGreaterThan(runs.few.sum('detected_camera'));
    // coverage = min(1, cameras per 1,000 × 0.004) → 0.08 and 0.8; × accuracy 0.9.
    for (const [r, coverage] of [
      [runs.few, 0.08],
      [runs.many, 0.8],
    ] as const) {
      expect(consistentWithRate(r.sum('detected_camera'), publicActs(r), coverage * 0.9)).toBe(true);
    }
  });

  it('has no false matches at falseMatchRate 0 and more as it rises', () => {
    expect(runs.exact.sum('false_camera')).toBe(0);
    expect(runs.exact.sum('detentions_reactive_false')).toBe(0);
    expect(runs.many.sum('false_camera')).toBeGreaterThan(0);
    expect(runs.sloppy.sum('false_camera')).toBeGreaterThan(runs.many.sum('false_camera'));
    expect(runs.many.sum('false_camera')).toBeGreaterThan(runs.few.sum('false_camera'));
  });

  it('falsely matches each innocent adult-day at coverage × rate × the group multiplier', () => {
    // cameras.ts: p = coverage × falseMatchRate × recognitionErrorMultiplier.
    for (const [r, coverage, rate] of [
      [runs.many, 0.8, 0.002],
      [runs.sloppy, 0.8, 0.02],
      [runs.few, 0.08, 0.002],
    ] as const) {
      expect(
        consistentWithRate(
          r.sum('false_camera', 'group=majority'),
          innocentAdultDays(r, 'group=majority'),
          coverage * rate,
        ),
      ).toBe(true);
      expect(
        consistentWithRate(
          r.sum('false_camera', 'group=minority'),
          innocentAdultDays(r, 'group=minority'),
          coverage * rate * 5,
        ),
      ).toBe(true);
    }
    // The disparity metric shows it: cumulative false matches per member, minority ÷ majority ≈ 5.
    const ratio = runs.sloppy.last('disparity_false_camera', 'group=minority');
    const k0 = runs.sloppy.sum('false_camera', 'group=majority');
    const k1 = runs.sloppy.sum('false_camera', 'group=minority');
    // log-ratio s.d. ≈ √(1/k0 + 1/k1) (Poisson counts); 4 s.d.
    expect(Math.abs(Math.log(ratio / 5))).toBeLessThan(4 * Math.sqrt(1 / k0 + 1 / k1) + 0.05);
  });
});

describe('grid management and gig-worker observers (grid.ts)', () => {
  const runs: Record<string, Run> = {};
  const grid = (enabled: boolean, gigRecruitmentRate: number) =>
    scenario(
      { grid: { enabled, gigRecruitmentRate } },
      {
        agents: AGENTS,
        region: { gridWorkersPerCell: 5 },
        groups: [
          { name: 'majority', share: 0.8, gigWorkerShare: 0.2 },
          { name: 'minority', share: 0.2, gigWorkerShare: 0.2 },
        ],
      },
    );
  beforeAll(async () => {
    runs.off = await run(grid(false, 0.5), STEPS, 4);
    runs.workers = await run(grid(true, 0), STEPS, 4);
    runs.observers = await run(grid(true, 0.5), STEPS, 4);
  });

  it('detects nothing through grid workers or observers when the module is off', () => {
    expect(runs.off.sum('detected_grid')).toBe(0);
    expect(runs.off.sum('detected_observer')).toBe(0);
    expect(runs.off.last('observers')).toBe(0);
  });

  it('grid workers detect each act with 1 − (1 − 0.05)^5', () => {
    const p = 1 - 0.95 ** 5;
    for (const r of [runs.workers, runs.observers]) {
      expect(r.sum('detected_grid')).toBeGreaterThan(0);
      expect(consistentWithRate(r.sum('detected_grid'), publicActs(r), p)).toBe(true);
    }
  });

  it('recruits gig workers as observers only when the recruitment rate is > 0, and they detect acts', () => {
    expect(runs.workers.last('observers')).toBe(0);
    expect(runs.workers.sum('detected_observer')).toBe(0);
    const adults = runs.observers.at('adults', 0);
    // An adult is a gig worker with 0.2 and recruited with 0.5.
    expect(consistentWithRate(runs.observers.last('observers'), adults, 0.1)).toBe(true);
    // Each region's observers cover cellsPerObserver = 5 cells: per cell, observers × 5 ÷ cells,
    // each noticing an act with 0.005.
    const { cellRegion } = runs.observers.layout;
    for (const [r, name] of ['north', 'south'].entries()) {
      const key = `region=${name}`;
      const cells = cellRegion.filter((x) => x === r).length;
      const perCell = (runs.observers.last('observers', key) * 5) / cells;
      const p = 1 - (1 - 0.005) ** perCell;
      expect(runs.observers.sum('detected_observer', key)).toBeGreaterThan(0);
      expect(consistentWithRate(runs.observers.sum('detected_observer', key), publicActs(runs.observers, key), p)).toBe(
        true,
      );
    }
  });
});

describe('informants and tip-off lines (informants.ts)', () => {
  const runs: Record<string, Run> = {};
  const inf = (falseReportRate: number, maliciousShare: number) =>
    scenario(
      { informants: { enabled: true, falseReportRate, maliciousShare } },
      { agents: AGENTS, region: { informantsPerThousand: 50 } },
    );
  beforeAll(async () => {
    runs.none = await run(inf(0, 0.3), STEPS, 6);
    runs.low = await run(inf(0.005, 0.3), STEPS, 6);
    runs.high = await run(inf(0.02, 0.3), STEPS, 6);
    runs.spiteful = await run(inf(0.02, 0.7), STEPS, 6);
    runs.honest = await run(inf(0.02, 0), STEPS, 6);
  });

  it('report real acts they witness (reports_true = detected_informant > 0)', () => {
    expect(runs.none.sum('reports_true')).toBeGreaterThan(0);
    expect(runs.none.series('reports_true')).toEqual(runs.none.series('detected_informant'));
    // Each informant in the cell witnesses and reports an act with 0.02 × 0.2.
    expect(runs.none.last('informants')).toBeGreaterThan(0);
  });

  it('file no false reports at falseReportRate 0 and more as the rate rises', () => {
    for (const m of ['reports_false', 'reports_malicious', 'false_informant']) expect(runs.none.sum(m), m).toBe(0);
    expect(runs.low.sum('false_informant')).toBeGreaterThan(0);
    expect(runs.high.sum('false_informant')).toBeGreaterThan(runs.low.sum('false_informant'));
    // Every false report is either mistaken or malicious (abuse is off).
    for (const r of [runs.low, runs.high, runs.spiteful, runs.honest]) {
      expect(r.sum('reports_false') + r.sum('reports_malicious')).toBe(r.sum('false_informant'));
    }
  });

  it('label a maliciousShare of false reports malicious, and nothing else changes', () => {
    expect(runs.honest.sum('reports_malicious')).toBe(0);
    for (const [r, share] of [
      [runs.high, 0.3],
      [runs.spiteful, 0.7],
    ] as const) {
      expect(consistentWithRate(r.sum('reports_malicious'), r.sum('false_informant'), share)).toBe(true);
    }
    // The malicious draw comes after the target is chosen and only relabels the report, so
    // the runs are otherwise identical (same seed).
    expect(runs.spiteful.series('false_informant')).toEqual(runs.high.series('false_informant'));
    expect(runs.spiteful.series('active')).toEqual(runs.high.series('active'));
  });
});

describe('phone / IoT tracking (tracking.ts)', () => {
  const runs: Record<string, Run> = {};
  const tracking = (enabled: boolean) =>
    scenario(
      { tracking: { enabled, detectionRate: 0.9 } },
      { agents: AGENTS, regions: [{ trackingCoverage: 0.5 }, { trackingCoverage: 0 }] },
    );
  beforeAll(async () => {
    runs.off = await run(tracking(false), STEPS, 7);
    runs.on = await run(tracking(true), STEPS, 7);
  });

  it('reveals protest attendance only where deployed, at coverage × detectionRate', () => {
    expect(runs.off.sum('detected_tracking')).toBe(0);
    expect(runs.on.sum('detected_tracking', 'region=south')).toBe(0);
    const north = runs.on.sum('detected_tracking', 'region=north');
    expect(north).toBeGreaterThan(0);
    // Tracking acts on protests only (not infractions).
    expect(consistentWithRate(north, runs.on.sum('would_act', 'region=north'), 0.5 * 0.9)).toBe(true);
  });
});

describe('platforms and online censorship (platform.ts)', () => {
  const runs: Record<string, Run> = {};
  // criticismRate 0.5 × grievance gives enough posts for accounts to reach 3 strikes.
  const platform = (reRegistrationBarred: boolean) =>
    scenario(
      {
        behaviour: { criticismRate: 0.5 },
        platform: { enabled: true, detectionRate: 0.5, strikesToClose: 3, reRegistrationBarred },
      },
      { agents: AGENTS, region: { platformPenetration: 1 } },
    );
  beforeAll(async () => {
    runs.barred = await run(platform(true), STEPS, 8);
    runs.open = await run(platform(false), STEPS, 8);
  });

  it('detects posts at penetration × detectionRate and closes accounts at the third strike', () => {
    for (const r of [runs.barred, runs.open]) {
      // Written posts: those still expressed and those deleted on detection (platform.ts).
      const written = r.sum('posts_expressed') + r.sum('posts_deleted');
      expect(consistentWithRate(r.sum('detected_platform'), written, 0.5)).toBe(true);
      expect(r.last('accounts_closed')).toBeGreaterThan(0);
      const flags = r.columns.flags as Uint16Array;
      let mismatch = 0;
      for (let i = 0; i < flags.length; i++)
        if (((flags[i] & F.ACCOUNT_CLOSED) !== 0) !== strikes(r, i) >= 3) mismatch++;
      expect(mismatch).toBe(0);
    }
  });

  it('loses the posts of closed accounts only when re-registration is barred', () => {
    expect(runs.barred.sum('reregistration_blocked')).toBeGreaterThan(0);
    expect(runs.open.sum('reregistration_blocked')).toBe(0);
    // Where a closed account can be replaced, its owner goes on posting (and being struck).
    const maxStrikes = (r: Run): number => {
      let most = 0;
      for (let i = 0; i < r.layout.agents; i++) most = Math.max(most, strikes(r, i));
      return most;
    };
    expect(maxStrikes(runs.barred)).toBe(3);
    expect(maxStrikes(runs.open)).toBeGreaterThan(3);
  });
});

describe('chilling: expression falls as perceived platform surveillance rises (behaviour.ts)', () => {
  const runs: Record<string, Run> = {};
  // strikesToClose 100 cannot be reached in 60 days (≤ 1 post a day), so every desired post
  // is either written or chilled: written with probability 1 − chilling × penetration × rate.
  const chill = (detectionRate: number, platformPenetration: number) =>
    scenario(
      { behaviour: { criticismRate: 0.5 }, platform: { enabled: true, detectionRate, strikesToClose: 100 } },
      { agents: AGENTS, region: { platformPenetration } },
    );
  const cases = [
    ['d0.1', 0.1, 1],
    ['d0.5', 0.5, 1],
    ['d0.9', 0.9, 1],
    ['d0.5-pen0.2', 0.5, 0.2],
  ] as const;
  beforeAll(async () => {
    for (const [name, d, pen] of cases) runs[name] = await run(chill(d, pen), STEPS, 9);
  });

  it('writes 1 − 0.8 × penetration × detectionRate of desired posts', () => {
    for (const [name, d, pen] of cases) {
      const r = runs[name];
      expect(r.last('accounts_closed')).toBe(0);
      const written = r.sum('posts_expressed') + r.sum('posts_deleted');
      expect(consistentWithRate(written, r.sum('posts_desired'), 1 - 0.8 * pen * d), name).toBe(true);
    }
  });

  it('falls with platform.detectionRate and with platformPenetration', () => {
    const ratio = (name: string): number =>
      (runs[name].sum('posts_expressed') + runs[name].sum('posts_deleted')) / runs[name].sum('posts_desired');
    expect(ratio('d0.1')).toBeGreaterThan(ratio('d0.5'));
    expect(ratio('d0.5')).toBeGreaterThan(ratio('d0.9'));
    expect(ratio('d0.5-pen0.2')).toBeGreaterThan(ratio('d0.5'));
  });
});

describe('predictive policing (predictive.ts)', () => {
  const runs: Record<string, Run> = {};
  // Risk = bias (targeted group) + noise × u only: record, list and contact weights are 0,
  // so at bias 0 every eligible adult has the same daily admission chance whatever the
  // group, drawn afresh each day. Capacity 200 per 100k = 5 a day per region of 2,500.
  const predictive = (bias: number) =>
    scenario(
      {
        predictive: {
          enabled: true,
          bias,
          noise: 0.5,
          recordWeight: 0,
          listWeight: 0,
          contactWeight: 0,
          capacityPer100k: 200,
          detentionDays: 10,
        },
      },
      {
        agents: AGENTS,
        groups: [
          { name: 'majority', share: 0.8 },
          { name: 'minority', share: 0.2, targeted: true },
        ],
      },
    );
  beforeAll(async () => {
    runs.fair = await run(predictive(0), STEPS, 10);
    runs.biased = await run(predictive(0.25), STEPS, 10);
    runs.blatant = await run(predictive(1), STEPS, 10);
  });

  /** False-positive rate: pre-emptive detentions of non-actors ÷ eligible adult-days of non-actors. */
  function falsePositive(r: Run, key: string): { k: number; n: number } {
    let n = 0;
    for (let t = 1; t <= r.ticks; t++) {
      // Eligible = adults not detained at the start of the day; would_act counts eligible
      // adults whose rule says act (detained pre-emptively included).
      n += r.at('adults', t - 1, key) - r.at('detained', t - 1, key) - r.at('would_act', t, key);
    }
    return { k: r.sum('preemptive_false', key), n };
  }

  it('detains up to capacity each day, in expectation exactly capacity', () => {
    // Above the cut-off bin everyone is admitted, inside it with the fraction that makes the
    // expected total equal capacity (thresholdFor): the only randomness is that bin's draws.
    for (const r of [runs.fair, runs.biased, runs.blatant]) {
      for (const [k, region] of ['north', 'south'].entries()) {
        const capacity = (200 * r.layout.regionAgents[k]) / 100_000;
        const total = r.sum('detentions_preemptive', `region=${region}`);
        expect(Math.abs(total - capacity * r.ticks)).toBeLessThanOrEqual(4 * Math.sqrt(capacity * r.ticks));
      }
    }
  });

  it('holds each detainee exactly detentionDays (stock = the last D days of detentions)', () => {
    // Nobody already detained can be detained again, so the detained stock is the reactive
    // arrests of the last police.detentionDays (15) days plus the pre-emptive detentions of
    // the last predictive.detentionDays (10); the wrongly detained (no false matches here)
    // are the false pre-emptive calls of the last 10 days.
    const window = (xs: number[], t: number, D: number): number =>
      xs.slice(Math.max(0, t - D), t).reduce((a, b) => a + b, 0);
    for (const r of [runs.fair, runs.biased, runs.blatant]) {
      const reactive = r.series('detentions_reactive');
      const preemptive = r.series('detentions_preemptive');
      const wrong = r.series('preemptive_false');
      for (let t = 1; t <= r.ticks; t++) {
        expect(r.at('detained', t), `tick ${t}`).toBe(window(reactive, t, 15) + window(preemptive, t, 10));
        expect(r.at('detained_wrongly', t), `tick ${t}`).toBe(window(wrong, t, 10));
      }
      expect(r.sum('detained_wrongly')).toBeGreaterThan(0);
    }
  });

  it('has equal false-positive rates across groups at bias 0 (within binomial error)', () => {
    const [a, b] = groupKeys.map((k) => falsePositive(runs.fair, k));
    expect(a.k).toBeGreaterThan(0);
    expect(b.k).toBeGreaterThan(0);
    const p = (a.k + b.k) / (a.n + b.n);
    const sd = Math.sqrt(p * (1 - p) * (1 / a.n + 1 / b.n));
    expect(Math.abs(a.k / a.n - b.k / b.n)).toBeLessThanOrEqual(4 * sd);
    // The disparity metric is the same comparison per adult member (tally.ts): cumulative
    // harm per adult of the group ÷ the reference group's.
    const perMember = (key: string): number => runs.fair.sum('preemptive_false', key) / runs.fair.at('adults', 0, key);
    expect(runs.fair.last('disparity_preemptive_false', 'group=minority')).toBeCloseTo(
      perMember('group=minority') / perMember('group=majority'),
      12,
    );
  });

  it('has a higher false-positive rate in the targeted group when bias > 0', () => {
    const [a, b] = groupKeys.map((k) => falsePositive(runs.biased, k));
    const p = (a.k + b.k) / (a.n + b.n);
    const sd = Math.sqrt(p * (1 - p) * (1 / a.n + 1 / b.n));
    expect(b.k / b.n - a.k / a.n).toBeGreaterThan(4 * sd);
    // With bias ≥ the noise range, every targeted resident outranks every other one: the
    // majority is never detained pre-emptively (the minority's ~800 eligible adults far
    // exceed the 10 places a day).
    expect(runs.blatant.sum('detentions_preemptive', 'group=majority')).toBe(0);
    expect(runs.blatant.sum('detentions_preemptive', 'group=minority')).toBeGreaterThan(0);
  });
});
