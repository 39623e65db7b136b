/**
 * Benchmark of the regime model: one preset (default national-blacklist, 1,000,000
 * residents) for a simulated year, with 1 and 2 worker threads side by side. Prints
 * agent-days/s, speedup over one thread, bytes per agent (the model's state, and peak
 * RSS) and the machine; writes bench/results/regime-<date>.json.
 *
 *   npx tsx bench/regime.ts [--preset NAME] [--steps N] [--population N] [--threads 1,2]
 *
 * The 1-thread case runs shard systems in this thread (LocalExecutor), as the CLI does. For
 * the pooled cases it also prints where the speedup went (machine.ts, parallelBreakdown).
 * Each case runs in a fresh child process so peak RSS belongs to that case alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LocalExecutor, runSimulation, type Executor } from '../src/engine/simulation.js';
import { models } from '../src/models/registry.js';
import { NodePoolExecutor, createNodeExecutor, timesBetween, type PoolTimes } from '../src/runtime/node-pool.js';
import { loadPreset } from '../src/scenario/load.js';
import { PARALLEL_LEGEND, cpuSeconds, describeMachine, machine, parallelBreakdown, peakRssBytes } from './machine.js';

interface Case {
  preset: string;
  agents: number;
  steps: number;
  threads: number;
  seconds: number;
  /** The steps alone, without synthesis and the first tally. */
  stepSeconds: number;
  cpuSeconds: number;
  agentDaysPerSecond: number;
  stateBytesPerAgent: number;
  peakRssBytesPerAgent: number;
  /** With worker threads: the steps' busy time per worker, balance and occupancy. */
  pool?: PoolTimes;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function runCase(preset: string, steps: number, population: number | null, threads: number): Promise<Case> {
  const scenario = loadPreset(preset, { registry: models, overrides: { steps } });
  const params = structuredClone(scenario.params) as { population?: { agents: number } };
  if (population !== null) {
    if (!params.population) throw new Error(`preset ${preset} has no population to scale`);
    params.population.agents = population;
  }
  const entry = models[scenario.model];
  const parsed = entry.params.parse(params);
  const executor: Executor = threads === 1 ? new LocalExecutor() : await createNodeExecutor(threads);
  const pool = executor instanceof NodePoolExecutor ? executor : null;
  let poolAtInit: PoolTimes | undefined;
  const t0 = performance.now();
  let t1 = t0;
  const c0 = cpuSeconds();
  const onTick = (tick: number): void => {
    if (tick !== 0) return;
    t1 = performance.now();
    poolAtInit = pool?.times();
  };
  const result = await runSimulation(entry.definition, parsed, { seed: scenario.seed, steps, executor, onTick });
  const t2 = performance.now();
  const seconds = (t2 - t0) / 1000;
  const cpu = cpuSeconds() - c0;
  const poolTimes = pool && poolAtInit ? timesBetween(poolAtInit, pool.times()) : undefined;
  await executor.close();
  const agents = result.layout.agents;
  return {
    preset,
    agents,
    steps,
    threads,
    seconds,
    stepSeconds: (t2 - t1) / 1000,
    cpuSeconds: cpu,
    agentDaysPerSecond: (agents * steps) / seconds,
    stateBytesPerAgent: result.stateBytes / agents,
    peakRssBytesPerAgent: peakRssBytes() / agents,
    pool: poolTimes,
  };
}

async function main(): Promise<void> {
  const preset = arg('preset', 'national-blacklist');
  const steps = Number(arg('steps', '365'));
  const populationArg = arg('population', '');
  const population = populationArg ? Number(populationArg) : null;
  if (process.argv.includes('--child')) {
    const threads = Number(arg('threads', '1'));
    process.stdout.write(JSON.stringify(await runCase(preset, steps, population, threads)));
    return;
  }
  const threadList = arg('threads', '1,2').split(',').map(Number);
  console.log(`regime bench: preset ${preset}, ${steps} steps; ${describeMachine()}`);
  const self = fileURLToPath(import.meta.url);
  const cases: Case[] = [];
  for (const threads of threadList) {
    const childArgs = [
      ...process.execArgv,
      self,
      '--child',
      '--preset',
      preset,
      '--steps',
      String(steps),
      '--threads',
      String(threads),
    ];
    if (population !== null) childArgs.push('--population', String(population));
    const out = execFileSync(process.execPath, childArgs, { encoding: 'utf8', maxBuffer: 1 << 20 });
    const c = JSON.parse(out) as Case;
    cases.push(c);
    const speedup = c.agentDaysPerSecond / cases[0].agentDaysPerSecond;
    console.log(
      `  ${c.agents.toLocaleString('en-US')} agents × ${c.steps} days, ${c.threads} thread(s): ` +
        `${c.seconds.toFixed(1)} s, ${(c.agentDaysPerSecond / 1e6).toFixed(2)} M agent-days/s, ` +
        `speedup ${speedup.toFixed(2)}×, state ${c.stateBytesPerAgent.toFixed(1)} B/agent, peak RSS ${c.peakRssBytesPerAgent.toFixed(1)} B/agent`,
    );
  }
  const one = cases.find((c) => c.threads === 1);
  const pooled = cases.filter((c) => c.pool);
  if (one && pooled.length) {
    for (const line of PARALLEL_LEGEND) console.log(`  ${line}`);
    for (const c of pooled) {
      const speedup = one.stepSeconds / c.stepSeconds;
      console.log(
        `  steps, ${c.threads} threads: speedup ${speedup.toFixed(2)}× = ${parallelBreakdown(one.stepSeconds, c.pool!)}`,
      );
    }
  }
  const dir = fileURLToPath(new URL('./results/', import.meta.url)).replace('/dist/bench/', '/bench/');
  mkdirSync(dir, { recursive: true });
  // Only the default case (national-blacklist, its own population, a year) is the documented
  // file; other cases are named by what they ran, so they never overwrite it.
  const custom = preset !== 'national-blacklist' || population !== null || steps !== 365;
  const tag = custom ? `-${preset}-${cases[0].agents}x${steps}` : '';
  const file = `${dir}regime-${new Date().toISOString().slice(0, 10)}${tag}.json`;
  writeFileSync(file, JSON.stringify({ machine: machine(), cases }, null, 2) + '\n');
  console.log(`  written ${file}`);
}

await main();
