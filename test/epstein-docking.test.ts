/**
 * Docking the fast Epstein model (src/models/epstein/model.ts: incremental window counts,
 * prefetching, probe-then-scan moves) against the reference implementation (reference.ts: the
 * rules as they read, every count a window scan), once per rule set. The two draw their random
 * numbers differently, so they agree in distribution, not draw for draw; both start a seed
 * from the identical population (same synthesis draws), so each seed gives a pair.
 *
 * The test, per case: 20 seeds × 150 ticks on the 40 × 40 lattice (the opening outburst and
 * four jail cycles of J = 30: every rule is exercised many times; the reference costs ~4 ms a
 * tick, so a case takes ~15 s). For each per-run summary that is not identical in both:
 *  - a paired t-test on the 20 differences, rejected at |t| > 3.883 (19 d.f., α = 0.001);
 *  - a two-sample Kolmogorov–Smirnov test, rejected at D ≥ 13/20 (p = 0.00027).
 * With ~10 summaries per case and five cases a false alarm has probability ≤ 5 % over the file
 * (Bonferroni). A last case shows the test has teeth: a fast model with one original rule
 * reverted is told apart from the reference.
 */
import { describe, expect, it } from 'vitest';
import {
  type EpsteinParams,
  RULE_SETS,
  epsteinReferenceModel,
  findOutbursts,
  runEpstein,
} from '../src/models/epstein/index.js';
import { loadPreset } from '../src/scenario/load.js';
import { models } from '../src/models/registry.js';
import { KS_CRITICAL_20, T_CRITICAL_19, ksStatistic, pairedT } from './helpers/docking-stats.js';

const SEEDS = 20;
const TICKS = 150;

const preset = (name: string): EpsteinParams => loadPreset(name, { registry: models }).params as EpsteinParams;
const run2Numbers = (() => {
  const p = preset('epstein-run2');
  const { width, height, citizenDensity, copDensity, citizenVision, copVision, legitimacy, maxJailTerm } = p;
  return { width, height, citizenDensity, copDensity, citizenVision, copVision, legitimacy, maxJailTerm };
})();

type Series = Awaited<ReturnType<typeof runEpstein>>['series'];
const sum = (s: Float64Array): number => s.subarray(1).reduce((a, b) => a + b, 0);
/** Per-run summaries compared between the implementations. */
const SUMMARIES: Readonly<Record<string, (s: Series) => number>> = {
  'active (mean)': (s) => sum(s.active) / TICKS,
  'active (peak)': (s) => Math.max(...s.active.subarray(1)),
  'ticks with actives > 50': (s) => s.active.subarray(1).filter((x) => x > 50).length,
  outbursts: (s) => findOutbursts(s.active, { threshold: 50 }).length,
  'jailed (mean)': (s) => sum(s.jailed) / TICKS,
  'jailed (final)': (s) => s.jailed[TICKS],
  arrests: (s) => sum(s.arrests),
  'aggrieved decisions, no cop in vision': (s) => sum(s.aggrieved_no_cop),
  'aggrieved decisions, cop in vision': (s) => sum(s.aggrieved_cop_visible),
  '… of which active': (s) => sum(s.aggrieved_cop_visible_active),
  'cops (final)': (s) => s.cops[TICKS],
};

interface Verdict {
  summary: string;
  reference: number;
  fast: number;
  t: number;
  ks: number;
}

const referenceRuns = new Map<string, Series[]>();

async function runs(params: Partial<EpsteinParams>, reference: boolean): Promise<Series[]> {
  const key = JSON.stringify(params);
  if (reference && referenceRuns.has(key)) return referenceRuns.get(key)!;
  const out: Series[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = await runEpstein(params, seed, TICKS, reference ? { model: epsteinReferenceModel } : {});
    out.push(r.series);
  }
  if (reference) referenceRuns.set(key, out);
  return out;
}

async function dock(params: Partial<EpsteinParams>, fastParams = params): Promise<Verdict[]> {
  const ref = await runs(params, true);
  const fast = await runs(fastParams, false);
  const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
  const verdicts: Verdict[] = [];
  for (const [summary, f] of Object.entries(SUMMARIES)) {
    const a = ref.map(f);
    const b = fast.map(f);
    if (a.every((x, k) => x === b[k])) continue; // identical by construction (e.g. a fixed cop count)
    verdicts.push({ summary, reference: mean(a), fast: mean(b), t: pairedT(a, b), ks: ksStatistic(a, b) });
  }
  return verdicts;
}

function report(name: string, verdicts: Verdict[]): void {
  const lines = verdicts.map(
    (v) =>
      `  ${v.summary.padEnd(38)} ref ${v.reference.toPrecision(5).padStart(9)}  fast ${v.fast.toPrecision(5).padStart(9)}  t ${v.t.toFixed(2).padStart(6)}  D ${v.ks.toFixed(2)}`,
  );
  console.log(`[epstein docking] ${name}, ${SEEDS} seeds × ${TICKS} ticks:\n${lines.join('\n')}`);
}

function expectDocked(verdicts: Verdict[]): void {
  // What the comparison must cover, not a tuned threshold: activity, arrests, jail, decisions.
  for (const m of ['active (mean)', 'arrests', 'jailed (mean)', 'aggrieved decisions, cop in vision'])
    expect(verdicts.map((v) => v.summary)).toContain(m);
  for (const v of verdicts) {
    expect(Math.abs(v.t), `${v.summary}: paired t`).toBeLessThanOrEqual(T_CRITICAL_19);
    expect(v.ks, `${v.summary}: KS D`).toBeLessThan(KS_CRITICAL_20);
  }
}

describe('docking: the fast Epstein model against the reference implementation, per rule set', () => {
  const cases: [string, Partial<EpsteinParams>][] = [
    ['paper rules (epstein-run2)', preset('epstein-run2')],
    ['NetLogo rules (netlogo-rebellion)', preset('netlogo-rebellion')],
    ["Mesa rules, Run 2's numbers", { ...run2Numbers, ...RULE_SETS.mesa }],
    ['original rules (epstein-original-run2)', preset('epstein-original-run2')],
    [
      "original rules, Run 5's numbers: cops removed 0.001 a tick, life terms",
      {
        ...preset('epstein-original-run2'),
        copDensity: 0.074,
        legitimacy: 0.8,
        maxJailTerm: null,
        copSchedule: { kind: 'gradual', start: 1, perTick: 0.001, to: 0 },
      },
    ],
  ];
  for (const [name, params] of cases) {
    it(`agrees: ${name}`, async () => {
      const verdicts = await dock(params);
      report(name, verdicts);
      expectDocked(verdicts);
    });
  }

  it('tells apart a fast model with one original rule reverted (the test has power)', async () => {
    const original = preset('epstein-original-run2');
    const verdicts = await dock(original, { ...original, grievanceScaling: 'none' });
    report('original rules, fast model without the (1 − T) factor', verdicts);
    const rejected = verdicts.filter((v) => Math.abs(v.t) > T_CRITICAL_19);
    expect(rejected.map((v) => v.summary)).toContain('active (mean)');
  });
});
