/**
 * A calibration over Redis (BullMQ): `panopticon calibrate --queue` with two `panopticon
 * worker` processes ends with the very particles, weights and forecast of the same
 * calibration on the local pool, and both workers' runs are in the store. Determinism is
 * what makes distributing the runs safe: a proposal and its seed depend on its index, and a
 * generation keeps the first proposals within its tolerance, whoever ran them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { openExperimentDb } from '../src/experiments/db.js';
import { panopticon, until } from './helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-calqueue-'));
writeFileSync(
  join(dir, 'contagion.yaml'),
  'model: contagion\nseed: 4\nstart: 2020-01-01\nsteps: 60\nparams: { cells: 200, meanCellSize: 40 }\n',
);
const file = join(dir, 'fit.yaml');
writeFileSync(
  file,
  `name: over-redis
base: { file: contagion.yaml }
parameters:
  - { path: transmission, prior: { loguniform: [0.005, 0.08] } }
observations:
  - { metric: new_infections, stat: total, from: 2020-01-02, to: 2020-02-15, value: 900, relSd: 0.2 }
method: { particles: 10, generations: 1, seed: 3 }
forecast:
  draws: 10
  quantities: [{ name: infected_2020_03, metric: infected, stat: value, date: 2020-03-01 }]
`,
);

// A Redis database of its own, so no other test's workers or jobs meet these.
const url = `${inject('redisUrl')}/8`;

interface Row {
  generation: number;
  particle: number;
  value: number;
  weight: number;
  run_key: string;
}

async function read(db: string): Promise<{ particles: Row[]; forecast: number[]; workers: number }> {
  const store = await openExperimentDb(db, { create: false });
  return store.read(async (tx) => ({
    particles: await tx.query<Row>(
      'SELECT generation, particle, value, weight, run_key FROM calibration_particles ORDER BY generation, particle',
    ),
    forecast: (await tx.query<{ q: number }>('SELECT unnest([q05, q50, q95]) AS q FROM calibration_forecast')).map(
      (r) => r.q,
    ),
    workers: (
      await tx.query<{ n: number }>(
        "SELECT count(DISTINCT worker)::INTEGER AS n FROM experiment_runs WHERE status = 'complete'",
      )
    )[0].n,
  }));
}

describe('calibration over Redis', () => {
  it('two workers give the particles and forecast of the local pool, each run stored once', async () => {
    const workers = [0, 1].map(() => panopticon(['worker', '--queue', url, '--concurrency', '1']));
    await until(() => workers.every((w) => /serving/.test(w.out)), 60_000);
    const dbQueue = join(dir, 'queue.duckdb');
    const queued = panopticon([
      'calibrate',
      file,
      '--queue',
      url,
      '--runs-per-job',
      '2',
      '--db',
      dbQueue,
      '--no-progress',
    ]);
    expect(await queued.done).toBe(0);
    expect(queued.out).toMatch(/status\s+complete/);
    for (const w of workers) w.child.kill('SIGTERM');
    for (const w of workers) expect(await w.done).toBe(0);

    const dbLocal = join(dir, 'local.duckdb');
    const local = panopticon(['calibrate', file, '--workers', '2', '--db', dbLocal, '--no-progress']);
    expect(await local.done).toBe(0);

    const q = await read(dbQueue);
    const l = await read(dbLocal);
    expect(q.particles.length).toBe(20); // 10 particles × 2 generations
    expect(q.particles).toEqual(l.particles);
    expect(q.forecast).toEqual(l.forecast);
    expect(q.forecast.every(Number.isFinite)).toBe(true);
    expect(q.workers).toBe(2);
    const store = await openExperimentDb(dbQueue, { create: false });
    const dup = await store.read((tx) =>
      tx.query<{ n: number }>(
        'SELECT count(*)::INTEGER AS n FROM (SELECT run_key FROM experiment_runs GROUP BY run_key HAVING count(*) > 1)',
      ),
    );
    expect(dup[0].n).toBe(0);
  });
});
