/**
 * The RO-Crate written beside an exported file: which run, software and parameters produced
 * it. Plugged into `panopticon export` as an export sidecar (CliContext.exportSidecars).
 */
import { basename, dirname, resolve } from 'node:path';
import type { ExportSidecar } from '../../cli/context.js';
import type { ExportFormat } from '../../store/store.js';
import { roCrate } from '../report/rocrate.js';
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
