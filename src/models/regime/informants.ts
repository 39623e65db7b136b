/**
 * Mutual surveillance and tip-off lines ("Chaoyang Masses", village information
 * gatherers). Informants live among their neighbours: they witness some of the acts in
 * their cell and report some of those; they also file reports on neighbours who did
 * nothing, some mistaken and some malicious. Every report earns the informant points.
 */
import { E } from './layout.js';
import type { RegimeParams } from './params.js';

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
 * Put a false infraction report on a resident's record. Returns true if it attributed an
 * infraction that was not already on today's record; a report on someone whose infraction
 * (real or falsely reported) is already recorded today changes nothing but the malice flag.
 */
export function fileFalseReport(events: { [i: number]: number }, target: number, malicious: boolean): boolean {
  const e = events[target];
  const mark = malicious ? E.MALICIOUS : 0;
  if (e & E.INFRACTION) {
    events[target] = e | mark;
    return false;
  }
  events[target] = e | E.INFRACTION | E.FALSE_INFRACTION | mark;
  return true;
}
