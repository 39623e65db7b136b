/**
 * `panopticon report EXPERIMENT` on small real experiments (regime, 5,000 residents × 30 days):
 * each design gets its figures, their numbers are the store's analysis, the paragraph is never
 * firmer than the intervals, and the page is self-contained with every figure visible.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ResultsStore } from '../src/store/store.js';
import { models } from '../src/models/registry.js';
import { openReport } from './helpers/chromium-page.js';
import { experimentCrateSidecar } from '../src/charts/node/crate.js';
import { sources } from '../src/scenario/sources.js';
import { escapeHtml } from '../src/charts/report/html.js';
import { inProcessCli } from './helpers/cli-inprocess.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-report-exp-'));
const db = join(dir, 'results.duckdb');
const shots = join(import.meta.dirname, '..', 'test-results', 'report');
const cli = inProcessCli(models, {
  availableMemory: () => 2 ** 32,
  experimentExportSidecars: [experimentCrateSidecar],
});

const FILES: Record<string, string> = {
  arms: `name: arms
base: { population: 5000, steps: 30 }
arms:
  - { name: baseline, preset: baseline-no-surveillance }
  - { name: intensity, preset: high-intensity }
replicates: 4
series: [active, adults, legitimacy_mean, detained]
`,
  grid: `name: grid
base: { preset: high-intensity, population: 5000, steps: 30 }
factors:
  - { name: false_match, path: cameras.falseMatchRate, levels: [0.0001, 0.01] }
  - { name: bias, path: predictive.bias, levels: [0, 2] }
design: grid
replicates: 2
`,
  morris: `name: morris
base: { preset: high-intensity, population: 5000, steps: 30 }
factors:
  - { name: false_match, path: cameras.falseMatchRate, range: [0.0001, 0.01], scale: log }
  - { name: bias, path: predictive.bias, range: [0, 2] }
  - { name: threshold, path: behaviour.threshold, range: [0.05, 0.2] }
design: { type: morris, trajectories: 3 }
replicates: 1
`,
  sobol: `name: sobol
base: { preset: high-intensity, population: 5000, steps: 30 }
factors:
  - { name: false_match, path: cameras.falseMatchRate, range: [0.0001, 0.01], scale: log }
  - { name: threshold, path: behaviour.threshold, range: [0.05, 0.2] }
design: { type: sobol, samples: 4 }
replicates: 1
`,
};

const html: Record<string, string> = {};
beforeAll(async () => {
  for (const [name, text] of Object.entries(FILES)) {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, text);
    const r = await cli('experiment', 'run', file, '--db', db, '--no-progress');
    expect(r.code, r.err).toBe(0);
    const out = join(dir, 'reports', `${name}.html`);
    const rep = await cli('report', name, '--db', db, '--out', out, '--figures', join(dir, 'figures', name));
    expect(rep.code, rep.err).toBe(0);
    html[name] = readFileSync(out, 'utf8');
  }
});

/** The figure ids in a report page. */
const figureIds = (page: string) => [...page.matchAll(/<figure id="figure-([^"]+)"/g)].map((m) => m[1]);

/** The data a figure's Vega-Lite spec carries (written by --figures). */
function specValues<T>(name: string, id: string): T[] {
  return (JSON.parse(readFileSync(join(dir, 'figures', name, `${id}.vl.json`), 'utf8')) as { data: { values: T[] } })
    .data.values;
}

describe('panopticon report EXPERIMENT', () => {
  it('draws each design its own figures', () => {
    expect(figureIds(html.arms)).toEqual(
      expect.arrayContaining(['bands-protest-share', 'bands-legitimacy', 'bands-in-detention', 'paired-differences']),
    );
    expect(figureIds(html.grid).filter((id) => id.startsWith('heatmap-')).length).toBeGreaterThanOrEqual(3);
    expect(figureIds(html.morris).filter((id) => id.startsWith('morris-')).length).toBeGreaterThanOrEqual(3);
    expect(figureIds(html.sobol).filter((id) => id.startsWith('sobol-')).length).toBeGreaterThanOrEqual(3);
  });

  it('the forest plot shows the stored paired differences, as % of the reference arm’s mean', async () => {
    const store = await ResultsStore.open(db, { readOnly: true });
    const paired = await store.query<{ output: string; mean_diff: number; ci_low: number; ci_high: number }>(
      "SELECT output, mean_diff, ci_low, ci_high FROM experiment_paired WHERE experiment_id = 'arms' AND arm = 'intensity'",
    );
    const ref = await store.query<{ output: string; mean: number }>(
      "SELECT output, mean FROM experiment_summary WHERE experiment_id = 'arms' AND arm = 'baseline'",
    );
    const drawn = specValues<{ category: string; estimate: number; low: number; high: number }>(
      'arms',
      'paired-differences',
    );
    const arrests = drawn.find((d) => d.category === 'arrests')!;
    const row = paired.find((p) => p.output === 'detentions_reactive_total')!;
    const base = ref.find((r) => r.output === 'detentions_reactive_total')!.mean;
    expect(arrests.estimate).toBeCloseTo((100 * row.mean_diff) / base, 9);
    expect(arrests.low).toBeCloseTo((100 * row.ci_low) / base, 9);
    expect(arrests.high).toBeCloseTo((100 * row.ci_high) / base, 9);
  });

  it('the bands are quantiles of the replicates’ own series', async () => {
    const store = await ResultsStore.open(db, { readOnly: true });
    const rows = await store.query<{ replicate: number; metric: string; value: number }>(
      `SELECT d.replicate, s.metric, s.value FROM experiment_series s JOIN experiment_design d USING (experiment_id, run_key)
       WHERE s.experiment_id = 'arms' AND d.arm = 'intensity' AND s.tick = 20 AND s.key = '' AND s.metric IN ('active', 'adults')`,
    );
    const shares = [0, 1, 2, 3]
      .map((r) => {
        const v = (m: string) => rows.find((x) => x.replicate === r && x.metric === m)!.value;
        return (100 * v('active')) / v('adults');
      })
      .sort((a, b) => a - b);
    const band = specValues<{ x: number; series: string; q50: number; q05: number; q95: number }>(
      'arms',
      'bands-protest-share',
    ).find((d) => d.x === 20 && d.series === 'intensity')!;
    expect(band.q50).toBeCloseTo((shares[1] + shares[2]) / 2, 9); // the median of four
    expect(band.q05).toBeGreaterThanOrEqual(shares[0]);
    expect(band.q95).toBeLessThanOrEqual(shares[3]);
  });

  it('states a difference only where its interval excludes none, and gives the interval', async () => {
    const store = await ResultsStore.open(db, { readOnly: true });
    const paired = await store.query<{ output: string; ci_low: number; ci_high: number }>(
      "SELECT output, ci_low, ci_high FROM experiment_paired WHERE experiment_id = 'arms' AND arm = 'intensity'",
    );
    const summary = /<p class="summary">([^<]*)<\/p>/.exec(html.arms)![1].replace(/&#39;/g, "'");
    const labels: Record<string, string> = {
      active_mean: 'protesters (mean per day)',
      legitimacy_mean_final: 'legitimacy (final mean)',
      detentions_reactive_total: 'arrests',
      detentions_preemptive_total: 'pre-emptive detentions',
    };
    let checked = 0;
    for (const [output, label] of Object.entries(labels)) {
      const p = paired.find((x) => x.output === output)!;
      const resolved = p.ci_low > 0 || p.ci_high < 0;
      if (p.ci_low === 0 && p.ci_high === 0) continue;
      const said = new RegExp(`${label.replace(/[()]/g, '\\$&')}(: no difference the replicates resolve)? \\(?`).exec(
        summary,
      );
      expect(said, output).not.toBeNull();
      expect(Boolean(said![1]), `${output}: CI ${p.ci_low} to ${p.ci_high}`).toBe(!resolved);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
    expect(summary).toMatch(/95 % CI/);
  });

  it('carries the experiment’s provenance: id, definition hash, factors, every arm’s parameters with sources', async () => {
    const store = await ResultsStore.open(db, { readOnly: true });
    const [e] = await store.query<{ definition_hash: string }>(
      "SELECT definition_hash FROM experiments WHERE experiment_id = 'morris'",
    );
    expect(html.morris).toContain(e.definition_hash);
    for (const path of ['cameras.falseMatchRate', 'predictive.bias', 'behaviour.threshold'])
      expect(html.morris).toContain(path);
    expect(html.morris).toMatch(
      /<td class="path">behaviour\.threshold<\/td><td class="num">[\d.]+ \(varied: 0\.05 to 0\.2\)<\/td>/,
    );
    // every source an arm's parameter links to has its full citation from the registry on the page
    const linked = new Set([...html.morris.matchAll(/href="#src-([^"]+)"/g)].map((m) => m[1]));
    expect(linked.size).toBeGreaterThan(1);
    for (const id of linked)
      expect(html.morris).toContain(`<li id="src-${id}"><strong>${id}</strong>: ${escapeHtml(sources[id])}`);
    const [v] = await store.query<{ version: string }>(
      "SELECT version FROM experiments WHERE experiment_id = 'morris'",
    );
    expect(html.morris).toContain(`hash of its engine and model code: <code>${v.version.split('+')[1]}</code>`);
    expect(html.morris).toContain('docs/odd/regime.md');
    expect(html.arms).toContain('value in baseline');
    expect(html.arms).toContain('value in intensity');
    const crate = JSON.parse(readFileSync(join(dir, 'figures', 'sobol', 'ro-crate-metadata.json'), 'utf8')) as {
      '@graph': { '@id': string; '@type': string }[];
    };
    expect(crate['@graph'].find((x) => x['@id'] === '#experiment-sobol')?.['@type']).toBe('CreateAction');
  });

  it('experiment export writes an RO-Crate beside the tables: each table, the experiment, varied parameters and citations', async () => {
    const out = join(dir, 'export-morris');
    const r = await cli('experiment', 'export', 'morris', '--db', db, '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`wrote ${join(out, 'ro-crate-metadata.json')}`);
    const crate = JSON.parse(readFileSync(join(out, 'ro-crate-metadata.json'), 'utf8')) as {
      '@graph': {
        '@id': string;
        '@type': string;
        name?: string;
        description?: string;
        citation?: { '@id': string }[];
      }[];
    };
    const byId = new Map(crate['@graph'].map((x) => [x['@id'], x]));
    const tables = readdirSync(out).filter((f) => f.endsWith('.parquet'));
    expect(tables).toEqual(expect.arrayContaining(['runs.parquet', 'summary.parquet', 'morris.parquet']));
    for (const t of tables) expect(byId.get(t)?.['@type']).toBe('File');
    expect(byId.get('#experiment-morris')?.['@type']).toBe('CreateAction');
    // a factor's parameter is marked as varied, with the factor's range
    const threshold = crate['@graph'].find(
      (x) => x['@type'] === 'PropertyValue' && x.name === 'behaviour.threshold' && x['@id'].includes('/param/'),
    );
    expect(threshold?.description).toMatch(/varied by the experiment's design: 0\.05 to 0\.2/);
    // every cited source is in the crate with its registry citation
    const cited = new Set(crate['@graph'].flatMap((x) => (x.citation ?? []).map((c) => c['@id'])));
    expect(cited.size).toBeGreaterThan(1);
    for (const id of cited) expect(byId.get(id)?.description).toBe(sources[id.replace(/^#source-/, '')]);
  });

  it('opens offline in Chromium with every figure visible and no request', async () => {
    for (const name of Object.keys(FILES)) {
      const opened = await openReport(join(dir, 'reports', `${name}.html`), join(shots, `experiment-${name}.png`));
      expect(opened.requests).toEqual([opened.url]);
      expect(opened.figures.length).toBe(figureIds(html[name]).length);
      for (const b of opened.figures) expect(b.w * b.h).toBeGreaterThan(300 * 100);
    }
  });

  it('refuses an experiment id given with other ids', async () => {
    const r = await cli('report', 'arms', 'grid', '--db', db, '--out', join(dir, 'x.html'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/arms is an experiment; allowed: one experiment id/);
  });
});
