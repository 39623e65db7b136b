/**
 * Regime model invariants: accounting identities that must hold every tick, thread-count
 * invariance, reproducibility, and the reduction to Epstein's rule when every
 * surveillance module is off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../src/engine/simulation.js';
import { F, householdEnd, regimeLayout } from '../src/models/regime/layout.js';
import { metricNames } from '../src/models/regime/mechanisms.js';
import { legitimacyOf } from '../src/models/regime/fast/lazy.js';
import { NodePoolExecutor } from '../src/runtime/node-pool.js';
import { closeSharedExecutor, fullFeatured, run, scenario, type Run } from './regime-helpers.js';

const STEPS = 30;

afterAll(closeSharedExecutor);
// 6,000 agents in shards of ~2,000 (cells of ~1,000): three shards over two regions, so
// every cross-shard reduction (arrest capacity, predictive cut-off, census) is exercised.
const FULL = fullFeatured(6_000, 2_000);

describe('regime: thread-count invariance and reproducibility', () => {
  let local: Run;
  beforeAll(async () => {
    local = await run(FULL, STEPS, 11, new LocalExecutor());
  });

  it('has several shards and a run in which the mechanisms are busy', () => {
    expect(FULL.agentsPerShard).toBe(2_000);
    // Not a tuned threshold: just that the comparison below is not between empty runs.
    for (const m of [
      'detentions_reactive',
      'detentions_preemptive',
      'blacklist_entries',
      'false_camera',
      'reports_malicious',
    ]) {
      expect(local.sum(m), m).toBeGreaterThan(0);
    }
  });

  it('gives byte-identical metric rows for LocalExecutor and NodePoolExecutor with 1 and 2 threads', async () => {
    for (const threads of [1, 2]) {
      const pool = NodePoolExecutor.create(threads);
      let pooled: Run;
      try {
        pooled = await run(FULL, STEPS, 11, pool);
      } finally {
        await pool.close();
      }
      expect(pooled.rows.length).toBe(local.rows.length);
      expect(pooled.bytes().equals(local.bytes()), `${threads} thread(s)`).toBe(true);
    }
  });

  it('is reproducible: the same seed gives identical rows, another seed different ones', async () => {
    const again = await run(FULL, STEPS, 11);
    expect(again.bytes().equals(local.bytes())).toBe(true);
    const other = await run(FULL, STEPS, 12);
    expect(other.bytes().equals(local.bytes())).toBe(false);
    // Different where randomness enters (draws), identical where it does not (the layout).
    expect(other.series('population')).toEqual(local.series('population'));
    expect(other.series('active')).not.toEqual(local.series('active'));
  });

  describe('conservation, every tick', () => {
    const N = FULL.population.agents;

    it('keeps the population constant and adults = quiet + active + detained − protesters arrested today', () => {
      for (let t = 0; t <= local.ticks; t++) {
        expect(local.at('population', t), `tick ${t}`).toBe(N);
        expect(
          local.at('score_grade', t, 'grade=A') +
            local.at('score_grade', t, 'grade=B') +
            local.at('score_grade', t, 'grade=C') +
            local.at('score_grade', t, 'grade=D'),
        ).toBe(local.at('adults', t)); // only adults are scored
        // tally.ts: an adult who protested today is active (arrested tonight or not), one
        // detained is detained, the rest are quiet; a protester arrested today is both. Only
        // adults are ever detained (behaviour, predictive eligibility, false matches and false
        // reports all skip children), so `detained` is the detained-adult count.
        const arrestedProtesters = local.at('detentions_reactive', t) - local.at('detentions_reactive_false', t);
        expect(
          local.at('quiet', t) + local.at('active', t) + local.at('detained', t) - arrestedProtesters,
          `tick ${t}`,
        ).toBe(local.at('adults', t));
      }
      expect(local.at('adults', 0)).toBeLessThan(N);
    });

    it('sums every count over groups and over regions to the total', () => {
      const groups = FULL.population.groups.map((g) => `group=${g.name}`);
      const regions = FULL.population.regions.map((r) => `region=${r.name}`);
      for (const metric of metricNames()) {
        for (let t = 0; t <= local.ticks; t++) {
          const total = local.at(metric.name, t);
          if (metric.kind === 'mean') {
            // Means are per-member averages: the member-weighted group (region) means
            // recover the overall mean. The score is averaged over adults only.
            const members = metric.name === 'score_mean' ? 'adults' : 'population';
            const all = local.at(members, t);
            const byGroup = groups.reduce((s, k) => s + local.at(metric.name, t, k) * local.at(members, t, k), 0) / all;
            const byRegion =
              regions.reduce((s, k) => s + local.at(metric.name, t, k) * local.at(members, t, k), 0) / all;
            expect(byGroup).toBeCloseTo(total, 6);
            expect(byRegion).toBeCloseTo(total, 6);
          } else {
            expect(
              groups.reduce((s, k) => s + local.at(metric.name, t, k), 0),
              `${metric.name} by group, tick ${t}`,
            ).toBe(total);
            expect(
              regions.reduce((s, k) => s + local.at(metric.name, t, k), 0),
              `${metric.name} by region, tick ${t}`,
            ).toBe(total);
          }
        }
      }
    });

    it('keeps stocks and flows consistent (Δ stock = inflow − outflow)', () => {
      for (let t = 1; t <= local.ticks; t++) {
        const d = (m: string): number => local.at(m, t) - local.at(m, t - 1);
        expect(d('blacklisted'), `tick ${t}`).toBe(local.at('blacklist_entries', t) - local.at('blacklist_exits', t));
        expect(d('in_default'), `tick ${t}`).toBe(local.at('defaults', t) - local.at('repayments', t));
        expect(d('accounts_closed'), `tick ${t}`).toBe(local.at('accounts_closed_new', t));
        expect(local.at('preemptive_true', t) + local.at('preemptive_false', t)).toBe(
          local.at('detentions_preemptive', t),
        );
        expect(local.at('posts_expressed', t) + local.at('reregistration_blocked', t)).toBeLessThanOrEqual(
          local.at('posts_desired', t),
        );
        expect(local.at('extortion_paid', t)).toBeLessThanOrEqual(local.at('extortion_demands', t));
        expect(local.at('appeals_granted', t)).toBeLessThanOrEqual(local.at('blacklist_exits', t));
        // Every protester decided to act today; only the pre-empted did not get to.
        expect(local.at('active', t) + local.at('preemptive_true', t)).toBe(local.at('would_act', t));
      }
    });

    it('reports the same stocks as the final columns hold', () => {
      const flags = local.columns.flags as Uint16Array;
      const count = (mask: number, want = mask): number => {
        let n = 0;
        for (let i = 0; i < flags.length; i++) if ((flags[i] & mask) === want) n++;
        return n;
      };
      expect(count(F.CHILD, 0)).toBe(local.last('adults'));
      // Still protesting tonight: today's protesters less those arrested.
      expect(count(F.ACTIVE)).toBe(
        local.last('active') - local.last('detentions_reactive') + local.last('detentions_reactive_false'),
      );
      expect(count(F.DETAINED)).toBe(local.last('detained'));
      expect(count(F.BLACKLISTED)).toBe(local.last('blacklisted'));
      expect(count(F.INFORMANT)).toBe(local.last('informants'));
      expect(count(F.ACCOUNT_CLOSED)).toBe(local.last('accounts_closed'));
      expect(count(F.IN_DEFAULT)).toBe(local.last('in_default'));
      // No child is detained or listed, and nobody is both active and detained.
      expect(count(F.CHILD | F.DETAINED)).toBe(0);
      expect(count(F.CHILD | F.BLACKLISTED)).toBe(0);
      expect(count(F.ACTIVE | F.DETAINED)).toBe(0);
      // Every cell opens a household, and no household is larger than the largest size.
      const starts = local.layout.unitStarts;
      const largest = FULL.population.householdSizes.length;
      for (let c = 0; c < local.layout.cells; c++) {
        expect(flags[starts[c]] & F.HEAD).toBe(F.HEAD);
        for (let h = starts[c]; h < starts[c + 1]; h = householdEnd(flags, h, starts[c + 1])) {
          expect(householdEnd(flags, h, starts[c + 1]) - h).toBeLessThanOrEqual(largest);
        }
      }
    });
  });
});

describe('regime: sparse countdowns (listings by judgment only) are thread-invariant', () => {
  // No score: listings come only from court judgments, so the listing, judgment and appeal
  // countdowns live in per-shard maps pinned to their threads (countdowns.ts). Three shards,
  // short terms and frequent defaults, so that every countdown starts, runs out and restarts.
  const JUDGED = scenario(
    {
      behaviour: { defaultRate: 0.02, repaymentRate: 0.02 },
      records: { enabled: true, recordingRate: 1, judgmentDelay: 4 },
      lists: { enabled: true, durationDays: 12 },
      dueProcess: { enabled: true, appealRate: 0.05, appealDelayDays: 3 },
      sanctions: { enabled: true },
    },
    { agents: 6_000, agentsPerShard: 2_000 },
  );

  it('keeps them out of the columns, and gives byte-identical rows for the local executor and 2 threads', async () => {
    const layout = regimeLayout(JUDGED);
    for (const name of ['listDays', 'timer', 'appealDays']) {
      expect(layout.columns.map((c) => c.name)).not.toContain(name);
    }
    const local = await run(JUDGED, 40, 5, new LocalExecutor());
    for (const m of ['blacklist_entries', 'blacklist_exits', 'appeals_filed', 'appeals_granted']) {
      expect(local.sum(m), m).toBeGreaterThan(0);
    }
    const pool = NodePoolExecutor.create(2);
    try {
      const pooled = await run(JUDGED, 40, 5, pool);
      expect(pooled.bytes().equals(local.bytes())).toBe(true);
    } finally {
      await pool.close();
    }
  });
});

describe('regime: with every surveillance module off, protest follows Epstein’s rule', () => {
  // Every module of params.ts except police is disabled by default; response is turned
  // off so that perceived enforcers are exactly the police (no sanction fear) and
  // legitimacy does not move. arrestProbability = 1: the model's perceived risk is
  // arrestProbability × P (behaviour.ts), which is Epstein's P when arrest surely follows.
  // Legitimacy 0.6 ± 0.3 gives grievances up to 0.7, so a good share of adults protests
  // and the cells' active counts A vary.
  const paramsFor = (arrestProbability: number) =>
    scenario(
      {
        behaviour: { initialLegitimacy: 0.6, legitimacySpread: 0.3 },
        police: { arrestProbability },
        response: { enabled: false },
      },
      { agents: 10_000, region: { policePer100k: 1_000 } },
    );
  interface Check {
    act: number;
    quiet: number;
    borderline: number;
    mismatches: number;
    wouldAct: number;
    activesBefore: number;
  }
  const checks = new Map<number, Check>();
  let after: Run;

  // Runs are deterministic, so a run of K ticks is the state at tick K of a run of K + 1:
  // compare each adult's decision on day K + 1 with the rule applied to the state after
  // day K. K = 0 is the first day (no actives yet: A = 1, P high); K = 4 a day with
  // hundreds of protesters per cell (P low).
  async function check(K: number, params = paramsFor(1)): Promise<Check> {
    const arrestProbability = params.police.arrestProbability;
    const before = await run(params, K, 5);
    after = await run(params, K + 1, 5);
    const flags0 = before.columns.flags as Uint16Array;
    const flags1 = after.columns.flags as Uint16Array;
    const hardship = before.columns.hardship as Uint8Array;
    const riskAversion = before.columns.riskAversion as Uint8Array;
    const cellActives = before.columns.cellActives as Uint32Array;
    const { unitStarts, cellRegion, cells } = before.layout;
    const k = params.behaviour.arrestConstant;
    const T = params.behaviour.threshold;
    const out: Check = {
      act: 0,
      quiet: 0,
      borderline: 0,
      mismatches: 0,
      wouldAct: after.at('would_act', K + 1),
      activesBefore: before.last('active'),
    };
    for (let c = 0; c < cells; c++) {
      const residents = unitStarts[c + 1] - unitStarts[c];
      const region = params.population.regions[cellRegion[c]];
      // C: police officers in the cell (× visibility 1); A: yesterday's actives in the
      // cell, counting oneself as active (Epstein's "including itself").
      const C = (region.policePer100k * residents) / 100_000;
      for (let i = unitStarts[c]; i < unitStarts[c + 1]; i++) {
        const f0 = flags0[i];
        if (f0 & (F.CHILD | F.DETAINED)) continue;
        const A = cellActives[c] + (f0 & F.ACTIVE ? 0 : 1);
        const P = arrestProbability * (1 - Math.exp((-k * C) / A));
        // The fast day keeps legitimacy as codes under a per-cell map (fast/lazy.ts).
        const G = (hardship[i] / 255) * (1 - legitimacyOf(before.columns, before.layout.groups, c, i));
        const margin = G - (riskAversion[i] / 255) * P - T;
        const rule = margin > 0;
        // Acted today: still active, or arrested today for protesting (no false matches
        // exist with cameras off, so a new detention means a protest).
        const acted = (flags1[i] & F.ACTIVE) !== 0 || ((flags1[i] & F.DETAINED) !== 0 && !(f0 & F.DETAINED));
        if (rule) out.act++;
        else out.quiet++;
        if (Math.abs(margin) < 1e-12) out.borderline++;
        else if (rule !== acted) out.mismatches++;
      }
    }
    return out;
  }

  beforeAll(async () => {
    for (const K of [0, 4]) checks.set(K, await check(K));
    checks.set(-1, await check(4, paramsFor(0.5)));
  });

  it.each([0, 4])('decides agent by agent as G − R·P > T with P = 1 − exp(−k·C/A) (day %i + 1)', (K) => {
    const c = checks.get(K)!;
    // Both outcomes occur (else the check is vacuous).
    expect(c.act).toBeGreaterThan(100);
    expect(c.quiet).toBeGreaterThan(100);
    if (K > 0) expect(c.activesBefore).toBeGreaterThan(0);
    expect(c.mismatches).toBe(0);
    // Only float ties (|margin| < 1e-12) are exempt; with 8-bit traits they are vanishingly rare.
    expect(c.borderline).toBeLessThan(5);
    // The model's own count of adults whose rule says act agrees with the recomputation.
    expect(Math.abs(c.wouldAct - c.act)).toBeLessThanOrEqual(c.borderline);
  });

  it('scales P by police.arrestProbability when arrest is not certain (perceived risk = P × arrest chance)', () => {
    // behaviour.ts perceivedArrestRisk: arrestProbability × (1 − (1 − P_police)(1 − P_surveillance)).
    // With the default arrestProbability 0.5 the model is Epstein's rule with P halved.
    const c = checks.get(-1)!;
    expect(c.act).toBeGreaterThan(100);
    expect(c.quiet).toBeGreaterThan(100);
    expect(c.mismatches).toBe(0);
    expect(Math.abs(c.wouldAct - c.act)).toBeLessThanOrEqual(c.borderline);
  });

  it('has no surveillance detections, sanctions or legitimacy change', () => {
    for (const m of [
      'detected_camera',
      'detected_grid',
      'detected_informant',
      'detected_tracking',
      'detected_platform',
      'false_camera',
      'blacklist_entries',
      'detentions_preemptive',
      'family_affected',
    ]) {
      expect(after.sum(m), m).toBe(0);
    }
    expect(after.sum('detected_police')).toBeGreaterThan(0);
    // From day 1 on, equal up to the order of additions (the sum of ~10^5 values carries
    // ~10^-16 relative error per add). Day 0 is the synthesized population; the fast day
    // re-codes it once on a grid of 3/65535 (fast/lazy.ts), which moves a mean by less
    // than half a step.
    expect(after.last('legitimacy_mean')).toBeCloseTo(after.at('legitimacy_mean', 1), 12);
    expect(Math.abs(after.at('legitimacy_mean', 1) - after.at('legitimacy_mean', 0))).toBeLessThan(1.5 / 65535);
  });
});

describe('regime: disparity before any harm', () => {
  it('reads NaN at tick 0, when no group has been harmed yet', async () => {
    const { runSimulation } = await import('../src/engine/simulation.js');
    const { regimeModel } = await import('../src/models/regime/index.js');
    const { regimeParams } = await import('../src/models/regime/params.js');
    const params = regimeParams.parse({
      population: {
        agents: 2000,
        regions: [{ name: 'r', populationShare: 1 }],
        groups: [
          { name: 'a', share: 0.5 },
          { name: 'b', share: 0.5 },
        ],
      },
    });
    let first: Float64Array | null = null;
    const result = await runSimulation(regimeModel, params, {
      seed: 1,
      steps: 0,
      onTick: (_t, v) => void (first = v.slice()),
    });
    const k = result.layout.metrics.findIndex((m) => m.name === 'disparity_detentions_reactive' && m.key === 'group=b');
    expect(first![k]).toBeNaN();
  });
});
