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
 * Put a false infraction report on a resident's record. If a real infraction is already
 * recorded today the report adds nothing to the record (the points are not false).
 */
export function fileFalseReport(events: { [i: number]: number }, target: number, malicious: boolean): void {
  const e = events[target];
  if (e & E.INFRACTION && !(e & E.FALSE_INFRACTION)) events[target] = e | (malicious ? E.MALICIOUS : 0);
  else events[target] = e | E.INFRACTION | E.FALSE_INFRACTION | (malicious ? E.MALICIOUS : 0);
}
