/**
 * Due process: a listed resident may appeal; the decision comes after a delay and
 * succeeds with a probability that depends on whether the listing was wrongful. A
 * granted appeal removes the listing and restores the points lost to false attributions
 * (credit restoration). The listing stays in force while the appeal is pending.
 */
import type { RegimeParams } from './params.js';
import { z } from 'zod';
import { countdownType, sparseCountdowns } from './countdowns.js';
import { metric, type Mechanism } from './mechanism.js';
import { rate } from './units.js';

export const dueProcessParams = z
  .object({
    enabled: z.boolean().default(false),
    appealRate: rate.default(0.01).describe('daily probability a listed person files an appeal'),
    appealDelayDays: z.number().int().min(0).max(3650).default(30).describe('days until an appeal is decided'),
    successWrongful: rate.default(0.5).describe('probability an appeal against a wrongful listing succeeds'),
    successRightful: rate.default(0.05).describe('probability an appeal against a rightful listing succeeds'),
  })
  .strict()
  .prefault({});

export const dueProcess: Mechanism = {
  key: 'dueProcess',
  title: 'appeals against listings, decided after a delay; credit restoration',
  role: { changes: 'a granted appeal ends a listing and its joint punishment early' },
  enabled: (p) => p.dueProcess.enabled,
  metrics: [
    metric('appeals_filed', 'flow', 'state', 'appeals filed'),
    metric('appeals_granted', 'flow', 'state', 'appeals granted (listing removed, points restored)'),
  ],
  // Days until a pending appeal is decided (sparse when listings come only from judgments).
  columns: (p, { agents }) =>
    p.dueProcess.enabled && !sparseCountdowns(p)
      ? [{ name: 'appealDays', type: countdownType(p.dueProcess.appealDelayDays), length: agents }]
      : [],
};

export function appealSucceeds(p: RegimeParams, wrongful: boolean, u: number): boolean {
  return u < (wrongful ? p.dueProcess.successWrongful : p.dueProcess.successRightful);
}
