/**
 * The runs in the results store, when the page is served by `panopticon serve` (its
 * read-only API, src/cli/serve.ts): listed, charted in the page, and re-run in the browser
 * from their own scenario (same scenario and seed, same numbers). On a static host there is
 * no API and the section stays hidden.
 */
import type { ExperimentData } from '../../../src/charts/plans/experiment.js';
import type { Tree } from '../scenario/paths.js';
import type { MetricInfo } from '../worker/protocol.js';
import { ChartPanel, type ChartSource } from './charts.js';
import { fill, h } from './dom.js';
import { fmt } from '../../../src/charts/format.js';
import { isIsoDate } from '../../../src/scenario/dates.js';

/** A run as `GET api/runs` lists it. */
export interface StoredRun {
  readonly run_id: string;
  readonly status: string;
  readonly model: string;
  readonly preset: string | null;
  readonly seed: number;
  readonly steps: number;
  readonly agents: number;
  readonly started_at: string;
}

/** An experiment as `GET api/experiments` lists it. */
export interface StoredExperiment {
  readonly experiment_id: string;
  readonly description: string | null;
  readonly design: string;
  readonly points: number;
  readonly steps: number;
  readonly status: string;
  readonly runs_planned: number | null;
  readonly runs_stored: number | null;
  readonly updated_at: string;
}

/** `GET api/runs/ID/metrics`: row-major values, null where the store holds NaN. */
export interface StoredMetrics {
  readonly run_id: string;
  readonly metrics: readonly MetricInfo[];
  readonly ticks: readonly number[];
  readonly values: readonly (number | null)[];
}

export class StoredRuns {
  readonly element = h('section', { class: 'stored', 'aria-labelledby': 'stored-h', hidden: true });
  private readonly list = h('div', { class: 'stored-list' });
  private readonly chart = new ChartPanel(h('div', { class: 'charts stored-charts' }), null, 'stored-');
  private readonly experimentList = h('div', { class: 'stored-list' });
  private readonly caption = h('p', { class: 'stored-caption' });

  constructor(private readonly rerun: (scenario: Tree) => void) {
    this.element.append(
      h('h2', { id: 'stored-h' }, 'Stored runs'),
      h(
        'p',
        {},
        'Runs in the results store this page is served from (read only). Chart one here, or run its scenario again in the browser.',
      ),
      this.list,
      this.experimentList,
      this.caption,
      this.chart.element,
    );
  }

  /** Experiments (ensembles, sweeps, sensitivity), when the store has any. */
  private async loadExperiments(): Promise<void> {
    let list: StoredExperiment[] = [];
    try {
      const res = await fetch('api/experiments', { headers: { accept: 'application/json' } });
      if (res.ok) list = ((await res.json()) as { experiments: StoredExperiment[] }).experiments;
    } catch {
      return;
    }
    if (!list.length) return;
    const head = ['experiment', 'design', 'points', 'days', 'status', 'runs', 'updated (UTC)', ''];
    const rows = list.map((e) =>
      h(
        'tr',
        { 'data-experiment': e.experiment_id },
        h('td', {}, h('code', {}, e.experiment_id), e.description ? h('div', { class: 'about' }, e.description) : null),
        h('td', {}, e.design),
        h('td', { class: 'num' }, fmt(e.points)),
        h('td', { class: 'num' }, fmt(e.steps)),
        h('td', {}, e.status),
        h('td', { class: 'num' }, `${fmt(e.runs_stored ?? 0)}${e.runs_planned ? ` of ${fmt(e.runs_planned)}` : ''}`),
        h('td', { class: 'when' }, e.updated_at.replace('T', ' ').replace('Z', '')),
        h(
          'td',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', 'data-action': 'chart-experiment', onclick: () => void this.showExperiment(e) },
            'Chart',
          ),
        ),
      ),
    );
    fill(
      this.experimentList,
      h('h3', {}, 'Experiments'),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...rows),
        ),
      ),
    );
  }

  private async showExperiment(e: StoredExperiment): Promise<void> {
    this.caption.textContent = `Loading experiment ${e.experiment_id} (its analysis is recomputed from the stored runs)…`;
    const res = await fetch(`api/experiments/${encodeURIComponent(e.experiment_id)}`);
    if (!res.ok) {
      this.caption.textContent = `Could not load ${e.experiment_id}: ${(await res.text()).slice(0, 300)}`;
      return;
    }
    const { data } = (await res.json()) as { data: ExperimentData };
    this.chart.reset();
    const { drawExperiment } = await import('./chart-render.js');
    await drawExperiment(this.chart.element, data, 'stored-');
    this.caption.textContent = `Experiment ${e.experiment_id}: ${e.design} design, ${fmt(e.points)} point${e.points === 1 ? '' : 's'}, arms ${data.arms.join(', ')}.`;
  }

  async load(): Promise<void> {
    let runs: StoredRun[];
    try {
      const res = await fetch('api/runs', { headers: { accept: 'application/json' } });
      if (!res.ok || !res.headers.get('content-type')?.includes('application/json')) return;
      runs = ((await res.json()) as { runs: StoredRun[] }).runs;
    } catch {
      return; // a static host, or offline: no store to show
    }
    this.element.hidden = false;
    void this.loadExperiments();
    if (!runs.length) {
      fill(this.list, h('p', {}, 'The store has no runs yet: `npx panopticon run` adds one.'));
      return;
    }
    const rows = runs.map((r) =>
      h(
        'tr',
        { 'data-run': r.run_id },
        h('td', {}, h('code', {}, r.run_id)),
        h('td', {}, r.status),
        h('td', {}, r.model),
        h('td', {}, r.preset ?? '–'),
        h('td', { class: 'num' }, String(r.seed)),
        h('td', { class: 'num' }, fmt(r.steps)),
        h('td', { class: 'num' }, fmt(r.agents)),
        h('td', { class: 'when' }, r.started_at.replace('T', ' ').replace('Z', '')),
        h(
          'td',
          { class: 'actions' },
          h('button', { type: 'button', 'data-action': 'chart-run', onclick: () => void this.show(r) }, 'Chart'),
          ' ',
          h('button', { type: 'button', 'data-action': 'rerun', onclick: () => void this.rerunStored(r) }, 'Run here'),
        ),
      ),
    );
    const head = ['run', 'status', 'model', 'preset', 'seed', 'steps', 'agents', 'started (UTC)', ''];
    fill(
      this.list,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...rows),
        ),
      ),
    );
  }

  private async show(run: StoredRun): Promise<void> {
    this.caption.textContent = `Loading ${run.run_id}…`;
    const res = await fetch(`api/runs/${encodeURIComponent(run.run_id)}/metrics`);
    if (!res.ok) {
      this.caption.textContent = `Could not load ${run.run_id}: ${(await res.text()).slice(0, 300)}`;
      return;
    }
    const data = (await res.json()) as StoredMetrics;
    const detail = (await (await fetch(`api/runs/${encodeURIComponent(run.run_id)}`)).json()) as { scenario: Tree };
    const values = Float64Array.from(data.values, (v) => (v === null ? NaN : v));
    const source: ChartSource = {
      letter: 'S',
      label: `${run.preset ?? run.model} (stored ${run.run_id})`,
      model: run.model,
      agents: run.agents,
      params: (detail.scenario.params ?? {}) as Tree,
      ...(isIsoDate(detail.scenario.start) ? { start: detail.scenario.start } : {}),
      headline: [],
      metrics: data.metrics,
      ticks: data.ticks.length,
      expectedTicks: data.ticks.length,
      firstTick: data.ticks[0] ?? 0,
      values: () => values,
      done: true,
    };
    this.caption.textContent = `${run.run_id}: ${run.status}, ${run.preset ?? run.model}, seed ${run.seed}, ${fmt(data.ticks.length)} ticks stored.`;
    this.chart.reset();
    this.chart.update([source]);
  }

  private async rerunStored(run: StoredRun): Promise<void> {
    const res = await fetch(`api/runs/${encodeURIComponent(run.run_id)}`);
    if (!res.ok) return;
    const detail = (await res.json()) as { scenario: Tree };
    this.rerun(detail.scenario);
  }
}
