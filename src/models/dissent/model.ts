/**
 * Dissent and self-censorship (Daymude, Axelrod & Forrest 2025), docs/odd/dissent.md. One
 * agent per individual, one tick per round:
 *   1. an adapting authority mutates one policy parameter (random-mutation hill climbing);
 *   2. every individual takes its best action against the current policy (decision.ts);
 *   3. the authority observes each action with probability ν + (1 − ν)·a and punishes the
 *      observed ones above its tolerance;
 *   4. an adapting authority undoes the mutation if α·(expressed dissent) + (punishment cost)
 *      rose against the last round's.
 */
import type { GlobalContext, MetricSpec, ModelDefinition, ModelLayout, ShardContext } from '../../engine/model.js';
import { unitPerAgent } from '../../engine/shards.js';
import { type Phase, bestAction, phaseOf } from './decision.js';
import type { Authority, DissentParams } from './params.js';

const METRICS: readonly MetricSpec[] = [
  { name: 'compliant', key: '', reduce: 'sum', description: 'individuals whose desired dissent is within tolerance' },
  { name: 'self_censoring', key: '', reduce: 'sum', description: 'individuals acting below their desire (τ ≤ a < δ)' },
  { name: 'self_censoring_full', key: '', reduce: 'sum', description: '… of whom acting at the tolerance (a = τ)' },
  { name: 'defiant', key: '', reduce: 'sum', description: 'individuals acting on their full desire above tolerance' },
  { name: 'dissent_desired', key: '', reduce: 'sum', description: 'total desired dissent Σδ' },
  { name: 'dissent_expressed', key: '', reduce: 'sum', description: 'total expressed dissent Σa' },
  { name: 'observed', key: '', reduce: 'sum', description: 'actions the authority observed' },
  { name: 'punished', key: '', reduce: 'sum', description: 'individuals punished this round' },
  { name: 'punishment_cost', key: '', reduce: 'sum', description: 'total punishment handed out this round' },
  { name: 'tolerance', key: '', reduce: 'sum', description: "the authority's tolerance τ after this round" },
  { name: 'severity', key: '', reduce: 'sum', description: "the authority's severity ψ after this round" },
  { name: 'surveillance', key: '', reduce: 'sum', description: "the authority's surveillance ν after this round" },
];
const M = Object.fromEntries(METRICS.map((m, i) => [m.name, i])) as Record<string, number>;
const PHASE_METRIC: Record<Phase, number> = {
  compliant: M.compliant,
  'self-censoring-full': M.self_censoring,
  'self-censoring-partial': M.self_censoring,
  defiant: M.defiant,
};

/** Globals: the policy in force (τ, ψ, ν), the one before the last mutation, last round's cost. */
const G_POLICY = 0;
const G_PREVIOUS = 3;
const G_COST = 6;
const GLOBALS = 7;

export const dissentHeadline = ['defiant', 'self_censoring', 'compliant', 'dissent_expressed', 'punished'];

/** The policy in force, read from the globals. */
export function policyOf(p: DissentParams, globals: Float64Array): Authority {
  return {
    tolerance: globals[G_POLICY],
    severity: globals[G_POLICY + 1],
    surveillance: globals[G_POLICY + 2],
    punishment: p.authority.punishment,
  };
}

function layout(p: DissentParams): ModelLayout {
  const n = p.individuals;
  return {
    agents: n,
    columns: [
      { name: 'desire', type: 'f64', length: n },
      { name: 'boldness', type: 'f64', length: n },
      { name: 'action', type: 'f64', length: n },
    ],
    metrics: METRICS,
    globals: GLOBALS,
    unitStarts: unitPerAgent(n),
    agentsPerShard: 1 << 14,
  };
}

/** The rate 1/Y of the exponential whose truncation to [0, 1] has the given mean (X = Y − 1/(e^{1/Y} − 1)). */
function truncatedRate(mean: number): number {
  let lo = 1e-6;
  let hi = 1e6; // truncated mean falls from 1/2 (rate → 0) to 0 (rate → ∞) as the rate grows
  for (let i = 0; i < 200; i++) {
    const mid = Math.sqrt(lo * hi);
    const m = 1 / mid - 1 / Math.expm1(mid);
    if (m > mean) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(lo * hi);
}

function synthesize(ctx: ShardContext<DissentParams>): void {
  const p = ctx.params;
  const desire = ctx.columns.desire as Float64Array;
  const boldness = ctx.columns.boldness as Float64Array;
  const rng = ctx.rng('traits');
  const rate = p.desire.kind === 'truncated-exponential' ? truncatedRate(p.desire.mean) : 0;
  for (let i = ctx.start; i < ctx.end; i++) {
    rng.key(i, 0);
    // Inverse CDFs: truncated exponential F⁻¹(u) = −ln(1 − u(1 − e^{−λ}))/λ; exponential −m·ln(1 − u).
    desire[i] =
      p.desire.kind === 'grid' ? i / (p.individuals - 1) : -Math.log1p(-rng.uniform53() * -Math.expm1(-rate)) / rate;
    boldness[i] = p.boldness.kind === 'constant' ? p.boldness.value : -p.boldness.mean * Math.log1p(-rng.uniform53());
    ctx.acc[M.dissent_desired] += desire[i];
  }
}

function setPolicy(ctx: GlobalContext<DissentParams>): void {
  const a = ctx.params.authority;
  ctx.globals.set([a.tolerance, a.severity, a.surveillance], G_POLICY);
  ctx.globals.set([a.tolerance, a.severity, a.surveillance], G_PREVIOUS);
  writePolicy(ctx);
}

function writePolicy(ctx: GlobalContext<DissentParams>): void {
  ctx.acc[M.tolerance] = ctx.globals[G_POLICY];
  ctx.acc[M.severity] = ctx.globals[G_POLICY + 1];
  ctx.acc[M.surveillance] = ctx.globals[G_POLICY + 2];
}

/** Hill climbing, step 1 (from the second round on): mutate τ, ψ or ν within ±ε and its bounds. */
function propose(ctx: GlobalContext<DissentParams>): void {
  const a = ctx.params.adaptation;
  if (a.kind !== 'hill-climbing' || ctx.tick < 2) return;
  const g = ctx.globals;
  g.copyWithin(G_PREVIOUS, G_POLICY, G_POLICY + 3);
  const rng = ctx.rng('authority').key(0, ctx.tick);
  const k = rng.below(3);
  const [lo, hi] = k === 1 ? [1e-9, Infinity] : [0, 1];
  const from = Math.max(lo, g[G_POLICY + k] - a.window);
  const to = Math.min(hi, g[G_POLICY + k] + a.window);
  g[G_POLICY + k] = from + rng.uniform53() * (to - from);
}

function act(ctx: ShardContext<DissentParams>): void {
  const p = ctx.params;
  const policy = policyOf(p, ctx.globals);
  const desire = ctx.columns.desire as Float64Array;
  const boldness = ctx.columns.boldness as Float64Array;
  const action = ctx.columns.action as Float64Array;
  const rng = ctx.rng('observe');
  const { tolerance: tau, severity: psi, surveillance: nu } = policy;
  for (let i = ctx.start; i < ctx.end; i++) {
    const a = bestAction(desire[i], boldness[i], policy, p.actionGrid);
    action[i] = a;
    const phase = phaseOf(desire[i], tau, a);
    ctx.acc[PHASE_METRIC[phase]]++;
    if (phase === 'self-censoring-full') ctx.acc[M.self_censoring_full]++;
    ctx.acc[M.dissent_desired] += desire[i];
    ctx.acc[M.dissent_expressed] += a;
    if (rng.key(i, ctx.tick).uniform() >= nu + (1 - nu) * a) continue;
    ctx.acc[M.observed]++;
    if (!(a > tau)) continue;
    ctx.acc[M.punished]++;
    ctx.acc[M.punishment_cost] += p.authority.punishment === 'uniform' ? psi : psi * (a - tau);
  }
}

/** Hill climbing, step 4: undo the mutation if the round cost more than the last one. */
function evaluate(ctx: GlobalContext<DissentParams>): void {
  const a = ctx.params.adaptation;
  if (a.kind === 'hill-climbing') {
    let expressed = 0;
    let punishment = 0;
    for (const acc of ctx.shardAccs) {
      expressed += acc[M.dissent_expressed];
      punishment += acc[M.punishment_cost];
    }
    const cost = a.adamancy * expressed + punishment;
    const g = ctx.globals;
    if (ctx.tick >= 2 && cost > g[G_COST]) g.copyWithin(G_POLICY, G_PREVIOUS, G_PREVIOUS + 3);
    g[G_COST] = cost; // compared with the next round's, undone or not (as the authors' code does)
  }
  writePolicy(ctx);
}

export const dissentModel: ModelDefinition<DissentParams> = {
  name: 'dissent',
  streams: ['traits', 'observe', 'authority'],
  layout,
  init: [
    { kind: 'shard', name: 'synthesize', run: synthesize },
    { kind: 'global', name: 'policy', run: setPolicy },
  ],
  step: [
    { kind: 'global', name: 'propose', run: propose },
    { kind: 'shard', name: 'act', run: act },
    { kind: 'global', name: 'evaluate', run: evaluate },
  ],
};
