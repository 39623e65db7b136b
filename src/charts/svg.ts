/** SVG text post-processing shared by every renderer: accessibility and ids that cannot collide. */

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Rename every id in an SVG (and the references to it) to `${prefix}-1`, `${prefix}-2`, … in
 * order of appearance. Several SVGs inlined in one HTML page share one id space: Vega numbers
 * its clip paths per process, so two figures could both define `clip1` and the second would
 * clip to the first's rectangle. Renumbering also makes the output deterministic.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) if (!ids.has(m[1])) ids.set(m[1], `${prefix}-${ids.size + 1}`);
  if (!ids.size) return svg;
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (all, a: string, id: string, b: string) =>
      ids.has(id) ? `${a}${ids.get(id)}${b}` : all,
    )
    .replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : all))
    .replace(/((?:xlink:)?href=")#([^"]+)(")/g, (all, a: string, id: string, b: string) =>
      ids.has(id) ? `${a}#${ids.get(id)}${b}` : all,
    );
}

/**
 * Make the root <svg> an image with a name and a description: role="img", a <title> (the
 * figure's title) and a <desc> (its alt text), referenced by aria-labelledby. Screen readers
 * read these; browsers show the title on hover.
 */
export function accessibleSvg(svg: string, prefix: string, title: string, alt: string): string {
  const open = /^<svg\b[^>]*>/.exec(svg);
  if (!open) throw new Error('not an SVG document (no root <svg> element)');
  const tag = open[0].replace(/^<svg/, `<svg role="img" aria-labelledby="${prefix}-title ${prefix}-desc"`);
  const head = `<title id="${prefix}-title">${escapeXml(title)}</title><desc id="${prefix}-desc">${escapeXml(alt)}</desc>`;
  return tag + head + svg.slice(open[0].length);
}
