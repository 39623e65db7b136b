/**
 * What the urn should converge to (Ensign et al. 2018, §4): with expected update matrix
 * [[a, b], [c, d]] (row = patrolled region, column = region the balls go to), the share x of
 * region A is drawn towards the roots in [0, 1] of (c + d − a − b)x² + (a − 2c − d)x + c = 0.
 */
import type { EnsignUrnParams } from './params.js';

/** The expected update matrix: row A (A patrolled), row B (B patrolled). */
export function updateMatrix(p: EnsignUrnParams): [[number, number], [number, number]] {
  const { discoveredRate: d, reportedRate: r } = p;
  return [
    [d.a + r.a, r.b],
    [r.a, d.b + r.b],
  ];
}

/** Roots in [0, 1] of the fixed-point quadratic, ascending (both 0 and 1 when only discovered incidents count). */
export function fixedPoints(p: EnsignUrnParams): number[] {
  const [[a, b], [c, d]] = updateMatrix(p);
  const A = c + d - a - b;
  const B = a - 2 * c - d;
  const C = c;
  const roots =
    Math.abs(A) < 1e-12
      ? Math.abs(B) < 1e-12
        ? []
        : [-C / B]
      : [(-B - Math.sqrt(B * B - 4 * A * C)) / (2 * A), (-B + Math.sqrt(B * B - 4 * A * C)) / (2 * A)];
  const eps = 1e-12;
  return [...new Set(roots.filter((x) => x >= -eps && x <= 1 + eps).map((x) => Math.min(1, Math.max(0, x))))].sort(
    (x, y) => x - y,
  );
}

/**
 * The long-run share of region A: with the surprise correction every patrolled day is kept
 * with a weight that cancels the patrol bias, so A's expected share of new balls is
 * (a + c)/(a + b + c + d) — the true rate ratio λ_A/(λ_A + λ_B) when discovered and reported
 * incidents have the same rates; without it, the interior root of the quadratic (none when
 * only discovered incidents count: the urn locks in at 0 or 1).
 */
export function longRunShare(p: EnsignUrnParams): number | null {
  const [[a, b], [c, d]] = updateMatrix(p);
  if (p.surprise === 'linear') return (a + c) / (a + b + c + d);
  const inner = fixedPoints(p).filter((x) => x > 0 && x < 1);
  return inner.length === 1 ? inner[0] : null;
}

/** The true crime-rate ratio λ_A / (λ_A + λ_B) (discovered-incident rates). */
export function trueShare(p: EnsignUrnParams): number {
  return p.discoveredRate.a / (p.discoveredRate.a + p.discoveredRate.b);
}
