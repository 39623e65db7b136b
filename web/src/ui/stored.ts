/**
 * The runs in the results store, when the page is served by `panopticon serve` (its
 * read-only API, src/cli/serve.ts): listed, charted in the page, and re-run in the browser
 * from their own scenario (same scenario and seed, same numbers). On a static host there is
 * no API and the section stays hidden.
 */
import type { Tree } from '../scenario/paths.js';
import type { MetricInfo } from '../worker/protocol.js';
import { ChartPanel, type ChartSource } from './charts.js';
import { fill, h } from './dom.js';
import { fmt } from '../../../src/charts/format.js';

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
  private readonly chart = new ChartPanel(h('div', { class: 'charts stored-charts' }));
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
      this.caption,
      this.chart.element,
    );
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
