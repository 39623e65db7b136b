/**
 * The bits of the regime model's per-resident state bytes (flags, acts, events, group), in
 * a module of their own that imports nothing, so that every mechanism can use them at
 * load time whatever the order in which modules load.
 */
import type { RegimeParams } from './params.js';

/** Bits of the `flags` column (u16). */
export const F = {
  ACTIVE: 1 << 0,
  DETAINED: 1 << 1,
  BLACKLISTED: 1 << 2,
  REDLISTED: 1 << 3,
  INFORMANT: 1 << 4,
  OBSERVER: 1 << 5,
  /** First member of a household: households are runs of residents, each opened by one. */
  HEAD: 1 << 6,
  ACCOUNT_CLOSED: 1 << 7,
  IN_DEFAULT: 1 << 8,
  WRONGFUL_LISTING: 1 << 9,
  APPEAL_PENDING: 1 << 10,
  RECORDED_DEFAULT: 1 << 11,
  PREEMPTIVE: 1 << 12,
  WRONGFUL_DETENTION: 1 << 13,
  CHILD: 1 << 14,
  /** The current blacklisting came from a court judgment on a default (removable by repaying). */
  LIST_BY_JUDGMENT: 1 << 15,
} as const;

/** Bits of the `acts` column (u8): what an agent did today. */
export const A = {
  PROTEST: 1 << 0,
  INFRACTION: 1 << 1,
  POST: 1 << 2,
  DEFAULT: 1 << 3,
  REPAY: 1 << 4,
  CIVIC: 1 << 5,
  WOULD_PROTEST: 1 << 6,
  /**
   * Set at night by the fast day on a resident who protested today (ACTIVE): the next act
   * phase reads `acts` only for residents visited last night (fast/lazy.ts), and this tells
   * it whose ACTIVE flag to clear. Cleared by the act phase before anything else reads `acts`.
   */
  WAS_ACTIVE: 1 << 7,
} as const;

/** Bits of the `events` column (u16): what the system recorded about an agent today. */
export const E = {
  PROTEST: 1 << 0,
  INFRACTION: 1 << 1,
  POST: 1 << 2,
  DEFAULT: 1 << 3,
  CIVIC: 1 << 4,
  /** The recorded protest or infraction was attributed to the wrong person. */
  FALSE_PROTEST: 1 << 5,
  FALSE_INFRACTION: 1 << 6,
  /** Listed today (a new blacklisting): the household feels it (family spillover). */
  LISTED: 1 << 7,
  /** Informant filed a report today (earns points). */
  REPORTED_SOMEONE: 1 << 8,
  /** Sanctioned today (detained or listed): the household feels it. */
  SANCTIONED: 1 << 9,
  /** Sanctioned today without cause (false attribution, wrongful listing, false pre-emptive). */
  WRONGED: 1 << 10,
  /** Today's sanction is visible to the cell (detentions; listings where published). */
  VISIBLE: 1 << 11,
  DETAINED_TODAY: 1 << 12,
  /** Another member of the household was sanctioned today (set by the fast day's settle). */
  HOUSEHOLD_HIT: 1 << 13,
  /** Today's post is a call to collective action (set with A.POST, platform.ts). */
  CALL: 1 << 14,
  /** Another member of the household was listed today. */
  HOUSEHOLD_LISTED: 1 << 15,
} as const;

/**
 * The `group` byte: the resident's group in the low 4 bits (at most 16 groups), and — when
 * the platform closes accounts after at most 15 strikes — its strike count in the high 4
 * bits, so censorship costs no column of its own. Read a group as `group[i] & GROUP_MASK`.
 */
export const GROUP_MASK = 0x0f;
export const STRIKE_SHIFT = 4;
export const MAX_PACKED_STRIKES = 15;

/** Whether platform strikes live in the group byte (else in a `strikes` column). */
export function strikesPacked(p: RegimeParams): boolean {
  return p.platform.strikesToClose <= MAX_PACKED_STRIKES;
}
