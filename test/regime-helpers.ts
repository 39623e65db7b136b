/**
 * Helpers for the regime-model tests: a small two-region, two-group population whose
 * modules a test switches on one at a time, a runner that keeps every tick's metric row,
 * and binomial tolerances so statistical assertions are derived, not tuned.
 */
import type { MetricSpec, ModelDefinition, TypedColumn } from '../src/engine/model.js';
import { runSimulation, type Executor } from '../src/engine/simulation.js';
import { NodePoolExecutor } from '../src/runtime/node-pool.js';
import { regimeModel, regimeParams, type RegimeParams } from '../src/models/regime/index.js';
import { regimeLayout, type RegimeLayout } from '../src/models/regime/layout.js';

type Plain = { [k: string]: unknown };

function isPlain(x: unknown): x is Plain {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Deep merge of plain objects; arrays and scalars in `b` replace those in `a`. */
export function merge(a: Plain, b: Plain): Plain {
  const out: Plain = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isPlain(v) && isPlain(out[k]) ? merge(out[k] as Plain, v) : v;
  return out;
}

export interface ScenarioOptions {
  agents?: number;
  /** Merged into both regions. */
  region?: Plain;
  /** Merged into each region in turn (north, south). */
  regions?: [Plain, Plain];
  /** Replaces the default groups. */
  groups?: Plain[];
  agentsPerShard?: number;
}

/**
 * Two equal regions (north, south) and two groups (majority 80 %, minority 20 %) that
 * differ in nothing but their names unless a test says so. Every surveillance module is
 * off (params.ts defaults); police and response are on. `modules` is merged over that.
 */
export function scenario(modules: Plain = {}, o: ScenarioOptions = {}): RegimeParams {
  const regions = ['north', 'south'].map((name, k) => ({
    name,
    populationShare: 0.5,
    ...(o.region ?? {}),
    ...(o.regions?.[k] ?? {}),
  }));
  const groups = o.groups ?? [
    { name: 'majority', share: 0.8 },
    { name: 'minority', share: 0.2 },
  ];
  const input = merge(
    { population: { agents: o.agents ?? 10_000, regions, groups }, agentsPerShard: o.agentsPerShard ?? 250_000 },
    modules,
  );
  return regimeParams.parse(input);
}

/** Every module of §4 on, at the given intensities: the "full-featured" configuration. */
export function fullFeatured(agents: number, agentsPerShard: number): RegimeParams {
  const on = { enabled: true };
  return regimeParams.parse({
    population: {
      agents,
      regions: [
        {
          name: 'east',
          populationShare: 0.6,
          camerasPerThousand: 100,
          informantsPerThousand: 5,
          trackingCoverage: 0.5,
          serviceCentreCoverage: 0.5,
          gridWorkersPerCell: 3,
        },
        { name: 'west', populationShare: 0.4, camerasPerThousand: 20, informantsPerThousand: 1 },
      ],
      groups: [
        { name: 'majority', share: 0.9, gigWorkerShare: 0.1 },
        { name: 'minority', share: 0.1, hardshipShift: 0.2, recognitionErrorMultiplier: 5, targeted: true },
      ],
    },
    behaviour: { initialLegitimacy: 0.6 },
    grid: { enabled: true, gigRecruitmentRate: 0.2 },
    informants: { enabled: true, falseReportRate: 0.01, recruitmentPerPoint: 0.0002, quitRate: 0.005 },
    cameras: { enabled: true, falseMatchRate: 0.001 },
    tracking: on,
    platform: { enabled: true, callShare: 0.2 },
    records: { enabled: true, judgmentDelay: 5 },
    score: on,
    lists: { enabled: true, blacklistBelowScore: 990, repaymentBoost: 2 },
    sanctions: { enabled: true, publicShaming: true, learning: 0.3 },
    family: on,
    predictive: { enabled: true, bias: 1, capacityPer100k: 50 },
    abuse: { enabled: true, extortionRate: 0.01 },
    dueProcess: { enabled: true, appealRate: 0.05, appealDelayDays: 5 },
    propaganda: on,
    incentives: { enabled: true, awareness: 0.5 },
    perception: { enabled: true, priorWeight: 20 },
    views: { enabled: true, sampleEvery: 10 },
    agentsPerShard,
  });
}

export class Run {
  private readonly index = new Map<string, number>();

  constructor(
    readonly params: RegimeParams,
    readonly specs: readonly MetricSpec[],
    /** rows[t] = the metric row after tick t (rows[0]: after init). */
    readonly rows: readonly Float64Array[],
    readonly columns: Readonly<Record<string, TypedColumn>>,
  ) {
    specs.forEach((s, k) => this.index.set(`${s.name}|${s.key}`, k));
  }

  get layout(): RegimeLayout {
    return regimeLayout(this.params);
  }

  get ticks(): number {
    return this.rows.length - 1;
  }

  col(name: string, key = ''): number {
    const k = this.index.get(`${name}|${key}`);
    if (k === undefined) throw new Error(`no metric ${name} [${key}]`);
    return k;
  }

  at(name: string, tick: number, key = ''): number {
    return this.rows[tick][this.col(name, key)];
  }

  /** Values for ticks 1..T. */
  series(name: string, key = ''): number[] {
    const k = this.col(name, key);
    return this.rows.slice(1).map((r) => r[k]);
  }

  /** Sum over ticks 1..T (for a flow: the run's total; for a stock: person-days). */
  sum(name: string, key = ''): number {
    return this.series(name, key).reduce((a, b) => a + b, 0);
  }

  last(name: string, key = ''): number {
    return this.at(name, this.ticks, key);
  }

  /** All metric rows as bytes, for byte-identity comparisons. */
  bytes(): Buffer {
    const out = new Float64Array(this.rows.length * this.specs.length);
    this.rows.forEach((r, t) => out.set(r, t * this.specs.length));
    return Buffer.from(out.buffer);
  }
}

/**
 * Executor for the mechanism tests: one worker thread, reused run after run (start()
 * replaces its state). The worker loads the model through tsx, whose output V8 optimises
 * several times better than vitest's module transform, which matters for a test set that
 * runs ~100 simulations. Results do not depend on the executor (regime-invariants.test.ts).
 */
let shared: NodePoolExecutor | null = null;
export function sharedExecutor(): Executor {
  shared ??= NodePoolExecutor.create(1);
  return shared;
}
export async function closeSharedExecutor(): Promise<void> {
  const pool = shared;
  shared = null;
  await pool?.close();
}

/** Run `steps` ticks of `model` (the fast regime model by default) on `executor` (the shared one-worker pool). */
export async function run(
  params: RegimeParams,
  steps: number,
  seed = 1,
  executor: Executor = sharedExecutor(),
  model: ModelDefinition<RegimeParams> = regimeModel,
): Promise<Run> {
  const rows: Float64Array[] = [];
  const t0 = process.cpuUsage();
  const result = await runSimulation(model, params, {
    seed,
    steps,
    executor,
    onTick: (_t, v) => void rows.push(Float64Array.from(v)),
  });
  if (process.env.REGIME_TIMING) console.error('RUNTIME', (process.cpuUsage(t0).user / 1000).toFixed(0));
  return new Run(params, result.layout.metrics, rows, result.columns);
}

/**
 * Half-width of a z-s.d. band for a binomial count: z·√(n·p·(1−p)).
 */
export function binomialBand(n: number, p: number, z = 4): number {
  return z * Math.sqrt(n * p * (1 - p));
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function logBinomialPmf(k: number, n: number, p: number): number {
  if (p <= 0) return k === 0 ? 0 : -Infinity;
  if (p >= 1) return k === n ? 0 : -Infinity;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log(1 - p);
}

/** P(X ≤ k) and P(X ≥ k) for X ~ Binomial(n, p), summed outward from k until terms vanish. */
export function binomialTails(k: number, n: number, p: number): { lower: number; upper: number } {
  const pmf = (j: number): number => Math.exp(logBinomialPmf(j, n, p));
  let lower = 0;
  for (let j = k; j >= 0; j--) {
    const x = pmf(j);
    lower += x;
    if (j < n * p && x < 1e-18 * lower) break;
  }
  let upper = 0;
  for (let j = k; j <= n; j++) {
    const x = pmf(j);
    upper += x;
    if (j > n * p && x < 1e-18 * upper) break;
  }
  return { lower: Math.min(1, lower), upper: Math.min(1, upper) };
}

/** Two-sided tail probability of a normal deviate of 4 s.d. (≈ 6.3·10⁻⁵). */
export const FOUR_SIGMA = 6.334e-5;

/**
 * Whether a count `k` out of `n` trials is consistent with rate `p`: the exact two-sided
 * binomial tail probability is at least that of a 4-s.d. normal deviate. Exact tails, not
 * the normal band, because small expected counts have skewed tails. Tests use this
 * level (two-sided false-alarm rate ≈ 6·10⁻⁵ per assertion), so with fixed seeds an
 * assertion that fails means the mechanism is off, not that the seed was unlucky.
 * `n` is rounded (exposures are counts of person-days).
 */
export function consistentWithRate(k: number, n: number, p: number): boolean {
  const { lower, upper } = binomialTails(Math.round(k), Math.round(n), p);
  return 2 * Math.min(lower, upper) >= FOUR_SIGMA;
}

export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
