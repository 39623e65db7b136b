/** Numbers in words: for alt text, captions and the report's paragraphs (no locale surprises). */

/** 1234567 → "1,234,567"; 0.01234 → "0.0123"; 12.345 → "12.3". Three significant digits below 1,000. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  if (a === 0) return '0';
  const sign = v < 0 ? '−' : '';
  if (a >= 1000 || Number.isInteger(v)) return sign + groupThousands(Math.round(a));
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : Math.max(2, 2 - Math.floor(Math.log10(a)));
  return (
    sign +
    a
      .toFixed(digits)
      .replace(/(\.\d*?)0+$/, '$1')
      .replace(/\.$/, '')
  );
}

function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A share in [0, 1] as a percentage: 0.0042 → "0.42 %". */
export function pct(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return 'n/a';
  return `${fmt(100 * share)} %`;
}

/** A ratio: 2.4 → "2.4×". */
export function times(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return 'n/a';
  return `${fmt(ratio)}×`;
}

/** "a, b and c" */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A finite number, or null: JSON has no NaN or infinity, and Vega-Lite drops nulls. */
export function finiteOrNull(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : v;
}
