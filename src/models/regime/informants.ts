/**
 * Mutual surveillance and tip-off lines ("Chaoyang Masses", village information
 * gatherers). Informants live among their neighbours: they witness some of the acts in
 * their cell and report some of those; they also file reports on neighbours who did
 * nothing, some mistaken and some malicious. Every report earns the informant points.
 */
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
