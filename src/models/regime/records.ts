/**
 * Financial monitoring and government records: a default reported by a bank reaches the
 * integrated record with some probability (detection.ts); an unpaid recorded default
 * turns into a court judgment after a delay, which the score and the defaulter list act on.
 */
import { F } from './bits.js';
import type { RegimeParams } from './params.js';
import { z } from 'zod';
import { countdownType, sparseCountdowns } from './countdowns.js';
import { metric, type Mechanism } from './mechanism.js';
import { rate } from './units.js';
import type { ShardContext } from '../../engine/model.js';
import { E } from './bits.js';
import { countdown } from './countdowns.js';
import type { EnforcementStep } from './mechanism.js';

export const recordsParams = z
  .object({
    enabled: z.boolean().default(false),
    recordingRate: rate.default(0.9).describe('probability a default reaches the integrated records'),
    judgmentDelay: z
      .number()
      .int()
      .min(0)
      .max(3650)
      .default(30)
      .describe('days from an unpaid recorded default to a court judgment'),
  })
  .strict()
  .prefault({});

export const records: Mechanism = {
  key: 'records',
  title: 'financial monitoring and government records: defaults reach the record, unpaid ones become judgments',
  role: { changes: 'recorded defaults become court judgments that feed the score and the defaulter list' },
  enabled: (p) => p.records.enabled,
  metrics: [metric('detected_records', 'flow', 'surveillance', 'defaults reaching integrated records')],
  // Days left before an unpaid recorded default becomes a judgment (sparse when listings come only from judgments).
  columns: (p, { agents }) =>
    p.records.enabled && !sparseCountdowns(p)
      ? [{ name: 'timer', type: countdownType(p.records.judgmentDelay), length: agents }]
      : [],
  channels: [{ name: 'records', debt: (c) => (c.p.records.enabled ? c.p.records.recordingRate : 0), perceived: false }],
  enforcement: (ctx) => (ctx.params.records.enabled ? [judgmentStep(ctx)] : []),
};

/**
 * Days left on the judgment clock after today, or −1 on the day an unpaid recorded
 * default becomes a court judgment. Returns −2 when no clock runs (nothing recorded,
 * or the default was repaid): the caller then clears RECORDED_DEFAULT.
 */
export function judgmentClock(p: RegimeParams, flags: number, timer: number): number {
  if (!(flags & F.RECORDED_DEFAULT) || !(flags & F.IN_DEFAULT)) return -2;
  if (timer > 0) return timer - 1;
  return p.records.enabled ? -1 : -2;
}

/** A recorded default starts the judgment clock; the clock runs while the debt is unpaid. */
function judgmentStep(ctx: ShardContext<RegimeParams>): EnforcementStep {
  const p = ctx.params;
  const timer = countdown(ctx, 'timer');
  return {
    slot: 'record',
    idle: false,
    onProtest: false,
    run(d) {
      if (d.e & E.DEFAULT) {
        d.f |= F.RECORDED_DEFAULT;
        timer.set(d.i, p.records.judgmentDelay);
      }
      // The clock is read and written only while one runs (RECORDED_DEFAULT): its value is
      // meaningless otherwise, and untouched pages never become resident (memory at scale).
      if (!(d.f & F.RECORDED_DEFAULT)) return;
      const clock = judgmentClock(p, d.f, timer.get(d.i));
      d.judgment = clock === -1;
      timer.set(d.i, clock < 0 ? 0 : clock);
      if (clock < 0) d.f &= ~F.RECORDED_DEFAULT;
    },
  };
}
