/**
 * Text widths for laying out charts where no canvas can measure them (Node). Vega's own
 * fallback guesses 0.8 em per character, far wider than real text, and then truncates
 * legend and axis labels with "…" that would have fitted. These are the Helvetica / Arial
 * advance widths (per 1000 em, from the Adobe font metrics; Liberation Sans shares them),
 * which is the font the figures name first. Characters not listed take the width of a digit.
 */
const REGULAR: Record<string, number> = {};
const WIDTHS: [string, number][] = [
  [' !,./:;I[\\]ft', 278],
  ['"', 355],
  ['#$0123456789?L_abdeghnopqu', 556],
  ['%', 889],
  ['&ABEKPSVXY', 667],
  ["'", 191],
  ['()-`r', 333],
  ['*', 389],
  ['+<=>~', 584],
  ['@', 1015],
  ['CDHNRUw', 722],
  ['FTZ', 611],
  ['GOQ', 778],
  ['J', 500],
  ['Mm', 833],
  ['W', 944],
  ['^', 469],
  ['cksvxyz', 500],
  ['ijl', 222],
  ['{}', 334],
  ['|', 260],
  ['–', 556],
  ['—', 1000],
  ['−×÷', 584],
  ['…', 1000],
];
for (const [chars, w] of WIDTHS) for (const c of chars) REGULAR[c] = w;

/** Bold Helvetica is about 7 % wider on average over lower-case text. */
const BOLD_FACTOR = 1.07;

/** Width in pixels of `text` set in the figures' font at `fontSize`. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const c of text) units += REGULAR[c] ?? 556;
  return (units / 1000) * fontSize * (bold ? BOLD_FACTOR : 1);
}
