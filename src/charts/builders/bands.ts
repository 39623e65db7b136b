/**
 * A series across replicates: the median as a line, the middle 50 % and the middle 90 % of
 * replicates as two shaded bands (EMA Workbench's envelopes, with the spread made explicit).
 */
import { finiteOrNull, fmt, listWords } from '../format.js';
import { HEIGHT, SERIES_COLOURS, SERIES_DASHES, WIDTH } from '../theme.js';
import type { Figure } from '../types.js';
import { makeFigure, seriesOrder, type FigureText } from './common.js';

/** Quantiles of one series at one x across replicates. */
export interface BandDatum {
  readonly x: number;
  readonly series: string;
  readonly q05: number | null;
  readonly q25: number | null;
  readonly q50: number | null;
  readonly q75: number | null;
  readonly q95: number | null;
}

export interface BandChartOptions extends FigureText {
  readonly data: readonly BandDatum[];
  readonly xTitle: string;
  readonly yTitle: string;
  readonly series?: readonly string[];
  readonly legendTitle?: string;
  readonly yZero?: boolean;
  readonly unit?: string;
}

/** Quantile of sorted values by linear interpolation between order statistics (type 7, R's default). */
export function quantile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** The five quantiles a band chart draws, from one x's values across replicates. */
export function bandOf(x: number, series: string, values: readonly (number | null)[]): BandDatum {
  const v = values.filter((y): y is number => y !== null && Number.isFinite(y)).sort((a, b) => a - b);
  return {
    x,
    series,
    q05: quantile(v, 0.05),
    q25: quantile(v, 0.25),
    q50: quantile(v, 0.5),
    q75: quantile(v, 0.75),
    q95: quantile(v, 0.95),
  };
}

export function bandChart(o: BandChartOptions): Figure {
  const order = seriesOrder(
    o.data.map((d) => d.series),
    o.series,
  );
  const values = o.data.map((d) => ({
    x: d.x,
    series: d.series,
    q05: finiteOrNull(d.q05),
    q25: finiteOrNull(d.q25),
    q50: finiteOrNull(d.q50),
    q75: finiteOrNull(d.q75),
    q95: finiteOrNull(d.q95),
  }));
  const colour = {
    field: 'series',
    type: 'nominal',
    scale: { domain: order, range: order.map((_, i) => SERIES_COLOURS[i % SERIES_COLOURS.length]) },
    legend:
      order.length > 1
        ? { title: o.legendTitle ?? null, symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 }
        : null,
  };
  // the median lines are dashed as in line charts, so arms stay apart without colour (the legend
  // merges both encodings into one dashed, coloured symbol per arm)
  const dash = {
    field: 'series',
    type: 'nominal',
    scale: { domain: order, range: order.map((_, i) => SERIES_DASHES[i % SERIES_DASHES.length]) },
    legend: colour.legend,
  };
  const x = {
    field: 'x',
    type: 'quantitative',
    title: o.xTitle,
    axis: { tickMinStep: 1, format: ',d' },
    scale: { nice: false },
  };
  const y = { type: 'quantitative', title: o.yTitle, scale: { zero: o.yZero ?? true } };
  const u = o.unit ? ` ${o.unit}` : '';
  const last = (s: string) => [...o.data].reverse().find((d) => d.series === s && d.q50 !== null);
  const alt = `${o.title}. Median of ${o.yTitle} against ${o.xTitle} across replicates, with bands holding the middle 50 % and 90 % of replicates, for ${listWords(order)}. At the last ${o.xTitle}: ${order
    .map((s) => {
      const d = last(s);
      return d
        ? `${s} median ${fmt(d.q50)}${u} (50 % band ${fmt(d.q25)}–${fmt(d.q75)}, 90 % band ${fmt(d.q05)}–${fmt(d.q95)})`
        : `${s}: no values`;
    })
    .join('; ')}.`;
  return makeFigure(o, alt, {
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    encoding: { x, color: colour },
    layer: [
      { mark: { type: 'area', opacity: 0.16 }, encoding: { y: { ...y, field: 'q05' }, y2: { field: 'q95' } } },
      { mark: { type: 'area', opacity: 0.32 }, encoding: { y: { ...y, field: 'q25' }, y2: { field: 'q75' } } },
      {
        mark: { type: 'line', strokeWidth: 2.5 },
        encoding: { y: { ...y, field: 'q50' }, ...(order.length > 1 ? { strokeDash: dash } : {}) },
      },
    ],
  });
}
