/**
 * Mutual surveillance and tip-off lines ("Chaoyang Masses", village information
 * gatherers). Informants live among their neighbours: they witness some of the acts in
 * their cell and report some of those; they also file reports on neighbours who did
 * nothing, some mistaken and some malicious. Every report earns the informant points.
 */
import { E, F } from './bits.js';
import type { RegimeParams } from './params.js';
import { z } from 'zod';
import type { ShardContext } from '../../engine/model.js';
import { metric, type ActKind, type Mechanism } from './mechanism.js';
import { nonNegative, rate, share } from './units.js';

export const informantsParams = z
  .object({
    enabled: z.boolean().default(false),
    reportRate: rate.default(0.2).describe('probability an informant reports an act it witnesses'),
    witnessRate: rate.default(0.02).describe('probability an informant witnesses a given act in its cell'),
    falseReportRate: rate
      .default(0.0005)
      .describe('daily probability an informant files a report on an innocent neighbour'),
    maliciousShare: share
      .default(0.3)
      .describe('share of false reports that are malicious (targeted), the rest mistaken'),
    reportReward: z.number().int().min(0).max(100).default(1).describe('score points an informant earns per report'),
    recruitmentPerPoint: rate
      .default(0)
      .describe('daily probability a free adult signs up as an informant, per score point a report earns'),
    quitRate: rate.default(0).describe('daily probability an informant stops reporting'),
  })
  .strict()
  .prefault({});

export const informantsRegion = {
  informantsPerThousand: nonNegative.max(1000).default(0).describe('registered informants per 1,000 residents'),
};

export const informants: Mechanism = {
  key: 'informants',
  title: 'neighbours reporting neighbours: true, mistaken and malicious reports',
  role: {
    changes:
      'reports of real acts feed records and scores; false reports pin acts on the innocent and wrong them; rewards recruit informants',
  },
  enabled: (p) => p.informants.enabled,
  acts: (ctx) => (recruiting(ctx.params) ? recruitment(ctx) : []),
  night: (ctx) => {
    if (!recruiting(ctx.params)) return null;
    const { cellInformants, cellInformantsNext } = ctx.columns;
    // Today's recruits and quitters count for detection from tomorrow (in both implementations).
    return (c) => void (cellInformants[c] = cellInformantsNext[c]);
  },
  columns: (p, { cells }) => (recruiting(p) ? [{ name: 'cellInformantsNext', type: 'u16', length: cells }] : []),
  metrics: [
    metric('informants', 'stock', 'surveillance', 'residents acting as informants'),
    metric('detected_informant', 'flow', 'surveillance', 'acts reported truthfully by informants'),
    metric('false_informant', 'flow', 'harm', 'acts wrongly attributed by false informant reports'),
    metric('reports_true', 'flow', 'surveillance', 'informant reports of real acts'),
    metric('reports_false', 'flow', 'harm', 'informant reports of acts that did not happen (mistaken)'),
    metric('reports_malicious', 'flow', 'harm', 'malicious false reports (including extortion reprisals)'),
  ],
  channels: [
    {
      name: 'informant',
      protest: (c) => informantDetection(c.p, c.informants),
      offline: (c) => informantDetection(c.p, c.informants),
      reports: true,
      perceived: true,
    },
  ],
};

/** Probability that at least one of the cell's informants witnesses and reports a given act. */
export function informantDetection(p: RegimeParams, informantsInCell: number): number {
  if (!p.informants.enabled || informantsInCell <= 0) return 0;
  return 1 - Math.pow(1 - p.informants.witnessRate * p.informants.reportRate, informantsInCell);
}

/** Daily probability that a given informant files a false report. */
export function falseReportProbability(p: RegimeParams): number {
  return p.informants.enabled ? p.informants.falseReportRate : 0;
}

/**
 * Put a false infraction report on a resident's record, wronging it. Returns true if it
 * attributed an infraction that was not already on today's record (a report on someone
 * whose infraction, real or falsely reported, is already recorded changes nothing).
 */
export function fileFalseReport(events: { [i: number]: number }, target: number): boolean {
  const e = events[target];
  if (e & E.INFRACTION) return false;
  // An act pinned on someone who did not do it wrongs them (response.ts: injustice).
  events[target] = e | E.INFRACTION | E.FALSE_INFRACTION | E.WRONGED;
  return true;
}

/** Whether informants join (for rewards) or quit during the run. */
export function recruiting(p: RegimeParams): boolean {
  const q = p.informants;
  return q.enabled && (q.quitRate > 0 || (q.recruitmentPerPoint > 0 && p.score.enabled && q.reportReward > 0));
}

/** Joining for the points a report earns, and quitting: the cell's informants change (from tomorrow). */
function recruitment(ctx: ShardContext<RegimeParams>): ActKind[] {
  const p = ctx.params;
  const flags = ctx.columns.flags as Uint16Array;
  const next = ctx.columns.cellInformantsNext as Uint16Array;
  const join = p.score.enabled ? p.informants.recruitmentPerPoint * p.informants.reportReward : 0;
  return [
    {
      rate: () => Math.min(1, join),
      candidate(i, cell) {
        if (flags[i] & (F.CHILD | F.DETAINED | F.INFORMANT) || next[cell.c] === 65535) return;
        flags[i] |= F.INFORMANT;
        next[cell.c]++;
        cell.visit(i);
      },
    },
    {
      rate: (cell) => (next[cell.c] > 0 ? p.informants.quitRate : 0),
      candidate(i, cell) {
        if ((flags[i] & (F.INFORMANT | F.DETAINED)) !== F.INFORMANT) return;
        flags[i] &= ~F.INFORMANT;
        next[cell.c]--;
        cell.visit(i);
      },
    },
  ];
}
