/**
 * Transactions on the results store, as the experiment tables use them: `write(fn)` runs
 * `fn` inside BEGIN … COMMIT (ROLLBACK if it throws), `read(fn)` runs a read. Everything
 * the experiment layer stores goes through these two calls, in short transactions.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { UserError } from '../scenario/errors.js';

export type SqlValue = string | number | boolean | null;

export interface StoreTx {
  readonly connection: DuckDBConnection;
  run(sql: string, values?: readonly SqlValue[]): Promise<number>;
  query<T>(sql: string, values?: readonly SqlValue[]): Promise<T[]>;
}

export interface ExperimentDb {
  readonly path: string;
  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): void;
}

function txOf(con: DuckDBConnection): StoreTx {
  return {
    connection: con,
    async run(sql, values) {
      const r = await con.run(sql, values as DuckDBValue[] | undefined);
      return Number(r.rowsChanged);
    },
    async query<T>(sql: string, values?: readonly SqlValue[]): Promise<T[]> {
      const reader = await con.runAndReadAll(sql, values as DuckDBValue[] | undefined);
      return reader.getRowObjectsJS().map((row) => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row))
          o[k] = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v;
        return o as T;
      });
    },
  };
}

/** Open the store file (creating it unless `create: false`). */
export async function openExperimentDb(path: string, opts: { create?: boolean } = {}): Promise<ExperimentDb> {
  const full = resolve(path);
  if (opts.create !== false) mkdirSync(dirname(full), { recursive: true });
  else {
    const { existsSync } = await import('node:fs');
    if (!existsSync(full))
      throw new UserError(`results store not found: ${full} (run an experiment first, or pass --db PATH)`);
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(full);
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    if (/lock/i.test(msg)) throw new UserError(`results store ${full} is in use by another process: ${msg}`);
    throw new UserError(`cannot open results store ${full}: ${msg}`);
  }
  const con = await instance.connect();
  const tx = txOf(con);
  let chain: Promise<unknown> = Promise.resolve();
  // One transaction at a time on the connection, in call order.
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = chain.then(task, task);
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    path: full,
    write: (fn) =>
      serial(async () => {
        await con.run('BEGIN TRANSACTION');
        try {
          const out = await fn(tx);
          await con.run('COMMIT');
          return out;
        } catch (e) {
          await con.run('ROLLBACK').catch(() => undefined);
          throw e;
        }
      }),
    read: (fn) => serial(() => fn(tx)),
    close: () => {
      con.closeSync();
      instance.closeSync();
    },
  };
}
