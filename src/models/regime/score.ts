/**
 * Credit score: a rule table of points per recorded event (a municipal point system
 * such as Rongcheng's starts everyone at 1,000 and moves them by fixed amounts), grade
 * bands, and daily restoration of a below-base score toward the base.
 */
import { E } from './layout.js';
import type { RegimeParams } from './params.js';
import { round } from './population.js';

/** Points for today's recorded events (informant rewards excluded). */
export function scoreDelta(p: RegimeParams, events: number): number {
  const s = p.score;
  let d = 0;
  if (events & E.PROTEST) d += s.protest;
  if (events & E.INFRACTION) d += s.infraction;
  if (events & E.POST) d += s.post;
  if (events & E.DEFAULT) d += s.default;
  if (events & E.CIVIC) d += s.civic;
  return d;
}

/** The part of today's delta caused by false attributions (false matches and false reports). */
export function falseScoreDelta(p: RegimeParams, events: number): number {
  let d = 0;
  if (events & E.FALSE_PROTEST) d += p.score.protest;
  if (events & E.FALSE_INFRACTION) d += p.score.infraction;
  return d;
}

/** Index of the grade band a score falls in (bands highest first). */
export function gradeIndex(p: RegimeParams, score: number): number {
  const bands = p.score.bands;
  for (let k = 0; k < bands.length; k++) if (score >= bands[k].min) return k;
  return bands.length - 1;
}

/** Whole points restored today (the fractional rate is applied stochastically with u). */
export function restoration(p: RegimeParams, score: number, u: number): number {
  if (score >= p.score.base) return 0;
  const rate = p.score.restorationPerDay;
  const whole = Math.floor(rate) + (u < rate - Math.floor(rate) ? 1 : 0);
  return Math.min(whole, p.score.base - score);
}

/** Round and keep a score within what its column can hold: base − 32,768 … base + 32,767. */
export function clampScore(p: RegimeParams, x: number): number {
  return p.score.base + clampPoints(x - p.score.base);
}

/** Round and keep a point count within a signed 16-bit column. */
export function clampPoints(x: number): number {
  return x < -32768 ? -32768 : x > 32767 ? 32767 : round(x);
}

/**
 * Whether any resident's score can leave the base: the score module is on, or the lists
 * can blacklist by a cut-off above the base (and so restore scores to it on expiry). When
 * not, every score is the base and the score column is neither read nor written.
 */
export function scoreMoves(p: RegimeParams): boolean {
  return p.score.enabled || (p.lists.enabled && p.score.base < p.lists.blacklistBelowScore);
}
