/**
 * A fan chart of a calibration's posterior predictive over calendar dates: the median of the
 * predictive runs as a line, their middle 50 % and 90 % as shaded bands, the observations the
 * fit was given as points with their stated uncertainty, and a rule where the fitted record
 * ends and the forecast begins.
 */
import { dateOf } from '../../scenario/dates.js';
import { finiteOrNull, fmt } from '../format.js';
import { HEIGHT, OKABE_ITO, WIDTH } from '../theme.js';
import type { Figure } from '../types.js';
import type { BandDatum } from './bands.js';
import { makeFigure, type FigureText } from './common.js';
import { dateEncoding } from './line.js';

/** An observed value on a date with its stated uncertainty (one standard deviation). */
export interface FanObservation {
  readonly date: string;
  readonly value: number;
  readonly sd: number;
  readonly label: string;
}

export interface FanChartOptions extends FigureText {
  /** Quantiles across the predictive runs; x is days from `start`. */
  readonly data: readonly Omit<BandDatum, 'series'>[];
  readonly start: string;
  readonly yTitle: string;
  readonly observations: readonly FanObservation[];
  /** The last date the fit saw: a rule, with the forecast to its right. */
  readonly fittedUntil?: string;
}

export function fanChart(o: FanChartOptions): Figure {
  const values = o.data.map((d) => ({
    date: dateOf(o.start, d.x),
    q05: finiteOrNull(d.q05),
    q25: finiteOrNull(d.q25),
    q50: finiteOrNull(d.q50),
    q75: finiteOrNull(d.q75),
    q95: finiteOrNull(d.q95),
  }));
  const x = dateEncoding(o.data.map((d) => d.x));
  const y = { type: 'quantitative', title: o.yTitle, scale: { zero: true } };
  const colour = OKABE_ITO.blue;
  const observed = o.observations.map((b) => ({
    date: b.date,
    value: b.value,
    lo: b.value - b.sd,
    hi: b.value + b.sd,
    label: b.label,
  }));
  const last = [...values].reverse().find((v) => v.q50 !== null);
  const lastDate = o.data.length ? dateOf(o.start, o.data[o.data.length - 1].x) : o.start;
  const alt = `${o.title}. Posterior-predictive median of ${o.yTitle} from ${values[0]?.date ?? o.start} to ${lastDate}, with bands holding the middle 50 % and 90 % of the predictive runs${
    last
      ? `; on ${last.date} the median is ${fmt(last.q50)} (50 % ${fmt(last.q25)}–${fmt(last.q75)}, 90 % ${fmt(last.q05)}–${fmt(last.q95)})`
      : ''
  }. ${
    observed.length
      ? `Observed, with ± one stated uncertainty: ${observed.map((b) => `${fmt(b.value)} on ${b.date}`).join('; ')}.`
      : 'No observation of this measure was fitted.'
  }${o.fittedUntil ? ` The fit saw the record up to ${o.fittedUntil}; after it, the forecast.` : ''}`;
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: 'area', opacity: 0.16, color: colour },
      encoding: { x, y: { ...y, field: 'q05' }, y2: { field: 'q95' } },
    },
    {
      mark: { type: 'area', opacity: 0.32, color: colour },
      encoding: { x, y: { ...y, field: 'q25' }, y2: { field: 'q75' } },
    },
    {
      mark: { type: 'line', strokeWidth: 2.5, color: colour },
      encoding: { x, y: { ...y, field: 'q50' } },
    },
  ];
  if (o.fittedUntil)
    layers.push({
      data: { values: [{ date: o.fittedUntil, text: 'fitted ← → forecast' }] },
      layer: [
        { mark: { type: 'rule', strokeDash: [4, 3], color: OKABE_ITO.black }, encoding: { x } },
        {
          mark: { type: 'text', align: 'center', baseline: 'top', dy: 4, y: 0, fontSize: 12 },
          encoding: { x, text: { field: 'text' } },
        },
      ],
    });
  if (observed.length)
    layers.push({
      data: { values: observed },
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 2, color: OKABE_ITO.vermillion },
          encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } },
        },
        {
          mark: { type: 'point', shape: 'diamond', filled: true, size: 70, color: OKABE_ITO.vermillion },
          encoding: { x, y: { ...y, field: 'value' }, tooltip: [{ field: 'label' }, { field: 'value' }] },
        },
      ],
    });
  // the quantiles once, at the top (the bands and the median share them); the rule and the observations bring their own
  return makeFigure(o, alt, { width: WIDTH, height: HEIGHT, data: { values }, layer: layers });
}
