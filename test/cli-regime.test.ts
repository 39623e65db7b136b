/** The CLI in-process with the real registry and presets: regime runs, scaling and compare. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { models } from '../src/models/registry.js';
import { inProcessCli } from './helpers/cli-inprocess.js';

const db = join(mkdtempSync(join(tmpdir(), 'pano-cli-regime-')), 'results.duckdb');

const cli = inProcessCli(models, { availableMemory: () => 2 ** 32 });

function runId(out: string): string {
  return /run id\s+(\S+)/.exec(out)![1];
}

describe('regime runs through the CLI', () => {
  it('scales a preset with --population and compares stability and harm side by side', async () => {
    const base = await cli(
      'run',
      '--preset',
      'baseline-no-surveillance',
      '--population',
      '3000',
      '--steps',
      '20',
      '--db',
      db,
      '--no-progress',
    );
    expect(base.code, base.err).toBe(0);
    expect(base.out).toMatch(/agents\s+3,000/);
    const intense = await cli(
      'run',
      '--preset',
      'high-intensity',
      '--population',
      '3000',
      '--steps',
      '20',
      '--db',
      db,
      '--no-progress',
    );
    expect(intense.code, intense.err).toBe(0);
    const cmp = await cli('compare', runId(base.out), runId(intense.out), '--db', db);
    expect(cmp.code, cmp.err).toBe(0);
    expect(cmp.out).toMatch(/^stability\n/m);
    expect(cmp.out).toMatch(/^harm\n/m);
    // The baseline has no surveillance: no false matches, no pre-emptive detentions.
    expect(cmp.out).toMatch(/face-recognition false matches\s+0\s/);
    expect(cmp.out).toMatch(/pre-emptive detentions\s+0\s/);
  });

  it('refuses --population for a model without a synthesized population, writing nothing', async () => {
    const r = await cli(
      'run',
      '--preset',
      'epstein-run2',
      '--population',
      '5000',
      '--db',
      join(tmpdir(), 'never', 'x.duckdb'),
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/population: got 5000; model "epstein" has no population.agents to scale/);
  });
});
