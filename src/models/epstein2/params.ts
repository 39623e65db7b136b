/**
 * Parameters of Epstein's (2002) Model II, inter-group violence: two groups (blue, green)
 * on a torus, killing instead of rebellion, cloning and death by age, optional cops.
 * Defaults are the paper's Run 7 (Table 2 [EP, ND-spec]: vision 1.7, L 0.8, Jmax 15, no cops).
 * Model and decisions: docs/odd/epstein.md, section "Model II".
 */
import { z } from 'zod';

export const MAX_SIDE = 1024;

export const epstein2Params = z
  .strictObject({
    width: z.number().int().min(3).max(MAX_SIDE).default(40).describe('lattice width in cells (torus)'),
    height: z.number().int().min(3).max(MAX_SIDE).default(40).describe('lattice height in cells (torus)'),
    agentDensity: z
      .number()
      .min(0)
      .max(1)
      .default(0.7)
      .describe('share of cells holding a (blue or green) agent at the start; round(density × cells) agents'),
    blueShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('share of the initial agents that are blue (the rest are green); blue count = round(share × agents)'),
    copDensity: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('share of cells holding a cop (cops never die or reproduce)'),
    vision: z
      .number()
      .min(0)
      .max(100)
      .default(1.7)
      .describe('agent vision radius v (cells, real-valued): what it sees, where it may move, kill and clone'),
    copVision: z.number().min(0).max(100).default(1.7).describe('cop vision radius v* (cells, real-valued)'),
    visionShape: z
      .enum(['von-neumann', 'moore', 'disc'])
      .default('von-neumann')
      .describe(
        "neighbourhood shape: 'von-neumann' |dx|+|dy| ≤ v (paper: north, south, east, west), 'moore' max ≤ v, 'disc' dx²+dy² ≤ v²",
      ),
    legitimacy: z.number().min(0).max(1).default(0.8).describe('legitimacy L, shared by both groups; G = H(1 − L)'),
    k: z.number().gt(0).max(100).default(2.3).describe('arrest-probability constant k in P = 1 − exp(−k·x)'),
    threshold: z.number().min(0).max(1).default(0.1).describe('activation threshold T: active iff G − R·P > T'),
    arrestRule: z
      .enum(['floor', 'literal'])
      .default('floor')
      .describe(
        "x in P: 'floor' ⌊C/A⌋ (NetLogo; the variant that reproduces Model I's dynamics; docs/validation/epstein.md) or 'literal' C/A (paper as stated); C = cops in vision, A = 1 + own-group actives in vision",
      ),
    activesCounted: z
      .enum(['own-group', 'both-groups'])
      .default('own-group')
      .describe(
        "whose actives make up A in P: 'own-group' A = 1 + actives of the agent's group in vision (safety in numbers among allies), 'both-groups' A = 1 + all actives in vision (cops arrest either side, so every active dilutes the risk)",
      ),
    maxJailTerm: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(15)
      .describe('Jmax: a term J ~ U(0, Jmax) is served to the next tick boundary, i.e. an integer 1…Jmax'),
    releasePlacement: z
      .enum(['random-cell', 'arrest-cell'])
      .default('random-cell')
      .describe(
        "where a released agent re-enters: 'random-cell' a uniformly random empty cell of the lattice (as Model I's preset), 'arrest-cell' the cell it was arrested on if empty, else a random empty cell in vision of it, else a random empty cell of the lattice",
      ),
    cloneProbability: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe('per tick, the probability that a free agent clones itself onto a random empty site in its vision'),
    maxAge: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(200)
      .describe('each agent dies at an age drawn U(0, maxAge) at birth, i.e. after an integer 1…maxAge ticks'),
    inheritTraits: z
      .boolean()
      .default(true)
      .describe(
        'a clone copies its parent’s hardship and risk aversion (true) or draws fresh U(0,1) values (false); it always inherits the group',
      ),
  })
  .describe("Epstein (2002) Model II: inter-group violence between two groups, with optional cops ('peacekeepers')");

export type Epstein2Params = z.infer<typeof epstein2Params>;
