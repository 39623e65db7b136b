/**
 * The fast day, second half: enforcement, family spillover, the legitimacy response and
 * the end-of-day tally, cell by cell — and tomorrow's protest decisions (fast/decide.ts).
 *
 * One scan per cell finds the residents with something to do tonight: an event, a rare
 * state, a protest today, or a decision that may change (a candidate, fast/lazy.ts).
 * Enforcement runs the reference rule (CellEnforcer.resident) for those with an event or
 * a state to run down; for everyone else it is a no-op when `idleIsNoop` holds (no score
 * in play). A detained or listed resident marks the rest of its household HOUSEHOLD_HIT or
 * HOUSEHOLD_LISTED, a blacklisted adult has its household visited (family spillover), and
 * the marked join tonight's visits.
 *
 * Everyone else's legitimacy moves by the cell's map without being written (lazy.ts), so
 * a night visits only those found. A cell whose floors no longer hold is rebuilt: every
 * resident recomputed, re-coded, decided and classified. Counts and sums are kept per cell
 * and added to the metrics once per cell: the reference tally's values up to rounding and
 * the order of floating-point additions.
 */
import type { ShardContext } from '../../../engine/model.js';
import type { CounterRng } from '../../../engine/rng.js';
import { Skipper } from '../../../engine/sampling.js';
import { CellEnforcer, ENFORCEMENT_STATE } from '../enforcement.js';
import { childrenBarred, householdHasListedAdult } from '../family.js';
import { A, E, F, GROUP_MASK } from '../bits.js';
import { householdEnd, householdStart } from '../layout.js';
import type { RegimeParams } from '../params.js';
import { Perception } from '../perception.js';
import { expressedView } from '../views.js';
import { U16, U8 } from '../population.js';
import type { CellResponse } from '../response.js';
import { gradeIndex, scoreMoves } from '../score.js';
import { TallyCounts } from '../tally.js';
import { ProtestRule, UNDECIDED, decide } from './decide.js';
import {
  KEEP_BAND,
  LEGITIMACY_BAND,
  REBUILT_SCALE,
  REBUILT_SHIFT,
  RISK_BAND,
  SCALE_FLOOR,
  encode,
  grievanceCeiling,
  legitimacyFloor,
  isVisited,
  listVisited,
  mayProtest,
  RARE_FLAGS,
  VISIT_FLAGS,
  setVisited,
  sumGrievance,
  sumLegitimacy,
} from './lazy.js';

/** Flags that take a visit off the plain path: rare states, enforcement, children. */
const PLAIN_EXCLUDES = (VISIT_FLAGS & ~F.ACTIVE) | F.CHILD;

/** One cell's night: the visits, the rebuild, the tally. */
class CellSettler {
  private readonly p: RegimeParams;
  private readonly G: number;
  // Columns as fields of their own: visits are hot, and V8 keeps these monomorphic.
  private readonly flags: Uint16Array;
  private readonly events: Uint16Array;
  private readonly group: Uint8Array;
  private readonly hardship: Uint8Array;
  private readonly legitimacy: Uint16Array;
  private readonly riskAversion: Uint8Array;
  private readonly acts: Uint8Array;
  private readonly scoreOffset: Int16Array;
  private readonly visits: Uint32Array;
  private readonly cells;
  private readonly scoreInPlay: boolean;
  private readonly visitAll: boolean;
  private readonly family: boolean;
  private readonly schooling: number;
  private readonly barForSchool: boolean;
  private readonly barForTally: boolean;
  private readonly response: CellResponse;
  private readonly perception: Perception;
  private readonly surveying: boolean;
  private readonly baseGrade: number;
  readonly grades: Float64Array;
  /**
   * Residents to visit tonight, in order: first those whose bit is set in `visits` (the
   * scan), then household members marked during enforcement. `queued` marks the latter
   * (the former have their bit); when everyone is visited it marks everyone, and during a
   * rebuild's pass over the unvisited it marks the scanned too.
   */
  private readonly queue: Int32Array;
  private readonly queued: Uint8Array;
  private scanned = 0;
  /** Hardship of each queued resident before tonight's enforcement (blocked attempts raise it). */
  private readonly hardshipBefore: Uint8Array;
  private n = 0;
  /** Arrests of protesters with nothing else to their name, by skipping (`nextArrest`). */
  private readonly arrestsBySkipping: boolean;
  private readonly arrests = new Skipper();
  private readonly arrestRng: CounterRng;
  private untilArrest = -1;

  // The cell being settled.
  private c = 0;
  private s = 0;
  private e = 0;
  private w0 = 0;
  private rebuild = false;
  /** Per group: the cell's map last night (x → L) and after tonight's. */
  private readonly scale0: Float64Array;
  private readonly shift0: Float64Array;
  private readonly scale1: Float64Array;
  private readonly shift1: Float64Array;
  /** Per group: the lowest legitimacy an untouched member can reach before the next rebuild. */
  private readonly floorL: Float64Array;
  private riskFloorScaled = 0;
  private bound = 0;
  private defaulters = 0;
  /** Per group: Σ hardship, Σ codes and Σ hardship·code; adults who protest or are detained; points above the base. */
  private readonly hardships: Float64Array;
  private readonly codes: Float64Array;
  private readonly hardshipCodes: Float64Array;
  private readonly notQuiet: Float64Array;
  private readonly active: Float64Array;
  private readonly extraPoints: Float64Array;
  private gradedAdults = 0;

  constructor(
    private readonly ctx: ShardContext<RegimeParams>,
    private readonly en: CellEnforcer,
    private readonly tally: TallyCounts,
    private readonly rule: ProtestRule,
  ) {
    const p = (this.p = ctx.params);
    const layout = en.layout;
    const G = (this.G = layout.groups);
    const c = ctx.columns;
    this.flags = en.cols.flags;
    this.events = en.cols.events;
    this.group = en.cols.group;
    this.hardship = en.cols.hardship;
    this.legitimacy = en.cols.legitimacy;
    this.riskAversion = en.cols.riskAversion;
    this.acts = en.cols.acts;
    this.scoreOffset = en.cols.scoreOffset;
    this.visits = c.visits as Uint32Array;
    this.cells = {
      cellMapScale: c.cellMapScale as Float64Array,
      cellMapShift: c.cellMapShift as Float64Array,
      cellShiftFloor: c.cellShiftFloor as Float64Array,
      cellKeepFloor: c.cellKeepFloor as Float64Array,
      cellRiskFloor: c.cellRiskFloor as Float64Array,
      cellGrievanceBound: c.cellGrievanceBound as Float64Array,
      cellDefaulters: c.cellDefaulters as Uint32Array,
      cellActives: c.cellActives as Uint32Array,
      cellGroupResidents: c.cellGroupResidents as Uint32Array,
      cellGroupAdults: c.cellGroupAdults as Uint32Array,
      cellGroupHardship: c.cellGroupHardship as Float64Array,
      cellGroupCodes: c.cellGroupCodes as Float64Array,
      cellGroupHardshipCodes: c.cellGroupHardshipCodes as Float64Array,
    };
    this.scoreInPlay = scoreMoves(p);
    this.visitAll = !en.idleIsNoop;
    this.arrestsBySkipping = en.arrestIsAllForProtesters;
    this.arrestRng = ctx.rng('settle-cell');
    this.family = p.family.enabled;
    this.schooling = p.sanctions.enabled ? p.sanctions.schoolingAttemptRate : 0;
    this.barForSchool = childrenBarred(p);
    this.barForTally = p.family.enabled && p.family.childrenBarred && p.sanctions.enabled;
    this.response = en.response;
    this.perception = new Perception(ctx);
    this.surveying = p.views.enabled;
    this.scale0 = new Float64Array(G);
    this.shift0 = new Float64Array(G);
    this.scale1 = new Float64Array(G);
    this.shift1 = new Float64Array(G);
    this.floorL = new Float64Array(G);
    this.baseGrade = gradeIndex(p, p.score.base);
    this.grades = new Float64Array(p.score.bands.length);
    let largest = 0;
    for (let k = ctx.unitStart; k < ctx.unitEnd; k++) {
      largest = Math.max(largest, layout.unitStarts[k + 1] - layout.unitStarts[k]);
    }
    this.queue = new Int32Array(largest);
    this.queued = new Uint8Array(largest);
    this.hardshipBefore = new Uint8Array(largest);
    this.hardships = new Float64Array(G);
    this.codes = new Float64Array(G);
    this.hardshipCodes = new Float64Array(G);
    this.notQuiet = new Float64Array(G);
    this.active = new Float64Array(G);
    this.extraPoints = new Float64Array(G);
  }

  /**
   * Whether the next protester with a recorded protest and nothing else is arrested. Each is,
   * independently, with the cell's arrest share, as in the reference's one draw per
   * protester; here the gaps between arrests are drawn (engine/sampling.ts), on the cell's
   * stream `settle-cell`, so a night draws per arrest, not per protester.
   */
  private nextArrest(): boolean {
    if (this.untilArrest < 0) {
      this.arrests.rate(this.en.arrestShare);
      this.untilArrest = this.arrests.gap(this.arrestRng.key(this.c, this.ctx.tick));
    }
    if (this.untilArrest === 0) {
      this.untilArrest = this.arrests.gap(this.arrestRng);
      return true;
    }
    this.untilArrest--;
    return false;
  }

  private enqueue(i: number): void {
    const k = i - this.s;
    // The scan's residents keep their bit until the visits (nothing clears it before).
    if (this.queued[k] === 0 && (this.visitAll || !isVisited(this.visits, this.w0, this.s, i))) {
      this.queued[k] = 1;
      this.queue[this.n++] = i;
    }
  }

  /** Set `bit` on the events of every member of i's household (except i when `others`), and visit them tonight. */
  private markHousehold(i: number, bit: number, others: boolean): void {
    const { flags, events } = this;
    const start = householdStart(flags, i, this.s);
    const end = householdEnd(flags, start, this.e);
    for (let j = start; j < end; j++) {
      if (others && j === i) continue;
      events[j] |= bit;
      this.enqueue(j);
    }
  }

  /** Whether an adult of j's household is blacklisted. */
  private householdListed(j: number): boolean {
    const start = householdStart(this.flags, j, this.s);
    return householdHasListedAdult(this.flags, start, householdEnd(this.flags, start, this.e));
  }

  /** Every member of i's household learns tonight that an act of theirs was detected, and is visited. */
  private alertHousehold(i: number): void {
    const start = householdStart(this.flags, i, this.s);
    const end = householdEnd(this.flags, start, this.e);
    for (let j = start; j < end; j++) {
      this.perception.alert(j, this.ctx.tick);
      this.enqueue(j);
    }
  }

  settle(c: number): void {
    const { en, cells: cols, rule, tally, G, flags, events } = this;
    const layout = en.layout;
    const s = (this.s = layout.unitStarts[c]);
    const e = (this.e = layout.unitStarts[c + 1]);
    const w0 = (this.w0 = layout.wordStarts[c]);
    this.c = c;
    this.n = 0;
    en.begin(c);

    // Who has something to do tonight; enforcement, in order, for those with an event or a
    // state (household marks may add members after the scan: they join the end).
    const visitAll = this.visitAll;
    if (visitAll) for (let i = s; i < e; i++) this.enqueue(i);
    else this.n = listVisited(this.visits, w0, s, e, this.queue);
    this.scanned = visitAll ? 0 : this.n;
    let protesters = 0;
    this.untilArrest = -1;
    const { hardship, hardshipBefore } = this;
    for (let k = 0; k < this.n; k++) {
      const i = this.queue[k];
      // Only i's own enforcement changes i's hardship, and it comes next.
      hardshipBefore[i - s] = hardship[i];
      let rule = visitAll || events[i] !== 0 || (flags[i] & ENFORCEMENT_STATE) !== 0;
      let arrestDraw = -1;
      if (!visitAll && events[i] === 0 && (flags[i] & ENFORCEMENT_STATE) === F.DETAINED) {
        en.serveDetention(i);
        rule = false;
      } else if (this.arrestsBySkipping && events[i] === E.PROTEST && !(flags[i] & ENFORCEMENT_STATE)) {
        // A recorded protest and nothing else: only an arrest can follow.
        rule = this.nextArrest();
        arrestDraw = 0;
      }
      if (rule) {
        en.resident(i, arrestDraw);
        // Only visited residents can be listed (BLACKLISTED is an enforcement state), and
        // resident(i) settles i's flags for the day.
        if (events[i] & E.DETAINED_TODAY) this.markHousehold(i, E.HOUSEHOLD_HIT, true);
        if (events[i] & E.LISTED) this.markHousehold(i, E.HOUSEHOLD_LISTED, true);
        if (this.family && (flags[i] & (F.BLACKLISTED | F.CHILD)) === F.BLACKLISTED) {
          this.markHousehold(i, 0, false);
        }
      }
      // A detected act tells the household that surveillance sees (perception.ts).
      if (this.perception.alarming(events[i])) this.alertHousehold(i);
      if (flags[i] & F.ACTIVE) protesters++;
    }

    // Today's legitimacy response reads the sanctions seen before today's are added.
    const response = this.response;
    response.cell(c, en.arrestShare);
    en.end(c);
    cols.cellActives[c] = protesters;
    rule.cell(c);

    // Tonight's map per group for residents without a shock: L' = keep·L + shift (response.ts).
    const { scale0, shift0, scale1, shift1 } = this;
    const riskScaled = Math.min(rule.activeRiskScaled, rule.quietRiskScaled);
    let rebuild = riskScaled < cols.cellRiskFloor[c] * U16;
    for (let g = 0; g < G; g++) {
      const k = c * G + g;
      const keep = response.keep[g];
      const shift = response.shift[g];
      scale0[g] = cols.cellMapScale[k];
      shift0[g] = cols.cellMapShift[k];
      scale1[g] = keep * scale0[g];
      shift1[g] = keep * shift0[g] + shift;
      rebuild ||=
        shift < cols.cellShiftFloor[k] ||
        keep < cols.cellKeepFloor[k] ||
        shift < 0 ||
        keep + shift > 1 ||
        scale1[g] < SCALE_FLOOR;
    }
    this.rebuild = rebuild;
    const { hardships, codes, hardshipCodes } = this;
    if (rebuild) {
      for (let g = 0; g < G; g++) {
        const k = c * G + g;
        const keep = response.keep[g];
        cols.cellShiftFloor[k] = Math.max(0, response.shift[g] - (1 - keep) * LEGITIMACY_BAND);
        cols.cellKeepFloor[k] = keep - (1 - keep) * KEEP_BAND;
        scale1[g] = REBUILT_SCALE;
        shift1[g] = REBUILT_SHIFT;
      }
      cols.cellRiskFloor[c] = riskScaled / U16 - RISK_BAND;
      this.bound = 0;
      hardships.fill(0);
      codes.fill(0);
      hardshipCodes.fill(0);
    } else {
      this.bound = cols.cellGrievanceBound[c];
      for (let g = 0; g < G; g++) {
        hardships[g] = cols.cellGroupHardship[c * G + g];
        codes[g] = cols.cellGroupCodes[c * G + g];
        hardshipCodes[g] = cols.cellGroupHardshipCodes[c * G + g];
      }
    }
    for (let g = 0; g < G; g++) {
      this.floorL[g] = legitimacyFloor(cols.cellShiftFloor[c * G + g], cols.cellKeepFloor[c * G + g]);
    }
    this.riskFloorScaled = cols.cellRiskFloor[c] * U16;
    this.defaulters = 0;
    this.gradedAdults = 0;
    this.notQuiet.fill(0);
    this.active.fill(0);
    this.extraPoints.fill(0);
    tally.clear();

    for (let k = 0; k < this.n; k++) this.visit(this.queue[k]);
    if (this.rebuild) {
      for (let k = 0; k < this.scanned; k++) this.queued[this.queue[k] - s] = 1;
      this.rebuildUnvisited();
      for (let k = 0; k < this.scanned; k++) this.queued[this.queue[k] - s] = 0;
    }
    for (let k = this.scanned; k < this.n; k++) this.queued[this.queue[k] - s] = 0;

    for (let g = 0; g < G; g++) {
      cols.cellMapScale[c * G + g] = scale1[g];
      cols.cellMapShift[c * G + g] = shift1[g];
    }
    cols.cellGrievanceBound[c] = this.bound;
    cols.cellDefaulters[c] = this.defaulters;
    for (let g = 0; g < G; g++) {
      cols.cellGroupHardship[c * G + g] = hardships[g];
      cols.cellGroupCodes[c * G + g] = codes[g];
      cols.cellGroupHardshipCodes[c * G + g] = hardshipCodes[g];
    }
    if (this.surveying) this.survey();
    this.addTotals();
    tally.flush(en.r);
  }

  /** Tonight for resident j, found by the scan or marked through its household. */
  private visit(j: number): void {
    const { en, tally, flags, group, hardship, legitimacy, events, acts, visits } = this;
    const ev = events[j];
    const f = flags[j];
    // Family spillover: whether an adult of j's household is on the blacklist tonight.
    const listed = this.family && this.householdListed(j);
    if (!listed && (ev & ~E.PROTEST) === 0 && (f & PLAIN_EXCLUDES) === 0 && !this.rebuild && !this.visitAll) {
      const h = hardship[j];
      if (h === this.hardshipBefore[j - this.s]) {
        // A free adult with at most a recorded protest and no shock (most visits: candidates
        // and protesters): its code and the cell's sums are as they were; only its counts
        // and its decision are due.
        if (ev !== 0) events[j] = 0;
        const g = group[j] & GROUP_MASK;
        if (f & F.ACTIVE) {
          this.active[g]++;
          this.notQuiet[g]++;
        }
        if (this.scoreInPlay) this.grade(j, g);
        this.decideAndClassify(j, f, h, g, this.scale1[g] * legitimacy[j] + this.shift1[g]);
        return;
      }
    }
    const g = group[j] & GROUP_MASK;
    const x0 = legitimacy[j];
    const factor = this.response.shock(ev, f);
    let x1 = x0;
    if (this.rebuild || factor !== 1) {
      const L1 = this.response.next(this.scale0[g] * x0 + this.shift0[g], g, factor);
      x1 = encode(L1, this.scale1[g], this.shift1[g]);
      legitimacy[j] = x1;
    }
    if (listed && this.barForSchool && f & F.CHILD) en.school(j, this.schooling);
    // A rebuild sums every resident afresh; otherwise the cell's sums take the change
    // (hardship may have risen tonight: blocked attempts, schooling).
    const h = hardship[j];
    if (this.rebuild) {
      this.hardships[g] += h;
      this.codes[g] += x1;
      this.hardshipCodes[g] += h * x1;
    } else {
      const h0 = this.hardshipBefore[j - this.s];
      this.hardships[g] += h - h0;
      this.codes[g] += x1 - x0;
      this.hardshipCodes[g] += h * x1 - h0 * x0;
    }
    const L = this.scale1[g] * x1 + this.shift1[g];

    if (ev !== 0) events[j] = 0;
    if (!(f & F.CHILD)) {
      // Protested today, arrested tonight or not (the ACTIVE flag is cleared by an arrest).
      const protested = (acts[j] & A.PROTEST) !== 0;
      if (protested) this.active[g]++;
      if (protested || f & F.DETAINED) this.notQuiet[g]++;
      if (this.scoreInPlay) this.grade(j, g);
    }
    if (f & RARE_FLAGS || listed) tally.rare(f, g, listed && this.family, this.barForTally);
    // Tomorrow.
    if (f & UNDECIDED) {
      acts[j] = 0;
      setVisited(visits, this.w0, this.s, j, (f & VISIT_FLAGS) !== 0);
    } else {
      this.decideAndClassify(j, f, h, g, L);
      if (f & F.IN_DEFAULT) this.defaulters++;
    }
  }

  /** Adult j's score into the cell's grades and its points above the base. */
  private grade(j: number, g: number): void {
    // At the base score an adult is counted with the ungraded (addTotals).
    const offset = this.scoreOffset[j];
    if (offset === 0) return;
    const p = this.p;
    const points = p.score.base + offset;
    this.extraPoints[g] += points - p.score.base;
    this.grades[gradeIndex(p, points)]++;
    this.gradedAdults++;
  }

  /** Tomorrow's decision of free adult j of group g (legitimacy L tonight), its candidacy and the cell's grievance bound. */
  private decideAndClassify(j: number, f: number, h: number, g: number, L: number): void {
    const { rule, riskAversion } = this;
    const r = riskAversion[j];
    decide(rule, this.acts, riskAversion, j, f, h * U16 * (1 - L));
    const floorL = this.floorL[g];
    const candidate = mayProtest(h, r, L, floorL, this.riskFloorScaled, rule.thresholdScaled);
    setVisited(this.visits, this.w0, this.s, j, candidate || (f & VISIT_FLAGS) !== 0);
    const ceiling = grievanceCeiling(h, L, floorL);
    if (ceiling > this.bound) this.bound = ceiling;
  }

  /**
   * A rebuild's pass over the residents not visited tonight: free adults and children
   * with no event and no rare state, moved by the reference's rule without a shock.
   */
  private rebuildUnvisited(): void {
    const { queued, s, e, scale0, shift0, scale1, shift1, response } = this;
    const { flags, group, hardship, legitimacy } = this;
    for (let i = s; i < e; i++) {
      if (queued[i - s] !== 0) continue;
      const g = group[i] & GROUP_MASK;
      const x = encode(response.next(scale0[g] * legitimacy[i] + shift0[g], g, 1), scale1[g], shift1[g]);
      legitimacy[i] = x;
      const h = hardship[i];
      this.hardships[g] += h;
      this.codes[g] += x;
      this.hardshipCodes[g] += h * x;
      const f = flags[i];
      if (!(f & F.CHILD)) this.decideAndClassify(i, f, h, g, scale1[g] * x + shift1[g]);
    }
  }

  /** Tonight's survey of the cell's sampled free adults (views.ts), from their legitimacy after tonight. */
  private survey(): void {
    const { p, s, e, flags, group, legitimacy, riskAversion, scale1, shift1, tally } = this;
    const every = p.views.sampleEvery;
    const speech = this.rule.perceivedSpeech;
    for (let i = s + ((every - (s % every)) % every); i < e; i += every) {
      if (flags[i] & (F.CHILD | F.DETAINED)) continue;
      const g = group[i] & GROUP_MASK;
      const L = scale1[g] * legitimacy[i] + shift1[g];
      const perceived = this.perception.of(i, speech, this.ctx.tick);
      tally.survey(g, L, expressedView(p, L, perceived, riskAversion[i] / U8));
    }
  }

  /** The cell's common stocks and sums: from the per-group counts and the map, plus tonight's visits. */
  private addTotals(): void {
    const { cells: cols, tally, G, c, scale1, shift1 } = this;
    let adults = 0;
    for (let g = 0; g < G; g++) {
      const residents = cols.cellGroupResidents[c * G + g];
      const groupAdults = cols.cellGroupAdults[c * G + g];
      adults += groupAdults;
      tally.group(
        g,
        residents,
        groupAdults,
        this.active[g],
        groupAdults - this.notQuiet[g],
        sumLegitimacy(scale1[g], shift1[g], residents, this.codes[g]) * U16,
        sumGrievance(scale1[g], shift1[g], this.hardships[g], this.hardshipCodes[g]) * U16,
        this.extraPoints[g],
      );
      tally.sumPerceived[g] = this.rule.perceivedProtest * residents;
    }
    this.grades[this.baseGrade] += adults - this.gradedAdults;
  }
}

export function settle(ctx: ShardContext<RegimeParams>): void {
  const en = new CellEnforcer(ctx);
  const settler = new CellSettler(ctx, en, new TallyCounts(ctx), new ProtestRule(ctx));
  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) settler.settle(c);
  const mt = en.layout.metricTable;
  for (let k = 0; k < settler.grades.length; k++) ctx.acc[mt.gradeBase + k] += settler.grades[k];
}
