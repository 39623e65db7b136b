/**
 * The fast day, first half: behaviour and detection fused, cell by cell, with work in
 * proportion to what happens rather than to who lives there.
 *
 * Each adult's protest decision is Epstein's rule (behaviour.ts wouldProtest) on its own
 * state, with no draw. The
 * day's other acts — minor infractions, critical posts, debt defaults and repayments,
 * civic contributions — and the cameras' false matches are Bernoulli trials per resident
 * in the reference (behaviour.ts, detection.ts). Here each is sampled by skipping over
 * the cell (engine/sampling.ts): the gaps between successes are geometric, and rates that
 * differ by resident (posts grow with grievance, defaults with hardship) are thinned from
 * the cell's upper bound. Every resident still acts with exactly the reference's
 * probability; only the random numbers differ, so the fast day and the reference agree in
 * distribution, not draw for draw (docked in test/regime-docking.test.ts). Detection then
 * visits only the residents who did something.
 */
import type { ShardContext } from '../../../engine/model.js';
import { Skipper } from '../../../engine/sampling.js';
import { IDLE } from '../behaviour.js';
import type { CellChannels } from '../channels.js';
import { CellDetector } from '../detection.js';
import { A, F, GROUP_MASK } from '../bits.js';
import { regimeLayout } from '../layout.js';
import type { ActCell } from '../mechanism.js';
import { Perception } from '../perception.js';
import type { RegimeParams } from '../params.js';
import { admitted, flag, maxRisk, preemptiveMetrics, residentRiskBin } from '../predictive.js';
import { actKindsOf } from '../reference.js';
import { VISIT_FLAGS, encode, isVisited, listVisited, setVisited } from './lazy.js';

/**
 * A cell as the act kinds see it in the fast day: legitimacy through the cell's lazy map,
 * the grievance bound kept since the last rebuild, and the residents with an act today
 * collected for detection.
 */
class FastCell implements ActCell {
  c = 0;
  r = 0;
  grievanceBound = 0;
  anyDefaulter = false;
  /** Index of the cell's first group in the per cell-group maps. */
  mapBase = 0;
  /** Residents with an act today, in the order found: detection visits only these. */
  readonly touched: Int32Array;
  n = 0;
  /** Where the cell's visit bits start, and its first resident. */
  w0 = 0;
  s = 0;
  private readonly legitimacyCodes: Uint16Array;
  private readonly group: Uint8Array;
  private readonly hardship: Uint8Array;
  private readonly mapScale: Float64Array;
  private readonly mapShift: Float64Array;
  private readonly groupCodes: Float64Array;
  private readonly groupHardshipCodes: Float64Array;
  private readonly visits: Uint32Array;
  private readonly acts: Uint8Array;

  constructor(
    readonly ch: CellChannels,
    private readonly perception: Perception,
    readonly day: number,
    cols: Readonly<Record<string, ArrayLike<number>>>,
    largest: number,
  ) {
    this.legitimacyCodes = cols.legitimacy as Uint16Array;
    this.group = cols.group as Uint8Array;
    this.hardship = cols.hardship as Uint8Array;
    this.mapScale = cols.cellMapScale as Float64Array;
    this.mapShift = cols.cellMapShift as Float64Array;
    this.groupCodes = cols.cellGroupCodes as Float64Array;
    this.groupHardshipCodes = cols.cellGroupHardshipCodes as Float64Array;
    this.visits = cols.visits as Uint32Array;
    this.acts = cols.acts as Uint8Array;
    this.touched = new Int32Array(largest);
  }
  perceived(i: number, cellWide: number): number {
    return this.perception.of(i, cellWide, this.day);
  }
  legitimacy(i: number): number {
    const k = this.mapBase + (this.group[i] & GROUP_MASK);
    return this.mapScale[k] * this.legitimacyCodes[i] + this.mapShift[k];
  }
  mark(i: number, act: number): void {
    if (this.acts[i] === 0) this.touched[this.n++] = i;
    this.acts[i] |= act;
  }
  /**
   * Re-code i's legitimacy under the cell's current map, keep the cell's sums in step, and
   * visit i tonight: its grievance may now exceed the cell's bound and its decision change.
   */
  shock(i: number, factor: number): void {
    const k = this.mapBase + (this.group[i] & GROUP_MASK);
    const x0 = this.legitimacyCodes[i];
    const x1 = encode((this.mapScale[k] * x0 + this.mapShift[k]) * factor, this.mapScale[k], this.mapShift[k]);
    this.legitimacyCodes[i] = x1;
    this.groupCodes[k] += x1 - x0;
    this.groupHardshipCodes[k] += this.hardship[i] * (x1 - x0);
    setVisited(this.visits, this.w0, this.s, i, true);
  }
  visit(i: number): void {
    setVisited(this.visits, this.w0, this.s, i, true);
  }
}

export function act(ctx: ShardContext<RegimeParams>): void {
  const p = ctx.params;
  const layout = regimeLayout(p);
  const mt = layout.metricTable;
  const gl = layout.globalsLayout;
  const cols = ctx.columns;
  const flags = cols.flags as Uint16Array;
  const group = cols.group as Uint8Array;
  const acts = cols.acts as Uint8Array;
  const cellActives = cols.cellActives as Uint32Array;
  const cellGrievanceBound = cols.cellGrievanceBound as Float64Array;
  const cellDefaulters = cols.cellDefaulters as Uint32Array;
  const cellShiftFloor = cols.cellShiftFloor as Float64Array;
  const visits = cols.visits as Uint32Array;
  const events = cols.events as Uint16Array;
  const starts = layout.unitStarts;
  const det = new CellDetector(ctx);
  const ch = det.ch;
  const cellRng = ctx.rng('act-cell');
  const detectRng = ctx.rng('detect-cell');
  const riskU = ctx.rng('admit');
  const riskRng = ctx.rng('risk');
  const skip = new Skipper();
  const predictive = p.predictive.enabled;
  const max = maxRisk(p);
  const acc = ctx.acc;
  const wouldAct = mt.base('would_act');
  const PRE = preemptiveMetrics(mt);
  const kinds = actKindsOf(ctx);
  let largest = 0;
  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) largest = Math.max(largest, starts[c + 1] - starts[c]);
  const cell = new FastCell(ch, new Perception(ctx), ctx.tick, cols, largest);
  const touched = cell.touched;
  // Residents visited last night, in order.
  const listed = new Int32Array(largest);
  // Today's protesters with no other act, in the order found.
  const protesters = new Int32Array(largest);
  // The cell at hand.
  let r = 0;
  let s = 0;
  let w0 = 0;
  let activeShare = 0;
  let cutBin = 0;
  let cutFraction = 0;
  /** Resident i at dawn: last night's decision acted on (or pre-empted); returns the new count of touched. */
  const dawn = (i: number, n: number): number => {
    const a = acts[i] & ~A.WAS_ACTIVE;
    acts[i] = a;
    if (predictive && !(flags[i] & IDLE)) {
      const bin = residentRiskBin(ctx, riskRng, i, activeShare, max);
      if (
        admitted(bin, cutBin, cutFraction, riskU.key(i, ctx.tick).uniform()) &&
        flag(ctx, i, (a & A.WOULD_PROTEST) !== 0, r, PRE, riskU)
      ) {
        if (a & A.WOULD_PROTEST) mt.add(acc, wouldAct, group[i] & GROUP_MASK, r, 1);
        setVisited(visits, w0, s, i, true);
        return n;
      }
    }
    const f = flags[i];
    if (a & A.PROTEST) {
      mt.add(acc, wouldAct, group[i] & GROUP_MASK, r, 1);
      touched[n++] = i;
      if (!(f & F.ACTIVE)) flags[i] = f | F.ACTIVE;
    } else if (f & F.ACTIVE) flags[i] = f & ~F.ACTIVE;
    return n;
  };

  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) {
    det.begin(c);
    r = det.r;
    s = starts[c];
    w0 = layout.wordStarts[c];
    const e = starts[c + 1];
    activeShare = cellActives[c] / (e - s);
    cutBin = ctx.globals[gl.riskThresholdBin + r];
    cutFraction = ctx.globals[gl.riskThresholdFraction + r];
    // Decisions were taken last night (fast/decide.ts): acts holds PROTEST | WOULD_PROTEST
    // for today's protesters and 0 for everyone else, and events are clear; ACTIVE still
    // says who protested yesterday, and is set here.
    let n = 0;
    if (predictive) for (let i = s; i < e; i++) n = dawn(i, n);
    else {
      // Only residents visited last night can have a decision, or an ACTIVE flag to clear.
      const visited = listVisited(visits, w0, s, e, listed);
      for (let k = 0; k < visited; k++) if (acts[listed[k]] !== 0) n = dawn(listed[k], n);
    }
    // Legitimacy is kept lazily (fast/lazy.ts): L = scale·code + shift, the cell's map last night.
    cell.c = c;
    cell.r = r;
    cell.mapBase = c * layout.groups;
    cell.w0 = w0;
    cell.s = s;
    cell.grievanceBound = cellGrievanceBound[c];
    cell.anyDefaulter = cellDefaulters[c] > 0;
    cell.n = n;
    // Each kind's candidates by skipping over the cell at its rate (a bound), then its own rule.
    cellRng.key(c, ctx.tick);
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[k];
      skip.rate(kind.rate(cell));
      for (let i = s + skip.gap(cellRng); i < e; i += 1 + skip.gap(cellRng)) kind.candidate(i, cell, cellRng);
    }
    n = cell.n;

    // Detection: the channels' chances at each act, then false matches by skipping over the
    // cell at the highest group's rate, thinned to each innocent adult's own.
    // Protesters who did nothing else are seen by skipping along them; the others one by one.
    let protestsOnly = 0;
    for (let k = 0; k < n; k++) {
      const i = touched[k];
      if (acts[i] === (A.PROTEST | A.WOULD_PROTEST)) protesters[protestsOnly++] = i;
      else det.acts(i);
    }
    if (protestsOnly > 0) det.protestsOnly(protesters, protestsOnly, detectRng.key(c, ctx.tick), skip);
    let falseMax = 0;
    for (let k = 0; k < det.falseMatch.length; k++) falseMax = Math.max(falseMax, det.falseMatch[k]);
    skip.rate(falseMax);
    for (let i = s + skip.gap(cellRng); i < e; i += 1 + skip.gap(cellRng)) {
      if (det.innocent(i) && cellRng.uniform() * falseMax < det.falseMatch[group[i] & GROUP_MASK]) {
        det.falselyMatch(i, cellRng.uniform());
        setVisited(visits, w0, s, i, true);
      }
    }
    det.informants(c);
    det.end(c);
    // An extortion payment raised someone's hardship unseen by the cell's sums and bounds:
    // rebuild the cell tonight (fast/lazy.ts).
    if (det.extortionsPaid > 0) cellShiftFloor.fill(Infinity, c * layout.groups, (c + 1) * layout.groups);
    // Tonight's visits: everyone given an event today or now in a rare state (a default).
    // Acts of the others are read by nobody again: the next act phase must find them clear.
    for (const i of det.reported) setVisited(visits, w0, s, i, true);
    for (let k = 0; k < n; k++) {
      const i = touched[k];
      if (events[i] !== 0 || flags[i] & VISIT_FLAGS) setVisited(visits, w0, s, i, true);
      else if (!isVisited(visits, w0, s, i)) acts[i] = 0;
    }
  }
}
