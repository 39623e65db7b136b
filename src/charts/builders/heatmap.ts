/** Two factors of a grid design: one cell per pair of levels, coloured by the output's mean (viridis), value printed. */
import { finiteOrNull, fmt } from '../format.js';
import { SEQUENTIAL_SCHEME } from '../theme.js';
import type { Figure } from '../types.js';
import { makeFigure, type FigureText } from './common.js';

export interface HeatDatum {
  readonly x: number | string;
  readonly y: number | string;
  readonly value: number | null;
  /** Printed in the cell (default: the value). */
  readonly label?: string;
}

export interface HeatmapOptions extends FigureText {
  readonly data: readonly HeatDatum[];
  readonly xTitle: string;
  readonly yTitle: string;
  readonly valueTitle: string;
}

function order(levels: Iterable<number | string>): (number | string)[] {
  const all = [...new Set(levels)];
  return all.every((v) => typeof v === 'number') ? (all as number[]).sort((a, b) => a - b) : all;
}

export function heatmapChart(o: HeatmapOptions): Figure {
  const xs = order(o.data.map((d) => d.x));
  const ys = order(o.data.map((d) => d.y)).reverse();
  const values = o.data.map((d) => ({
    x: String(d.x),
    y: String(d.y),
    value: finiteOrNull(d.value),
    label: d.label ?? fmt(d.value),
  }));
  const finite = values.map((v) => v.value).filter((v): v is number => v !== null);
  const mid = finite.length ? (Math.min(...finite) + Math.max(...finite)) / 2 : 0;
  const alt = `${o.title}. Heatmap of ${o.valueTitle} over ${o.xTitle} (columns: ${xs.join(', ')}) and ${o.yTitle} (rows: ${ys.join(', ')}). ${o.data
    .map((d) => `${o.xTitle} ${d.x}, ${o.yTitle} ${d.y}: ${d.label ?? fmt(d.value)}`)
    .join('; ')}.`;
  return makeFigure(o, alt, {
    width: { step: Math.max(70, Math.min(140, 560 / xs.length)) },
    height: { step: 44 },
    data: { values },
    encoding: {
      x: { field: 'x', type: 'ordinal', sort: xs.map(String), title: o.xTitle, axis: { labelAngle: 0 } },
      y: { field: 'y', type: 'ordinal', sort: ys.map(String), title: o.yTitle },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            title: o.valueTitle,
            scale: { scheme: SEQUENTIAL_SCHEME },
            legend: { orient: 'right', direction: 'vertical', gradientLength: 160 },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 12 },
        encoding: {
          text: { field: 'label' },
          // dark text on the light (yellow) end of viridis, white on the dark end
          color: { condition: { test: `datum.value > ${mid}`, value: '#111' }, value: 'white' },
        },
      },
    ],
  });
}
