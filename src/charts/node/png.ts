/**
 * SVG → PNG with resvg (no browser). resvg draws text only with a font it can find and
 * otherwise drops every label without a word, so before the first PNG we render a test
 * string and refuse to go on if nothing was drawn.
 */
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';

/** 2× for slides and papers: a 640-px-wide chart becomes about 1,400 px. */
export const PNG_ZOOM = 2;

const FONT_OPTIONS: ResvgRenderOptions['font'] = {
  loadSystemFonts: true,
  defaultFontFamily: 'DejaVu Sans',
  sansSerifFamily: 'Liberation Sans',
};

export interface RenderedPng {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major. */
  readonly pixels: Buffer;
}

/** Rasterise an SVG document at `zoom` on white. `fonts: false` is for tests that prove text needs fonts. */
export function svgToPng(svg: string, zoom = PNG_ZOOM, fonts = true): RenderedPng {
  const r = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: zoom },
    font: fonts ? FONT_OPTIONS : { loadSystemFonts: false },
  });
  const img = r.render();
  return { png: img.asPng(), width: img.width, height: img.height, pixels: img.pixels };
}

/** Count of pixels in a box (PNG coordinates) darker than light grey. */
export function inkIn(img: RenderedPng, box: { x1: number; y1: number; x2: number; y2: number }): number {
  let ink = 0;
  const x1 = Math.max(0, Math.floor(box.x1));
  const x2 = Math.min(img.width, Math.ceil(box.x2));
  const y1 = Math.max(0, Math.floor(box.y1));
  const y2 = Math.min(img.height, Math.ceil(box.y2));
  for (let y = y1; y < y2; y++) {
    for (let x = x1; x < x2; x++) {
      const i = 4 * (y * img.width + x);
      if (img.pixels[i] + img.pixels[i + 1] + img.pixels[i + 2] < 3 * 200) ink++;
    }
  }
  return ink;
}

let fontsChecked = false;

/** Throws a clear error when resvg finds no font (text would vanish from every PNG). */
export function assertFontsRender(): void {
  if (fontsChecked) return;
  const probe =
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"><text x="4" y="22" font-size="20" font-family="Liberation Sans, DejaVu Sans, sans-serif">Hamburg</text></svg>';
  const img = svgToPng(probe, 1);
  if (inkIn(img, { x1: 0, y1: 0, x2: img.width, y2: img.height }) < 20) {
    throw new Error(
      'PNG export: no usable system font found, so text would be missing from every PNG. Install one (Debian: apt-get install fonts-dejavu-core fonts-liberation) or export SVG only',
    );
  }
  fontsChecked = true;
}
