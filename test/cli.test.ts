/** The CLI run in-process with a tiny test model and a temporary presets folder and store. */
import { existsSync, mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ResultsStore } from '../src/store/store.js';
import { DEFAULT_PRESET } from '../src/scenario/load.js';
import { inProcessCli } from './helpers/cli-inprocess.js';
import { hooks, testRegistry, tinyPresets } from './helpers/tiny-model.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-cli-'));
const presets = tinyPresets(dir);
let n = 0;
function file(text: string): string {
  const f = join(dir, `s${n++}.yaml`);
  writeFileSync(f, text);
  return f;
}
function freshDb(): string {
  return join(dir, `db${n++}`, 'results.duckdb');
}

const cli = inProcessCli(testRegistry, { presetsDir: presets });
afterEach(() => {
  hooks.onTick = null;
});

async function runsIn(db: string) {
  const store = await ResultsStore.open(db, { readOnly: true });
  return store.listRuns();
}

describe('cli: invalid input', () => {
  it('a malformed scenario exits non-zero, one line per problem, and writes nothing to the store', async () => {
    const db = freshDb();
    const f = file('model: tiny\nseed: -1\nsteps: 5\nparams: { legitmacy: 2 }\n');
    const r = await cli('run', f, '--db', db, '--no-progress');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `error: ${f}: 2 problems:\n  seed: got -1, out of range; allowed: an integer ≥ 0\n  params.legitmacy: unknown key; did you mean \`legitimacy\`?\n`,
    );
    expect(existsSync(db)).toBe(false);
  });

  it('the memory check refuses before the store is touched', async () => {
    const db = freshDb();
    const r = await cli('run', file('model: tiny\nseed: 1\nsteps: 5\nparams: { agents: 10000000000 }\n'), '--db', db);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error: params: this scenario needs 9.3 GiB of state for 10,000,000,000 agents \(1.0 bytes each\), but only 1.0 GiB is available/,
    );
    expect(existsSync(db)).toBe(false);
  });

  it('bad CLI overrides, unknown presets, unknown options and a missing default preset are one-line errors', async () => {
    const db = freshDb();
    let r = await cli('run', '--preset', 'tiny-base', '--seed', 'abc', '--db', db);
    expect(r.code).toBe(1);
    expect(r.err).toContain('seed: got string "abc"; allowed: an integer ≥ 0');
    r = await cli('run', '--preset', 'tiny-bas', '--db', db);
    expect(r.err).toBe(
      'error: preset: unknown preset "tiny-bas"; did you mean `tiny-base`?; valid presets: tiny-base\n',
    );
    r = await cli('run', '--db', db);
    expect(r.err).toBe(`error: preset: unknown preset "${DEFAULT_PRESET}"; valid presets: tiny-base\n`);
    r = await cli('run', '--sed', '3');
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')[0]).toMatch(/unknown option '--sed'/);
    r = await cli('export', 'x', '--format', 'xlsx', '--out', 'y', '--db', db);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Allowed choices are parquet, csv/);
    expect(existsSync(db)).toBe(false);
  });

  it('validate says valid or lists the errors', async () => {
    let r = await cli('validate', file('preset: tiny-base\nparams: { mode: storm }\n'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^valid: .* \(model tiny, 20 agents, state .*, 10 steps\)\n$/);
    writeFileSync(
      join(presets, 'nosrc.yaml'),
      'name: nosrc\ndescription: d\nmodel: tiny\nseed: 1\nsteps: 2\nparams: { rate: 0.1 }\n',
    );
    r = await cli('validate', join(presets, 'nosrc.yaml'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('sources.rate: missing; every parameter of a preset needs a source id');
    unlinkSync(join(presets, 'nosrc.yaml'));
    r = await cli('validate', join(presets, 'tiny-base.yaml'));
    expect(r.code).toBe(0);
    r = await cli('validate', join(dir, 'missing.yaml'));
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: scenario file not found: ${join(dir, 'missing.yaml')}\n`);
    r = await cli('validate', file('model: tiny\nseed: 1\nsteps: [1\n'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: .*s\d+\.yaml:\d+:\d+: invalid YAML: /);
  });

  it('--help works for every command and exits 0', async () => {
    for (const cmd of [
      [],
      ['run'],
      ['validate'],
      ['presets'],
      ['sources'],
      ['runs'],
      ['export'],
      ['compare'],
      ['recover'],
    ]) {
      const r = await cli(...cmd, '--help');
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.out).toMatch(/^Usage: panopticon/);
      // the exit-code table, on every command's help
      expect(r.out).toMatch(
        /\nExit codes:\n {4}0 {2}success\n[\s\S]* {4}6 {2}no space left on the device\n {4}7 {2}an experiment finished with failed runs[^\n]*\n {2}130 /,
      );
    }
  });
});

describe('cli: runs', () => {
  it('runs a preset, prints the summary, lists, exports and compares runs', async () => {
    const db = freshDb();
    const a = await cli('run', '--preset', 'tiny-base', '--db', db, '--no-progress');
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    const idA = /run id\s+(\S+)/.exec(a.out)![1];
    expect(a.out).toMatch(/status\s+complete/);
    expect(a.out).toMatch(/ticks\s+10 of 10/);
    expect(a.out).toMatch(/agents\s+20/);
    expect(a.out).toMatch(/metric\s+final\s+mean\s+max/);
    // Daily statistics are over ticks 1–10 (tick 0, the initial state, reads −∞ here).
    expect(a.out).toMatch(/tick_seen\s+10\s+5\.50\s+10/);
    const b = await cli(
      'run',
      file('preset: tiny-base\nparams: { rate: 0.9 }\n'),
      '--seed',
      '8',
      '--db',
      db,
      '--no-progress',
    );
    expect(b.code).toBe(0);
    const idB = /run id\s+(\S+)/.exec(b.out)![1];

    const runs = await runsIn(db);
    expect(runs.map((r) => [r.run_id, r.status, r.seed])).toEqual([
      [idA, 'complete', 7],
      [idB, 'complete', 8],
    ]);
    const listed = await cli('runs', '--db', db);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(idA);
    expect(listed.out).toContain(idB);

    const pq = join(dir, 'a.parquet');
    const ex = await cli('export', idA, '--format', 'parquet', '--out', pq, '--db', db);
    expect(ex.code).toBe(0);
    expect(ex.out).toBe(`exported 33 rows of run ${idA} to ${pq}\n`);
    expect(existsSync(pq)).toBe(true);

    const cmp = await cli('compare', idA, idB, '--db', db);
    expect(cmp.code).toBe(0);
    expect(cmp.out).toMatch(/headline\n\s+A\s+B\s+B − A/);
    expect(cmp.out).toMatch(/tick_seen \(final\)\s+10\s+10\s+\+0 \(\+0\.0 %\)/);
    const one = await cli('compare', idA, '--db', db);
    expect(one.code).toBe(1);
    const unknown = await cli('compare', idA, 'nope', '--db', db);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^error: run "nope" not found/);
  });

  it('a signal mid-run stores the run as interrupted and exits 130', async () => {
    const db = freshDb();
    hooks.onTick = () => cli.signalHandlers().forEach((h) => h('SIGINT'));
    const r = await cli(
      'run',
      file('preset: tiny-base\nsteps: 50\nparams: { hookAt: 4 }\n'),
      '--db',
      db,
      '--no-progress',
    );
    expect(r.code).toBe(130);
    expect(r.out).toMatch(/status\s+interrupted/);
    expect(r.err).toMatch(/^interrupted by SIGINT: run \S+ stored as 'interrupted' \(4 of 50 ticks\)\n$/);
    const runs = await runsIn(db);
    expect(runs.map((x) => x.status)).toEqual(['interrupted']);
    const ex = await cli('export', runs[0].run_id, '--format', 'csv', '--out', join(dir, 'p.csv'), '--db', db);
    expect(ex.code).toBe(1);
    expect(ex.err).toMatch(/is interrupted, not complete/);
  });

  it('a model failure stores the run as failed and exits 2 with one line; --debug adds the stack trace', async () => {
    const db = freshDb();
    const f = file('preset: tiny-base\nparams: { failAt: 2 }\n');
    const r = await cli('run', f, '--db', db, '--no-progress');
    expect(r.code).toBe(2);
    const [stored, internal, ...rest] = r.err.split('\n');
    expect(stored).toMatch(/^run \S+ failed and is stored as 'failed'$/);
    expect(internal).toBe(
      'internal error: tiny model failure at tick 2 (a bug: run again with --debug for the stack trace, and please report it)',
    );
    expect(rest).toEqual(['']);
    const runs = await runsIn(db);
    expect(runs.map((x) => [x.status, x.error])).toEqual([['failed', 'tiny model failure at tick 2']]);
    // the ticks before the failure are kept, as partial rows of a failed run
    const store = await ResultsStore.open(db, { readOnly: true });
    expect(await store.metricRowCount(runs[0].run_id)).toBe(2 * 3);
    const d = await cli('run', f, '--db', db, '--no-progress', '--debug');
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/internal error: Error: tiny model failure at tick 2\n\s+at /);
  });

  it('presets and sources list their tables', async () => {
    const p = await cli('presets');
    expect(p.code).toBe(0);
    expect(p.out).toMatch(/tiny-base\s+tiny\s+a tiny preset\s+EP, NL, assumption/);
    const s = await cli('sources');
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/\nEP\s+Epstein, J\.M\., "Modeling civil violence/);
    expect(s.out).toMatch(/\nassumption\s+Assumption/);
  });
});
