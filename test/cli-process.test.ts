/** The real `panopticon` entry point (src/cli/main.ts via tsx) in child processes, with the real model registry. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultsStore } from '../src/store/store.js';
import { panopticon, root, spawnPanopticon, waitFor } from './helpers/cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-proc-'));

function scenario(text: string): string {
  const f = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  return f;
}

async function runs(db: string) {
  const store = await ResultsStore.open(db, { readOnly: true });
  return store.listRuns();
}

describe('panopticon CLI process', () => {
  it('has a node shebang (the compiled bin needs it)', () => {
    expect(readFileSync(join(root, 'src/cli/main.ts'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('a malformed scenario exits 1 with one line per problem, no stack trace, and no store', async () => {
    const db = join(dir, 'bad', 'results.duckdb');
    const f = scenario('model: contagion\nseed: 1\nsteps: 5\nparams: { transmision: 0.5, recovery: 3 }\n');
    const r = await panopticon(['run', f, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: ${f}: 2 problems:\n` +
        '  params.recovery: got 3, out of range; allowed: a number in [0, 1]\n' +
        '  params.transmision: unknown key; did you mean `transmission`?\n',
    );
    expect(r.out).toBe('');
    expect(existsSync(db)).toBe(false);
  });

  it('runs a scenario into the store, lists it and exports Parquet', async () => {
    const db = join(dir, 'ok', 'results.duckdb');
    const f = scenario('model: contagion\nseed: 4\nsteps: 6\nparams: { cells: 20, meanCellSize: 10 }\n');
    const r = await panopticon(['run', f, '--db', db]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/status\s+complete/);
    expect(r.out).toMatch(/\ninfected\s+[\d,]+\s+[\d,.]+\s+[\d,]+\n/);
    const [row] = await runs(db);
    expect(row).toMatchObject({ status: 'complete', model: 'contagion', seed: 4, steps: 6 });
    const pq = join(dir, 'ok.parquet');
    const e = await panopticon(['export', row.run_id, '--format', 'parquet', '--out', pq, '--db', db]);
    expect(e.code).toBe(0);
    // the export, then its RO-Crate sidecar beside it (src/charts/node/crate.ts)
    expect(e.out).toBe(
      `exported 35 rows of run ${row.run_id} to ${pq}\nwrote ${join(dir, 'ro-crate-metadata.json')}\n`,
    );
  });

  it('SIGINT mid-run stores the run as interrupted and exits 130', async () => {
    const db = join(dir, 'int', 'results.duckdb');
    const f = scenario('model: contagion\nseed: 1\nsteps: 100000000\nparams: { cells: 2000, meanCellSize: 50 }\n');
    const p = spawnPanopticon(['run', f, '--db', db]);
    // signals are handled once ticks run: wait for the progress bar to show a tick ≥ 1
    await waitFor(p, (out) => /tick [1-9]\d*\//.test(out));
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/interrupted by SIGINT: run \S+ stored as 'interrupted'/);
    const [row] = await runs(db);
    expect(row.status).toBe('interrupted');
    expect(row.error).toMatch(/^interrupted by SIGINT after \d+ of 100000000 ticks$/);
  });
});
