/**
 * Golden snapshots of the chart SVGs, from frozen small runs (test/fixtures/charts, captured by
 * `npm run charts:fixtures`). Floats are rounded and ids are numbered per figure before comparing
 * (as Observable Plot's snapshot tests do), so the comparison is about what is drawn. On a
 * mismatch the new SVG is written beside the snapshot as NAME-changed.svg and the test fails;
 * `npm run charts:snapshots` accepts the new ones. The snapshots are the gallery in docs/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparisonSections } from '../src/charts/node/load.js';
import { renderSvg } from '../src/charts/render.js';
import { compareReport, runReport } from '../src/charts/report/document.js';
import type { Figure } from '../src/charts/types.js';
import { OKABE_ITO, SEQUENTIAL_SCHEME } from '../src/charts/theme.js';
import { models } from '../src/models/registry.js';
import { fixtureRun, loadExperimentFixture } from './helpers/chart-fixtures.js';
import { experimentFigures } from '../src/charts/plans/experiment.js';

const root = join(import.meta.dirname, '..');
const galleryDir = join(root, 'docs', 'gallery');
const update = process.env.CHARTS_UPDATE === '1';

/**
 * Round every decimal inside attribute values (coordinates, paths, transforms) to two places:
 * renderers differ in the last digits, not in the picture. Text (labels, titles, alt text) is
 * compared exactly.
 */
export function normaliseSvg(svg: string): string {
  const round = (n: string) => {
    const r = Math.round(Number(n) * 100) / 100;
    return Object.is(r, -0) ? '0' : String(r);
  };
  return svg.replace(
    /(\s[\w:-]+=")([^"]*)(")/g,
    (_, a: string, value: string, b: string) => `${a}${value.replace(/-?\d+\.\d+(e[+-]?\d+)?/g, round)}${b}`,
  );
}

const generator = {
  name: 'Panopticon',
  version: 'test',
  commit: null,
  dirty: false,
  at: '2026-01-01T00:00:00Z',
  command: 'test',
} as const;

interface Case {
  readonly name: string;
  readonly title: string;
  /** The commands that draw these figures from a real run. */
  readonly commands: string;
  readonly figures: () => readonly Figure[];
}

function runCase(fixture: string, only?: readonly string[]): () => readonly Figure[] {
  return () => {
    const run = fixtureRun(fixture);
    const doc = runReport(run, comparisonSections(models, run.provenance.model), generator);
    return doc.figures.filter((f) => !only || only.includes(f.id));
  };
}

function experimentCase(fixture: string, only?: readonly string[]): () => readonly Figure[] {
  return () => experimentFigures(loadExperimentFixture(fixture)).figures.filter((f) => !only || only.includes(f.id));
}

function experimentCommands(file: string): string {
  return `npx panopticon experiment run test/fixtures/charts/experiments/${file}.yaml\nnpx panopticon report EXPERIMENT_ID --out experiment.html --figures figures/`;
}

const CASES: Case[] = [
  {
    name: 'national-blacklist',
    title: 'A run: national-blacklist, 20,000 residents, 240 days',
    commands:
      'npx panopticon run --preset national-blacklist --population 20000 --steps 240\nnpx panopticon report RUN_ID --out report.html --figures figures/',
    figures: runCase('regime-national-blacklist'),
  },
  {
    name: 'high-intensity',
    title: 'Who bears the harm: high-intensity, 20,000 residents, 60 days',
    commands:
      'npx panopticon run --preset high-intensity --population 20000 --steps 60\nnpx panopticon report RUN_ID --figures figures/',
    figures: runCase('regime-high-intensity', ['harm-by-group', 'disparity']),
  },
  {
    name: 'ijop-xinjiang',
    title: 'Who detects, and whom: ijop-xinjiang, 20,000 residents, 60 days',
    commands:
      'npx panopticon run --preset ijop-xinjiang --population 20000 --steps 60\nnpx panopticon report RUN_ID --figures figures/',
    figures: runCase('regime-ijop-xinjiang', ['detections-by-channel', 'disparity']),
  },
  {
    name: 'municipal-points',
    title: 'Scores: municipal-points, 20,000 residents, 60 days',
    commands:
      'npx panopticon run --preset municipal-points --population 20000 --steps 60\nnpx panopticon report RUN_ID --figures figures/',
    figures: runCase('regime-municipal-points', ['score-grades']),
  },
  {
    name: 'compare',
    title:
      'Three presets compared: baseline-no-surveillance, high-intensity, municipal-points (20,000 residents, 60 days each)',
    commands:
      'for p in baseline-no-surveillance high-intensity municipal-points; do npx panopticon run --preset $p --population 20000 --steps 60; done\nnpx panopticon report RUN_A RUN_B RUN_C --out compare.html --figures figures/',
    figures: () => {
      const runs = ['regime-baseline', 'regime-high-intensity', 'regime-municipal-points'].map(fixtureRun);
      return compareReport(runs, comparisonSections(models, 'regime'), generator).figures;
    },
  },
  {
    name: 'experiment-arms',
    title: 'An experiment: three presets, 6 replicates each on common random numbers (20,000 residents, 60 days)',
    commands: experimentCommands('three-presets'),
    figures: experimentCase('three-presets'),
  },
  {
    name: 'experiment-grid',
    title: 'A grid design: false-match rate × informant density (high-intensity, 10,000 residents, 3 replicates)',
    commands: experimentCommands('grid'),
    figures: experimentCase('grid', ['heatmap-false-camera-total', 'heatmap-legitimacy-mean-final']),
  },
  {
    name: 'experiment-morris',
    title: 'Morris screening of four assumptions (high-intensity, 10,000 residents, 5 trajectories)',
    commands: experimentCommands('morris'),
    figures: experimentCase('morris', ['morris-detentions-preemptive-total', 'morris-legitimacy-mean-final']),
  },
  {
    name: 'experiment-sobol',
    title: 'Sobol indices of three assumptions (high-intensity, 5,000 residents, N = 16)',
    commands: experimentCommands('sobol'),
    figures: experimentCase('sobol', ['sobol-detentions-preemptive-total', 'sobol-legitimacy-mean-final']),
  },
  {
    name: 'epstein',
    title: 'Epstein’s civil-violence model: epstein-run3 (legitimacy lowered step by step), 150 ticks',
    commands: 'npx panopticon run --preset epstein-run3 --steps 150\nnpx panopticon report RUN_ID --figures figures/',
    figures: runCase('epstein-run3'),
  },
];

/** Version, commit and date the fixtures were captured at (written by `npm run charts:fixtures`). */
function captured(): { version: string; commit: string; date: string } {
  return JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'charts', 'captured.json'), 'utf8')) as {
    version: string;
    commit: string;
    date: string;
  };
}

function galleryMarkdown(rendered: { c: Case; figures: readonly Figure[] }[]): string {
  const esc = (s: string) => s.replace(/[[\]]/g, '\\$&');
  const at = captured();
  const parts = [
    '# Figure gallery',
    '',
    'Every kind of figure `panopticon report` draws, from small real runs of the regime and Epstein models. These pictures are',
    'the golden snapshots of the chart tests (`test/charts-snapshots.test.ts`): the runs were captured once into',
    `\`test/fixtures/charts/\` (\`npm run charts:fixtures\`, run with Panopticon ${at.version} at commit ${at.commit} on ${at.date}),`,
    'so the snapshots change only when the charts do; regenerate the pictures with `npm run charts:snapshots`. Each section',
    'gives the commands that draw the same figures from a fresh run; numbers will differ as the model evolves. Colours are',
    'the Okabe–Ito palette, with dashes as a second cue; every figure carries its alt text (shown in the image description',
    'here) and, with `--figures`, its Vega-Lite specification.',
    '',
    'This page is generated by the snapshot test; edit the test, not the page.',
  ];
  for (const { c, figures } of rendered) {
    parts.push('', `## ${c.title}`, '', '```bash', c.commands, '```');
    for (const f of figures) {
      parts.push('', `### ${f.title} (\`${f.id}\`)`, '', `![${esc(f.alt)}](gallery/${c.name}--${f.id}.svg)`);
      if (f.caption) parts.push('', f.caption);
    }
  }
  return parts.join('\n') + '\n';
}

describe('chart snapshots (the gallery)', () => {
  for (const c of CASES) {
    it(`${c.name}: every figure matches its snapshot`, async () => {
      const figures = c.figures();
      expect(figures.length).toBeGreaterThan(0);
      mkdirSync(galleryDir, { recursive: true });
      const changed: string[] = [];
      for (const f of figures) {
        const svg = normaliseSvg(await renderSvg(f));
        const file = join(galleryDir, `${c.name}--${f.id}.svg`);
        const changedFile = file.replace(/\.svg$/, '-changed.svg');
        if (existsSync(file) && readFileSync(file, 'utf8') === svg) {
          rmSync(changedFile, { force: true });
          continue;
        }
        if (update) {
          writeFileSync(file, svg);
          rmSync(changedFile, { force: true });
        } else {
          writeFileSync(changedFile, svg);
          changed.push(
            existsSync(file) ? `${changedFile} differs from its snapshot` : `${file} is missing (new figure?)`,
          );
        }
      }
      expect(changed, 'run `npm run charts:snapshots` to accept intended changes').toEqual([]);
    });
  }

  it('every figure is legible at slide size and draws only in colour-blind-safe colours', async () => {
    const okabeIto = new Set(Object.values(OKABE_ITO).map((c) => c.toLowerCase()));
    const grey = (hex: string) => {
      const h = hex.length === 4 ? [...hex.slice(1)].map((d) => d + d).join('') : hex.slice(1);
      return h.slice(0, 2) === h.slice(2, 4) && h.slice(2, 4) === h.slice(4, 6);
    };
    const problems: string[] = [];
    for (const c of CASES)
      for (const f of c.figures()) {
        const svg = await renderSvg(f);
        const width = Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)![1]);
        // half a 1920-pixel slide holds the figure at its own size or larger
        if (width > 960) problems.push(`${c.name}/${f.id}: ${width} px wide`);
        const sizes = [...svg.matchAll(/font-size="([\d.]+)px"/g)].map((m) => Number(m[1]));
        if (!sizes.length || Math.min(...sizes) < 11)
          problems.push(`${c.name}/${f.id}: text of ${Math.min(...sizes)} px`);
        for (const [, colour] of svg.matchAll(/(?:fill|stroke)="(#[0-9a-fA-F]{3,6})"/g)) {
          const hex = colour.toLowerCase();
          if (!okabeIto.has(hex) && !grey(hex)) problems.push(`${c.name}/${f.id}: colour ${colour}`);
        }
        // other colours (rgb()) come only from the viridis scale of a heatmap
        const others = [...svg.matchAll(/(?:fill|stroke)="(rgb\([^"]*\))"/g)];
        if (others.length && !JSON.stringify(f.spec).includes(`"scheme":"${SEQUENTIAL_SCHEME}"`))
          problems.push(`${c.name}/${f.id}: ${others[0][1]} outside a ${SEQUENTIAL_SCHEME} scale`);
      }
    expect(problems).toEqual([]);
  });

  it('docs/gallery.md shows exactly the snapshots, and docs/gallery/ holds no other', () => {
    const rendered = CASES.map((c) => ({ c, figures: c.figures() }));
    const md = galleryMarkdown(rendered);
    const file = join(root, 'docs', 'gallery.md');
    if (update) writeFileSync(file, md);
    expect(readFileSync(file, 'utf8')).toBe(md);
    const wanted = new Set(rendered.flatMap(({ c, figures }) => figures.map((f) => `${c.name}--${f.id}.svg`)));
    const stale = readdirSync(galleryDir).filter((f) => !f.endsWith('-changed.svg') && !wanted.has(f));
    if (update) for (const f of stale) rmSync(join(galleryDir, f));
    else expect(stale, 'snapshots no case draws any more; `npm run charts:snapshots` removes them').toEqual([]);
  });
});
