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
export { epsteinParams, legitimacyAt, type EpsteinParams, type LegitimacySchedule } from './params.js';
export {
  findOutbursts,
  summarizeOutbursts,
  poolOutbursts,
  meanSd,
  type Outburst,
  type OutburstOptions,
  type OutburstSummary,
  type MeanSd,
} from './analysis.js';
export { runEpstein, type EpsteinRun, type RunEpsteinOptions } from './series.js';
