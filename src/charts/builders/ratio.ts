/**
 * Ratios against a reference (a group's harm rate over the reference group's; a run's value
 * over the first run's), as dots on a log scale so that ½× and 2× sit equally far from parity.
 */
import { listWords, times } from '../format.js';
import { SERIES_COLOURS, WIDTH } from '../theme.js';
import type { Figure, RatioDatum } from '../types.js';
import { groupOrders, makeFigure, seriesColour, type FigureText } from './common.js';

export interface RatioChartOptions extends FigureText {
  readonly data: readonly RatioDatum[];
  /** e.g. "rate ÷ majority's rate (log scale)". */
  readonly ratioTitle: string;
  readonly categoryTitle?: string;
  readonly categories?: readonly string[];
  readonly series?: readonly string[];
  readonly legendTitle?: string;
  /** Colours per series (default: the palette in order); lets run B keep its colour when run A is not drawn. */
  readonly colours?: readonly string[];
}

/** Ratios a log axis can show: finite and > 0. */
function drawable(r: number | null): r is number {
  return r !== null && Number.isFinite(r) && r > 0;
}

/** Log-axis domain symmetric around 1 that holds every ratio, at least ½ to 2. */
export function ratioDomain(ratios: readonly number[]): [number, number] {
  const m = Math.max(Math.log10(2), ...ratios.map((r) => Math.abs(Math.log10(r))));
  const e = Math.ceil(m * 10) / 10;
  return [10 ** -e, 10 ** e];
}

export function ratioChart(o: RatioChartOptions): Figure {
  // Categories with nothing drawable are left out of the axis and named in the caption.
  const orders = groupOrders(
    o.data.map((d) => ({ category: d.category, series: d.series })),
    o.categories,
    o.series,
  );
  const categories = orders.categories.filter((c) => o.data.some((d) => d.category === c && drawable(d.ratio)));
  const series = orders.series;
  const shown = o.data.filter((d) => drawable(d.ratio));
  const missing = o.data.filter((d) => !drawable(d.ratio));
  const values = shown.map((d) => ({ category: d.category, series: d.series, ratio: d.ratio, label: times(d.ratio) }));
  const grouped = series.length > 1;
  const palette = o.colours ?? SERIES_COLOURS;
  const colour = seriesColour(series, { title: o.legendTitle ?? null }, palette);
  const shape = grouped
    ? {
        field: 'series',
        type: 'nominal',
        scale: { domain: series, range: ['circle', 'square', 'diamond', 'triangle-up', 'triangle-down', 'cross'] },
        legend: { title: o.legendTitle ?? null },
      }
    : { value: 'circle' };
  const y = {
    field: 'category',
    type: 'nominal',
    sort: categories,
    title: o.categoryTitle ?? null,
    scale: { domain: categories },
  };
  const offset = grouped ? { yOffset: { field: 'series', type: 'nominal', sort: series } } : {};
  const text = orders.categories.map((c) => {
    const items = o.data.filter((d) => d.category === c);
    return `${c}: ${items.map((d) => `${grouped ? `${d.series} ` : ''}${drawable(d.ratio) ? times(d.ratio) : d.ratio === 0 ? '0 (none)' : 'undefined'}`).join(', ')}`;
  });
  const alt = `${o.title}. Dot chart of ${o.ratioTitle}; a dot right of the line at 1 means more than the reference, left means less. ${text.join('; ')}.`;
  const skippedNote = missing.length
    ? ` Not drawn (zero or undefined on a log scale): ${listWords(missing.map((d) => (grouped ? `${d.category} (${d.series})` : d.category)))}.`
    : '';
  const caption = `${o.caption ?? ''}${skippedNote}`.trim();
  return makeFigure({ ...o, ...(caption ? { caption } : {}) }, alt, {
    width: WIDTH - 200,
    height: { step: grouped ? 18 : 26 },
    data: { values },
    layer: [
      {
        mark: { type: 'rule', color: '#bbb' },
        encoding: { y, ...offset, x: { field: 'ratio', type: 'quantitative' }, x2: { datum: 1 } },
      },
      {
        mark: { type: 'point', filled: true, size: 110, opacity: 1 },
        encoding: {
          y,
          ...offset,
          x: {
            field: 'ratio',
            type: 'quantitative',
            title: o.ratioTitle,
            scale: { type: 'log', domain: ratioDomain(shown.map((d) => d.ratio!)), nice: false },
            axis: { format: '~g', tickCount: 6 },
          },
          color: colour,
          shape,
        },
      },
      // labels outside the dot, away from the parity line
      {
        transform: [{ filter: 'datum.ratio >= 1' }],
        mark: { type: 'text', align: 'left', dx: 9, baseline: 'middle', fontSize: 12, color: '#222' },
        encoding: { y, ...offset, x: { field: 'ratio', type: 'quantitative' }, text: { field: 'label' } },
      },
      {
        transform: [{ filter: 'datum.ratio < 1' }],
        mark: { type: 'text', align: 'right', dx: -9, baseline: 'middle', fontSize: 12, color: '#222' },
        encoding: { y, ...offset, x: { field: 'ratio', type: 'quantitative' }, text: { field: 'label' } },
      },
      // parity: the reference's own value
      {
        mark: { type: 'rule', color: '#555', strokeDash: [5, 4] },
        encoding: { x: { datum: 1, type: 'quantitative' } },
      },
    ],
  });
}
