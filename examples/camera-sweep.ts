/**
 * Example: a parameter sweep through the library API, without the CLI or the store.
 * What does adding cameras to the Safe City export package do to detection, to people
 * falsely matched and to what residents dare to post?
 *
 *   npx tsx examples/camera-sweep.ts [--population 50000] [--days 90]
 *
 * Each point is one run of the `safe-city-export` preset with a different camera density
 * in every region, on the same seed; totals are summed over the days.
 */
import { runSimulation } from '../src/engine/simulation.js';
import { models } from '../src/models/registry.js';
import type { RegimeParams } from '../src/models/regime/params.js';
import { loadPreset } from '../src/scenario/load.js';

export interface SweepRow {
  readonly camerasPerThousand: number;
  readonly detectedByCamera: number;
  readonly falseMatches: number;
  readonly postsWanted: number;
  readonly postsWritten: number;
  readonly finalLegitimacy: number;
}

export async function cameraSweep(densities: readonly number[], population: number, days: number): Promise<SweepRow[]> {
  const entry = models.regime;
  const preset = loadPreset('safe-city-export', { registry: models, overrides: { population } });
  const rows: SweepRow[] = [];
  for (const camerasPerThousand of densities) {
    const params = structuredClone(preset.params) as RegimeParams;
    for (const region of params.population.regions) region.camerasPerThousand = camerasPerThousand;
    const parsed = entry.params.parse(params) as RegimeParams;
    const layout = entry.definition.layout(parsed);
    // Whole-population slots (key '') of the metrics we report.
    const at = (name: string) => layout.metrics.findIndex((m) => m.name === name && m.key === '');
    const [camera, falseCamera, wanted, written, legitimacy] = [
      'detected_camera',
      'false_camera',
      'posts_desired',
      'posts_expressed',
      'legitimacy_mean',
    ].map(at);
    const totals = { camera: 0, falseCamera: 0, wanted: 0, written: 0, legitimacy: 0 };
    await runSimulation(entry.definition, parsed, {
      seed: preset.seed,
      steps: days,
      onTick: (tick, v) => {
        totals.legitimacy = v[legitimacy];
        if (tick === 0) return; // tick 0 is the initial state, not a day
        totals.camera += v[camera];
        totals.falseCamera += v[falseCamera];
        totals.wanted += v[wanted];
        totals.written += v[written];
      },
    });
    rows.push({
      camerasPerThousand,
      detectedByCamera: totals.camera,
      falseMatches: totals.falseCamera,
      postsWanted: totals.wanted,
      postsWritten: totals.written,
      finalLegitimacy: totals.legitimacy,
    });
  }
  return rows;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await cameraSweep([0, 20, 60, 120, 240], arg('population', 50_000), arg('days', 90));
  console.table(rows);
}
