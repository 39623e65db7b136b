/** The preset files shipped in scenarios/ against the real model registry. */
import { describe, expect, it } from 'vitest';
import { models } from '../src/models/registry.js';
import { DEFAULT_PRESET, listPresets, loadPreset, presetDoc } from '../src/scenario/load.js';
import { checkMemory, checkWorkers, leafPaths, resolveScenario } from '../src/scenario/resolve.js';
import { isSourceId } from '../src/scenario/sources.js';

const names = listPresets();

describe('shipped presets', () => {
  it('include the default preset and the presets the design requires', () => {
    expect(names).toContain(DEFAULT_PRESET);
    expect(names.length).toBeGreaterThanOrEqual(6);
  });

  it.each(names)('%s validates, cites a registered source for every value it sets, and fits in 16 GiB', (name) => {
    const p = loadPreset(name, { registry: models });
    expect(p.name).toBe(name);
    expect(p.description?.length).toBeGreaterThan(10);
    const written = leafPaths(presetDoc(name).params ?? {});
    const keys = Object.keys(p.sources);
    for (const leaf of written) {
      const parts = leaf.split('.');
      const covering = keys.filter((k) => parts.slice(0, k.split('.').length).join('.') === k);
      expect(covering.length, `${name}: ${leaf}`).toBeGreaterThan(0);
    }
    // Model defaults a preset leaves in effect are part of its numbers too: each must be
    // cited (or marked assumption) unless its mechanism is switched off. agentsPerShard is
    // an engine setting, not a statement about the world.
    const params = p.params as Record<string, unknown>;
    for (const leaf of leafPaths(params)) {
      const top = leaf.split('.')[0];
      const block = params[top] as { enabled?: boolean } | undefined;
      if (top === 'agentsPerShard' || (block && block.enabled === false)) continue;
      const parts = leaf.split('.');
      const covering = keys.filter((k) => parts.slice(0, k.split('.').length).join('.') === k);
      expect(covering.length, `${name}: default in effect ${leaf}`).toBeGreaterThan(0);
    }
    for (const ids of Object.values(p.sources)) {
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(isSourceId(id), `${name}: ${id}`).toBe(true);
    }
    // Every preset fits a 16 GiB budget, the national one (1.41 billion residents) included.
    expect(checkMemory(p, models, 16 * 2 ** 30).agents).toBeGreaterThan(0);
  });
});

describe('--population override', () => {
  it('scales a regime preset to the asked size, keeping its shares', () => {
    const base = loadPreset('national-blacklist', { registry: models });
    const scaled = loadPreset('national-blacklist', { registry: models, overrides: { population: 50_000 } });
    const pop = (s: typeof base) => (s.params as { population: { agents: number; regions: unknown[] } }).population;
    expect(pop(scaled).agents).toBe(50_000);
    expect(pop(scaled).regions).toEqual(pop(base).regions);
    expect(checkMemory(scaled, models, 16 * 2 ** 30).agents).toBe(50_000);
  });

  it('refuses a model without a synthesized population, and an out-of-range size, naming the field', () => {
    expect(() => loadPreset('epstein-run2', { registry: models, overrides: { population: 5000 } })).toThrow(
      /population: got 5000; model "epstein" has no population.agents to scale/,
    );
    expect(() => loadPreset('national-blacklist', { registry: models, overrides: { population: 10 } })).toThrow(
      /params\.population\.agents/,
    );
  });

  it('refuses a population the machine cannot hold, before allocating, with the bytes it needs', () => {
    const huge = loadPreset('national-blacklist', { registry: models, overrides: { population: 1_000_000_000 } });
    expect(() => checkMemory(huge, models, 8 * 2 ** 30)).toThrow(/GiB/);
  });
});

describe('starting a scenario from a preset', () => {
  it('merges params at every depth and drops the preset citation of each value it overrides', () => {
    const doc = { preset: 'high-intensity', params: { cameras: { falseMatchRate: 0.001 } } };
    const s = resolveScenario(doc, { registry: models, origin: 'test', presetDoc: (n) => presetDoc(n) });
    const cameras = (s.params as { cameras: Record<string, unknown> }).cameras;
    const preset = (loadPreset('high-intensity', { registry: models }).params as { cameras: Record<string, unknown> })
      .cameras;
    expect(cameras).toEqual({ ...preset, falseMatchRate: 0.001 });
    expect(s.sources['cameras.falseMatchRate']).toBeUndefined();
    expect(s.sources['cameras.enabled']).toEqual(['CDT19', 'IPVM']);
  });

  it("reports a model's cross-field rule in its own words", () => {
    const doc = {
      preset: 'baseline-no-surveillance',
      params: { population: { householdSizes: [0.5, 0.6] } },
    };
    expect(() => resolveScenario(doc, { registry: models, origin: 'test', presetDoc: (n) => presetDoc(n) })).toThrow(
      /params\.population\.householdSizes: got \[0\.5,0\.6\]; household size probabilities sum to 1\.1, must sum to 1/,
    );
  });

  it('names --population when its value is not a whole number', () => {
    expect(() => loadPreset('national-blacklist', { registry: models, overrides: { population: 'abc' } })).toThrow(
      /population \(--population\): got "abc"; allowed: a whole number of agents/,
    );
  });

  it('says how many agents would fit, and refuses worker threads that would not', () => {
    const nation = loadPreset('nation', { registry: models });
    expect(() => checkMemory(nation, models, 12 * 2 ** 30)).toThrow(
      /params\.population\.agents: .*at most about [\d,]+ agents fit \(--population N\)/,
    );
    // One agent per person fits the 20 GiB a 24 GB machine leaves for state (cli/main.ts),
    // with room to spare: 11.3 bytes each.
    expect(checkMemory(nation, models, 20 * 2 ** 30).stateBytes / 1.41e9).toBeLessThan(11.4);
    const small = loadPreset('national-blacklist', { registry: models, overrides: { population: 100_000 } });
    const estimate = checkMemory(small, models, 2 ** 30);
    expect(() => checkWorkers(small, estimate, 2, 2 ** 30)).not.toThrow();
    expect(() => checkWorkers(small, estimate, 64, 2 ** 30)).toThrow(/threads: got 64; .*use fewer threads/);
  });
});
