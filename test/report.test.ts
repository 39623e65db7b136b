/**
 * `panopticon report` end to end on small real runs (regime 20,000 residents × 60 days,
 * Epstein): the page is self-contained (nothing fetched, checked in Chromium), every figure is
 * visible, provenance is complete, figure files and RO-Crate are written, bad input is refused
 * before anything is written, and PNG text is really drawn.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lineChart } from '../src/charts/builders/line.js';
import { roCrateSidecar } from '../src/charts/node/crate.js';
import { inkIn, svgToPng, PNG_ZOOM } from '../src/charts/node/png.js';
import { renderSvg, titleBoxes } from '../src/charts/render.js';
import { leafPaths } from '../src/scenario/resolve.js';
import { sources } from '../src/scenario/sources.js';
import { models } from '../src/models/registry.js';
import { ResultsStore } from '../src/store/store.js';
import { openReport } from './helpers/chromium-page.js';
import { inProcessCli } from './helpers/cli-inprocess.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-report-'));
const db = join(dir, 'results.duckdb');
/** Screenshots to look at after a run (kept out of git). */
const shots = join(import.meta.dirname, '..', 'test-results', 'report');

const cli = inProcessCli(models, {
  version: '0.0.0-test',
  availableMemory: () => 2 ** 32,
  exportSidecars: [roCrateSidecar],
});

async function run(...args: string[]): Promise<string> {
  const r = await cli('run', ...args, '--db', db, '--no-progress');
  expect(r.code, r.err).toBe(0);
  return /run id\s+(\S+)/.exec(r.out)![1];
}

const ids: Record<string, string> = {};
beforeAll(async () => {
  for (const preset of ['high-intensity', 'baseline-no-surveillance', 'municipal-points'])
    ids[preset] = await run('--preset', preset, '--population', '20000', '--steps', '60');
  ids.epstein = await run('--preset', 'epstein-run3', '--steps', '80');
  // a dated scenario: it starts on 25 Aug 2013 (the defaulter list's history)
  ids.dated = await run('--preset', 'defaulter-list-history', '--population', '20000', '--steps', '400');
});

/** Everything in a page a browser would fetch: src, srcset, <link>, CSS url() and @import, external <use>/<image> hrefs. */
function fetchableReferences(html: string): string[] {
  const found = [
    ...html.matchAll(/\s(?:src|srcset|poster|data|background)\s*=\s*["'][^"']*["']/gi),
    ...html.matchAll(/<(?:link|script|iframe|object|embed|img|video|audio|source|track)\b[^>]*>/gi),
    ...html.matchAll(/url\(\s*(?!["']?#)[^)]*\)/gi),
    ...html.matchAll(/@import\b[^;]*/gi),
    ...html.matchAll(/<(?:use|image|feImage)\b[^>]*\s(?:xlink:)?href\s*=\s*["'](?!#)[^"']*["']/gi),
  ];
  return found.map((m) => m[0]);
}

describe('panopticon report: one run', () => {
  let html: string;
  let out: string;
  beforeAll(async () => {
    out = join(dir, 'one', 'report.html');
    const r = await cli('report', ids['high-intensity'], '--out', out, '--db', db);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`wrote ${out}`);
    html = readFileSync(out, 'utf8');
  });

  it('is one HTML file that fetches nothing: no script, no stylesheet link, no image source, no CSS url', () => {
    expect(fetchableReferences(html)).toEqual([]);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    // hyperlinks are navigation, not loads; the only one is the ODD description
    const links = [...html.matchAll(/<a\s+href="([^"]+)"/g)].map((m) => m[1]);
    expect(links.every((l) => l.startsWith('#') || /docs\/odd\/regime\.md$/.test(l))).toBe(true);
  });

  it('opens from disk in Chromium with no network request and every figure visible', async () => {
    const opened = await openReport(out, join(shots, 'run-report.png'));
    const figures = (html.match(/<figure /g) ?? []).length;
    expect(figures).toBeGreaterThanOrEqual(5);
    expect(opened.figures).toHaveLength(figures);
    for (const b of opened.figures) {
      expect(b.w).toBeGreaterThan(300);
      expect(b.h).toBeGreaterThan(150);
      expect(b.texts).toBeGreaterThan(5);
    }
    expect(opened.requests).toEqual([opened.url]);
  });

  it('carries provenance: version, scenario hash, seed, every parameter with its source and full citation, the ODD', async () => {
    const store = await ResultsStore.open(db, { create: false });
    const row = await store.getRun(ids['high-intensity']);
    const scenario = JSON.parse(row.scenario_json) as {
      params: Record<string, unknown>;
      sources: Record<string, string[]>;
    };
    expect(html).toContain(row.scenario_hash);
    expect(html).toContain('0.0.0-test');
    expect(html).toContain('docs/odd/regime.md');
    for (const path of leafPaths(scenario.params)) expect(html, path).toContain(`<td class="path">${path}</td>`);
    const cited = new Set(Object.values(scenario.sources).flat());
    expect(cited.size).toBeGreaterThan(3);
    const escape = (s: string) =>
      s
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;');
    for (const id of cited) expect(html, id).toContain(escape(sources[id]));
  });

  it('says in words what the run shows, and that one run has no interval', () => {
    const summary = /<p class="summary">([^<]*)<\/p>/.exec(html)![1];
    expect(summary).toContain(
      'One run of the regime model (preset high-intensity): 20,000 residents, 60 days, seed 1.',
    );
    expect(summary).toContain('no confidence interval');
    expect(summary).not.toMatch(/significant|proves|causes/i);
  });

  it('writes ro-crate-metadata.json beside the report', () => {
    const crate = JSON.parse(readFileSync(join(dir, 'one', 'ro-crate-metadata.json'), 'utf8')) as {
      '@graph': Record<string, unknown>[];
    };
    const root = crate['@graph'].find((e) => e['@id'] === './')!;
    expect(root.hasPart).toEqual([{ '@id': 'report.html' }]);
  });
});

describe('panopticon report: a dated run', () => {
  it('gives its dates in the heading and the paragraph, and draws its charts against dates', async () => {
    const out = join(dir, 'dated', 'report.html');
    const r = await cli('report', ids.dated, '--out', out, '--db', db);
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(out, 'utf8');
    // tick 0 is the start date; 400 days later is 29 Sep 2014
    expect(html).toContain('400 steps from 25 Aug 2013 to 29 Sep 2014');
    expect(html).toContain('400 days (from 25 Aug 2013 to 29 Sep 2014)');
    expect(html).toContain('against date, 2013-08-25 to 2014-09-29');
    expect(html).not.toMatch(/against day \d/);
    // nobody protests or is detained in this preset: flat zero lines are named, not drawn
    expect(html).toContain('nobody protested in this run');
    expect(html).toContain('nobody was detained in this run');
    expect(html).toContain('perceived legitimacy stayed at 1 throughout the run');
  });
});

describe('panopticon report: three presets compared', () => {
  it('draws stability and harm side by side, ratios to the first run and the runs over time', async () => {
    const out = join(dir, 'cmp', 'compare.html');
    const figs = join(dir, 'cmp', 'figures');
    const r = await cli(
      'report',
      ids['baseline-no-surveillance'],
      ids['high-intensity'],
      ids['municipal-points'],
      '--out',
      out,
      '--figures',
      figs,
      '--db',
      db,
    );
    expect(r.code, r.err).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(fetchableReferences(html)).toEqual([]);
    for (const id of [
      'compare-stability',
      'compare-harm',
      'compare-stability-ratio',
      'compare-protest-share',
      'compare-legitimacy',
    ])
      expect(html, id).toContain(`id="figure-${id}"`);
    expect(html).toContain('3 runs, each against run A (baseline-no-surveillance).');
    expect(html).toContain('no confidence interval');
    // the compare table, with differences against A
    expect(html).toContain('<th scope="col">B − A</th>');

    const opened = await openReport(out, join(shots, 'compare-report.png'));
    expect(opened.requests).toEqual([opened.url]);
    expect(opened.figures.length).toBe((html.match(/<figure /g) ?? []).length);
  });
});

describe('panopticon report --figures', () => {
  it('writes each figure as SVG, PNG and Vega-Lite JSON, with an RO-Crate that describes them and the run', async () => {
    const figs = join(dir, 'figs-epstein');
    const r = await cli('report', ids.epstein, '--figures', figs, '--db', db);
    expect(r.code, r.err).toBe(0);
    const files = readdirSync(figs).sort();
    const svgs = files.filter((f) => f.endsWith('.svg'));
    expect(svgs.length).toBeGreaterThanOrEqual(2);
    for (const svg of svgs) {
      const id = svg.replace(/\.svg$/, '');
      expect(files).toContain(`${id}.png`);
      const spec = JSON.parse(readFileSync(join(figs, `${id}.vl.json`), 'utf8')) as {
        $schema: string;
        description: string;
      };
      expect(spec.$schema).toMatch(/vega-lite\/v6/);
      expect(spec.description.length).toBeGreaterThan(40);
      expect(
        readFileSync(join(figs, `${id}.png`))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
    }
    const crate = JSON.parse(readFileSync(join(figs, 'ro-crate-metadata.json'), 'utf8')) as {
      '@context': unknown;
      '@graph': Record<string, unknown>[];
    };
    const byId = new Map(crate['@graph'].map((e) => [e['@id'] as string, e]));
    expect(byId.get('ro-crate-metadata.json')).toMatchObject({
      conformsTo: { '@id': 'https://w3id.org/ro/crate/1.1' },
      about: { '@id': './' },
    });
    const root = byId.get('./')!;
    expect(root.conformsTo).toEqual({ '@id': 'https://w3id.org/ro/wfrun/process/0.5' });
    const parts = (root.hasPart as { '@id': string }[]).map((p) => p['@id']).sort();
    expect(parts).toEqual(files.filter((f) => f !== 'ro-crate-metadata.json'));
    for (const p of parts) expect(byId.get(p)!['@type']).toBe('File');
    // every reference inside the crate resolves to an entity of the crate
    const refs = JSON.stringify(crate['@graph'])
      .match(/\{"@id":"[^"]+"\}/g)!
      .map((s) => (JSON.parse(s) as { '@id': string })['@id']);
    const external = (id: string) => /^https?:|^file:/.test(id);
    expect(refs.filter((id) => !byId.has(id) && !external(id))).toEqual([]);
    const action = byId.get(`#run-${ids.epstein}`)!;
    expect(action['@type']).toBe('CreateAction');
    expect((action.object as unknown[]).length).toBeGreaterThan(10);
    const param =
      byId.get(`#run-${ids.epstein}/param/legitimacy.initial`) ??
      [...byId.values()].find((e) => e['@type'] === 'PropertyValue' && String(e['@id']).includes('/param/'))!;
    expect((param.citation as { '@id': string }[])[0]['@id']).toMatch(/^#source-/);

    // again into the same folder: refused without --force, naming the files; with --force the crate keeps one entry per file
    const again = await cli('report', ids.epstein, '--figures', figs, '--db', db);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/--figures: \d+ files would be replaced \(.*\.svg/);
    const forced = await cli('report', ids.epstein, '--figures', figs, '--db', db, '--force');
    expect(forced.code, forced.err).toBe(0);
    const crate2 = JSON.parse(readFileSync(join(figs, 'ro-crate-metadata.json'), 'utf8')) as {
      '@graph': Record<string, unknown>[];
    };
    const root2 = crate2['@graph'].find((e) => e['@id'] === './')!;
    expect((root2.hasPart as unknown[]).length).toBe(parts.length);
    expect((root2.mentions as unknown[]).length).toBe((root.mentions as unknown[]).length + 1); // a second report action
  });

  it('leaves another tool’s ro-crate-metadata.json alone and says so', async () => {
    const figs = join(dir, 'foreign');
    mkdirSync(figs);
    writeFileSync(join(figs, 'ro-crate-metadata.json'), '{"@graph": []}');
    const r = await cli('report', ids.epstein, '--figures', figs, '--db', db);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/left .*ro-crate-metadata\.json alone: another tool wrote it/);
    expect(readFileSync(join(figs, 'ro-crate-metadata.json'), 'utf8')).toBe('{"@graph": []}');
  });
});

describe('panopticon report: bad input', () => {
  it('refuses, before writing anything, with an error naming the problem', async () => {
    const target = join(dir, 'bad', 'x.html');
    const cases: [string[], RegExp][] = [
      [[ids.epstein], /nothing to write: give --out report.html/],
      [[ids.epstein, '--out', join(dir, 'bad', 'x.txt')], /--out: got .*x\.txt; allowed: an \.html file/],
      [['nope-run', '--out', target], /run "nope-run" not found/],
      [[ids.epstein, ids['high-intensity'], '--out', target], /runs: got runs of models epstein, regime/],
      [
        [ids.epstein, '--out', db.replace(/\.duckdb$/, '.html'), '--figures', db],
        /--figures: got .*results\.duckdb, which is a file/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli('report', ...args, '--db', db);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toMatch(message);
    }
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('never replaces an existing report without --force', async () => {
    const out = join(dir, 'exists.html');
    writeFileSync(out, 'mine');
    const r = await cli('report', ids.epstein, '--out', out, '--db', db);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--out: .*exists\.html already exists; pass --force/);
    expect(readFileSync(out, 'utf8')).toBe('mine');
  });
});

describe('export writes an RO-Crate beside the file', () => {
  it('names the exported file, the run and its parameters', async () => {
    const out = join(dir, 'export', 'run.parquet');
    const r = await cli('export', ids.epstein, '--format', 'parquet', '--out', out, '--db', db);
    expect(r.code, r.err).toBe(0);
    const crate = JSON.parse(readFileSync(join(dir, 'export', 'ro-crate-metadata.json'), 'utf8')) as {
      '@graph': Record<string, unknown>[];
    };
    const file = crate['@graph'].find((e) => e['@id'] === 'run.parquet')!;
    expect(file).toMatchObject({ '@type': 'File', encodingFormat: 'application/vnd.apache.parquet' });
    expect(crate['@graph'].some((e) => e['@id'] === `#run-${ids.epstein}`)).toBe(true);
  });
});

describe('PNG text', () => {
  it('draws the title’s text: dark pixels inside the title’s box, and none there when no font is loaded', async () => {
    const figure = lineChart({
      id: 'png-text',
      title: 'Protest over the year',
      xTitle: 'day',
      yTitle: 'protesting (% of adults)',
      points: [0, 1, 2, 3].map((x) => ({ x, y: x * x, series: 'all' })),
    });
    const svg = await renderSvg(figure);
    const [box] = await titleBoxes(figure);
    expect(box.x2 - box.x1).toBeGreaterThan(100);
    const scaled = { x1: box.x1 * PNG_ZOOM, y1: box.y1 * PNG_ZOOM, x2: box.x2 * PNG_ZOOM, y2: box.y2 * PNG_ZOOM };
    const area = (scaled.x2 - scaled.x1) * (scaled.y2 - scaled.y1);
    const ink = inkIn(svgToPng(svg), scaled);
    // text covers a real part of its box (glyphs, not a stray line) …
    expect(ink / area).toBeGreaterThan(0.05);
    // … and that ink is the text: without fonts resvg drops it and the box is blank
    expect(inkIn(svgToPng(svg, PNG_ZOOM, false), scaled)).toBe(0);
  });
});
