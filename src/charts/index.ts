/**
 * Panopticon's charts: declarative Vega-Lite figures built from plain tidy data.
 *
 * Everything exported here is free of Node-only APIs and of Vega itself, so a browser bundle
 * can import it; render with `renderSvg` (./render.ts: Vega, Node or browser) and, in Node
 * only, `svgToPng` (./node/png.ts: resvg).
 *
 * - Data in: `MetricRow` ({tick, metric, key, value}: the store's long form) → `RunSeries`.
 * - Run figures: `runFigures(model, rows, ctx)`; comparisons: `compareFigures(runs, sections)`.
 * - Experiments: `experimentFigures(data)` (bands, forest, Morris/Sobol, grid heatmaps).
 * - Builders for any data: `lineChart`, `barChart`, `ratioChart`, `panelChart`, `bandChart`,
 *   `forestChart`, `indexChart`, `heatmapChart`.
 */
export type {
  Figure,
  FigureSet,
  MetricRow,
  SkippedFigure,
  SeriesPoint,
  BarDatum,
  RatioDatum,
  VegaLiteSpec,
} from './types.js';
export { OKABE_ITO, SERIES_COLOURS, SERIES_DASHES, SEQUENTIAL_SCHEME, FONT, chartConfig } from './theme.js';
export { fmt, pct, times, listWords } from './format.js';
export { RunSeries, keyLabel, rowsFromTicks, type Stat } from './series.js';
export { makeFigure, VEGA_LITE_SCHEMA, type FigureText } from './builders/common.js';
export { lineChart, type LineChartOptions } from './builders/line.js';
export { barChart, type BarChartOptions } from './builders/bars.js';
export { ratioChart, ratioDomain, type RatioChartOptions } from './builders/ratio.js';
export { panelChart, type PanelChartOptions, type PanelDatum } from './builders/panels.js';
export type { RunContext } from './plans/context.js';
export { runFigures } from './plans/run.js';
export { planFor, type ModelPlan, type Overlay } from './plans/models.js';
export {
  compareFigures,
  compareTables,
  comparisonSectionsOf,
  runName,
  type CompareRun,
  type CompareRow,
  type CompareSection,
  type CompareTable,
  type CompareTableRow,
  type CompareCell,
} from './plans/compare.js';
export { REGIME_RUN_METRICS, REGIME_HARM_LABELS, REGIME_SANCTION_LABELS } from './plans/regime.js';
export { EPSTEIN_RUN_METRICS } from './plans/epstein.js';
export { scopeSvgIds, accessibleSvg } from './svg.js';
export { bandChart, bandOf, quantile, type BandDatum, type BandChartOptions } from './builders/bands.js';
export { forestChart, type ForestDatum, type ForestChartOptions } from './builders/forest.js';
export { indexChart, type IndexDatum, type IndexChartOptions } from './builders/indices.js';
export { heatmapChart, type HeatDatum, type HeatmapOptions } from './builders/heatmap.js';
export {
  experimentFigures,
  keyOutputs,
  type ExperimentData,
  type ExperimentFactor,
  type ExperimentOutput,
} from './plans/experiment.js';
