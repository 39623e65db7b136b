/**
 * Party-and-mass service centres and propaganda: residents of a cell with a centre
 * gain perceived legitimacy each day, and the centre's staff add contact surveillance.
 */
import type { RegimeParams } from './params.js';
import { z } from 'zod';
import { metric, type Mechanism } from './mechanism.js';
import { nonNegative, rate, share } from './units.js';

export const propagandaParams = z
  .object({
    enabled: z.boolean().default(false),
    legitimacyGain: nonNegative
      .max(0.1)
      .default(0.0005)
      .describe('daily legitimacy gain of residents of cells with a service centre'),
    contactSurveillance: rate.default(0.02).describe('probability a service centre notices an offline act in its cell'),
  })
  .strict()
  .prefault({});

export const propagandaRegion = {
  serviceCentreCoverage: share.default(0).describe('share of cells with a party-and-mass service centre'),
};

export const propaganda: Mechanism = {
  key: 'propaganda',
  title: 'party-and-mass service centres: legitimacy gains and contact surveillance',
  role: { changes: 'residents near a centre gain legitimacy (less grievance, less protest); its staff detect acts' },
  enabled: (p) => p.propaganda.enabled,
  metrics: [metric('detected_centre', 'flow', 'surveillance', 'acts noticed by party service centres')],
  channels: [
    {
      name: 'centre',
      protest: (c) => centreDetection(c.p, c.hasCentre),
      offline: (c) => centreDetection(c.p, c.hasCentre),
      perceived: true,
    },
  ],
};

export function centreDetection(p: RegimeParams, hasCentre: boolean): number {
  return p.propaganda.enabled && hasCentre ? p.propaganda.contactSurveillance : 0;
}

export function centreLegitimacyGain(p: RegimeParams, hasCentre: boolean): number {
  return p.propaganda.enabled && hasCentre ? p.propaganda.legitimacyGain : 0;
}
