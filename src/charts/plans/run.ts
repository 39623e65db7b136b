/** One run's figures, by its model's plan. */
import { RunSeries } from '../series.js';
import type { FigureSet, MetricRow } from '../types.js';
import type { RunContext } from './context.js';
import { planFor } from './models.js';

export function runFigures(model: string, data: RunSeries | readonly MetricRow[], ctx: RunContext): FigureSet {
  const series = data instanceof RunSeries ? data : new RunSeries(data);
  return planFor(model).runFigures(series, ctx);
}
