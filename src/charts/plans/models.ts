/**
 * Per-model chart plans: which run figures to draw, which metrics are levels (means, ratios)
 * rather than counts, and which series to overlay when runs are compared.
 */
import { derivedMetrics, metricNames } from '../../models/regime/mechanisms.js';
import type { RunSeries, Stat } from '../series.js';
import type { FigureSet } from '../types.js';
import type { RunContext } from './context.js';
import { EPSTEIN_RUN_METRICS, epsteinRunFigures } from './epstein.js';
import { genericRunFigures } from './generic.js';
import { REGIME_RUN_METRICS, regimeRunFigures } from './regime.js';

/** A time series drawn for every run of a comparison, one line per run. */
export interface Overlay {
  readonly id: string;
  readonly title: string;
  readonly yTitle: string;
  readonly unit?: string;
  readonly yZero?: boolean;
  /** Metrics (key '') the overlay reads. */
  readonly needs: readonly string[];
  /** The value at tick index i. */
  readonly value: (s: RunSeries, i: number) => number | null;
}

export interface ModelPlan {
  readonly runFigures: (s: RunSeries, ctx: RunContext) => FigureSet;
  /** Metrics the run figures and overlays read; undefined means every metric. */
  readonly metrics?: readonly string[];
  /** A level (mean, share, ratio) is compared as is; a count is scaled when runs differ in size. */
  readonly isLevel: (metric: string) => boolean;
  readonly overlays: readonly Overlay[];
  /** What one tick is. */
  readonly tickName: string;
  /** The few measures a report's paragraph compares across runs, with plain labels. */
  readonly keyRows: readonly KeyRow[];
}

export interface KeyRow {
  readonly metric: string;
  readonly stat: Stat;
  /** Reads after a number: "arrests", "protesters on an average day". */
  readonly label: string;
}

const at = (s: RunSeries, metric: string, i: number) => s.values(metric, '')[i];

/** An overlay of one count as a % of another (protesters of adults, jailed of citizens). */
function shareOverlay(id: string, title: string, yTitle: string, count: string, of: string): Overlay {
  return {
    id,
    title,
    yTitle,
    unit: '%',
    needs: [count, of],
    value: (s, i) => {
      const whole = at(s, of, i);
      const part = at(s, count, i);
      return whole && part !== null ? (100 * part) / whole : null;
    },
  };
}

// Means, and the ratios global phases derive per group or region (precision, excess harm, …).
const REGIME_LEVELS = new Set([
  ...metricNames()
    .filter((m) => m.kind === 'mean')
    .map((m) => m.name),
  ...derivedMetrics().map((m) => m.name),
]);

const regimePlan: ModelPlan = {
  runFigures: regimeRunFigures,
  metrics: REGIME_RUN_METRICS,
  isLevel: (m) => REGIME_LEVELS.has(m) || m.startsWith('disparity_'),
  tickName: 'day',
  keyRows: [
    { metric: 'active', stat: 'mean', label: 'protesters on an average day' },
    { metric: 'legitimacy_mean', stat: 'final', label: 'mean perceived legitimacy at the end' },
    { metric: 'detentions_reactive', stat: 'total', label: 'arrests' },
    { metric: 'detentions_preemptive', stat: 'total', label: 'pre-emptive detentions' },
    { metric: 'blacklist_entries', stat: 'total', label: 'blacklistings' },
    { metric: 'false_camera', stat: 'total', label: 'face-recognition false matches' },
  ],
  overlays: [
    shareOverlay('protest-share', 'Protest', 'protesting (% of adults)', 'active', 'adults'),
    {
      id: 'legitimacy',
      title: 'Perceived legitimacy',
      yTitle: 'mean perceived legitimacy (0–1)',
      yZero: false,
      needs: ['legitimacy_mean'],
      value: (s, i) => at(s, 'legitimacy_mean', i),
    },
    shareOverlay('in-detention', 'In detention', 'in detention (% of adults)', 'detained', 'adults'),
  ],
};

const epsteinPlan: ModelPlan = {
  runFigures: epsteinRunFigures,
  metrics: [...EPSTEIN_RUN_METRICS, 'citizens'],
  isLevel: (m) => m === 'legitimacy',
  tickName: 'tick',
  keyRows: [
    { metric: 'active', stat: 'mean', label: 'active citizens on an average tick' },
    { metric: 'jailed', stat: 'final', label: 'citizens in jail at the end' },
    { metric: 'arrests', stat: 'total', label: 'arrests' },
  ],
  overlays: [
    shareOverlay('active-share', 'Active citizens', 'active (% of citizens)', 'active', 'citizens'),
    shareOverlay('jailed-share', 'Jailed citizens', 'jailed (% of citizens)', 'jailed', 'citizens'),
  ],
};

const genericPlan: ModelPlan = {
  runFigures: genericRunFigures,
  isLevel: () => false,
  tickName: 'tick',
  keyRows: [],
  overlays: [],
};

const PLANS: Readonly<Record<string, ModelPlan>> = {
  regime: regimePlan,
  'regime-reference': regimePlan,
  epstein: epsteinPlan,
};

/** The plan for a model (the generic plan for models without one). */
export function planFor(model: string): ModelPlan {
  return Object.prototype.hasOwnProperty.call(PLANS, model) ? PLANS[model] : genericPlan;
}
