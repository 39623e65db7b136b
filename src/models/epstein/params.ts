/**
 * Parameters of the Epstein (2002) civil-violence model, Model I. Defaults are NetLogo
 * Rebellion's (Wilensky 2004), which are also the paper's Run 2. Each implementation
 * switch is documented in docs/odd/epstein.md (deviations table).
 */
import { z } from 'zod';

export const MAX_SIDE = 4096;
/** Counts in vision are kept in 16-bit cells: a vision window may hold at most this many cells. */
export const MAX_WINDOW = 65535;

const legitimacySchedule = z
  .discriminatedUnion('kind', [
    z
      .strictObject({ kind: z.literal('constant').describe('legitimacy stays at `legitimacy` for the whole run') })
      .describe('constant legitimacy'),
    z
      .strictObject({
        kind: z.literal('sudden').describe('one-step change'),
        at: z
          .number()
          .int()
          .min(1)
          .max(2 ** 31 - 1)
          .describe('first tick at which legitimacy equals `to`'),
        to: z.number().min(0).max(1).describe('legitimacy from tick `at` on'),
      })
      .describe('sudden change of legitimacy at one tick (paper Run 4: 0.9 → 0.7 at t = 77)'),
    z
      .strictObject({
        kind: z.literal('gradual').describe('change by a fixed amount per tick'),
        start: z
          .number()
          .int()
          .min(1)
          .max(2 ** 31 - 1)
          .describe('first tick at which legitimacy has moved one step'),
        perTick: z.number().gt(0).max(1).describe('change per tick, towards `to`'),
        to: z.number().min(0).max(1).describe('final legitimacy, held once reached'),
      })
      .describe(
        'gradual ("salami") change: L(t) = legitimacy ∓ perTick·(t − start + 1), stopping at `to` (paper Run 3)',
      ),
  ])
  .describe('how legitimacy changes over the run');

export type LegitimacySchedule = z.infer<typeof legitimacySchedule>;

export const epsteinParams = z
  .strictObject({
    width: z.number().int().min(3).max(MAX_SIDE).default(40).describe('lattice width in cells (torus)'),
    height: z.number().int().min(3).max(MAX_SIDE).default(40).describe('lattice height in cells (torus)'),
    citizenDensity: z.number().min(0).max(1).default(0.7).describe('share of cells holding a citizen at the start'),
    copDensity: z.number().min(0).max(1).default(0.04).describe('share of cells holding a cop at the start'),
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
      .enum(['end-of-tick', 'at-activation'])
      .default('end-of-tick')
      .describe(
        "when terms run down: 'end-of-tick' every jailed agent −1 after all activations, out when 0 (NetLogo, paper); 'at-activation' −1 at the agent's own turn, acts on the first turn at 0 (Mesa)",
      ),
    jailedAgents: z
      .enum(['invisible', 'occupy', 'removed'])
      .default('invisible')
      .describe(
        "where jailed agents are: 'invisible' stay on their cell, which counts as empty, and reappear there (NetLogo); 'occupy' keep blocking their cell (Mesa); 'removed' leave the lattice and return to a random empty cell (paper)",
      ),
    copMovesToArrestee: z
      .boolean()
      .default(true)
      .describe("the arresting cop moves onto the arrestee's cell (NetLogo)"),
    movement: z.boolean().default(true).describe('citizens move to a random empty cell in vision every tick (rule M)'),
    copsAlwaysMove: z.boolean().default(true).describe('cops move even when movement is off (NetLogo)'),
    order: z
      .enum(['move-then-act', 'act-then-move'])
      .default('move-then-act')
      .describe("each agent's turn: move then decide/arrest (paper, NetLogo) or decide/arrest then move (Mesa)"),
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
    if (p.copMovesToArrestee && p.jailedAgents === 'occupy') {
      ctx.addIssue({
        code: 'custom',
        path: ['copMovesToArrestee'],
        message: "copMovesToArrestee needs jailedAgents 'invisible' or 'removed' (an occupied cell cannot be entered)",
      });
    }
  });

export type EpsteinParams = z.infer<typeof epsteinParams>;

/** Legitimacy at tick t under the schedule (t ≥ 0; t = 0 is the initial state). */
export function legitimacyAt(p: EpsteinParams, tick: number): number {
  const s = p.legitimacySchedule;
  const L = p.legitimacy;
  if (s.kind === 'constant') return L;
  if (s.kind === 'sudden') return tick >= s.at ? s.to : L;
  if (tick < s.start) return L;
  const moved = s.perTick * (tick - s.start + 1);
  return s.to < L ? Math.max(s.to, L - moved) : Math.min(s.to, L + moved);
}
