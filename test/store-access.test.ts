/**
 * The store is never held for a whole run: runs stage their metrics in a file of their own
 * and import them in one transaction at the end, so readers and other runs get in between;
 * a run whose process died is shown as abandoned and recovered from its staging file.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { currentOwner } from '../src/store/owner.js';
import { ResultsStore, stagingFile, type RunOutcome, type RunStart } from '../src/store/store.js';
import { deadPid, panopticon, root, spawnPanopticon } from './helpers/cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-access-'));
let n = 0;
const fresh = () => join(dir, `s${n++}`, 'results.duckdb');

const start: RunStart = {
  model: 'tiny',
  preset: null,
  scenarioHash: 'h',
  seed: 1,
  steps: 3,
  threads: 1,
  version: 't',
  agents: 1,
  stateBytes: 1,
  scenarioJson: '{}',
};
const metrics = [
  { name: 'a', key: '' },
  { name: 'b', key: 'group=x' },
];
const complete: RunOutcome = {
  status: 'complete',
  error: null,
  wallSeconds: 1,
  peakRssBytes: 1,
  agentStepsPerSecond: 1,
  ticks: 3,
};

function scenario(text: string): string {
  const f = join(dir, `f${n++}.yaml`);
  writeFileSync(f, text);
  return f;
}

describe('store access by short transactions', () => {
  it("a run's rows enter the store only together with its final status", async () => {
    const store = await ResultsStore.open(fresh());
    const id = await store.beginRun(start);
    const staged = await store.stage(id, metrics, 1);
    for (let t = 0; t <= 3; t++) staged.push(t, Float64Array.of(t, 2 * t));
    // flushed to the staging file, not to the store: a reader sees a running run with no rows
    expect((await store.getRun(id)).status).toBe('running');
    expect(await store.metricRowCount(id)).toBe(0);
    await staged.seal(complete);
    expect(await store.metricRowCount(id)).toBe(0);
    expect(await store.importStaged(id)).toEqual({ runId: id, status: 'complete', rows: 8 });
    expect(await store.getRun(id)).toMatchObject({ status: 'complete', ticks_done: 3, staged: false });
    expect(await store.metricRowCount(id)).toBe(8);
    expect(existsSync(stagingFile(store.path, id))).toBe(false);
  });

  it('a run whose owner died reads abandoned, and recover imports what it had sealed with its outcome', async () => {
    const store = await ResultsStore.open(fresh());
    const dead = { host: hostname(), pid: deadPid(), token: null };
    const id = await store.beginRun(start, dead);
    const staged = await store.stage(id, metrics, 1);
    for (let t = 0; t <= 3; t++) staged.push(t, Float64Array.of(t, 2 * t));
    await staged.seal(complete); // … and the process died before the import
    const [row] = await store.listRuns();
    expect(row).toMatchObject({ run_id: id, status: 'abandoned', stored: 'running', staged: true });
    expect(await store.recover()).toEqual([{ runId: id, status: 'complete', rows: 8 }]);
    expect((await store.getRun(id)).status).toBe('complete');
    // a run of a live owner (this process) is left alone
    const live = await store.beginRun(start);
    expect(await store.recover()).toEqual([]);
    expect((await store.getRun(live)).status).toBe('running');
  });

  it('heartbeats record progress; an owner on another host is taken for dead only when its heartbeat is stale; a recycled pid is not its owner', async () => {
    const store = await ResultsStore.open(fresh());
    const id = await store.beginRun(start);
    expect(await store.heartbeat(id, 7)).toBe(true);
    expect(await store.getRun(id)).toMatchObject({ status: 'running', ticks_done: 7 });
    // another machine sharing the store: alive while it beats
    const remote = await store.beginRun(start, { host: `not-${hostname()}`, pid: process.pid, token: null });
    expect((await store.getRun(remote)).status).toBe('running');
    await store.write((tx) =>
      tx.run('UPDATE runs SET heartbeat_at = now() - INTERVAL 16 MINUTE WHERE run_id = $1', [remote]),
    );
    expect((await store.getRun(remote)).status).toBe('abandoned');
    // this host, this pid, but another process (the pid was reused after a reboot or a wrap-around)
    const me = currentOwner();
    if (me.token) {
      const [boot, startTicks] = me.token.split(':');
      for (const token of [`other-boot:${startTicks}`, `${boot}:${Number(startTicks) + 1}`]) {
        const old = await store.beginRun(start, { host: me.host, pid: me.pid, token });
        expect((await store.getRun(old)).status, token).toBe('abandoned');
      }
    }
  });

  it('reads a store of schema version 1 without writing to it, and migrates it on the first write', async () => {
    const path = fresh();
    mkdirSync(join(path, '..'), { recursive: true });
    const inst = await DuckDBInstance.create(path);
    const con = await inst.connect();
    // the version-1 schema, as Panopticon 0.1.0 wrote it
    await con.run(`
      CREATE TABLE runs (run_id TEXT PRIMARY KEY, model TEXT NOT NULL, preset TEXT, scenario_hash TEXT NOT NULL,
        seed BIGINT NOT NULL, steps BIGINT NOT NULL, threads INTEGER NOT NULL, version TEXT NOT NULL,
        started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ, wall_seconds DOUBLE,
        status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed', 'interrupted')), error TEXT,
        agents BIGINT NOT NULL, state_bytes BIGINT NOT NULL, peak_rss_bytes BIGINT, agent_steps_per_second DOUBLE,
        scenario_json TEXT NOT NULL);
      CREATE TABLE metrics (run_id TEXT NOT NULL, tick INTEGER NOT NULL, metric TEXT NOT NULL, key TEXT NOT NULL, value DOUBLE);
      INSERT INTO runs VALUES ('old-1', 'tiny', NULL, 'h', 1, 2, 1, '0.1.0', now(), now(), 1.5, 'complete', NULL, 5, 5, 1, 1, '{}');
      INSERT INTO metrics VALUES ('old-1', 0, 'a', '', 1), ('old-1', 1, 'a', '', 2), ('old-1', 2, 'a', '', 3);
      CHECKPOINT;`);
    con.closeSync();
    inst.closeSync();
    const digest = () => createHash('sha256').update(readFileSync(path)).digest('hex');
    const before = digest();

    const reader = await ResultsStore.open(path, { readOnly: true });
    expect((await reader.listRuns()).map((r) => [r.run_id, r.status, r.owner_pid])).toEqual([
      ['old-1', 'complete', null],
    ]);
    expect(await reader.metricRowCount('old-1')).toBe(3);
    expect(digest()).toBe(before);
    expect(existsSync(`${path}.wal`)).toBe(false);

    const writer = await ResultsStore.open(path);
    const id = await writer.beginRun(start);
    expect((await writer.listRuns()).map((r) => [r.run_id, r.status])).toEqual([
      ['old-1', 'complete'],
      [id, 'running'],
    ]);
    expect(await writer.query('SELECT value FROM store_meta WHERE key = $1', ['schema_version'])).toEqual([
      { value: '2' },
    ]);
    expect(await writer.metricRowCount('old-1')).toBe(3);
  });

  it('runs and export work while a run is in progress; a second run into the same store completes; a killed run reads abandoned and is recovered', async () => {
    const db = fresh();
    const long = spawnPanopticon([
      'run',
      scenario('model: contagion\nseed: 1\nsteps: 100000000\nparams: { cells: 200, meanCellSize: 20 }\n'),
      '--db',
      db,
      '--no-progress',
    ]);
    // wait until the run is recorded and stepping
    let store: ResultsStore | undefined;
    for (;;) {
      if (existsSync(db)) {
        store ??= await ResultsStore.open(db, { readOnly: true });
        const runs = await store.listRuns();
        if (runs.length && existsSync(stagingFile(db, runs[0].run_id))) break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const [running] = await store!.listRuns();
    expect(running).toMatchObject({ status: 'running', owner_pid: long.child.pid, owner_host: hostname() });

    const listed = await panopticon(['runs', '--db', db]);
    expect(listed.err).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(new RegExp(`${running.run_id}\\s+running\\b.*pid ${long.child.pid}`));

    const second = await panopticon([
      'run',
      scenario('model: contagion\nseed: 2\nsteps: 30\nparams: { cells: 20, meanCellSize: 10 }\n'),
      '--db',
      db,
      '--no-progress',
    ]);
    expect(second.err).toBe('');
    expect(second.code).toBe(0);
    const secondId = /run id\s+(\S+)/.exec(second.out)![1];
    const csv = join(dir, `second${n++}.csv`);
    const exported = await panopticon(['export', secondId, '--format', 'csv', '--out', csv, '--db', db]);
    expect(exported.code).toBe(0);
    // the export, then its RO-Crate sidecar beside it (src/charts/node/crate.ts)
    expect(exported.out).toBe(
      `exported 155 rows of run ${secondId} to ${csv}\nwrote ${join(dir, 'ro-crate-metadata.json')}\n`,
    );
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe('run_id,tick,metric,key,value');

    // wait for at least one flushed batch in the staging file (the writer flushes every few ticks), then kill -9
    await new Promise((r) => setTimeout(r, 1500));
    long.child.kill('SIGKILL');
    const killed = await long.done;
    expect(killed.signal).toBe('SIGKILL');
    const after = await store!.getRun(running.run_id);
    expect(after).toMatchObject({ status: 'abandoned', staged: true });
    const afterList = await panopticon(['runs', '--db', db]);
    expect(afterList.out).toMatch(new RegExp(`${running.run_id}\\s+abandoned\\b`));
    expect(afterList.out).not.toMatch(/\brunning\b/);

    const writer = await ResultsStore.open(db);
    const [recovered] = await writer.recover();
    expect(recovered.runId).toBe(running.run_id);
    expect(recovered.status).toBe('abandoned');
    const row = await writer.getRun(running.run_id);
    expect(row).toMatchObject({ status: 'abandoned', staged: false });
    expect(row.error).toMatch(
      new RegExp(
        `^abandoned: process ${long.child.pid} on .* ended without finishing .* after \\d+ of 100000000 ticks`,
      ),
    );
    // every tick it staged is whole: ticks 0..k, each with the model's 5 metrics
    const [{ ticks, rows }] = await writer.query<{ ticks: number; rows: number }>(
      'SELECT count(DISTINCT tick)::INTEGER AS ticks, count(*)::INTEGER AS rows FROM metrics WHERE run_id = $1',
      [running.run_id],
    );
    expect(rows).toBe(ticks * 5);
    expect(rows).toBe(recovered.rows);
  });

  it("a run's final import waits for a store held by another process, says who holds it, and completes", async () => {
    const db = fresh();
    await ResultsStore.open(db);
    const run = spawnPanopticon([
      'run',
      scenario('model: contagion\nseed: 4\nsteps: 3000\nparams: { cells: 300, meanCellSize: 20 }\n'),
      '--db',
      db,
      '--no-progress',
    ]);
    // once the run is stepping, another process takes the store for 12 s (a notebook left open)
    for (;;) {
      if (existsSync(`${db}.staging`) && readdirSync(`${db}.staging`).length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `import('@duckdb/node-api').then(async ({ DuckDBInstance }) => { const i = await DuckDBInstance.create(${JSON.stringify(db)}); globalThis.held = [i, await i.connect()]; console.log('held'); setTimeout(() => process.exit(0), 12000); })`,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const end = await run.done;
    expect(end.code, end.err).toBe(0);
    expect(end.err).toMatch(
      new RegExp(`^waiting \\d+ s so far for the results store, held by process ${holder.pid}, to store run \\S+`, 'm'),
    );
    expect(end.out).toMatch(/status\s+complete/);
    const store = await ResultsStore.open(db, { readOnly: true });
    const [row] = await store.listRuns();
    expect(row.status).toBe('complete');
    expect(await store.metricRowCount(row.run_id)).toBe(3001 * 5);
  });

  it('two runs started together into one store both complete with all their rows', async () => {
    const db = fresh();
    const f = scenario('model: contagion\nseed: 3\nsteps: 400\nparams: { cells: 100, meanCellSize: 10 }\n');
    const [a, b] = await Promise.all([
      panopticon(['run', f, '--db', db, '--no-progress']),
      panopticon(['run', f, '--db', db, '--no-progress', '--seed', '4']),
    ]);
    expect([a.code, a.err, b.code, b.err]).toEqual([0, '', 0, '']);
    const store = await ResultsStore.open(db, { readOnly: true });
    const runs = await store.listRuns();
    expect(runs.map((r) => r.status)).toEqual(['complete', 'complete']);
    for (const r of runs) expect(await store.metricRowCount(r.run_id)).toBe(401 * 5);
  });
});
