/**
 * The results store as the experiment layer uses it: `write(fn)` runs `fn` in one short
 * transaction, `read(fn)` a read, each opening and closing the file (src/store), so that
 * `runs`, `export` and other processes reach the store between them while an experiment
 * runs. The coordinator is the only process that writes an experiment's tables.
 */
import { UserError } from '../scenario/errors.js';
import { ResultsStore, type StoreTx } from '../store/store.js';

export type { StoreTx };
/** `readOnly`: a store opened only to read (an archive, `panopticon serve`): analyses are computed, not stored. */
export type ExperimentDb = Pick<ResultsStore, 'path' | 'read' | 'write'> & { readonly readOnly?: boolean };

export function openExperimentDb(path: string, opts: { create?: boolean } = {}): Promise<ExperimentDb> {
  return ResultsStore.open(path, opts);
}

/**
 * For reading commands (analyze, export, list): read-write, so that a fresh analysis is kept
 * in the store's tables; an archive on read-only media is opened read-only instead (the
 * analysis is computed, not kept) rather than refused.
 */
export async function openExperimentDbToRead(path: string): Promise<ExperimentDb> {
  try {
    return await ResultsStore.open(path, { create: false });
  } catch (e) {
    if (e instanceof UserError && e.kind === 'read-only') return ResultsStore.open(path, { readOnly: true });
    throw e;
  }
}
