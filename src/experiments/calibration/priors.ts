/**
 * Priors of calibrated parameters. Each works on an internal scale on which ABC-SMC
 * perturbs particles and evaluates densities: the value itself (uniform, normal) or its
 * logarithm (loguniform, lognormal), so that a rate spanning decades is explored evenly.
 * The prior density and the perturbation kernel are both taken on that scale, so no
 * Jacobian enters the importance weights.
 */
import type { PriorSpec } from './spec.js';

export interface Prior {
  readonly kind: 'uniform' | 'loguniform' | 'normal' | 'lognormal';
  /** The spec's numbers as written, e.g. [low, high] or [mean, sd]. */
  readonly args: readonly [number, number];
  /** A draw on the internal scale from two uniforms in [0, 1). */
  sample(u1: number, u2: number): number;
  /** Log density on the internal scale (−∞ outside the support). */
  logDensity(x: number): number;
  toValue(x: number): number;
  toInternal(value: number): number;
  /** The support on the value scale (±∞ for normals). */
  readonly low: number;
  readonly high: number;
}

/** A standard normal from two uniforms (Box–Muller). */
export function standardNormal(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function normalLogDensity(x: number, mean: number, sd: number): number {
  const z = (x - mean) / sd;
  return -0.5 * z * z - Math.log(sd) - LOG_SQRT_2PI;
}

export function makePrior(spec: PriorSpec): Prior {
  if ('uniform' in spec || 'loguniform' in spec) {
    const log = 'loguniform' in spec;
    const [low, high] = log ? spec.loguniform : spec.uniform;
    const lo = log ? Math.log(low) : low;
    const hi = log ? Math.log(high) : high;
    return {
      kind: log ? 'loguniform' : 'uniform',
      args: [low, high],
      sample: (u) => lo + u * (hi - lo),
      logDensity: (x) => (x >= lo && x <= hi ? -Math.log(hi - lo) : -Infinity),
      toValue: (x) => (log ? Math.exp(x) : x),
      toInternal: (v) => (log ? Math.log(v) : v),
      low,
      high,
    };
  }
  const log = 'lognormal' in spec;
  const [mean, sd] = log ? spec.lognormal : spec.normal;
  return {
    kind: log ? 'lognormal' : 'normal',
    args: [mean, sd],
    sample: (u1, u2) => mean + sd * standardNormal(u1, u2),
    logDensity: (x) => normalLogDensity(x, mean, sd),
    toValue: (x) => (log ? Math.exp(x) : x),
    toInternal: (v) => (log ? Math.log(v) : v),
    low: log ? 0 : -Infinity,
    high: Infinity,
  };
}

export function describePrior(p: Prior): string {
  return `${p.kind}(${p.args[0]}, ${p.args[1]})`;
}
