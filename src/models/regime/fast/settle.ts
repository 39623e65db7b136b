/**
 * The fast day, second half: enforcement, family spillover, the legitimacy response and
 * the end-of-day tally fused into one pass per cell, so each resident's bytes are read
 * once. Enforcement runs the reference rule (CellEnforcer.resident) only for residents
 * with an event today or a state to run down; for everyone else it is a no-op when
 * `idleIsNoop` holds (no score in play). Counts and sums are kept per cell and added to
 * the metrics once per cell: the same values as the reference tally up to the order of
 * floating-point additions.
 */
import type { ShardContext } from '../../../engine/model.js';
import { CellEnforcer, ENFORCEMENT_STATE } from '../enforcement.js';
import { childrenBarred, householdHasListedAdult } from '../family.js';
import { E, F, householdSize } from '../layout.js';
import type { RegimeParams } from '../params.js';
import { centreLegitimacyGain } from '../propaganda.js';
import { U16, U8, clamp01 } from '../population.js';
import { legitimacyChange } from '../response.js';
import { gradeIndex, scoreMoves } from '../score.js';
import { TallyCounts } from '../tally.js';

export function settle(ctx: ShardContext<RegimeParams>): void {
  const p = ctx.params;
  const en = new CellEnforcer(ctx);
  const layout = en.layout;
  const mt = layout.metricTable;
  const { flags, group, household, hardship, legitimacy, events, scoreOffset, cellSanctionsSeen, cellCentre } = en.cols;
  const cellActives = ctx.columns.cellActives as Uint32Array;
  const starts = layout.unitStarts;
  const G = layout.groups;
  const tally = new TallyCounts(ctx);
  const { cnt, sumL, sumGrievance, sumScore } = tally;
  const barForSchool = childrenBarred(p);
  const barForTally = p.family.enabled && p.family.childrenBarred && p.sanctions.enabled;
  const family = p.family.enabled;
  const schooling = p.sanctions.enabled ? p.sanctions.schoolingAttemptRate : 0;
  const scoreInPlay = scoreMoves(p);
  const base = p.score.base;
  const baseGrade = gradeIndex(p, base);
  const grades = new Float64Array(p.score.bands.length);
  // Rare flags that need the full tally; the rest is population, adults, active and quiet.
  const RARE = F.OBSERVER | F.DETAINED | F.BLACKLISTED | F.REDLISTED | F.INFORMANT | F.ACCOUNT_CLOSED | F.IN_DEFAULT;

  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    const s = starts[c];
    const e = starts[c + 1];
    en.begin(c);
    const r = en.r;
    if (en.idleIsNoop) {
      for (let i = s; i < e; i++) if (events[i] !== 0 || flags[i] & ENFORCEMENT_STATE) en.resident(i);
    } else for (let i = s; i < e; i++) en.resident(i);

    const seenPerThousand = (cellSanctionsSeen[c] * 1000) / (e - s);
    const centreGain = centreLegitimacyGain(p, cellCentre[c] === 1);
    tally.clear();
    let actives = 0;
    let adults = 0;
    for (let h = s; h < e;) {
      const size = householdSize(household[h]);
      const end = h + size;
      let sanctioned = 0;
      let anyFlags = 0;
      for (let j = h; j < end; j++) {
        if (events[j] & E.SANCTIONED) sanctioned++;
        anyFlags |= flags[j];
      }
      const listed = anyFlags & F.BLACKLISTED ? householdHasListedAdult(flags, h, size) : false;
      for (let j = h; j < end; j++) {
        const ev = events[j];
        const f = flags[j];
        const g = group[j];
        const L0 = legitimacy[j] / U16;
        const householdHit = sanctioned > (ev & E.SANCTIONED ? 1 : 0);
        const d = legitimacyChange(p, L0, centreGain, seenPerThousand, (ev & E.WRONGED) !== 0, householdHit);
        const stored = Math.round(clamp01(L0 + d) * U16);
        legitimacy[j] = stored;
        if (listed && barForSchool && f & F.CHILD) en.school(j, schooling);
        const L = stored / U16;
        sumL[g] += L;
        sumGrievance[g] += (hardship[j] / U8) * (1 - L);
        cnt[g]++; // population
        if (!(f & F.CHILD)) {
          adults++;
          cnt[2 * G + g]++;
          if (f & F.ACTIVE) {
            actives++;
            cnt[3 * G + g]++;
          } else if (!(f & F.DETAINED)) cnt[4 * G + g]++;
          if (scoreInPlay) {
            const points = base + scoreOffset[j];
            sumScore[g] += points;
            grades[gradeIndex(p, points)]++;
          } else sumScore[g] += base;
        }
        if (f & RARE || listed) tally.rare(f, g, listed && family, barForTally);
      }
      h = end;
    }
    if (!scoreInPlay) grades[baseGrade] += adults;
    cellActives[c] = actives;
    tally.flush(r);
    en.end(c);
  }
  for (let k = 0; k < grades.length; k++) ctx.acc[mt.gradeBase + k] += grades[k];
}
