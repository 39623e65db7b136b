/**
 * Epstein (2002) Model II (inter-group violence): determinism, bookkeeping, and the paper's
 * qualitative results for Runs 6–8 (docs/validation/epstein.md, "Model II") from the shipped presets. Fixed seeds; the
 * thresholds follow from the rules (comments), not from fitting. Prints the numbers quoted in
 * docs/validation/epstein.md ("Model II").
 */
import { describe, expect, it } from 'vitest';
import {
  checkInvariants,
  epstein2Params,
  genocideTick,
  initialAgentsOf,
  runEpstein2,
  type Epstein2Params,
} from '../src/models/epstein2/index.js';
import { models } from '../src/models/registry.js';
import { loadPreset } from '../src/scenario/load.js';

const preset = (name: string): Epstein2Params => loadPreset(name, { registry: models }).params as Epstein2Params;
const seeds = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/** Genocide tick per seed (the horizon if both groups survive) and the victor of each genocide. */
async function genocides(p: Epstein2Params, n: number, horizon: number) {
  const ticks: number[] = [];
  const victors: string[] = [];
  for (const seed of seeds(n)) {
    const run = await runEpstein2(p, seed, horizon, { stopAtGenocide: true });
    const g = genocideTick(run);
    ticks.push(g < 0 ? horizon : g);
    if (g >= 0) victors.push(run.series.blue[g] > 0 ? 'blue' : 'green');
  }
  const extinct = victors.length;
  const mean = ticks.reduce((a, b) => a + b, 0) / n;
  const median = [...ticks].sort((a, b) => a - b)[Math.floor(n / 2)];
  return { ticks, victors, extinct, mean, median };
}

describe('epstein2 parameters and presets', () => {
  it('Runs 6–8 carry Table 2 values; the schema is strict', () => {
    const [r6, r7, r8] = ['epstein-run6', 'epstein-run7', 'epstein-run8'].map(preset);
    for (const r of [r6, r7, r8]) {
      expect(r).toMatchObject({ vision: 1.7, copVision: 1.7, maxJailTerm: 15, cloneProbability: 0.05, maxAge: 200 });
      expect(initialAgentsOf(r)).toEqual({ blue: 560, green: 560 });
    }
    expect([r6.legitimacy, r7.legitimacy, r8.legitimacy]).toEqual([0.9, 0.8, 0.8]);
    expect([r6.copDensity, r7.copDensity, r8.copDensity]).toEqual([0, 0, 0.04]);
    expect(() => epstein2Params.parse({ colour: 'red' })).toThrow();
    expect(() => epstein2Params.parse({ cloneProbability: 2 })).toThrow(/cloneProbability/);
  });
});

describe('epstein2 determinism and bookkeeping', () => {
  it('the same seed gives identical series, another seed a different one', async () => {
    const p = preset('epstein-run8');
    const a = await runEpstein2(p, 7, 120);
    const b = await runEpstein2(p, 7, 120);
    const c = await runEpstein2(p, 8, 120);
    expect(a.series).toEqual(b.series);
    expect(a.series.blue).not.toEqual(c.series.blue);
  });

  it('population changes only by births, kills and deaths of age; the state stays consistent', async () => {
    const p = preset('epstein-run8');
    const problems: string[] = [];
    const run = await runEpstein2(p, 3, 300, {
      inspect: (tick, columns, globals) => {
        for (const q of checkInvariants(p, columns, globals)) problems.push(`tick ${tick}: ${q}`);
      },
    });
    expect(problems).toEqual([]);
    const s = run.series;
    let kills = 0;
    for (let t = 1; t <= 300; t++) {
      expect(s.blue[t]).toBe(s.blue[t - 1] + s.blue_born[t] - s.blue_killed[t] - s.blue_died[t]);
      expect(s.green[t]).toBe(s.green[t - 1] + s.green_born[t] - s.green_killed[t] - s.green_died[t]);
      // Each agent acts at most once per tick and kills at most one member of the other group.
      expect(s.blue_killed[t]).toBeLessThanOrEqual(s.green[t - 1]);
      expect(s.green_killed[t]).toBeLessThanOrEqual(s.blue[t - 1]);
      // A clone needs a parent that was alive at the start of the tick (newborns do not act).
      expect(s.blue_born[t]).toBeLessThanOrEqual(s.blue[t - 1]);
      expect(s.green_born[t]).toBeLessThanOrEqual(s.green[t - 1]);
      expect(s.cops[t]).toBe(64);
      expect(s.jailed[t]).toBeLessThanOrEqual(s.jailed[t - 1] + s.arrests[t]);
      expect(s.blue[t] + s.green[t] - s.jailed[t] + s.cops[t]).toBeLessThanOrEqual(1600);
      kills += s.blue_killed[t] + s.green_killed[t];
    }
    expect(kills).toBeGreaterThan(0);
    expect(s.arrests.reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
  });
});

describe('Epstein (2002) Model II results (docs/validation/epstein.md, "Model II")', () => {
  it('Run 6 (L 0.9, no cops): nobody is ever active, so both groups coexist', async () => {
    // G = 0.1·H < 0.1 = T and P = 0 without cops: G − R·P > T never holds.
    const p = preset('epstein-run6');
    const lines: string[] = [];
    for (const seed of seeds(6)) {
      const run = await runEpstein2(p, seed, 500);
      const s = run.series;
      expect(Math.max(...s.blue_active, ...s.green_active, ...s.blue_killed, ...s.green_killed)).toBe(0);
      expect(genocideTick(run)).toBe(-1);
      lines.push(`${s.blue[500]}/${s.green[500]}`);
    }
    console.log(`Run 6, 6 seeds × 500: no actives, no kills; blue/green at t = 500: ${lines.join(', ')}`);
  });

  it('Run 7 (L 0.8, no cops): genocide in most seeds, victor random', async () => {
    // Agents with H > 0.5 are always active (G > 0.1, P = 0): both sides kill every tick they
    // meet, so the war ends only when one side is gone. The rules are symmetric in colour, so
    // either side wins; 16 fair coins give ≤ 2 of one colour with probability 0.2 %.
    const r = await genocides(preset('epstein-run7'), 16, 2000);
    console.log(
      `Run 7, 16 seeds × ≤ 2000: genocide ${r.extinct}/16 at ticks ${r.ticks.join(', ')} (mean ${r.mean.toFixed(0)}, median ${r.median}); blue won ${r.victors.filter((v) => v === 'blue').length}`,
    );
    expect(r.extinct).toBeGreaterThanOrEqual(12);
    const blue = r.victors.filter((v) => v === 'blue').length;
    expect(blue).toBeGreaterThanOrEqual(3);
    expect(r.extinct - blue).toBeGreaterThanOrEqual(3);
  });

  it('Run 8 (cops 0.04 from the start): genocide comes later on average than in Run 7', async () => {
    // Cops jail killers (they cannot kill or clone while jailed, nor be killed) and deter
    // isolated actives (P = 0.9 when one cop and no active ally are in view): the war slows.
    const without = await genocides(preset('epstein-run7'), 16, 2000);
    const withCops = await genocides(preset('epstein-run8'), 16, 2000);
    // Contrast (ODD decision M5): released agents re-entering at a random cell of the whole
    // lattice carry killers into the other group's territory and mix the groups.
    const scattered = await genocides({ ...preset('epstein-run8'), releasePlacement: 'random-cell' }, 16, 2000);
    const line = (name: string, r: typeof without) =>
      `${name}: genocide ${r.extinct}/16, mean ${r.mean.toFixed(0)}, median ${r.median}, ticks ${r.ticks.join(', ')}`;
    console.log([line('Run 7', without), line('Run 8', withCops), line('Run 8 random-cell', scattered)].join('\n'));
    expect(withCops.mean).toBeGreaterThan(without.mean);
    expect(scattered.mean).toBeLessThan(withCops.mean);
  });
});
