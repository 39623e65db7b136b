/**
 * Docking the fast regime model (src/models/regime/fast/) against the reference
 * implementation (model regime-reference: every system visits every resident every day
 * with its own draws). The fast day samples the same Bernoulli trials by skipping and
 * thinning, so the two agree in distribution, not draw for draw.
 *
 * The procedure: for each scenario, 20 seeds; both implementations start from the identical
 * synthesized population of a seed, so each seed gives a pair. For every key metric
 * (a run total, a daily mean or a final value) that is not identically zero:
 *  - a paired t-test on the 20 differences, rejected at |t| > 3.883 (Student t, 19 d.f.,
 *    two-sided α = 0.001);
 *  - a two-sample Kolmogorov–Smirnov test on the 20 + 20 values, rejected at D ≥ 13/20
 *    (exact p = 0.00027 for n = m = 20).
 * With ~30 metrics per scenario the chance of a false alarm is ≤ 3 % per scenario for the
 * t-tests (Bonferroni) and smaller for KS (it is conservative with ties).
 *
 * Shared by test/regime-docking.test.ts (which asserts the verdicts) and
 * scripts/docs-validation.ts (which prints them into docs/validation/regime.md).
 */
import { regimeReferenceModel, type RegimeParams } from '../src/models/regime/index.js';
import { fullFeatured, run, sharedExecutor, type Run } from './regime-helpers.js';
import { KS_CRITICAL_20, T_CRITICAL_19, ksStatistic, pairedT } from './helpers/docking-stats.js';
import { loadPreset } from '../src/scenario/load.js';
import { models } from '../src/models/registry.js';

export const SEEDS = 20;
export const T_CRITICAL = T_CRITICAL_19; // Student t, 19 d.f., two-sided α = 0.001
export const KS_CRITICAL = KS_CRITICAL_20; // exact two-sample KS, n = m = 20, p = 0.00027
export { ksStatistic, pairedT };

type Stat = 'total' | 'mean' | 'final';
export const KEY_METRICS: readonly (readonly [string, Stat])[] = [
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
  ['infractions_forgone', 'total'],
  ['informants', 'final'],
  ['held_unjustly', 'mean'],
  ['perceived_protest_detection', 'final'],
  ['support_private', 'total'],
  ['support_direct', 'total'],
  ['posts_deleted', 'total'],
  ['calls_written', 'total'],
  ['calls_deleted', 'total'],
];

/** The scenarios docked, as the test and the validation document name them. */
export const DOCKING_CASES = {
  nationalBlacklist: {
    title: 'national-blacklist, 20,000 residents × 150 days (listings follow 60-day judgments)',
    params: (): RegimeParams =>
      loadPreset('national-blacklist', { registry: models, overrides: { population: 20_000 } }).params as RegimeParams,
    steps: 150,
  },
  everyMechanism: {
    title: 'every mechanism on, 8,000 residents × 60 days',
    params: (): RegimeParams => fullFeatured(8_000, 4_000),
    steps: 60,
  },
} as const;

/**
 * A run's summary of one metric, to 10 significant digits: the two implementations add the
 * same per-resident values in a different order (resident by resident vs cell by cell),
 * and KS, being scale-free, would otherwise count last-bit differences as differences.
 */
function summary(r: Run, metric: string, stat: Stat): number {
  const v = stat === 'total' ? r.sum(metric) : stat === 'mean' ? r.sum(metric) / r.ticks : r.last(metric);
  return Number(v.toPrecision(10));
}

export interface Verdict {
  metric: string;
  stat: Stat;
  reference: number;
  fast: number;
  t: number;
  ks: number;
}

/** Run both implementations over SEEDS seeds and test every key metric that is not all zero. */
export async function dock(
  params: RegimeParams,
  steps: number,
  fastParams = params,
  progress: (done: number, total: number) => void = () => {},
): Promise<Verdict[]> {
  const ref: Run[] = [];
  const fast: Run[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    ref.push(await run(params, steps, seed, sharedExecutor(), regimeReferenceModel));
    fast.push(await run(fastParams, steps, seed));
    progress(seed, SEEDS);
  }
  const out: Verdict[] = [];
  for (const [metric, stat] of KEY_METRICS) {
    const a = ref.map((r) => summary(r, metric, stat));
    const b = fast.map((r) => summary(r, metric, stat));
    if (a.every((x) => x === 0) && b.every((x) => x === 0)) continue;
    const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
    out.push({ metric, stat, reference: mean(a), fast: mean(b), t: pairedT(a, b), ks: ksStatistic(a, b) });
  }
  return out;
}

/** Whether every verdict is within both thresholds. */
export function docked(verdicts: readonly Verdict[]): boolean {
  return verdicts.every((v) => Math.abs(v.t) <= T_CRITICAL && v.ks < KS_CRITICAL);
}

const significant = (x: number): string =>
  Math.abs(x) >= 1000
    ? Math.round(x).toLocaleString('en-US')
    : Number(x.toPrecision(5)).toLocaleString('en-US', { maximumSignificantDigits: 5 });
const signed = (x: number): string => (x < 0 ? `−${Math.abs(x).toFixed(2)}` : x.toFixed(2));

/** The verdicts as a Markdown table, with a line giving the largest |t| and D. */
export function dockingTable(verdicts: readonly Verdict[]): string {
  const lines = [
    '| metric | statistic | reference | fast | t | D |',
    '| --- | --- | --- | --- | --- | --- |',
    ...verdicts.map(
      (v) =>
        `| \`${v.metric}\` | ${v.stat === 'total' ? 'run total' : v.stat === 'mean' ? 'daily mean' : 'final'} | ${significant(v.reference)} | ${significant(v.fast)} | ${signed(v.t)} | ${v.ks.toFixed(2)} |`,
    ),
  ];
  const maxT = Math.max(...verdicts.map((v) => Math.abs(v.t)));
  const maxD = Math.max(...verdicts.map((v) => v.ks));
  lines.push(
    '',
    `${verdicts.length} metrics; largest |t| ${maxT.toFixed(2)} (threshold ${T_CRITICAL}), largest D ${maxD.toFixed(2)} (threshold ${KS_CRITICAL.toFixed(2)}): ${docked(verdicts) ? 'docked' : '**not docked**'}.`,
  );
  return lines.join('\n');
}
