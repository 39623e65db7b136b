/**
 * Short-lived access to a DuckDB file: open, do one thing, close.
 *
 * DuckDB lets one process hold a database file for writing, or any number of processes
 * hold it for reading, never both at once. A results store is therefore never held for
 * longer than one transaction: a reader opens it read-only, a writer opens it read-write
 * inside BEGIN … COMMIT, and both close it at once (closing checkpoints the WAL into the
 * file). When another process holds the file, opening is retried with jittered back-off
 * until `waitMs` runs out.
 *
 * Within one process, every open of one file is serialised: DuckDB's lock is a POSIX
 * record lock, which belongs to the process, and closing a second handle on the same file
 * would silently drop the first handle's lock. So open a store only through this module,
 * and only from one thread of a process (worker threads have their own copy of the queue).
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { isLockError, lockHolder, storeFailure } from './errors.js';

export type SqlValue = string | number | boolean | null;

/** One open transaction on the store (or a read-only view of it), for the length of a callback. */
export interface StoreTx {
  /** The raw DuckDB connection, for appenders and anything the helpers below do not cover. */
  readonly connection: DuckDBConnection;
  /** Run a statement (or several separated by semicolons, without values); returns rows changed. */
  run(sql: string, values?: readonly SqlValue[]): Promise<number>;
  /** Run a query and return plain JS rows (BIGINT as number, timestamps as ISO strings). */
  query<T>(sql: string, values?: readonly SqlValue[]): Promise<T[]>;
}

export interface AccessOptions {
  /** How long to keep retrying while another process holds the file (ms; Infinity: until it is free). */
  readonly waitMs?: number;
  /** Called after 2 s of waiting and every 10 s after, with the PID DuckDB names as the holder and the time waited. */
  readonly onWait?: (holderPid: number | undefined, waitedMs: number) => void;
  /** Databases to ATTACH read-only for the transaction, by alias (a write may copy from them). */
  readonly attach?: Readonly<Record<string, string>>;
  /** What the access is for, in words, for error messages ("list runs"). */
  readonly what?: string;
}

/**
 * How long a command waits for another process's transaction by default: the environment
 * variable PANOPTICON_LOCK_WAIT (seconds) if set, else 60 s — long enough to outlast the
 * final import of a national run.
 */
export function defaultWaitMs(): number {
  const env = process.env.PANOPTICON_LOCK_WAIT;
  const seconds = env !== undefined && env.trim() !== '' ? Number(env) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 60_000;
}

const queues = new Map<string, Promise<unknown>>();

function fileKey(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Run `task` after every earlier task on the same file in this process has finished. */
function serialised<T>(path: string, task: () => Promise<T>): Promise<T> {
  const key = fileKey(path);
  const before = queues.get(key) ?? Promise.resolve();
  const mine = before.then(task, task);
  const tail = mine.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return mine;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function plain(row: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row))
    o[k] = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v;
  return o;
}

function txOf(connection: DuckDBConnection): StoreTx {
  return {
    connection,
    async run(sql, values) {
      const result = await connection.run(sql, values ? [...values] : undefined);
      return Number(result.rowsChanged);
    },
    async query<T>(sql: string, values?: readonly SqlValue[]) {
      const reader = await connection.runAndReadAll(sql, values ? [...values] : undefined);
      return reader.getRowObjectsJS().map((row) => plain(row) as T);
    },
  };
}

async function openWithRetry(path: string, readOnly: boolean, opts: AccessOptions): Promise<DuckDBInstance> {
  const waitMs = opts.waitMs ?? defaultWaitMs();
  const start = performance.now();
  let delay = 5;
  let nextReport = start + 2_000; // then every 10 s
  for (;;) {
    try {
      return await DuckDBInstance.create(path, readOnly ? { access_mode: 'READ_ONLY' } : {});
    } catch (e) {
      const waited = performance.now() - start;
      if (!isLockError(e) || waited >= waitMs) throw storeFailure(e, path, opts.what ?? 'open it');
      if (opts.onWait && performance.now() >= nextReport) {
        nextReport = performance.now() + 10_000;
        opts.onWait(lockHolder((e as Error).message), waited);
      }
      await sleep(Math.min(delay * (0.5 + Math.random()), Math.max(1, waitMs - waited)));
      delay = Math.min(delay * 2, 250);
    }
  }
}

function closeQuietly(con: DuckDBConnection | undefined, instance: DuckDBInstance): void {
  // A failed close (a checkpoint on a full disk) loses nothing: what was committed is in
  // the WAL, and the next open replays it.
  try {
    con?.closeSync();
  } catch {
    /* see above */
  }
  try {
    instance.closeSync();
  } catch {
    /* see above */
  }
}

/** Open `path`, attach what is asked, run `fn` on the connection, close (whatever happens). */
function withDatabase<T>(
  path: string,
  readOnly: boolean,
  fn: (con: DuckDBConnection) => Promise<T>,
  opts: AccessOptions,
): Promise<T> {
  return serialised(path, async () => {
    const instance = await openWithRetry(path, readOnly, opts);
    let con: DuckDBConnection | undefined;
    try {
      con = await instance.connect();
      for (const [alias, file] of Object.entries(opts.attach ?? {}))
        await con.run(`ATTACH ${sqlString(file)} AS ${alias} (READ_ONLY)`);
      return await fn(con);
    } catch (e) {
      throw storeFailure(e, path, opts.what ?? (readOnly ? 'read it' : 'write to it'));
    } finally {
      closeQuietly(con, instance);
    }
  });
}

/**
 * Open `path` read-only, run `fn`, close. Fails with a 'busy' error if a writer holds the
 * file for longer than `waitMs`.
 */
export function readDatabase<T>(path: string, fn: (tx: StoreTx) => Promise<T>, opts: AccessOptions = {}): Promise<T> {
  return withDatabase(path, true, (con) => fn(txOf(con)), opts);
}

/**
 * Open `path` read-write, run `fn` inside one transaction, commit and close. If `fn` throws,
 * nothing it did is kept.
 */
export function writeDatabase<T>(path: string, fn: (tx: StoreTx) => Promise<T>, opts: AccessOptions = {}): Promise<T> {
  return withDatabase(
    path,
    false,
    async (con) => {
      await con.run('BEGIN TRANSACTION');
      try {
        const result = await fn(txOf(con));
        await con.run('COMMIT');
        return result;
      } catch (e) {
        await con.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    },
    opts,
  );
}

/** A SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
