/**
 * Financial monitoring and government records: a default reported by a bank reaches the
 * integrated record with some probability (detection.ts); an unpaid recorded default
 * turns into a court judgment after a delay, which the score and the defaulter list act on.
 */
import { F } from './layout.js';
import type { RegimeParams } from './params.js';

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
