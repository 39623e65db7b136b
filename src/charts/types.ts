/**
 * The chart module's data shapes. Everything here is plain data, so the same builders run
 * in Node (fed from the results store) and in a browser (fed from a run in memory).
 */
import type { TopLevelSpec } from 'vega-lite';

/** One value of one metric at one tick: the store's long form (`metrics` table). */
export interface MetricRow {
  readonly tick: number;
  readonly metric: string;
  /** '' for the whole population, `group=NAME`, `region=NAME`, `grade=NAME`, … */
  readonly key: string;
  /** null (or NaN) where the value is undefined, e.g. a ratio with nothing to divide by. */
  readonly value: number | null;
}

/** A Vega-Lite specification: JSON a user can open in the Vega editor and change. */
export type VegaLiteSpec = TopLevelSpec;

/** One figure: a declarative spec and the words that go with it. */
export interface Figure {
  /** File-name-safe and unique within a report (`protest-share`, `compare-harm`). */
  readonly id: string;
  readonly title: string;
  /** Alt text: what the figure shows, in words and numbers, for readers who cannot see it. */
  readonly alt: string;
  /** Printed under the figure: units, definitions, what was left out and why. */
  readonly caption?: string;
  /** The report section it belongs in ("Over time", "Who bears the harm"…). */
  readonly section?: string;
  readonly spec: VegaLiteSpec;
}

/** A figure a plan could not draw from the data it was given, and why. */
export interface SkippedFigure {
  readonly id: string;
  readonly title: string;
  readonly reason: string;
}

export interface FigureSet {
  readonly figures: Figure[];
  readonly skipped: SkippedFigure[];
}

/** A point of a line chart's series. */
export interface SeriesPoint {
  readonly x: number;
  readonly y: number | null;
  readonly series: string;
}

/** A bar: a category (e.g. a harm), a series within it (e.g. a group) and its value. */
export interface BarDatum {
  readonly category: string;
  readonly series: string;
  readonly value: number | null;
}

/** A ratio against a reference (parity at 1), drawn on a log scale. */
export interface RatioDatum {
  readonly category: string;
  readonly series: string;
  readonly ratio: number | null;
}
