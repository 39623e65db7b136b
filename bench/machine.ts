/** The machine a benchmark ran on, recorded beside every figure (bench code may use Node APIs). */
import os from 'node:os';
import type { PoolTimes } from '../src/runtime/node-pool.js';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly platform: string;
  readonly loadAverage: readonly number[];
}

export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function describeMachine(m: Machine = machine()): string {
  return `${m.cpu}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${m.node}, ${m.platform}, load ${m.loadAverage.join(' ')}`;
}

/** CPU time (user + system) of this process, seconds. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Peak resident set of this process so far, bytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Where a pool's speedup over one thread went: speedup ≈ threads × thread efficiency ×
 * balance × occupancy (PoolTimes), where thread efficiency = one thread's time ÷ the
 * workers' summed busy time over the same steps (below 1 when threads slow each other:
 * shared caches, memory bandwidth, vCPUs sharing a host core).
 */
export function parallelBreakdown(oneThreadSeconds: number, pool: PoolTimes): string {
  const busy = pool.busyMs.reduce((a, b) => a + b, 0) / 1000;
  return (
    `${pool.busyMs.length} × thread efficiency ${(oneThreadSeconds / busy).toFixed(3)} × balance ${pool.balance.toFixed(3)} × ` +
    `occupancy ${pool.occupancy.toFixed(3)} (busy ${pool.busyMs.map((b) => (b / 1000).toFixed(1)).join(' + ')} s against ${oneThreadSeconds.toFixed(1)} s alone)`
  );
}

export const PARALLEL_LEGEND = [
  'parallel time: speedup ≈ threads × thread efficiency × balance × occupancy. Thread efficiency = one thread’s step',
  'time ÷ the workers’ summed busy time; balance = per phase, the mean worker’s busy time ÷ the slowest’s; occupancy =',
  'the slowest worker’s busy time ÷ the phases’ wall time (the rest is message passing and the main thread).',
];
