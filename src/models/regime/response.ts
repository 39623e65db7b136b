/**
 * Response: how residents react to the regime. Perceived detection deters infractions
 * and chills posting (behaviour.ts). Legitimacy drifts back toward its initial mean,
 * rises with service-centre propaganda, and falls with repression seen in one's cell,
 * with one's own wrongful sanctioning and with sanctions on one's household. Lower
 * legitimacy raises grievance H(1 − L), which feeds protest: repression can stifle
 * dissent or breed resentment, and the model measures which.
 */
import { z } from 'zod';
import type { Mechanism } from './mechanism.js';
import type { RegimeParams } from './params.js';
import { nonNegative, share } from './units.js';

export const responseParams = z
  .object({
    enabled: z.boolean().default(true),
    deterrence: share.default(0.8).describe('how strongly perceived detection suppresses infractions (0–1)'),
    chilling: share.default(0.8).describe('how strongly perceived online surveillance suppresses posting (0–1)'),
    injusticeLoss: nonNegative.max(1).default(0.05).describe('legitimacy lost by a wrongly sanctioned person'),
    repressionLoss: nonNegative
      .max(1)
      .default(0.002)
      .describe('legitimacy lost per detention seen in one’s cell (per 1,000 residents)'),
    sanctionFear: nonNegative
      .max(100)
      .default(1)
      .describe('perceived enforcers added per sanction seen in the cell (per 1,000 residents)'),
    recovery: nonNegative.max(0.1).default(0.001).describe('daily drift of legitimacy back toward its initial mean'),
    sanctionMemory: share.default(0.9).describe('share of yesterday’s seen sanctions still remembered today'),
  })
  .strict()
  .prefault({});

export const response: Mechanism = {
  key: 'response',
  title: 'how residents respond to the regime: deterrence, chilling, legitimacy',
  role: {
    changes:
      'perceived detection deters and chills; repression seen and suffered moves legitimacy, so grievance and protest',
  },
  enabled: (p) => p.response.enabled,
};

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
