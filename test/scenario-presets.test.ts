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
    for (const ids of Object.values(p.sources)) {
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(isSourceId(id), `${name}: ${id}`).toBe(true);
    }
    expect(checkMemory(p, models, 16 * 2 ** 30).agents).toBeGreaterThan(0);
  });
});
