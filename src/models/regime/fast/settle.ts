/**
 * The fast day, second half: enforcement, family spillover, the legitimacy response and
 * the end-of-day tally, cell by cell.
 *
 * Enforcement runs the reference rule (CellEnforcer.resident) only for residents with an
 * event today or a state to run down; for everyone else it is a no-op when `idleIsNoop`
 * holds (no score in play). Those it visits mark their household: a sanctioned member
 * marks the others HOUSEHOLD_HIT, a listed adult marks everyone FAMILY_LISTED. Then one
 * flat pass over the cell applies the legitimacy response and tallies, without walking
 * households. Counts and sums are kept per cell and added to the metrics once per cell:
 * the reference tally's values up to the order of floating-point additions.
 */
import type { ShardContext } from '../../../engine/model.js';
import { CellEnforcer, ENFORCEMENT_STATE } from '../enforcement.js';
import { childrenBarred } from '../family.js';
import { E, F, householdOffset, householdSize } from '../layout.js';
import type { RegimeParams } from '../params.js';
import { centreLegitimacyGain } from '../propaganda.js';
import { U16, clamp01, round } from '../population.js';
import { legitimacyChange } from '../response.js';
import { gradeIndex, scoreMoves } from '../score.js';
import { TallyCounts } from '../tally.js';

/** Set `bit` on the events of every member of i's household (except i when `others`). */
function markHousehold(events: Uint16Array, household: Uint8Array, i: number, bit: number, others: boolean): void {
  const hh = household[i];
  const start = i - householdOffset(hh);
  const end = start + householdSize(hh);
  for (let j = start; j < end; j++) if (!others || j !== i) events[j] |= bit;
}

export function settle(ctx: ShardContext<RegimeParams>): void {
  const p = ctx.params;
  const en = new CellEnforcer(ctx);
  const layout = en.layout;
  const mt = layout.metricTable;
  const { flags, group, household, hardship, legitimacy, events, scoreOffset, cellSanctionsSeen, cellCentre } = en.cols;
  const cellActives = ctx.columns.cellActives as Uint32Array;
  const starts = layout.unitStarts;
  const tally = new TallyCounts(ctx);
  const barForSchool = childrenBarred(p);
  const barForTally = p.family.enabled && p.family.childrenBarred && p.sanctions.enabled;
  const family = p.family.enabled;
  const schooling = p.sanctions.enabled ? p.sanctions.schoolingAttemptRate : 0;
  const scoreInPlay = scoreMoves(p);
  const base = p.score.base;
  const grades = new Float64Array(p.score.bands.length);
  const baseGrade = gradeIndex(p, base);
  const response = p.response.enabled;
  const recovery = p.response.recovery;
  const initial = p.behaviour.initialLegitimacy;
  const repressionLoss = p.response.repressionLoss;
  const RARE = F.OBSERVER | F.DETAINED | F.BLACKLISTED | F.REDLISTED | F.INFORMANT | F.ACCOUNT_CLOSED | F.IN_DEFAULT;
  const OWN_RESPONSE = E.WRONGED | E.HOUSEHOLD_HIT;

  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    const s = starts[c];
    const e = starts[c + 1];
    en.begin(c);
    const r = en.r;
    const visitAll = !en.idleIsNoop;
    for (let i = s; i < e; i++) {
      if (visitAll || events[i] !== 0 || flags[i] & ENFORCEMENT_STATE) {
        en.resident(i);
        // Only visited residents can be listed (BLACKLISTED is an enforcement state), and
        // resident(i) settles i's flags for the day.
        if (events[i] & E.SANCTIONED) markHousehold(events, household, i, E.HOUSEHOLD_HIT, true);
        if ((flags[i] & (F.BLACKLISTED | F.CHILD)) === F.BLACKLISTED) {
          markHousehold(events, household, i, E.FAMILY_LISTED, false);
        }
      }
    }

    const seenPerThousand = (cellSanctionsSeen[c] * 1000) / (e - s);
    const centreGain = centreLegitimacyGain(p, cellCentre[c] === 1);
    // The reference's L + legitimacyChange(L) for a resident neither wronged nor hit through
    // the household, on the stored scale: stored' = stored·keep + shift (then clamp, round).
    const keep = response ? 1 - recovery : 1;
    const shift = (response ? recovery * initial + centreGain - repressionLoss * seenPerThousand : centreGain) * U16;
    tally.clear();
    // Whole-cell totals in locals; residents outside the first group are also added to
    // their group (TallyCounts.minor), and the first group's share is the difference.
    let adults = 0;
    let actives = 0;
    let quiet = 0;
    let sumStored = 0;
    let sumGrievance = 0;
    let sumPoints = 0;
    for (let j = s; j < e; j++) {
      const ev = events[j];
      const f = flags[j];
      let stored: number;
      if (ev & OWN_RESPONSE) {
        const L0 = legitimacy[j] / U16;
        const d = legitimacyChange(p, L0, centreGain, seenPerThousand, (ev & E.WRONGED) !== 0, (ev & E.HOUSEHOLD_HIT) !== 0);
        stored = round(clamp01(L0 + d) * U16);
      } else {
        const x = legitimacy[j] * keep + shift;
        stored = x <= 0 ? 0 : x >= U16 ? U16 : Math.floor(x + 0.5);
      }
      legitimacy[j] = stored;
      const listed = (ev & E.FAMILY_LISTED) !== 0;
      if (listed && barForSchool && f & F.CHILD) en.school(j, schooling);
      // Sums on the stored scales (exact integers; TallyCounts divides).
      sumStored += stored;
      const grievance = hardship[j] * (U16 - stored);
      sumGrievance += grievance;
      let points = 0;
      if (!(f & F.CHILD)) {
        adults++;
        if (f & F.ACTIVE) actives++;
        else if (!(f & F.DETAINED)) quiet++;
        if (scoreInPlay) {
          points = base + scoreOffset[j];
          sumPoints += points;
          grades[gradeIndex(p, points)]++;
        }
      }
      const g = group[j];
      if (g !== 0) tally.minor(g, f, stored, grievance, points);
      if (f & RARE || listed) tally.rare(f, g, listed && family, barForTally);
    }
    if (!scoreInPlay) {
      grades[baseGrade] += adults;
      sumPoints = base * adults;
    }
    tally.totals(e - s, adults, actives, quiet, sumStored, sumGrievance, sumPoints, scoreInPlay ? 0 : base);
    cellActives[c] = actives;
    tally.flush(r);
    en.end(c);
  }
  for (let k = 0; k < grades.length; k++) ctx.acc[mt.gradeBase + k] += grades[k];
}
