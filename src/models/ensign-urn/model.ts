/**
 * The predictive-policing feedback loop of Ensign, Friedler, Neville, Scheidegger &
 * Venkatasubramanian (2018) as a generalized Pólya urn, re-implemented from the paper and
 * their code's description (docs/odd/ensign-urn.md). One agent = one urn = one city of two
 * regions; a tick is a day:
 *   1. police patrol region A with probability p = A's share of the urn's balls, else B;
 *   2. the day's incidents become balls: in the patrolled region the discovered ones (rate λ_d)
 *      plus the reported ones, in the other only the reported ones (rate λ_r), as the expected
 *      number or a Poisson draw;
 *   3. with the 'linear' surprise correction the whole update is kept only with probability
 *      (1 − share of the patrolled region) / max(p, 1 − p);
 *   4. each ball is forgotten with probability `decay` (at least one ball per region stays).
 * Urns are independent: shard systems run them in parallel, each urn's draws keyed (urn, day).
 */
import type { GlobalContext, MetricSpec, ModelDefinition, ModelLayout, ShardContext } from '../../engine/model.js';
import type { CounterRng } from '../../engine/rng.js';
import { Skipper } from '../../engine/sampling.js';
import { unitPerAgent } from '../../engine/shards.js';
import { type EnsignUrnParams } from './params.js';

const METRICS: readonly MetricSpec[] = [
  { name: 'share_a_mean', key: '', reduce: 'sum', description: "mean over urns of region A's share of the balls" },
  { name: 'share_a_sd', key: '', reduce: 'sum', description: "standard deviation over urns of region A's share" },
  { name: 'locked_a', key: '', reduce: 'sum', description: 'urns locked in on A (share ≥ 1 − lockTolerance)' },
  { name: 'locked_b', key: '', reduce: 'sum', description: 'urns locked in on B (share ≤ lockTolerance)' },
  { name: 'patrols_a', key: '', reduce: 'sum', description: 'urns whose police patrolled region A today' },
  {
    name: 'updates_dropped',
    key: '',
    reduce: 'sum',
    description: 'urns whose update the surprise correction dropped today',
  },
  { name: 'balls_a_mean', key: '', reduce: 'sum', description: 'mean balls of region A per urn' },
  { name: 'balls_b_mean', key: '', reduce: 'sum', description: 'mean balls of region B per urn' },
  { name: 'share_sq_mean', key: '', reduce: 'sum', description: 'mean squared share (working value)', internal: true },
];
const SHARE = 0;
const SD = 1;
const LOCKED_A = 2;
const LOCKED_B = 3;
const PATROLS_A = 4;
const DROPPED = 5;
const BALLS_A = 6;
const BALLS_B = 7;
const SHARE_SQ = 8;

export const ensignUrnHeadline = ['share_a_mean', 'share_a_sd', 'locked_a', 'locked_b', 'patrols_a'];

/**
 * A Poisson draw with mean μ ≤ MAX_RATE by inversion (sequential search from 0): exact, O(μ)
 * work, one uniform from the counter-based stream. Written here because the libraries that
 * sample Poisson variates draw from Math.random, which would break seeding.
 */
export function poisson(mu: number, rng: CounterRng): number {
  if (!(mu > 0)) return 0;
  const u = rng.uniform53();
  let k = 0;
  let p = Math.exp(-mu);
  let cdf = p;
  while (u > cdf && p > 0) {
    k++;
    p *= mu / k;
    cdf += p;
  }
  return k;
}

/** Binomial(n, q) by geometric skips: work proportional to the successes. */
export function binomial(n: number, skipper: Skipper, rng: CounterRng): number {
  let hits = 0;
  for (let at = skipper.gap(rng); at < n; at += 1 + skipper.gap(rng)) hits++;
  return hits;
}

function layout(p: EnsignUrnParams): ModelLayout {
  return {
    agents: p.urns,
    columns: [
      { name: 'balls_a', type: 'f64', length: p.urns },
      { name: 'balls_b', type: 'f64', length: p.urns },
    ],
    metrics: METRICS,
    globals: 0,
    unitStarts: unitPerAgent(p.urns),
    agentsPerShard: 8192,
  };
}

/** Add one urn's state to the shard's metrics (means accumulate as x / urns). */
function tally(ctx: ShardContext<EnsignUrnParams>, a: number, b: number): void {
  const p = ctx.params;
  const share = a / (a + b);
  const w = 1 / p.urns;
  ctx.acc[SHARE] += share * w;
  ctx.acc[SHARE_SQ] += share * share * w;
  ctx.acc[BALLS_A] += a * w;
  ctx.acc[BALLS_B] += b * w;
  if (share >= 1 - p.lockTolerance) ctx.acc[LOCKED_A]++;
  if (share <= p.lockTolerance) ctx.acc[LOCKED_B]++;
}

function prior(ctx: ShardContext<EnsignUrnParams>): void {
  const A = ctx.columns.balls_a as Float64Array;
  const B = ctx.columns.balls_b as Float64Array;
  for (let u = ctx.start; u < ctx.end; u++) {
    A[u] = ctx.params.prior.a;
    B[u] = ctx.params.prior.b;
    tally(ctx, A[u], B[u]);
  }
}

function day(ctx: ShardContext<EnsignUrnParams>): void {
  const p = ctx.params;
  const A = ctx.columns.balls_a as Float64Array;
  const B = ctx.columns.balls_b as Float64Array;
  const rng = ctx.rng('day');
  const forget = new Skipper().rate(p.decay);
  const { discoveredRate: d, reportedRate: r } = p;
  for (let u = ctx.start; u < ctx.end; u++) {
    rng.key(u, ctx.tick);
    let a = A[u];
    let b = B[u];
    const share = a / (a + b);
    const patrolA = rng.uniform() < share;
    if (patrolA) ctx.acc[PATROLS_A]++;
    // The day's expected update: discovered incidents only where the police are.
    let addA = patrolA ? d.a + r.a : r.a;
    let addB = patrolA ? r.b : d.b + r.b;
    const keep = p.surprise === 'none' || rng.uniform() < (patrolA ? 1 - share : share) / Math.max(share, 1 - share);
    if (!keep) {
      addA = 0;
      addB = 0;
      ctx.acc[DROPPED]++;
    } else if (p.updates === 'poisson') {
      addA = poisson(addA, rng);
      addB = poisson(addB, rng);
    }
    a += addA;
    b += addB;
    if (p.decay > 0) {
      a = Math.max(a - binomial(Math.floor(a), forget, rng), 1);
      b = Math.max(b - binomial(Math.floor(b), forget, rng), 1);
    }
    A[u] = a;
    B[u] = b;
    tally(ctx, a, b);
  }
}

/** The spread of the shares, from the shards' mean and mean square (sample s.d., n − 1). */
function spread(ctx: GlobalContext<EnsignUrnParams>): void {
  let mean = 0;
  let sq = 0;
  for (const acc of ctx.shardAccs) {
    mean += acc[SHARE];
    sq += acc[SHARE_SQ];
  }
  const n = ctx.params.urns;
  ctx.acc[SD] = n > 1 ? Math.sqrt((Math.max(0, sq - mean * mean) * n) / (n - 1)) : 0;
}

export const ensignUrnModel: ModelDefinition<EnsignUrnParams> = {
  name: 'ensign-urn',
  streams: ['day'],
  layout,
  init: [
    { kind: 'shard', name: 'prior', run: prior },
    { kind: 'global', name: 'spread', run: spread },
  ],
  step: [
    { kind: 'shard', name: 'day', run: day },
    { kind: 'global', name: 'spread', run: spread },
  ],
};
