import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../src/engine/simulation.js';
import { executeRun } from '../src/cli/runner.js';
import { UserError } from '../src/scenario/errors.js';
import { checkMemory, resolveScenario } from '../src/scenario/resolve.js';
import { ResultsStore, type RunOutcome } from '../src/store/store.js';
import { newRunId } from '../src/store/ids.js';
import { testRegistry, tinyEntry } from './helpers/tiny-model.js';
import type { ModelEntry } from '../src/models/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-store-'));
let store: ResultsStore;

beforeAll(async () => {
  store = await ResultsStore.open(join(dir, 'results.duckdb'));
});

function scenario(params: Record<string, unknown>, steps = 5) {
  return resolveScenario({ model: 'tiny', seed: 3, steps, params }, { registry: testRegistry, origin: 'test' });
}

async function run(params: Record<string, unknown>, steps = 5, stopAfter?: number) {
  const s = scenario(params, steps);
  let ticks = 0;
  return executeRun({
    scenario: s,
    entry: tinyEntry as unknown as ModelEntry,
    estimate: checkMemory(s, testRegistry, 2 ** 30),
    store,
    executor: new LocalExecutor(),
    version: '0.0.0-test',
    scenarioHash: 'h',
    stopRequested: () => (stopAfter !== undefined && ticks >= stopAfter ? 'SIGINT' : null),
    onTick: (t) => (ticks = t),
  });
}

function outcome(ticks: number): RunOutcome {
  return { status: 'complete', error: null, wallSeconds: 1, peakRssBytes: 1, agentStepsPerSecond: 1, ticks };
}

describe('results store', () => {
  it('a run writes a complete run row and every metric row', async () => {
    const r = await run({ agents: 40, rate: 0.5 }, 5);
    expect(r.status).toBe('complete');
    const row = await store.getRun(r.runId);
    expect(row).toMatchObject({
      status: 'complete',
      model: 'tiny',
      seed: 3,
      steps: 5,
      threads: 1,
      agents: 40,
      error: null,
      version: '0.0.0-test',
    });
    expect(row.finished_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(row.wall_seconds).toBeGreaterThan(0);
    expect(row.agent_steps_per_second).toBeGreaterThan(0);
    expect(row.peak_rss_bytes).toBeGreaterThan(1e6);
    expect(JSON.parse(row.scenario_json)).toMatchObject({ model: 'tiny', params: { agents: 40 } });
    // ticks 0..5 × 3 metrics
    expect(await store.metricRowCount(r.runId)).toBe(18);
    const ticks = await store.query<{ tick: number; value: number }>(
      "SELECT tick, value FROM metrics WHERE run_id = $1 AND metric = 'tick_seen' ORDER BY tick",
      [r.runId],
    );
    expect(ticks.map((t) => t.value)).toEqual([-Infinity, 1, 2, 3, 4, 5]);
    const sub = await store.query<{ n: number }>(
      "SELECT count(*)::DOUBLE AS n FROM metrics WHERE run_id = $1 AND metric = 'active' AND key = 'half=first'",
      [r.runId],
    );
    expect(sub[0].n).toBe(6);
    // the in-memory headline equals the stored one
    const sum = await store.metricSummary(r.runId, ['active']);
    const h = r.headline.find((x) => x.metric === 'active')!;
    expect(sum.get('active')).toMatchObject({ final: h.final, mean: h.mean, max: h.max });
    // total sums the days (ticks ≥ 1), not the initial state
    const days = await store.query<{ t: number }>(
      "SELECT sum(value)::DOUBLE AS t FROM metrics WHERE run_id = $1 AND metric = 'active' AND key = '' AND tick > 0",
      [r.runId],
    );
    expect(sum.get('active')!.total).toBe(days[0].t);
    // so do the daily mean and maximum (compare's columns): tick 0 reads −∞ for tick_seen
    const seen = (await store.metricSummary(r.runId, ['tick_seen'])).get('tick_seen')!;
    expect(seen).toMatchObject({ final: 5, mean: 3, max: 5, total: 15 });
  });

  it('flushes in batches across DataChunk boundaries without losing rows', async () => {
    const s = scenario({ agents: 4 }, 1000);
    const id = await store.beginRun({
      model: 'tiny',
      preset: null,
      scenarioHash: 'x',
      seed: 1,
      steps: 1000,
      threads: 1,
      version: 't',
      agents: 4,
      stateBytes: 4,
      scenarioJson: JSON.stringify(s),
    });
    const staged = await store.stage(
      id,
      [
        { name: 'a', key: '' },
        { name: 'b', key: 'k' },
        { name: 'c', key: '' },
      ],
      7,
    );
    const v = new Float64Array(3);
    for (let t = 0; t <= 1000; t++) {
      v[0] = t;
      v[1] = -t;
      v[2] = t * 0.5;
      staged.push(t, v);
    }
    await staged.seal(outcome(1000));
    expect(staged.writer.rowsWritten).toBe(3003);
    expect(await store.importStaged(id)).toEqual({ runId: id, status: 'complete', rows: 3003 });
    const agg = await store.query<{ n: number; sa: number; sb: number; sc: number }>(
      `SELECT count(*)::DOUBLE AS n, sum(value) FILTER (metric = 'a') AS sa, sum(value) FILTER (metric = 'b' AND key = 'k') AS sb,
              sum(value) FILTER (metric = 'c') AS sc FROM metrics WHERE run_id = $1`,
      [id],
    );
    expect(agg[0]).toEqual({ n: 3003, sa: 500500, sb: -500500, sc: 250250 });
  });

  it('does not store internal working metrics', async () => {
    const id = await store.beginRun({
      model: 'tiny',
      preset: null,
      scenarioHash: 'y',
      seed: 1,
      steps: 2,
      threads: 1,
      version: 't',
      agents: 1,
      stateBytes: 1,
      scenarioJson: '{}',
    });
    const staged = await store.stage(id, [
      { name: 'kept', key: '' },
      { name: '_scratch', key: 'bin=0', internal: true },
      { name: 'also_kept', key: 'group=a' },
    ]);
    for (let t = 0; t <= 2; t++) staged.push(t, Float64Array.of(t, 99, 10 + t));
    await staged.seal(outcome(2));
    await store.importStaged(id);
    expect(staged.writer.rowsWritten).toBe(6);
    const rows = await store.query<{ metric: string; total: number }>(
      'SELECT metric, sum(value)::DOUBLE AS total FROM metrics WHERE run_id = $1 GROUP BY metric ORDER BY metric',
      [id],
    );
    expect(rows).toEqual([
      { metric: 'also_kept', total: 33 },
      { metric: 'kept', total: 3 },
    ]);
  });

  it('an interrupted run is stored as interrupted, never complete', async () => {
    const r = await run({ agents: 10 }, 50, 3);
    expect(r.status).toBe('interrupted');
    expect(r.ticks).toBe(3);
    const row = await store.getRun(r.runId);
    expect(row.status).toBe('interrupted');
    expect(row.error).toBe('interrupted by SIGINT after 3 of 50 ticks');
  });

  it('a failing run is stored as failed with its error, never complete', async () => {
    let err: unknown;
    try {
      await run({ agents: 10, failAt: 3 }, 10);
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toBe('tiny model failure at tick 3');
    const runId = (err as { runId: string }).runId;
    const row = await store.getRun(runId);
    expect(row.status).toBe('failed');
    expect(row.error).toBe('tiny model failure at tick 3');
    expect(row.finished_at).not.toBeNull();
  });

  it('exports a complete run to Parquet and CSV that DuckDB reads back with the right row count', async () => {
    const r = await run({ agents: 30 }, 20);
    const pq = join(dir, 'out', 'run.parquet');
    const csv = join(dir, 'out', 'run.csv');
    expect((await store.exportRun(r.runId, 'parquet', pq)).rows).toBe(63);
    expect((await store.exportRun(r.runId, 'csv', csv)).rows).toBe(63);
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const back = (
      await con.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT run_id)::INTEGER AS runs, max(tick)::INTEGER AS maxtick FROM read_parquet('${pq}')`,
      )
    ).getRowObjectsJS();
    expect(back[0]).toEqual({ n: 63, runs: 1, maxtick: 20 });
    const meta = (
      await con.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${pq}')`)
    ).getRowObjectsJS();
    expect(meta.map((m) => String(m.compression).toUpperCase())).toContain('ZSTD');
    const c = (
      await con.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_csv('${csv}', header = true)`)
    ).getRowObjectsJS();
    expect(c[0].n).toBe(63);
    con.closeSync();
    inst.closeSync();
  });

  it('export refuses a run that is not complete unless forced, and an unknown run', async () => {
    const r = await run({ agents: 10 }, 50, 2);
    const out = join(dir, 'partial.parquet');
    await expect(store.exportRun(r.runId, 'parquet', out)).rejects.toThrow(/is interrupted, not complete.*--partial/);
    expect((await store.exportRun(r.runId, 'parquet', out, { partial: true })).rows).toBe(9);
    await expect(store.exportRun('nope', 'csv', out)).rejects.toBeInstanceOf(UserError);
  });

  it('export never overwrites the store itself, and a folder is not a file', async () => {
    const r = await run({ agents: 10 }, 3);
    await expect(store.exportRun(r.runId, 'parquet', join(dir, 'results.duckdb'))).rejects.toThrow(
      /--out: .*the results store itself/,
    );
    await expect(store.exportRun(r.runId, 'csv', dir)).rejects.toThrow(/--out: .*which is a folder/);
    expect((await store.listRuns()).some((x) => x.run_id === r.runId)).toBe(true);
  });

  it('lists runs and refuses to open a missing store for reading', async () => {
    const runs = await store.listRuns();
    expect(runs.length).toBeGreaterThanOrEqual(5);
    expect(new Set(runs.map((r) => r.status))).toEqual(new Set(['complete', 'interrupted', 'failed']));
    await expect(ResultsStore.open(join(dir, 'none', 'x.duckdb'), { readOnly: true })).rejects.toThrow(
      /results store not found/,
    );
  });

  it('lists runs in the order they started, even within one second', async () => {
    const s2 = await ResultsStore.open(join(dir, 'order', 'results.duckdb'));
    {
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) {
        ids.push(
          await s2.beginRun({
            model: 'tiny',
            preset: null,
            scenarioHash: 'h',
            seed: i,
            steps: 1,
            threads: 1,
            version: 't',
            agents: 1,
            stateBytes: 1,
            scenarioJson: '{}',
          }),
        );
      }
      expect((await s2.listRuns()).map((r) => r.run_id)).toEqual(ids);
    }
  });

  it('run ids are short, readable and distinct', () => {
    // 4 random characters from 31: two of 40 ids in the same minute collide with probability
    // 40·39 / (2·31⁴) ≈ 0.08 % (200 ids, as before, failed ~2 % of runs).
    const ids = new Set(Array.from({ length: 40 }, () => newRunId(new Date(Date.UTC(2026, 10, 25, 2, 40)))));
    expect(ids.size).toBe(40);
    for (const id of ids) expect(id).toMatch(/^261125-0240-[a-z2-9]{4}$/);
  });
});
