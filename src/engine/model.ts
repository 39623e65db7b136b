/**
 * What a model declares to the engine. The engine knows nothing of surveillance or
 * civil violence: a model is data (columns, metrics, shard alignment) plus plain
 * functions over typed-array columns, grouped into systems that run in phase order.
 *
 * A model is looked up by name in a registry module, never sent as a closure, so that
 * worker threads (Node or browser) can import the same definition.
 */
import type { CounterRng } from './rng.js';
import type { ShardCounts } from './sparse.js';

export type ColumnType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64';

export type TypedColumn =
  Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** Number of elements: usually the agent count, but cell- or region-level columns are allowed. */
  readonly length: number;
}

export type Reduction = 'sum' | 'max' | 'min';

export interface MetricSpec {
  /** Metric name, e.g. `actives`. */
  readonly name: string;
  /** Breakdown key, '' for the whole population, e.g. `group=minority` or `region=north`. */
  readonly key: string;
  readonly reduce: Reduction;
  readonly description: string;
  /** Working value shared between systems within a tick (e.g. a histogram); not an output. */
  readonly internal?: boolean;
}

/** Everything a system sees while it works on one shard during one tick. */
export interface ShardContext<P> {
  readonly params: P;
  readonly layout: ModelLayout;
  readonly seed: number;
  readonly tick: number;
  /** Shard index (stable for a population, independent of the thread count). */
  readonly shard: number;
  /** Agent range [start, end) this shard owns. */
  readonly start: number;
  readonly end: number;
  /** Alignment-unit range [unitStart, unitEnd) this shard owns (e.g. neighbourhood cells). */
  readonly unitStart: number;
  readonly unitEnd: number;
  /** Whole-population column views; a shard writes only inside its own ranges. */
  readonly columns: Readonly<Record<string, TypedColumn>>;
  /** This shard's metric accumulator for the current tick, indexed like `metrics`. */
  readonly acc: Float64Array;
  /** Model-wide values written by global systems, read by shard systems. */
  readonly globals: Float64Array;
  /** A counter-based random source per declared stream name. */
  rng(stream: string): CounterRng;
  /**
   * This shard's sparse maps (agent → positive integer), one per name the layout declares
   * in `sparse`: for rare per-agent state that would waste a column (sparse.ts). They live
   * in shared memory, so any thread may run the shard on any tick.
   */
  readonly sparse: Readonly<Record<string, ShardCounts>>;
}

/** Everything a global system sees: it runs once per tick on the coordinating thread. */
export interface GlobalContext<P> {
  readonly params: P;
  readonly layout: ModelLayout;
  readonly seed: number;
  readonly tick: number;
  readonly columns: Readonly<Record<string, TypedColumn>>;
  readonly globals: Float64Array;
  /** Per-shard accumulators of the current tick, in shard order (read-only by convention). */
  readonly shardAccs: readonly Float64Array[];
  /** Accumulator a global system may write metrics into (reduced after the shards'). */
  readonly acc: Float64Array;
  readonly shards: readonly Shard[];
  rng(stream: string): CounterRng;
}

export interface ShardSystem<P> {
  readonly kind: 'shard';
  readonly name: string;
  run(ctx: ShardContext<P>): void;
}

export interface GlobalSystem<P> {
  readonly kind: 'global';
  readonly name: string;
  run(ctx: GlobalContext<P>): void;
}

export type System<P> = ShardSystem<P> | GlobalSystem<P>;

export interface Shard {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly unitStart: number;
  readonly unitEnd: number;
}

/** The compiled layout of one run: sizes, columns and metrics derived from the parameters. */
export interface ModelLayout {
  readonly agents: number;
  readonly columns: readonly ColumnSpec[];
  readonly metrics: readonly MetricSpec[];
  /** Number of model-wide global values. */
  readonly globals: number;
  /**
   * Agent index at which each alignment unit starts (length units + 1, last = agents).
   * Shards cut only at unit starts, so a unit never straddles two shards.
   */
  readonly unitStarts: Uint32Array;
  /** Preferred agents per shard (the engine rounds to unit boundaries). */
  readonly agentsPerShard: number;
  /** Names of per-shard sparse maps (ShardContext.sparse), for rare per-agent state. */
  readonly sparse?: readonly string[];
}

export interface ModelDefinition<P> {
  readonly name: string;
  /** Names of the random streams the systems use (each gets a stable stream id). */
  readonly streams: readonly string[];
  layout(params: P): ModelLayout;
  /** Systems run once, in order, at tick 0 before any step: synthesis of the population. */
  readonly init: readonly System<P>[];
  /** Systems run every tick, in order (the phase order). */
  readonly step: readonly System<P>[];
}

export function columnBytes(type: ColumnType): number {
  switch (type) {
    case 'u8':
    case 'i8':
      return 1;
    case 'u16':
    case 'i16':
      return 2;
    case 'u32':
    case 'i32':
    case 'f32':
      return 4;
    case 'f64':
      return 8;
  }
}
