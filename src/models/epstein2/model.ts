/**
 * Epstein (2002) Model II, inter-group violence: a straightforward implementation (plain
 * scans of small windows, no incremental counters), separate from the optimised Model I.
 *
 * Agents of two groups (blue, green) live on a torus, one per cell. Each has hardship H and
 * risk aversion R ~ U(0,1); grievance G = H(1 − L). An agent is active when G − R·P > T with
 * P = 1 − exp(−k·x), x = ⌊C/A⌋ (or C/A), C = cops in its vision, A = 1 + actives of its own
 * group in its vision. An active agent kills a random member of the other group in its
 * vision. Cops arrest a random active of either group in their vision (jail term U(0, Jmax)).
 * Agents clone onto an empty site in vision with a fixed probability per tick and die at an
 * age drawn U(0, maxAge) at birth. Rules and decisions: docs/odd/epstein.md, "Model II".
 *
 * One global system per tick: random sequential activation of every slot (order from the
 * 'order' stream), each agent's draws from ('act', slot, tick); then ageing, death and jail
 * release for everyone (draws from ('life', slot, tick)). Slots: cops first, then a pool of
 * cells − cops citizen slots reused through a free stack (deterministic).
 */
import { Neighbourhood, Torus } from '../../engine/lattice.js';
import type {
  ColumnSpec,
  GlobalContext,
  MetricSpec,
  ModelDefinition,
  ModelLayout,
  TypedColumn,
} from '../../engine/model.js';
import { shuffleInPlace } from '../../engine/rng.js';
import { singleUnit } from '../../engine/shards.js';
import type { Epstein2Params } from './params.js';

/** kind: a free slot, a member of either group, or a cop. */
export const NONE = 0;
export const BLUE = 1;
export const GREEN = 2;
export const COP = 3;
/** state of a living group member. */
export const QUIET = 0;
export const ACTIVE = 1;
export const JAILED = 2;

export const METRICS = [
  ['blue', 'sum', 'living blue agents (on the lattice or jailed)'],
  ['green', 'sum', 'living green agents (on the lattice or jailed)'],
  ['blue_active', 'sum', 'blue agents active at the end of the tick'],
  ['green_active', 'sum', 'green agents active at the end of the tick'],
  ['blue_killed', 'sum', 'blue agents killed this tick'],
  ['green_killed', 'sum', 'green agents killed this tick'],
  ['blue_born', 'sum', 'blue clones born this tick'],
  ['green_born', 'sum', 'green clones born this tick'],
  ['blue_died', 'sum', 'blue agents that died of age this tick'],
  ['green_died', 'sum', 'green agents that died of age this tick'],
  ['jailed', 'sum', 'agents in jail at the end of the tick (both groups)'],
  ['arrests', 'sum', 'arrests this tick'],
  ['cops', 'sum', 'cops'],
  ['genocide', 'max', '1 if a group is extinct (no living member, jailed included), else 0'],
] as const satisfies readonly (readonly [string, 'sum' | 'max', string])[];

export type Epstein2Metric = (typeof METRICS)[number][0];

export const metricIndex = Object.fromEntries(METRICS.map(([name], i) => [name, i])) as Record<Epstein2Metric, number>;

/** globals: [0] free-stack size. */
const G_FREE = 0;
const GLOBALS = 1;

export function copsOf(p: Epstein2Params): number {
  return Math.round(p.copDensity * p.width * p.height);
}

/** Initial group members: round(agentDensity · cells), at most the cells left by the cops. */
export function initialAgentsOf(p: Epstein2Params): { blue: number; green: number } {
  const cells = p.width * p.height;
  const agents = Math.min(cells - copsOf(p), Math.round(p.agentDensity * cells));
  const blue = Math.round(p.blueShare * agents);
  return { blue, green: agents - blue };
}

function layout(p: Epstein2Params): ModelLayout {
  const n = p.width * p.height;
  const cop = copsOf(p);
  if (cop > n) throw new RangeError(`copDensity ${p.copDensity} puts more cops than cells on the lattice`);
  const columns: ColumnSpec[] = [
    { name: 'kind', type: 'u8', length: n },
    { name: 'state', type: 'u8', length: n },
    { name: 'hardship', type: 'f32', length: n },
    { name: 'risk', type: 'f32', length: n },
    { name: 'age', type: 'u32', length: n },
    { name: 'deathAge', type: 'u32', length: n },
    { name: 'term', type: 'u32', length: n },
    { name: 'born', type: 'i32', length: n },
    { name: 'pos', type: 'i32', length: n },
    { name: 'arrestCell', type: 'i32', length: n },
    { name: 'order', type: 'u32', length: n },
    { name: 'free', type: 'i32', length: n },
    { name: 'grid', type: 'i32', length: n },
  ];
  const metrics: MetricSpec[] = METRICS.map(([name, reduce, description]) => ({ name, key: '', reduce, description }));
  return { agents: n, columns, metrics, globals: GLOBALS, unitStarts: singleUnit(n), agentsPerShard: n };
}

interface Geometry {
  readonly torus: Torus;
  /** Agent vision, own cell excluded: sight, movement, kill and clone targets. */
  readonly vis: Neighbourhood;
  /** Cop vision, own cell excluded. */
  readonly copVis: Neighbourhood;
}

const geometryCache = new Map<string, Geometry>();

function geometryOf(p: Epstein2Params): Geometry {
  const key = `${p.width}x${p.height}:${p.visionShape}:${p.vision}:${p.copVision}`;
  let g = geometryCache.get(key);
  if (!g) {
    const torus = new Torus(p.width, p.height);
    g = {
      torus,
      vis: new Neighbourhood(torus, p.visionShape, p.vision, false),
      copVis: new Neighbourhood(torus, p.visionShape, p.copVision, false),
    };
    if (geometryCache.size > 16) geometryCache.clear();
    geometryCache.set(key, g);
  }
  return g;
}

/** Typed views of the columns. */
class World {
  readonly kind: Uint8Array;
  readonly state: Uint8Array;
  readonly hardship: Float32Array;
  readonly risk: Float32Array;
  readonly age: Uint32Array;
  readonly deathAge: Uint32Array;
  readonly term: Uint32Array;
  readonly born: Int32Array;
  readonly pos: Int32Array;
  readonly arrestCell: Int32Array;
  readonly order: Uint32Array;
  readonly free: Int32Array;
  readonly grid: Int32Array;
  readonly g: Geometry;
  readonly window: Int32Array;

  constructor(
    p: Epstein2Params,
    c: Readonly<Record<string, TypedColumn>>,
    readonly globals: Float64Array,
  ) {
    this.kind = c.kind as Uint8Array;
    this.state = c.state as Uint8Array;
    this.hardship = c.hardship as Float32Array;
    this.risk = c.risk as Float32Array;
    this.age = c.age as Uint32Array;
    this.deathAge = c.deathAge as Uint32Array;
    this.term = c.term as Uint32Array;
    this.born = c.born as Int32Array;
    this.pos = c.pos as Int32Array;
    this.arrestCell = c.arrestCell as Int32Array;
    this.order = c.order as Uint32Array;
    this.free = c.free as Int32Array;
    this.grid = c.grid as Int32Array;
    this.g = geometryOf(p);
    this.window = new Int32Array(Math.max(this.g.vis.size, this.g.copVis.size));
  }

  /** Release a slot: it holds nobody and goes on the free stack. */
  freeSlot(a: number): void {
    this.kind[a] = NONE;
    this.state[a] = QUIET;
    this.pos[a] = -1;
    this.free[this.globals[G_FREE]++] = a;
  }

  /** Take a slot from the free stack, or -1 if none is left. */
  takeSlot(): number {
    if (this.globals[G_FREE] === 0) return -1;
    return this.free[--this.globals[G_FREE]];
  }

  place(a: number, cell: number): void {
    this.pos[a] = cell;
    this.grid[cell] = a;
  }

  lift(a: number): void {
    this.grid[this.pos[a]] = -1;
    this.pos[a] = -1;
  }
}

/** Per-tick event counts by group (index BLUE / GREEN). */
interface Events {
  killed: [number, number, number];
  born: [number, number, number];
  died: [number, number, number];
  arrests: number;
}

function writeMetrics(w: World, acc: Float64Array, ev: Events): void {
  const pop = [0, 0, 0];
  const act = [0, 0, 0];
  let jailed = 0;
  let cops = 0;
  for (let a = 0; a < w.kind.length; a++) {
    const k = w.kind[a];
    if (k === NONE) continue;
    if (k === COP) {
      cops++;
      continue;
    }
    pop[k]++;
    if (w.state[a] === ACTIVE) act[k]++;
    else if (w.state[a] === JAILED) jailed++;
  }
  const m = metricIndex;
  acc[m.blue] = pop[BLUE];
  acc[m.green] = pop[GREEN];
  acc[m.blue_active] = act[BLUE];
  acc[m.green_active] = act[GREEN];
  acc[m.blue_killed] = ev.killed[BLUE];
  acc[m.green_killed] = ev.killed[GREEN];
  acc[m.blue_born] = ev.born[BLUE];
  acc[m.green_born] = ev.born[GREEN];
  acc[m.blue_died] = ev.died[BLUE];
  acc[m.green_died] = ev.died[GREEN];
  acc[m.jailed] = jailed;
  acc[m.arrests] = ev.arrests;
  acc[m.cops] = cops;
  acc[m.genocide] = pop[BLUE] === 0 || pop[GREEN] === 0 ? 1 : 0;
}

function noEvents(): Events {
  return { killed: [0, 0, 0], born: [0, 0, 0], died: [0, 0, 0], arrests: 0 };
}

function synthesize(ctx: GlobalContext<Epstein2Params>): void {
  const p = ctx.params;
  const w = new World(p, ctx.columns, ctx.globals);
  const n = w.kind.length;
  const cells = w.g.torus.cells;
  const cops = copsOf(p);
  const { blue, green } = initialAgentsOf(p);
  w.grid.fill(-1);
  w.pos.fill(-1);
  w.globals[G_FREE] = 0;
  // Partial Fisher–Yates over the cells: the i-th placed agent gets the i-th cell of a random permutation.
  const perm = new Int32Array(cells);
  for (let c = 0; c < cells; c++) perm[c] = c;
  const init = ctx.rng('init');
  const traits = ctx.rng('traits');
  const placed = cops + blue + green;
  for (let i = 0; i < placed; i++) {
    const j = i + init.key(i, 0).below(cells - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
    w.kind[i] = i < cops ? COP : i < cops + blue ? BLUE : GREEN;
    w.state[i] = QUIET;
    w.born[i] = 0;
    w.place(i, perm[i]);
    if (i >= cops) {
      traits.key(i, 0);
      w.hardship[i] = traits.uniform();
      w.risk[i] = traits.uniform();
      w.age[i] = 0;
      w.deathAge[i] = 1 + traits.below(p.maxAge);
    }
  }
  // Free stack: the highest slot on the bottom, so that births fill low slots first.
  for (let a = n - 1; a >= placed; a--) w.freeSlot(a);
  writeMetrics(w, ctx.acc, noEvents());
}

/** Cells of `nb` around `cell` for which `keep(cell)` holds, written into w.window; returns their count. */
function collect(w: World, nb: Neighbourhood, cell: number, keep: (c: number) => boolean): number {
  const out = w.window;
  let m = 0;
  for (let k = 0; k < nb.size; k++) {
    const c = nb.at(cell, k);
    if (keep(c)) out[m++] = c;
  }
  return m;
}

function step(ctx: GlobalContext<Epstein2Params>): void {
  const p = ctx.params;
  const tick = ctx.tick;
  const w = new World(p, ctx.columns, ctx.globals);
  const { kind, state, grid, pos, order } = w;
  const { vis, copVis } = w.g;
  const ev = noEvents();
  const oneMinusL = 1 - p.legitimacy;
  const floorRule = p.arrestRule === 'floor';
  const ownGroupOnly = p.activesCounted === 'own-group';
  const rng = ctx.rng('act');
  for (let a = 0; a < order.length; a++) order[a] = a;
  shuffleInPlace(order, ctx.rng('order'), tick);

  const isEmpty = (c: number): boolean => grid[c] < 0;
  const moveTo = (a: number, nb: Neighbourhood): void => {
    const m = collect(w, nb, pos[a], isEmpty);
    if (m === 0) return;
    const target = w.window[rng.below(m)];
    w.lift(a);
    w.place(a, target);
  };

  for (let i = 0; i < order.length; i++) {
    const a = order[i];
    const k = kind[a];
    if (k === NONE || w.born[a] === tick || state[a] === JAILED) continue;
    rng.key(a, tick);
    if (k === COP) {
      // Rule M, then rule C: arrest a random active of either group in cop vision.
      moveTo(a, copVis);
      const m = collect(w, copVis, pos[a], (c) => grid[c] >= 0 && state[grid[c]] === ACTIVE && kind[grid[c]] !== COP);
      if (m > 0) {
        const v = grid[w.window[rng.below(m)]];
        w.arrestCell[v] = pos[v];
        w.lift(v);
        state[v] = JAILED;
        w.term[v] = 1 + rng.below(p.maxJailTerm);
        ev.arrests++;
      }
      continue;
    }
    // Rule M: move to a random empty site in vision.
    moveTo(a, vis);
    // Rule A: C = cops in vision, A = 1 (itself) + actives of its own group in vision.
    const here = pos[a];
    let cops = 0;
    let allies = 1;
    for (let j = 0; j < vis.size; j++) {
      const o = grid[vis.at(here, j)];
      if (o < 0) continue;
      if (kind[o] === COP) cops++;
      else if (state[o] === ACTIVE && (kind[o] === k || !ownGroupOnly)) allies++;
    }
    const x = floorRule ? Math.floor(cops / allies) : cops / allies;
    const P = x === 0 ? 0 : 1 - Math.exp(-p.k * x);
    const active = w.hardship[a] * oneMinusL - w.risk[a] * P > p.threshold;
    state[a] = active ? ACTIVE : QUIET;
    // Killing: an active agent kills a random member of the other group in its vision.
    if (active) {
      const other = k === BLUE ? GREEN : BLUE;
      const m = collect(w, vis, here, (c) => grid[c] >= 0 && kind[grid[c]] === other);
      if (m > 0) {
        const v = grid[w.window[rng.below(m)]];
        w.lift(v);
        w.freeSlot(v);
        ev.killed[other]++;
      }
    }
    // Cloning onto a random empty site in vision (needs a free slot too).
    if (rng.uniform() < p.cloneProbability) {
      const m = collect(w, vis, here, isEmpty);
      if (m > 0) {
        const target = w.window[rng.below(m)];
        const c = w.takeSlot();
        if (c >= 0) {
          kind[c] = k;
          state[c] = QUIET;
          w.born[c] = tick;
          w.age[c] = 0;
          w.term[c] = 0;
          if (p.inheritTraits) {
            w.hardship[c] = w.hardship[a];
            w.risk[c] = w.risk[a];
          } else {
            w.hardship[c] = rng.uniform();
            w.risk[c] = rng.uniform();
          }
          w.deathAge[c] = 1 + rng.below(p.maxAge);
          w.place(c, target);
          ev.born[k]++;
        }
      }
    }
  }

  // End of tick, slot order: everyone alive ages (in jail too) and dies at its death age;
  // jail terms run down and a released agent re-enters at a uniformly random empty cell.
  const life = ctx.rng('life');
  const cells = w.g.torus.cells;
  const backHome = p.releasePlacement === 'arrest-cell';
  for (let a = 0; a < kind.length; a++) {
    const k = kind[a];
    if (k === NONE || k === COP) continue;
    if (++w.age[a] >= w.deathAge[a]) {
      if (state[a] !== JAILED) w.lift(a);
      w.freeSlot(a);
      ev.died[k]++;
      continue;
    }
    if (state[a] !== JAILED) continue;
    if (w.term[a] > 0) w.term[a]--;
    if (w.term[a] > 0) continue;
    // Rejection sampling, then an exact scan if the lattice is nearly full; stay in jail if it is full.
    life.key(a, tick);
    let cell = -1;
    if (backHome) {
      const home = w.arrestCell[a];
      if (grid[home] < 0) cell = home;
      else {
        const m = collect(w, vis, home, isEmpty);
        if (m > 0) cell = w.window[life.below(m)];
      }
    }
    for (let t = 0; t < 32 && cell < 0; t++) {
      const c = life.below(cells);
      if (grid[c] < 0) cell = c;
    }
    if (cell < 0) {
      let empties = 0;
      for (let c = 0; c < cells; c++) if (grid[c] < 0) empties++;
      if (empties > 0) {
        let r = life.below(empties);
        for (let c = 0; c < cells; c++) {
          if (grid[c] < 0 && r-- === 0) {
            cell = c;
            break;
          }
        }
      }
    }
    if (cell >= 0) {
      state[a] = QUIET;
      w.place(a, cell);
    }
  }
  writeMetrics(w, ctx.acc, ev);
}

/** Brute-force consistency check of the state (tests): grid ↔ pos, free stack, kinds and states. */
export function checkInvariants(
  p: Epstein2Params,
  columns: Readonly<Record<string, TypedColumn>>,
  globals: Float64Array,
): string[] {
  const w = new World(p, columns, globals);
  const problems: string[] = [];
  const n = w.kind.length;
  const onFree = new Uint8Array(n);
  for (let i = 0; i < globals[G_FREE]; i++) {
    const a = w.free[i];
    if (onFree[a]) problems.push(`slot ${a} twice on the free stack`);
    onFree[a] = 1;
  }
  for (let a = 0; a < n; a++) {
    const k = w.kind[a];
    if ((k === NONE) !== (onFree[a] === 1)) problems.push(`slot ${a}: kind ${k}, on free stack ${onFree[a]}`);
    if (k === NONE) continue;
    const onLattice = !(k !== COP && w.state[a] === JAILED);
    if (onLattice && (w.pos[a] < 0 || w.grid[w.pos[a]] !== a)) problems.push(`slot ${a} not on its cell ${w.pos[a]}`);
    if (!onLattice && w.pos[a] !== -1) problems.push(`jailed slot ${a} has cell ${w.pos[a]}`);
    if (k !== COP && w.age[a] >= w.deathAge[a]) problems.push(`slot ${a} outlived its death age`);
  }
  for (let c = 0; c < w.grid.length; c++) {
    const a = w.grid[c];
    if (a >= 0 && w.pos[a] !== c) problems.push(`cell ${c} holds ${a}, whose cell is ${w.pos[a]}`);
  }
  return problems.slice(0, 20);
}

export const epstein2Model: ModelDefinition<Epstein2Params> = {
  name: 'epstein2',
  streams: ['init', 'traits', 'order', 'act', 'life'],
  layout,
  init: [{ kind: 'global', name: 'synthesize', run: synthesize }],
  step: [{ kind: 'global', name: 'activate', run: step }],
};

/** Metric names for an end-of-run summary. */
export const epstein2Headline: string[] = [
  'blue',
  'green',
  'blue_active',
  'green_active',
  'blue_killed',
  'green_killed',
  'jailed',
  'cops',
  'genocide',
];
