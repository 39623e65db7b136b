/**
 * Issue 12's failures, each tried the way a hostile or unlucky user would, in-process:
 * export over existing files, huge, binary and alias-bomb scenario files, corrupt and busy
 * stores, runs of different models compared; and `run --json` for scripts.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { models } from '../src/models/registry.js';
import { inProcessCli } from './helpers/cli-inprocess.js';
import { root } from './helpers/cli-process.js';
import { testRegistry, tinyPresets } from './helpers/tiny-model.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-rel-'));
const presets = tinyPresets(dir);
const cli = inProcessCli(testRegistry, { presetsDir: presets });
let n = 0;
const path = (name: string) => join(dir, `${n++}-${name}`);
function file(text: string | Uint8Array, name = 's.yaml'): string {
  const f = path(name);
  writeFileSync(f, text);
  return f;
}
const digest = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

async function oneRun(db: string): Promise<string> {
  const r = await cli('run', '--preset', 'tiny-base', '--db', db, '--no-progress');
  expect(r.code, r.err).toBe(0);
  return /run id\s+(\S+)/.exec(r.out)![1];
}

afterEach(() => {
  delete process.env.PANOPTICON_LOCK_WAIT;
});

describe('export never overwrites what the user did not ask to replace', () => {
  it('refuses an existing file unless --force, and a DuckDB store even with --force', async () => {
    const db = path('results.duckdb');
    const other = path('other.duckdb');
    const id = await oneRun(db);
    await oneRun(other);
    const csv = file('precious,data\n1,2\n', 'mine.csv');
    const before = digest(csv);
    let r = await cli('export', id, '--format', 'csv', '--out', csv, '--db', db);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: --out: ${csv} already exists; pass --force to replace it, or choose another path\n`);
    expect(digest(csv)).toBe(before);
    r = await cli('export', id, '--format', 'csv', '--out', csv, '--db', db, '--force');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`exported 33 rows of run ${id} to ${csv} (replaced)\n`);
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe('run_id,tick,metric,key,value');

    const storeBefore = digest(other);
    for (const force of [[], ['--force']]) {
      r = await cli('export', id, '--format', 'parquet', '--out', other, '--db', db, ...force);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(
        /which is a DuckDB database \(a results store\?\); it is never overwritten, even with --force/,
      );
    }
    expect(digest(other)).toBe(storeBefore);
    // no temporary file is left beside the target
    r = await cli('export', id, '--format', 'parquet', '--out', path('new.parquet'), '--db', db);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('scenario input is bounded', () => {
  const validate = async (f: string) => {
    const t0 = performance.now();
    const r = await cli('validate', f);
    return { ...r, ms: performance.now() - t0 };
  };

  it('60,000 keys in one mapping: one line naming the limit, not 60,000 lines', async () => {
    const keys = Array.from({ length: 60_000 }, (_, i) => `${i.toString(36)}: 1`).join(', ');
    const f = file(`model: tiny\nseed: 1\nsteps: 2\nparams: { ${keys} }\n`);
    const r = await validate(f);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: ${f}:4:9: params has 60,000 keys; allowed: at most 10,000 in one mapping\n`);
    // the issue's file (60,000 longer keys, 938 KB) is over the size limit
    const big = file(
      `model: tiny\nseed: 1\nsteps: 2\nparams:\n${Array.from({ length: 60_000 }, (_, i) => `  key_number_${i}: ${i}`).join('\n')}\n`,
    );
    const b = await validate(big);
    expect(b.err).toBe(
      `error: ${big}: the file is over 512 KiB; allowed: a scenario file of at most 512 KiB (parameters, not data)\n`,
    );
  });

  it('many problems are listed up to 20, then counted', async () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `  unknown${i}: 1`).join('\n');
    const r = await validate(file(`model: tiny\nseed: 1\nsteps: 2\nparams:\n${keys}\n`));
    const lines = r.err.trimEnd().split('\n');
    expect(lines[0]).toMatch(/: 5000 problems:$/);
    expect(lines).toHaveLength(22);
    expect(lines[21]).toBe('  … and 4,980 more problems');
    expect(r.err.length).toBeLessThan(4000);
  });

  it('a 50 MB valid file is refused before it is read whole, and nothing is stored', async () => {
    const db = path('big.duckdb');
    const f = file(`model: tiny\nseed: 1\nsteps: 2\ndescription: "${'x'.repeat(50 * 1024 * 1024)}"\n`);
    const r = await cli('run', f, '--db', db, '--no-progress');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the file is over 512 KiB/);
    expect(existsSync(db)).toBe(false);
  });

  it('a binary file, a long token and an alias bomb get short one-line errors', async () => {
    const bin = await validate(file(randomBytes(1024 * 1024), 'blob.bin'));
    expect(bin.code).toBe(1);
    expect(bin.err).toMatch(/over 512 KiB|binary data|not UTF-8/);
    expect(bin.err.length).toBeLessThan(300);
    const small = await validate(file(Uint8Array.of(...Buffer.from('model: tiny\n'), 0xc3, 0x28, 0x0a), 'bad.yaml'));
    expect(small.err).toMatch(/not UTF-8 text/);

    const long = await validate(file(`model: ${'q'.repeat(400_000)}\nseed: 1\nsteps: 2\n`));
    expect(long.code).toBe(1);
    expect(long.err.length).toBeLessThan(1000);
    expect(long.err).toMatch(/model: got "q+… \(400,002 characters\); allowed: one of "tiny"\n$/);

    let bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 0; i < 9; i++)
      bomb += `b${i}: &b${i} [${Array(10)
        .fill(i ? `*b${i - 1}` : '*a')
        .join(', ')}]\n`;
    const b = await validate(file(bomb));
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/^error: .*: invalid YAML: aliases repeat too much \(an alias bomb\?\)/);
    expect(b.err.split('\n')).toHaveLength(2);
  });
});

describe('expected failures: one line and their own exit code', () => {
  it('a corrupt store or a file that is not a store: exit 4, never "in use by another process"', async () => {
    const db = path('results.duckdb');
    const id = await oneRun(db);
    const good = readFileSync(db);
    const damaged = [
      ['text', Buffer.from('hello, this is not a database\n')],
      ['zeroed header', Buffer.concat([Buffer.alloc(4096), good.subarray(4096)])],
      ['damaged header block', Buffer.concat([good.subarray(0, 4096), Buffer.alloc(4096, 0x55), good.subarray(8192)])],
      ['truncated', good.subarray(0, Math.floor(good.length / 2))],
    ] as const;
    for (const [what, bytes] of damaged) {
      const f = file(bytes, `${what.replace(/ /g, '-')}.duckdb`);
      for (const argv of [
        ['runs', '--db', f],
        ['export', id, '--format', 'csv', '--out', path('x.csv'), '--db', f],
      ]) {
        const r = await cli(...argv);
        expect(r.code, `${what}: ${r.err}`).toBe(4);
        expect(r.err).toMatch(/^error: results store .* is (corrupt or )?not a Panopticon results store/);
        expect(r.err).not.toMatch(/in use|internal error|\n\s+at /);
        expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      }
    }
  });

  it('a store held by another process past the wait: exit 3 naming that process', async () => {
    const db = path('results.duckdb');
    await oneRun(db);
    // another process holds the file open for writing (as an old Panopticon run, or a notebook, would)
    const holder = spawn(
      process.execPath,
      [
        '-e',
        // (kept in a global: a collected instance closes its file and drops the lock)
        `import('@duckdb/node-api').then(async ({ DuckDBInstance }) => { const i = await DuckDBInstance.create(${JSON.stringify(db)}); globalThis.held = [i, await i.connect()]; console.log('held'); setTimeout(() => {}, 60000); })`,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((res) => holder.stdout!.once('data', () => res()));
      process.env.PANOPTICON_LOCK_WAIT = '0.5';
      const r = await cli('runs', '--db', db);
      expect(r.code).toBe(3);
      expect(r.err).toMatch(
        new RegExp(`^error: results store .* is busy: another process \\(PID ${holder.pid}\\) held it`),
      );
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    } finally {
      holder.kill('SIGKILL');
    }
    // once it is gone, the store is there as before
    expect((await cli('runs', '--db', db)).code).toBe(0);
  });
});

describe('run --json', () => {
  it('prints exactly one JSON document on stdout, the progress bar on stderr', async () => {
    const db = path('results.duckdb');
    const bar = new PassThrough();
    let barText = '';
    bar.on('data', (d: Buffer) => (barText += d.toString()));
    const withBar = inProcessCli(testRegistry, {
      presetsDir: presets,
      progress: { stream: new PassThrough(), isTTY: false },
      progressErr: { stream: bar, isTTY: false },
    });
    const r = await withBar('run', '--preset', 'tiny-base', '--db', db, '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({
      status: 'complete',
      exitCode: 0,
      store: db,
      model: 'tiny',
      preset: 'tiny-base',
      seed: 7,
      steps: 10,
      ticks: 10,
      threads: 1,
      agents: 20,
      version: '9.9.9',
      metricRows: 33,
      error: null,
    });
    expect(doc.runId).toMatch(/^\d{6}-\d{4}-[a-z2-9]{4}$/);
    expect(doc.scenarioHash).toMatch(/^[0-9a-f]{64}$/);
    // key outputs: the headline metrics. Daily statistics are over the days (ticks ≥ 1), so
    // tick_seen's mean is that of 1…10; its −Infinity at tick 0, the initial state, is left out.
    expect(doc.outputs.tick_seen).toEqual({ final: 10, mean: 5.5, max: 10 });
    expect(Object.keys(doc.outputs)).toEqual(['active', 'tick_seen']);
    expect(barText).toMatch(/tick \d+\/10/);

    const listed = await cli('runs', '--db', db, '--json');
    expect(JSON.parse(listed.out)).toMatchObject([
      { run_id: doc.runId, status: 'complete', ticks_done: 10, staged: false },
    ]);

    const bad = await cli('run', file('model: tiny\nseed: -1\nsteps: 2\n'), '--db', db, '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({
      status: 'error',
      exitCode: 1,
      runId: null,
      error: { kind: 'input', message: expect.stringMatching(/seed: got -1, out of range/) },
    });
  });
});

describe('compare across models', () => {
  const real = inProcessCli(models, { availableMemory: () => 2 ** 32 });
  const run = async (db: string, ...args: string[]) => {
    const r = await real('run', ...args, '--steps', '5', '--db', db, '--no-progress');
    expect(r.code, r.err).toBe(0);
    return /run id\s+(\S+)/.exec(r.out)![1];
  };

  it('refuses runs of different models, compares two implementations of one, notes different populations', async () => {
    const db = path('results.duckdb');
    const regime = await run(db, '--preset', 'baseline-no-surveillance', '--population', '2000');
    const epstein = await run(db, '--preset', 'epstein-run1');
    const r = await real('compare', regime, epstein, '--db', db);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `error: runs A (${regime}, model regime) and B (${epstein}, model epstein) are of different models: their metrics are not the same quantities, so their differences mean nothing; compare runs of one model\n`,
    );
    const reference = await run(
      db,
      file('preset: baseline-no-surveillance\nmodel: regime-reference\n'),
      '--population',
      '1000',
    );
    const same = await real('compare', regime, reference, '--db', db);
    expect(same.code, same.err).toBe(0);
    expect(same.out).toMatch(/^stability\n/m);
    expect(same.err).toBe(
      'note: the runs have different populations (A: 2,000, B: 1,000 agents); counts and totals scale with population, so compare shares, or run with --population to match\n',
    );
  });
});
