/**
 * Fault injection on the results store, with the real CLI in child processes:
 * - SIGKILL at random points of a run (start-up, synthesis, ticks, the final import, exit):
 *   the store stays readable, earlier runs stay byte-identical, the killed run never reads
 *   `running` or a `complete` with missing rows, and `recover` keeps whole ticks only;
 * - signals during synthesis end the process at once; SIGHUP and a second SIGINT leave an
 *   `abandoned` run, never a `running` one;
 * - a full disk (a small tmpfs, where this machine lets the tests mount one) and read-only
 *   media leave the store readable and get one-line errors with their own exit codes.
 *
 * FAULT_RUNS (default 6) sets the number of random kill points; FAULT_SEED replays a sequence.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, mkdtempSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ResultsStore } from '../src/store/store.js';
import { panopticon, spawnPanopticon, waitFor } from './helpers/cli-process.js';
import { mountTmpfs, type Tmpfs } from './helpers/tmpfs.js';

const RUNS = Number(process.env.FAULT_RUNS ?? 6);
const SEED = Number(process.env.FAULT_SEED ?? 20261206);
const dir = mkdtempSync(join(tmpdir(), 'pano-faults-'));
let n = 0;
function scenario(text: string): string {
  const f = join(dir, `f${n++}.yaml`);
  writeFileSync(f, text);
  return f;
}
/** A regime run with 318 metric keys a tick over 5,000 ticks: 1.6 million rows. */
// A run that cannot end before the test stops it, however fast the host: the progress bar may
// print only every second or so.
const LONG = scenario('preset: national-blacklist\nsteps: 100000\nparams: { population: { agents: 2000 } }\n');
const BIG = scenario('preset: national-blacklist\nsteps: 5000\nparams: { population: { agents: 2000 } }\n');
const CONTAGION = scenario('model: contagion\nseed: 5\nsteps: 400\nparams: { cells: 300, meanCellSize: 20 }\n');

/** A small deterministic generator (mulberry32), so a failing kill sequence can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Everything stored about some runs, hashed: equal hashes mean byte-identical rows. */
async function fingerprint(db: string, ids: readonly string[]): Promise<string> {
  const store = await ResultsStore.open(db, { readOnly: true });
  const list = ids.map((id) => `'${id}'`).join(', ');
  const [runs] = await store.query<{ h: string }>(
    `SELECT md5(string_agg(concat_ws('|', run_id, model, preset, scenario_hash, seed, steps, threads, version, started_at,
       finished_at, wall_seconds, status, error, agents, state_bytes, peak_rss_bytes, agent_steps_per_second, scenario_json),
       '\n' ORDER BY run_id)) AS h FROM runs WHERE run_id IN (${list})`,
  );
  const [metrics] = await store.query<{ h: string; n: number }>(
    `SELECT md5(string_agg(concat_ws('|', run_id, tick, metric, key, value), '\n' ORDER BY run_id, tick, metric, key)) AS h,
       count(*)::INTEGER AS n FROM metrics WHERE run_id IN (${list})`,
  );
  return `${runs.h}/${metrics.h}/${metrics.n}`;
}

/** Rows per tick and ticks of a stored run. */
async function shape(store: ResultsStore, runId: string): Promise<{ ticks: number; rows: number; maxTick: number }> {
  const [r] = await store.query<{ ticks: number; rows: number; maxTick: number }>(
    'SELECT count(DISTINCT tick)::INTEGER AS ticks, count(*)::INTEGER AS rows, coalesce(max(tick), -1)::INTEGER AS maxTick FROM metrics WHERE run_id = $1',
    [runId],
  );
  return r;
}

async function completeRun(db: string, file: string, ...extra: string[]): Promise<string> {
  const r = await panopticon(['run', file, '--db', db, '--no-progress', ...extra]);
  expect(r.code, r.err).toBe(0);
  return /run id\s+(\S+)/.exec(r.out)![1];
}

/** A national-blacklist year of `population` residents on one thread, with the progress bar. */
const regimeOnOneThread = (population: number, db: string) =>
  spawnPanopticon([
    'run',
    '--preset',
    'national-blacklist',
    '--population',
    String(population),
    '--threads',
    '1',
    '--db',
    db,
  ]);

const mounts: Tmpfs[] = [];
afterAll(() => mounts.forEach((m) => m.unmount()));

describe('SIGKILL at random points', () => {
  it(`${RUNS} killed runs: the store stays readable, earlier runs byte-identical, nothing half-written looks complete`, async () => {
    const db = join(dir, 'kill', 'results.duckdb');
    const regime = scenario('preset: national-blacklist\nsteps: 60\nparams: { population: { agents: 3000 } }\n');
    const earlier = [await completeRun(db, CONTAGION), await completeRun(db, regime)];
    const before = await fingerprint(db, earlier);
    // how long an uninterrupted run of each kind takes, start-up included: kill points are drawn over it
    const timed = async (file: string) => {
      const t0 = performance.now();
      earlier.push(await completeRun(db, file));
      return performance.now() - t0;
    };
    const spans = [await timed(CONTAGION), await timed(regime)];
    const baseline = await fingerprint(db, earlier);
    const rand = random(SEED);
    const outcomes: string[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < RUNS; i++) {
      const kind = i % 2;
      const delay = Math.round(rand() * spans[kind] * 1.1);
      const p = spawnPanopticon(['run', kind ? regime : CONTAGION, '--db', db, '--no-progress']);
      await new Promise((r) => setTimeout(r, delay));
      p.child.kill('SIGKILL');
      const end = await p.done;
      const why = `seed ${SEED}, kill ${i} after ${delay} ms (${kind ? 'regime' : 'contagion'})`;

      // readable, earlier runs untouched
      const store = await ResultsStore.open(db, { readOnly: true });
      expect(await fingerprint(db, earlier), why).toBe(baseline);
      const runs = await store.listRuns();
      const killed = runs.filter((r) => !earlier.includes(r.run_id) && !seen.has(r.run_id));
      killed.forEach((r) => seen.add(r.run_id));
      expect(killed.length, why).toBeLessThanOrEqual(1);
      for (const r of killed) {
        expect(r.status, why).not.toBe('running');
        const s = await shape(store, r.run_id);
        const perTick = kind ? s.rows / Math.max(1, s.ticks) : 5;
        if (r.status === 'complete') expect(s.ticks, why).toBe(r.steps + 1);
        expect(s.rows, why).toBe(s.ticks * perTick);
      }
      // recover: only whole ticks, with the outcome the run had recorded (or abandoned)
      const writer = await ResultsStore.open(db);
      await writer.recover();
      for (const r of killed) {
        const row = await writer.getRun(r.run_id);
        const s = await shape(writer, r.run_id);
        expect(['complete', 'abandoned'], why).toContain(row.status);
        if (row.status === 'complete') expect(s.ticks, why).toBe(row.steps + 1);
        expect(s.maxTick, why).toBe(s.ticks - 1); // ticks 0..k, none missing
        if (s.ticks > 0) expect(s.rows % s.ticks, why).toBe(0);
        expect(row.staged, why).toBe(false);
        outcomes.push(`${end.signal ?? end.code}:${row.status}:${s.ticks}`);
      }
      if (!killed.length) outcomes.push(`${end.signal ?? end.code}:not started`);
      expect(await fingerprint(db, earlier), why).toBe(baseline);
    }
    expect(await fingerprint(db, earlier.slice(0, 2))).toBe(before);
    // the kills landed at different stages (not all before the run row, not all after the end)
    expect(new Set(outcomes.map((o) => o.split(':').slice(1, 2)[0])).size, outcomes.join(', ')).toBeGreaterThan(1);
  });
});

describe('signals', () => {
  it('SIGTERM during synthesis ends the process at once; the run reads abandoned, never running', async () => {
    const db = join(dir, 'synth', 'results.duckdb');
    // 10 M residents on one thread: several seconds of synchronous synthesis
    const p = regimeOnOneThread(10_000_000, db);
    await waitFor(p, (out) => out.includes('(synthesizing'));
    p.child.kill('SIGTERM');
    const end = await p.done;
    // ended by the signal itself, not after synthesis and a tick (exit code 143 with 'interrupted')
    expect(end.signal).toBe('SIGTERM');
    expect(end.err).not.toMatch(/stopping after the current tick/);
    const store = await ResultsStore.open(db);
    const [run] = await store.listRuns();
    expect(run).toMatchObject({ status: 'abandoned', ticks_done: 0 });
    expect(await store.recover()).toEqual([{ runId: run.run_id, status: 'abandoned', rows: 0 }]);
    expect((await store.getRun(run.run_id)).error).toMatch(
      /ended without finishing .* after no of 365 ticks; nothing was written$/,
    );
  });

  it('SIGHUP ends a run that then reads abandoned and is recovered with its ticks', async () => {
    const db = join(dir, 'hup', 'results.duckdb');
    const long = scenario('model: contagion\nseed: 1\nsteps: 100000000\nparams: { cells: 300, meanCellSize: 20 }\n');
    const p = spawnPanopticon(['run', long, '--db', db]);
    // Past the staging writer's first batch (a few thousand ticks of this small model), so
    // that some ticks are on disk whatever the machine's load when the signal arrives.
    await waitFor(p, (out) => /tick \d{5,}\//.test(out));
    p.child.kill('SIGHUP');
    expect((await p.done).signal).toBe('SIGHUP');
    const store = await ResultsStore.open(db);
    const [run] = await store.listRuns();
    expect(run.status).toBe('abandoned');
    const [rec] = await store.recover();
    expect(rec).toMatchObject({ runId: run.run_id, status: 'abandoned' });
    expect(rec.rows).toBeGreaterThan(0);
    expect((await shape(store, run.run_id)).rows).toBe(rec.rows);
  });

  it('a second SIGINT exits at once (130); the run reads abandoned and keeps its ticks', async () => {
    const db = join(dir, 'twice', 'results.duckdb');
    // a tick long enough (four million residents on one thread: about a second) for the second signal to arrive during it
    const p = regimeOnOneThread(4_000_000, db);
    await waitFor(p, (out) => /tick [1-9]\d*\//.test(out));
    // both within one tick: the first asks for a stop at the end of the tick, the second for an exit now
    p.child.kill('SIGINT');
    // A signal still pending in the kernel absorbs a second one of the same kind (a loaded host
    // may not schedule the child for a while): send the second once the first has been taken.
    await signalTaken(p.child.pid!, 'SIGINT');
    p.child.kill('SIGINT');
    const end = await p.done;
    expect(end.code, `signal ${end.signal}; stderr: ${end.err}`).toBe(130);
    expect(end.err).toMatch(/SIGINT: exiting now/);
    const store = await ResultsStore.open(db);
    const [run] = await store.listRuns();
    expect(run.status).toBe('abandoned');
    const [rec] = await store.recover();
    expect(rec).toMatchObject({ runId: run.run_id, status: 'abandoned' });
    const s = await shape(store, run.run_id);
    expect(s.rows).toBe(rec.rows);
    expect(s.maxTick).toBe(s.ticks - 1);
  });
});

/** Resolve once `signal` is no longer pending for process `pid` (Linux: /proc/PID/status). */
async function signalTaken(pid: number, signal: 'SIGINT'): Promise<void> {
  const bit = 1n << BigInt(constants.signals[signal] - 1);
  for (;;) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const pending = [...status.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)].some(
      (m) => (BigInt(`0x${m[1]}`) & bit) !== 0n,
    );
    if (!pending) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('full disk and read-only media', () => {
  /** A store on a fresh tmpfs holding one complete run, and that run's fingerprint; or why not. */
  async function storeOnTmpfs(
    size: string,
  ): Promise<{ fs: Tmpfs; db: string; earlier: string; before: string } | string> {
    const fs = mountTmpfs(size);
    if (typeof fs === 'string') return fs;
    mounts.push(fs);
    const db = join(fs.dir, 'results.duckdb');
    const earlier = await completeRun(db, CONTAGION);
    return { fs, db, earlier, before: await fingerprint(db, [earlier]) };
  }

  /** Shrink the tmpfs to what it holds now plus `spare` bytes: the disk is (nearly) full. */
  function fill(fs: Tmpfs, spare: number): void {
    const st = statfsSync(fs.dir);
    const used = (st.blocks - st.bfree) * st.bsize;
    fs.remount(`size=${used + spare}`);
  }

  it('a disk that fills during a run: exit 6, one line, the run failed, the store readable and intact', async (ctx) => {
    const setup = await storeOnTmpfs('64m');
    if (typeof setup === 'string') return ctx.skip(setup);
    const { fs, db, earlier, before } = setup;
    fill(fs, 1024 * 1024); // room to record the run, not for its 1.6 million metric rows
    const r = await panopticon(['run', BIG, '--db', db, '--no-progress']);
    expect(r.code, r.err).toBe(6);
    expect(r.err).toMatch(
      /^run \S+ failed and is stored as 'failed'\nerror: disk full: no space left on the device holding \S+ while trying to write run \S+'s metrics/,
    );
    expect(r.err.trimEnd().split('\n')).toHaveLength(2);
    expect(await fingerprint(db, [earlier])).toBe(before);
    const store = await ResultsStore.open(db, { readOnly: true });
    expect((await store.listRuns()).map((x) => x.status)).toEqual(['complete', 'failed']);
    // the failed run's staging file is gone (it held what filled the disk); with room again, runs work
    expect(existsSync(`${db}.staging`)).toBe(false);
    fs.remount('size=64m');
    await completeRun(db, CONTAGION);
  });

  it('a disk that is full when a run stores its results: exit 6, the results kept, and recover stores them once there is room', async (ctx) => {
    const setup = await storeOnTmpfs('64m');
    if (typeof setup === 'string') return ctx.skip(setup);
    const { fs, db, earlier, before } = setup;
    const p = spawnPanopticon(['run', LONG, '--db', db]);
    await waitFor(p, (out) => /tick ([3-9]\d\d|\d{4,})\//.test(out)); // 300+ ticks staged
    // Hold the store so that the run, once stopped, closes its staging file and then waits to
    // import it; only then fill the disk. (Filled earlier, the space the staging file's WAL
    // frees when it is checkpointed decides whether the import fits: a race.)
    const holder = await DuckDBInstance.create(db);
    const held = await holder.connect();
    p.child.kill('SIGINT');
    await waitFor(p, (_out, err) => err.includes('waiting'));
    fill(fs, 256 * 1024); // no room for the 120,000+ metric rows staged so far
    held.closeSync();
    holder.closeSync();
    const r = await p.done;
    expect(r.code, `signal ${r.signal}; stderr: ${r.err}`).toBe(6);
    const line = r.err.trimEnd().split('\n').at(-1)!;
    expect(line).toMatch(
      /^error: disk full: .* while trying to store run (\S+)'s results .*; the run's results are kept in \S+; once the store is writable again, `panopticon recover --db \S+` moves them into it$/,
    );
    const runId = /store run (\S+)'s results/.exec(line)![1];
    expect(await fingerprint(db, [earlier])).toBe(before);
    const reader = await ResultsStore.open(db, { readOnly: true });
    expect(await reader.getRun(runId)).toMatchObject({ status: 'abandoned', staged: true });
    fs.remount('size=64m');
    const rec = await panopticon(['recover', '--db', db]);
    expect(rec.code, rec.err).toBe(0);
    expect(rec.out).toMatch(new RegExp(`^recovered run ${runId}: stored as 'interrupted' with [\\d,]+ metric rows\n$`));
    const row = await reader.getRun(runId);
    expect(row.status).toBe('interrupted');
    const s = await shape(reader, runId);
    expect(s.ticks).toBe(row.ticks_done! + 1);
    expect(s.ticks).toBeGreaterThan(300);
  });

  it('a store on read-only media: runs, export, compare and the experiment commands work; run and recover fail with exit 5', async (ctx) => {
    const setup = await storeOnTmpfs('16m');
    if (typeof setup === 'string') return ctx.skip(setup);
    const { fs, db, earlier: a } = setup;
    const b = await completeRun(db, CONTAGION, '--seed', '9');
    const experiment = scenario(`name: ro-reps\nbase: { file: ${CONTAGION} }\nreplicates: 2\n`);
    const ran = await panopticon(['experiment', 'run', experiment, '--db', db, '--no-progress']);
    expect(ran.code, ran.err).toBe(0);
    fs.remount('ro');
    const listed = await panopticon(['runs', '--db', db]);
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toContain(a);
    const out = join(dir, `ro${n++}.parquet`);
    const ex = await panopticon(['export', a, '--format', 'parquet', '--out', out, '--db', db]);
    expect(ex.code, ex.err).toBe(0);
    expect(existsSync(out)).toBe(true);
    const cmp = await panopticon(['compare', a, b, '--db', db]);
    expect(cmp.code, cmp.err).toBe(0);
    // the experiment commands read an archive too (the analysis is computed, not kept)
    const list = await panopticon(['experiment', 'list', '--db', db]);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(/ro-reps\s+complete/);
    const analyzed = await panopticon(['experiment', 'analyze', 'ro-reps', '--db', db]);
    expect(analyzed.code, analyzed.err).toBe(0);
    expect(analyzed.out).toMatch(/new_infections_mean\s+2\s/);
    const tables = join(dir, `ro-tables${n++}`);
    const exported = await panopticon(['experiment', 'export', 'ro-reps', '--db', db, '--out', tables]);
    expect(exported.code, exported.err).toBe(0);
    expect(existsSync(join(tables, 'runs.parquet'))).toBe(true);
    // an export onto the read-only media names the file it could not write, not the store
    const onRo = join(fs.dir, 'out.csv');
    const refused = await panopticon(['export', a, '--format', 'csv', '--out', onRo, '--db', db]);
    expect(refused.code, refused.err).toBe(5);
    expect(refused.err).toMatch(new RegExp(`^error: read-only: cannot write ${onRo} `));
    for (const argv of [
      ['run', CONTAGION, '--db', db, '--no-progress'],
      ['recover', '--db', db],
    ]) {
      const r = await panopticon(argv);
      expect(r.code, r.err).toBe(5);
      expect(r.err).toMatch(/^error: read-only: cannot write /);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
