/**
 * The fast day, second half: enforcement, family spillover, the legitimacy response and
 * the end-of-day tally, cell by cell — and tomorrow's protest decisions (fast/decide.ts).
 *
 * Enforcement runs the reference rule (CellEnforcer.resident) only for residents with an
 * event today or a state to run down; for everyone else it is a no-op when `idleIsNoop`
 * holds (no score in play). Those it visits mark their household: a sanctioned member
 * marks the others HOUSEHOLD_HIT, a listed adult marks everyone FAMILY_LISTED. Then one
 * flat pass over the cell applies the legitimacy response and tallies, without walking
 * households, deciding tomorrow's protests from tonight's state. Most residents take a
 * short path (no event, no rare state); the rest go through `Settler.general`.
 * Counts and sums are kept per cell and added to the metrics once per cell: the reference
 * tally's values up to the order of floating-point additions.
 */
import type { ShardContext } from '../../../engine/model.js';
import { CellEnforcer, ENFORCEMENT_STATE } from '../enforcement.js';
import { childrenBarred } from '../family.js';
import { E, F, GROUP_MASK, householdEnd, householdStart } from '../layout.js';
import type { RegimeParams } from '../params.js';
import { centreLegitimacyGain } from '../propaganda.js';
import { U16, clamp01, round } from '../population.js';
import { legitimacyChange } from '../response.js';
import { gradeIndex, scoreMoves } from '../score.js';
import { TallyCounts } from '../tally.js';
import { ProtestRule, UNDECIDED, decide } from './decide.js';

/** Set `bit` on the events of every member of i's household (except i when `others`); the cell ends at `cellEnd`. */
function markHousehold(
  events: Uint16Array,
  flags: Uint16Array,
  i: number,
  cellStart: number,
  cellEnd: number,
  bit: number,
  others: boolean,
): void {
  const start = householdStart(flags, i, cellStart);
  const end = householdEnd(flags, start, cellEnd);
  for (let j = start; j < end; j++) if (!others || j !== i) events[j] |= bit;
}

/** Flags that send a resident down the general path (rare states, and any stock beyond adults/active/quiet). */
const GENERAL_FLAGS =
  F.OBSERVER | F.DETAINED | F.BLACKLISTED | F.REDLISTED | F.INFORMANT | F.ACCOUNT_CLOSED | F.IN_DEFAULT;

/** Indices into Settler.totals. */
const T_ADULTS = 0;
const T_QUIET = 1;
const T_STORED = 2;
const T_GRIEVANCE = 3;
const T_POINTS = 4;
const T_GRIEVANCE_MAX = 5;
const T_DEFAULTERS = 6;

/** The general path of settle's pass, for residents the short path does not cover. */
class Settler {
  readonly totals = new Float64Array(7);
  readonly grades: Float64Array;
  private readonly p: RegimeParams;
  private readonly scoreInPlay: boolean;
  private readonly schooling: number;
  private readonly barForSchool: boolean;
  private readonly barForTally: boolean;
  seenPerThousand = 0;
  centreGain = 0;

  constructor(
    ctx: ShardContext<RegimeParams>,
    private readonly en: CellEnforcer,
    private readonly tally: TallyCounts,
    private readonly rule: ProtestRule,
  ) {
    const p = (this.p = ctx.params);
    this.scoreInPlay = scoreMoves(p);
    this.schooling = p.sanctions.enabled ? p.sanctions.schoolingAttemptRate : 0;
    this.barForSchool = childrenBarred(p);
    this.barForTally = p.family.enabled && p.family.childrenBarred && p.sanctions.enabled;
    this.grades = new Float64Array(p.score.bands.length);
  }

  general(j: number): void {
    const { p, en, totals } = this;
    const { flags, group, hardship, legitimacy, events, scoreOffset, acts, riskAversion } = en.cols;
    const ev = events[j];
    const f = flags[j];
    const g = group[j] & GROUP_MASK;
    const L0 = legitimacy[j] / U16;
    const wronged = (ev & E.WRONGED) !== 0;
    const d = legitimacyChange(p, L0, this.centreGain, this.seenPerThousand, wronged, (ev & E.HOUSEHOLD_HIT) !== 0);
    const stored = round(clamp01(L0 + d) * U16);
    legitimacy[j] = stored;
    const listed = (ev & E.FAMILY_LISTED) !== 0;
    if (listed && this.barForSchool && f & F.CHILD) en.school(j, this.schooling);
    if (ev !== 0) events[j] = 0;
    totals[T_STORED] += stored;
    const grievance = ProtestRule.grievance(hardship[j], stored);
    totals[T_GRIEVANCE] += grievance;
    let points = 0;
    if (!(f & F.CHILD)) {
      totals[T_ADULTS]++;
      if (!(f & (F.ACTIVE | F.DETAINED))) totals[T_QUIET]++;
      points = this.scoreInPlay ? this.p.score.base + scoreOffset[j] : this.p.score.base;
      totals[T_POINTS] += points;
      this.grades[gradeIndex(p, points)]++;
    }
    if (g !== 0) this.tally.minor(g, f, stored, grievance, points);
    if (f & GENERAL_FLAGS || listed) this.tally.rare(f, g, listed && p.family.enabled, this.barForTally);
    // Tomorrow.
    if (f & UNDECIDED) acts[j] = 0;
    else {
      decide(this.rule, acts, riskAversion, j, f, grievance);
      if (grievance > totals[T_GRIEVANCE_MAX]) totals[T_GRIEVANCE_MAX] = grievance;
      if (f & F.IN_DEFAULT) totals[T_DEFAULTERS]++;
    }
  }
}

const S_ADULTS = 0;
const S_QUIET = 1;
const S_STORED = 2;
const S_GRIEVANCE = 3;
const S_GRIEVANCE_MAX = 4;
const shortTotals = new Float64Array(5);

/**
 * Settle's pass over one cell: residents with no event and no rare state take the short
 * path here (drift, sums, tomorrow's decision); the others go to
 * `settler.general`. A function of its own with typed arrays as arguments, so that V8
 * optimises the hot loop on its own.
 */
function shortPath(
  settler: Settler,
  tally: TallyCounts,
  base: number,
  rule: ProtestRule,
  flags: Uint16Array,
  events: Uint16Array,
  group: Uint8Array,
  legitimacy: Uint16Array,
  hardship: Uint8Array,
  acts: Uint8Array,
  riskAversion: Uint8Array,
  s: number,
  e: number,
  keep: number,
  shift: number,
  everyoneGeneral: boolean,
): Float64Array {
  let adults = 0;
  let quiet = 0;
  let sumStored = 0;
  let sumGrievance = 0;
  let grievanceMax = 0;
  for (let j = s; j < e; j++) {
    const f = flags[j];
    if (everyoneGeneral || events[j] !== 0 || f & GENERAL_FLAGS) {
      settler.general(j);
      continue;
    }
    const x = legitimacy[j] * keep + shift;
    const stored = x <= 0 ? 0 : x >= U16 ? U16 : Math.floor(x + 0.5);
    legitimacy[j] = stored;
    sumStored += stored;
    const grievance = hardship[j] * (U16 - stored);
    sumGrievance += grievance;
    if (!(f & F.CHILD)) {
      adults++;
      if (!(f & F.ACTIVE)) quiet++;
      decide(rule, acts, riskAversion, j, f, grievance);
      if (grievance > grievanceMax) grievanceMax = grievance;
    }
    const g = group[j] & GROUP_MASK;
    if (g !== 0) tally.minor(g, f, stored, grievance, base);
  }
  shortTotals[S_ADULTS] = adults;
  shortTotals[S_QUIET] = quiet;
  shortTotals[S_STORED] = sumStored;
  shortTotals[S_GRIEVANCE] = sumGrievance;
  shortTotals[S_GRIEVANCE_MAX] = grievanceMax;
  return shortTotals;
}

export function settle(ctx: ShardContext<RegimeParams>): void {
  const p = ctx.params;
  const en = new CellEnforcer(ctx);
  const layout = en.layout;
  const mt = layout.metricTable;
  const { flags, group, hardship, legitimacy, events, acts, riskAversion } = en.cols;
  const { cellSanctionsSeen, cellCentre } = en.cols;
  const { cellActives, cellGrievanceMax, cellDefaulters } = ctx.columns;
  const starts = layout.unitStarts;
  const tally = new TallyCounts(ctx);
  const rule = new ProtestRule(ctx);
  const settler = new Settler(ctx, en, tally, rule);
  const totals = settler.totals;
  const everyoneGeneral = scoreMoves(p);
  // Family spillover (household tallies, children's schooling) is the only reader of FAMILY_LISTED.
  const family = p.family.enabled;
  const base = p.score.base;
  const baseGrade = gradeIndex(p, base);
  const response = p.response.enabled;
  const recovery = p.response.recovery;
  const initial = p.behaviour.initialLegitimacy;
  const repressionLoss = p.response.repressionLoss;

  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    const s = starts[c];
    const e = starts[c + 1];
    en.begin(c);
    const r = en.r;
    const visitAll = !en.idleIsNoop;
    let protesters = 0;
    for (let i = s; i < e; i++) {
      if (visitAll || events[i] !== 0 || flags[i] & ENFORCEMENT_STATE) {
        en.resident(i);
        // Only visited residents can be listed (BLACKLISTED is an enforcement state), and
        // resident(i) settles i's flags for the day.
        if (events[i] & E.SANCTIONED) markHousehold(events, flags, i, s, e, E.HOUSEHOLD_HIT, true);
        if (family && (flags[i] & (F.BLACKLISTED | F.CHILD)) === F.BLACKLISTED) {
          markHousehold(events, flags, i, s, e, E.FAMILY_LISTED, false);
        }
      }
      if (flags[i] & F.ACTIVE) protesters++;
    }

    // Today's legitimacy response reads the sanctions seen before today's are added.
    const seenPerThousand = (cellSanctionsSeen[c] * 1000) / (e - s);
    const centreGain = centreLegitimacyGain(p, cellCentre[c] === 1);
    settler.seenPerThousand = seenPerThousand;
    settler.centreGain = centreGain;
    en.end(c);
    cellActives[c] = protesters;
    rule.cell(c);
    // The reference's L + legitimacyChange(L) for a resident neither wronged nor hit through
    // the household, on the stored scale: stored' = stored·keep + shift (then clamp, round).
    const keep = response ? 1 - recovery : 1;
    const shift = (response ? recovery * initial + centreGain - repressionLoss * seenPerThousand : centreGain) * U16;
    tally.clear();
    totals.fill(0);
    // Short path: no event, no rare state, no score in play.
    const short = shortPath(
      settler,
      tally,
      p.score.base,
      rule,
      flags,
      events,
      group,
      legitimacy,
      hardship,
      acts,
      riskAversion,
      s,
      e,
      keep,
      shift,
      everyoneGeneral,
    );
    const adults = short[S_ADULTS];
    const quiet = short[S_QUIET];
    const sumStored = short[S_STORED];
    const sumGrievance = short[S_GRIEVANCE];
    const grievanceMax = short[S_GRIEVANCE_MAX];
    const allAdults = adults + totals[T_ADULTS];
    if (!everyoneGeneral) settler.grades[baseGrade] += adults;
    tally.totals(
      e - s,
      allAdults,
      protesters,
      quiet + totals[T_QUIET],
      sumStored + totals[T_STORED],
      sumGrievance + totals[T_GRIEVANCE],
      base * adults + totals[T_POINTS],
      0,
    );
    cellGrievanceMax[c] = Math.max(grievanceMax, totals[T_GRIEVANCE_MAX]);
    cellDefaulters[c] = totals[T_DEFAULTERS];
    tally.flush(r);
  }
  for (let k = 0; k < settler.grades.length; k++) ctx.acc[mt.gradeBase + k] += settler.grades[k];
}
