/**
 * Benchmark of the experiment layer on national-blacklist years of 100,000 residents
 * (replicates of one scenario, so every run does the same work):
 *
 *   1. the local run pool with 1 and 2 worker threads (target: 2 ≥ 1.8 × 1);
 *   2. per-run overhead: synthesis, and everything besides the simulation — dispatch,
 *      result transfer, store writes — as shares of a run (target: ≤ 5 %);
 *   3. the projected time of a Sobol analysis of 8 factors with N = 256 (2,560 runs) on
 *      this machine at the 2-thread rate (target: ≤ 30 minutes);
 *   4. one and two `panopticon worker` processes over Redis (target: 2 ≥ 1.8 × 1, and
 *      within 10 % of the local pool).
 *
 *   npm run bench:experiments -- [--runs 12] [--population 100000] [--steps 365] [--redis URL]
 *
 * Without --redis it starts Debian's redis-server on a free local port (no persistence)
 * and stops it at the end. Workers run from dist/ (npm run build first; the npm script
 * does). Results: bench/results/experiments-<date>.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalBackend, runExperiment, type Backend } from '../src/experiments/coordinator.js';
import { openExperimentDb } from '../src/experiments/db.js';
import { loadExperimentFile } from '../src/experiments/load.js';
import { RunPool } from '../src/experiments/pool.js';
import { QueueBackend } from '../src/experiments/queue.js';
import { models } from '../src/models/registry.js';
import { describeMachine, machine } from './machine.js';
import { startRedis } from './redis-server.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const runs = Number(arg('runs', '12'));
const population = Number(arg('population', '100000'));
const steps = Number(arg('steps', '365'));
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'pano-bench-exp-'));

interface Case {
  readonly name: string;
  readonly runs: number;
  readonly wallSeconds: number;
  readonly runsPerMinute: number;
  /** Mean wall time of one run in its thread (synthesis included), and of synthesis alone. */
  readonly runSeconds: number;
  readonly synthesisSeconds: number;
  /**
   * CPU seconds per run spent by the processes doing the work (this process and its threads,
   * or the worker processes): on a shared host the wall-time ratios say what the host gave,
   * this says whether the work itself grew.
   */
  readonly cpuSecondsPerRun: number;
  /** The same command again once every run is stored: opening the store, planning, checking (a fixed cost, not per run). */
  readonly fixedSeconds: number;
}

/** user + system CPU seconds of a process from /proc (Linux), 0 where unreadable. */
function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

function experimentFile(name: string): string {
  const f = join(work, `${name}.yaml`);
  writeFileSync(
    f,
    `name: ${name}
base: { preset: national-blacklist, population: ${population}, steps: ${steps} }
replicates: ${runs}
outputs:
  - { metric: legitimacy_mean, stat: final }
  - { metric: wrongful_listing_days, stat: total, by: group }
  - { metric: blacklist_entries, stat: total }
`,
  );
  return f;
}

async function measure(name: string, backend: Backend, workerPids: readonly number[] = []): Promise<Case> {
  const exp = loadExperimentFile(experimentFile(name), { registry: models });
  const db = await openExperimentDb(join(work, `${name}.duckdb`));
  const cpu = () => procCpuSeconds(process.pid) + workerPids.reduce((s, pid) => s + procCpuSeconds(pid), 0);
  const cpu0 = cpu();
  const t0 = performance.now();
  const report = await runExperiment({ exp, registry: models, db, backend });
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpuSeconds = cpu() - cpu0;
  const t1 = performance.now();
  const again = await runExperiment({ exp, registry: models, db, backend });
  const fixedSeconds = (performance.now() - t1) / 1000;
  if (again.ran !== 0) throw new Error(`${name}: a second run re-ran ${again.ran} runs`);
  await backend.close();
  if (report.status !== 'complete') throw new Error(`${name}: ${report.status}: ${report.failures[0]?.error ?? ''}`);
  const rows = await db.read((tx) =>
    tx.query<{ wall: number; init: number }>(
      'SELECT avg(wall_seconds) AS wall, avg(init_seconds) AS init FROM experiment_runs WHERE experiment_id = $1',
      [name],
    ),
  );
  const c: Case = {
    name,
    runs: report.ran,
    wallSeconds,
    runsPerMinute: (60 * report.ran) / wallSeconds,
    runSeconds: rows[0].wall,
    synthesisSeconds: rows[0].init,
    cpuSecondsPerRun: cpuSeconds / report.ran,
    fixedSeconds,
  };
  console.log(
    `${name.padEnd(16)} ${c.runs} runs in ${wallSeconds.toFixed(1)} s = ${c.runsPerMinute.toFixed(2)} runs/min; a run ${c.runSeconds.toFixed(2)} s in its thread (synthesis ${c.synthesisSeconds.toFixed(2)} s), ${c.cpuSecondsPerRun.toFixed(2)} CPU-s per run; fixed cost ${c.fixedSeconds.toFixed(2)} s`,
  );
  return c;
}

function startWorkers(url: string, count: number): Promise<ChildProcess[]> {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, [cli, 'worker', '--queue', url, '--concurrency', '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  return Promise.all(
    children.map(
      (c) =>
        new Promise<ChildProcess>((res) => {
          let out = '';
          c.stdout!.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('serving')) res(c);
          });
        }),
    ),
  );
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((res) => {
          c.on('close', () => res());
          c.kill('SIGTERM');
        }),
    ),
  );
}

const m = machine();
console.log(
  `experiments bench: national-blacklist ${population.toLocaleString('en-US')} residents × ${steps} days, ${runs} runs per case`,
);
console.log(`machine: ${describeMachine(m)}`);
console.log('(wall-time ratios measure what the host gave; CPU-s per run shows whether the work per run grew)');
const cases: Case[] = [];
cases.push(await measure('local-1', new LocalBackend(new RunPool(1))));
cases.push(await measure('local-2', new LocalBackend(new RunPool(2))));
let redis: { url: string; stop: () => Promise<void> } | null = null;
const given = arg('redis', '');
try {
  if (!given) redis = await startRedis();
  const url = given || redis!.url;
  for (const count of [1, 2]) {
    const workers = await startWorkers(url, count);
    try {
      const pids = workers.map((w) => w.pid!);
      cases.push(await measure(`redis-${count}`, new QueueBackend(url, { runsPerJob: 1 }), pids));
    } finally {
      await stopWorkers(workers);
    }
  }
} finally {
  await redis?.stop();
}

const by = (n: string) => cases.find((c) => c.name === n)!;
const local1 = by('local-1');
const local2 = by('local-2');
const redis1 = by('redis-1');
const redis2 = by('redis-2');
// Overhead per run: the pool's wall time per run, less the fixed cost of the command (store,
// plan), beyond the runs' own time in their threads (thread start-up stays in: it is paid once
// per thread, so it shrinks with more runs).
const perRun = (local1.wallSeconds - local1.fixedSeconds) / local1.runs;
const overhead = (perRun - local1.runSeconds) / perRun;
const sobolRuns = 256 * (8 + 2);
const sobolMinutes = (sobolRuns / local2.runsPerMinute) * 1;
const summary = {
  localSpeedup: local2.runsPerMinute / local1.runsPerMinute,
  overheadShare: overhead,
  synthesisShare: local1.synthesisSeconds / local1.runSeconds,
  sobolRuns,
  sobolProjectedMinutes: sobolMinutes,
  /** The same projection from CPU time: what two cores given wholly to the work would take. */
  sobolProjectedMinutesFromCpu: (sobolRuns * local2.cpuSecondsPerRun) / 2 / 60,
  redisSpeedup: redis2.runsPerMinute / redis1.runsPerMinute,
  redisVsLocal: redis2.runsPerMinute / local2.runsPerMinute,
};
console.log('');
console.log(`local pool, 2 threads ÷ 1:          ${summary.localSpeedup.toFixed(2)}×   (target ≥ 1.8×)`);
console.log(
  `per-run overhead beyond the run:     ${(100 * summary.overheadShare).toFixed(1)} % (target ≤ 5 %); synthesis is ${(100 * summary.synthesisShare).toFixed(1)} % of a run`,
);
console.log(
  `Sobol, 8 factors, N = 256:           ${sobolRuns} runs ≈ ${sobolMinutes.toFixed(0)} min at the 2-thread rate (target ≤ 30 min)`,
);
console.log(`  … from CPU-s per run (2 cores wholly ours): ${summary.sobolProjectedMinutesFromCpu.toFixed(0)} min`);
console.log(`Redis, 2 workers ÷ 1:                ${summary.redisSpeedup.toFixed(2)}×   (target ≥ 1.8×)`);
console.log(`Redis 2 workers ÷ local pool of 2:   ${summary.redisVsLocal.toFixed(2)}    (target ≥ 0.9)`);
const outDir = join(root, 'bench', 'results');
mkdirSync(outDir, { recursive: true });
const out = join(outDir, `experiments-${new Date().toISOString().slice(0, 10)}.json`);
writeFileSync(
  out,
  JSON.stringify({ machine: m, population, steps, runsPerCase: runs, cases, summary }, null, 2) + '\n',
);
console.log(`\nwrote ${out}`);
rmSync(work, { recursive: true, force: true });
