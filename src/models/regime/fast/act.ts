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
import { behaviourMetrics, behaviourSettings, detainPreemptively, preemptiveMetrics } from '../behaviour.js';
import { CellDetector } from '../detection.js';
import { A, F, GROUP_MASK, regimeLayout } from '../layout.js';
import type { RegimeParams } from '../params.js';
import { U8 } from '../population.js';
import { admitted, residentRiskBin } from '../predictive.js';
import { VISIT_FLAGS, isVisited, listVisited, setVisited } from './lazy.js';

const IDLE = F.CHILD | F.DETAINED;

export function act(ctx: ShardContext<RegimeParams>): void {
  const p = ctx.params;
  const layout = regimeLayout(p);
  const mt = layout.metricTable;
  const gl = layout.globalsLayout;
  const cols = ctx.columns;
  const flags = cols.flags as Uint16Array;
  const group = cols.group as Uint8Array;
  const hardship = cols.hardship as Uint8Array;
  const legitimacy = cols.legitimacy as Uint16Array;
  const acts = cols.acts as Uint8Array;
  const cellActives = cols.cellActives as Uint32Array;
  const cellGrievanceBound = cols.cellGrievanceBound as Float64Array;
  const cellDefaulters = cols.cellDefaulters as Uint32Array;
  const cellMapScale = cols.cellMapScale as Float64Array;
  const cellMapShift = cols.cellMapShift as Float64Array;
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
  const b = p.behaviour;
  const { deterrence, chilling, barred, predictive, max } = behaviourSettings(p);
  const acc = ctx.acc;
  const M = behaviourMetrics(mt);
  const PRE = preemptiveMetrics(mt);
  let largest = 0;
  for (let c = ctx.unitStart; c < ctx.unitEnd; c++) largest = Math.max(largest, starts[c + 1] - starts[c]);
  // Residents with an act today, in the order found: detection visits only these.
  const touched = new Int32Array(largest);
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
      if (admitted(bin, cutBin, cutFraction, riskU.key(i, ctx.tick).uniform())) {
        if (a & A.WOULD_PROTEST) mt.add(acc, M.wouldAct, group[i] & GROUP_MASK, r, 1);
        detainPreemptively(ctx, i, (a & A.WOULD_PROTEST) !== 0, r, PRE);
        setVisited(visits, w0, s, i, true);
        return n;
      }
    }
    const f = flags[i];
    if (a & A.PROTEST) {
      mt.add(acc, M.wouldAct, group[i] & GROUP_MASK, r, 1);
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
    const scale = cellMapScale[c];
    const shift = cellMapShift[c];
    const grievanceBound = cellGrievanceBound[c];
    const defaulters = cellDefaulters[c];

    cellRng.key(c, ctx.tick);
    // Minor infractions, deterred by perceived detection.
    skip.rate(b.infractionRate);
    for (let i = s + skip.gap(cellRng); i < e; i += 1 + skip.gap(cellRng)) {
      if (flags[i] & IDLE) continue;
      if (cellRng.uniform() < deterrence * ch.offline) mt.add(acc, M.deterred, group[i] & GROUP_MASK, r, 1);
      else {
        if (acts[i] === 0) touched[n++] = i;
        acts[i] |= A.INFRACTION;
        mt.add(acc, M.infractions, group[i] & GROUP_MASK, r, 1);
      }
    }
    // Online criticism at rate criticismRate × grievance, thinned from the cell's highest
    // grievance; perceived platform monitoring chills it.
    skip.rate(b.criticismRate * grievanceBound);
    for (let i = s + skip.gap(cellRng); i < e; i += 1 + skip.gap(cellRng)) {
      const f = flags[i];
      if (f & IDLE) continue;
      const grievance = (hardship[i] / U8) * (1 - (scale * legitimacy[i] + shift));
      // Thinning needs the bound: nothing may raise grievance between last night and here.
      if (grievance > grievanceBound * (1 + 1e-9))
        throw new Error(`act: grievance above the cell's bound at resident ${i}`);
      if (cellRng.uniform() * grievanceBound >= grievance) continue;
      const g = group[i] & GROUP_MASK;
      mt.add(acc, M.desired, g, r, 1);
      if (barred && f & F.ACCOUNT_CLOSED) mt.add(acc, M.reregistration, g, r, 1);
      else if (cellRng.uniform() >= chilling * ch.platform) {
        if (acts[i] === 0) touched[n++] = i;
        acts[i] |= A.POST;
        mt.add(acc, M.expressed, g, r, 1);
      }
    }
    // Debt: those in default at dawn repay at repaymentRate × (1 − hardship); the others
    // default at defaultRate × hardship.
    if (defaulters > 0) {
      skip.rate(b.repaymentRate);
      for (let i = s + skip.gap(cellRng); i < e; i += 1 + skip.gap(cellRng)) {
        const f = flags[i];
        if (f & IDLE || !(f & F.IN_DEFAULT) || cellRng.uniform() >= 1 - hardship[i] / U8) continue;
        if (acts[i] === 0) touched[n++] = i;
        acts[i] |= A.REPAY;
        flags[i] = f & ~F.IN_DEFAULT;
        mt.add(acc, M.repayments, group[i] & GROUP_MASK, r, 1);
      }
    }
    skip.rate(b.defaultRate);
    for (let i = s + skip.gap(cellRng); i < e; i += 1 + skip.gap(cellRng)) {
      const f = flags[i];
      if (f & (IDLE | F.IN_DEFAULT) || acts[i] & A.REPAY || cellRng.uniform() >= hardship[i] / U8) continue;
      if (acts[i] === 0) touched[n++] = i;
      acts[i] |= A.DEFAULT;
      flags[i] = f | F.IN_DEFAULT;
      mt.add(acc, M.defaults, group[i] & GROUP_MASK, r, 1);
    }
    // Civic contributions at civicRate × legitimacy.
    skip.rate(b.civicRate);
    for (let i = s + skip.gap(cellRng); i < e; i += 1 + skip.gap(cellRng)) {
      if (flags[i] & IDLE || cellRng.uniform() >= scale * legitimacy[i] + shift) continue;
      if (acts[i] === 0) touched[n++] = i;
      acts[i] |= A.CIVIC;
      mt.add(acc, M.civic, group[i] & GROUP_MASK, r, 1);
    }

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
    if (det.extortionsPaid > 0) cellShiftFloor[c] = Infinity;
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
