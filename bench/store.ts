/**
 * Benchmark of the results store's short-transaction design (docs/guide.md §4, "Many
 * processes at once"): what a run pays for staging its metrics in a file of its own and
 * importing them at the end, and how long other processes wait for the store.
 *
 *   - national import: 366 ticks × 3,000 metric keys (1.1 million rows, more keys than any
 *     preset has today) pushed to a staging file, then imported in one transaction — the
 *     longest a reader or another run waits for the store;
 *   - fixed cost per run: open, recover, record the run, stage, seal and import, for a run
 *     of 10 keys × 11 ticks (what an experiment of thousands of tiny runs pays per run);
 *   - listing: `listRuns` on a store of 1,000 runs.
 *
 * Prints a table and writes bench/results/store-<date>.json. `npm run bench:store`.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultsStore, type RunStart } from '../src/store/store.js';
import { describeMachine, machine } from './machine.js';

const start: RunStart = {
  model: 'bench',
  preset: null,
  scenarioHash: 'h',
  seed: 1,
  steps: 365,
  threads: 1,
  version: 'bench',
  agents: 1,
  stateBytes: 1,
  scenarioJson: '{}',
};

function keys(n: number) {
  return Array.from({ length: n }, (_, k) => ({ name: `metric_${k % 100}`, key: k < 100 ? '' : `region=r${k}` }));
}

async function stagedRun(store: ResultsStore, nKeys: number, ticks: number) {
  const id = await store.beginRun({ ...start, steps: ticks - 1 });
  const t0 = performance.now();
  const staged = await store.stage(id, keys(nKeys));
  const values = new Float64Array(nKeys);
  for (let t = 0; t < ticks; t++) {
    for (let k = 0; k < nKeys; k++) values[k] = Math.sin(t * 0.01 + k) * 1000;
    staged.push(t, values);
  }
  await staged.seal({
    status: 'complete',
    error: null,
    wallSeconds: 1,
    peakRssBytes: 1,
    agentStepsPerSecond: 1,
    ticks: ticks - 1,
  });
  const staging = statSync(staged.file).size + (statSync(`${staged.file}.wal`, { throwIfNoEntry: false })?.size ?? 0);
  const t1 = performance.now();
  await store.importStaged(id);
  const t2 = performance.now();
  return { id, stageMs: t1 - t0, importMs: t2 - t1, stagingBytes: staging };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'pano-bench-store-'));
  const m = machine();
  console.log(`store benchmark on ${describeMachine(m)}`);

  // national import
  const big = await ResultsStore.open(join(dir, 'national', 'results.duckdb'));
  const national = await stagedRun(big, 3000, 366);
  const rows = 3000 * 366;

  // fixed cost per run, the whole path a CLI run takes through the store
  const small = join(dir, 'small', 'results.duckdb');
  const perRun: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const store = await ResultsStore.open(small);
    await store.recover();
    await stagedRun(store, 10, 11);
    perRun.push(performance.now() - t0);
  }
  perRun.sort((a, b) => a - b);
  const median = perRun[Math.floor(perRun.length / 2)];

  // listing a store of 1,000 runs
  const many = await ResultsStore.open(join(dir, 'many', 'results.duckdb'));
  await many.write(async (tx) => {
    for (let i = 0; i < 1000; i++)
      await tx.run(
        `INSERT INTO runs (run_id, model, preset, scenario_hash, seed, steps, threads, version, started_at, status, agents, state_bytes, scenario_json)
         VALUES ($1, 'bench', NULL, 'h', $2, 365, 1, 'bench', now(), 'complete', 1, 1, $3)`,
        [`run-${String(i).padStart(4, '0')}`, i, JSON.stringify({ params: { filler: 'x'.repeat(2000) } })],
      );
  });
  const listMs: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await many.listRuns();
    listMs.push(performance.now() - t0);
  }
  listMs.sort((a, b) => a - b);

  const result = {
    machine: m,
    national: {
      keys: 3000,
      ticks: 366,
      rows,
      stageSeconds: national.stageMs / 1000,
      importSeconds: national.importMs / 1000,
      stagingBytes: national.stagingBytes,
      storeBytes: statSync(big.path).size,
    },
    perRun: { runs: perRun.length, medianMs: median, minMs: perRun[0], maxMs: perRun.at(-1) },
    list1000: { medianMs: listMs[Math.floor(listMs.length / 2)] },
  };
  console.log(
    [
      `national run, ${rows.toLocaleString('en-US')} rows: staged in ${result.national.stageSeconds.toFixed(2)} s (${(result.national.stagingBytes / 2 ** 20).toFixed(1)} MiB staging file), imported in ${result.national.importSeconds.toFixed(2)} s (the longest anyone waits for the store)`,
      `fixed cost of one tiny run through the store (open, recover, record, stage, import): median ${median.toFixed(0)} ms (min ${perRun[0].toFixed(0)}, max ${perRun.at(-1)!.toFixed(0)})`,
      `listRuns on 1,000 runs: median ${result.list1000.medianMs.toFixed(0)} ms`,
    ].join('\n'),
  );
  mkdirSync('bench/results', { recursive: true });
  const out = `bench/results/store-${new Date().toISOString().slice(0, 10)}.json`;
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${out}`);
  rmSync(dir, { recursive: true, force: true });
}

await main();
