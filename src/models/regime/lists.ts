/**
 * Blacklists and redlists: a court judgment on a default (the defaulter list) or a
 * score below a cut-off puts a resident on the blacklist for a fixed term (2 years for
 * defaulters); repaying removes a defaulter; a high score puts a resident on the redlist.
 * A listing is wrongful when, without the points lost to false attributions, the score
 * would not have crossed the cut-off.
 */
import { F } from './layout.js';
import type { RegimeParams } from './params.js';

export function blacklistedByScore(p: RegimeParams, score: number): boolean {
  return p.lists.enabled && score < p.lists.blacklistBelowScore;
}

export function wrongfulByScore(p: RegimeParams, score: number, falsePoints: number): boolean {
  return score - falsePoints >= p.lists.blacklistBelowScore;
}

export function redlisted(p: RegimeParams, score: number, flags: number): boolean {
  return p.lists.enabled && score >= p.lists.redlistAtScore && !(flags & (F.BLACKLISTED | F.CHILD));
}

/** Flags after removal from the blacklist (any cause). */
export function delistFlags(flags: number): number {
  return flags & ~(F.BLACKLISTED | F.WRONGFUL_LISTING | F.LIST_BY_JUDGMENT | F.APPEAL_PENDING);
}
