/**
 * Docking the fast regime model (src/models/regime/fast/) against the reference
 * implementation (model regime-reference: every system visits every resident every day
 * with its own draws). The fast day samples the same Bernoulli trials by skipping and
 * thinning, so the two agree in distribution, not draw for draw.
 *
 * The test: for each scenario, 20 seeds; both implementations start from the identical
 * synthesized population of a seed, so each seed gives a pair. For every key metric
 * (a run total, a daily mean or a final value) that is not identically zero:
 *  - a paired t-test on the 20 differences, rejected at |t| > 3.883 (Student t, 19 d.f.,
 *    two-sided α = 0.001);
 *  - a two-sample Kolmogorov–Smirnov test on the 20 + 20 values, rejected at D ≥ 13/20
 *    (exact p = 0.00027 for n = m = 20).
 * With ~30 metrics per scenario the chance of a false alarm is ≤ 3 % per scenario for the
 * t-tests (Bonferroni) and smaller for KS (it is conservative with ties). A final case
 * shows the test has teeth: the fast model with criticismRate 10 % higher is rejected.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { regimeReferenceModel, regimeParams, type RegimeParams } from '../src/models/regime/index.js';
import { closeSharedExecutor, fullFeatured, merge, run, sharedExecutor, type Run } from './regime-helpers.js';
import { loadPreset } from '../src/scenario/load.js';
import { KS_CRITICAL_20, T_CRITICAL_19, ksStatistic, pairedT } from './helpers/docking-stats.js';
import { models } from '../src/models/registry.js';

afterAll(closeSharedExecutor);

const SEEDS = 20;
const T_CRITICAL = T_CRITICAL_19; // Student t, 19 d.f., two-sided α = 0.001
const KS_CRITICAL = KS_CRITICAL_20; // exact two-sample KS, n = m = 20, p = 0.00027

type Stat = 'total' | 'mean' | 'final';
const KEY_METRICS: readonly (readonly [string, Stat])[] = [
  ['active', 'mean'],
  ['would_act', 'total'],
  ['legitimacy_mean', 'final'],
  ['grievance_mean', 'final'],
  ['detained', 'mean'],
  ['detentions_reactive', 'total'],
  ['detentions_reactive_false', 'total'],
  ['detentions_preemptive', 'total'],
  ['preemptive_false', 'total'],
  ['detected_police', 'total'],
  ['detected_camera', 'total'],
  ['detected_informant', 'total'],
  ['reports_true', 'total'],
  ['infractions', 'total'],
  ['infractions_deterred', 'total'],
  ['posts_desired', 'total'],
  ['posts_expressed', 'total'],
  ['defaults', 'total'],
  ['repayments', 'total'],
  ['civic', 'total'],
  ['false_camera', 'total'],
  ['reports_false', 'total'],
  ['reports_malicious', 'total'],
  ['extortion_paid', 'total'],
  ['score_mean', 'final'],
  ['blacklist_entries', 'total'],
  ['blacklisted', 'mean'],
  ['wrongful_listing_days', 'total'],
  ['family_affected', 'mean'],
  ['blocked_flight', 'total'],
  ['blocked_schooling', 'total'],
  ['appeals_filed', 'total'],
  ['accounts_closed', 'final'],
];

/**
 * A run's summary of one metric, to 10 significant digits: the two implementations add the
 * same per-resident values in a different order (resident by resident vs cell by cell),
 * and KS, being scale-free, would otherwise count last-bit differences as differences.
 */
function summary(r: Run, metric: string, stat: Stat): number {
  const v = stat === 'total' ? r.sum(metric) : stat === 'mean' ? r.sum(metric) / r.ticks : r.last(metric);
  return Number(v.toPrecision(10));
}

interface Verdict {
  metric: string;
  reference: number;
  fast: number;
  t: number;
  ks: number;
}

/** Run both implementations over SEEDS seeds and test every key metric that is not all zero. */
async function dock(params: RegimeParams, steps: number, fastParams = params): Promise<Verdict[]> {
  const ref: Run[] = [];
  const fast: Run[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    ref.push(await run(params, steps, seed, sharedExecutor(), regimeReferenceModel));
    fast.push(await run(fastParams, steps, seed));
  }
  const out: Verdict[] = [];
  for (const [metric, stat] of KEY_METRICS) {
    const a = ref.map((r) => summary(r, metric, stat));
    const b = fast.map((r) => summary(r, metric, stat));
    if (a.every((x) => x === 0) && b.every((x) => x === 0)) continue;
    const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
    out.push({ metric, reference: mean(a), fast: mean(b), t: pairedT(a, b), ks: ksStatistic(a, b) });
  }
  return out;
}

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
    const preset = loadPreset('national-blacklist', { registry: models, overrides: { population: 20_000 } });
    const verdicts = await dock(preset.params as RegimeParams, 150);
    report('national-blacklist', verdicts);
    // What the comparison must cover, not a tuned threshold: protest, arrests, the debt
    // chain into listings, and the listings' consequences are all in play.
    for (const m of ['active', 'detentions_reactive', 'defaults', 'blacklist_entries', 'family_affected']) {
      expect(verdicts.map((v) => v.metric)).toContain(m);
    }
    expectDocked(verdicts);
  });

  it('agrees with every mechanism on (8,000 residents, 60 days)', async () => {
    const verdicts = await dock(fullFeatured(8_000, 4_000), 60);
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
