/**
 * Benchmark of the Epstein model: Run 2 settings (vision 7, movement on, L 0.82, J 30,
 * cops 0.04, citizens 0.7; NetLogo defaults, floor rule so that outbursts happen) at
 * 40×40, 200×200 and 1000×1000. Prints a table and writes bench/results/epstein-<date>.json.
 *
 * agent-steps/s = (citizens + cops) × ticks ÷ time of those ticks (init excluded), reported
 * over three spans because the rate depends strongly on the phase of the run:
 *   - opening: ticks 1…`opening`. Everyone starts quiet, so the first ticks bring a huge
 *     outburst (~175 000 actives at 1000×1000, each moving and updating its vision window);
 *   - steady: ticks after `burnIn` (a steady regime of recurring outbursts, one jail cycle and
 *     more), the number to compare against a target rate;
 *   - all: ticks 1…end.
 * Each span is timed by the wall clock and by this process's CPU time (user + system).
 * The machine may be shared: the load average is recorded before and after, and on a loaded
 * machine the CPU-time rate is the better estimate of single-core speed (it still suffers
 * from cache contention with the other processes).
 * bytes/agent (model) = the run's state bytes (columns, accumulators) ÷ agents;
 * bytes/agent (RSS) = growth of the process's resident set over the run ÷ agents.
 * Bench code may use Node APIs (node:os, process); the engine does not.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { epsteinParams, epsteinModel } from '../src/models/epstein/index.js';
import { runSimulation } from '../src/engine/simulation.js';

interface Case {
  readonly side: number;
  readonly ticks: number;
  readonly opening: number;
  readonly burnIn: number;
}

const cases: Case[] = [
  { side: 40, ticks: 5000, opening: 50, burnIn: 500 },
  { side: 200, ticks: 500, opening: 30, burnIn: 100 },
  { side: 1000, ticks: 100, opening: 20, burnIn: 40 },
];

interface Rate {
  readonly ticks: string;
  readonly wall: number;
  readonly cpu: number;
}

interface Row {
  grid: string;
  agents: number;
  ticks: number;
  seconds: number;
  cpuSeconds: number;
  /** Over all ticks, wall clock (the historical headline number). */
  agentStepsPerSecond: number;
  opening: Rate;
  steady: Rate;
  all: Rate;
  modelBytesPerAgent: number;
  rssBytesPerAgent: number;
  peakActive: number;
  finalActive: number;
  finalJailed: number;
  load: { before: number[]; after: number[] };
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function measure(c: Case): Promise<Row> {
  const params = epsteinParams.parse({ width: c.side, height: c.side, arrestRule: 'floor' });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const loadBefore = os.loadavg();
  const rss0 = process.memoryUsage().rss;
  // Per-tick durations; index t − 1 holds tick t.
  const wall = new Float64Array(c.ticks);
  const cpu = new Float64Array(c.ticks);
  let w0 = 0;
  let c0 = 0;
  let active = 0;
  let jailed = 0;
  let peakActive = 0;
  const result = await runSimulation(epsteinModel, params, {
    seed: 1,
    steps: c.ticks,
    onTick: (tick, values) => {
      const w1 = performance.now();
      const c1 = cpuMs();
      if (tick > 0) {
        wall[tick - 1] = w1 - w0;
        cpu[tick - 1] = c1 - c0;
      }
      w0 = w1;
      c0 = c1;
      active = values[3];
      jailed = values[4];
      if (tick > 0) peakActive = Math.max(peakActive, active);
    },
  });
  const rss1 = process.memoryUsage().rss;
  const agents = result.layout.agents;
  const sum = (xs: Float64Array, from: number, to: number): number => {
    let s = 0;
    for (let t = from; t <= to; t++) s += xs[t - 1];
    return s;
  };
  const rate = (from: number, to: number): Rate => ({
    ticks: `${from}-${to}`,
    wall: (agents * (to - from + 1)) / (sum(wall, from, to) / 1000),
    cpu: (agents * (to - from + 1)) / (sum(cpu, from, to) / 1000),
  });
  const all = rate(1, c.ticks);
  return {
    grid: `${c.side}×${c.side}`,
    agents,
    ticks: c.ticks,
    seconds: sum(wall, 1, c.ticks) / 1000,
    cpuSeconds: sum(cpu, 1, c.ticks) / 1000,
    agentStepsPerSecond: all.wall,
    opening: rate(1, c.opening),
    steady: rate(c.burnIn + 1, c.ticks),
    all,
    modelBytesPerAgent: result.stateBytes / agents,
    rssBytesPerAgent: Math.max(0, rss1 - rss0) / agents,
    peakActive,
    finalActive: active,
    finalJailed: jailed,
    load: { before: loadBefore, after: os.loadavg() },
  };
}

async function main(): Promise<void> {
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
  // Warm-up so the first case is not penalised by JIT compilation.
  await runSimulation(epsteinModel, epsteinParams.parse({}), { seed: 99, steps: 300 });
  const rows: Row[] = [];
  for (const c of cases) rows.push(await measure(c));
  const m = (x: number): string => `${(x / 1e6).toFixed(2)}`.padStart(6);
  console.log(
    `Epstein Run 2 (floor rule, vision 7, movement on) — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`,
  );
  console.log('M agent-steps/s, wall / CPU time; spans: opening, steady (after burn-in), all ticks');
  console.log(
    'grid        agents  ticks   opening (ticks)         steady (ticks)          all            B/agent model  RSS   load 1-min',
  );
  for (const r of rows) {
    const span = (s: Rate): string => `${m(s.wall)} /${m(s.cpu)} (${s.ticks})`.padEnd(24);
    console.log(
      `${r.grid.padEnd(11)} ${String(r.agents).padStart(7)} ${String(r.ticks).padStart(5)}   ${span(r.opening)}${span(r.steady)}${m(r.all.wall)} /${m(r.all.cpu)}  ${r.modelBytesPerAgent.toFixed(1).padStart(6)} ${r.rssBytesPerAgent.toFixed(1).padStart(7)}   ${r.load.before[0].toFixed(1)}→${r.load.after[0].toFixed(1)}`,
    );
  }
  const date = new Date().toISOString().slice(0, 10);
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/epstein-${date}.json`;
  writeFileSync(
    file,
    JSON.stringify({ benchmark: 'epstein-run2', date: new Date().toISOString(), machine, rows }, null, 2) + '\n',
  );
  console.log(`wrote ${file}`);
}

await main();
