/**
 * Family spillover: sanctions reach the household. Children of a listed parent are
 * barred from some schools (their applications are blocked and counted), and every
 * household member loses some legitimacy when one of them is sanctioned.
 */
import { F } from './layout.js';
import type { RegimeParams } from './params.js';

/** Whether any adult of the household [start, end) is blacklisted. */
export function householdHasListedAdult(flags: Uint16Array, start: number, end: number): boolean {
  for (let j = start; j < end; j++) if ((flags[j] & (F.BLACKLISTED | F.CHILD)) === F.BLACKLISTED) return true;
  return false;
}

export function childrenBarred(p: RegimeParams): boolean {
  return p.family.enabled && p.family.childrenBarred;
}
