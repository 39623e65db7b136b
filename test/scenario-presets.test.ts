/** The preset files shipped in scenarios/ against the real model registry. */
import { describe, expect, it } from 'vitest';
import { models } from '../src/models/registry.js';
import { DEFAULT_PRESET, listPresets, loadPreset, presetDoc } from '../src/scenario/load.js';
import { checkMemory, leafPaths } from '../src/scenario/resolve.js';
import { isSourceId } from '../src/scenario/sources.js';

const names = listPresets();

describe('shipped presets', () => {
  it('include the default preset and the presets the design requires', () => {
    expect(names).toContain(DEFAULT_PRESET);
    expect(names.length).toBeGreaterThanOrEqual(6);
  });

  it.each(names)(
    '%s validates, cites a registered source for every value it sets, and fits in 16 GiB (nation: refused)',
    (name) => {
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
      for (const ids of Object.values(p.sources)) {
        expect(ids.length).toBeGreaterThan(0);
        for (const id of ids) expect(isSourceId(id), `${name}: ${id}`).toBe(true);
      }
      // Every preset fits a 16 GiB budget except the national one, which is refused up front.
      if (name === 'nation') expect(() => checkMemory(p, models, 16 * 2 ** 30)).toThrow(/needs [\d.]+ GiB of state/);
      else expect(checkMemory(p, models, 16 * 2 ** 30).agents).toBeGreaterThan(0);
    },
  );
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
