/**
 * Party-and-mass service centres and propaganda: residents of a cell with a centre
 * gain perceived legitimacy each day, and the centre's staff add contact surveillance.
 */
import type { RegimeParams } from './params.js';

export function centreDetection(p: RegimeParams, hasCentre: boolean): number {
  return p.propaganda.enabled && hasCentre ? p.propaganda.contactSurveillance : 0;
}

export function centreLegitimacyGain(p: RegimeParams, hasCentre: boolean): number {
  return p.propaganda.enabled && hasCentre ? p.propaganda.legitimacyGain : 0;
}
