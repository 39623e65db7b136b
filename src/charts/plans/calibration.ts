/**
 * A calibration's figures (`panopticon report CALIBRATION_ID`): the posterior predictive of
 * each fitted measure over the dates, with the observations it was fitted to and the forecast
 * beyond them, and the tolerance reached by each ABC-SMC generation. Plain data in, so a
 * browser could draw the same from a calibration held in memory.
 */
import { fanChart } from '../builders/fan.js';
import { lineChart } from '../builders/line.js';
import { fmt } from '../format.js';
import type { Figure, FigureSet, SkippedFigure } from '../types.js';

/** Quantiles of a summary across runs (predictive runs, or posterior particles). */
export interface Quantiles {
  readonly q05: number | null;
  readonly q25: number | null;
  readonly q50: number | null;
  readonly q75: number | null;
  readonly q95: number | null;
}

export interface CalibrationGeneration {
  readonly generation: number;
  /** null for generation 0 (the prior: every proposal accepted). */
  readonly epsilon: number | null;
  readonly proposed: number;
  readonly accepted: number;
  readonly acceptance: number;
  readonly ess: number;
  readonly wallSeconds: number | null;
}

export interface CalibrationParameter extends Quantiles {
  readonly name: string;
  readonly path: string;
  readonly prior: string;
}

/** A summary of the runs on a date or over dates: an observation's or a forecast quantity's. */
export interface CalibrationForecastRow extends Quantiles {
  readonly name: string;
  readonly metric: string;
  readonly stat: string;
  readonly per: string | null;
  readonly from: string;
  readonly to: string;
}

export interface CalibrationFitRow extends CalibrationForecastRow {
  readonly observed: number;
  readonly sd: number;
  readonly in50: boolean | null;
  readonly in90: boolean | null;
  readonly sources: string | null;
}

/** A measure's predictive runs day by day: its value, or its running total from the start. */
export interface CalibrationFan {
  readonly metric: string;
  readonly kind: 'value' | 'cumulative';
  /** What the simulated values were multiplied by: the calibration's scale for counts, 1 otherwise. */
  readonly scale: number;
  readonly points: readonly (Quantiles & { readonly x: number })[];
}

export interface CalibrationData {
  readonly id: string;
  readonly description: string | null;
  readonly file: string;
  readonly base: string;
  readonly model: string;
  readonly start: string;
  /** Days fitted (the observations' span, from the start). */
  readonly steps: number;
  readonly agents: number;
  /** Counts are multiplied by this (population ÷ agents). */
  readonly scale: number;
  readonly scalePopulation: number | null;
  readonly method: Readonly<Record<string, unknown>>;
  readonly distance: string;
  readonly version: string;
  readonly status: string;
  readonly stopReason: string | null;
  readonly runs: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly generations: readonly CalibrationGeneration[];
  readonly parameters: readonly CalibrationParameter[];
  readonly fit: readonly CalibrationFitRow[];
  readonly forecast: readonly CalibrationForecastRow[];
  readonly fans: readonly CalibrationFan[];
  /** Measures whose daily values were kept but that the file summarises only as totals or ratios: no fan. */
  readonly unsummarised: readonly string[];
  /** Observations in the file (the fit table is empty until the predictive runs are done). */
  readonly observationCount: number;
  /** Predictive runs behind the fit, the forecast and the fans. */
  readonly draws: number;
}

/** The last date any observation covers: where the fitted record ends. */
export function fittedUntil(c: Pick<CalibrationData, 'fit'>): string | undefined {
  return c.fit
    .map((f) => f.to)
    .sort()
    .at(-1);
}

const STAT_WORDS = { cumulative: 'running total since the start', value: 'on the day' } as const;

export function calibrationFigures(c: CalibrationData): FigureSet {
  const figures: Figure[] = [];
  const skipped: SkippedFigure[] = [];
  const until = fittedUntil(c);
  for (const fan of c.fans) {
    const id = `fit-${fan.metric.replace(/_/g, '-')}-${fan.kind}`;
    const title = `${fan.metric}, ${STAT_WORDS[fan.kind]}`;
    if (!fan.points.length) {
      skipped.push({ id, title, reason: 'no predictive run stored its daily values' });
      continue;
    }
    const observations = c.fit
      .filter((f) => f.metric === fan.metric && f.stat === fan.kind && !f.per)
      .map((f) => ({ date: f.to, value: f.observed, sd: f.sd, label: f.name }));
    figures.push(
      fanChart({
        id,
        title,
        subtitle: `posterior predictive, ${fmt(c.draws)} runs · ${c.id}${fan.scale !== 1 ? ` · counts × ${fmt(fan.scale)}` : ''}`,
        section: 'Fit and forecast',
        start: c.start,
        yTitle: fan.kind === 'cumulative' ? `${fan.metric} since ${c.start}` : fan.metric,
        data: fan.points,
        observations,
        ...(until ? { fittedUntil: until } : {}),
        caption: `Each predictive run is a particle of the last generation drawn by weight, run with a fresh seed; the line is their median, the bands hold their middle 50 % and 90 % (the posterior's spread and the model's chance, not the observations' uncertainty). ${
          observations.length
            ? `Diamonds: the observations fitted, with ± one stated uncertainty. `
            : 'No observation of this measure was fitted: it is forecast only. '
        }${
          fan.scale !== 1
            ? `Counts are the simulated ones × ${fmt(fan.scale)}${c.scalePopulation ? ` (${fmt(c.scalePopulation)} ÷ ${fmt(c.agents)} agents)` : ''}.`
            : 'Not a count: drawn as simulated.'
        }`,
      }),
    );
  }
  for (const metric of c.unsummarised)
    skipped.push({
      id: `fit-${metric.replace(/_/g, '-')}`,
      title: metric,
      reason:
        'the calibration file summarises it only as totals over dates or as a ratio (see the forecast table), so there is no day-by-day fan to draw',
    });
  const gens = c.generations.filter((g) => g.epsilon !== null && Number.isFinite(g.epsilon));
  if (gens.length)
    figures.push(
      lineChart({
        id: 'tolerance',
        title: 'Tolerance by generation',
        subtitle: `ABC-SMC, ${fmt(c.generations.length - 1)} generations after the prior's · ${c.id}`,
        section: 'How the fit converged',
        xTitle: 'generation',
        yTitle: 'tolerance ε (stated uncertainties)',
        points: gens.map((g) => ({ x: g.generation, y: g.epsilon, series: 'ε' })),
        dots: true,
        caption: `ε: the largest distance a particle of the generation could have, ${c.distance}. ε = 1 would mean the runs miss the record by one stated uncertainty on average.`,
      }),
    );
  else skipped.push({ id: 'tolerance', title: 'Tolerance by generation', reason: 'no generation after the prior yet' });
  return { figures, skipped };
}
