/**
 * Response: how residents react to the regime. Perceived detection deters infractions
 * and chills posting (behaviour.ts). Legitimacy drifts back toward its initial mean,
 * rises with service-centre propaganda, and falls with repression seen in one's cell,
 * with one's own wrongful sanctioning and with sanctions on one's household. Lower
 * legitimacy raises grievance H(1 − L), which feeds protest: repression can stifle
 * dissent or breed resentment, and the model measures which.
 */
import type { RegimeParams } from './params.js';

/** Legitimacy change today for one resident. */
export function legitimacyChange(
  p: RegimeParams,
  legitimacy: number,
  centreGain: number,
  sanctionsSeenPerThousand: number,
  wronged: boolean,
  householdSanctioned: boolean,
): number {
  const q = p.response;
  if (!q.enabled) return centreGain;
  let d = q.recovery * (p.behaviour.initialLegitimacy - legitimacy) + centreGain;
  d -= q.repressionLoss * sanctionsSeenPerThousand;
  if (wronged) d -= q.injusticeLoss;
  if (householdSanctioned && p.family.enabled) d -= p.family.householdLegitimacyLoss;
  return d;
}
