/**
 * Validation of the Epstein model against the paper's reported patterns (docs/validation/epstein.md).
 * Fixed seeds; every threshold is argued from the model's mechanics, not fitted to a seed.
 * The numbers are printed so docs/validation/epstein.md can quote them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type EpsteinParams, poolOutbursts, runEpstein, summarizeOutbursts } from '../src/models/epstein/index.js';

const preset = (name: string): Partial<EpsteinParams> =>
  parse(readFileSync(new URL(`../scenarios/${name}.yaml`, import.meta.url), 'utf8')).params;
const peak = (s: Float64Array, from = 1) => s.subarray(from).reduce((a, b) => Math.max(a, b), 0);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('Epstein (2002) validation', () => {
  it('(a) Run 2 with ⌊C/A⌋: outbursts (actives > 50) recur — punctuated equilibrium', async () => {
    const run2 = { ...preset('epstein-run2'), arrestRule: 'floor' as const };
    const summaries = [];
    for (let seed = 1; seed <= 20; seed++) {
      const r = await runEpstein(run2, seed, 1500);
      summaries.push(summarizeOutbursts(r.series.active, { threshold: 50, burnIn: 100 }));
    }
    const pool = poolOutbursts(summaries);
    console.log('[validation a] Run 2 floor, 20 seeds × 1400 ticks after burn-in 100:', JSON.stringify(pool));
    // Recurrence: jail terms are at most J = 30 ticks, so the jailed crowd of one outburst is
    // back within 30 ticks and calm cannot last for the whole 1400 ticks: demand at least
    // 1400 / (2·(30 + 30)) ≈ 11 outbursts per seed (two jail cycles of calm + unrest each).
    for (const s of summaries) expect(s.outbursts.length).toBeGreaterThanOrEqual(11);
    // Waiting times are bounded by the same jail clock: mean calm spell below 2·J.
    expect(pool.wait.mean).toBeGreaterThan(1);
    expect(pool.wait.mean).toBeLessThan(60);
    // Punctuated, not periodic: waits vary (coefficient of variation above 0.2).
    expect(pool.wait.sd / pool.wait.mean).toBeGreaterThan(0.2);
    // An outburst is more than one tick above 50 on average: activation > 2·51.
    expect(pool.activation.mean).toBeGreaterThan(102);
    // and cannot exceed all citizens active for a full jail cycle (1120·30).
    expect(pool.activation.mean).toBeLessThan(1120 * 30);
  });

  it('(b) Run 1: aggrieved agents are active when no cop is in vision, quiet when one is (deceptive behaviour)', async () => {
    let cop = 0;
    let copOn = 0;
    let none = 0;
    let noneOn = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const s = (await runEpstein(preset('epstein-run1'), seed, 300)).series;
      for (let t = 1; t <= 300; t++) {
        cop += s.aggrieved_cop_visible[t];
        copOn += s.aggrieved_cop_visible_active[t];
        none += s.aggrieved_no_cop[t];
        noneOn += s.aggrieved_no_cop_active[t];
      }
    }
    console.log(`[validation b] Run 1 literal: cop in vision ${copOn}/${cop} active; no cop ${noneOn}/${none} active`);
    expect(cop).toBeGreaterThan(1000);
    expect(none).toBeGreaterThan(1000);
    // No cop → C = 0 → P = 0 → active iff G > T, i.e. every aggrieved agent: share exactly 1.
    expect(noneOn / none).toBe(1);
    // Cop in vision: with L = 0.89, G − T ≤ 0.11 − 0.1 = 0.01, while P ≥ 1 − exp(−2.3·C/A) is
    // ≈ 0.9 unless actives outnumber cops; active needs R < (G − T)/P ≈ 0.011: under 10 %.
    expect(copOn / cop).toBeLessThan(0.1);
  });

  it('(c) fewer cops raise the peak share of actives', async () => {
    const peaks = async (copDensity: number) => {
      const xs = [];
      for (let seed = 1; seed <= 4; seed++) {
        const r = await runEpstein({ ...preset('epstein-run2'), arrestRule: 'floor', copDensity }, seed, 300);
        xs.push(peak(r.series.active) / r.series.citizens[0]);
      }
      return xs;
    };
    const many = await peaks(0.04);
    const few = await peaks(0.01);
    console.log(
      `[validation c] Run 2 floor peak active share: cops 0.04 ${many.map((x) => x.toFixed(3))}; cops 0.01 ${few.map((x) => x.toFixed(3))}`,
    );
    // Quartering the cops quarters C in every window, so far more citizens see C < A (P = 0)
    // and can turn active together; the mean peak must rise by a clear margin (≥ 20 %).
    expect(mean(few)).toBeGreaterThan(1.2 * mean(many));
  });

  it('(d) a sudden legitimacy drop 0.9 → 0.7 at t = 77 gives a larger peak than the same drop at 0.01 per tick', async () => {
    const peaks = async (schedule: EpsteinParams['legitimacySchedule']) => {
      const xs = [];
      for (let seed = 1; seed <= 6; seed++) {
        const r = await runEpstein(
          { ...preset('epstein-run4'), arrestRule: 'floor', legitimacySchedule: schedule },
          seed,
          200,
        );
        xs.push(peak(r.series.active));
      }
      return xs;
    };
    const sudden = await peaks({ kind: 'sudden', at: 77, to: 0.7 });
    const gradual = await peaks({ kind: 'gradual', start: 77, perTick: 0.01, to: 0.7 });
    console.log(`[validation d] Run 4 floor peak actives: sudden ${sudden}; gradual ${gradual}`);
    // Sudden: every G jumps by 0.2·H at once, so all newly aggrieved agents act together and
    // outnumber the cops (P → 0). Gradual: agents cross the threshold a few at a time over 20
    // ticks and the cops jail them for life as they do, so no crowd forms. Require ≥ 25 % more.
    expect(mean(sudden)).toBeGreaterThan(1.25 * mean(gradual));
  });

  it('(e) the literal rule yields far fewer outbursts than ⌊C/A⌋', async () => {
    const counts = async (arrestRule: EpsteinParams['arrestRule']) => {
      const xs = [];
      for (let seed = 1; seed <= 4; seed++) {
        const r = await runEpstein({ ...preset('epstein-run2'), arrestRule }, seed, 1000);
        xs.push(summarizeOutbursts(r.series.active, { burnIn: 100 }).outbursts.length);
      }
      return xs;
    };
    const literal = await counts('literal');
    const floor = await counts('floor');
    console.log(`[validation e] outbursts in 900 ticks: literal ${literal}; floor ${floor}`);
    // Literal: one active beside one cop already faces P = 1 − e^(−2.3/2) ≈ 0.68, so crowds are
    // dispersed before they grow; floor: P = 0 whenever actives outnumber cops, so crowds snowball.
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(floor)).toBeGreaterThanOrEqual(4 * 10);
    expect(sum(literal)).toBeLessThanOrEqual(0.1 * sum(floor));
  });
});
