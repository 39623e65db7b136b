/**
 * The predictive-policing urn (Ensign et al. 2018) against the paper's results with its Oakland
 * inputs (presets ensign-oakland-*: 1,000 urns × 1,000 days, Poisson updates, decay 0.01).
 * Statistical bounds are Monte-Carlo errors: urns are independent, so the standard error of
 * a mean share over urns is its s.d. over urns / √urns; "within 3 s.e." is a two-sided test at
 * α ≈ 0.003. Published values are given to 3 decimals, so ±0.0005 of rounding is allowed too.
 */
import { describe, expect, it } from 'vitest';
import {
  type EnsignUrnParams,
  binomial,
  ensignUrnModel,
  ensignUrnParams,
  fixedPoints,
  longRunShare,
  poisson,
  trueShare,
} from '../src/models/ensign-urn/index.js';
import { CounterRng } from '../src/engine/rng.js';
import { Skipper } from '../src/engine/sampling.js';
import { runSimulation } from '../src/engine/simulation.js';
import { runSeries } from '../src/models/run-series.js';
import { models } from '../src/models/registry.js';
import { loadPreset } from '../src/scenario/load.js';

const preset = (name: string): EnsignUrnParams => loadPreset(name, { registry: models }).params as EnsignUrnParams;
const run = (params: unknown, days: number) => runSeries(ensignUrnModel, ensignUrnParams, params, 1, days);

/** Final shares of A, one per urn. */
async function finalShares(params: EnsignUrnParams, days: number): Promise<number[]> {
  const r = await runSimulation(ensignUrnModel, params, { seed: 1, steps: days });
  const A = r.columns.balls_a as Float64Array;
  const B = r.columns.balls_b as Float64Array;
  return [...A].map((a, i) => a / (a + B[i]));
}

function expectWithinMcError(series: Record<string, Float64Array>, day: number, urns: number, target: number): void {
  const mean = series.share_a_mean[day];
  const se = series.share_a_sd[day] / Math.sqrt(urns);
  console.log(`[ensign] mean share ${mean.toFixed(4)} ± ${se.toFixed(4)} (s.e.) vs ${target}`);
  expect(Math.abs(mean - target)).toBeLessThanOrEqual(3 * se + 0.0005);
}

describe('Ensign et al. (2018): the predictive-policing urn', () => {
  it('the analytic fixed points of their quadratic: 0 and 1 with discovered incidents only, 0.599 / 0.659 with reported ones weighted equally', () => {
    expect(fixedPoints(preset('ensign-oakland-top2'))).toEqual([0, 1]);
    expect(longRunShare(preset('ensign-oakland-top2'))).toBeNull();
    const top2 = preset('ensign-oakland-top2-reported');
    expect(fixedPoints(top2)).toHaveLength(1);
    expect(fixedPoints(top2)[0]).toBeCloseTo(0.599, 3);
    const random = { ...preset('ensign-oakland-random'), reportedRate: preset('ensign-oakland-random').discoveredRate };
    expect(fixedPoints(random)[0]).toBeCloseTo(0.659, 3);
    // With the surprise correction the long-run share is the true rate ratio.
    expect(trueShare(top2)).toBeCloseTo(0.567, 3);
    expect(trueShare(random)).toBeCloseTo(0.61, 3);
    expect(longRunShare(preset('ensign-oakland-top2-surprise'))).toBeCloseTo(trueShare(top2), 12);
  });

  it('discovered incidents only: the patrol share runs away from the true ratio towards the region patrolled most', async () => {
    const p = preset('ensign-oakland-top2');
    const s = await run(p, 3000);
    const truth = trueShare(p);
    const shares = await finalShares(p, 1000);
    const nearTruth = shares.filter((x) => Math.abs(x - truth) <= 0.05).length / shares.length;
    console.log(
      `[ensign] discovered only: mean share day 0 ${s.share_a_mean[0].toFixed(3)}, 500 ${s.share_a_mean[500].toFixed(3)}, 1000 ${s.share_a_mean[1000].toFixed(3)}, 3000 ${s.share_a_mean[3000].toFixed(3)}; locked on A day 1000 ${s.locked_a[1000]}, day 3000 ${s.locked_a[3000]}; within ±0.05 of the truth at 1000: ${nearTruth}`,
    );
    // Their quadratic has no interior root: the share's drift ∝ x(1 − x)(λ_A − λ_B) > 0 pushes it
    // to 1, away from the truth (0.567) and past the prior (0.616), and lock-in only grows.
    expect(s.share_a_mean[500]).toBeGreaterThan(s.share_a_mean[0]);
    expect(s.share_a_mean[1000]).toBeGreaterThan(s.share_a_mean[500]);
    expect(s.share_a_mean[3000]).toBeGreaterThan(s.share_a_mean[1000]);
    expect(s.locked_a[3000]).toBeGreaterThan(s.locked_a[1000]);
    // A locked urn holds ~λ_A / decay ≈ 368 balls of A against the floor of 1 of B (share ≈
    // 0.997). By day 3000 (30 memory spans of the 1 % decay) the mean share must be above 0.95,
    // and at day 1000 hardly any urn is near the truth (≤ 5 % within ±0.05 of it, where the
    // corrected urn keeps most of its urns, next test).
    expect(s.share_a_mean[3000]).toBeGreaterThan(0.95);
    expect(nearTruth).toBeLessThanOrEqual(0.05);
  });

  it('discovered incidents only with equal rates: urns lock in on either region, about as often', async () => {
    const p = ensignUrnParams.parse({
      ...preset('ensign-oakland-top2'),
      discoveredRate: { a: 3, b: 3 },
      prior: { a: 5, b: 5 },
    });
    const s = await run(p, 3000);
    const [a, b] = [s.locked_a[3000], s.locked_b[3000]];
    console.log(`[ensign] equal rates: locked on A ${a}, on B ${b} of ${p.urns} at day 3000`);
    // "whatever the true rates": a symmetric urn locks in, and the side is a coin toss:
    // |A − B| within 3 s.d. of a fair binomial split of the locked urns.
    expect(a + b).toBeGreaterThan(100);
    expect(Math.abs(a - b)).toBeLessThanOrEqual(3 * Math.sqrt(a + b));
  });

  it('with the surprise correction the long-run share converges to the true rate ratio: 0.567 (Top1 vs Top2), 0.610 (Top1 vs Random)', async () => {
    for (const [name, published] of [
      ['ensign-oakland-top2-surprise', 0.567],
      ['ensign-oakland-random-surprise', 0.61],
    ] as const) {
      const p = preset(name);
      const s = await run(p, 1000);
      expectWithinMcError(s, 1000, p.urns, published);
      const shares = await finalShares(p, 1000);
      expect(shares.filter((x) => Math.abs(x - trueShare(p)) <= 0.05).length / shares.length).toBeGreaterThan(0.5);
    }
  });

  it('discovered and reported incidents weighted equally: the urn settles at the quadratic’s root, not at the truth', async () => {
    const p = preset('ensign-oakland-top2-reported');
    const s = await run(p, 1000);
    const [root] = fixedPoints(p);
    expectWithinMcError(s, 1000, p.urns, root);
    // Reported incidents attenuate the runaway but do not remove it: the root (0.599) sits
    // between the truth (0.567) and lock-in, ≥ 10 s.e. from the truth.
    expect(s.share_a_mean[1000] - trueShare(p)).toBeGreaterThan(10 * (s.share_a_sd[1000] / Math.sqrt(p.urns)));
  });

  it('samplers: Poisson and binomial draws have the right mean and variance', () => {
    const rng = new CounterRng(7, 1);
    const skipper = new Skipper().rate(0.01);
    const n = 20000;
    for (const mu of [0.3, 3.68511, 40]) {
      const xs = Array.from({ length: n }, (_, i) => poisson(mu, rng.key(i, 0)));
      const m = xs.reduce((a, b) => a + b, 0) / n;
      const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1);
      // mean within 4 s.e. (√(μ/n)); variance = μ within 4 s.e. (≈ μ√(2/n) for a Poisson)
      expect(Math.abs(m - mu)).toBeLessThan(4 * Math.sqrt(mu / n));
      expect(Math.abs(v - mu)).toBeLessThan(4 * mu * Math.sqrt(2 / n) + 4 * Math.sqrt(mu / n));
    }
    const bs = Array.from({ length: n }, (_, i) => binomial(368, skipper, rng.key(i, 1)));
    const m = bs.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(368 * 0.01 * 0.99);
    expect(Math.abs(m - 3.68)).toBeLessThan((4 * sd) / Math.sqrt(n));
  });

  it('same seed, same run; parameters are checked before any work, naming the field', async () => {
    const p = { ...preset('ensign-oakland-top2-surprise'), urns: 50 };
    const a = await run(p, 50);
    const b = await run(p, 50);
    expect(Array.from(a.share_a_mean)).toEqual(Array.from(b.share_a_mean));
    const paths = (x: unknown) => {
      const r = ensignUrnParams.safeParse(x);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(paths({ decay: 1 })).toContain('decay');
    expect(paths({ discoveredRate: { a: 0, b: 0 } })).toContain('discoveredRate');
    expect(paths({ prior: { a: 0, b: 1 } })).toContain('prior.a');
    expect(paths({ surprise: 'quadratic' })).toContain('surprise');
    expect(paths({ urn: 5 })).toEqual(['']);
  });
});
