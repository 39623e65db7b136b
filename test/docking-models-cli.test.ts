/**
 * The docking models are first-class: each runs from its presets through the CLI into the
 * results store, compares and exports; their shard systems give identical results for any
 * thread count (the engine's contract, checked here with several shards and two workers).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalExecutor, runSimulation, type Executor } from '../src/engine/simulation.js';
import { dissentModel, dissentParams } from '../src/models/dissent/index.js';
import { ensignUrnModel, ensignUrnParams } from '../src/models/ensign-urn/index.js';
import { granovetterModel, granovetterParams } from '../src/models/granovetter/index.js';
import { models } from '../src/models/registry.js';
import { inProcessCli } from './helpers/cli-inprocess.js';
import { NodePoolExecutor } from '../src/runtime/node-pool.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-docking-'));
const db = join(dir, 'results.duckdb');

const cli = inProcessCli(models, { availableMemory: () => 2 ** 32 });

const runId = (out: string): string => /run id\s+(\S+)/.exec(out)![1];

describe('docking models through the CLI', () => {
  const pairs: [string, string, string][] = [
    ['ensign-oakland-top2', 'ensign-oakland-top2-surprise', 'share_a_mean'],
    ['granovetter-normal-below', 'granovetter-normal-above', 'joined'],
    ['dissent-uniform', 'dissent-proportional', 'defiant'],
    ['epstein-run2', 'epstein-original-run2', 'active'],
  ];
  it.each(pairs)('%s and %s: run, store, compare, export', async (a, b, metric) => {
    const ids: string[] = [];
    for (const preset of [a, b]) {
      const r = await cli('run', '--preset', preset, '--steps', '60', '--db', db, '--no-progress');
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/status\s+complete/);
      ids.push(runId(r.out));
    }
    const cmp = await cli('compare', ...ids, '--db', db);
    expect(cmp.code, cmp.err).toBe(0);
    expect(cmp.out).toMatch(new RegExp(`^${metric} \\(final\\)`, 'm'));
    const csv = join(dir, `${a}.csv`);
    const exp = await cli('export', ids[0], '--format', 'csv', '--out', csv, '--db', db);
    expect(exp.code, exp.err).toBe(0);
    expect(existsSync(csv)).toBe(true);
    expect(readFileSync(csv, 'utf8')).toMatch(new RegExp(`,60,${metric},`));
  });
});

describe('docking models in parallel', () => {
  async function bytes<P>(
    model: Parameters<typeof runSimulation<P>>[0],
    params: P,
    executor: Executor,
  ): Promise<string> {
    const rows: number[] = [];
    try {
      await runSimulation(model, params, { seed: 5, steps: 10, executor, onTick: (_t, v) => void rows.push(...v) });
    } finally {
      await executor.close();
    }
    return Buffer.from(Float64Array.from(rows).buffer).toString('base64');
  }
  const cases = [
    ['ensign-urn', ensignUrnModel, ensignUrnParams.parse({ urns: 30_000, surprise: 'linear' })],
    [
      'granovetter',
      granovetterModel,
      granovetterParams.parse({ crowdSize: 1000, crowds: 200, thresholds: { kind: 'normal', mean: 0.25, sd: 0.13 } }),
    ],
    [
      'dissent',
      dissentModel,
      dissentParams.parse({
        individuals: 20_000,
        desire: { kind: 'truncated-exponential', mean: 0.25 },
        boldness: { kind: 'exponential', mean: 2 },
        adaptation: { kind: 'hill-climbing', adamancy: 1, window: 0.05 },
        actionGrid: 20,
      }),
    ],
  ] as const;
  it.each(cases)('%s: byte-identical metrics on this thread and on two workers', async (_name, model, params) => {
    const local = await bytes(model as never, params, new LocalExecutor());
    const two = await bytes(model as never, params, NodePoolExecutor.create(2));
    expect(two).toBe(local);
  });
});
