/**
 * The RO-Crate written beside an exported file: which run, software and parameters produced
 * it. Plugged into `panopticon export` and `panopticon experiment export` as sidecars
 * (CliContext.exportSidecars, CliContext.experimentExportSidecars).
 */
import { basename, dirname, resolve } from 'node:path';
import type { ExperimentExportSidecar, ExportSidecar } from '../../cli/context.js';
import { ResultsStore } from '../../store/store.js';
import type { ExportFormat } from '../../store/store.js';
import { roCrate } from '../report/rocrate.js';
import { loadExperiment } from './experiment.js';
import { runProvenance } from './load.js';
import { writeCrate } from './output.js';
import { generatorInfo } from './software.js';

const MEDIA: Record<ExportFormat, string> = { parquet: 'application/vnd.apache.parquet', csv: 'text/csv' };

/**
 * Write ro-crate-metadata.json beside the exported file, or extend the one Panopticon wrote
 * there before. A crate file another tool wrote is left alone (nothing is returned for it).
 */
export const roCrateSidecar: ExportSidecar = async (exported, store) => {
  const run = exported.run;
  const out = resolve(exported.path);
  const crate = roCrate({
    name: `Panopticon export of run ${run.run_id}`,
    description: `Per-tick metrics (long form: run_id, tick, metric, key, value) of run ${run.run_id}: model ${run.model}${run.preset ? `, preset ${run.preset}` : ''}, seed ${run.seed}.`,
    files: [
      {
        path: basename(out),
        name: `Metrics of run ${run.run_id} (${exported.format === 'parquet' ? 'Parquet' : 'CSV'})`,
        encodingFormat: MEDIA[exported.format],
        description: 'Columns: run_id, tick, metric, key (empty for the whole population, group=…, region=…), value.',
      },
    ],
    runs: [await runProvenance(store, run)],
    generator: generatorInfo(`panopticon export ${run.run_id} --format ${exported.format} --out ${exported.path}`),
    action: 'export',
  });
  const written = writeCrate(dirname(out), crate);
  return written ? [written] : [];
};

/** What each table of `experiment export` holds (src/cli/commands/experiment.ts). */
const EXPERIMENT_TABLES: Readonly<Record<string, string>> = {
  runs: 'one row per run: design point, factor values, arm, replicate, seed, status and every output',
  summary: 'each output at each point and arm: mean over replicates with its 95 % interval',
  paired: 'paired differences of each arm from the reference arm, with 95 % intervals',
  morris: 'Morris elementary effects (mu, mu*, sigma) with bootstrap intervals',
  sobol: 'Sobol first-order and total indices with bootstrap intervals',
  series: 'the per-tick series the experiment kept, per run',
};

/**
 * Write ro-crate-metadata.json beside an experiment's exported tables: the tables, the
 * experiment (design, factors, outputs, arms with every parameter, its source and which vary)
 * and the software. A crate another tool wrote there is left alone.
 */
export const experimentCrateSidecar: ExperimentExportSidecar = async (exported, db, registry) => {
  const store = await ResultsStore.open(db, { readOnly: true });
  const { provenance } = await loadExperiment(store, exported.experimentId, registry);
  const crate = roCrate({
    name: `Panopticon export of experiment ${exported.experimentId}`,
    description: `The tables of experiment ${exported.experimentId} (${provenance.design} design, ${provenance.points} point(s), arms ${provenance.arms.map((a) => a.name).join(', ')}).`,
    files: exported.files.map((f) => {
      const table = basename(f).replace(/\.(parquet|csv)$/, '');
      return {
        path: basename(f),
        name: `${table} table of experiment ${exported.experimentId} (${exported.format === 'parquet' ? 'Parquet' : 'CSV'})`,
        encodingFormat: MEDIA[exported.format],
        ...(EXPERIMENT_TABLES[table] ? { description: EXPERIMENT_TABLES[table] } : {}),
      };
    }),
    runs: [],
    experiment: provenance,
    generator: generatorInfo(
      `panopticon experiment export ${exported.experimentId} --format ${exported.format} --out ${exported.dir}`,
    ),
    action: 'export',
  });
  const written = writeCrate(exported.dir, crate);
  return written ? [written] : [];
};
