/**
 * The explorer's scenario as a scenario file that `panopticon run FILE` accepts: it starts
 * from the preset (`preset:`) and writes only what differs from it — mappings key by key,
 * lists whole, as the CLI merges them — with the seed and days. Every value written cites
 * its source: the preset's citation for values kept from it, `assumption` for values the
 * user changed.
 */
import { leafPaths } from '../../../src/scenario/resolve.js';
import { ASSUMPTION } from '../../../src/scenario/sources.js';
import { overlayTree, type Tree } from './paths.js';
import { citationOf, type PresetCatalog } from './presets.js';
import { changedParams, effectiveParams, presetOrThrow, type Settings, type Side } from './state.js';

export function scenarioFileDoc(catalog: PresetCatalog, side: Side, settings: Settings): Tree {
  const preset = presetOrThrow(catalog, side.preset);
  const params = overlayTree(preset.base, effectiveParams(catalog, side, settings));
  const changed = new Set(changedParams(catalog, side, settings).map(([path]) => path));
  const sources: Record<string, string | string[]> = {};
  for (const leaf of leafPaths(params)) {
    if (changed.has(leaf)) sources[leaf] = ASSUMPTION;
    else {
      const ids = citationOf(preset, leaf).ids;
      sources[leaf] = ids.length === 1 ? ids[0] : [...ids];
    }
  }
  const n = changed.size;
  return {
    description: `${preset.name} from the Panopticon explorer, ${n} parameter${n === 1 ? '' : 's'} changed`,
    model: preset.model.name,
    preset: preset.name,
    seed: settings.seed,
    steps: settings.steps,
    params,
    ...(Object.keys(sources).length ? { sources } : {}),
  };
}

/** The file's text. The YAML library is loaded when a file is first asked for, not with the page. */
export async function scenarioFileText(catalog: PresetCatalog, side: Side, settings: Settings): Promise<string> {
  const { Document } = await import('yaml');
  const doc = new Document(scenarioFileDoc(catalog, side, settings));
  doc.commentBefore =
    ' Made with the Panopticon explorer. Run it with: npx panopticon run THIS_FILE\n' +
    ' Values kept from the preset cite its sources; values changed in the explorer say "assumption".';
  return doc.toString({ lineWidth: 0 });
}
