/**
 * The look every figure shares: the Okabe–Ito palette (distinguishable with every common
 * colour-vision deficiency; Okabe & Ito 2008, "Color Universal Design"), type sizes that
 * stay legible when a figure fills half a slide, and one font stack that Node (resvg) and
 * browsers both find.
 */
import type { TopLevelSpec } from 'vega-lite';

type Config = NonNullable<TopLevelSpec['config']>;

/** Okabe–Ito's eight colours. */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/**
 * Order in which series take colours. Yellow goes last: on white it is too pale for a line.
 * Eight series at most get distinct colours; more repeat (builders also vary dashes).
 */
export const SERIES_COLOURS: readonly string[] = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.orange,
  OKABE_ITO.skyBlue,
  OKABE_ITO.black,
  OKABE_ITO.yellow,
];

/** Dash patterns paired with the colours, so lines stay apart in greyscale print too. */
export const SERIES_DASHES: readonly number[][] = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
];

/** Sequential scheme for heatmaps: viridis is perceptually uniform and colour-blind safe. */
export const SEQUENTIAL_SCHEME = 'viridis';

/** Liberation Sans has Arial's metrics; DejaVu Sans is in every Debian base image. */
export const FONT = 'Liberation Sans, Arial, Helvetica, DejaVu Sans, sans-serif';

export const WIDTH = 640;
export const HEIGHT = 300;

/** Vega-Lite config applied to every spec (kept inside each spec, so exported JSON renders the same). */
export function chartConfig(): Config {
  return {
    font: FONT,
    background: 'white',
    padding: 12,
    // Marks carry no ARIA labels of their own: the figure's alt text describes it whole.
    aria: false,
    view: { stroke: null },
    title: {
      fontSize: 18,
      fontWeight: 'bold',
      anchor: 'start',
      subtitleFontSize: 13,
      subtitleColor: '#444',
      offset: 12,
    },
    axis: {
      labelFontSize: 13,
      titleFontSize: 14,
      titleFontWeight: 'normal',
      titleColor: '#222',
      labelColor: '#222',
      gridColor: '#e4e4e4',
      domainColor: '#888',
      tickColor: '#888',
      labelLimit: 320,
      titlePadding: 8,
    },
    legend: {
      labelFontSize: 13,
      titleFontSize: 13,
      titleFontWeight: 'normal',
      labelLimit: 320,
      orient: 'bottom',
      direction: 'horizontal',
      columns: 3,
      symbolStrokeWidth: 3,
      symbolSize: 220,
      columnPadding: 18,
    },
    header: { labelFontSize: 13, titleFontSize: 14, labelLimit: 360 },
    range: { category: [...SERIES_COLOURS] },
    line: { strokeWidth: 2.5 },
    text: { fontSize: 12 },
  };
}
