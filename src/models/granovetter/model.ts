/**
 * Granovetter's (1978) threshold model of collective behaviour (docs/odd/granovetter.md).
 * Each agent is a person in a crowd with a threshold: the share of the crowd that must already
 * take part before they join. Updates are synchronous, as in the paper: at tick t + 1 everyone
 * whose threshold is at most the share that had joined by tick t joins, and stays. Tick 0 is the
 * start, with nobody in. Crowds are independent; a crowd never straddles two shards.
 */
import jstat from 'jstat';
import type { MetricSpec, ModelDefinition, ModelLayout, ShardContext } from '../../engine/model.js';
import type { GranovetterParams } from './params.js';

const { jStat } = jstat;

/** Shares and thresholds are compared with this slack, so that k/N joins at exactly k of N. */
const EPS = 1e-12;

const METRICS: readonly MetricSpec[] = [
  { name: 'joined', key: '', reduce: 'sum', description: 'people taking part, all crowds' },
  { name: 'new_joiners', key: '', reduce: 'sum', description: 'people who joined this tick' },
  {
    name: 'joined_share_mean',
    key: '',
    reduce: 'sum',
    description: 'share of its crowd taking part, mean over crowds',
  },
  { name: 'crowds_majority', key: '', reduce: 'sum', description: 'crowds in which more than half take part' },
  { name: 'crowds_settled', key: '', reduce: 'sum', description: 'crowds in which nobody joined this tick' },
];
const JOINED = 0;
const NEW = 1;
const SHARE = 2;
const MAJORITY = 3;
const SETTLED = 4;

export const granovetterHeadline = ['joined', 'joined_share_mean', 'crowds_majority', 'new_joiners'];

function layout(p: GranovetterParams): ModelLayout {
  const agents = p.crowdSize * p.crowds;
  const unitStarts = new Uint32Array(p.crowds + 1);
  for (let c = 0; c <= p.crowds; c++) unitStarts[c] = c * p.crowdSize;
  return {
    agents,
    columns: [
      { name: 'threshold', type: 'f64', length: agents },
      { name: 'joined', type: 'u8', length: agents },
      { name: 'crowdJoined', type: 'u32', length: p.crowds },
    ],
    metrics: METRICS,
    globals: 0,
    unitStarts,
    agentsPerShard: Math.max(p.crowdSize, 1 << 16),
  };
}

/** The threshold of person k (0 … N − 1) of a crowd; `u` a uniform draw for random sampling. */
export function thresholdOf(p: GranovetterParams, k: number, u: number): number {
  const t = p.thresholds;
  if (t.kind === 'ladder') {
    const changed = t.changes.find((c) => Math.round(c.from * p.crowdSize) === k);
    return changed ? changed.to : k / p.crowdSize;
  }
  const q = t.sampling === 'quantiles' ? (k + 0.5) / p.crowdSize : u;
  return jStat.normal.inv(q, t.mean, t.sd);
}

function tally(ctx: ShardContext<GranovetterParams>, crowd: number, fresh: number): void {
  const p = ctx.params;
  const joined = (ctx.columns.crowdJoined as Uint32Array)[crowd];
  ctx.acc[JOINED] += joined;
  ctx.acc[NEW] += fresh;
  ctx.acc[SHARE] += joined / p.crowdSize / p.crowds;
  if (joined > p.crowdSize / 2) ctx.acc[MAJORITY]++;
  if (fresh === 0) ctx.acc[SETTLED]++;
}

function synthesize(ctx: ShardContext<GranovetterParams>): void {
  const p = ctx.params;
  const threshold = ctx.columns.threshold as Float64Array;
  const rng = ctx.rng('thresholds');
  for (let crowd = ctx.unitStart; crowd < ctx.unitEnd; crowd++) {
    for (let k = 0; k < p.crowdSize; k++) {
      const a = crowd * p.crowdSize + k;
      threshold[a] = thresholdOf(p, k, p.thresholds.kind === 'normal' ? rng.key(a, 0).uniform53() : 0);
    }
    tally(ctx, crowd, 0);
  }
}

function join(ctx: ShardContext<GranovetterParams>): void {
  const p = ctx.params;
  const threshold = ctx.columns.threshold as Float64Array;
  const joined = ctx.columns.joined as Uint8Array;
  const crowdJoined = ctx.columns.crowdJoined as Uint32Array;
  for (let crowd = ctx.unitStart; crowd < ctx.unitEnd; crowd++) {
    const share = crowdJoined[crowd] / p.crowdSize; // by the end of the last tick
    let fresh = 0;
    for (let a = crowd * p.crowdSize, end = a + p.crowdSize; a < end; a++) {
      if (joined[a] === 0 && threshold[a] <= share + EPS) {
        joined[a] = 1;
        fresh++;
      }
    }
    crowdJoined[crowd] += fresh;
    tally(ctx, crowd, fresh);
  }
}

export const granovetterModel: ModelDefinition<GranovetterParams> = {
  name: 'granovetter',
  streams: ['thresholds'],
  layout,
  init: [{ kind: 'shard', name: 'synthesize', run: synthesize }],
  step: [{ kind: 'shard', name: 'join', run: join }],
};
