/**
 * Predictive policing (IJOP-like). A risk score is built from what the system can
 * observe — recorded events, blacklisting, the share of protesters in one's cell — plus
 * a configurable bias against targeted groups and noise for everything unobserved.
 * Grievance, the thing that actually drives protest, is not observable. Each day the
 * highest-risk residents of each region are detained or "interviewed" pre-emptively, up
 * to the region's capacity; precision and recall are scored against who would really
 * have acted that day.
 *
 * Capacity is global per region while shards are local, so selection is two-pass:
 * shards histogram risk into RISK_BINS bins, a global step finds each region's cut-off
 * bin and the admission probability inside it, and shards then admit agents — the same
 * risk value is recomputed from the same counter-based draw, so no per-agent risk is stored.
 */
import type { GlobalContext, ShardContext } from '../../engine/model.js';
import type { MetricTable } from './metrics.js';
import type { CounterRng } from '../../engine/rng.js';
import { A, E, F, GROUP_MASK } from './bits.js';
import { regimeLayout, RISK_BINS } from './layout.js';
import type { RegimeParams } from './params.js';
import { z } from 'zod';
import { metric, type Mechanism } from './mechanism.js';
import { nonNegative, share } from './units.js';
import type { EnforcementStep, ResidentDay } from './mechanism.js';

export const predictiveParams = z
  .object({
    enabled: z.boolean().default(false),
    recordWeight: nonNegative.max(10).default(1).describe('risk weight of each recorded event'),
    listWeight: nonNegative.max(10).default(1).describe('risk weight of blacklisting'),
    contactWeight: nonNegative.max(10).default(1).describe('risk weight of the share of active neighbours in the cell'),
    bias: nonNegative.max(10).default(0).describe('risk added for members of targeted groups'),
    noise: nonNegative.max(10).default(0.5).describe('s.d.-like spread of unobserved risk factors'),
    capacityPer100k: nonNegative
      .max(100_000)
      .default(0)
      .describe('pre-emptive detentions or interviews per day per 100,000 residents'),
    detentionDays: z.number().int().min(1).max(3650).default(30).describe('days of pre-emptive detention'),
    detentionsSeen: share
      .default(1)
      .describe('weight of a pre-emptive detention in what the cell sees (1: every one is seen)'),
    criminalShare: share.default(1).describe('share of those flagged who are detained for `detentionDays`'),
    educationShare: share.default(0).describe('share of those flagged who are sent to "education" for `educationDays`'),
    educationDays: z.number().int().min(1).max(3650).default(365).describe('days of "education" detention'),
    watchShare: share
      .default(0)
      .describe('share of those flagged put under preventive surveillance (not detained); the rest are let go'),
  })
  .strict()
  .prefault({});

export const predictiveGroup = {
  targeted: z.boolean().default(false).describe('weighted by predictive policing bias'),
};

export const predictive: Mechanism = {
  key: 'predictive',
  title: 'predictive policing: a risk score from observable features, pre-emptive detention under capacity',
  role: {
    changes: 'the pre-emptively detained cannot act; detentions of those who would not have acted wrong them',
  },
  enabled: (p) => p.predictive.enabled,
  metrics: [
    metric('flags', 'flow', 'harm', 'residents flagged by predictive policing'),
    metric('flags_education', 'flow', 'harm', 'flagged residents sent to "education" detention'),
    metric('flags_watched', 'flow', 'harm', 'flagged residents put under preventive surveillance, not detained'),
    metric('detentions_preemptive', 'flow', 'harm', 'pre-emptive detentions or interviews by predictive policing'),
    metric('preemptive_true', 'flow', 'stability', 'pre-emptive detentions of people who would have acted'),
    metric('preemptive_false', 'flow', 'harm', 'pre-emptive detentions of people who would not have acted'),
  ],
  derived: [
    {
      name: 'preemptive_precision',
      by: 'group',
      description: 'share of the pre-emptively detained so far whose protest rule said act (cumulative)',
    },
    {
      name: 'preemptive_recall',
      by: 'group',
      description: 'share of would-be protesters so far whom pre-emptive detention caught first (cumulative)',
    },
  ],
  phases: [{ name: 'predictive-score', at: 'dusk', run: (ctx) => scorePreemption(ctx) }],
  // Recorded negative events, the risk score's main input.
  columns: (p, { agents }) => (p.predictive.enabled ? [{ name: 'records', type: 'u8', length: agents }] : []),
  enforcement: (ctx) => (ctx.params.predictive.enabled ? predictiveSteps(ctx) : []),
};

export function maxRisk(p: RegimeParams): number {
  const q = p.predictive;
  return q.recordWeight + q.listWeight + q.contactWeight + q.bias + q.noise;
}

/** Risk score of one resident; `rng` must be keyed to (agent, tick) on the 'risk' stream. */
export function riskScore(
  p: RegimeParams,
  records: number,
  flags: number,
  activeShareInCell: number,
  targeted: boolean,
  rng: CounterRng,
): number {
  const q = p.predictive;
  return (
    (q.recordWeight * Math.min(records, 10)) / 10 +
    (flags & F.BLACKLISTED ? q.listWeight : 0) +
    q.contactWeight * Math.min(1, 10 * activeShareInCell) +
    (targeted ? q.bias : 0) +
    q.noise * rng.uniform()
  );
}

export function riskBin(risk: number, max: number): number {
  if (max <= 0) return 0;
  const b = Math.floor((risk / max) * RISK_BINS);
  return b < 0 ? 0 : b >= RISK_BINS ? RISK_BINS - 1 : b;
}

/** Eligible for pre-emptive detention: an adult not already detained. */
export function eligible(flags: number): boolean {
  return (flags & (F.CHILD | F.DETAINED)) === 0;
}

/**
 * Risk bin of resident i today, or −1 if not eligible. Keyed on its own stream, so the
 * histogram pass and the admission pass see the same value.
 */
export function residentRiskBin(
  ctx: ShardContext<RegimeParams>,
  rng: CounterRng,
  i: number,
  cellActiveShare: number,
  max: number,
): number {
  const { flags, records, group } = ctx.columns;
  const f = flags[i];
  if (!eligible(f)) return -1;
  const targeted = ctx.params.population.groups[group[i] & GROUP_MASK].targeted;
  return riskBin(riskScore(ctx.params, records[i], f, cellActiveShare, targeted, rng.key(i, ctx.tick)), max);
}

export function riskHistogram(ctx: ShardContext<RegimeParams>): void {
  const p = ctx.params;
  if (!p.predictive.enabled) return;
  const layout = regimeLayout(p);
  const starts = layout.unitStarts;
  const cellActives = ctx.columns.cellActives;
  const max = maxRisk(p);
  const rng = ctx.rng('risk');
  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    const residents = starts[c + 1] - starts[c];
    const share = cellActives[c] / residents;
    const histBase = layout.metricTable.riskHistBase + layout.cellRegion[c] * RISK_BINS;
    for (let i = starts[c]; i < starts[c + 1]; i++) {
      const b = residentRiskBin(ctx, rng, i, share, max);
      if (b >= 0) ctx.acc[histBase + b]++;
    }
  }
}

/** Cut-off bin and admission probability so that expected admissions equal capacity. */
export function thresholdFor(counts: Float64Array, capacity: number): { bin: number; fraction: number } {
  let above = 0;
  for (let b = counts.length - 1; b >= 0; b--) {
    if (above + counts[b] > capacity) return { bin: b, fraction: (capacity - above) / counts[b] };
    above += counts[b];
  }
  return { bin: -1, fraction: 1 };
}

export function riskThreshold(ctx: GlobalContext<RegimeParams>): void {
  const p = ctx.params;
  if (!p.predictive.enabled) return;
  const layout = regimeLayout(p);
  const gl = layout.globalsLayout;
  const counts = new Float64Array(RISK_BINS);
  for (let r = 0; r < layout.regions; r++) {
    counts.fill(0);
    const base = layout.metricTable.riskHistBase + r * RISK_BINS;
    for (const acc of ctx.shardAccs) for (let b = 0; b < RISK_BINS; b++) counts[b] += acc[base + b];
    const capacity = (p.predictive.capacityPer100k * layout.regionAgents[r]) / 100_000;
    const { bin, fraction } = thresholdFor(counts, capacity);
    ctx.globals[gl.riskThresholdBin + r] = bin;
    ctx.globals[gl.riskThresholdFraction + r] = fraction;
  }
}

/** Whether a resident in risk bin `bin` is detained pre-emptively, given the region's cut-off. */
export function admitted(bin: number, cutBin: number, cutFraction: number, u: number): boolean {
  if (bin < 0) return false;
  if (bin > cutBin) return true;
  return bin === cutBin && u < cutFraction;
}

export interface PreemptiveMetrics {
  readonly flags: number;
  readonly education: number;
  readonly watched: number;
  readonly all: number;
  readonly wouldAct: number;
  readonly wouldNot: number;
}

export function preemptiveMetrics(mt: MetricTable): PreemptiveMetrics {
  return {
    flags: mt.base('flags'),
    education: mt.base('flags_education'),
    watched: mt.base('flags_watched'),
    all: mt.base('detentions_preemptive'),
    wouldAct: mt.base('preemptive_true'),
    wouldNot: mt.base('preemptive_false'),
  };
}

/**
 * Resident i, flagged (admitted) by predictive policing today, meets its outcome [CC17]:
 * detention (`criminalShare`), "education" (`educationShare`, for `educationDays`),
 * preventive surveillance (`watchShare`, not detained) or release. The outcome's draw comes
 * next on `u`, i's admission stream, and only when some outcome is not detention. A detained
 * resident is held before acting; what it would have done is kept (WOULD_PROTEST) so that
 * the policing can be scored against it. Returns whether it is detained.
 */
export function flag(
  ctx: ShardContext<RegimeParams>,
  i: number,
  would: boolean,
  r: number,
  M: PreemptiveMetrics,
  u: CounterRng,
): boolean {
  const q = ctx.params.predictive;
  const mt = regimeLayout(ctx.params).metricTable;
  const g = (ctx.columns.group[i] as number) & GROUP_MASK;
  mt.add(ctx.acc, M.flags, g, r, 1);
  let days = q.detentionDays;
  if (q.criminalShare < 1) {
    const v = u.uniform();
    if (v >= q.criminalShare) {
      if (v >= q.criminalShare + q.educationShare) {
        if (v < q.criminalShare + q.educationShare + q.watchShare) mt.add(ctx.acc, M.watched, g, r, 1);
        return false;
      }
      days = q.educationDays;
      mt.add(ctx.acc, M.education, g, r, 1);
    }
  }
  const { flags, acts, events, detainDays } = ctx.columns;
  flags[i] = (flags[i] & ~F.ACTIVE) | F.DETAINED | F.PREEMPTIVE;
  detainDays[i] = days;
  events[i] = E.SANCTIONED | E.DETAINED_TODAY;
  acts[i] = would ? A.WOULD_PROTEST : 0;
  mt.add(ctx.acc, M.all, g, r, 1);
  mt.add(ctx.acc, would ? M.wouldAct : M.wouldNot, g, r, 1);
  return true;
}

/** Recorded negative events today (each adds to the risk score's record count). */
function recordedEvents(e: number): number {
  return (e & E.PROTEST ? 1 : 0) + (e & E.INFRACTION ? 1 : 0) + (e & E.POST ? 1 : 0) + (e & E.DEFAULT ? 1 : 0);
}

function predictiveSteps(ctx: ShardContext<RegimeParams>): EnforcementStep[] {
  const records = ctx.columns.records as Uint8Array;
  const seen = ctx.params.predictive.detentionsSeen;
  return [
    {
      // A pre-emptive detention (made at dawn) is visible, and wrongful if the rule said stay quiet.
      slot: 'detain',
      idle: false,
      onProtest: false,
      run(d: ResidentDay) {
        if (!(d.e & E.DETAINED_TODAY) || !(d.f & F.PREEMPTIVE)) return;
        d.e |= E.VISIBLE;
        d.seen = Math.max(d.seen, seen);
        if (!(d.a & A.WOULD_PROTEST)) {
          d.e |= E.WRONGED;
          d.f |= F.WRONGFUL_DETENTION;
        }
      },
    },
    {
      // The record count the risk score reads.
      slot: 'keep',
      idle: false,
      onProtest: true,
      run(d: ResidentDay) {
        const recorded = recordedEvents(d.e);
        if (recorded) records[d.i] = Math.min(255, records[d.i] + recorded);
      },
    },
  ];
}

/** At dusk: precision and recall of pre-emptive detention so far, by group (NaN while undefined). */
function scorePreemption(ctx: GlobalContext<RegimeParams>): void {
  const p = ctx.params;
  const layout = regimeLayout(p);
  const mt = layout.metricTable;
  const G = layout.groups;
  if (!p.predictive.enabled) {
    for (let g = 0; g < G; g++) {
      ctx.acc[mt.derivedBase('preemptive_precision') + g] = NaN;
      ctx.acc[mt.derivedBase('preemptive_recall') + g] = NaN;
    }
    return;
  }
  const at = layout.globalsLayout.preemptiveTotals;
  const bases = [mt.base('preemptive_true'), mt.base('detentions_preemptive'), mt.base('would_act')];
  for (let g = 0; g < G; g++) {
    for (let k = 0; k < 3; k++) {
      for (const acc of ctx.shardAccs) ctx.globals[at + 3 * g + k] += acc[bases[k] + 1 + g];
    }
    const hits = ctx.globals[at + 3 * g];
    const detained = ctx.globals[at + 3 * g + 1];
    const would = ctx.globals[at + 3 * g + 2];
    ctx.acc[mt.derivedBase('preemptive_precision') + g] = detained > 0 ? hits / detained : NaN;
    ctx.acc[mt.derivedBase('preemptive_recall') + g] = would > 0 ? hits / would : NaN;
  }
}
