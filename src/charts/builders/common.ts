/** What every builder's spec shares: schema, config, title, size and the alt text as description. */
import { chartConfig, SERIES_COLOURS } from '../theme.js';
import type { Figure, VegaLiteSpec } from '../types.js';

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface FigureText {
  /** File-name-safe id, unique in a report. */
  readonly id: string;
  readonly title: string;
  /** One line under the title: the unit, the population, the run. */
  readonly subtitle?: string;
  /** Printed under the figure: definitions, what was left out. */
  readonly caption?: string;
  /** Replaces the generated alt text (the generated one describes the data). */
  readonly alt?: string;
  /** The report section the figure belongs in. */
  readonly section?: string;
}

const ID = /^[a-z0-9][a-z0-9-]*$/;

/** Wrap a view spec (data, marks, encoding…) as a titled, configured figure. */
export function makeFigure(text: FigureText, alt: string, body: Record<string, unknown>): Figure {
  if (!ID.test(text.id))
    throw new Error(`figure id ${JSON.stringify(text.id)}: allowed: lower-case letters, digits and "-"`);
  const description = text.alt ?? alt;
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: text.subtitle ? { text: text.title, subtitle: text.subtitle } : { text: text.title },
    description,
    config: chartConfig(),
    ...body,
  } as unknown as VegaLiteSpec;
  return {
    id: text.id,
    title: text.title,
    alt: description,
    ...(text.caption ? { caption: text.caption } : {}),
    ...(text.section ? { section: text.section } : {}),
    spec,
  };
}

/** Series in the order given, then any others in first-seen order. */
export function seriesOrder(seen: Iterable<string>, preferred?: readonly string[]): string[] {
  const all = [...new Set(seen)];
  const first = (preferred ?? []).filter((s) => all.includes(s));
  return [...first, ...all.filter((s) => !first.includes(s))];
}

/** Category and series orders of grouped data: the given orders first, then the rest as found. */
export function groupOrders(
  data: readonly { readonly category: string; readonly series: string }[],
  categories?: readonly string[],
  series?: readonly string[],
): { categories: string[]; series: string[] } {
  return {
    categories: seriesOrder(
      data.map((d) => d.category),
      categories,
    ),
    series: seriesOrder(
      data.map((d) => d.series),
      series,
    ),
  };
}

/**
 * The colour encoding of marks grouped by `field`: one palette colour per series, in order, with
 * a legend; a single series takes the first colour and no legend.
 */
export function seriesColour(
  series: readonly string[],
  legend: Record<string, unknown> | null,
  palette: readonly string[] = SERIES_COLOURS,
  field = 'series',
): Record<string, unknown> {
  if (series.length <= 1) return { value: palette[0] };
  return {
    field,
    type: 'nominal',
    scale: { domain: [...series], range: series.map((_, i) => palette[i % palette.length]) },
    legend,
  };
}
