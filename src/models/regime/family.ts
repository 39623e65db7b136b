/**
 * Family spillover: sanctions reach the household. Children of a listed parent are
 * barred from some schools (their applications are blocked and counted), and every
 * household member loses some legitimacy when one of them is sanctioned.
 */
import { F } from './bits.js';
import type { RegimeParams } from './params.js';
import { z } from 'zod';
import { metric, type Mechanism } from './mechanism.js';
import { nonNegative } from './units.js';

export const familyParams = z
  .object({
    enabled: z.boolean().default(false),
    childrenBarred: z.boolean().default(true).describe('children of a listed parent are barred from some schools'),
    householdLegitimacyLoss: nonNegative
      .max(1)
      .default(0.02)
      .describe('legitimacy lost by each household member when one is sanctioned'),
  })
  .strict()
  .prefault({});

export const family: Mechanism = {
  key: 'family',
  title: 'family spillover: children of listed parents barred from schools; households feel a member’s sanction',
  role: { changes: 'household members lose legitimacy; barred children’s blocked applications raise hardship' },
  enabled: (p) => p.family.enabled,
  metrics: [
    metric('blocked_schooling', 'flow', 'harm', 'school applications of children of listed parents blocked'),
    metric('family_affected', 'stock', 'harm', 'residents not listed themselves living with a listed person'),
    metric('children_barred', 'stock', 'harm', 'children barred from schools by a parent’s listing'),
  ],
};

/** Whether any adult of the household [start, end) is blacklisted. */
export function householdHasListedAdult(flags: Uint16Array, start: number, end: number): boolean {
  for (let j = start; j < end; j++) if ((flags[j] & (F.BLACKLISTED | F.CHILD)) === F.BLACKLISTED) return true;
  return false;
}

export function childrenBarred(p: RegimeParams): boolean {
  return p.family.enabled && p.family.childrenBarred;
}
