/** Horizontal bars, grouped by series within each category, with the value printed at the bar's end. */
import { finiteOrNull, fmt, listWords } from '../format.js';
import { WIDTH } from '../theme.js';
import type { BarDatum, Figure } from '../types.js';
import { groupOrders, makeFigure, seriesColour, type FigureText } from './common.js';

export interface BarChartOptions extends FigureText {
  readonly data: readonly BarDatum[];
  /** Value axis title with its unit. */
  readonly valueTitle: string;
  readonly categoryTitle?: string;
  readonly categories?: readonly string[];
  readonly series?: readonly string[];
  readonly legendTitle?: string;
  /** d3-format for the value labels and axis. */
  readonly format?: string;
  readonly unit?: string;
}

export function barAlt(o: BarChartOptions, categories: readonly string[], series: readonly string[]): string {
  const u = o.unit ? ` ${o.unit}` : '';
  const text = categories.map((c) => {
    const items = o.data.filter((d) => d.category === c);
    if (series.length <= 1) return `${c}: ${fmt(items[0]?.value)}${u}`;
    return `${c}: ${items.map((d) => `${d.series} ${fmt(d.value)}${u}`).join(', ')}`;
  });
  const by = series.length > 1 ? `, one bar per ${o.legendTitle ?? 'series'} (${listWords(series)})` : '';
  return `${o.title}. Bar chart of ${o.valueTitle} for ${categories.length} ${o.categoryTitle ?? 'categories'}${by}. ${text.join('; ')}.`;
}

export function barChart(o: BarChartOptions): Figure {
  const { categories, series } = groupOrders(o.data, o.categories, o.series);
  const values = o.data.map((d) => ({ category: d.category, series: d.series, value: finiteOrNull(d.value) }));
  const step = series.length > 1 ? 16 : 24;
  const grouped = series.length > 1;
  const y = { field: 'category', type: 'nominal', sort: categories, title: o.categoryTitle ?? null };
  const format = o.format ?? ',.3~r';
  const colour = seriesColour(series, { title: o.legendTitle ?? null });
  const offset = grouped ? { yOffset: { field: 'series', type: 'nominal', sort: series } } : {};
  return makeFigure(o, barAlt(o, categories, series), {
    width: WIDTH - 200,
    height: { step },
    data: { values },
    encoding: {
      y,
      ...offset,
      x: {
        field: 'value',
        type: 'quantitative',
        title: o.valueTitle,
        // wide labels ("1,000") at a tight step would run together: Vega drops every other one instead
        axis: { format, labelOverlap: true, labelSeparation: 6 },
        scale: { zero: true, nice: true },
      },
    },
    layer: [
      { mark: { type: 'bar', tooltip: false }, encoding: { color: colour } },
      {
        mark: { type: 'text', align: 'left', dx: 4, baseline: 'middle', fontSize: 12, color: '#222' },
        encoding: { text: { field: 'value', type: 'quantitative', format } },
      },
    ],
  });
}
