/**
 * Epstein's Model I written as the rules read, with every rule set (paper, NetLogo, Mesa, the
 * original Ascape code; rules.ts): the reference the fast model (model.ts) is docked against
 * (test/epstein-docking.test.ts) and the place to read what a switch does. Each count is a scan
 * of the vision window, each choice is made over an explicit list: slow, for small lattices.
 *
 * It shares with the fast model the parameters, the metric list and the synthesis draws (streams
 * 'init' and 'traits', so that both start a seed from the same population); its own draws come
 * from streams 'ref-*'. The lattice is a torus; "in vision" and "nearest" use the torus's shortest
 * displacement (dx, dy) between two cells.
 */
import type { GlobalContext, ModelDefinition, ModelLayout, TypedColumn } from '../../engine/model.js';
import type { CounterRng } from '../../engine/rng.js';
import { singleUnit } from '../../engine/shards.js';
import {
  ACTIVE,
  CITIZEN,
  COP,
  JAILED,
  LIFE,
  METRICS,
  NONE,
  QUIET,
  RELEASE_RADIUS,
  writeEpsteinMetrics,
} from './model.js';
import { type EpsteinParams, copsAt, legitimacyAt, maxCopsOf } from './params.js';

interface World {
  readonly p: EpsteinParams;
  readonly w: number;
  readonly h: number;
  /** Per agent: NONE / CITIZEN / COP; QUIET / ACTIVE / JAILED; cell (kept in jail); jail ticks left. */
  readonly kind: Uint8Array;
  readonly state: Uint8Array;
  readonly pos: Int32Array;
  readonly term: Uint32Array;
  readonly hardship: Float32Array;
  readonly risk: Float32Array;
  /** Per cell: agents standing on it (visible), of which cops, and active citizens. */
  readonly visible: Uint16Array;
  readonly copsOn: Uint16Array;
  readonly activesOn: Uint16Array;
  /** The cells each cell sees: citizens' vision, cops' vision (listed once per run). */
  readonly citizenView: readonly Int32Array[];
  readonly copView: readonly Int32Array[];
  /** This tick's tallies. */
  arrests: number;
  aggCop: number;
  aggCopActive: number;
  aggNo: number;
  aggNoActive: number;
}

function worldOf(p: EpsteinParams, c: Readonly<Record<string, TypedColumn>>): World {
  return {
    p,
    w: p.width,
    h: p.height,
    kind: c.kind as Uint8Array,
    state: c.state as Uint8Array,
    pos: c.pos as Int32Array,
    term: c.term as Uint32Array,
    hardship: c.hardship as Float32Array,
    risk: c.risk as Float32Array,
    visible: c.visible as Uint16Array,
    copsOn: c.copsOn as Uint16Array,
    activesOn: c.activesOn as Uint16Array,
    ...windowsOf(p),
    arrests: 0,
    aggCop: 0,
    aggCopActive: 0,
    aggNo: 0,
    aggNoActive: 0,
  };
}

// ---- geometry -------------------------------------------------------------------------------

/** Shortest displacement from cell a to cell b on the torus. */
function displacement(s: World, a: number, b: number): [number, number] {
  let dx = (b % s.w) - (a % s.w);
  let dy = Math.floor(b / s.w) - Math.floor(a / s.w);
  if (2 * dx > s.w) dx -= s.w;
  else if (2 * dx < -s.w) dx += s.w;
  if (2 * dy > s.h) dy -= s.h;
  else if (2 * dy < -s.h) dy += s.h;
  return [dx, dy];
}

/** Whether offset (dx, dy) is within radius r in the run's vision shape (own cell per the switch). */
function inVision(p: EpsteinParams, r: number, dx: number, dy: number): boolean {
  if (dx === 0 && dy === 0) return p.visionIncludesOwnCell;
  if (p.visionShape === 'von-neumann') return Math.abs(dx) + Math.abs(dy) <= r;
  if (p.visionShape === 'moore') return Math.max(Math.abs(dx), Math.abs(dy)) <= r;
  return dx * dx + dy * dy <= r * r;
}

function wrap(v: number, n: number): number {
  return ((v % n) + n) % n;
}

/** The cell at offset (dx, dy) from `cell`, wrapping round the torus. */
function offset(s: World, cell: number, dx: number, dy: number): number {
  return wrap(Math.floor(cell / s.w) + dy, s.h) * s.w + wrap((cell % s.w) + dx, s.w);
}

/** The offsets within radius r (row by row). */
function visionOffsets(p: EpsteinParams, r: number): [number, number][] {
  const out: [number, number][] = [];
  for (let dy = -Math.floor(r); dy <= r; dy++)
    for (let dx = -Math.floor(r); dx <= r; dx++) if (inVision(p, r, dx, dy)) out.push([dx, dy]);
  return out;
}

const windowCache = new WeakMap<EpsteinParams, Pick<World, 'citizenView' | 'copView'>>();

/** For every cell, the cells in citizen and in cop vision of it; built once per run. */
function windowsOf(p: EpsteinParams): Pick<World, 'citizenView' | 'copView'> {
  let w = windowCache.get(p);
  if (!w) {
    const s = { w: p.width, h: p.height } as World;
    const around = (r: number): Int32Array[] => {
      const offsets = visionOffsets(p, r);
      return Array.from({ length: p.width * p.height }, (_, cell) =>
        Int32Array.from(offsets, ([dx, dy]) => offset(s, cell, dx, dy)),
      );
    };
    w = { citizenView: around(p.citizenVision), copView: around(p.copVision) };
    windowCache.set(p, w);
  }
  return w;
}

/** The 8 adjacent cells' offsets ('one-step' movement). */
const STEPS = [-1, 0, 1].flatMap((dy) => [-1, 0, 1].filter((dx) => dx !== 0 || dy !== 0).map((dx) => [dx, dy]));

function pick<T>(xs: readonly T[], rng: CounterRng): T | undefined {
  return xs.length ? xs[rng.below(xs.length)] : undefined;
}

// ---- what stands where ----------------------------------------------------------------------

function place(s: World, a: number, cell: number): void {
  s.pos[a] = cell;
  s.visible[cell]++;
  if (s.kind[a] === COP) s.copsOn[cell]++;
  if (s.state[a] === ACTIVE) s.activesOn[cell]++;
}

function lift(s: World, a: number): void {
  const cell = s.pos[a];
  s.visible[cell]--;
  if (s.kind[a] === COP) s.copsOn[cell]--;
  if (s.state[a] === ACTIVE) s.activesOn[cell]--;
}

function relocate(s: World, a: number, cell: number): void {
  lift(s, a);
  place(s, a, cell);
}

function setState(s: World, a: number, next: number): void {
  if (s.state[a] === ACTIVE) s.activesOn[s.pos[a]]--;
  s.state[a] = next;
  if (next === ACTIVE) s.activesOn[s.pos[a]]++;
}

function emptyCells(s: World): number[] {
  return [...s.visible.keys()].filter((c) => s.visible[c] === 0);
}

// ---- rule A: decide -------------------------------------------------------------------------

function ratio(p: EpsteinParams, C: number, A: number): number {
  const x = C / A;
  if (p.arrestRule === 'literal') return x;
  if (p.arrestRule === 'floor') return Math.floor(x);
  const f = Math.floor(x); // Python round(): halves go to the even neighbour
  return x - f > 0.5 || (x - f === 0.5 && f % 2 === 1) ? f + 1 : f;
}

function decide(s: World, a: number, L: number): void {
  const p = s.p;
  const G = s.hardship[a] * (1 - L) * (p.grievanceScaling === 'one-minus-threshold' ? 1 - p.threshold : 1);
  if (!(G > p.threshold)) return setState(s, a, QUIET);
  let C = 0;
  let actives = 0;
  const seen = s.citizenView[s.pos[a]];
  for (let k = 0; k < seen.length; k++) {
    C += s.copsOn[seen[k]];
    actives += s.activesOn[seen[k]];
  }
  // A = the agent itself + the actives it sees; an active agent seeing its own cell sees
  // itself, which counts again only under NetLogo's rule.
  const self = s.state[a] === ACTIVE && p.visionIncludesOwnCell && !p.activeCountsSelfTwice ? 1 : 0;
  const P = 1 - Math.exp(-p.k * ratio(p, C, 1 + actives - self));
  const active = G - s.risk[a] * P > p.threshold;
  if (C === 0) {
    s.aggNo++;
    if (active) s.aggNoActive++;
  } else {
    s.aggCop++;
    if (active) s.aggCopActive++;
  }
  setState(s, a, active ? ACTIVE : QUIET);
}

// ---- rule M: move ---------------------------------------------------------------------------

function move(s: World, a: number, view: World['citizenView'], rng: CounterRng): void {
  const here = s.pos[a];
  let target: number | undefined;
  if (s.p.movementRule === 'one-step') {
    const [dx, dy] = STEPS[rng.below(STEPS.length)]; // one adjacent cell; an occupied one means no move
    const c = offset(s, here, dx, dy);
    if (s.visible[c] === 0) target = c;
  } else {
    const empty: number[] = []; // a random empty cell in vision, own cell excluded
    const around = view[here];
    for (let k = 0; k < around.length; k++) if (around[k] !== here && s.visible[around[k]] === 0) empty.push(around[k]);
    target = pick(empty, rng);
  }
  if (target !== undefined) relocate(s, a, target);
}

// ---- rule C: arrest, and jail ---------------------------------------------------------------

function jailTerm(p: EpsteinParams, rng: CounterRng): number {
  const J = p.maxJailTerm;
  if (J === null) return LIFE;
  if (p.jailTermRule === 'netlogo') return J > 0 ? rng.below(J) : 0; // 0 … J − 1
  if (p.jailTermRule === 'mesa') return rng.below(J + 1); // 0 … J
  return J > 0 ? 1 + rng.below(J) : 0; // U(0, J) served in whole ticks: 1 … J
}

function arrest(s: World, c: number, rng: CounterRng): void {
  const p = s.p;
  const seen: { a: number; d2: number }[] = [];
  for (let a = 0; a < s.kind.length; a++) {
    if (s.kind[a] !== CITIZEN || s.state[a] !== ACTIVE) continue;
    const [dx, dy] = displacement(s, s.pos[c], s.pos[a]);
    if (inVision(p, p.copVision, dx, dy)) seen.push({ a, d2: dx * dx + dy * dy });
  }
  let candidates = seen;
  if (p.arrestChoice === 'nearest') {
    const near = seen.filter((x) => x.d2 < p.copVision * p.copVision);
    const min = Math.min(...near.map((x) => x.d2));
    candidates = near.filter((x) => x.d2 === min);
  }
  const suspect = pick(candidates, rng)?.a;
  if (suspect === undefined) return;
  const cell = s.pos[suspect];
  setState(s, suspect, QUIET);
  s.arrests++;
  const t = jailTerm(p, rng);
  if (!(t === 0 && p.jailTiming === 'end-of-tick')) {
    // (a term of 0 served at the end of the tick is no jail at all: NetLogo's jailed? is term > 0)
    s.state[suspect] = JAILED;
    s.term[suspect] = t;
    if (p.jailedAgents !== 'occupy') lift(s, suspect);
  }
  if (p.copMovesToArrestee && cell !== s.pos[c]) relocate(s, c, cell);
}

function release(s: World, a: number, rng: CounterRng): void {
  s.state[a] = QUIET;
  s.term[a] = 0;
  if (s.p.jailedAgents === 'invisible') place(s, a, s.pos[a]);
  if (s.p.jailedAgents !== 'removed') return;
  let to: number | undefined;
  if (s.p.releasePlacement === 'nearest-free') {
    const near = emptyCells(s)
      .map((c) => ({ c, d2: displacement(s, s.pos[a], c).reduce((t, d) => t + d * d, 0) }))
      .filter((x) => x.d2 < RELEASE_RADIUS * RELEASE_RADIUS);
    const min = Math.min(...near.map((x) => x.d2));
    to = pick(
      near.filter((x) => x.d2 === min),
      rng,
    )?.c;
  }
  to ??= pick(emptyCells(s), rng);
  if (to === undefined) throw new Error(`no empty cell for agent ${a} leaving jail`);
  place(s, a, to);
}

// ---- the tick -------------------------------------------------------------------------------

function adjustCops(s: World, rng: CounterRng, tick: number): void {
  const target = copsAt(s.p, tick);
  const cops = [...s.kind.keys()].filter((a) => s.kind[a] === COP);
  for (let n = cops.length; n > target; n--) {
    const a = cops.splice(rng.below(cops.length), 1)[0];
    lift(s, a);
    s.kind[a] = NONE;
  }
  for (let n = cops.length, a = 0; n < target && a < s.kind.length; a++) {
    if (s.kind[a] !== NONE) continue;
    const cell = pick(emptyCells(s), rng);
    if (cell === undefined) break;
    s.kind[a] = COP;
    place(s, a, cell);
    n++;
  }
}

function citizenTurn(s: World, a: number, L: number, rng: CounterRng): void {
  const p = s.p;
  if (s.state[a] === JAILED) {
    if (p.jailTiming === 'end-of-tick' || s.term[a] === LIFE) return;
    if (p.jailTiming === 'at-activation-decrement-first') {
      // Ascape: count down first, out once the term is ≤ 0, then decide without moving.
      if (s.term[a] > 1) {
        s.term[a]--;
        return;
      }
      release(s, a, rng);
      return decide(s, a, L);
    }
    if (s.term[a] > 0) {
      s.term[a]--; // Mesa: serve this turn
      return;
    }
    release(s, a, rng); // … and act normally on the turn at 0
  }
  if (p.order === 'act-then-move') decide(s, a, L);
  if (p.movement) move(s, a, s.citizenView, rng);
  if (p.order !== 'act-then-move') decide(s, a, L);
}

function copTurn(s: World, c: number, rng: CounterRng): void {
  const p = s.p;
  const moves = p.movement || p.copsAlwaysMove;
  if (moves && p.order === 'move-then-act') move(s, c, s.copView, rng);
  arrest(s, c, rng);
  if (moves && p.order !== 'move-then-act') move(s, c, s.copView, rng);
}

function writeMetrics(s: World, acc: Float64Array, L: number): void {
  const citizens = [...s.kind.keys()].filter((a) => s.kind[a] === CITIZEN);
  const count = (st: number): number => citizens.filter((a) => s.state[a] === st).length;
  const cops = s.kind.filter((k) => k === COP).length;
  const states = { citizens: citizens.length, cops, quiet: count(QUIET), active: count(ACTIVE), jailed: count(JAILED) };
  writeEpsteinMetrics(acc, states, s, L);
}

function step(ctx: GlobalContext<EpsteinParams>): void {
  const p = ctx.params;
  const s = worldOf(p, ctx.columns);
  const tick = ctx.tick;
  const L = legitimacyAt(p, tick);
  if (p.copSchedule.kind !== 'constant') adjustCops(s, ctx.rng('ref-cops').key(0, tick), tick);
  // One random order of every agent slot, taken whole ('mixed') or citizens first, then cops.
  const order = [...s.kind.keys()];
  const shuffle = ctx.rng('ref-order').key(0, tick);
  for (let i = order.length - 1; i > 0; i--) {
    const j = shuffle.below(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const passes = p.activation === 'citizens-then-cops' ? [[CITIZEN], [COP]] : [[CITIZEN, COP]];
  const turn = ctx.rng('ref-turn');
  for (const kinds of passes) {
    for (const a of order) {
      if (!kinds.includes(s.kind[a])) continue;
      turn.key(a, tick);
      if (s.kind[a] === CITIZEN) citizenTurn(s, a, L, turn);
      else copTurn(s, a, turn);
    }
  }
  if (p.jailTiming === 'end-of-tick') {
    const rng = ctx.rng('ref-release');
    for (let a = 0; a < s.kind.length; a++) {
      if (s.state[a] !== JAILED || s.term[a] === LIFE) continue;
      if (--s.term[a] === 0) release(s, a, rng.key(a, tick));
    }
  }
  writeMetrics(s, ctx.acc, L);
}

/** The same population as the fast model's synthesis, draw for draw. */
function synthesize(ctx: GlobalContext<EpsteinParams>): void {
  const p = ctx.params;
  const s = worldOf(p, ctx.columns);
  const cells = p.width * p.height;
  const init = ctx.rng('init');
  if (p.densityRealisation === 'exact') {
    const citizens = Math.round(p.citizenDensity * cells);
    const cops = Math.min(cells - citizens, copsAt(p, 0));
    const perm = [...Array(cells).keys()]; // agent i gets the i-th cell of a random permutation
    for (let i = 0; i < citizens + cops; i++) {
      const j = i + init.key(i, 0).below(cells - i);
      [perm[i], perm[j]] = [perm[j], perm[i]];
      s.kind[i] = i < citizens ? CITIZEN : COP;
      place(s, i, perm[i]);
    }
  } else {
    for (let i = 0; i < cells; i++) {
      const u = init.key(i, 0).uniform(); // one slot per cell: citizen, cop or nothing
      s.kind[i] = u < p.citizenDensity ? CITIZEN : u < p.citizenDensity + p.copDensity ? COP : NONE;
      if (s.kind[i] !== NONE) place(s, i, i);
    }
  }
  const traits = ctx.rng('traits');
  for (let a = 0; a < s.kind.length; a++) {
    if (s.kind[a] !== CITIZEN) continue;
    traits.key(a, 0);
    s.hardship[a] = traits.uniform();
    s.risk[a] = traits.uniform();
  }
  writeMetrics(s, ctx.acc, legitimacyAt(p, 0));
}

function layout(p: EpsteinParams): ModelLayout {
  const cells = p.width * p.height;
  const citizens = Math.round(p.citizenDensity * cells);
  const n = p.densityRealisation === 'per-cell' ? cells : citizens + Math.min(cells - citizens, maxCopsOf(p));
  const perAgent = ['kind:u8', 'state:u8', 'pos:i32', 'term:u32', 'hardship:f32', 'risk:f32'];
  const perCell = ['visible:u16', 'copsOn:u16', 'activesOn:u16'];
  const spec = (list: string[], length: number) =>
    list.map((x) => {
      const [name, type] = x.split(':');
      return { name, type: type as 'u8', length };
    });
  return {
    agents: n,
    columns: [...spec(perAgent, n), ...spec(perCell, cells)],
    metrics: METRICS.map(([name, reduce, description]) => ({ name, key: '', reduce, description })),
    globals: 0,
    unitStarts: singleUnit(n),
    agentsPerShard: Math.max(1, n),
  };
}

export const epsteinReferenceModel: ModelDefinition<EpsteinParams> = {
  name: 'epstein-reference',
  streams: ['init', 'traits', 'ref-order', 'ref-turn', 'ref-release', 'ref-cops'],
  layout,
  init: [{ kind: 'global', name: 'synthesize', run: synthesize }],
  step: [{ kind: 'global', name: 'tick', run: step }],
};
