/**
 * Sensitivity indices as a tornado: one bar per factor (and per index: Sobol's first-order
 * and total), largest on top, each with its confidence interval as a whisker.
 */
import { finiteOrNull, fmt } from '../format.js';
import { SERIES_COLOURS, WIDTH } from '../theme.js';
import type { Figure } from '../types.js';
import { makeFigure, seriesColour, seriesOrder, type FigureText } from './common.js';

export interface IndexDatum {
  readonly factor: string;
  /** Which index: 'μ*', 'first-order S1', 'total ST'. */
  readonly index: string;
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

export interface IndexChartOptions extends FigureText {
  readonly data: readonly IndexDatum[];
  readonly valueTitle: string;
  /** Index order (legend, bars within a factor); factors are sorted by the last index, largest first. */
  readonly indices?: readonly string[];
  /** Fixed value domain, e.g. [0, 1] for Sobol indices. */
  readonly domain?: readonly [number, number];
}

export function indexChart(o: IndexChartOptions): Figure {
  const indices = seriesOrder(
    o.data.map((d) => d.index),
    o.indices,
  );
  const rankBy = indices[indices.length - 1];
  const factors = seriesOrder(o.data.map((d) => d.factor)).sort(
    (a, b) =>
      (o.data.find((d) => d.factor === b && d.index === rankBy)?.value ?? -Infinity) -
      (o.data.find((d) => d.factor === a && d.index === rankBy)?.value ?? -Infinity),
  );
  const values = o.data.map((d) => ({
    factor: d.factor,
    index: d.index,
    value: finiteOrNull(d.value),
    low: finiteOrNull(d.low),
    high: finiteOrNull(d.high),
    label: `${fmt(d.value)} [${fmt(d.low)}, ${fmt(d.high)}]`,
  }));
  const grouped = indices.length > 1;
  const y = { field: 'factor', type: 'nominal', sort: factors, title: null };
  const offset = grouped ? { yOffset: { field: 'index', type: 'nominal', sort: indices } } : {};
  const colour = seriesColour(indices, { title: null }, SERIES_COLOURS, 'index');
  const x = {
    type: 'quantitative',
    title: o.valueTitle,
    scale: { zero: true, ...(o.domain ? { domain: [...o.domain] } : {}) },
  };
  const alt = `${o.title}. Bar chart of ${o.valueTitle} per factor, largest ${rankBy} first, with 95 % intervals. ${factors
    .map(
      (f) =>
        `${f}: ${indices
          .map((ix) => {
            const d = o.data.find((e) => e.factor === f && e.index === ix);
            return `${grouped ? `${ix} ` : ''}${fmt(d?.value)} (${fmt(d?.low)} to ${fmt(d?.high)})`;
          })
          .join(', ')}`,
    )
    .join('; ')}.`;
  return makeFigure(o, alt, {
    width: WIDTH - 220,
    height: { step: grouped ? 20 : 28 },
    data: { values },
    encoding: { y, ...offset },
    layer: [
      { mark: { type: 'bar', opacity: 0.85 }, encoding: { x: { ...x, field: 'value' }, color: colour } },
      {
        mark: { type: 'rule', color: '#222', strokeWidth: 1.5 },
        encoding: { x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 6, baseline: 'middle', fontSize: 11, color: '#333' },
        encoding: { x: { field: 'high', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  });
}
