/**
 * `kill -9` of the coordinator mid-experiment: what it had stored survives, running the
 * same command again runs only what is missing, and every run ends up stored exactly once.
 * Also: `runs` and `experiment list` read the store while the experiment writes to it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openExperimentDb } from '../src/experiments/db.js';
import { cli } from './helpers/cli.js';
import { panopticon, until } from './helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-expkill-'));
writeFileSync(
  join(dir, 'contagion.yaml'),
  'model: contagion\nseed: 2\nsteps: 250\nparams: { cells: 400, meanCellSize: 60 }\n',
);
const file = join(dir, 'lhs.yaml');
writeFileSync(
  file,
  `name: kill-me
base: { file: contagion.yaml }
factors:
  - { path: transmission, range: [0.005, 0.04] }
  - { path: recovery, range: [0.05, 0.3] }
design: { type: lhs, samples: 12 }
replicates: 2
outputs: [{ metric: infected, stat: final }, { metric: new_infections, stat: total }]
`,
);
const db = join(dir, 'results.duckdb');

async function storedCount(): Promise<number> {
  try {
    const store = await openExperimentDb(db, { create: false });
    const rows = await store.read((tx) =>
      tx.query<{ n: number }>(
        "SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'experiment_runs'",
      ),
    );
    if (!rows[0].n) return 0;
    return (await store.read((tx) => tx.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM experiment_runs')))[0]
      .n;
  } catch {
    return 0; // not created yet
  }
}

describe('kill -9 of the coordinator', () => {
  it('resumes without re-running stored runs and stores every run exactly once', async () => {
    const first = panopticon(['experiment', 'run', file, '--db', db, '--workers', '2', '--no-progress']);
    await until(async () => (await storedCount()) >= 4);
    // The store is readable while the experiment writes to it.
    const list = await cli('experiment', 'list', '--db', db);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/kill-me\s+running\s+lhs/);
    first.child.kill('SIGKILL');
    expect(await first.done).toBe('SIGKILL');
    // its coordinator gone, the experiment no longer looks alive
    const dead = await cli('experiment', 'list', '--db', db);
    expect(dead.out).toMatch(/kill-me\s+abandoned\s+lhs/);
    const before = await storedCount();
    expect(before).toBeGreaterThanOrEqual(4);
    expect(before).toBeLessThan(24);

    const second = panopticon(['experiment', 'run', file, '--db', db, '--workers', '2', '--no-progress']);
    expect(await second.done).toBe(0);
    expect(second.out).toMatch(
      new RegExp(`runs\\s+24 planned: ${before} already stored, ${24 - before} run now, 0 failed`),
    );
    const store = await openExperimentDb(db, { create: false });
    const counts = await store.read((tx) =>
      tx.query<{ runs: number; keys: number; positions: number; values: number }>(
        `SELECT (SELECT count(*) FROM experiment_runs)::INTEGER AS runs,
                (SELECT count(DISTINCT run_key) FROM experiment_runs)::INTEGER AS keys,
                (SELECT count(*) FROM experiment_design)::INTEGER AS positions,
                (SELECT count(*) FROM experiment_values)::INTEGER AS values`,
      ),
    );
    expect(counts[0]).toEqual({ runs: 24, keys: 24, positions: 24, values: 48 });
    expect((await cli('experiment', 'list', '--db', db)).out).toMatch(/kill-me\s+complete\s+lhs/);
  });
});
