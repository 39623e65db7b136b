/**
 * What the commands touch outside their arguments (registry, presets folder, output,
 * memory, signals, executors), passed in so that tests can run the CLI in-process, and
 * the shape every command module's register function takes.
 */
import type { Command } from 'commander';
import type { Executor } from '../engine/simulation.js';
import type { ModelRegistry } from '../models/registry.js';
import type { ExportResult, ResultsStore } from '../store/store.js';

/**
 * Writes files that describe an export (provenance, RO-Crate metadata) beside it, after the
 * export file itself is in place; returns the paths it wrote. A sidecar must obey the same
 * rule as the export: never overwrite an existing file unless `force` is set.
 */
export type ExportSidecar = (exported: ExportResult, store: ResultsStore, force: boolean) => Promise<readonly string[]>;

/**
 * Writes files that describe an experiment's exported tables beside them (RO-Crate metadata),
 * after the tables are in place; returns the paths it wrote.
 */
export type ExperimentExportSidecar = (
  exported: {
    readonly experimentId: string;
    readonly dir: string;
    readonly files: readonly string[];
    readonly format: 'parquet' | 'csv';
  },
  /** The results store's path (the sidecar opens it read-only). */
  db: string,
  registry: ModelRegistry,
) => Promise<readonly string[]>;

export interface ProgressTarget {
  readonly stream: NodeJS.WritableStream;
  readonly isTTY: boolean;
}

export interface CliContext {
  readonly registry: ModelRegistry;
  /** Preset folder; defaults to <package root>/scenarios. */
  readonly presetsDir?: string;
  readonly version: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Bytes a run's state may use (the memory check refuses bigger scenarios). */
  readonly availableMemory: () => number;
  /** Where the progress bar goes (stdout), and whether it is a terminal. */
  readonly progress?: ProgressTarget;
  /** Where the progress bar goes when stdout is reserved for `--json` output (stderr). */
  readonly progressErr?: ProgressTarget;
  /**
   * Register a handler for SIGINT/SIGTERM; returns the unregister function. A run registers
   * only once its ticks can poll for a stop: until then a signal keeps its default effect.
   * `stopping` is what the first signal is answered with ("stopping after the current
   * tick"); null when the handler says it itself.
   */
  readonly onSignal: (handler: (signal: string) => void, stopping: string | null) => () => void;
  readonly createExecutor: (threads: number) => Promise<Executor>;
  /** CPU cores available, for the default thread count (1 if not given). */
  readonly cores?: number;
  /** Run after every successful export, in order (see ExportSidecar). */
  readonly exportSidecars?: readonly ExportSidecar[];
  /** Run after every successful `experiment export`, in order (see ExperimentExportSidecar). */
  readonly experimentExportSidecars?: readonly ExperimentExportSidecar[];
}

/** A command module adds its commands to the program; `setExit` records the exit code. */
export type RegisterCommands = (program: Command, ctx: CliContext, setExit: (code: number) => void) => void;
