/**
 * Parameters of the Epstein (2002) civil-violence model, Model I. Defaults are NetLogo
 * Rebellion's (Wilensky 2004), which are also the paper's Run 2. Each implementation
 * switch is documented in docs/odd/epstein.md (deviations table).
 */
import { z } from 'zod';

export const MAX_SIDE = 4096;
/** Counts in vision are kept in 16-bit cells: a vision window may hold at most this many cells. */
export const MAX_WINDOW = 65535;

/** A value that changes over the run: constant, one sudden step, or a gradual ramp. */
function scheduleSchema(what: string, sudden: string, gradual: string) {
  return z
    .discriminatedUnion('kind', [
      z
        .strictObject({ kind: z.literal('constant').describe(`${what} stays at its start value for the whole run`) })
        .describe(`constant ${what}`),
      z
        .strictObject({
          kind: z.literal('sudden').describe('one-step change'),
          at: z
            .number()
            .int()
            .min(1)
            .max(2 ** 31 - 1)
            .describe('first tick at which the value equals `to`'),
          to: z.number().min(0).max(1).describe(`${what} from tick \`at\` on`),
        })
        .describe(sudden),
      z
        .strictObject({
          kind: z.literal('gradual').describe('change by a fixed amount per tick'),
          start: z
            .number()
            .int()
            .min(1)
            .max(2 ** 31 - 1)
            .describe('first tick at which the value has moved one step'),
          perTick: z.number().gt(0).max(1).describe('change per tick, towards `to`'),
          to: z.number().min(0).max(1).describe(`final ${what}, held once reached`),
        })
        .describe(gradual),
    ])
    .describe(`how ${what} changes over the run`);
}

const legitimacySchedule = scheduleSchema(
  'legitimacy',
  'sudden change of legitimacy at one tick (paper Run 4: 0.9 → 0.7 at t = 77)',
  'gradual ("salami") change: L(t) = legitimacy ∓ perTick·(t − start + 1), stopping at `to` (paper Run 3)',
);

const copSchedule = scheduleSchema(
  'cop density',
  'sudden change of the cop density at one tick',
  'gradual change: density(t) = copDensity ∓ perTick·(t − start + 1), stopping at `to` (paper Run 5: cops removed gradually)',
);

export type LegitimacySchedule = z.infer<typeof legitimacySchedule>;
export type CopSchedule = z.infer<typeof copSchedule>;

export const epsteinParams = z
  .strictObject({
    width: z.number().int().min(3).max(MAX_SIDE).default(40).describe('lattice width in cells (torus)'),
    height: z.number().int().min(3).max(MAX_SIDE).default(40).describe('lattice height in cells (torus)'),
    citizenDensity: z.number().min(0).max(1).default(0.7).describe('share of cells holding a citizen at the start'),
    copDensity: z.number().min(0).max(1).default(0.04).describe('share of cells holding a cop at the start'),
    copSchedule: copSchedule.default({ kind: 'constant' }),
    densityRealisation: z
      .enum(['exact', 'per-cell'])
      .default('exact')
      .describe(
        "'exact': round(density × cells) agents on distinct random cells (NetLogo, paper); 'per-cell': every cell independently draws cop / citizen / empty (Mesa)",
      ),
    citizenVision: z.number().min(0).max(100).default(7).describe('citizen vision radius v (cells; real-valued)'),
    copVision: z.number().min(0).max(100).default(7).describe('cop vision radius v* (cells; real-valued)'),
    visionShape: z
      .enum(['von-neumann', 'moore', 'disc'])
      .default('disc')
      .describe(
        "neighbourhood shape: 'von-neumann' |dx|+|dy| ≤ v (paper, Mesa), 'moore' max ≤ v, 'disc' dx²+dy² ≤ v² (NetLogo in-radius)",
      ),
    visionIncludesOwnCell: z
      .boolean()
      .default(true)
      .describe('whether the own cell is part of the vision (NetLogo in-radius: yes; Mesa get_neighborhood: no)'),
    legitimacy: z.number().min(0).max(1).default(0.82).describe('government legitimacy L at the start, shared by all'),
    legitimacySchedule: legitimacySchedule.default({ kind: 'constant' }),
    k: z.number().gt(0).max(100).default(2.3).describe('arrest-probability constant k in P = 1 − exp(−k·(C/A))'),
    threshold: z.number().min(0).max(1).default(0.1).describe('activation threshold T: active iff G − R·P > T'),
    grievanceScaling: z
      .enum(['none', 'one-minus-threshold'])
      .default('none')
      .describe(
        "'none': G = H·(1 − L) (paper, NetLogo, Mesa); 'one-minus-threshold': G = H·(1 − L)·(1 − T) (the original Ascape code)",
      ),
    arrestRule: z
      .enum(['literal', 'floor', 'round-half-even'])
      .default('floor')
      .describe(
        "how C/A enters P: 'literal' ratio (paper), 'floor' ⌊C/A⌋ (NetLogo), 'round-half-even' Python round(C/A) (Mesa)",
      ),
    activeCountsSelfTwice: z
      .boolean()
      .default(true)
      .describe(
        'NetLogo quirk: A = 1 + actives in vision, where the own cell (in vision) already holds the agent if it is active',
      ),
    maxJailTerm: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .nullable()
      .default(30)
      .describe('maximum jail term J in ticks; null = infinite (agents never come back)'),
    jailTermRule: z
      .enum(['netlogo', 'mesa', 'paper'])
      .default('netlogo')
      .describe(
        "term drawn at arrest: 'netlogo' integer 0…J−1, 'mesa' integer 0…J inclusive, 'paper' U(0,J) served in whole ticks = 1…J",
      ),
    jailTiming: z
      .enum(['end-of-tick', 'at-activation', 'at-activation-decrement-first'])
      .default('end-of-tick')
      .describe(
        "when terms run down: 'end-of-tick' every jailed agent −1 after all activations, out when 0 (NetLogo, paper); 'at-activation' −1 at the agent's own turn, acts on the first turn at 0 (Mesa); 'at-activation-decrement-first' −1 at the agent's own turn and out as soon as the term is ≤ 0, deciding (without moving) in that turn (Ascape)",
      ),
    jailedAgents: z
      .enum(['invisible', 'occupy', 'removed'])
      .default('invisible')
      .describe(
        "where jailed agents are: 'invisible' stay on their cell, which counts as empty, and reappear there (NetLogo); 'occupy' keep blocking their cell (Mesa); 'removed' leave the lattice and come back where `releasePlacement` says (paper, Ascape)",
      ),
    releasePlacement: z
      .enum(['random-cell', 'nearest-free'])
      .default('random-cell')
      .describe(
        "where a 'removed' agent comes back: 'random-cell' a uniformly random empty cell of the lattice; 'nearest-free' the empty cell nearest (Euclidean, < 16 cells, ties at random) to where it was arrested, else a random empty cell (Ascape)",
      ),
    copMovesToArrestee: z
      .boolean()
      .default(true)
      .describe("the arresting cop moves onto the arrestee's cell (NetLogo, Ascape)"),
    arrestChoice: z
      .enum(['random', 'nearest'])
      .default('random')
      .describe(
        "whom a cop arrests: 'random' a uniformly random active citizen in its vision (paper, NetLogo, Mesa); 'nearest' the active citizen at the smallest Euclidean distance, strictly less than copVision, ties at random (Ascape)",
      ),
    movement: z.boolean().default(true).describe('citizens move every tick (rule M)'),
    movementRule: z
      .enum(['jump-in-vision', 'one-step'])
      .default('jump-in-vision')
      .describe(
        "how citizens and cops move: 'jump-in-vision' to a uniformly random empty cell in vision (paper, NetLogo, Mesa); 'one-step' to one of the 8 adjacent cells at random, staying put if it is occupied (Ascape)",
      ),
    copsAlwaysMove: z.boolean().default(true).describe('cops move even when movement is off (NetLogo)'),
    order: z
      .enum(['move-then-act', 'act-then-move', 'citizens-move-first-cops-arrest-first'])
      .default('move-then-act')
      .describe(
        "each agent's turn: move then decide/arrest (paper, NetLogo), decide/arrest then move (Mesa), or citizens move then decide while cops arrest then move (Ascape)",
      ),
    activation: z
      .enum(['mixed', 'citizens-then-cops'])
      .default('mixed')
      .describe(
        "who acts when in a tick: 'mixed' every citizen and cop once in one random order (paper, NetLogo, Mesa); 'citizens-then-cops' all citizens in random order, then all cops in random order (Ascape)",
      ),
  })
  .superRefine((p, ctx) => {
    if (p.citizenDensity + p.copDensity > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['copDensity'],
        message: `citizenDensity + copDensity must be ≤ 1, got ${p.citizenDensity} + ${p.copDensity}`,
      });
    }
    const side = Math.min(p.width, p.height);
    for (const key of ['citizenVision', 'copVision'] as const) {
      const reach = Math.floor(p[key]);
      if (2 * reach + 1 > side) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `vision ${p[key]} needs a lattice of at least ${2 * reach + 1} cells a side; allowed: ≤ ${Math.floor((side - 1) / 2) + 0.999}`,
        });
      }
      if ((2 * reach + 1) ** 2 > MAX_WINDOW) {
        ctx.addIssue({ code: 'custom', path: [key], message: `vision ${p[key]} is too large; allowed: < 128` });
      }
    }
    const maxCops = Math.max(p.copDensity, p.copSchedule.kind === 'constant' ? 0 : p.copSchedule.to);
    if (p.copSchedule.kind !== 'constant' && p.citizenDensity + maxCops > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['copSchedule', 'to'],
        message: `citizenDensity + copSchedule.to must be ≤ 1, got ${p.citizenDensity} + ${maxCops}`,
      });
    }
    if (p.releasePlacement === 'nearest-free' && p.jailedAgents !== 'removed') {
      ctx.addIssue({
        code: 'custom',
        path: ['releasePlacement'],
        message: `releasePlacement 'nearest-free' needs jailedAgents 'removed' (got '${p.jailedAgents}': a jailed agent that stays on the lattice comes back where it is)`,
      });
    }
    if (p.copMovesToArrestee && p.jailedAgents === 'occupy') {
      ctx.addIssue({
        code: 'custom',
        path: ['copMovesToArrestee'],
        message: "copMovesToArrestee needs jailedAgents 'invisible' or 'removed' (an occupied cell cannot be entered)",
      });
    }
  });

export type EpsteinParams = z.infer<typeof epsteinParams>;

/** Value of a schedule at tick t (t ≥ 0; t = 0 is the initial state), starting from `start`. */
function scheduledValue(start: number, s: LegitimacySchedule | CopSchedule, tick: number): number {
  if (s.kind === 'constant') return start;
  if (s.kind === 'sudden') return tick >= s.at ? s.to : start;
  if (tick < s.start) return start;
  const moved = s.perTick * (tick - s.start + 1);
  return s.to < start ? Math.max(s.to, start - moved) : Math.min(s.to, start + moved);
}

/** Legitimacy at tick t under the schedule (t ≥ 0; t = 0 is the initial state). */
export function legitimacyAt(p: EpsteinParams, tick: number): number {
  return scheduledValue(p.legitimacy, p.legitimacySchedule, tick);
}

/** Cop density at tick t under the cop schedule. */
export function copDensityAt(p: EpsteinParams, tick: number): number {
  return scheduledValue(p.copDensity, p.copSchedule, tick);
}

/** Cops on the lattice at tick t: round(density(t) × cells). */
export function copsAt(p: EpsteinParams, tick: number): number {
  return Math.round(copDensityAt(p, tick) * p.width * p.height);
}

/** The largest cop count a run can reach (the schedule moves monotonically from copDensity to `to`). */
export function maxCopsOf(p: EpsteinParams): number {
  const s = p.copSchedule;
  const density = s.kind === 'constant' ? p.copDensity : Math.max(p.copDensity, s.to);
  return Math.round(density * p.width * p.height);
}
