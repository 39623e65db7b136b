/**
 * Benchmark of the Epstein model: Run 2 settings (vision 7, movement on, L 0.82, J 30,
 * cops 0.04, citizens 0.7; NetLogo defaults, floor rule so that outbursts happen) at
 * 40×40, 200×200 and 1000×1000. Prints a table and writes bench/results/epstein-<date>.json.
 *
 * agent-steps/s = (citizens + cops) × ticks ÷ wall time of the tick loop (init excluded).
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
}

const cases: Case[] = [
  { side: 40, ticks: 5000 },
  { side: 200, ticks: 400 },
  { side: 1000, ticks: 40 },
];

interface Row {
  grid: string;
  agents: number;
  ticks: number;
  seconds: number;
  agentStepsPerSecond: number;
  modelBytesPerAgent: number;
  rssBytesPerAgent: number;
  finalActive: number;
  finalJailed: number;
}

async function measure(c: Case): Promise<Row> {
  const params = epsteinParams.parse({ width: c.side, height: c.side, arrestRule: 'floor' });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rss0 = process.memoryUsage().rss;
  let t0 = 0;
  let active = 0;
  let jailed = 0;
  const result = await runSimulation(epsteinModel, params, {
    seed: 1,
    steps: c.ticks,
    onTick: (tick, values) => {
      if (tick === 0) t0 = performance.now();
      active = values[3];
      jailed = values[4];
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const rss1 = process.memoryUsage().rss;
  const agents = result.layout.agents;
  return {
    grid: `${c.side}×${c.side}`,
    agents,
    ticks: c.ticks,
    seconds,
    agentStepsPerSecond: (agents * c.ticks) / seconds,
    modelBytesPerAgent: result.stateBytes / agents,
    rssBytesPerAgent: Math.max(0, rss1 - rss0) / agents,
    finalActive: active,
    finalJailed: jailed,
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
  console.log(`Epstein Run 2 (floor rule, vision 7, movement on) — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  console.log('grid        agents     ticks   seconds  agent-steps/s   B/agent model  B/agent RSS');
  for (const r of rows) {
    console.log(
      `${r.grid.padEnd(11)} ${String(r.agents).padStart(7)} ${String(r.ticks).padStart(8)} ${r.seconds.toFixed(2).padStart(9)} ${(r.agentStepsPerSecond / 1e6).toFixed(2).padStart(10)} M ${r.modelBytesPerAgent.toFixed(1).padStart(14)} ${r.rssBytesPerAgent.toFixed(1).padStart(12)}`,
    );
  }
  const date = new Date().toISOString().slice(0, 10);
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/epstein-${date}.json`;
  writeFileSync(file, JSON.stringify({ benchmark: 'epstein-run2', date: new Date().toISOString(), machine, rows }, null, 2) + '\n');
  console.log(`wrote ${file}`);
}

await main();
