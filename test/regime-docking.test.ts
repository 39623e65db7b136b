/**
 * Docking the fast regime model against the reference implementation: the procedure and its
 * thresholds are in test/regime-docking.ts; this file asserts its verdicts. A final case
 * shows the test has teeth: the fast model with criticismRate 10 % higher is rejected.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { regimeParams } from '../src/models/regime/index.js';
import { closeSharedExecutor, fullFeatured, merge } from './regime-helpers.js';
import {
  DOCKING_CASES,
  KS_CRITICAL,
  SEEDS,
  T_CRITICAL,
  dock,
  ksStatistic,
  pairedT,
  type Verdict,
} from './regime-docking.js';

afterAll(closeSharedExecutor);

function report(name: string, verdicts: Verdict[]): void {
  const lines = verdicts.map(
    (v) =>
      `  ${v.metric.padEnd(26)} ref ${v.reference.toPrecision(5).padStart(11)}  fast ${v.fast.toPrecision(5).padStart(11)}  t ${v.t.toFixed(2).padStart(6)}  D ${v.ks.toFixed(2)}`,
  );
  console.log(`[docking] ${name}, ${SEEDS} seeds:\n${lines.join('\n')}`);
}

function expectDocked(verdicts: Verdict[]): void {
  for (const v of verdicts) {
    expect(Math.abs(v.t), `${v.metric}: paired t`).toBeLessThanOrEqual(T_CRITICAL);
    expect(v.ks, `${v.metric}: KS D`).toBeLessThan(KS_CRITICAL);
  }
}

describe('docking: the fast regime model against the reference implementation', () => {
  it('agrees on national-blacklist (20,000 residents, 150 days: listings follow 60-day judgments)', async () => {
    const { params, steps } = DOCKING_CASES.nationalBlacklist;
    const verdicts = await dock(params(), steps);
    report('national-blacklist', verdicts);
    // What the comparison must cover, not a tuned threshold: protest, arrests, the debt
    // chain into listings, and the listings' consequences are all in play.
    for (const m of ['active', 'detentions_reactive', 'defaults', 'blacklist_entries', 'family_affected']) {
      expect(verdicts.map((v) => v.metric)).toContain(m);
    }
    expectDocked(verdicts);
  });

  it('agrees with every mechanism on (8,000 residents, 60 days)', async () => {
    const { params, steps } = DOCKING_CASES.everyMechanism;
    const verdicts = await dock(params(), steps);
    report('every mechanism', verdicts);
    expect(verdicts.length).toBeGreaterThanOrEqual(20);
    expectDocked(verdicts);
  });

  it('rejects a fast model whose posting rate is 10 % too high (the test has power)', async () => {
    const params = fullFeatured(8_000, 4_000);
    const wrong = regimeParams.parse(
      merge(params as never, { behaviour: { criticismRate: params.behaviour.criticismRate * 1.1 } }),
    );
    const verdicts = await dock(params, 60, wrong);
    const posts = verdicts.find((v) => v.metric === 'posts_desired')!;
    expect(Math.abs(posts.t)).toBeGreaterThan(T_CRITICAL);
  });

  it('computes the statistics it relies on', () => {
    // Paired t: differences 1, 2, 3 → mean 2, s.d. 1, t = 2 / (1/√3).
    expect(pairedT([0, 0, 0], [1, 2, 3])).toBeCloseTo(2 * Math.sqrt(3), 12);
    expect(pairedT([1, 2], [1, 2])).toBe(0);
    expect(ksStatistic([1, 2, 3, 4], [3, 4, 5, 6])).toBe(0.5);
    expect(ksStatistic([1, 2], [3, 4])).toBe(1);
  });
});
