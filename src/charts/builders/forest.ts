/**
 * A forest plot: estimates with their confidence intervals, one row per measure (and per
 * series within it), against a line of no difference.
 */
import { finiteOrNull, fmt, listWords } from '../format.js';
import { SERIES_COLOURS, WIDTH } from '../theme.js';
import type { Figure } from '../types.js';
import { groupOrders, makeFigure, seriesColour, type FigureText } from './common.js';

export interface ForestDatum {
  readonly category: string;
  readonly series: string;
  readonly estimate: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

export interface ForestChartOptions extends FigureText {
  readonly data: readonly ForestDatum[];
  /** e.g. "difference from baseline (% of its mean, 95 % CI)". */
  readonly estimateTitle: string;
  readonly categories?: readonly string[];
  readonly series?: readonly string[];
  readonly legendTitle?: string;
  /** The value of no difference (default 0). */
  readonly reference?: number;
  /** Unit after numbers in labels and alt text, e.g. '%'. */
  readonly unit?: string;
  /** Colours per series (default: the palette in order). */
  readonly colours?: readonly string[];
}

function signed(v: number | null, unit: string): string {
  if (v === null) return 'n/a';
  return `${v > 0 ? '+' : ''}${fmt(v)}${unit}`;
}

export function forestChart(o: ForestChartOptions): Figure {
  const { categories, series } = groupOrders(o.data, o.categories, o.series);
  const unit = o.unit ?? '';
  const ref = o.reference ?? 0;
  const palette = o.colours ?? SERIES_COLOURS;
  const values = o.data.map((d) => ({
    category: d.category,
    series: d.series,
    estimate: finiteOrNull(d.estimate),
    low: finiteOrNull(d.low),
    high: finiteOrNull(d.high),
    label: `${signed(d.estimate, unit)} [${signed(d.low, unit)}, ${signed(d.high, unit)}]`,
    // whether the interval excludes "no difference": drawn filled, the others hollow
    resolved: d.low !== null && d.high !== null && (d.low > ref || d.high < ref) ? 'yes' : 'no',
  }));
  const grouped = series.length > 1;
  const y = { field: 'category', type: 'nominal', sort: categories, title: null, scale: { domain: categories } };
  const offset = grouped ? { yOffset: { field: 'series', type: 'nominal', sort: series } } : {};
  const colour = seriesColour(series, { title: o.legendTitle ?? null }, palette);
  const alt = `${o.title}. Forest plot of ${o.estimateTitle}: each dot an estimate, each bar its 95 % confidence interval; a bar crossing the line at ${fmt(ref)} does not resolve a difference. ${categories
    .map(
      (c) =>
        `${c}: ${o.data
          .filter((d) => d.category === c)
          .map(
            (d) =>
              `${grouped ? `${d.series} ` : ''}${signed(d.estimate, unit)} (${signed(d.low, unit)} to ${signed(d.high, unit)})`,
          )
          .join(', ')}`,
    )
    .join('; ')}.`;
  const unresolved = o.data.filter((d) => d.low !== null && d.high !== null && d.low <= ref && d.high >= ref);
  const caption =
    `${o.caption ?? ''} Filled dots: the 95 % interval excludes no difference; hollow dots: it does not, so the replicates do not resolve a difference${unresolved.length ? ` (${listWords(unresolved.map((d) => (grouped ? `${d.category}, ${d.series}` : d.category)))})` : ''}.`.trim();
  return makeFigure({ ...o, caption }, alt, {
    width: WIDTH - 220,
    height: { step: grouped ? 18 : 24 },
    data: { values },
    layer: [
      // the line of no difference first, so intervals, dots and labels are drawn over it
      {
        mark: { type: 'rule', color: '#555', strokeDash: [5, 4] },
        encoding: { x: { datum: ref, type: 'quantitative' } },
      },
      {
        mark: { type: 'rule', strokeWidth: 2.5 },
        encoding: {
          y,
          ...offset,
          x: { field: 'low', type: 'quantitative', title: o.estimateTitle },
          x2: { field: 'high' },
          color: colour,
        },
      },
      // filled where the interval excludes no difference, hollow where it does not
      {
        transform: [{ filter: "datum.resolved === 'yes'" }],
        mark: { type: 'point', size: 90, filled: true, opacity: 1 },
        encoding: { y, ...offset, x: { field: 'estimate', type: 'quantitative' }, color: colour },
      },
      {
        transform: [{ filter: "datum.resolved === 'no'" }],
        mark: { type: 'point', size: 90, filled: false, fill: 'white', strokeWidth: 2, opacity: 1 },
        encoding: { y, ...offset, x: { field: 'estimate', type: 'quantitative' }, color: colour },
      },
      // a white halo under each label keeps it legible where it crosses a grid line or the zero line
      ...['halo', 'label'].map((kind) => ({
        mark: {
          type: 'text',
          align: 'left',
          dx: 8,
          baseline: 'middle',
          fontSize: 11,
          color: '#333',
          ...(kind === 'halo' ? { stroke: 'white', strokeWidth: 4, strokeJoin: 'round' } : {}),
        },
        encoding: { y, ...offset, x: { field: 'high', type: 'quantitative' }, text: { field: 'label' } },
      })),
    ],
  });
}
