/** Epstein (2002) civil-violence model: the engine's validation anchor. */
export {
  epsteinModel,
  epsteinHeadline,
  arrestProbability,
  checkInvariants,
  geometryOf,
  populationOf,
  metricIndex,
  METRICS,
  type EpsteinMetric,
  NONE,
  CITIZEN,
  COP,
  QUIET,
  ACTIVE,
  JAILED,
  LIFE,
} from './model.js';
export {
  epsteinParams,
  legitimacyAt,
  copDensityAt,
  copsAt,
  type EpsteinParams,
  type LegitimacySchedule,
  type CopSchedule,
} from './params.js';
export { epsteinReferenceModel } from './reference.js';
export {
  RULE_SETS,
  ORIGINAL_RULE_REVERSIONS,
  ORIGINAL_ALL_REVERTED,
  K_ORIGINAL,
  type RuleSetName,
  type RuleSwitches,
} from './rules.js';
export {
  findOutbursts,
  summarizeOutbursts,
  poolOutbursts,
  meanSd,
  jackknife,
  type Outburst,
  type OutburstOptions,
  type OutburstSummary,
  type MeanSd,
} from './analysis.js';
export { runEpstein, type EpsteinRun, type RunEpsteinOptions } from './series.js';
