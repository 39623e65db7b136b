/** A model without a plan of its own: each headline metric over ticks. */
import { lineChart } from '../builders/line.js';
import { fmt } from '../format.js';
import type { RunSeries } from '../series.js';
import type { Figure, FigureSet, SkippedFigure } from '../types.js';
import { datedAxis, inSections, type RunContext } from './context.js';

export function metricFigureId(metric: string): string {
  return `metric-${metric
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}

export function genericRunFigures(s: RunSeries, ctx: RunContext): FigureSet {
  const figures: Figure[] = [];
  const skipped: SkippedFigure[] = [];
  const metrics = ctx.headline?.length ? ctx.headline : s.metrics().filter((m) => s.has(m, ''));
  for (const metric of metrics) {
    const id = metricFigureId(metric);
    if (!s.has(metric, '')) {
      skipped.push({ id, title: metric, reason: `the run has no ${metric} metric` });
      continue;
    }
    figures.push(
      lineChart({
        id,
        title: metric.replace(/_/g, ' '),
        subtitle: `whole population · ${ctx.label} · ${fmt(ctx.agents)} agents`,
        xTitle: 'tick',
        ...datedAxis(ctx),
        yTitle: `${metric.replace(/_/g, ' ')} (as the model reports it)`,
        points: s.values(metric, '').map((v, i) => ({ x: s.ticks[i], y: v, series: metric })),
      }),
    );
  }
  return { figures: inSections(figures, {}, 'Over time'), skipped };
}
