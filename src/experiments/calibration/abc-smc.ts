/**
 * ABC-SMC (sequential Monte Carlo approximate Bayesian computation): the pieces of the
 * algorithm, free of I/O, so that they can be tested on models whose posterior is known.
 *
 * Hand-written because no JavaScript library implements it (the reference implementations,
 * pyABC and ABCpy, are Python); it follows
 * - Toni, Welch, Strelkowa, Ipsen & Stumpf (2009), J. R. Soc. Interface 6:187–202: a
 *   population of N particles per generation, each proposed by drawing an ancestor of the
 *   previous generation by its weight and perturbing it with a kernel K, kept when its
 *   simulated data lie within the generation's tolerance ε_t, and weighted by
 *   w = π(θ) / Σ_j w_j K(θ | θ_j);
 * - K a Gaussian: by default Beaumont, Cornuet, Marin & Robert (2009), Biometrika
 *   96(4):983–990, twice the weighted covariance of the previous generation; or (`kernel:
 *   olcm`) the optimal local covariance of Filippi et al. (2013) around each ancestor;
 * - the adaptive tolerance of Drovandi & Pettitt (2011) and pyABC's default: ε_t is a
 *   quantile of the previous generation's accepted distances (weighted), unless a fixed
 *   schedule ε_1 > ε_2 > … is given (Toni et al.).
 * Generation 0 is the prior (ε_0 = ∞). Everything here works on the priors' internal
 * scale (priors.ts).
 */
import jstatModule from 'jstat';
import type { Prior } from './priors.js';
import { standardNormal } from './priors.js';

const { jStat } = jstatModule as unknown as {
  jStat: { cholesky(a: number[][]): number[][] };
};

export interface Population {
  /** Particles on the internal scale, [particle][parameter]. */
  readonly theta: readonly (readonly number[])[];
  /** Normalised importance weights. */
  readonly weights: readonly number[];
  readonly distances: readonly number[];
}

/** A source of uniforms in [0, 1) (a keyed counter-based stream). */
export interface Uniforms {
  uniform(): number;
}

export function logPrior(priors: readonly Prior[], theta: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < priors.length; i++) s += priors[i].logDensity(theta[i]);
  return s;
}

export function sampleFromPrior(priors: readonly Prior[], rng: Uniforms): number[] {
  return priors.map((p) => p.sample(rng.uniform(), rng.uniform()));
}

/** A Gaussian perturbation: the lower Cholesky factor of its covariance and its log normaliser. */
export interface KernelComponent {
  /** Lower Cholesky factor of the covariance. */
  readonly chol: readonly (readonly number[])[];
  /** log of (2π)^{d/2} |Σ|^{1/2}. */
  readonly logNorm: number;
}

/**
 * The perturbation kernel of a generation: one Gaussian for every ancestor (Beaumont et al.
 * 2009: covariance 2 Σ̂_w of the previous generation), or one per ancestor (the optimal local
 * covariance of Filippi, Barnes, Cornebise & Stumpf 2013, Stat. Appl. Genet. Mol. Biol.
 * 12(1):87–107: around ancestor θ_j, Σ_j = Σ_k w̃_k (θ_k − θ_j)(θ_k − θ_j)ᵀ over the previous
 * particles already within the new tolerance, weights renormalised over them). The local
 * kernel accepts more proposals, but its importance weights can be far more uneven: in the
 * defaulter-list fit (docs/validation/calibration.md §2) the effective sample size fell to
 * 5–19 of 100 particles against Beaumont's 68–77, so Beaumont's is the default.
 */
export interface Kernel {
  readonly kind: KernelKind;
  /** One component (shared) or one per ancestor, in the previous population's order. */
  readonly components: readonly KernelComponent[];
}

export type KernelKind = 'olcm' | 'beaumont';

export function weightedCovariance(pop: Population): number[][] {
  const d = pop.theta[0].length;
  const mean = new Array<number>(d).fill(0);
  pop.theta.forEach((t, j) => t.forEach((x, i) => (mean[i] += pop.weights[j] * x)));
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  pop.theta.forEach((t, j) => {
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) cov[a][b] += pop.weights[j] * (t[a] - mean[a]) * (t[b] - mean[b]);
  });
  // the unbiased weighted estimate: divide by 1 − Σ w²
  const norm = 1 - pop.weights.reduce((s, w) => s + w * w, 0);
  if (norm > 0) for (const row of cov) for (let b = 0; b < d; b++) row[b] /= norm;
  return cov;
}

/**
 * The optimal local covariance around `center`: the weighted second moment about it of the
 * previous particles within `epsilon` (all of them if fewer than d + 1 are: too few to span
 * every direction).
 */
export function localCovariance(pop: Population, center: readonly number[], epsilon: number): number[][] {
  const d = center.length;
  let near = pop.theta.map((_, k) => k).filter((k) => pop.distances[k] <= epsilon);
  if (near.length < d + 1) near = pop.theta.map((_, k) => k);
  const total = near.reduce((s, k) => s + pop.weights[k], 0);
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (const k of near) {
    const w = pop.weights[k] / total;
    const t = pop.theta[k];
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a][b] += w * (t[a] - center[a]) * (t[b] - center[b]);
  }
  return cov;
}

/** A Gaussian component of covariance `cov`, made positive definite if the particles are not. */
function component(cov: number[][], priors: readonly Prior[]): KernelComponent {
  const d = cov.length;
  // A population collapsed in some direction (all particles equal) still needs a kernel
  // that moves: a floor on each variance, a millionth of the prior's spread.
  for (let i = 0; i < d; i++) {
    const p = priors[i];
    const spread =
      Number.isFinite(p.high) && Number.isFinite(p.low) ? p.toInternal(p.high) - p.toInternal(p.low) : 2 * p.args[1];
    cov[i][i] = Math.max(cov[i][i], (1e-6 * spread) ** 2);
  }
  let chol = jStat.cholesky(cov);
  // Not positive definite (collinear particles): add a ridge until it is.
  for (let ridge = 1e-10; chol.some((r, i) => !(r[i] > 0)); ridge *= 10) {
    const trace = cov.reduce((s, r, i) => s + r[i], 0) / d;
    chol = jStat.cholesky(cov.map((r, i) => r.map((x, j) => (i === j ? x + ridge * trace : x))));
    if (ridge > 1) throw new Error('ABC-SMC: the kernel covariance is not positive definite');
  }
  for (const row of chol) for (let j = 0; j < row.length; j++) if (!Number.isFinite(row[j])) row[j] = 0;
  let logDet = 0;
  for (let i = 0; i < d; i++) logDet += Math.log(chol[i][i]);
  return { chol, logNorm: 0.5 * d * Math.log(2 * Math.PI) + logDet };
}

/** The kernel that perturbs `pop` towards the next generation's tolerance `epsilon`. */
export function makeKernel(
  pop: Population,
  priors: readonly Prior[],
  kind: KernelKind = 'beaumont',
  epsilon = Infinity,
): Kernel {
  if (kind === 'beaumont')
    return {
      kind,
      components: [
        component(
          weightedCovariance(pop).map((row) => row.map((x) => 2 * x)),
          priors,
        ),
      ],
    };
  return { kind, components: pop.theta.map((c) => component(localCovariance(pop, c, epsilon), priors)) };
}

function componentFor(k: Kernel, ancestor: number): KernelComponent {
  return k.components.length === 1 ? k.components[0] : k.components[ancestor];
}

/** log K_j(x | center): the density of the kernel of ancestor j (the shared one for Beaumont's). */
export function kernelLogDensity(k: Kernel, x: readonly number[], center: readonly number[], ancestor = 0): number {
  const c = componentFor(k, ancestor);
  const d = x.length;
  // solve L z = x − center by forward substitution; the exponent is −|z|²/2
  const z = new Array<number>(d);
  let q = 0;
  for (let i = 0; i < d; i++) {
    let s = x[i] - center[i];
    for (let j = 0; j < i; j++) s -= c.chol[i][j] * z[j];
    z[i] = s / c.chol[i][i];
    q += z[i] * z[i];
  }
  return -0.5 * q - c.logNorm;
}

export function perturb(k: Kernel, center: readonly number[], rng: Uniforms, ancestor = 0): number[] {
  const c = componentFor(k, ancestor);
  const d = center.length;
  const z = Array.from({ length: d }, () => standardNormal(rng.uniform(), rng.uniform()));
  return center.map((x, i) => {
    let s = x;
    for (let j = 0; j <= i; j++) s += c.chol[i][j] * z[j];
    return s;
  });
}

/** Index drawn with probability proportional to `weights` (normalised). */
export function drawIndex(weights: readonly number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i];
    if (u < acc) return i;
  }
  return weights.length - 1;
}

/**
 * A proposal of generation t ≥ 1: an ancestor by weight, perturbed, redrawn while it falls
 * where the prior (or `valid`, the model's own ranges) says it cannot be.
 */
export function propose(
  prev: Population,
  k: Kernel,
  priors: readonly Prior[],
  rng: Uniforms,
  valid: (theta: readonly number[]) => boolean,
  maxTries = 10_000,
): number[] {
  for (let tries = 0; tries < maxTries; tries++) {
    const j = drawIndex(prev.weights, rng.uniform());
    const theta = perturb(k, prev.theta[j], rng, j);
    if (Number.isFinite(logPrior(priors, theta)) && valid(theta)) return theta;
  }
  throw new Error(
    `ABC-SMC: ${maxTries} perturbed particles in a row fell outside the prior; the previous generation sits on the prior's edge`,
  );
}

/** Importance weight (unnormalised, log) of an accepted particle of generation t ≥ 1. */
export function logImportanceWeight(
  theta: readonly number[],
  prev: Population,
  k: Kernel,
  priors: readonly Prior[],
): number {
  const terms = prev.theta.map((c, j) => Math.log(prev.weights[j]) + kernelLogDensity(k, theta, c, j));
  const m = Math.max(...terms);
  const lse = m + Math.log(terms.reduce((s, x) => s + Math.exp(x - m), 0));
  return logPrior(priors, theta) - lse;
}

export function normaliseLogWeights(logW: readonly number[]): number[] {
  const m = Math.max(...logW);
  const w = logW.map((x) => Math.exp(x - m));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

/** Effective sample size of normalised weights (Kish). */
export function effectiveSampleSize(weights: readonly number[]): number {
  return 1 / weights.reduce((s, w) => s + w * w, 0);
}

/** The q-quantile of `values` weighted by `weights` (normalised): the smallest v with F(v) ≥ q. */
export function weightedQuantile(values: readonly number[], weights: readonly number[], q: number): number {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  let acc = 0;
  for (const i of order) {
    acc += weights[i];
    if (acc >= q - 1e-12) return values[i];
  }
  return values[order[order.length - 1]];
}

/** Plain (unweighted) quantile with linear interpolation between order statistics (type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The distance between simulated and observed summaries: the root mean square of the
 * residuals in units of each observation's stated uncertainty,
 *   d = sqrt( (1/n) Σ_i ((s_i − o_i) / σ_i)² ),
 * so d = 1 means the simulation misses by one uncertainty on average. A summary that could
 * not be computed (NaN) puts the simulation infinitely far away.
 */
export function distance(sim: readonly number[], obs: readonly number[], sd: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < obs.length; i++) {
    const r = (sim[i] - obs[i]) / sd[i];
    if (!Number.isFinite(r)) return Infinity;
    s += r * r;
  }
  return Math.sqrt(s / obs.length);
}
