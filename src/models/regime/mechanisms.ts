/**
 * The registry: every mechanism of the regime model, in the order of the day's phases
 * (DESIGN.md §4). The order decides the order of metrics in the catalogue, of detection
 * channels (and so of their draws) and of enforcement steps within a slot.
 */
import { abuse } from './abuse.js';
import { behaviour } from './behaviour.js';
import { cameras } from './cameras.js';
import { checkpoints } from './checkpoints.js';
import { dueProcess } from './dueprocess.js';
import { family } from './family.js';
import { grid } from './grid.js';
import { incentives } from './incentives.js';
import { informants } from './informants.js';
import { lists } from './lists.js';
import { patrols } from './patrols.js';
import { perception } from './perception.js';
import type { DerivedMetric, Mechanism, MetricName } from './mechanism.js';
import { platform } from './platform.js';
import { police } from './police.js';
import { predictive } from './predictive.js';
import { propaganda } from './propaganda.js';
import { records } from './records.js';
import { response } from './response.js';
import { sanctions } from './sanctions.js';
import { score } from './score.js';
import { tracking } from './tracking.js';
import { views } from './views.js';

// A function, not a constant: mechanism files import the layout, which reads the registry,
// so a constant here would be evaluated before the files it lists (an import cycle).
let registry: readonly Mechanism[] | null = null;
export function mechanisms(): readonly Mechanism[] {
  return (registry ??= [
    behaviour,
    police,
    cameras,
    tracking,
    grid,
    informants,
    propaganda,
    checkpoints,
    platform,
    records,
    score,
    lists,
    sanctions,
    family,
    predictive,
    patrols,
    abuse,
    dueProcess,
    incentives,
    perception,
    views,
    response,
  ]);
}

/** Every mechanism's derived metrics (per group or per region). */
export function derivedMetrics(): readonly DerivedMetric[] {
  return mechanisms().flatMap((m) => m.derived ?? []);
}

/** The metric catalogue: every mechanism's metrics, whether or not a scenario switches it on. */
export function metricNames(): readonly MetricName[] {
  return mechanisms().flatMap((m) => m.metrics ?? []);
}
