/**
 * Messages between the page and the run worker (run-worker.ts), which coordinates one
 * simulation off the page's thread. Plain data only.
 */
import type { ModelEntry } from '../../../src/models/registry.js';
import type { ScenarioDoc } from '../../../src/scenario/resolve.js';

export interface RunRequest {
  /** A complete scenario document (model, seed, steps, params); validated again in the worker. */
  readonly doc: ScenarioDoc;
  /** Shard workers to use; 0 picks one per core (results never depend on it). */
  readonly threads: number;
  /** Start paused: synthesize, then wait (with `steps` > 0, run that many days first). */
  readonly paused: boolean;
  /** Days to run before pausing when `paused` (a Step from a stopped run). */
  readonly stepBudget: number;
}

export type ToRunner =
  | { readonly type: 'start'; readonly request: RunRequest }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'step' };

/** One output metric: `index` is its position in each tick's row of values. */
export interface MetricInfo {
  readonly name: string;
  readonly key: string;
  readonly description: string;
}

export type FromRunner =
  | {
      readonly type: 'started';
      /** Output metrics (internal working values left out), in the order of each row. */
      readonly metrics: readonly MetricInfo[];
      readonly agents: number;
      readonly steps: number;
      readonly threads: number;
      readonly shards: number;
      readonly stateBytes: number;
      /** Whether the workers share memory (cross-origin isolated page) or one thread runs all. */
      readonly shared: boolean;
      /** The model's headline metrics and, for the regime model, what `compare` shows. */
      readonly headline: readonly string[];
      readonly comparison?: ModelEntry['comparison'];
    }
  /** Rows of `count` consecutive ticks from `first`, each `metrics.length` values. */
  | { readonly type: 'ticks'; readonly first: number; readonly count: number; readonly values: Float64Array }
  | { readonly type: 'paused'; readonly tick: number }
  | {
      readonly type: 'done';
      readonly ticks: number;
      /** Milliseconds to synthesize the population (tick 0) and to run the days after it. */
      readonly initMs: number;
      readonly stepMs: number;
    }
  /** `problems`: one line each, when the scenario itself is invalid. */
  | { readonly type: 'error'; readonly message: string; readonly problems?: readonly string[] };
