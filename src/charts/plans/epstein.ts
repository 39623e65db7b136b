/** Epstein's civil-violence model (2002, Model I): citizens' states, arrests and legitimacy per tick. */
import { lineChart } from '../builders/line.js';
import { fmt, listWords } from '../format.js';
import type { RunSeries } from '../series.js';
import type { Figure, FigureSet, SeriesPoint, SkippedFigure } from '../types.js';
import { datedAxis, inSections, type RunContext } from './context.js';

export const EPSTEIN_RUN_METRICS: readonly string[] = ['quiet', 'active', 'jailed', 'arrests', 'legitimacy'];

function pts(s: RunSeries, metric: string, name: string): SeriesPoint[] {
  return s.values(metric, '').map((v, i) => ({ x: s.ticks[i], y: v, series: name }));
}

export function epsteinRunFigures(s: RunSeries, ctx: RunContext): FigureSet {
  const figures: Figure[] = [];
  const skipped: SkippedFigure[] = [];
  const sub = (unit: string) => `${unit} · ${ctx.label} · ${fmt(ctx.agents)} agents`;
  const need = (id: string, title: string, metrics: readonly string[]): boolean => {
    const gone = metrics.filter((m) => !s.has(m));
    if (gone.length) skipped.push({ id, title, reason: `the run has no ${listWords(gone)} metric` });
    return !gone.length;
  };
  if (need('citizen-states', 'Citizens by state', ['quiet', 'active', 'jailed'])) {
    figures.push(
      lineChart({
        id: 'citizen-states',
        title: 'Citizens by state',
        subtitle: sub('citizens at the end of each tick'),
        xTitle: 'tick',
        ...datedAxis(ctx),
        yTitle: 'citizens',
        points: [...pts(s, 'active', 'active'), ...pts(s, 'jailed', 'jailed'), ...pts(s, 'quiet', 'quiet')],
        caption:
          'Active: in open rebellion (grievance − risk aversion × estimated arrest probability > threshold). Jailed: arrested by a cop and serving a term.',
      }),
    );
  }
  if (need('arrests', 'Arrests', ['arrests'])) {
    figures.push(
      lineChart({
        id: 'arrests',
        title: 'Arrests',
        subtitle: sub('arrests made during each tick'),
        xTitle: 'tick',
        ...datedAxis(ctx),
        yTitle: 'arrests (per tick)',
        points: pts(s, 'arrests', 'arrests'),
      }),
    );
  }
  if (need('legitimacy', 'Legitimacy', ['legitimacy'])) {
    const values = s.values('legitimacy', '').filter((v): v is number => v !== null);
    if (values.length && values.every((v) => v === values[0]))
      skipped.push({
        id: 'legitimacy',
        title: 'Legitimacy',
        reason: `legitimacy is constant in this run (${fmt(values[0])})`,
      });
    else
      figures.push(
        lineChart({
          id: 'legitimacy',
          title: 'Legitimacy',
          subtitle: sub('government legitimacy L, 0 to 1'),
          xTitle: 'tick',
          ...datedAxis(ctx),
          yTitle: 'legitimacy L (0–1)',
          yDomain: [0, 1],
          points: pts(s, 'legitimacy', 'legitimacy'),
        }),
      );
  }
  return { figures: inSections(figures, {}, 'Over time'), skipped };
}
