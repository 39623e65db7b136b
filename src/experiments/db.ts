/**
 * The results store as the experiment layer uses it: `write(fn)` runs `fn` in one short
 * transaction, `read(fn)` a read, each opening and closing the file (src/store), so that
 * `runs`, `export` and other processes reach the store between them while an experiment
 * runs. The coordinator is the only process that writes an experiment's tables.
 */
import { ResultsStore, type StoreTx } from '../store/store.js';

export type { StoreTx };
/** `readOnly`: a store opened only to read (an archive, `panopticon serve`): analyses are computed, not stored. */
export type ExperimentDb = Pick<ResultsStore, 'path' | 'read' | 'write'> & { readonly readOnly?: boolean };

export function openExperimentDb(path: string, opts: { create?: boolean } = {}): Promise<ExperimentDb> {
  return ResultsStore.open(path, opts);
}
