/**
 * Where a crowd with normally distributed thresholds ends up (Granovetter 1978, §"The
 * normal distribution"). In an infinite crowd the share taking part follows
 * x(t + 1) = F(x(t)) from x(0) = 0, F the thresholds' CDF, and settles at the lowest fixed
 * point of F. For mean 0.25 that point is a few per cent until σ is so large that it
 * vanishes (F touches the diagonal), and then the share jumps to nearly everyone.
 */
import jstat from 'jstat';

const { jStat } = jstat;

/** Final share of an infinite crowd with thresholds N(mean, sd²): iterate x ← F(x) from 0. */
export function meanFieldShare(mean: number, sd: number): number {
  let x = 0;
  for (let t = 0; t < 1_000_000; t++) {
    const next = jStat.normal.cdf(x, mean, sd);
    if (Math.abs(next - x) < 1e-14) return next;
    x = next;
  }
  return x;
}

/**
 * The critical σ: the smallest σ at which an infinite crowd's final share exceeds one half
 * (bisection to 1e-9 between lo, where it does not, and hi, where it does).
 */
export function criticalSd(mean: number, lo = 0.01, hi = 1): number {
  if (meanFieldShare(mean, lo) > 0.5 || !(meanFieldShare(mean, hi) > 0.5))
    throw new RangeError(`no jump between σ = ${lo} and ${hi} for mean ${mean}`);
  while (hi - lo > 1e-9) {
    const mid = (lo + hi) / 2;
    if (meanFieldShare(mean, mid) > 0.5) hi = mid;
    else lo = mid;
  }
  return hi;
}
