/**
 * Running experiments on the local run pool: every position stored once with the outputs a
 * direct run gives, re-runs skip what is stored, more replicates extend the experiment,
 * failed runs are recorded and retried, adaptive replicates stop where the intervals are
 * narrow enough — and the CLI's run, analyze, export and list on the real models.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalBackend, runExperiment, type ExperimentReport } from '../src/experiments/coordinator.js';
import { openExperimentDb, type ExperimentDb } from '../src/experiments/db.js';
import { executeRun } from '../src/experiments/execute.js';
import { loadExperimentFile, type Experiment } from '../src/experiments/load.js';
import { RunPool } from '../src/experiments/pool.js';
import { interval } from '../src/experiments/stats.js';
import { cli } from './helpers/cli.js';
import { testRegistry } from './helpers/tiny-model.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-exprun-'));
let n = 0;
const fresh = (name: string) => join(dir, `${name}-${n++}`);
writeFileSync(join(dir, 'tiny.yaml'), 'model: tiny\nseed: 11\nsteps: 8\nparams: { agents: 40 }\n');

const pools: RunPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});
function tinyPool(size = 2): RunPool {
  const pool = new RunPool(size, {
    registryModule: new URL('./helpers/tiny-model.ts', import.meta.url).href,
    registryExport: 'testRegistry',
  });
  pools.push(pool);
  return pool;
}

function experiment(text: string): Experiment {
  const f = join(dir, `e${n++}.yaml`);
  writeFileSync(f, text);
  return loadExperimentFile(f, { registry: testRegistry });
}

async function run(exp: Experiment, db: ExperimentDb, stop?: () => string | null): Promise<ExperimentReport> {
  return runExperiment({
    exp,
    registry: testRegistry,
    db,
    backend: new LocalBackend(tinyPool()),
    flushMs: 20,
    ...(stop ? { stopRequested: stop } : {}),
  });
}

const grid = (reps: number) => `name: tiny-grid
base: { file: tiny.yaml }
factors: [{ path: rate, levels: [0.2, 0.5, 0.8] }]
design: grid
replicates: ${reps}
outputs:
  - { metric: active, stat: final }
  - { metric: active, stat: total }
  - { metric: active, stat: mean, window: [2, 5], name: active_early }
`;

describe('local experiments', () => {
  const dbPath = join(fresh('grid'), 'results.duckdb');

  it('stores every point × replicate once, with the outputs a direct run gives, on common seeds', async () => {
    const exp = experiment(grid(3));
    const db = await openExperimentDb(dbPath);
    const report = await run(exp, db);
    expect(report).toMatchObject({ status: 'complete', planned: 9, skipped: 0, ran: 9, failures: [] });
    const rows = await db.read((tx) =>
      tx.query<{ point: number; replicate: number; seed: number; run_key: string; output: string; value: number }>(
        `SELECT point, replicate, seed, run_key, output, value FROM experiment_results WHERE experiment_id = 'tiny-grid' ORDER BY point, replicate, output`,
      ),
    );
    expect(rows).toHaveLength(27);
    for (const r of rows) expect(r.seed).toBe(11 + r.replicate);
    const runs = await db.read((tx) => tx.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM experiment_runs`));
    expect(runs[0].n).toBe(9);
    // The thread's outputs are exactly those of the same run done here.
    const params = await db.read((tx) =>
      tx.query<{ run_key: string; params_json: string; seed: number }>(
        'SELECT run_key, params_json, seed FROM experiment_runs',
      ),
    );
    for (const p of params.slice(0, 3)) {
      const direct = await executeRun(
        testRegistry,
        { key: p.run_key, model: 'tiny', params: JSON.parse(p.params_json), seed: p.seed, steps: 8 },
        exp.outputs,
        [],
      );
      if (!direct.ok) throw new Error(direct.error);
      const stored = rows.filter((r) => r.run_key === p.run_key);
      exp.outputs.forEach((o, i) =>
        expect(Object.is(stored.find((s) => s.output === o.name)!.value, direct.values[i])).toBe(true),
      );
    }
  });

  it('skips stored runs when run again, and runs only the new replicates when asked for more', async () => {
    const db = await openExperimentDb(dbPath);
    expect(await run(experiment(grid(3)), db)).toMatchObject({ status: 'complete', resumed: true, skipped: 9, ran: 0 });
    expect(await run(experiment(grid(5)), db)).toMatchObject({ status: 'complete', planned: 15, skipped: 9, ran: 6 });
    const design = await db.read((tx) =>
      tx.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM experiment_design'),
    );
    expect(design[0].n).toBe(15);
  });

  it('refuses the same experiment id with another definition', async () => {
    const db = await openExperimentDb(dbPath);
    await expect(run(experiment(grid(3).replace('0.8]', '0.9]')), db)).rejects.toThrow(
      /experiment tiny-grid is already in .* with another definition/,
    );
  });

  it('records failed runs with their error, goes on with the rest, and retries them when run again', async () => {
    const exp = experiment(`name: tiny-fail
base: { file: tiny.yaml }
factors: [{ path: failAt, levels: [0, 3] }, { path: rate, levels: [0.3, 0.6] }]
design: grid
replicates: 2
outputs: [{ metric: active, stat: total }]
`);
    const db = await openExperimentDb(join(fresh('fail'), 'results.duckdb'));
    const first = await run(exp, db);
    expect(first.status).toBe('incomplete');
    expect(first.ran).toBe(8);
    expect(first.failures).toHaveLength(4);
    expect(first.failures[0].error).toBe('tiny model failure at tick 3');
    const stored = await db.read((tx) =>
      tx.query<{ status: string; n: number }>(
        'SELECT status, count(*)::INTEGER AS n FROM experiment_runs GROUP BY status ORDER BY status',
      ),
    );
    expect(stored).toEqual([
      { status: 'complete', n: 4 },
      { status: 'failed', n: 4 },
    ]);
    const again = await run(exp, db);
    expect(again).toMatchObject({ status: 'incomplete', skipped: 4, ran: 4 });
    const rows = await db.read((tx) => tx.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM experiment_runs'));
    expect(rows[0].n).toBe(8);
  });

  it('keeps finished runs when stopped, and completes on the next run', async () => {
    const exp = experiment(grid(6).replace('tiny-grid', 'tiny-stop'));
    const db = await openExperimentDb(join(fresh('stop'), 'results.duckdb'));
    let calls = 0;
    const first = await run(exp, db, () => (++calls > 1 ? 'SIGINT' : null));
    expect(first.status).toBe('interrupted');
    const second = await run(exp, db);
    expect(second.status).toBe('complete');
    expect(second.skipped + second.ran).toBe(18);
    expect(second.skipped).toBe(first.ran);
  });

  it('adds replicates until every interval is narrow enough, or max, and says where it stopped', async () => {
    const exp = experiment(`name: tiny-adaptive
base: { file: tiny.yaml }
factors: [{ path: rate, levels: [0.05, 0.5] }]
design: grid
replicates: { until: { output: active_total, halfWidth: 4 }, min: 3, max: 40 }
outputs: [{ metric: active, stat: total }]
`);
    const db = await openExperimentDb(join(fresh('adaptive'), 'results.duckdb'));
    const report = await run(exp, db);
    expect(report.status).toBe('complete');
    expect(report.adaptive!.rounds).toBeGreaterThan(1);
    const values = await db.read((tx) =>
      tx.query<{ point: number; value: number }>(
        `SELECT point, value FROM experiment_results WHERE experiment_id = 'tiny-adaptive' ORDER BY point, replicate`,
      ),
    );
    for (const point of [0, 1]) {
      const iv = interval(values.filter((v) => v.point === point).map((v) => v.value));
      // every cell either met the target or used its 40 replicates
      expect(iv.halfWidth <= 4 || iv.n === 40).toBe(true);
      const cell = report.adaptive!.cells.find((c) => c.point === point)!;
      expect(cell.replicates).toBe(iv.n);
    }
    // rate 0.05 over 8 days of 40 agents has a smaller spread than 0.5: it needs fewer replicates
    const cells = report.adaptive!.cells;
    expect(cells[0].replicates).toBeLessThan(cells[1].replicates);
    expect(report.adaptive!.note).toMatch(/^stopped: /);
  });
});

describe('experiment commands (real models)', () => {
  writeFileSync(
    join(dir, 'contagion.yaml'),
    'model: contagion\nseed: 3\nsteps: 15\nparams: { cells: 40, meanCellSize: 30 }\n',
  );
  writeFileSync(
    join(dir, 'contagion-fast.yaml'),
    'model: contagion\nseed: 3\nsteps: 15\nparams: { cells: 40, meanCellSize: 30, transmission: 0.04 }\n',
  );
  const file = join(dir, 'arms.yaml');
  writeFileSync(
    file,
    `name: contagion-arms
arms:
  - { name: slow, file: contagion.yaml }
  - { name: fast, file: contagion-fast.yaml }
replicates: 6
outputs:
  - { metric: new_infections, stat: total }
  - { metric: infected, stat: max }
series: [infected]
`,
  );
  const db = join(fresh('cli'), 'results.duckdb');

  it('runs arms on common random numbers and prints paired differences', async () => {
    const r = await cli('experiment', 'run', file, '--db', db, '--workers', '2', '--no-progress');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/runs\s+12 planned: 0 already stored, 12 run now, 0 failed/);
    expect(r.out).toMatch(/paired differences on common random numbers/);
    expect(r.out).toMatch(/fast − slow\s+new_infections_total\s+6\s/);
    const again = await cli('experiment', 'run', file, '--db', db, '--no-progress');
    expect(again.out).toMatch(/12 planned: 12 already stored, 0 run now/);
  });

  it('refuses design points the model rejects before the store is created, listing how many more', async () => {
    const bad = join(dir, 'bad-points.yaml');
    writeFileSync(
      bad,
      'name: bad-points\nbase: { file: contagion.yaml }\nfactors: [{ path: recovery, range: [0.5, 3] }]\ndesign: { type: grid, levels: 30 }\n',
    );
    const store = join(fresh('bad'), 'results.duckdb');
    const r = await cli('experiment', 'run', bad, '--db', store, '--no-progress');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /the model refuses some design points \(fix the factor ranges\):\n {2}design point \d+ \(recovery=/,
    );
    // 30 levels over [0.5, 3]: the 24 above 1 are refused, 10 of them listed
    expect(r.err).toMatch(/… and 14 more problems\n$/);
    expect(existsSync(store)).toBe(false);
  });

  it('analyzes from the store alone, lists, and exports tidy files without overwriting', async () => {
    const a = await cli('experiment', 'analyze', 'contagion-arms', '--db', db, '--output', 'infected_max');
    expect(a.code).toBe(0);
    expect(a.out).not.toMatch(/new_infections_total/);
    const list = await cli('experiment', 'list', '--db', db);
    expect(list.out).toMatch(/contagion-arms\s+complete\s+base\s+1\s+slow,fast\s+12 of 12\s+0/);
    const out = fresh('export');
    const e = await cli('experiment', 'export', 'contagion-arms', '--db', db, '--out', out);
    expect(e.code).toBe(0);
    for (const t of ['runs', 'summary', 'paired', 'series']) expect(existsSync(join(out, `${t}.parquet`))).toBe(true);
    expect(e.out).toMatch(/wrote 12 rows to .*runs\.parquet/);
    expect(e.out).toMatch(/wrote 192 rows to .*series\.parquet/); // 12 runs × 16 ticks × 1 series
    const twice = await cli('experiment', 'export', 'contagion-arms', '--db', db, '--out', out);
    expect(twice.code).toBe(1);
    expect(twice.err).toMatch(/already exist; choose an empty folder/);
    const missing = await cli('experiment', 'analyze', 'contagion-arm', '--db', db);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/experiment "contagion-arm" not found .*; experiments: contagion-arms/);
  });

  it('reads the paired table by SQL: the difference of means equals the mean of differences', async () => {
    const store = await openExperimentDb(db);
    const rows = await store.read((tx) =>
      tx.query<{ output: string; mean_diff: number; diff_of_means: number; n: number }>(
        `SELECT p.output, p.mean_diff, p.n, f.mean - s.mean AS diff_of_means
         FROM experiment_paired p
         JOIN experiment_summary f ON f.experiment_id = p.experiment_id AND f.point = p.point AND f.arm = p.arm AND f.output = p.output
         JOIN experiment_summary s ON s.experiment_id = p.experiment_id AND s.point = p.point AND s.arm = p.reference AND s.output = p.output
         WHERE p.experiment_id = 'contagion-arms'`,
      ),
    );
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.n).toBe(6);
      expect(r.mean_diff).toBeCloseTo(r.diff_of_means, 6);
    }
  });
});
