/**
 * Figure → SVG with Vega (compiled from Vega-Lite), headless: the 'none' renderer builds the
 * scenegraph and serialises it, with no canvas or DOM. Works in Node and in a browser worker;
 * kept apart from the spec builders so that importing a spec does not pull in Vega.
 */
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { accessibleSvg, scopeSvgIds } from './svg.js';
import { textWidth } from './text-width.js';
import type { Figure, VegaLiteSpec } from './types.js';

const { parse, View } = vega;

interface TextItem {
  text?: unknown;
  fontSize?: number;
  fontWeight?: string | number;
}

/** Without a canvas, measure text with font metrics rather than Vega's 0.8-em guess. */
function useFontMetrics(): void {
  // Vega exports its text metrics object but its typings do not declare it.
  const textMetrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;
  if (textMetrics.width !== textMetrics.estimateWidth) return; // a canvas measures (browser), or already set
  textMetrics.width = (item: TextItem, text?: unknown) => {
    const t = text ?? item.text;
    const s = Array.isArray(t) ? t.join(' ') : t === undefined || t === null ? '' : String(t);
    const weight = item.fontWeight;
    return textWidth(s, item.fontSize ?? 11, weight === 'bold' || (typeof weight === 'number' && weight >= 600));
  };
}

/** The Vega spec a Vega-Lite spec compiles to. */
export function compileSpec(spec: VegaLiteSpec): ReturnType<typeof compile>['spec'] {
  return compile(spec).spec;
}

/**
 * Render a figure to a standalone SVG document: ids scoped to the figure (so many figures can
 * share one HTML page), role="img" with the title and alt text inside.
 */
export async function renderSvg(figure: Figure): Promise<string> {
  useFontMetrics();
  const view = new View(parse(compileSpec(figure.spec)), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return accessibleSvg(scopeSvgIds(svg, `fig-${figure.id}`), `fig-${figure.id}`, figure.title, figure.alt);
  } finally {
    view.finalize();
  }
}

/** Bounding boxes (in SVG pixels, before any zoom) of the title texts: where text must show. */
export async function titleBoxes(figure: Figure): Promise<Box[]> {
  useFontMetrics();
  const view = new View(parse(compileSpec(figure.spec)), { renderer: 'none' });
  try {
    await view.runAsync();
    const boxes: Box[] = [];
    // Item bounds are relative to their group; the SVG adds the view's origin (padding).
    const [ox, oy] = view.origin();
    const walk = (mark: SceneMark, dx: number, dy: number): void => {
      for (const item of mark.items ?? []) {
        if (mark.role === 'title-text' && item.bounds) {
          const b = item.bounds;
          boxes.push({ x1: b.x1 + dx, y1: b.y1 + dy, x2: b.x2 + dx, y2: b.y2 + dy });
        }
        if (mark.marktype === 'group') {
          for (const child of (item.items ?? []) as SceneMark[]) walk(child, dx + (item.x ?? 0), dy + (item.y ?? 0));
        }
      }
    };
    walk((view.scenegraph() as unknown as { root: SceneMark }).root, ox, oy);
    return boxes;
  } finally {
    view.finalize();
  }
}

interface TextMetrics {
  width: (item: TextItem, text?: unknown) => number;
  estimateWidth: (item: TextItem, text?: unknown) => number;
}

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

interface SceneItem {
  x?: number;
  y?: number;
  bounds?: Box;
  items?: unknown[];
}

interface SceneMark {
  role?: string;
  marktype?: string;
  items?: SceneItem[];
}
