/**
 * Epstein (2002) civil violence, Model I: citizens and cops on a torus, random sequential
 * activation (one global system runs the whole population in a fresh random order each
 * tick, as the original and both reference implementations do).
 *
 * Data layout. Random activation visits agents in random order and each turn lands on a
 * random cell, so nearly every access is a cache miss on a large lattice; the layout is
 * chosen to make one turn touch as few cache lines as possible:
 *   agent  i32 × 4 per agent: pos (cell; kept while jailed) · next (next agent on the same
 *          cell) · hardship (f32 bits) · risk (f32 bits). Everything a citizen's turn needs
 *          in one 16-byte record, i.e. one cache line instead of four arrays.
 *   kind u8 (0 none, 1 citizen, 2 cop) · state u8 (0 quiet, 1 active, 2 jailed) — one byte
 *          per agent, small enough to stay in L2 — · term u32 (jail ticks left, 0xffffffff =
 *          life; touched only for the jailed) · order u32 (this tick's activation order).
 *   pos    i32 per agent: a copy of each agent's cell, refreshed at the end of every tick for
 *          inspection and export (the step reads the record).
 *   cell   i32 × 2 per cell: head (first agent on the cell, −1 none) · occ u16 (agents
 *          visible on it) and actOn u16 (actives on it) packed in the second slot. A move
 *          probes occ, unlinks at the source and links at the target: one line per cell.
 *   view   u16 × viewStride per cell: copsV (cops within citizen vision of the cell) ·
 *          activesV (actives within citizen vision) · [activesK (actives within cop vision),
 *          only when cop vision differs]. A decision reads the pair from one line; the
 *          window updates stay dense (4 bytes per cell, a window row is 1–2 lines).
 *
 * Why per-cell counts: every neighbourhood used here is symmetric (c is in N(d) iff d is in
 * N(c)), so "cops within my vision" equals the number of cops whose window covers my cell.
 * A cop or an active agent adds ±1 over its window when it appears, moves or changes
 * state; quiet agents moving cost nothing; a citizen's decision reads two numbers, O(1).
 * Count windows always include the own cell; variants that exclude it subtract the own
 * cell's contribution (actOn for actives, a walk of its agent list for cops).
 * actOn also lets a cop find the r-th active in its window by reading one number per cell
 * instead of walking every cell's agent list (one random access per agent).
 *
 * Randomness: stream 'order' shuffles the activation order (keyed per slot and tick),
 * 'act' is keyed once per (agent, tick) and every draw of a turn comes from it (moves,
 * arrest choice, jail term, re-entry cell), 'release' serves end-of-tick re-entry,
 * 'init' and 'traits' the synthesis.
 */
import { Neighbourhood, Torus, neighbourhoodOffsets } from '../../engine/lattice.js';
import type {
  ColumnSpec,
  GlobalContext,
  MetricSpec,
  ModelDefinition,
  ModelLayout,
  TypedColumn,
} from '../../engine/model.js';
import type { CounterRng } from '../../engine/rng.js';
import { singleUnit } from '../../engine/shards.js';
import { type EpsteinParams, copsAt, legitimacyAt, maxCopsOf } from './params.js';

export const NONE = 0;
export const CITIZEN = 1;
export const COP = 2;
export const QUIET = 0;
export const ACTIVE = 1;
export const JAILED = 2;
/** Jail term of an agent who never comes back (maxJailTerm null). */
export const LIFE = 0xffffffff;
/** Random probes of the vision window before the exact scan that keeps the choice uniform. */
const MOVE_TRIES = 16;
const REENTRY_TRIES = 64;
/** Turns ahead at which the main loop touches an agent's record, and its cell record. */
const PREFETCH = 6;
const PREFETCH_CELL = 3;

/** Metric names, in accumulator order (all key '', whole population). */
export const METRICS = [
  ['citizens', 'sum', 'citizens on the lattice or in jail'],
  ['cops', 'sum', 'cops'],
  ['quiet', 'sum', 'citizens quiet at the end of the tick'],
  ['active', 'sum', 'citizens active at the end of the tick'],
  ['jailed', 'sum', 'citizens in jail at the end of the tick'],
  ['arrests', 'sum', 'arrests made during the tick'],
  ['aggrieved_cop_visible', 'sum', 'decisions this tick by citizens with G > T and at least one cop in vision'],
  ['aggrieved_cop_visible_active', 'sum', '… of which the citizen chose to be active'],
  ['aggrieved_no_cop', 'sum', 'decisions this tick by citizens with G > T and no cop in vision'],
  ['aggrieved_no_cop_active', 'sum', '… of which the citizen chose to be active'],
  ['legitimacy', 'max', 'government legitimacy L during the tick'],
] as const;

export type EpsteinMetric = (typeof METRICS)[number][0];
export const metricIndex: Readonly<Record<EpsteinMetric, number>> = Object.freeze(
  Object.fromEntries(METRICS.map(([name], i) => [name, i])) as Record<EpsteinMetric, number>,
);
const M = metricIndex;

/** Globals: running counters, kept incrementally by every state transition. */
const G_QUIET = 0;
const G_ACTIVE = 1;
const G_JAILED = 2;
const G_CITIZENS = 3;
const G_COPS = 4;
const GLOBALS = 5;

export interface Geometry {
  readonly torus: Torus;
  /** Citizen vision incl. own cell: the window of the copsV / activesV counts. */
  readonly visC: Neighbourhood;
  /** Cop vision incl. own cell: the window of activesK and of the arrest search. */
  readonly visK: Neighbourhood;
  /** Movement targets (own cell excluded). */
  readonly moveC: Neighbourhood;
  readonly moveK: Neighbourhood;
  /** Whether cop vision differs from citizen vision (then activesK is its own lane). */
  readonly separateCopView: boolean;
  /** u16 slots per cell in the `view` column: 2 (copsV, activesV) or 3 (+ activesK). */
  readonly viewStride: number;
  /** visC / visK index deltas pre-multiplied by viewStride (interior cells). */
  readonly viewDeltaC: Int32Array;
  readonly viewDeltaK: Int32Array;
  readonly scratch: Int32Array;
  /** The 8 adjacent cells ('one-step' movement). */
  readonly step: Neighbourhood;
  /** Cop vision strictly inside copVision, grouped by distance ('nearest' arrest). */
  readonly nearestK: RankedOffsets;
  /** Cells nearer than RELEASE_RADIUS, own cell first, grouped by distance ('nearest-free' release). */
  readonly nearestFree: RankedOffsets;
}

/** Offsets sorted by squared distance; group g is [starts[g], starts[g + 1]). */
export interface RankedOffsets {
  readonly dx: Int32Array;
  readonly dy: Int32Array;
  readonly starts: Int32Array;
}

/** Ascape looks for a released agent's cell at distance < 16 of where it was arrested. */
export const RELEASE_RADIUS = 16;

/** Group offsets by squared distance (ascending; within a group the original row order). */
function rankOffsets(dx: Int32Array, dy: Int32Array, keep: (d2: number) => boolean): RankedOffsets {
  const idx = [...dx.keys()].filter((k) => keep(dx[k] * dx[k] + dy[k] * dy[k]));
  const d2 = (k: number): number => dx[k] * dx[k] + dy[k] * dy[k];
  idx.sort((a, b) => d2(a) - d2(b) || a - b);
  const starts: number[] = [];
  idx.forEach((k, i) => {
    if (i === 0 || d2(k) !== d2(idx[i - 1])) starts.push(i);
  });
  starts.push(idx.length);
  return {
    dx: Int32Array.from(idx.map((k) => dx[k])),
    dy: Int32Array.from(idx.map((k) => dy[k])),
    starts: Int32Array.from(starts),
  };
}

const geometryCache = new Map<string, Geometry>();

/**
 * Offsets of the 'nearest-free' search: distance < RELEASE_RADIUS, cut to what fits on the
 * torus without an offset wrapping onto a cell already listed (lattices under 33 cells a side).
 */
function releaseOffsets(torus: Torus): RankedOffsets {
  const fit = Math.floor((Math.min(torus.width, torus.height) - 1) / 2);
  const reach = Math.min(RELEASE_RADIUS - 1, fit);
  const { dx, dy } = neighbourhoodOffsets('moore', reach, true);
  return rankOffsets(dx, dy, (d2) => d2 < RELEASE_RADIUS * RELEASE_RADIUS);
}

/** Lattice and neighbourhoods of a parameter set, built once and shared by runs. */
export function geometryOf(p: EpsteinParams): Geometry {
  const key = `${p.width}x${p.height}:${p.visionShape}:${p.citizenVision}:${p.copVision}`;
  let g = geometryCache.get(key);
  if (!g) {
    const torus = new Torus(p.width, p.height);
    const visC = new Neighbourhood(torus, p.visionShape, p.citizenVision, true);
    const visK = new Neighbourhood(torus, p.visionShape, p.copVision, true);
    const separateCopView = visC.size !== visK.size;
    const viewStride = separateCopView ? 3 : 2;
    g = {
      torus,
      visC,
      visK,
      moveC: new Neighbourhood(torus, p.visionShape, p.citizenVision, false),
      moveK: new Neighbourhood(torus, p.visionShape, p.copVision, false),
      separateCopView,
      viewStride,
      viewDeltaC: visC.delta.map((d) => d * viewStride),
      viewDeltaK: visK.delta.map((d) => d * viewStride),
      scratch: new Int32Array(Math.max(visC.size, visK.size)),
      step: new Neighbourhood(torus, 'moore', 1, false),
      nearestK: rankOffsets(visK.dx, visK.dy, (d2) => d2 < p.copVision * p.copVision),
      nearestFree: releaseOffsets(torus),
    };
    if (geometryCache.size > 32) geometryCache.clear();
    geometryCache.set(key, g);
  }
  return g;
}

/**
 * Agent counts under exact density realisation (slots for the most cops the cop schedule
 * reaches; unused slots are empty, kind NONE); per-cell realisation reserves one slot per cell.
 */
export function populationOf(p: EpsteinParams): { slots: number; citizens: number; cops: number } {
  const cells = p.width * p.height;
  if (p.densityRealisation === 'per-cell') return { slots: cells, citizens: -1, cops: -1 };
  const citizens = Math.round(p.citizenDensity * cells);
  const cops = Math.min(cells - citizens, copsAt(p, 0));
  return { slots: citizens + Math.min(cells - citizens, maxCopsOf(p)), citizens, cops };
}

/** Agent record stride in i32 slots: pos, next, hardship (f32 bits), risk (f32 bits). */
const AG = 4;
const A_POS = 0;
const A_NEXT = 1;
const A_HARDSHIP = 2;
const A_RISK = 3;
/** Cell record stride in i32 slots: head; then occ and actOn as u16 (u16 index 4c+2, 4c+3). */
const CL = 2;
const C_OCC = 2;
const C_ACT = 3;

function layout(p: EpsteinParams): ModelLayout {
  const cells = p.width * p.height;
  const n = populationOf(p).slots;
  const g = geometryOf(p);
  const columns: ColumnSpec[] = [
    { name: 'agent', type: 'i32', length: AG * n },
    { name: 'kind', type: 'u8', length: n },
    { name: 'state', type: 'u8', length: n },
    { name: 'term', type: 'u32', length: n },
    { name: 'order', type: 'u32', length: n },
    { name: 'pos', type: 'i32', length: n },
    { name: 'cell', type: 'i32', length: CL * cells },
    { name: 'view', type: 'u16', length: g.viewStride * cells },
  ];
  const metrics: MetricSpec[] = METRICS.map(([name, reduce, description]) => ({ name, key: '', reduce, description }));
  return { agents: n, columns, metrics, globals: GLOBALS, unitStarts: singleUnit(n), agentsPerShard: Math.max(1, n) };
}

/**
 * values[stride·c + lane] += v for every cell c of `nb` around `cell`. A monomorphic
 * Uint16Array routine (the engine's addAll takes a union of array types, which V8 may
 * compile polymorphically); interior cells use deltas pre-multiplied by the stride.
 */
function addWindow(
  nb: Neighbourhood,
  strided: Int32Array,
  cell: number,
  values: Uint16Array,
  stride: number,
  lane: number,
  v: number,
): void {
  const n = nb.size;
  const torus = nb.torus;
  const w = torus.width;
  const h = torus.height;
  const x = cell % w;
  const y = (cell - x) / w;
  const reach = nb.reach;
  if (x >= reach && x < w - reach && y >= reach && y < h - reach) {
    const base = cell * stride + lane;
    for (let k = 0; k < n; k++) values[base + strided[k]] += v;
    return;
  }
  const dxs = nb.dx;
  const dys = nb.dy;
  for (let k = 0; k < n; k++) {
    let nx = x + dxs[k];
    let ny = y + dys[k];
    if (nx < 0) nx += w;
    else if (nx >= w) nx -= w;
    if (ny < 0) ny += h;
    else if (ny >= h) ny -= h;
    values[(ny * w + nx) * stride + lane] += v;
  }
}

/** values[stride·(row + x mod w) + lane] += v for x in [xa, xb] (a run shorter than the width). */
function addRun(
  values: Uint16Array,
  row: number,
  w: number,
  xa: number,
  xb: number,
  stride: number,
  lane: number,
  v: number,
): void {
  if (xa < 0) {
    if (xb < 0) {
      xa += w;
      xb += w;
    } else {
      for (let i = (row + xa + w) * stride + lane, end = (row + w) * stride; i < end; i += stride) values[i] += v;
      xa = 0;
    }
  } else if (xb >= w) {
    if (xa >= w) {
      xa -= w;
      xb -= w;
    } else {
      for (let i = row * stride + lane, end = (row + xb - w) * stride + lane; i <= end; i += stride) values[i] += v;
      xb = w - 1;
    }
  }
  for (let i = (row + xa) * stride + lane, end = (row + xb) * stride + lane; i <= end; i += stride) values[i] += v;
}

/**
 * Move one agent's ±1 contribution from the window around `from` to the window around `to`:
 * the same result as addWindow(from, −1) then addWindow(to, +1), but only the cells where
 * the two windows differ are touched. A move stays within vision, so the windows overlap
 * heavily (for the radius-7 disc and a typical move of ~5 cells, about 85 of 149 cells):
 * row by row the difference is at most two short runs on each side, ~130 contiguous
 * updates instead of 298 scattered ones. Needs row-interval windows (`hw` = half-widths).
 */
function shiftWindow(
  torus: Torus,
  hw: Int32Array,
  from: number,
  to: number,
  values: Uint16Array,
  stride: number,
  lane: number,
): void {
  const w = torus.width;
  const h = torus.height;
  const reach = hw.length - 1;
  const x0 = from % w;
  const y0 = (from - x0) / w;
  const x1 = to % w;
  const y1 = (to - x1) / w;
  // Shortest displacement on the torus: unique because the lattice is wider and taller than
  // the window's diameter (checked by Neighbourhood) and a move never leaves the window.
  let ddx = x1 - x0;
  if (2 * ddx > w) ddx -= w;
  else if (2 * ddx < -w) ddx += w;
  let ddy = y1 - y0;
  if (2 * ddy > h) ddy -= h;
  else if (2 * ddy < -h) ddy += h;
  const lo = ddy < 0 ? ddy - reach : -reach;
  const hi = ddy > 0 ? ddy + reach : reach;
  const xl = ddx < 0 ? ddx - reach : -reach;
  const xh = ddx > 0 ? ddx + reach : reach;
  if (x0 + xl >= 0 && x0 + xh < w && y0 + lo >= 0 && y0 + hi < h) {
    // Fast path, no wrap-around (almost every move on a large lattice): plain strided loops
    // over the runs, without addRun's edge cases.
    for (let r = lo; r <= hi; r++) {
      const ao = r >= -reach && r <= reach ? hw[r < 0 ? -r : r] : -1;
      const dn = r - ddy;
      const an = dn >= -reach && dn <= reach ? hw[dn < 0 ? -dn : dn] : -1;
      const at = (from + r * w) * stride + lane; // index of (x0, y0 + r)
      if (an < 0) {
        for (let x = -ao; x <= ao; x++) values[at + x * stride]--;
        continue;
      }
      const nl = ddx - an;
      const nr = ddx + an;
      if (ao < 0) {
        for (let x = nl; x <= nr; x++) values[at + x * stride]++;
        continue;
      }
      // old \ new: [−ao, min(ao, nl − 1)] and [max(−ao, nr + 1), ao]
      for (let x = -ao, e = ao < nl - 1 ? ao : nl - 1; x <= e; x++) values[at + x * stride]--;
      for (let x = -ao > nr + 1 ? -ao : nr + 1; x <= ao; x++) values[at + x * stride]--;
      // new \ old: [nl, min(nr, −ao − 1)] and [max(nl, ao + 1), nr]
      for (let x = nl, e = nr < -ao - 1 ? nr : -ao - 1; x <= e; x++) values[at + x * stride]++;
      for (let x = nl > ao + 1 ? nl : ao + 1; x <= nr; x++) values[at + x * stride]++;
    }
    return;
  }
  for (let r = lo; r <= hi; r++) {
    // Old run [x0 − ao, x0 + ao], new run [x0 + ddx − an, x0 + ddx + an] on this row; −1 = none.
    const ao = r >= -reach && r <= reach ? hw[r < 0 ? -r : r] : -1;
    const dn = r - ddy;
    const an = dn >= -reach && dn <= reach ? hw[dn < 0 ? -dn : dn] : -1;
    let y = y0 + r;
    if (y < 0) y += h;
    else if (y >= h) y -= h;
    const row = y * w;
    if (ao >= 0) {
      if (an < 0) addRun(values, row, w, x0 - ao, x0 + ao, stride, lane, -1);
      else {
        const left = Math.min(ao, ddx - an - 1);
        if (left >= -ao) addRun(values, row, w, x0 - ao, x0 + left, stride, lane, -1);
        const right = Math.max(-ao, ddx + an + 1);
        if (right <= ao) addRun(values, row, w, x0 + right, x0 + ao, stride, lane, -1);
      }
    }
    if (an >= 0) {
      if (ao < 0) addRun(values, row, w, x0 + ddx - an, x0 + ddx + an, stride, lane, 1);
      else {
        const left = Math.min(ddx + an, -ao - 1);
        if (left >= ddx - an) addRun(values, row, w, x0 + ddx - an, x0 + left, stride, lane, 1);
        const right = Math.max(ddx - an, ao + 1);
        if (right <= ddx + an) addRun(values, row, w, x0 + right, x0 + ddx + an, stride, lane, 1);
      }
    }
  }
}

/** Typed views of one run's state plus the operations that keep the counts consistent. */
class World {
  readonly p: EpsteinParams;
  readonly g: Geometry;
  /** Agent records (AG i32 per agent) and the same bytes as f32 for hardship and risk. */
  readonly agent: Int32Array;
  readonly agentF: Float32Array;
  readonly kind: Uint8Array;
  readonly state: Uint8Array;
  readonly term: Uint32Array;
  readonly order: Uint32Array;
  readonly posOut: Int32Array;
  /** Cell records (CL i32 per cell) and the same bytes as u16 for occ and actOn. */
  readonly cell: Int32Array;
  readonly cell16: Uint16Array;
  readonly view: Uint16Array;
  readonly vs: number;
  /** Lane of activesK in `view` (1 = shared with activesV). */
  readonly kLane: number;
  readonly counters: Float64Array;
  arrests = 0;
  aggCop = 0;
  aggCopActive = 0;
  aggNo = 0;
  aggNoActive = 0;
  /** Sink of the prefetch loads in step (never read). */
  touched = 0;

  constructor(p: EpsteinParams, columns: Readonly<Record<string, TypedColumn>>, counters: Float64Array) {
    this.p = p;
    this.g = geometryOf(p);
    // Cast each column to its concrete type once: the hot loop then sees one array class per
    // field and V8 keeps its element accesses monomorphic.
    this.agent = columns.agent as Int32Array;
    this.agentF = new Float32Array(this.agent.buffer, this.agent.byteOffset, this.agent.length);
    this.kind = columns.kind as Uint8Array;
    this.state = columns.state as Uint8Array;
    this.term = columns.term as Uint32Array;
    this.order = columns.order as Uint32Array;
    this.posOut = columns.pos as Int32Array;
    this.cell = columns.cell as Int32Array;
    this.cell16 = new Uint16Array(this.cell.buffer, this.cell.byteOffset, this.cell.length * 2);
    this.view = columns.view as Uint16Array;
    this.vs = this.g.viewStride;
    this.kLane = this.g.separateCopView ? 2 : 1;
    this.counters = counters;
  }

  pos(a: number): number {
    return this.agent[AG * a + A_POS];
  }

  occ(c: number): number {
    return this.cell16[4 * c + C_OCC];
  }

  actOn(c: number): number {
    return this.cell16[4 * c + C_ACT];
  }

  link(a: number, c: number): void {
    const ag = this.agent;
    const cl = this.cell;
    ag[AG * a + A_NEXT] = cl[CL * c];
    cl[CL * c] = a;
    this.cell16[4 * c + C_OCC]++;
    if (this.state[a] === ACTIVE) this.cell16[4 * c + C_ACT]++;
    ag[AG * a + A_POS] = c;
  }

  unlink(a: number): void {
    const ag = this.agent;
    const cl = this.cell;
    const c = ag[AG * a + A_POS];
    let b = cl[CL * c];
    if (b === a) cl[CL * c] = ag[AG * a + A_NEXT];
    else {
      while (ag[AG * b + A_NEXT] !== a) {
        if (ag[AG * b + A_NEXT] < 0) throw new Error(`agent ${a} is not on cell ${c}`);
        b = ag[AG * b + A_NEXT];
      }
      ag[AG * b + A_NEXT] = ag[AG * a + A_NEXT];
    }
    ag[AG * a + A_NEXT] = -1;
    this.cell16[4 * c + C_OCC]--;
    if (this.state[a] === ACTIVE) this.cell16[4 * c + C_ACT]--;
  }

  /** Add ±1 to the active counts over the windows of `cell`. */
  private activeCounts(c: number, v: number): void {
    const g = this.g;
    addWindow(g.visC, g.viewDeltaC, c, this.view, this.vs, 1, v);
    if (g.separateCopView) addWindow(g.visK, g.viewDeltaK, c, this.view, this.vs, 2, v);
  }

  /** Move a ±1 contribution in lane `lane` of `view` from the window of `from` to that of `to`. */
  private moveCounts(nb: Neighbourhood, strided: Int32Array, from: number, to: number, lane: number): void {
    const hw = nb.rowHalfWidth;
    if (hw !== null) shiftWindow(nb.torus, hw, from, to, this.view, this.vs, lane);
    else {
      addWindow(nb, strided, from, this.view, this.vs, lane, -1);
      addWindow(nb, strided, to, this.view, this.vs, lane, 1);
    }
  }

  setActive(a: number, on: boolean): void {
    const c = this.agent[AG * a + A_POS];
    this.activeCounts(c, on ? 1 : -1);
    this.cell16[4 * c + C_ACT] += on ? 1 : -1;
    this.state[a] = on ? ACTIVE : QUIET;
    const k = this.counters;
    if (on) {
      k[G_QUIET]--;
      k[G_ACTIVE]++;
    } else {
      k[G_ACTIVE]--;
      k[G_QUIET]++;
    }
  }

  /** Move agent `a` to `target`, keeping the counts of cops and actives in step. */
  relocate(a: number, target: number): void {
    const from = this.agent[AG * a + A_POS];
    const g = this.g;
    if (this.kind[a] === COP) this.moveCounts(g.visC, g.viewDeltaC, from, target, 0);
    else if (this.state[a] === ACTIVE) {
      this.moveCounts(g.visC, g.viewDeltaC, from, target, 1);
      if (g.separateCopView) this.moveCounts(g.visK, g.viewDeltaK, from, target, 2);
    }
    this.unlink(a);
    this.link(a, target);
  }

  /** A uniformly random empty cell of `nb` around `cell`, or −1 if there is none. */
  pickEmpty(cell: number, nb: Neighbourhood, rng: CounterRng): number {
    const n = nb.size;
    if (n === 0) return -1;
    const occ = this.cell16; // occ of cell c at 4c + C_OCC
    const threshold = lemireThreshold(n);
    const torus = this.g.torus;
    const w = torus.width;
    const h = torus.height;
    const x = cell % w;
    const y = (cell - x) / w;
    const reach = nb.reach;
    const interior = x >= reach && x < w - reach && y >= reach && y < h - reach;
    for (let t = 0; t < MOVE_TRIES; t++) {
      const k = drawBelow(rng, n, threshold);
      let c: number;
      if (interior) c = cell + nb.delta[k];
      else {
        let nx = x + nb.dx[k];
        let ny = y + nb.dy[k];
        if (nx < 0) nx += w;
        else if (nx >= w) nx -= w;
        if (ny < 0) ny += h;
        else if (ny >= h) ny -= h;
        c = ny * w + nx;
      }
      if (occ[4 * c + C_OCC] === 0) return c;
    }
    // Exact fallback: each probe above was uniform over the window, so a success was
    // uniform over its empty cells; this scan is too, hence the mixture is uniform.
    const cells = this.g.scratch;
    nb.cellsOf(cell, cells);
    let empty = 0;
    for (let k = 0; k < n; k++) if (occ[4 * cells[k] + C_OCC] === 0) empty++;
    if (empty === 0) return -1;
    let r = rng.below(empty);
    for (let k = 0; k < n; k++) {
      if (occ[4 * cells[k] + C_OCC] === 0) {
        if (r === 0) return cells[k];
        r--;
      }
    }
    return -1;
  }

  /** A uniformly random empty cell of the whole lattice, or −1 if there is none. */
  randomEmptyCell(rng: CounterRng): number {
    const cells = this.g.torus.cells;
    const occ = this.cell16;
    for (let t = 0; t < REENTRY_TRIES; t++) {
      const c = rng.below(cells);
      if (occ[4 * c + C_OCC] === 0) return c;
    }
    let empty = 0;
    for (let c = 0; c < cells; c++) if (occ[4 * c + C_OCC] === 0) empty++;
    if (empty === 0) return -1;
    let r = rng.below(empty);
    for (let c = 0; c < cells; c++) {
      if (occ[4 * c + C_OCC] === 0) {
        if (r === 0) return c;
        r--;
      }
    }
    return -1;
  }

  release(a: number, rng: CounterRng): void {
    this.state[a] = QUIET;
    this.term[a] = 0;
    this.counters[G_JAILED]--;
    this.counters[G_QUIET]++;
    const mode = this.p.jailedAgents;
    if (mode === 'invisible') this.link(a, this.pos(a));
    else if (mode === 'removed') {
      const to =
        this.p.releasePlacement === 'nearest-free' ? this.nearestFree(this.pos(a), rng) : this.randomEmptyCell(rng);
      if (to < 0) throw new Error(`no empty cell for agent ${a} leaving jail`);
      this.link(a, to);
    }
  }

  /** The cell at offset (dx, dy) from `cell` (|dx|, |dy| below the lattice size), wrapping. */
  offsetCell(cell: number, dx: number, dy: number): number {
    const w = this.g.torus.width;
    const h = this.g.torus.height;
    const x0 = cell % w;
    let x = x0 + dx;
    let y = (cell - x0) / w + dy;
    if (x < 0) x += w;
    else if (x >= w) x -= w;
    if (y < 0) y += h;
    else if (y >= h) y -= h;
    return y * w + x;
  }

  /** 'one-step' movement: one of the 8 adjacent cells at random, or −1 (stay) if it is occupied. */
  pickStep(cell: number, rng: CounterRng): number {
    const nb = this.g.step;
    const k = rng.below(nb.size);
    const c = this.offsetCell(cell, nb.dx[k], nb.dy[k]);
    return this.cell16[4 * c + C_OCC] === 0 ? c : -1;
  }

  /** The r-th active agent (list order) on cell d; the caller knows r < actives on d. */
  activeOnCell(d: number, r: number): number {
    const ag = this.agent;
    for (let b = this.cell[CL * d]; b >= 0; b = ag[AG * b + A_NEXT]) {
      if (this.state[b] === ACTIVE) {
        if (r === 0) return b;
        r--;
      }
    }
    return -1;
  }

  /**
   * Nearest active citizen to a cop on `cell`: the ranked cells of the cop's vision strictly
   * inside copVision, nearest distance first; among the actives at that distance one at random.
   */
  nearestActive(cell: number, rng: CounterRng): number {
    const { dx, dy, starts } = this.g.nearestK;
    const includeOwn = this.p.visionIncludesOwnCell;
    const cell16 = this.cell16;
    for (let g = 0; g + 1 < starts.length; g++) {
      let count = 0;
      for (let k = starts[g]; k < starts[g + 1]; k++) {
        if (!includeOwn && dx[k] === 0 && dy[k] === 0) continue;
        count += cell16[4 * this.offsetCell(cell, dx[k], dy[k]) + C_ACT];
      }
      if (count === 0) continue;
      let r = rng.below(count);
      for (let k = starts[g]; k < starts[g + 1]; k++) {
        if (!includeOwn && dx[k] === 0 && dy[k] === 0) continue;
        const d = this.offsetCell(cell, dx[k], dy[k]);
        const m = cell16[4 * d + C_ACT];
        if (r < m) return this.activeOnCell(d, r);
        r -= m;
      }
    }
    return -1;
  }

  /** 'nearest-free' release: a random empty cell among the nearest to `cell`, else any empty cell. */
  nearestFree(cell: number, rng: CounterRng): number {
    const { dx, dy, starts } = this.g.nearestFree;
    const cell16 = this.cell16;
    for (let g = 0; g + 1 < starts.length; g++) {
      let count = 0;
      for (let k = starts[g]; k < starts[g + 1]; k++)
        if (cell16[4 * this.offsetCell(cell, dx[k], dy[k]) + C_OCC] === 0) count++;
      if (count === 0) continue;
      let r = rng.below(count);
      for (let k = starts[g]; k < starts[g + 1]; k++) {
        const d = this.offsetCell(cell, dx[k], dy[k]);
        if (cell16[4 * d + C_OCC] === 0 && r-- === 0) return d;
      }
    }
    return this.randomEmptyCell(rng);
  }

  /** Take cop `a` off the lattice for good (cop schedule); its slot becomes empty. */
  removeCop(a: number): void {
    addWindow(this.g.visC, this.g.viewDeltaC, this.pos(a), this.view, this.vs, 0, -1);
    this.unlink(a);
    this.kind[a] = NONE;
    this.counters[G_COPS]--;
  }

  /** Put a new cop in empty slot `a` on `cell` (cop schedule). */
  addCop(a: number, cell: number): void {
    this.kind[a] = COP;
    this.state[a] = QUIET;
    this.link(a, cell);
    addWindow(this.g.visC, this.g.viewDeltaC, cell, this.view, this.vs, 0, 1);
    this.counters[G_COPS]++;
  }

  /** Draw a jail term by the configured rule. */
  jailTerm(rng: CounterRng): number {
    const J = this.p.maxJailTerm;
    if (J === null) return LIFE;
    switch (this.p.jailTermRule) {
      case 'netlogo':
        return J > 0 ? rng.below(J) : 0; // NetLogo `random J`: 0 … J−1
      case 'mesa':
        return rng.below(J + 1); // Python randint(0, J): inclusive
      case 'paper':
        return J > 0 ? 1 + rng.below(J) : 0; // U(0, J) served until the next tick boundary: 1 … J
    }
  }

  arrest(s: number, rng: CounterRng): void {
    this.setActive(s, false);
    this.arrests++;
    const t = this.jailTerm(rng);
    // End-of-tick timing: a term of 0 means free at once (NetLogo `jailed?` is term > 0).
    if (t === 0 && this.p.jailTiming === 'end-of-tick') return;
    this.state[s] = JAILED;
    this.term[s] = t;
    this.counters[G_QUIET]--;
    this.counters[G_JAILED]++;
    if (this.p.jailedAgents !== 'occupy') this.unlink(s);
  }

  /** Cop `c` arrests one active citizen in its vision (random or nearest), if any. */
  enforce(c: number, rng: CounterRng): void {
    const cell = this.pos(c);
    const includeOwn = this.p.visionIncludesOwnCell;
    const cell16 = this.cell16;
    let n = this.view[cell * this.vs + this.kLane];
    if (!includeOwn) n -= cell16[4 * cell + C_ACT];
    if (n <= 0) return;
    let suspect = -1;
    if (this.p.arrestChoice === 'nearest') {
      suspect = this.nearestActive(cell, rng);
      if (suspect < 0) return; // the actives seen are all on the rim at exactly copVision
    } else {
      let r = rng.below(n);
      const cells = this.g.scratch;
      const size = this.g.visK.cellsOf(cell, cells);
      // The r-th active in window order (cells in offset order, agents in list order): skip
      // whole cells by their active count, then walk the one list that holds it.
      for (let k = 0; k < size; k++) {
        const d = cells[k];
        if (d === cell && !includeOwn) continue;
        const m = cell16[4 * d + C_ACT];
        if (r >= m) {
          r -= m;
          continue;
        }
        suspect = this.activeOnCell(d, r);
        break;
      }
      if (suspect < 0) throw new Error(`cop ${c}: active count ${n} in vision does not match the lattice`);
    }
    const target = this.pos(suspect);
    this.arrest(suspect, rng);
    if (this.p.copMovesToArrestee && target !== cell) this.relocate(c, target);
  }

  copsOn(c: number): number {
    let n = 0;
    const ag = this.agent;
    for (let b = this.cell[CL * c]; b >= 0; b = ag[AG * b + A_NEXT]) if (this.kind[b] === COP) n++;
    return n;
  }

  /** Refresh the exported `pos` column from the records (once per tick, sequential). */
  exportPositions(): void {
    const ag = this.agent;
    const out = this.posOut;
    for (let a = 0; a < out.length; a++) out[a] = ag[AG * a + A_POS];
  }
}

const INV_TWO_POW_32 = 1 / 4294967296;

/** Lemire's rejection threshold (2^32 − n) mod n for drawBelow. */
function lemireThreshold(n: number): number {
  return (4294967296 - n) % n;
}

/**
 * A uniform integer in [0, n) from the agent's CounterRng, n ≤ 2^21: Lemire's
 * multiply-and-reject, as CounterRng.below, with the threshold passed in and the low
 * word taken with Math.imul (no floating-point modulo in the hot path).
 */
function drawBelow(rng: CounterRng, n: number, threshold: number): number {
  for (;;) {
    const u = rng.u32();
    if (Math.imul(u, n) >>> 0 >= threshold) return Math.floor(u * n * INV_TWO_POW_32);
  }
}

/** exp(−k·m) for integer ratios m (floor and round rules), filled per tick for the run's k. */
const EXP_TABLE_SIZE = 64;

function arrestProbabilityRatio(rule: EpsteinParams['arrestRule'], C: number, A: number): number {
  const x = C / A;
  if (rule === 'literal') return x;
  const f = Math.floor(x);
  if (rule === 'floor') return f;
  // Python round(): nearest integer, exact halves to the even neighbour (0.5→0, 1.5→2, 2.5→2).
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** P = 1 − exp(−k·ratio(C/A)) under the chosen rule. Exported for the variant tests. */
export function arrestProbability(rule: EpsteinParams['arrestRule'], k: number, C: number, A: number): number {
  return 1 - Math.exp(-k * arrestProbabilityRatio(rule, C, A));
}

/** What both implementations count during a tick (model.ts keeps it in World, reference.ts in its own). */
export interface TickTallies {
  readonly arrests: number;
  readonly aggCop: number;
  readonly aggCopActive: number;
  readonly aggNo: number;
  readonly aggNoActive: number;
}

/** Write a tick's metrics: the population by state, the tick's tallies, legitimacy. */
export function writeEpsteinMetrics(
  acc: Float64Array,
  states: { citizens: number; cops: number; quiet: number; active: number; jailed: number },
  t: TickTallies,
  L: number,
): void {
  acc[M.citizens] = states.citizens;
  acc[M.cops] = states.cops;
  acc[M.quiet] = states.quiet;
  acc[M.active] = states.active;
  acc[M.jailed] = states.jailed;
  acc[M.arrests] = t.arrests;
  acc[M.aggrieved_cop_visible] = t.aggCop;
  acc[M.aggrieved_cop_visible_active] = t.aggCopActive;
  acc[M.aggrieved_no_cop] = t.aggNo;
  acc[M.aggrieved_no_cop_active] = t.aggNoActive;
  acc[M.legitimacy] = L;
}

function writeMetrics(w: World, acc: Float64Array, L: number): void {
  const c = w.counters;
  const states = {
    citizens: c[G_CITIZENS],
    cops: c[G_COPS],
    quiet: c[G_QUIET],
    active: c[G_ACTIVE],
    jailed: c[G_JAILED],
  };
  writeEpsteinMetrics(acc, states, w, L);
}

function synthesize(ctx: GlobalContext<EpsteinParams>): void {
  const p = ctx.params;
  const w = new World(p, ctx.columns, ctx.globals);
  const cells = w.g.torus.cells;
  const n = w.kind.length;
  for (let c = 0; c < cells; c++) w.cell[CL * c] = -1;
  for (let a = 0; a < n; a++) {
    w.agent[AG * a + A_POS] = -1;
    w.agent[AG * a + A_NEXT] = -1;
  }
  const init = ctx.rng('init');
  const traits = ctx.rng('traits');
  if (p.densityRealisation === 'exact') {
    const { citizens, cops: startCops } = populationOf(p);
    // Partial Fisher–Yates over the cells: agent i gets the i-th cell of a random permutation.
    // Slots beyond the starting cops (room for cops the schedule adds later) stay empty.
    const perm = new Int32Array(cells);
    for (let c = 0; c < cells; c++) perm[c] = c;
    for (let i = 0; i < citizens + startCops; i++) {
      const j = i + init.key(i, 0).below(cells - i);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
      w.kind[i] = i < citizens ? CITIZEN : COP;
      w.link(i, perm[i]);
    }
  } else {
    const cit = p.citizenDensity;
    const cop = p.copDensity;
    for (let i = 0; i < n; i++) {
      const u = init.key(i, 0).uniform();
      const k = u < cit ? CITIZEN : u < cit + cop ? COP : NONE;
      w.kind[i] = k;
      if (k !== NONE) w.link(i, i);
    }
  }
  let citizens = 0;
  let cops = 0;
  for (let a = 0; a < n; a++) {
    w.state[a] = QUIET;
    w.term[a] = 0;
    if (w.kind[a] === CITIZEN) {
      citizens++;
      traits.key(a, 0);
      w.agentF[AG * a + A_HARDSHIP] = traits.uniform();
      w.agentF[AG * a + A_RISK] = traits.uniform();
    } else if (w.kind[a] === COP) {
      cops++;
      addWindow(w.g.visC, w.g.viewDeltaC, w.pos(a), w.view, w.vs, 0, 1);
    }
  }
  w.exportPositions();
  const c = w.counters;
  c[G_QUIET] = citizens;
  c[G_ACTIVE] = 0;
  c[G_JAILED] = 0;
  c[G_CITIZENS] = citizens;
  c[G_COPS] = cops;
  writeMetrics(w, ctx.acc, legitimacyAt(p, 0));
}

/** Fisher–Yates from the 'order' stream, keyed once per block of 32 slots (fewer re-keys). */
function shuffleOrder(order: Uint32Array, rng: CounterRng, tick: number): void {
  for (let i = 0; i < order.length; i++) order[i] = i;
  let block = -1;
  for (let i = order.length - 1; i > 0; i--) {
    const b = i >>> 5;
    if (b !== block) {
      rng.key(b, tick);
      block = b;
    }
    const n = i + 1;
    // Lemire without the modulo unless the low word falls in the (tiny) rejection zone.
    let j: number;
    for (;;) {
      const u = rng.u32();
      const lo = Math.imul(u, n) >>> 0;
      if (lo < n && lo < lemireThreshold(n)) continue;
      j = Math.floor(u * n * INV_TWO_POW_32);
      break;
    }
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

/**
 * Cop schedule: before the tick's turns, bring the cops on the lattice to round(density(t) ×
 * cells), removing uniformly random cops or adding cops on random empty cells in empty slots.
 */
function adjustCops(w: World, rng: CounterRng, tick: number): void {
  const target = copsAt(w.p, tick);
  const kind = w.kind;
  let cops = w.counters[G_COPS];
  if (target < cops) {
    const list: number[] = [];
    for (let a = 0; a < kind.length; a++) if (kind[a] === COP) list.push(a);
    rng.key(0, tick);
    for (let i = 0; i < cops - target; i++) {
      const j = i + rng.below(list.length - i);
      [list[i], list[j]] = [list[j], list[i]];
      w.removeCop(list[i]);
    }
  } else if (target > cops) {
    rng.key(1, tick);
    for (let a = 0; a < kind.length && cops < target; a++) {
      if (kind[a] !== NONE) continue;
      const cell = w.randomEmptyCell(rng);
      if (cell < 0) break; // a full lattice: no room for another cop this tick
      w.addCop(a, cell);
      cops++;
    }
  }
}

function step(ctx: GlobalContext<EpsteinParams>): void {
  const p = ctx.params;
  const tick = ctx.tick;
  const w = new World(p, ctx.columns, ctx.globals);
  const L = legitimacyAt(p, tick);
  const T = p.threshold;
  // G = H·(1 − L), times (1 − T) in the original code.
  const grievanceFactor = (1 - L) * (p.grievanceScaling === 'one-minus-threshold' ? 1 - T : 1);
  const k = p.k;
  const rule = p.arrestRule;
  const includeOwn = p.visionIncludesOwnCell;
  const selfTwice = p.activeCountsSelfTwice;
  const citizensMoveFirst = p.order !== 'act-then-move';
  const copsMoveFirst = p.order === 'move-then-act';
  const movement = p.movement;
  const copsMove = p.movement || p.copsAlwaysMove;
  const atActivation = p.jailTiming !== 'end-of-tick';
  const decrementFirst = p.jailTiming === 'at-activation-decrement-first';
  const oneStep = p.movementRule === 'one-step';
  // 'citizens-then-cops' runs the shuffled order twice: citizens on the first pass, cops on the second.
  const passes = p.activation === 'citizens-then-cops' ? [CITIZEN, COP] : [NONE];
  const { kind, state, term, order, agent, agentF, cell16, view, vs } = w;
  const moveC = w.g.moveC;
  const moveK = w.g.moveK;
  const integerRatio = rule !== 'literal';
  const expTable = new Float64Array(EXP_TABLE_SIZE);
  for (let m = 0; m < EXP_TABLE_SIZE; m++) expTable[m] = Math.exp(-k * m);
  const rng = ctx.rng('act');
  if (p.copSchedule.kind !== 'constant') adjustCops(w, ctx.rng('cops'), tick);
  shuffleOrder(order, ctx.rng('order'), tick);

  const decide = (a: number): void => {
    const cell = agent[AG * a + A_POS];
    const selfActive = state[a] === ACTIVE;
    const G = agentF[AG * a + A_HARDSHIP] * grievanceFactor;
    if (!(G > T)) {
      if (selfActive) w.setActive(a, false);
      return;
    }
    let C = view[vs * cell];
    let actives = view[vs * cell + 1];
    if (!includeOwn) {
      if (cell16[4 * cell + C_OCC] > 1) {
        C -= w.copsOn(cell);
        actives -= cell16[4 * cell + C_ACT];
      } else if (selfActive) actives--;
    } else if (!selfTwice && selfActive) actives--;
    let on: boolean;
    if (C === 0) {
      on = true; // P = 0, so G − R·P = G > T
      w.aggNo++;
      w.aggNoActive++;
    } else {
      const x = arrestProbabilityRatio(rule, C, 1 + actives);
      const e = integerRatio && x < EXP_TABLE_SIZE ? expTable[x] : Math.exp(-k * x);
      on = G - agentF[AG * a + A_RISK] * (1 - e) > T;
      w.aggCop++;
      if (on) w.aggCopActive++;
    }
    if (on !== selfActive) w.setActive(a, on);
  };

  const moveAgent = (a: number, nb: typeof moveC): void => {
    const cell = agent[AG * a + A_POS];
    const target = oneStep ? w.pickStep(cell, rng) : w.pickEmpty(cell, nb, rng);
    if (target >= 0) w.relocate(a, target);
  };

  // Software prefetch. The activation order is known before the loop, and the turns it
  // visits land on random records and random cells, so almost every turn starts with a
  // chain of cache misses (record → cell → window). JavaScript has no prefetch
  // instruction, but an ordinary load of data a later turn will need starts that miss now,
  // in parallel with this turn's own work. Two stages: the agent record PREFETCH turns
  // ahead, its cell record PREFETCH_CELL turns ahead (by then the record, which names the
  // cell, has arrived). The loaded values are folded into `touched` and stored at the
  // end so the compiler cannot drop the loads.
  const cellRec = w.cell;
  const last = order.length - 1;
  let touched = 0;
  for (const pass of passes) {
    for (let i = 0; i < order.length; i++) {
      touched ^= agent[AG * order[i + PREFETCH > last ? last : i + PREFETCH] + A_POS];
      const ahead = agent[AG * order[i + PREFETCH_CELL > last ? last : i + PREFETCH_CELL] + A_POS];
      if (ahead >= 0) touched ^= cellRec[CL * ahead];
      const a = order[i];
      const kd = kind[a];
      if (pass !== NONE && kd !== pass) continue;
      if (kd === CITIZEN) {
        if (state[a] === JAILED) {
          if (!atActivation) continue;
          rng.key(a, tick);
          const t = term[a];
          if (t === LIFE) continue;
          if (decrementFirst) {
            // Ascape: −1, out once the term is ≤ 0; the agent decides on its cell but does not move this turn.
            if (t > 1) term[a] = t - 1;
            else {
              w.release(a, rng);
              decide(a);
            }
            continue;
          }
          if (t > 0) {
            term[a] = t - 1;
            continue;
          }
          w.release(a, rng);
        } else rng.key(a, tick);
        if (citizensMoveFirst) {
          if (movement) moveAgent(a, moveC);
          decide(a);
        } else {
          decide(a);
          if (movement) moveAgent(a, moveC);
        }
      } else if (kd === COP) {
        rng.key(a, tick);
        if (copsMoveFirst) {
          if (copsMove) moveAgent(a, moveK);
          w.enforce(a, rng);
        } else {
          w.enforce(a, rng);
          if (copsMove) moveAgent(a, moveK);
        }
      }
    }
  }

  if (!atActivation && w.counters[G_JAILED] > 0) {
    const rel = ctx.rng('release');
    for (let a = 0; a < state.length; a++) {
      if (state[a] !== JAILED) continue;
      const t = term[a];
      if (t === LIFE) continue;
      term[a] = t - 1;
      if (t === 1) w.release(a, rel.key(a, tick));
    }
  }
  w.touched = touched;
  w.exportPositions();
  writeMetrics(w, ctx.acc, L);
}

/**
 * Recount everything the step maintains incrementally and list disagreements (empty =
 * consistent). For tests: brute force over the lattice, O(cells × window).
 */
export function checkInvariants(
  p: EpsteinParams,
  columns: Readonly<Record<string, TypedColumn>>,
  globals: Float64Array,
): string[] {
  const w = new World(p, columns, globals);
  const problems: string[] = [];
  const cells = w.g.torus.cells;
  const n = w.kind.length;
  const occ = new Uint16Array(cells);
  const cop = new Int32Array(cells);
  const act = new Int32Array(cells);
  let q = 0;
  let ac = 0;
  let j = 0;
  for (let c = 0; c < cells; c++) {
    for (let b = w.cell[CL * c]; b >= 0; b = w.agent[AG * b + A_NEXT]) {
      if (w.pos(b) !== c) problems.push(`agent ${b} listed on cell ${c} but pos ${w.pos(b)}`);
      occ[c]++;
      if (w.kind[b] === COP) cop[c]++;
      else if (w.state[b] === ACTIVE) act[c]++;
      if (w.state[b] === JAILED && p.jailedAgents !== 'occupy') problems.push(`jailed agent ${b} is on the lattice`);
    }
  }
  let listed = 0;
  for (let c = 0; c < cells; c++) {
    listed += occ[c];
    if (occ[c] !== w.occ(c)) problems.push(`occ[${c}] = ${w.occ(c)}, recount ${occ[c]}`);
    if (act[c] !== w.actOn(c)) problems.push(`actOn[${c}] = ${w.actOn(c)}, recount ${act[c]}`);
    if (occ[c] > 1 && p.jailedAgents !== 'invisible') problems.push(`cell ${c} holds ${occ[c]} agents`);
  }
  for (let a = 0; a < n; a++) {
    if (w.posOut[a] !== w.pos(a)) problems.push(`pos column of agent ${a} = ${w.posOut[a]}, record ${w.pos(a)}`);
    if (w.kind[a] !== CITIZEN) continue;
    if (w.state[a] === QUIET) q++;
    else if (w.state[a] === ACTIVE) ac++;
    else j++;
  }
  const onGrid = n - w.kind.filter((k) => k === NONE).length - (p.jailedAgents === 'occupy' ? 0 : j);
  if (listed !== onGrid) problems.push(`${listed} agents listed on cells, expected ${onGrid}`);
  if (q !== globals[G_QUIET] || ac !== globals[G_ACTIVE] || j !== globals[G_JAILED]) {
    problems.push(
      `counters q/a/j ${globals[G_QUIET]}/${globals[G_ACTIVE]}/${globals[G_JAILED]}, recount ${q}/${ac}/${j}`,
    );
  }
  for (let c = 0; c < cells; c++) {
    const cv = w.g.visC.sum(c, cop);
    const av = w.g.visC.sum(c, act);
    const ak = w.g.visK.sum(c, act);
    const [vc, va, vk] = [w.view[w.vs * c], w.view[w.vs * c + 1], w.view[w.vs * c + w.kLane]];
    if (cv !== vc) problems.push(`copsV[${c}] = ${vc}, recount ${cv}`);
    if (av !== va) problems.push(`activesV[${c}] = ${va}, recount ${av}`);
    if (ak !== vk) problems.push(`activesK[${c}] = ${vk}, recount ${ak}`);
    if (problems.length > 20) break;
  }
  return problems;
}

export const epsteinModel: ModelDefinition<EpsteinParams> = {
  name: 'epstein',
  streams: ['init', 'traits', 'order', 'act', 'release', 'cops'],
  layout,
  init: [{ kind: 'global', name: 'synthesize', run: synthesize }],
  step: [{ kind: 'global', name: 'activate', run: step }],
};

/** Metric names for an end-of-run summary. */
export const epsteinHeadline: string[] = ['citizens', 'cops', 'quiet', 'active', 'jailed', 'arrests', 'legitimacy'];
