/** Epstein (2002) Model II: inter-group violence between two groups, with optional cops. */
export {
  epstein2Model,
  epstein2Headline,
  checkInvariants,
  copsOf,
  initialAgentsOf,
  metricIndex,
  METRICS,
  type Epstein2Metric,
  NONE,
  BLUE,
  GREEN,
  COP,
  QUIET,
  ACTIVE,
  JAILED,
} from './model.js';
export { epstein2Params, type Epstein2Params } from './params.js';
export { runEpstein2, genocideTick, type Epstein2Run, type RunEpstein2Options } from './series.js';
