/**
 * Several runs side by side: the `compare` table as numbers (for the report's table and its
 * paragraph) and drawn — one panel per measure, ratios against the first run, and the main
 * series of every run overlaid.
 */
import { lineChart } from '../builders/line.js';
import { panelChart } from '../builders/panels.js';
import { ratioChart } from '../builders/ratio.js';
import { fmt, listWords } from '../format.js';
import { SERIES_COLOURS } from '../theme.js';
import type { RunSeries, Stat } from '../series.js';
import type { Figure, FigureSet, SeriesPoint, SkippedFigure } from '../types.js';
import { datedAxis, inSections, type RunContext } from './context.js';
import { metricFigureId } from './generic.js';
import { planFor, type Overlay } from './models.js';

export interface CompareRun {
  /** "A", "B", …: the reference is the first. */
  readonly letter: string;
  readonly model: string;
  readonly series: RunSeries;
  readonly ctx: RunContext;
}

export interface CompareRow {
  readonly metric: string;
  readonly stat: Stat;
  readonly label: string;
}

export interface CompareSection {
  readonly title: string;
  readonly rows: readonly CompareRow[];
}

/**
 * What `compare` shows for a model: its stability and harm rows, or each headline metric's
 * final, mean and max (a model registry entry fits `model`).
 */
export function comparisonSectionsOf(model: {
  readonly comparison?: { readonly stability: readonly CompareRow[]; readonly harm: readonly CompareRow[] };
  readonly headline: readonly string[];
}): CompareSection[] {
  if (model.comparison)
    return [
      { title: 'stability', rows: model.comparison.stability },
      { title: 'harm', rows: model.comparison.harm },
    ];
  return [
    {
      title: 'headline',
      rows: model.headline.flatMap((metric) =>
        (['final', 'mean', 'max'] as const).map((stat) => ({ metric, stat, label: `${metric} (${stat})` })),
      ),
    },
  ];
}

export interface CompareCell {
  readonly value: number | null;
  /** value ÷ the first run's value; null where undefined (reference 0, or no value). */
  readonly ratio: number | null;
  /** value − the first run's value. */
  readonly difference: number | null;
}

export interface CompareTableRow {
  readonly metric: string;
  readonly stat: Stat;
  /** The row's label with its scale when counts are per 100,000 residents. */
  readonly label: string;
  readonly cells: readonly CompareCell[];
}

export interface CompareTable {
  readonly title: string;
  readonly rows: readonly CompareTableRow[];
}

/** The label a run goes by in legends: "A national-blacklist". */
export function runName(r: CompareRun): string {
  return `${r.letter} ${r.ctx.label}`;
}

/** Whether counts must be scaled to be comparable: the runs differ in size. */
export function perCapitaNeeded(runs: readonly CompareRun[]): boolean {
  return runs.some((r) => r.ctx.agents !== runs[0].ctx.agents);
}

export const PER = 100_000;

/** The compare table's numbers: each row's statistic per run and its ratio and difference to the first run. */
export function compareTables(runs: readonly CompareRun[], sections: readonly CompareSection[]): CompareTable[] {
  const plan = planFor(runs[0].model);
  const scaled = perCapitaNeeded(runs);
  return sections.map((section) => ({
    title: section.title,
    rows: section.rows.map((row) => {
      const level = plan.isLevel(row.metric);
      const values = runs.map((r) => {
        if (!r.series.has(row.metric, '')) return null;
        const v = r.series.stat(row.metric, '', row.stat);
        return v !== null && scaled && !level ? (v * PER) / r.ctx.agents : v;
      });
      const ref = values[0];
      return {
        metric: row.metric,
        stat: row.stat,
        label: scaled && !level ? `${row.label} per ${fmt(PER)} residents` : row.label,
        cells: values.map((v) => ({
          value: v,
          ratio: v !== null && ref !== null && ref !== 0 ? v / ref : null,
          difference: v !== null && ref !== null ? v - ref : null,
        })),
      };
    }),
  }));
}

function sectionId(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Overlays of the model's main series; a model without any overlays its headline metrics. */
function overlaysFor(runs: readonly CompareRun[]): Overlay[] {
  const plan = planFor(runs[0].model);
  if (plan.overlays.length) return [...plan.overlays];
  return (runs[0].ctx.headline ?? []).slice(0, 3).map((metric) => ({
    id: metricFigureId(metric),
    title: metric.replace(/_/g, ' '),
    yTitle: `${metric.replace(/_/g, ' ')} (as the model reports it)`,
    needs: [metric],
    value: (s: RunSeries, i: number) => s.values(metric, '')[i],
  }));
}

export function compareFigures(runs: readonly CompareRun[], sections: readonly CompareSection[]): FigureSet {
  if (runs.length < 2) throw new Error('a comparison needs two or more runs');
  const figures: Figure[] = [];
  const skipped: SkippedFigure[] = [];
  const names = runs.map(runName);
  const reference = names[0];
  const scaled = perCapitaNeeded(runs);
  const scaleNote = scaled
    ? ` The runs differ in size, so counts are per ${fmt(PER)} residents (agents); means and shares are as reported.`
    : '';
  const tables = compareTables(runs, sections);
  for (const table of tables) {
    const id = `compare-${sectionId(table.title)}`;
    const title = `${table.title[0].toUpperCase()}${table.title.slice(1)}, side by side`;
    const rows = table.rows.filter((r) => r.cells.some((c) => c.value !== null && c.value !== 0));
    const absent = table.rows.filter((r) => r.cells.every((c) => c.value === null)).map((r) => r.label);
    const zero = table.rows.filter((r) => !rows.includes(r) && !absent.includes(r.label)).map((r) => r.label);
    if (!rows.length) {
      skipped.push({
        id,
        title,
        reason:
          absent.length === table.rows.length
            ? `none of the runs has the ${table.title} metrics`
            : `every ${table.title} measure is zero in every run`,
      });
      continue;
    }
    figures.push(
      panelChart({
        id,
        title,
        subtitle: `${runs.length} runs; each measure on its own scale`,
        legendTitle: 'run',
        data: rows.flatMap((r) => r.cells.map((c, i) => ({ measure: r.label, bar: names[i], value: c.value }))),
        measures: rows.map((r) => r.label),
        bars: names,
        caption: `Totals are over the run's steps (tick 0, the initial state, excluded); "final" is the last tick; "mean" and "peak" are over all ticks.${scaleNote}${zero.length ? ` Zero in every run (not drawn): ${listWords(zero)}.` : ''}${absent.length ? ` Not in these runs: ${listWords(absent)}.` : ''}`,
      }),
    );
    const ratios = rows.flatMap((r) =>
      r.cells.slice(1).map((c, i) => ({ category: r.label, series: names[i + 1], ratio: c.ratio })),
    );
    if (!ratios.some((d) => d.ratio !== null && d.ratio > 0)) {
      skipped.push({
        id: `${id}-ratio`,
        title: `${table.title}: ratio to ${reference}`,
        reason: `the reference run's values are all zero or missing, so no ratio is defined`,
      });
      continue;
    }
    const zeroRef = rows.filter((r) => r.cells[0].value === 0).map((r) => r.label);
    figures.push(
      ratioChart({
        id: `${id}-ratio`,
        title: `${table.title[0].toUpperCase()}${table.title.slice(1)}: against ${runs[0].letter}`,
        subtitle: `each run's value ÷ run ${reference}'s`,
        ratioTitle: `× run ${runs[0].letter}'s value (log scale)`,
        legendTitle: 'run',
        data: ratios,
        categories: rows.map((r) => r.label),
        series: names.slice(1),
        colours: SERIES_COLOURS.slice(1),
        caption: `1 means the same as run ${runs[0].letter}; 2 means twice, 0.5 half.${zeroRef.length ? ` Run ${runs[0].letter} has zero for ${listWords(zeroRef)}: no ratio.` : ''}${scaleNote}`,
      }),
    );
  }
  const plan = planFor(runs[0].model);
  // Dates on the axis only when every run starts on the same date; otherwise days from each start.
  const starts = new Set(runs.map((r) => r.ctx.start));
  const dated = starts.size === 1 ? datedAxis(runs[0].ctx) : {};
  const overlayIds = new Set<string>();
  for (const o of overlaysFor(runs)) {
    const id = `compare-${o.id}`;
    const lacking = runs.filter((r) => o.needs.some((m) => !r.series.has(m, '')));
    if (lacking.length) {
      skipped.push({
        id,
        title: o.title,
        reason: `run${lacking.length > 1 ? 's' : ''} ${lacking.map((r) => r.letter).join(', ')} lack${lacking.length > 1 ? '' : 's'} ${listWords([...o.needs])}`,
      });
      continue;
    }
    const points: SeriesPoint[] = runs.flatMap((r, k) =>
      r.series.ticks.map((t, i) => ({ x: t, y: o.value(r.series, i), series: names[k] })),
    );
    overlayIds.add(id);
    figures.push(
      lineChart({
        id,
        title: o.title,
        subtitle: `${runs.length} runs, one line each`,
        xTitle: plan.tickName,
        ...dated,
        yTitle: o.yTitle,
        ...(o.unit ? { unit: o.unit } : {}),
        ...(o.yZero !== undefined ? { yZero: o.yZero } : {}),
        legendTitle: 'run',
        points,
        series: names,
      }),
    );
  }
  const placed = Object.fromEntries(
    figures.map((f) => [
      f.id,
      f.id.endsWith('-ratio') ? `Against run ${runs[0].letter}` : overlayIds.has(f.id) ? 'Over time' : 'Side by side',
    ]),
  );
  return { figures: inSections(figures, placed, 'Side by side'), skipped };
}
