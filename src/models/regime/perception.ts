/**
 * Perceived surveillance, learned. Without this mechanism residents perceive the detection
 * probability the regime has deployed; with it they perceive what they have seen: each
 * cell keeps, per kind of act (protest, offline act, post, call), a decaying count of the acts
 * done there and of those some channel detected, seeded with `priorWeight` acts at the
 * deployed rate (what residents are told before they see anything), and perceives their
 * ratio. A resident whose household had an act detected believes, for `householdDays`, that
 * surveillance sees at least `householdPerception` of what is done.
 *
 * Perceived surveillance is what deters protest (with Epstein's P), deters infractions and
 * chills posting (behaviour.ts), and makes residents say what they do not think (views.ts).
 */
import { z } from 'zod';
import type { ShardContext } from '../../engine/model.js';
import { E } from './bits.js';
import type { CellChannels } from './channels.js';
import { metric, type DetectionTally, type Mechanism } from './mechanism.js';
import type { RegimeParams } from './params.js';
import { share } from './units.js';

export const perceptionParams = z
  .object({
    enabled: z.boolean().default(false),
    memory: share.default(0.95).describe('share of yesterday’s observations of detection still remembered today'),
    priorWeight: z
      .number()
      .min(0)
      .max(1e6)
      .default(50)
      .describe('acts at the deployed detection rate residents believe in before seeing any'),
    householdPerception: share
      .default(0.9)
      .describe('perceived detection of a resident whose household had an act detected recently'),
    householdDays: z.number().int().min(0).max(3650).default(30).describe('days a household remembers a detection'),
  })
  .strict()
  .prefault({});

/** Acts whose detection a household learns from (true or falsely attributed). */
const DETECTED = E.PROTEST | E.INFRACTION | E.POST;
/** Per cell: acts and detections remembered, for protests, offline acts, posts and calls. */
const SLOTS = 8;

export const perception: Mechanism = {
  key: 'perception',
  title: 'perceived surveillance learned from the detections residents see in their cell and household',
  role: {
    changes:
      'deterrence, chilling and falsified support follow the detection residents have seen, not the deployed rate',
  },
  enabled: (p) => p.perception.enabled,
  metrics: [
    metric(
      'perceived_protest_detection',
      'mean',
      'surveillance',
      'perceived probability that a protester is detected, cell-wide (household alerts not included)',
    ),
  ],
  columns: (p, { agents, cells }) =>
    p.perception.enabled
      ? [
          { name: 'cellLearned', type: 'f32', length: cells * SLOTS },
          ...(householdAlerts(p) ? ([{ name: 'alertDay', type: 'u16', length: agents }] as const) : []),
        ]
      : [],
  observe: (ctx) => {
    if (!ctx.params.perception.enabled) return null;
    const learned = ctx.columns.cellLearned as Float32Array;
    const m = ctx.params.perception.memory;
    return (c: number, seen: DetectionTally) => {
      const k = c * SLOTS;
      // Seeded at the first look (Perception.learn), so there is always a prior to decay.
      learned[k] = m * learned[k] + seen.protests;
      learned[k + 1] = m * learned[k + 1] + seen.protestsDetected;
      learned[k + 2] = m * learned[k + 2] + seen.offline;
      learned[k + 3] = m * learned[k + 3] + seen.offlineDetected;
      learned[k + 4] = m * learned[k + 4] + seen.posts;
      learned[k + 5] = m * learned[k + 5] + seen.postsDetected;
      learned[k + 6] = m * learned[k + 6] + seen.calls;
      learned[k + 7] = m * learned[k + 7] + seen.callsDetected;
    };
  },
};

function householdAlerts(p: RegimeParams): boolean {
  return p.perception.enabled && p.perception.householdDays > 0 && p.perception.householdPerception > 0;
}

/** What residents of a shard perceive: learned per cell, raised by household alerts. */
export class Perception {
  readonly on: boolean;
  /** Household alerts are kept (a column): marking and reading them cost something. */
  readonly alerts: boolean;
  private readonly learned: Float32Array;
  private readonly alertDay: Uint16Array;
  private readonly prior: number;
  private readonly household: number;
  private readonly days: number;

  constructor(ctx: ShardContext<RegimeParams>) {
    const q = ctx.params.perception;
    this.on = q.enabled;
    this.alerts = householdAlerts(ctx.params);
    this.learned = ctx.columns.cellLearned as Float32Array;
    this.alertDay = ctx.columns.alertDay as Uint16Array;
    this.prior = q.priorWeight;
    this.household = q.householdPerception;
    this.days = q.householdDays;
  }

  /**
   * Replace the channels' perceived surveillance of cell c by what its residents have learned
   * (seeding the cell's memory with the deployed rate the first time it is looked at).
   */
  learn(ch: CellChannels, c: number): void {
    const k = c * SLOTS;
    const l = this.learned;
    if (l[k] === 0 && l[k + 2] === 0 && l[k + 4] === 0 && l[k + 6] === 0 && this.prior > 0) {
      l[k] = l[k + 2] = l[k + 4] = l[k + 6] = this.prior;
      l[k + 1] = this.prior * ch.protest;
      l[k + 3] = this.prior * ch.offline;
      l[k + 5] = this.prior * ch.platform;
      l[k + 7] = this.prior * ch.call;
    }
    ch.protest = l[k] > 0 ? l[k + 1] / l[k] : 0;
    ch.offline = l[k + 2] > 0 ? l[k + 3] / l[k + 2] : 0;
    ch.platform = l[k + 4] > 0 ? l[k + 5] / l[k + 4] : 0;
    ch.call = l[k + 6] > 0 ? l[k + 7] / l[k + 6] : 0;
  }

  /** Whether resident i's household had an act detected within the last `householdDays` before `day`. */
  alerted(i: number, day: number): boolean {
    if (!this.alerts) return false;
    const stamp = this.alertDay[i];
    return stamp !== 0 && ((day - (stamp - 1)) & 0xffff) <= this.days;
  }

  /** Resident i's perceived detection of an act whose cell-wide perception is `cellWide`, on `day`. */
  of(i: number, cellWide: number, day: number): number {
    return this.alerted(i, day) && this.household > cellWide ? this.household : cellWide;
  }

  /** Household alert: resident j saw, on `day`, an act of its household detected. */
  alert(j: number, day: number): void {
    this.alertDay[j] = (day & 0xffff) + 1;
  }

  /** Whether resident i's events today alert its household. */
  alarming(events: number): boolean {
    return this.alerts && (events & DETECTED) !== 0;
  }
}
