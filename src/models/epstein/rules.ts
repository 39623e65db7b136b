/**
 * The rule sets of Model I: the switches that separate the paper's text, NetLogo Rebellion,
 * Mesa's example and the original Ascape code, without the run's numbers (lattice, densities,
 * vision, L, J). A run is a preset's numbers plus one rule set; docs/odd/epstein.md has the
 * deviations table these come from and the sources of each value.
 */
import type { EpsteinParams } from './params.js';

export type RuleSwitches = Pick<
  EpsteinParams,
  | 'densityRealisation'
  | 'visionShape'
  | 'visionIncludesOwnCell'
  | 'k'
  | 'grievanceScaling'
  | 'arrestRule'
  | 'activeCountsSelfTwice'
  | 'jailTermRule'
  | 'jailTiming'
  | 'jailedAgents'
  | 'releasePlacement'
  | 'copMovesToArrestee'
  | 'arrestChoice'
  | 'movementRule'
  | 'copsAlwaysMove'
  | 'order'
  | 'activation'
>;

export type RuleSetName = 'paper' | 'netlogo' | 'mesa' | 'original';

/** k of the original code: −ln 0.1, so that P = 0.9 when C/A = 1 (the others round it to 2.3). */
export const K_ORIGINAL = -Math.log(0.1);

const paper: RuleSwitches = {
  densityRealisation: 'exact',
  visionShape: 'von-neumann',
  visionIncludesOwnCell: false,
  k: 2.3,
  grievanceScaling: 'none',
  arrestRule: 'literal',
  activeCountsSelfTwice: false,
  jailTermRule: 'paper',
  jailTiming: 'end-of-tick',
  jailedAgents: 'removed',
  releasePlacement: 'random-cell',
  copMovesToArrestee: false,
  arrestChoice: 'random',
  movementRule: 'jump-in-vision',
  copsAlwaysMove: false,
  order: 'move-then-act',
  activation: 'mixed',
};

export const RULE_SETS: Readonly<Record<RuleSetName, RuleSwitches>> = Object.freeze({
  paper,
  netlogo: {
    ...paper,
    visionShape: 'disc',
    visionIncludesOwnCell: true,
    arrestRule: 'floor',
    activeCountsSelfTwice: true,
    jailTermRule: 'netlogo',
    jailedAgents: 'invisible',
    copMovesToArrestee: true,
    copsAlwaysMove: true,
  },
  mesa: {
    ...paper,
    densityRealisation: 'per-cell',
    arrestRule: 'round-half-even',
    jailTermRule: 'mesa',
    jailTiming: 'at-activation',
    jailedAgents: 'occupy',
    order: 'act-then-move',
  },
  original: {
    densityRealisation: 'exact',
    visionShape: 'disc',
    visionIncludesOwnCell: false,
    k: K_ORIGINAL,
    grievanceScaling: 'one-minus-threshold',
    arrestRule: 'floor',
    activeCountsSelfTwice: false,
    jailTermRule: 'mesa',
    jailTiming: 'at-activation-decrement-first',
    jailedAgents: 'removed',
    releasePlacement: 'nearest-free',
    copMovesToArrestee: true,
    arrestChoice: 'nearest',
    movementRule: 'one-step',
    copsAlwaysMove: true,
    order: 'citizens-move-first-cops-arrest-first',
    activation: 'citizens-then-cops',
  },
});

/**
 * The five rules in which the original code departs from the paper's text, each as the
 * switch that puts the paper's rule back (docs/validation/epstein.md reverts them one at a time).
 */
export const ORIGINAL_RULE_REVERSIONS: Readonly<Record<string, Partial<RuleSwitches>>> = Object.freeze({
  'jump within vision (not one step)': { movementRule: 'jump-in-vision' },
  'no (1 − T) factor in G': { grievanceScaling: 'none' },
  'one mixed random order': { activation: 'mixed' },
  'random, not nearest, arrest': { arrestChoice: 'random' },
  'cop stays off the arrest cell': { copMovesToArrestee: false },
});

/** The original rule set with all five reverted at once: the paper's text on the original's other details. */
export const ORIGINAL_ALL_REVERTED: Partial<RuleSwitches> = Object.assign(
  {},
  ...Object.values(ORIGINAL_RULE_REVERSIONS),
);
