/**
 * The "national scale" benchmark, in one run: a naive object-per-agent baseline
 * (bench/naive-regime.ts) beside the typed-array regime model (national-blacklist, scaled
 * with the population override) and the straightforward regime-reference, at 1 M, 10 M
 * and 100 M residents with 1 and 2 worker threads. Prints one table (time, agent-days/s overall and per core, speedup over one
 * thread and over the naive baseline, state and peak RSS per agent), the naive and typed
 * key metrics side by side at equal sizes, and the machine; writes
 * bench/results/scale-<date>.json.
 *
 *   npx tsx bench/scale.ts [--full] [--nation]
 *   node dist/bench/scale.js [--full] [--nation]       (after npm run build)
 *
 *   --full    365 days in every case instead of a few
 *   --smoke   every size ÷ 1,000 (a quick check that the script works; not a measurement)
 *   --nation  add the 1.41-billion run (one agent per person); it is put to the memory
 *             check (checkMemory with os.totalmem()) first and reported as refused, with
 *             the bytes it needs, when the machine cannot hold it
 *
 * Every case runs in a fresh child process, so peak RSS is that case's alone. Rates count
 * step ticks only (agents × ticks ÷ step seconds); synthesis (init) is timed apart.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { estimateStateBytes } from '../src/engine/simulation.js';
import { models } from '../src/models/registry.js';
import type { PoolTimes } from '../src/runtime/node-pool.js';
import { formatBytes } from '../src/scenario/errors.js';
import { loadPreset } from '../src/scenario/load.js';
import { checkMemory } from '../src/scenario/resolve.js';
import { PARALLEL_LEGEND, cpuSeconds, describeMachine, machine, parallelBreakdown, peakRssBytes } from './machine.js';
import {
  NaiveRegime,
  compareLines,
  keyMetrics,
  presetParams,
  runTyped,
  type KeyMetrics,
  type Metrics,
} from './naive-regime.js';

const PRESET = 'national-blacklist';
const NATION_AGENTS = 1_410_000_000;

/** naive: object per agent; reference: regime-reference (typed, every resident every day); typed: the fast day. */
type ModelKind = 'naive' | 'reference' | 'typed';

interface Plan {
  model: ModelKind;
  agents: number;
  ticks: number;
  threads: number;
  /** A typed twin of a naive case, there to compare metrics (not a scale point). */
  role: 'scale' | 'twin';
}

interface Measured {
  model: ModelKind;
  agents: number;
  ticks: number;
  threads: number;
  initSeconds: number;
  stepSeconds: number;
  cpuSeconds: number;
  agentDaysPerSecond: number;
  stateBytesPerAgent: number;
  peakRssBytesPerAgent: number;
  loadAverageAtStart: number[];
  metrics: KeyMetrics;
  /** With worker threads: the steps' busy time per worker, balance and occupancy. */
  pool?: PoolTimes;
}

interface Row extends Plan {
  refused?: string;
  stateBytesNeeded?: number;
  result?: Measured;
  speedupVsOneThread?: number;
  speedupVsNaive?: number;
  naiveReference?: string;
  /** The fast day over regime-reference at the same size and threads. */
  speedupVsReference?: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** One case, in this (child) process. */
async function runChild(plan: Plan): Promise<Measured> {
  const { params, seed } = presetParams(PRESET, plan.ticks, plan.agents);
  const load = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const c0 = cpuSeconds();
  let initSeconds: number;
  let stepSeconds: number;
  let stateBytes: number;
  let agents: number;
  let series: Metrics[];
  let pool: PoolTimes | undefined;
  if (plan.model === 'naive') {
    // State bytes: heap held by the objects (measured after a full GC on both sides).
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const model = new NaiveRegime(params, seed);
    const t1 = performance.now();
    gc();
    stateBytes = process.memoryUsage().heapUsed - heap0;
    const t2 = performance.now();
    series = [];
    for (let t = 1; t <= plan.ticks; t++) series.push(model.step(t));
    const t3 = performance.now();
    initSeconds = (t1 - t0) / 1000;
    stepSeconds = (t3 - t2) / 1000;
    agents = model.residents.length;
  } else {
    const r = await runTyped(
      params,
      seed,
      plan.ticks,
      plan.threads,
      plan.model === 'reference' ? 'regime-reference' : 'regime',
    );
    initSeconds = r.initSeconds;
    stepSeconds = r.stepSeconds;
    stateBytes = r.stateBytes;
    agents = r.agents;
    series = r.series;
    pool = r.pool;
  }
  return {
    model: plan.model,
    agents,
    ticks: plan.ticks,
    threads: plan.threads,
    initSeconds,
    stepSeconds,
    cpuSeconds: cpuSeconds() - c0,
    agentDaysPerSecond: (agents * plan.ticks) / stepSeconds,
    stateBytesPerAgent: stateBytes / agents,
    peakRssBytesPerAgent: peakRssBytes() / agents,
    loadAverageAtStart: load,
    metrics: keyMetrics(series),
    pool,
  };
}

/** The memory check the CLI applies, against the machine's total memory. */
function memoryCheck(agents: number): { refused?: string; stateBytesNeeded: number } {
  const scenario = loadPreset(PRESET, { registry: models, overrides: { steps: 1, population: agents } });
  const layout = models.regime.definition.layout(models.regime.params.parse(scenario.params));
  const stateBytesNeeded = estimateStateBytes(layout);
  try {
    checkMemory(scenario, models, os.totalmem());
    return { stateBytesNeeded };
  } catch (e) {
    return { refused: (e as Error).message, stateBytesNeeded };
  }
}

function plans(full: boolean, nation: boolean, smoke: boolean): Plan[] {
  const t = (few: number): number => (full ? 365 : few);
  const scaled = (list: Plan[]): Plan[] =>
    smoke ? list.map((p) => ({ ...p, agents: p.agents === NATION_AGENTS ? p.agents : p.agents / 1000 })) : list;
  const list: Plan[] = [
    // The naive baseline; at 100 k a whole year, so the list, blocks and family metrics
    // (which need the 60-day judgment delay) have something to compare.
    { model: 'naive', agents: 100_000, ticks: 365, threads: 1, role: 'scale' },
    { model: 'typed', agents: 100_000, ticks: 365, threads: 1, role: 'twin' },
    { model: 'naive', agents: 1_000_000, ticks: t(10), threads: 1, role: 'scale' },
    // The straightforward typed implementation the fast day is docked against.
    { model: 'reference', agents: 1_000_000, ticks: t(10), threads: 1, role: 'scale' },
    { model: 'reference', agents: 10_000_000, ticks: t(5), threads: 2, role: 'scale' },
  ];
  // Enough days that the first (every cell rebuilt, code compiled) does not dominate the fast
  // day's rate: a night visits a tenth of the residents, the first visits all of them.
  for (const [agents, few] of [
    [1_000_000, 30],
    [10_000_000, 20],
    [100_000_000, 20],
  ] as const) {
    for (const threads of [1, 2]) list.push({ model: 'typed', agents, ticks: t(few), threads, role: 'scale' });
  }
  if (nation) {
    for (const threads of [1, 2])
      list.push({ model: 'typed', agents: NATION_AGENTS, ticks: t(3), threads, role: 'scale' });
  }
  return scaled(list);
}

const mega = (x: number): string => `${(x / 1e6).toFixed(2)} M`;
const short = (n: number): string =>
  n >= 1e9 ? `${+(n / 1e9).toFixed(2)} B` : n >= 1e6 ? `${+(n / 1e6).toFixed(2)} M` : `${+(n / 1e3).toFixed(0)} k`;

function table(rows: Row[]): string[] {
  const head = [
    'model',
    'agents',
    'ticks',
    'thr',
    'init s',
    'step s',
    'agent-days/s',
    'per core',
    '× 1 thr',
    '× naive',
    '× ref',
    'state B/agent',
    'peak RSS B/agent',
  ];
  const body = rows.map((row) => {
    const r = row.result;
    const name =
      row.model === 'typed'
        ? row.role === 'twin'
          ? 'fast (twin)'
          : 'fast'
        : row.model === 'reference'
          ? 'reference'
          : 'naive';
    if (!r) {
      return [
        name,
        short(row.agents),
        String(row.ticks),
        String(row.threads),
        'refused',
        '',
        '',
        '',
        '',
        '',
        '',
        `needs ${formatBytes(row.stateBytesNeeded ?? 0)}`,
        '',
      ];
    }
    return [
      name,
      short(r.agents),
      String(r.ticks),
      String(r.threads),
      r.initSeconds.toFixed(1),
      r.stepSeconds.toFixed(1),
      mega(r.agentDaysPerSecond),
      mega(r.agentDaysPerSecond / r.threads),
      row.speedupVsOneThread !== undefined ? row.speedupVsOneThread.toFixed(2) : '',
      row.speedupVsNaive !== undefined ? `${row.speedupVsNaive.toFixed(2)} (${row.naiveReference})` : '',
      row.speedupVsReference !== undefined ? row.speedupVsReference.toFixed(2) : '',
      r.stateBytesPerAgent.toFixed(1),
      r.peakRssBytesPerAgent.toFixed(1),
    ];
  });
  const widths = head.map((h, k) => Math.max(h.length, ...body.map((b) => b[k].length)));
  const line = (cells: string[]): string =>
    '  ' + cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ');
  return [line(head), '  ' + widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}

/** The parallel breakdown of each fast-day size run with 1 and 2 threads. */
function parallelLines(rows: Row[]): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    const r = row.result;
    if (row.model !== 'typed' || !r?.pool || row.speedupVsOneThread === undefined) continue;
    const one = rows.find(
      (o) => o.model === 'typed' && o.agents === row.agents && o.ticks === row.ticks && o.threads === 1 && o.result,
    );
    if (!one) continue;
    lines.push(
      `  ${short(r.agents)} × ${r.ticks} days: speedup ${row.speedupVsOneThread.toFixed(2)}× = ` +
        parallelBreakdown(one.result!.stepSeconds, r.pool),
    );
  }
  return lines.length ? [...PARALLEL_LEGEND.map((l) => `  ${l}`), ...lines] : [];
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) {
    const plan = JSON.parse(arg('plan', '{}')) as Plan;
    process.stdout.write(JSON.stringify(await runChild(plan)));
    return;
  }
  const full = process.argv.includes('--full');
  const nation = process.argv.includes('--nation');
  const smoke = process.argv.includes('--smoke');
  const started = new Date();
  const m0 = machine();
  console.log(
    `scale bench: preset ${PRESET}${full ? ', --full (365 days)' : ''}${nation ? ', --nation' : ''}${smoke ? ', --smoke (sizes ÷ 1,000)' : ''}`,
  );
  console.log(`machine: ${describeMachine(m0)}`);
  const self = fileURLToPath(import.meta.url);
  const rows: Row[] = [];
  for (const plan of plans(full, nation, smoke)) {
    const row: Row = { ...plan };
    rows.push(row);
    const label = `${plan.model} ${short(plan.agents)} × ${plan.ticks} days, ${plan.threads} thread(s)`;
    if (plan.model !== 'naive') {
      const check = memoryCheck(plan.agents);
      row.stateBytesNeeded = check.stateBytesNeeded;
      if (check.refused) {
        row.refused = check.refused;
        console.log(
          `  ${label}: refused by the memory check (needs ${check.stateBytesNeeded.toLocaleString('en-US')} bytes of state): ${check.refused}`,
        );
        continue;
      }
    }
    // The naive model keeps its state on the V8 heap: --expose-gc to measure it, and room
    // above Node's default old-space limit for a million objects with their doubles.
    const nodeFlags = plan.model === 'naive' ? ['--expose-gc', '--max-old-space-size=16384'] : [];
    const t0 = performance.now();
    const out = execFileSync(
      process.execPath,
      [...nodeFlags, ...process.execArgv, self, '--child', '--plan', JSON.stringify(plan)],
      { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    row.result = JSON.parse(out) as Measured;
    const r = row.result;
    console.log(
      `  ${label}: init ${r.initSeconds.toFixed(1)} s, steps ${r.stepSeconds.toFixed(1)} s, ` +
        `${mega(r.agentDaysPerSecond)} agent-days/s, state ${r.stateBytesPerAgent.toFixed(1)} B/agent, ` +
        `peak RSS ${r.peakRssBytesPerAgent.toFixed(1)} B/agent (case wall ${((performance.now() - t0) / 1000).toFixed(0)} s, load ${r.loadAverageAtStart.join(' ')})`,
    );
  }

  // Speedups: over the 1-thread run of the same model, size and length; over the naive
  // baseline of the same size if there is one, else the largest naive run (per agent-day).
  const naiveRows = rows.filter((r) => r.model === 'naive' && r.result);
  for (const row of rows) {
    const r = row.result;
    if (!r) continue;
    const one = rows.find(
      (o) => o.model === row.model && o.agents === row.agents && o.ticks === row.ticks && o.threads === 1 && o.result,
    );
    if (one && one !== row) row.speedupVsOneThread = r.agentDaysPerSecond / one.result!.agentDaysPerSecond;
    else if (one === row) row.speedupVsOneThread = 1;
    if (row.model !== 'naive' && naiveRows.length) {
      const ref =
        naiveRows.find((n) => n.agents === row.agents) ?? naiveRows.reduce((a, b) => (b.agents > a.agents ? b : a));
      row.speedupVsNaive = r.agentDaysPerSecond / ref.result!.agentDaysPerSecond;
      row.naiveReference = `vs ${short(ref.agents)}`;
    }
    const reference = rows.find(
      (o) => o.model === 'reference' && o.agents === row.agents && o.threads === row.threads && o.result,
    );
    if (row.model === 'typed' && reference) {
      row.speedupVsReference = r.agentDaysPerSecond / reference.result!.agentDaysPerSecond;
    }
  }

  console.log('');
  for (const line of table(rows)) console.log(line);
  console.log('');
  console.log(
    '  per core = agent-days/s ÷ threads; × naive = agent-days/s ÷ the naive run’s (same size, else the largest);',
  );
  console.log(
    '  fast = the default regime model (fast day); reference = regime-reference; × ref = fast ÷ reference, same size and threads;',
  );
  console.log('  rates exclude synthesis (init s); naive state = V8 heap held by its objects after a full GC.');
  const parallel = parallelLines(rows);
  if (parallel.length) {
    console.log('');
    for (const line of parallel) console.log(line);
  }

  // Same size, same days: the naive and typed models' key metrics side by side.
  for (const n of naiveRows) {
    const t = rows.find(
      (o) => o.model === 'typed' && o.threads === 1 && o.agents === n.agents && o.ticks === n.ticks && o.result,
    );
    if (!t) continue;
    console.log('');
    console.log(
      `  key metrics, ${short(n.agents)} agents × ${n.ticks} days (stocks: final or daily mean; flows: totals):`,
    );
    for (const line of compareLines(n.result!.metrics, t.result!.metrics)) console.log(line);
  }
  const m1 = machine();
  console.log('');
  console.log(`machine: ${describeMachine(m1)} (load at start ${m0.loadAverage.join(' ')})`);

  const dir = fileURLToPath(new URL('./results/', import.meta.url)).replace('/dist/bench/', '/bench/');
  mkdirSync(dir, { recursive: true });
  const file = `${dir}scale-${started.toISOString().slice(0, 10)}${smoke ? '.smoke.tmp' : ''}.json`;
  writeFileSync(
    file,
    JSON.stringify(
      {
        preset: PRESET,
        full,
        nation,
        started: started.toISOString(),
        machineAtStart: m0,
        machineAtEnd: m1,
        cases: rows,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`written ${file}`);
}

await main();
