/** Lines over ticks: one per series, coloured and dashed so they stay apart without colour. */
import { dateOf } from '../../scenario/dates.js';
import { finiteOrNull, fmt, listWords } from '../format.js';
import { HEIGHT, SERIES_COLOURS, SERIES_DASHES, WIDTH } from '../theme.js';
import type { Figure, SeriesPoint } from '../types.js';
import { makeFigure, seriesOrder, type FigureText } from './common.js';

export interface LineChartOptions extends FigureText {
  readonly points: readonly SeriesPoint[];
  /** Axis titles, with units: "day", "protesters (% of adults)". */
  readonly xTitle: string;
  readonly yTitle: string;
  /** Series order (legend and colours); others follow in first-seen order. */
  readonly series?: readonly string[];
  /** Legend title; none by default. */
  readonly legendTitle?: string;
  /** Start the y axis at zero (default true; false for a level such as legitimacy). */
  readonly yZero?: boolean;
  /** Fixed y domain, e.g. [0, 1] for a share. */
  readonly yDomain?: readonly [number, number];
  /** d3-format string for y labels, e.g. '.1%' or ',d'. */
  readonly yFormat?: string;
  /** Counts of whole things: y ticks only at whole numbers (no "0.5 attempts"). */
  readonly integer?: boolean;
  /** Unit appended to numbers in the alt text, e.g. '%'. */
  readonly unit?: string;
  /** Draw dots on the points (few ticks). Default: when a series has ≤ 40 points. */
  readonly dots?: boolean;
  /**
   * A dated scenario's start (YYYY-MM-DD): x is then days from it, drawn and described as
   * calendar dates (tick 0 is the start date) instead of day numbers.
   */
  readonly start?: string;
}

interface SeriesStats {
  name: string;
  first: number | null;
  last: number | null;
  min: number | null;
  max: number | null;
  maxAt: number | null;
}

function statsOf(name: string, points: readonly SeriesPoint[]): SeriesStats {
  const s: SeriesStats = { name, first: null, last: null, min: null, max: null, maxAt: null };
  for (const p of points) {
    if (p.y === null) continue;
    if (s.first === null) s.first = p.y;
    s.last = p.y;
    if (s.min === null || p.y < s.min) s.min = p.y;
    if (s.max === null || p.y > s.max) {
      s.max = p.y;
      s.maxAt = p.x;
    }
  }
  return s;
}

export function lineAlt(o: LineChartOptions, order: readonly string[]): string {
  const u = o.unit ? ` ${o.unit}` : '';
  const xs = o.points.map((p) => p.x);
  const lo = xs.length ? Math.min(...xs) : 0;
  const hi = xs.length ? Math.max(...xs) : 0;
  const start = o.start;
  const at = (x: number | null) => (start && x !== null ? `on ${dateOf(start, x)}` : `at ${o.xTitle} ${fmt(x)}`);
  const parts = order.slice(0, 8).map((name) => {
    const s = statsOf(
      name,
      o.points.filter((p) => p.series === name),
    );
    if (s.first === null) return `${name}: no values`;
    if (s.min === s.max) return `${name}: constant at ${fmt(s.first)}${u}`;
    return `${name}: from ${fmt(s.first)}${u} to ${fmt(s.last)}${u}, highest ${fmt(s.max)}${u} ${at(s.maxAt)}`;
  });
  const more = order.length > 8 ? ` and ${order.length - 8} more series` : '';
  const span = start ? `date, ${dateOf(start, lo)} to ${dateOf(start, hi)}` : `${o.xTitle} ${fmt(lo)} to ${fmt(hi)}`;
  return `${o.title}. Line chart of ${o.yTitle} against ${span}, ${order.length === 1 ? 'one series' : `${order.length} series (${listWords(order.slice(0, 8))}${more})`}. ${parts.join('; ')}${more}.`;
}

/**
 * The x encoding of days from a start date drawn as calendar dates (`date` holds the ISO
 * date): year ticks over long spans, month-and-year over short ones (Vega's default labels
 * name the month alone between January ticks, so a multi-year run would read "April,
 * October, April"). Dates are whole UTC days (scenario/dates.ts): a utc scale keeps the axis
 * off the viewer's time zone.
 */
export function dateEncoding(xs: readonly number[]): Record<string, unknown> {
  const span = xs.length ? Math.max(...xs) - Math.min(...xs) : 0;
  return {
    field: 'date',
    type: 'temporal',
    title: 'date',
    scale: { type: 'utc', nice: false },
    axis:
      span > 3 * 365
        ? { format: '%Y', tickCount: { interval: 'year', step: 1 } }
        : { format: '%b %Y', tickCount: 6, labelOverlap: true },
  };
}

export function lineChart(o: LineChartOptions): Figure {
  const order = seriesOrder(
    o.points.map((p) => p.series),
    o.series,
  );
  const start = o.start;
  const values = o.points.map((p) => ({
    x: p.x,
    ...(start ? { date: dateOf(start, p.x) } : {}),
    y: finiteOrNull(p.y),
    series: p.series,
  }));
  const perSeries = order.length ? values.length / order.length : 0;
  const dots = o.dots ?? perSeries <= 40;
  const single = order.length <= 1;
  const legend = single ? null : { title: o.legendTitle ?? null };
  const encoding: Record<string, unknown> = {
    x: start
      ? dateEncoding(values.map((v) => v.x))
      : {
          field: 'x',
          type: 'quantitative',
          title: o.xTitle,
          axis: { tickMinStep: 1, format: ',d' },
          scale: { nice: false },
        },
    y: {
      field: 'y',
      type: 'quantitative',
      title: o.yTitle,
      scale: { zero: o.yZero ?? true, ...(o.yDomain ? { domain: [...o.yDomain] } : {}) },
      ...(o.yFormat || o.integer
        ? { axis: { ...(o.integer ? { tickMinStep: 1 } : {}), format: o.yFormat ?? (o.integer ? ',d' : undefined) } }
        : {}),
    },
  };
  if (single) {
    encoding.color = { value: SERIES_COLOURS[0] };
  } else {
    encoding.color = {
      field: 'series',
      type: 'nominal',
      scale: { domain: order, range: order.map((_, i) => SERIES_COLOURS[i % SERIES_COLOURS.length]) },
      legend,
    };
    encoding.strokeDash = {
      field: 'series',
      type: 'nominal',
      scale: { domain: order, range: order.map((_, i) => SERIES_DASHES[i % SERIES_DASHES.length]) },
      legend,
    };
  }
  return makeFigure(o, lineAlt(o, order), {
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', point: dots ? { size: 28, filled: true } : false, clip: true },
    encoding,
  });
}
