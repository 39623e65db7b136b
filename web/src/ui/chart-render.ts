/**
 * Drawing with the shared chart module (src/charts): a run's figures, or a comparison's
 * (the model's main series overlaid, stability and harm side by side), rendered to SVG by
 * Vega, and the summary table `panopticon compare` prints. Loaded on first use: Vega is
 * most of the explorer's weight and the page must not wait for it.
 */
import {
  comparisonSectionsOf,
  compareFigures,
  compareTables,
  fmt,
  planFor,
  runFigures,
  RunSeries,
  times,
  type CompareRun,
  type CompareSection,
  type Figure,
  type MetricRow,
  type SkippedFigure,
} from '../../../src/charts/index.js';
import { experimentFigures, type ExperimentData } from '../../../src/charts/plans/experiment.js';
import { renderSvg } from '../../../src/charts/render.js';
import type { ChartSource } from './charts.js';
import { fill, h } from './dom.js';

performance.mark('explorer:charts-loaded');

/**
 * While a run streams in, only the first figures are redrawn (one until a tenth of the run
 * has arrived, so that the first chart shows as soon as it can): the rest follow at the end.
 */
const LIVE_FIGURES = 2;

/** The metric rows of a source, only those of the metrics named when a set is given. */
function seriesOf(source: ChartSource, keep?: ReadonlySet<string>): RunSeries {
  const m = source.metrics.length;
  const values = source.values();
  const columns = source.metrics.flatMap((x, k) => (!keep || keep.has(x.name) ? [[x, k] as const] : []));
  const rows: MetricRow[] = [];
  for (let t = 0; t < source.ticks; t++)
    for (const [x, k] of columns)
      rows.push({ tick: source.firstTick + t, metric: x.name, key: x.key, value: values[t * m + k] });
  return new RunSeries(rows);
}

/** What `panopticon compare` shows: the model's stability and harm rows, or its headline metrics. */
function sectionsOf(source: ChartSource): CompareSection[] {
  return comparisonSectionsOf(source);
}

function compareRunOf(source: ChartSource, series: RunSeries): CompareRun {
  return {
    letter: source.letter,
    model: source.model,
    series,
    ctx: {
      label: source.label,
      agents: source.agents,
      ...(source.params ? { params: source.params } : {}),
      ...(source.start ? { start: source.start } : {}),
      ...(source.done ? {} : { partial: true }),
      headline: source.headline,
    },
  };
}

function metricsNeeded(sources: readonly ChartSource[]): Set<string> | undefined {
  const plan = planFor(sources[0].model);
  if (!plan.metrics) return undefined;
  const names = new Set([...plan.metrics, ...plan.overlays.flatMap((o) => o.needs)]);
  for (const s of sources) for (const section of sectionsOf(s)) for (const row of section.rows) names.add(row.metric);
  for (const s of sources) for (const metric of s.headline) names.add(metric);
  return names;
}

function figuresOf(
  sources: readonly ChartSource[],
  series: readonly RunSeries[],
): { figures: Figure[]; skipped: SkippedFigure[] } {
  if (sources.length === 1) {
    const s = sources[0];
    return runFigures(s.model, series[0], {
      label: s.label,
      agents: s.agents,
      ...(s.params ? { params: s.params } : {}),
      ...(s.start ? { start: s.start } : {}),
      ...(s.done ? {} : { partial: true }),
      headline: s.headline,
    });
  }
  const runs = sources.map((s, i) => compareRunOf(s, series[i]));
  const set = compareFigures(runs, sectionsOf(sources[0]));
  // The overlaid series first: they are what a reader looks at while the runs stream in.
  const overlays = set.figures.filter(
    (f) =>
      !f.id.startsWith('compare-stability') && !f.id.startsWith('compare-harm') && !f.id.startsWith('compare-headline'),
  );
  return { figures: [...overlays, ...set.figures.filter((f) => !overlays.includes(f))], skipped: set.skipped };
}

/** Draw (or redraw in place) the figures for one run or a comparison. */
export async function drawFigures(
  host: HTMLElement,
  summary: HTMLElement | null,
  sources: readonly ChartSource[],
  prefix = '',
): Promise<void> {
  const ready = sources.filter((s) => s.ticks > 0);
  if (ready.length !== sources.length || !ready.length) return;
  const keep = metricsNeeded(sources);
  const series = sources.map((s) => seriesOf(s, keep));
  if (summary) drawSummary(summary, sources, series);
  const live = sources.some((s) => !s.done);
  const { figures, skipped } = figuresOf(sources, series);
  const early = sources.some((s) => s.ticks < s.expectedTicks / 10);
  await place(host, live ? figures.slice(0, early ? 1 : LIVE_FIGURES) : figures, live ? [] : skipped, !live, prefix);
}

/** An experiment's figures (bands across replicates, paired differences, sensitivity indices). */
export async function drawExperiment(host: HTMLElement, data: ExperimentData, prefix: string): Promise<void> {
  const { figures, skipped } = experimentFigures(data);
  await place(host, figures, skipped, true, prefix);
}

/**
 * Put figures into `host`, each in a <figure> kept across redraws. `prefix` keeps the ids
 * of one panel's figures (and of the SVG elements inside them) apart from another's.
 */
async function place(
  host: HTMLElement,
  figures: readonly Figure[],
  skipped: readonly SkippedFigure[],
  complete: boolean,
  prefix: string,
): Promise<void> {
  const idOf = (f: Figure): string => `${prefix}fig-${f.id}`;
  const ids = new Set(figures.map(idOf));
  if (complete)
    for (const old of [...host.querySelectorAll<HTMLElement>('figure.chart')]) if (!ids.has(old.id)) old.remove();
  for (const figure of figures) {
    const svg = await renderSvg(prefix ? { ...figure, id: `${prefix}${figure.id}` } : figure);
    let el = host.querySelector<HTMLElement>(`#${CSS.escape(idOf(figure))}`);
    if (!el) {
      el = h(
        'figure',
        { class: 'chart', id: idOf(figure), 'data-figure': figure.id },
        h('div', { class: 'svg' }),
        h('figcaption', {}, figure.caption ?? ''),
      );
      host.append(el);
    }
    el.querySelector('.svg')!.innerHTML = svg;
  }
  let note = host.querySelector<HTMLElement>('.skipped');
  if (skipped.length) {
    if (!note) host.append((note = h('p', { class: 'skipped about' })));
    note.textContent = `Not drawn: ${skipped.map((s) => `${s.title} (${s.reason})`).join('; ')}.`;
  } else note?.remove();
}

/** The headline numbers; with two runs, B against A (difference and ratio). */
function drawSummary(host: HTMLElement, sources: readonly ChartSource[], series: readonly RunSeries[]): void {
  const runs = sources.map((s, i) => compareRunOf(s, series[i]));
  const tables = compareTables(runs, sectionsOf(sources[0]));
  const pair = runs.length > 1;
  const partial = sources.some((s) => !s.done);
  const head = pair
    ? [
        '',
        ...runs.map((r) => `${r.letter}: ${r.ctx.label}`),
        `${runs[1].letter} − ${runs[0].letter}`,
        `${runs[1].letter} ÷ ${runs[0].letter}`,
      ]
    : ['', 'value'];
  fill(
    host,
    ...tables.map((t) =>
      h(
        'table',
        { class: 'summary-table', 'data-section': t.title },
        h('caption', {}, pair ? `${t.title}: same seed, common random numbers` : t.title, partial ? ' (so far)' : ''),
        h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          ...t.rows.map((row) =>
            h(
              'tr',
              { 'data-metric': `${row.metric}:${row.stat}` },
              h('th', { scope: 'row' }, row.label),
              ...row.cells.map((c) => h('td', {}, fmt(c.value))),
              ...(pair
                ? [
                    h(
                      'td',
                      {},
                      row.cells[1].difference === null
                        ? 'n/a'
                        : `${row.cells[1].difference >= 0 ? '+' : ''}${fmt(row.cells[1].difference)}`,
                    ),
                    h('td', {}, times(row.cells[1].ratio)),
                  ]
                : []),
            ),
          ),
        ),
      ),
    ),
  );
}
