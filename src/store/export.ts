/**
 * Export of one run's metrics to Parquet or CSV (with a `date` column when the scenario is dated).
 *
 * No file a user did not mean to replace is ever overwritten: an existing file is refused
 * unless `force`, and a DuckDB database (any results store) is refused even then. The file
 * is written under a temporary name beside the target and renamed into place, so an export
 * that is interrupted or fails (a full disk) never leaves a half-written file under the
 * name asked for.
 *
 * Files that describe an export (provenance, RO-Crate metadata) are written after it by
 * the CLI's export sidecars (src/cli/commands/store.ts, `CliContext.exportSidecars`), which
 * receive the ExportResult below.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isIsoDate } from '../scenario/dates.js';
import { UserError } from '../scenario/errors.js';
import { sqlString } from './connection.js';
import { ioKind, storeFailure } from './errors.js';
import { stagingDir } from './staging.js';
import type { ResultsStore, RunDetail } from './store.js';

export type ExportFormat = 'parquet' | 'csv';

export interface ExportOptions {
  /** Export a run that is not complete (interrupted, failed, abandoned): its rows are partial. */
  readonly partial?: boolean;
  /** Replace an existing file at the output path (never a DuckDB database). */
  readonly force?: boolean;
}

export interface ExportResult {
  readonly path: string;
  readonly format: ExportFormat;
  readonly rows: number;
  /** The run as stored (its scenario JSON, version, seed, status…), for provenance. */
  readonly run: RunDetail;
  /** True when an existing file was replaced (--force). */
  readonly replaced: boolean;
}

/** Does the file start like a DuckDB database (the magic "DUCK" at byte 8)? */
export function isDuckDbFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(12);
    const n = readSync(fd, head, 0, 12, 0);
    return n === 12 && head.subarray(8, 12).toString('latin1') === 'DUCK';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function checkStatus(run: RunDetail, store: ResultsStore, partial: boolean): void {
  if (run.status === 'complete') return;
  if (run.status === 'running')
    throw new UserError(
      `run ${run.run_id} is still running (process ${run.owner_pid ?? '?'} on ${run.owner_host ?? '?'}, ${run.ticks_done ?? 0} of ${run.steps} ticks); its metrics enter the store when it ends`,
    );
  if (run.status === 'abandoned' && run.staged)
    throw new UserError(
      `run ${run.run_id} was abandoned and its ticks are still in its staging file; run \`panopticon recover --db ${store.path}\` to move them into the store, then export with --partial`,
    );
  if (!partial)
    throw new UserError(
      `run ${run.run_id} is ${run.status}, not complete: its metrics are partial. Re-run it, or pass --partial to export the partial rows anyway`,
    );
}

function checkTarget(
  outPath: string,
  out: string,
  store: ResultsStore,
  runId: string,
  format: ExportFormat,
  force: boolean,
): boolean {
  const target = real(out);
  const own = [store.path, `${store.path}.wal`].map(real);
  if (own.includes(target) || target.startsWith(real(stagingDir(store.path)) + '/'))
    throw new UserError(
      `--out: got ${outPath}, which is the results store itself; allowed: a new file path (e.g. run.${format})`,
    );
  if (!existsSync(out)) return false;
  if (statSync(out).isDirectory())
    throw new UserError(
      `--out: got ${outPath}, which is a folder; allowed: a file path (e.g. ${join(outPath, `${runId}.${format}`)})`,
    );
  if (isDuckDbFile(out))
    throw new UserError(
      `--out: got ${outPath}, which is a DuckDB database (a results store?); it is never overwritten, even with --force; choose another path`,
    );
  if (!force)
    throw new UserError(`--out: ${outPath} already exists; pass --force to replace it, or choose another path`);
  return true;
}

/** The start date of a stored run's scenario (YYYY-MM-DD), if it is dated. */
export function startDateOf(run: Pick<RunDetail, 'scenario_json'>): string | undefined {
  try {
    const start = (JSON.parse(run.scenario_json) as { start?: unknown }).start;
    return typeof start === 'string' && isIsoDate(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

export async function exportRunMetrics(
  store: ResultsStore,
  run: RunDetail,
  format: ExportFormat,
  outPath: string,
  opts: ExportOptions,
): Promise<ExportResult> {
  checkStatus(run, store, opts.partial ?? false);
  const out = resolve(outPath);
  const replaced = checkTarget(outPath, out, store, run.run_id, format, opts.force ?? false);
  try {
    mkdirSync(dirname(out), { recursive: true });
  } catch (e) {
    throw storeFailure(e, out, 'create the export folder');
  }
  const tmp = join(dirname(out), `.${basename(out)}.${randomBytes(4).toString('hex')}.tmp`);
  // A dated scenario's rows carry the calendar date of their tick (tick 0 = its start).
  const start = startDateOf(run);
  const date = start ? `, (DATE ${sqlString(start)} + tick) AS date` : '';
  const options = format === 'parquet' ? 'FORMAT parquet, COMPRESSION zstd' : 'FORMAT csv, HEADER true';
  try {
    const rows = await store.read(
      async (tx) => {
        await tx
          .run(
            `COPY (SELECT run_id, tick${date}, metric, key, value FROM metrics WHERE run_id = $1 ORDER BY tick, metric, key) TO ${sqlString(tmp)} (${options})`,
            [run.run_id],
          )
          // a full or read-only disk here is the output's, not the store's: name the file being written
          .catch((e: unknown) => {
            throw ioKind(e) ? storeFailure(e, out, `write the export of run ${run.run_id}`) : e;
          });
        const [{ n }] = await tx.query<{ n: number }>('SELECT count(*)::DOUBLE AS n FROM metrics WHERE run_id = $1', [
          run.run_id,
        ]);
        return n;
      },
      { what: `export run ${run.run_id}` },
    );
    renameSync(tmp, out);
    return { path: out, format, rows, run, replaced };
  } catch (e) {
    rmSync(tmp, { force: true });
    throw storeFailure(e, out, `export run ${run.run_id}`);
  }
}
