/**
 * Capture the frozen inputs of the chart snapshot tests (test/fixtures/charts/*.json): small
 * real runs of the regime and Epstein models, reduced to the metrics the charts read.
 * The snapshots then test the chart code alone; a model change does not move them until
 * someone re-captures on purpose:  npm run charts:fixtures && CHARTS_UPDATE=1 npx vitest run test/charts-snapshots.test.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planFor } from '../../src/charts/plans/models.js';
import { comparisonSections } from '../../src/charts/node/load.js';
import { runCli, type CliContext } from '../../src/cli/program.js';
import { loadExperiment } from '../../src/charts/node/experiment.js';
import { LocalExecutor } from '../../src/engine/simulation.js';
import { models } from '../../src/models/registry.js';
import { packageVersion } from '../../src/scenario/load.js';
import { ResultsStore, type RunDetail } from '../../src/store/store.js';
import { encodeExperiment, encodeFixture, reduceExperiment } from './chart-fixtures.js';

const CASES: { name: string; args: string[] }[] = [
  { name: 'regime-baseline', args: ['--preset', 'baseline-no-surveillance', '--population', '20000', '--steps', '60'] },
  {
    name: 'regime-national-blacklist',
    args: ['--preset', 'national-blacklist', '--population', '20000', '--steps', '240'],
  },
  { name: 'regime-high-intensity', args: ['--preset', 'high-intensity', '--population', '20000', '--steps', '60'] },
  { name: 'regime-municipal-points', args: ['--preset', 'municipal-points', '--population', '20000', '--steps', '60'] },
  { name: 'regime-ijop-xinjiang', args: ['--preset', 'ijop-xinjiang', '--population', '20000', '--steps', '60'] },
  { name: 'epstein-run3', args: ['--preset', 'epstein-run3', '--steps', '150'] },
];

/** The commit the fixtures are captured at (the gallery names it), with a note when the tree had changes. */
function capturedAt(): string {
  try {
    const git = (args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const commit = git(['rev-parse', '--short=12', 'HEAD']);
    // changes to the fixtures and the gallery are this pipeline's own output, not what ran
    const own = [':!test/fixtures/charts', ':!docs/gallery', ':!docs/gallery.md'];
    return git(['status', '--porcelain', '--untracked-files=no', '--', '.', ...own])
      ? `${commit} with uncommitted changes`
      : commit;
  } catch {
    return 'an unknown commit';
  }
}

function context(out: (s: string) => void): CliContext {
  return {
    registry: models,
    version: packageVersion(),
    out,
    err: (s) => process.stderr.write(s),
    availableMemory: () => 2 ** 32,
    onSignal: () => () => undefined,
    createExecutor: async () => new LocalExecutor(),
  };
}

// before any fixture is rewritten, which would itself count as a change
const captured = { version: packageVersion(), commit: capturedAt(), date: new Date().toISOString().slice(0, 10) };
const dir = mkdtempSync(join(tmpdir(), 'pano-fixtures-'));
const db = join(dir, 'results.duckdb');
const outDir = join(import.meta.dirname, '..', 'fixtures', 'charts');
mkdirSync(outDir, { recursive: true });
try {
  for (const c of CASES) {
    let out = '';
    const code = await runCli(
      ['run', ...c.args, '--db', db, '--no-progress', '--threads', '1'],
      context((s) => (out += s)),
    );
    if (code !== 0) throw new Error(`run ${c.name} failed (${code})`);
    const runId = /run id\s+(\S+)/.exec(out)![1];
    const store = await ResultsStore.open(db, { readOnly: true });
    {
      const run: RunDetail = await store.getRun(runId);
      const plan = planFor(run.model);
      const wanted = new Set([
        ...(plan.metrics ?? []),
        ...plan.overlays.flatMap((o) => o.needs),
        ...plan.keyRows.map((k) => k.metric),
        ...comparisonSections(models, run.model).flatMap((s) => s.rows.map((r) => r.metric)),
        ...(models[run.model]?.headline ?? []),
      ]);
      const rows = await store.query<{ tick: number; metric: string; key: string; value: number }>(
        "SELECT tick, metric, key, value FROM metrics WHERE run_id = $1 AND key NOT LIKE 'region=%' ORDER BY metric, key, tick",
        [runId],
      );
      const kept = rows.filter((r) => wanted.has(r.metric));
      const file = join(outDir, `${c.name}.json`);
      writeFileSync(file, JSON.stringify(encodeFixture(run, kept)) + '\n');
      console.log(`${file}: ${kept.length} rows`);
    }
  }
  // experiments: their chart data, reduced to the outputs and series the figures read
  for (const name of ['three-presets', 'grid', 'morris', 'sobol']) {
    const file = join(outDir, 'experiments', `${name}.yaml`);
    const code = await runCli(
      ['experiment', 'run', file, '--db', db, '--no-progress'],
      context(() => undefined),
    );
    if (code !== 0 && code !== 7) throw new Error(`experiment ${name} failed (${code})`);
    const store = await ResultsStore.open(db, { create: false });
    const id = (
      await store.query<{ experiment_id: string; file: string }>('SELECT experiment_id, file FROM experiments')
    ).find((r) => r.file.endsWith(`${name}.yaml`))!.experiment_id;
    const { data } = await loadExperiment(store, id, models);
    const target = join(outDir, `experiment-${name}.json`);
    writeFileSync(target, JSON.stringify(encodeExperiment(reduceExperiment(data))) + '\n');
    console.log(`${target}: ${data.series.length} series rows`);
  }
  writeFileSync(join(outDir, 'captured.json'), JSON.stringify(captured) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
