/**
 * The page's charts: figures from the shared chart module (src/charts/), drawn live while a
 * run streams in and overlaid when two scenarios are compared. The module and its renderer
 * (Vega) load on first use, after the page is up, so they never delay the first paint.
 */
import type { ModelEntry } from '../../../src/models/registry.js';
import type { Tree } from '../scenario/paths.js';
import type { MetricInfo } from '../worker/protocol.js';
import { h } from './dom.js';

/** Anything with metric rows to draw: a run in this page, or a run from the results store. */
export interface ChartSource {
  /** "A", "B" in a comparison; "S" for a stored run. */
  readonly letter: string;
  readonly label: string;
  readonly model: string;
  readonly agents: number;
  readonly params?: Tree;
  /** A dated scenario's start (YYYY-MM-DD): charts are drawn against dates. */
  readonly start?: string;
  readonly headline: readonly string[];
  /** What `panopticon compare` shows for the model (regime: stability and harm rows). */
  readonly comparison?: ModelEntry['comparison'];
  readonly metrics: readonly MetricInfo[];
  readonly ticks: number;
  /** Ticks the source will have when complete. */
  readonly expectedTicks: number;
  /** The tick of the first row (0 for a run from its start). */
  readonly firstTick: number;
  /** Row-major values: tick t's row starts at t × metrics. */
  values(): Float64Array;
  readonly done: boolean;
}

/**
 * Start loading the chart code now, without waiting for it: called once the page is up, so
 * that Vega is parsed while the first run synthesizes its population, not after.
 */
export function preloadCharts(): void {
  void import('./chart-render.js').catch(() => undefined);
}

/**
 * Redraw at most this often while data streams in, and never sooner than four times the
 * last drawing's cost after it: the charts take at most a fifth of a core from the run.
 */
const LIVE_REDRAW_MS = 250;

export class ChartPanel {
  private pending: readonly ChartSource[] | null = null;
  private drawing = false;
  private lastDraw = 0;
  private lastCost = 0;
  private timer = 0;
  private generation = 0;

  constructor(
    readonly element: HTMLElement,
    /** Where the summary table goes, if anywhere. */
    private readonly summary: HTMLElement | null = null,
    /** Keeps this panel's figure ids apart from another panel's on the page. */
    private readonly prefix = '',
  ) {
    element.setAttribute('aria-busy', 'false');
  }

  reset(): void {
    this.generation++;
    this.pending = null;
    this.element.replaceChildren();
    this.summary?.replaceChildren();
  }

  update(sources: readonly ChartSource[]): void {
    this.pending = sources;
    const due = this.lastDraw + Math.max(LIVE_REDRAW_MS, 4 * this.lastCost) - performance.now();
    const final = sources.length > 0 && sources.every((s) => s.done);
    if (final || due <= 0) void this.draw();
    else if (!this.timer) this.timer = window.setTimeout(() => void this.draw(), due);
  }

  private async draw(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = 0;
    }
    if (this.drawing || !this.pending) return;
    const job = this.pending;
    const generation = this.generation;
    this.pending = null;
    this.drawing = true;
    this.lastDraw = performance.now();
    this.element.setAttribute('aria-busy', 'true');
    try {
      const { drawFigures } = await import('./chart-render.js');
      if (generation === this.generation) {
        const t0 = performance.now();
        await drawFigures(this.element, this.summary, job, this.prefix);
        this.lastCost = performance.now() - t0;
        if (
          !performance.getEntriesByName('explorer:first-chart').length &&
          this.element.querySelector('figure.chart svg')
        )
          performance.mark('explorer:first-chart');
      }
    } catch (e) {
      this.element.replaceChildren(
        h('p', { class: 'problems' }, `The charts could not be drawn: ${(e as Error).message}`),
      );
    } finally {
      this.drawing = false;
      this.element.setAttribute('aria-busy', 'false');
      const next = this.pending as readonly ChartSource[] | null;
      if (next) this.update(next);
    }
  }
}
