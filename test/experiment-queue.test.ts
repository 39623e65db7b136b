/**
 * Experiments over Redis (BullMQ): a coordinator and two `panopticon worker` processes; one
 * worker is killed with SIGKILL mid-way, its stalled jobs go to the other, and every run is
 * stored exactly once with outputs byte-identical to the same experiment run locally.
 * Also: a worker refuses anything that is not a well-formed job for its model version.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { openExperimentDb } from '../src/experiments/db.js';
import { validateJob, MAX_JOB_BYTES } from '../src/experiments/job.js';
import { redactUrl } from '../src/experiments/queue.js';
import { modelVersion, runKey } from '../src/experiments/plan.js';
import { models } from '../src/models/registry.js';
import { panopticon, until } from './helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-expqueue-'));
writeFileSync(
  join(dir, 'contagion.yaml'),
  'model: contagion\nseed: 4\nsteps: 150\nparams: { cells: 250, meanCellSize: 60 }\n',
);
const file = join(dir, 'sobol.yaml');
writeFileSync(
  file,
  `name: over-redis
base: { file: contagion.yaml }
factors:
  - { path: transmission, range: [0.005, 0.04] }
  - { path: recovery, range: [0.05, 0.3] }
design: { type: sobol, samples: 4 }
replicates: 2
outputs:
  - { metric: infected, stat: final }
  - { metric: new_infections, stat: total }
  - { metric: force_of_infection, stat: mean }
series: [infected]
`,
);

// A Redis database of its own, so no other test's workers or jobs meet these.
const url = `${inject('redisUrl')}/7`;

interface ValueRow {
  run_key: string;
  output: string;
  value: number;
}

async function values(db: string): Promise<ValueRow[]> {
  const store = await openExperimentDb(db, { create: false });
  return store.read((tx) =>
    tx.query<ValueRow>(
      "SELECT run_key, output, value FROM experiment_values WHERE experiment_id = 'over-redis' ORDER BY run_key, output",
    ),
  );
}

describe('experiments over Redis', () => {
  it('survive a worker killed with SIGKILL: every run stored once, byte-identical to a local run', async () => {
    const dbQueue = join(dir, 'queue.duckdb');
    const workers = [0, 1].map(() =>
      panopticon(['worker', '--queue', url, '--concurrency', '1', '--stall-timeout', '2']),
    );
    await until(() => workers.every((w) => /serving/.test(w.out)), 60_000);
    const coordinator = panopticon([
      'experiment',
      'run',
      file,
      '--queue',
      url,
      '--runs-per-job',
      '2',
      '--db',
      dbQueue,
      '--no-progress',
    ]);
    // Kill the first worker mid-way, once its first job's result is surely in Redis: a worker logs
    // a job before BullMQ records its result, and with concurrency 1 it starts its second job only
    // after the first is recorded, so the second log line is proof (of 16 jobs, the rest remain).
    await until(() => (workers[0].out.match(/^.* job .* runs? of over-redis/gm) ?? []).length >= 2, 120_000);
    workers[0].child.kill('SIGKILL');
    expect(await workers[0].done).toBe('SIGKILL');
    expect(await coordinator.done).toBe(0);
    expect(coordinator.out).toMatch(/status\s+complete/);
    workers[1].child.kill('SIGTERM');
    expect(await workers[1].done).toBe(0);
    expect(workers[1].out).toMatch(/stopped after \d+ jobs/);

    // The same experiment on the local pool, in another store.
    const dbLocal = join(dir, 'local.duckdb');
    const local = panopticon(['experiment', 'run', file, '--db', dbLocal, '--workers', '2', '--no-progress']);
    expect(await local.done).toBe(0);

    const q = await values(dbQueue);
    const l = await values(dbLocal);
    expect(q.length).toBe(l.length);
    expect(q.length).toBeGreaterThan(0);
    q.forEach((row, i) => {
      expect(row.run_key).toBe(l[i].run_key);
      expect(row.output).toBe(l[i].output);
      expect(Object.is(row.value, l[i].value)).toBe(true);
    });
    const store = await openExperimentDb(dbQueue, { create: false });
    const counts = await store.read((tx) =>
      tx.query<{ runs: number; keys: number; workers: number; series: number; planned: number }>(
        `SELECT count(*)::INTEGER AS runs, count(DISTINCT run_key)::INTEGER AS keys, count(DISTINCT worker)::INTEGER AS workers,
                (SELECT count(*) FROM experiment_series)::INTEGER AS series,
                (SELECT runs_planned FROM experiments WHERE experiment_id = 'over-redis')::INTEGER AS planned
         FROM experiment_runs WHERE status = 'complete'`,
      ),
    );
    expect(counts[0].runs).toBe(counts[0].planned);
    expect(counts[0].keys).toBe(counts[0].runs);
    expect(counts[0].workers).toBe(2); // both workers' results are in the store
    expect(counts[0].series).toBe(counts[0].runs * 151);
  });
});

describe('job validation', () => {
  const version = modelVersion();
  const params = models.contagion.params.parse({ cells: 10, meanCellSize: 5 }) as Record<string, unknown>;
  const good = {
    v: 1,
    experiment: 'x',
    version,
    outputs: [{ name: 'i', metric: 'infected', key: '', stat: 'final', from: 3, to: 3 }],
    series: [],
    runs: [{ key: runKey('contagion', params, 1, 3, version), model: 'contagion', params, seed: 1, steps: 3 }],
  };
  const check = (job: unknown) => validateJob(job, models, version, 2 ** 30);

  it('accepts a well-formed job', () => {
    expect(typeof check(good)).toBe('object');
  });

  it('refuses code, unknown fields, other versions, unresolved params, wrong keys and oversized payloads', () => {
    expect(check({ ...good, run: 'process.exit()' })).toMatch(/not a Panopticon experiment job/);
    expect(check({ ...good, version: 'other' })).toMatch(/planned for model version other; this worker runs/);
    expect(check({ ...good, runs: [{ ...good.runs[0], model: 'evil' }] })).toMatch(/unknown model "evil"/);
    const partial = { cells: 10, meanCellSize: 5 };
    expect(check({ ...good, runs: [{ ...good.runs[0], params: partial }] })).toMatch(/params are not fully resolved/);
    expect(check({ ...good, runs: [{ ...good.runs[0], seed: 2 }] })).toMatch(/key does not match/);
    expect(check({ ...good, runs: [{ ...good.runs[0], params: { ...params, cells: -1 } }] })).toMatch(/params refused/);
    const huge = {
      ...good,
      experiment: 'x',
      outputs: good.outputs,
      series: [],
      runs: good.runs,
      pad: 'x'.repeat(MAX_JOB_BYTES),
    };
    expect(check(huge)).toMatch(/exceeds the limit/);
    const big = models.contagion.params.parse({ cells: 10_000_000, meanCellSize: 100_000 }) as Record<string, unknown>;
    expect(
      check({
        ...good,
        runs: [{ key: runKey('contagion', big, 1, 3, version), model: 'contagion', params: big, seed: 1, steps: 3 }],
      }),
    ).toMatch(/needs .* of state/);
  });

  it('never prints a Redis password', () => {
    expect(redactUrl('redis://:s3cret@example.org:6380/2')).toBe('redis://:***@example.org:6380/2');
    expect(redactUrl('redis://user:s3cret@h:1')).not.toMatch(/s3cret/);
  });
});
