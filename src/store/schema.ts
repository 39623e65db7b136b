/**
 * The store's tables and their versions. Version 1 (Panopticon ≤ 0.1.0 before owners were
 * recorded) had no `store_meta` table; version 2 adds the owner and heartbeat of a running
 * run and the `abandoned` status. A writer migrates an older store in one transaction; a
 * reader never writes, so it reads an older store through a view with the new columns
 * as NULL (archives on read-only media stay readable).
 */
import { UserError } from '../scenario/errors.js';
import type { StoreTx } from './connection.js';

export const SCHEMA_VERSION = 2;

export const RUN_STATUSES = ['running', 'complete', 'failed', 'interrupted', 'abandoned'] as const;

const RUNS_TABLE = `
CREATE TABLE runs (
  run_id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  preset TEXT,
  scenario_hash TEXT NOT NULL,
  seed BIGINT NOT NULL,
  steps BIGINT NOT NULL,
  threads INTEGER NOT NULL,
  version TEXT NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  wall_seconds DOUBLE,
  status TEXT NOT NULL CHECK (status IN (${RUN_STATUSES.map((s) => `'${s}'`).join(', ')})),
  error TEXT,
  agents BIGINT NOT NULL,
  state_bytes BIGINT NOT NULL,
  peak_rss_bytes BIGINT,
  agent_steps_per_second DOUBLE,
  scenario_json TEXT NOT NULL,
  owner_host TEXT,
  owner_pid BIGINT,
  owner_token TEXT,
  heartbeat_at TIMESTAMPTZ,
  ticks_done BIGINT
)`;

const METRICS_TABLE = `
CREATE TABLE metrics (
  run_id TEXT NOT NULL,
  tick INTEGER NOT NULL,
  metric TEXT NOT NULL,
  key TEXT NOT NULL,
  value DOUBLE
)`;

/** Columns version 1 had, in order. */
const V1_RUN_COLUMNS = `run_id, model, preset, scenario_hash, seed, steps, threads, version, started_at, finished_at,
  wall_seconds, status, error, agents, state_bytes, peak_rss_bytes, agent_steps_per_second, scenario_json`;

/** What a reader needs to know about an opened store's layout. */
export interface SchemaInfo {
  readonly version: number;
  /** SQL for the runs relation with every version-2 column (a view over an older table). */
  readonly runs: string;
}

const V1_RUNS_VIEW = `(SELECT ${V1_RUN_COLUMNS}, NULL::TEXT AS owner_host, NULL::BIGINT AS owner_pid,
  NULL::TEXT AS owner_token, NULL::TIMESTAMPTZ AS heartbeat_at, NULL::BIGINT AS ticks_done FROM runs)`;

async function tableNames(tx: StoreTx): Promise<Set<string>> {
  const rows = await tx.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()",
  );
  return new Set(rows.map((r) => r.name));
}

/** The version of an opened store, or null if it has no Panopticon tables at all (a new file). */
function notAStore(path: string, detail: string): UserError {
  return new UserError(
    `results store ${path} is not a Panopticon results store: ${detail}; pass the results.duckdb a run created (--db PATH)`,
    undefined,
    'corrupt',
  );
}

async function versionOf(tx: StoreTx, tables: Set<string>, path: string): Promise<number | null> {
  if (tables.has('store_meta')) {
    const rows = await tx.query<{ value: string }>("SELECT value FROM store_meta WHERE key = 'schema_version'");
    const v = Number(rows[0]?.value);
    if (!Number.isInteger(v) || v < 1) throw notAStore(path, 'its store_meta table has no valid schema_version');
    return v;
  }
  if (tables.has('runs') && tables.has('metrics')) return 1;
  if (tables.size === 0) return null;
  throw notAStore(path, `a DuckDB database with other tables (${[...tables].slice(0, 5).join(', ')})`);
}

function tooNew(version: number, path: string): UserError {
  return new UserError(
    `results store ${path} has schema version ${version}, newer than this Panopticon understands (${SCHEMA_VERSION}); upgrade Panopticon to read it`,
    undefined,
    'corrupt',
  );
}

/** For readers: the layout of an existing store. */
export async function readSchema(tx: StoreTx, path: string): Promise<SchemaInfo> {
  const version = await versionOf(tx, await tableNames(tx), path);
  if (version === null) throw notAStore(path, 'an empty DuckDB database');
  if (version > SCHEMA_VERSION) throw tooNew(version, path);
  return { version, runs: version === 1 ? V1_RUNS_VIEW : 'runs' };
}

/** For writers: create the tables of a new store, or migrate an older one, inside the caller's transaction. */
export async function ensureSchema(tx: StoreTx, path: string): Promise<SchemaInfo> {
  const version = await versionOf(tx, await tableNames(tx), path);
  if (version !== null && version > SCHEMA_VERSION) throw tooNew(version, path);
  if (version === null) {
    await tx.run(`${RUNS_TABLE}; ${METRICS_TABLE}`);
  } else if (version === 1) {
    // DuckDB cannot alter a CHECK constraint: rebuild the (small) runs table.
    await tx.run('ALTER TABLE runs RENAME TO runs_v1');
    await tx.run(RUNS_TABLE);
    await tx.run(`INSERT INTO runs (${V1_RUN_COLUMNS}) SELECT ${V1_RUN_COLUMNS} FROM runs_v1`);
    await tx.run('DROP TABLE runs_v1');
  }
  if (version !== SCHEMA_VERSION) {
    await tx.run('CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    await tx.run("INSERT OR REPLACE INTO store_meta VALUES ('schema_version', $1)", [String(SCHEMA_VERSION)]);
  }
  return { version: SCHEMA_VERSION, runs: 'runs' };
}
