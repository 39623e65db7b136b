/**
 * Dissent and self-censorship (Daymude, Axelrod & Forrest 2025): the individuals search for
 * their best action numerically (src/models/dissent/decision.ts); the paper's closed-form
 * optimum (its Eqs. 5–8, restated below from the paper) and the phase boundaries of its Fig. 3
 * are the check. Fig. 3's parameters: boldness β = 1, surveillance ν = 0.5, tolerance τ = 0.25,
 * severity ψ = 0.6 (uniform punishment) or 1.5 (proportional).
 */
import { describe, expect, it } from 'vitest';
import {
  type Authority,
  bestAction,
  dissentModel,
  dissentParams,
  phaseOf,
  type DissentParams,
} from '../src/models/dissent/index.js';
import { runSeries } from '../src/models/run-series.js';
import { models } from '../src/models/registry.js';
import { loadPreset } from '../src/scenario/load.js';

const preset = (name: string): DissentParams => loadPreset(name, { registry: models }).params as DissentParams;
const GRID = dissentParams.parse({}).actionGrid;
const BETA = 1;

/** The paper's optimum (Eqs. 5–8): the critical points d_uni, d_pro and the action they imply. */
const dUni = (b: number, a: Authority) =>
  (b * a.tolerance + a.surveillance * a.severity) / (b - (1 - a.surveillance) * a.severity);
const dPro = (b: number, a: Authority) =>
  (a.tolerance + (b - a.surveillance * a.severity) / ((1 - a.surveillance) * a.severity)) / 2;
function paperAction(delta: number, b: number, a: Authority): number {
  if (delta <= a.tolerance) return delta;
  if (a.punishment === 'uniform')
    return b > (1 - a.surveillance) * a.severity && delta > dUni(b, a) ? delta : a.tolerance;
  const d = dPro(b, a);
  return delta <= d ? delta : a.tolerance >= d ? a.tolerance : d;
}

const fig3 = (punishment: Authority['punishment']): Authority => ({
  tolerance: 0.25,
  severity: punishment === 'uniform' ? 0.6 : 1.5,
  surveillance: 0.5,
  punishment,
});

/** Smallest δ at which the agents defy (bisection on the agents' own decisions); 1 if none do. */
function defianceFrom(a: Authority): number {
  const defies = (d: number) => phaseOf(d, a.tolerance, bestAction(d, BETA, a, GRID)) === 'defiant';
  if (!defies(1)) return 1;
  let lo = a.tolerance;
  let hi = 1;
  while (hi - lo > 1e-7) {
    const mid = (lo + hi) / 2;
    if (defies(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

describe('Daymude, Axelrod & Forrest (2025): dissent and self-censorship', () => {
  it('individuals’ numerical optimum equals the paper’s closed form over Fig. 3’s tolerance and severity axes', () => {
    let checked = 0;
    for (const punishment of ['uniform', 'proportional'] as const) {
      for (let i = 0; i <= 50; i++) {
        for (const axis of ['tolerance', 'severity'] as const) {
          const a = { ...fig3(punishment), [axis]: axis === 'tolerance' ? i / 50 : Math.max(0.01, (2.5 * i) / 50) };
          for (let j = 0; j <= 100; j++) {
            const delta = j / 100;
            const ours = bestAction(delta, BETA, a, GRID);
            const paper = paperAction(delta, BETA, a);
            // At a critical point the individual is indifferent between two actions.
            const atBoundary = Math.abs(delta - dUni(BETA, a)) < 1e-9 || Math.abs(delta - dPro(BETA, a)) < 1e-9;
            if (!atBoundary) expect(ours, `${punishment} ${axis} ${a[axis]} δ ${delta}`).toBeCloseTo(paper, 6);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(2 * 51 * 2 * 101);
  });

  it('Fig. 3, uniform punishment: self-censorship at τ below d_uni = 0.786, defiance above; defiance ends at τ = 0.4 and at ψ = 0.75', () => {
    const a = fig3('uniform');
    const d = defianceFrom(a);
    console.log(`[dissent] uniform: agents defy from δ = ${d.toFixed(5)} (paper: ${dUni(BETA, a).toFixed(5)})`);
    expect(d).toBeCloseTo(0.55 / 0.7, 5); // d_uni = (βτ + νψ)/(β − (1 − ν)ψ) = 0.55 / 0.7
    // Defiance exists while d_uni < 1: τ < (β − (1 − ν)ψ − νψ)/β = 0.4, and ψ < 0.75.
    expect(defianceFrom({ ...a, tolerance: 0.399 })).toBeLessThan(1);
    expect(defianceFrom({ ...a, tolerance: 0.401 })).toBe(1);
    expect(defianceFrom({ ...a, severity: 0.749 })).toBeLessThan(1);
    expect(defianceFrom({ ...a, severity: 0.751 })).toBe(1);
  });

  it('Fig. 3, proportional punishment: defiance up to d_pro = 0.292, partial self-censorship at d_pro above it; full self-censorship from τ = 1/3 and ψ = 1.6', () => {
    const a = fig3('proportional');
    const act = (delta: number, auth = a) => bestAction(delta, BETA, auth, GRID);
    const phase = (delta: number, auth = a) => phaseOf(delta, auth.tolerance, act(delta, auth));
    const d = dPro(BETA, a); // (0.25 + (1 − 0.75)/0.75)/2 = 0.2917
    console.log(`[dissent] proportional: d_pro ${d.toFixed(5)}; δ 0.8 acts at ${act(0.8).toFixed(5)}`);
    expect(d).toBeCloseTo(0.29167, 5);
    expect(phase(0.28)).toBe('defiant');
    expect(phase(0.3)).toBe('self-censoring-partial');
    expect(act(0.8)).toBeCloseTo(d, 6);
    // Partial self-censorship needs d_pro > τ: τ < 1/3 on the tolerance axis, ψ < 1.6 on severity.
    expect(phase(0.9, { ...a, tolerance: 0.33 })).toBe('self-censoring-partial');
    expect(phase(0.9, { ...a, tolerance: 0.34 })).toBe('self-censoring-full');
    expect(phase(0.9, { ...a, severity: 1.59 })).toBe('self-censoring-partial');
    expect(phase(0.9, { ...a, severity: 1.61 })).toBe('self-censoring-full');
    // and everyone above τ defies while d_pro ≥ 1: ψ ≤ 1/1.375 = 0.727.
    expect(phase(1, { ...a, severity: 0.72 })).toBe('defiant');
    expect(phase(1, { ...a, severity: 0.74 })).toBe('self-censoring-partial');
  });

  it('a population of every desire from 0 to 1 splits into the phases the closed form predicts (presets, 1,001 individuals)', async () => {
    for (const name of ['dissent-uniform', 'dissent-proportional']) {
      const p = preset(name);
      const s = await runSeries(dissentModel, dissentParams, p, 1, 3);
      const count = { compliant: 0, 'self-censoring-full': 0, 'self-censoring-partial': 0, defiant: 0 };
      for (let i = 0; i < p.individuals; i++) {
        const delta = i / (p.individuals - 1);
        count[phaseOf(delta, p.authority.tolerance, paperAction(delta, BETA, p.authority))]++;
      }
      console.log(`[dissent] ${name}: ${JSON.stringify(count)}`);
      expect(s.compliant[3]).toBe(count.compliant);
      expect(s.defiant[3]).toBe(count.defiant);
      expect(s.self_censoring[3]).toBe(count['self-censoring-full'] + count['self-censoring-partial']);
      expect(s.self_censoring_full[3]).toBe(count['self-censoring-full']);
      // Observation is random but punishment falls only on observed actions above τ.
      expect(s.punished[3]).toBeLessThanOrEqual(s.observed[3]);
      expect(s.punished[3]).toBeLessThanOrEqual(s.defiant[3] + s.self_censoring[3] - s.self_censoring_full[3]);
    }
  });

  it('hill climbing: the policy stays in bounds, and a round that cost more than the last one is undone', async () => {
    const p = {
      ...preset('dissent-uniform'),
      individuals: 500,
      desire: { kind: 'truncated-exponential', mean: 0.25 },
      boldness: { kind: 'exponential', mean: 2 },
      adaptation: { kind: 'hill-climbing', adamancy: 1, window: 0.05 },
    };
    const s = await runSeries(dissentModel, dissentParams, p, 3, 300);
    let undone = 0;
    let kept = 0;
    for (let t = 2; t <= 300; t++) {
      const cost = (u: number) => s.dissent_expressed[u] + s.punishment_cost[u];
      const same = ['tolerance', 'severity', 'surveillance'].every((k) => s[k][t] === s[k][t - 1]);
      if (cost(t) > cost(t - 1)) {
        expect(same, `round ${t}`).toBe(true);
        undone++;
      } else if (!same) kept++;
      expect(s.tolerance[t]).toBeGreaterThanOrEqual(0);
      expect(s.tolerance[t]).toBeLessThanOrEqual(1);
      expect(s.surveillance[t]).toBeGreaterThanOrEqual(0);
      expect(s.surveillance[t]).toBeLessThanOrEqual(1);
      expect(s.severity[t]).toBeGreaterThan(0);
    }
    expect(undone).toBeGreaterThan(10);
    expect(kept).toBeGreaterThan(10);
    // Desires drawn from the truncated exponential of mean 0.25 have that mean (s.e. ≈ 0.2/√500).
    expect(Math.abs(s.dissent_desired[1] / 500 - 0.25)).toBeLessThan(3 * (0.21 / Math.sqrt(500)));
  });
});
