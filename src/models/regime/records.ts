/**
 * Financial monitoring and government records: a default reported by a bank reaches the
 * integrated record with some probability (detection.ts); an unpaid recorded default
 * turns into a court judgment after a delay, which the score and the defaulter list act on.
 */
import { F } from './layout.js';
import type { RegimeParams } from './params.js';

export type JudgmentStep = 'none' | 'judgment';

/**
 * Advance the judgment clock of one resident. Returns 'judgment' on the day an unpaid
 * recorded default becomes a court judgment. `timer` holds the days left.
 */
export function judgmentClock(p: RegimeParams, flags: number, timer: number): { flags: number; timer: number; step: JudgmentStep } {
  if (!(flags & F.RECORDED_DEFAULT)) return { flags, timer, step: 'none' };
  if (!(flags & F.IN_DEFAULT)) return { flags: flags & ~F.RECORDED_DEFAULT, timer: 0, step: 'none' };
  if (timer > 0) return { flags, timer: timer - 1, step: 'none' };
  return { flags: flags & ~F.RECORDED_DEFAULT, timer: 0, step: p.records.enabled ? 'judgment' : 'none' };
}
