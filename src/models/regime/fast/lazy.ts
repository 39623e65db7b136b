/**
 * Lazy legitimacy and decision candidates: how the fast day avoids touching every resident
 * every day (docs/odd/regime.md §3.2).
 *
 * Legitimacy. A resident with no shock today (not wronged, household not hit) moves by the
 * same affine map as every such resident of its cell, L' = k·L + s, with k = 1 − recovery
 * and s the cell's shift today (recovery toward the initial mean, the service centre's
 * gain, repression seen). So the `legitimacy` column holds a code x per resident and each
 * cell a map L = A·x + B. A day composes the cell's map (A ← k·A, B ← k·B + s) and writes
 * only residents with a shock. A cell's sums of L and of grievance follow from Σx and Σh·x
 * per group, kept exactly (integers in doubles).
 *
 * Decisions. A free adult protests tomorrow when h(1 − L) − r·P > T (Epstein's rule). While
 * every day's shift stays at or above a floor s₀ ≥ 0, an untouched resident's legitimacy
 * never falls below min(L, s₀ / (1 − k)) (the interval is invariant under every such map);
 * while the cell's perceived risk P stays at or above a floor P₀, a resident with
 * h(1 − min(L, s₀ / (1 − k))) − r·P₀ ≤ T cannot protest. Such residents are not visited
 * until something about them or their cell changes. The others (candidates) are decided
 * every night, as are residents with an event today or a rare state: a bit per resident
 * (`visits`) says whom to visit, so a night reads 32 residents per word it scans.
 *
 * A cell is rebuilt — every resident's legitimacy recomputed and re-coded, every free adult
 * decided and classified, the floors reset around tonight's values — when tonight's shift
 * or risk falls below its floor, when the shift would need clamping (s < 0 or s > 1 − k),
 * or when A has shrunk to half (codes keep their precision), or when an extortion payment
 * raised a hardship unseen. Measured on national-blacklist at 100 k over 200 days: ≈ 9 % of
 * resident-nights are visits and ≈ 2.7 % of cell-nights rebuild with the bands below; the
 * bands trade visits against rebuilds and change outcomes only through rounding.
 */
import { ENFORCEMENT_STATE } from '../enforcement.js';
import { F } from '../bits.js';
import { U16 } from '../population.js';

/** Flags whose holders go through the tally's rare stocks. */
export const RARE_FLAGS =
  F.OBSERVER | F.DETAINED | F.BLACKLISTED | F.REDLISTED | F.INFORMANT | F.ACCOUNT_CLOSED | F.IN_DEFAULT;

/** Flags under which a resident is visited every night, whatever its decision. */
export const VISIT_FLAGS = RARE_FLAGS | ENFORCEMENT_STATE | F.ACTIVE;

/** Codes 0…65535 cover u ∈ [−1, 2], where L = α·u + β with α ∈ [½, 1], β ∈ [0, 1 − α]. */
const U_LOW = -1;
const U_SPAN = 3;

/** The map right after a rebuild: L = x·3/65535 − 1. */
export const REBUILT_SCALE = U_SPAN / U16;
export const REBUILT_SHIFT = U_LOW;

/** Rebuild when the map's scale falls below this (α < ½). */
export const SCALE_FLOOR = 0.5 * REBUILT_SCALE;

/** How far below tonight's values the floors are set at a rebuild (legitimacy, risk). */
export const LEGITIMACY_BAND = 0.06;
export const RISK_BAND = 0.05;
/** How far below tonight's keep factor its floor is set at a rebuild, as a share of 1 − keep. */
export const KEEP_BAND = 0.1;

/** Margin against floating-point error in the classification (grievance scale 255·65535). */
const SAFETY = 1e-6;

/** Code of legitimacy L under the map (scale, shift), clamped to the code range. */
export function encode(L: number, scale: number, shift: number): number {
  const x = Math.floor((L - shift) / scale + 0.5);
  return x <= 0 ? 0 : x >= U16 ? U16 : x;
}

/**
 * Lowest legitimacy an untouched resident can reach while every night's map L' = k·L + s
 * keeps s ≥ `shiftFloor` and k ≥ `keepFloor`: [m, 1] with m = s₀ / (1 − k₀) is invariant
 * under every such map, and below m legitimacy cannot fall.
 */
export function legitimacyFloor(shiftFloor: number, keepFloor: number): number {
  return keepFloor < 1 ? shiftFloor / (1 - keepFloor) : Infinity;
}

/**
 * Whether a free adult may protest before its cell's next rebuild (candidate): on the
 * 255·65535 scale, hardship·65535·(1 − min(L, floor)) − riskAversion·riskFloorScaled > T.
 */
export function mayProtest(
  hardship: number,
  riskAversion: number,
  L: number,
  legitimacyFloorL: number,
  riskFloorScaled: number,
  thresholdScaled: number,
): boolean {
  const low = L < legitimacyFloorL ? L : legitimacyFloorL;
  return hardship * U16 * (1 - low) - riskAversion * riskFloorScaled > thresholdScaled - SAFETY;
}

/** Highest grievance (natural scale) a free adult can reach before the next rebuild. */
export function grievanceCeiling(hardship: number, L: number, legitimacyFloorL: number): number {
  const low = L < legitimacyFloorL ? L : legitimacyFloorL;
  return (hardship / 255) * (1 - low);
}

/**
 * The `visits` bitset: resident i of a cell whose bits start at word w0 and residents at s
 * is visited tonight (a candidate, a rare state, or an event today).
 */
export function isVisited(bits: Uint32Array, w0: number, s: number, i: number): boolean {
  const k = i - s;
  return (bits[w0 + (k >>> 5)] & (1 << (k & 31))) !== 0;
}

export function setVisited(bits: Uint32Array, w0: number, s: number, i: number, on: boolean): void {
  const k = i - s;
  const w = w0 + (k >>> 5);
  const m = 1 << (k & 31);
  bits[w] = on ? bits[w] | m : bits[w] & ~m;
}

/**
 * Write to `out`, in order, the residents of [s, e) whose bit is set in `visits` (the cell's
 * words from w0); returns how many. Reads 32 residents per word.
 */
export function listVisited(visits: Uint32Array, w0: number, s: number, e: number, out: Int32Array): number {
  let n = 0;
  const words = (e - s + 31) >>> 5;
  for (let w = 0; w < words; w++) {
    let m = visits[w0 + w];
    while (m !== 0) {
      const low = m & -m;
      m ^= low;
      out[n++] = s + (w << 5) + 31 - Math.clz32(low);
    }
  }
  return n;
}

/** Σ L over n residents whose codes sum to Σx, under the map (scale, shift). */
export function sumLegitimacy(scale: number, shift: number, n: number, codes: number): number {
  return scale * codes + shift * n;
}

/** Σ h·(1 − L), h in 1/255 units (Σh, Σh·x given), under the map (scale, shift). */
export function sumGrievance(scale: number, shift: number, hardships: number, hardshipCodes: number): number {
  return (1 - shift) * hardships - scale * hardshipCodes;
}

/** Legitimacy of resident i of cell c (G groups) after the last night, read from a fast run's columns. */
export function legitimacyOf(columns: Record<string, ArrayLike<number>>, G: number, c: number, i: number): number {
  const k = c * G + (columns.group[i] & 0x0f);
  return columns.cellMapScale[k] * columns.legitimacy[i] + columns.cellMapShift[k];
}
