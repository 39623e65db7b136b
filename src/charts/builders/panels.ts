/**
 * Measures side by side, one bar per run: the `compare` table drawn. The measures of one
 * figure have different units (people, person-days, a mean level), so each measure's bars
 * are scaled to that measure's largest magnitude and every bar prints its own value; no
 * axis pretends the rows share a scale.
 */
import { finiteOrNull, fmt } from '../format.js';
import { SERIES_COLOURS, WIDTH } from '../theme.js';
import type { Figure } from '../types.js';
import { makeFigure, seriesColour, seriesOrder, type FigureText } from './common.js';

export interface PanelDatum {
  /** The measure: one row each, e.g. "arrests (total)". */
  readonly measure: string;
  /** The bar within the row, e.g. a run's label. */
  readonly bar: string;
  readonly value: number | null;
}

export interface PanelChartOptions extends FigureText {
  readonly data: readonly PanelDatum[];
  readonly measures?: readonly string[];
  readonly bars?: readonly string[];
  readonly legendTitle?: string;
}

export function panelChart(o: PanelChartOptions): Figure {
  const measures = seriesOrder(
    o.data.map((d) => d.measure),
    o.measures,
  );
  const bars = seriesOrder(
    o.data.map((d) => d.bar),
    o.bars,
  );
  const largest = new Map<string, number>();
  for (const d of o.data) {
    const v = finiteOrNull(d.value);
    if (v !== null) largest.set(d.measure, Math.max(largest.get(d.measure) ?? 0, Math.abs(v)));
  }
  const values = o.data.map((d) => {
    const v = finiteOrNull(d.value);
    const top = largest.get(d.measure) ?? 0;
    return {
      measure: d.measure,
      bar: d.bar,
      value: v,
      share: v === null ? null : top > 0 ? v / top : 0,
      label: fmt(d.value),
    };
  });
  const alt = `${o.title}. ${measures.length} measures, one bar per ${o.legendTitle ?? 'series'} (${bars.join(', ')}); each measure's bars are scaled to its largest value. ${measures
    .map(
      (m) =>
        `${m}: ${bars.map((b) => `${b} ${fmt(o.data.find((d) => d.measure === m && d.bar === b)?.value)}`).join(', ')}`,
    )
    .join('; ')}.`;
  const negative = values.some((v) => v.share !== null && v.share < 0);
  return makeFigure(o, alt, {
    width: WIDTH - 300,
    height: { step: 15, for: 'offset' },
    data: { values },
    encoding: {
      y: {
        field: 'measure',
        type: 'nominal',
        sort: measures,
        title: null,
        scale: { paddingInner: 0.3, paddingOuter: 0.15 },
        axis: { ticks: false, domain: false, labelPadding: 10, labelFontSize: 13 },
      },
      yOffset: { field: 'bar', type: 'nominal', sort: bars, scale: { paddingInner: 0.1 } },
      x: { field: 'share', type: 'quantitative', axis: null, scale: { domain: [negative ? -1 : 0, 1.25] } },
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          color: seriesColour(
            bars,
            { title: o.legendTitle ?? null, orient: 'top', direction: 'vertical', columns: 1 },
            SERIES_COLOURS,
            'bar',
          ),
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, baseline: 'middle', fontSize: 12, color: '#222' },
        encoding: { text: { field: 'label' } },
      },
      {
        mark: { type: 'rule', color: '#ccc' },
        encoding: { x: { datum: 0 }, y: null, yOffset: null },
      },
    ],
  });
}
