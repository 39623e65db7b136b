/** The RO-Crate written beside an exported file (`panopticon export`): which run, software and parameters produced it. */
import { basename, dirname, join, resolve } from 'node:path';
import type { ExportFormat, ResultsStore } from '../../store/store.js';
import { roCrate } from '../report/rocrate.js';
import { runProvenance } from './load.js';
import { writeCrate } from './output.js';
import { generatorInfo } from './software.js';

const MEDIA: Record<ExportFormat, string> = { parquet: 'application/vnd.apache.parquet', csv: 'text/csv' };

/** Write (or extend) ro-crate-metadata.json beside `outPath`; returns the line to print. */
export async function writeExportCrate(
  store: ResultsStore,
  runId: string,
  outPath: string,
  format: ExportFormat,
  command: string,
): Promise<string> {
  const run = await store.getRun(runId);
  const provenance = await runProvenance(store, run);
  const dir = dirname(resolve(outPath));
  const crate = roCrate({
    name: `Panopticon export of run ${runId}`,
    description: `Per-tick metrics (long form: run_id, tick, metric, key, value) of run ${runId}: model ${run.model}${run.preset ? `, preset ${run.preset}` : ''}, seed ${run.seed}.`,
    files: [
      {
        path: basename(outPath),
        name: `Metrics of run ${runId} (${format === 'parquet' ? 'Parquet' : 'CSV'})`,
        encodingFormat: MEDIA[format],
        description: 'Columns: run_id, tick, metric, key (empty for the whole population, group=…, region=…), value.',
      },
    ],
    runs: [provenance],
    generator: generatorInfo(command),
    action: 'export',
  });
  const written = writeCrate(dir, crate);
  return written
    ? `wrote ${written} (RO-Crate: what produced the file)\n`
    : `left ${join(dir, 'ro-crate-metadata.json')} alone: another tool wrote it, so no RO-Crate metadata was added\n`;
}
