/**
 * Joint punishment: a blacklisted adult who tries to buy a flight or a high-speed train
 * ticket, book a luxury hotel, buy property or take a barred post is blocked; each
 * blocked attempt is counted (comparable to the documented flight- and train-ban counts)
 * and costs welfare, raising hardship.
 */
import type { RegimeParams } from './params.js';

export const SANCTION_TYPES = ['flight', 'train', 'hotel', 'property', 'job'] as const;
export type SanctionType = (typeof SANCTION_TYPES)[number];

export function attemptRate(p: RegimeParams, type: SanctionType): number {
  const s = p.sanctions;
  switch (type) {
    case 'flight':
      return s.flightAttemptRate;
    case 'train':
      return s.trainAttemptRate;
    case 'hotel':
      return s.hotelAttemptRate;
    case 'property':
      return s.propertyAttemptRate;
    case 'job':
      return s.jobAttemptRate;
  }
}
