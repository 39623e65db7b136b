/**
 * The tick loop: allocate a model's columns, split the population into shards, run
 * the init systems once and the step systems every tick, reduce the per-shard metric
 * accumulators in shard order and hand one row of metric values per tick to the caller.
 *
 * Shard systems run through an Executor: in this thread (LocalExecutor) or on a pool of
 * workers (a platform adapter outside the engine). Global systems always run here.
 */
import { allocateColumns, attachColumns, columnsBytes, type ColumnBuffers } from './columns.js';
import type {
  GlobalContext,
  MetricSpec,
  ModelDefinition,
  ModelLayout,
  Reduction,
  Shard,
  ShardContext,
  System,
  TypedColumn,
} from './model.js';
import { CounterRng, streamId } from './rng.js';
import { paramsResolver, type ParamSchedule } from './schedule.js';
import { partition } from './shards.js';
import { ShardCounts, allocateSparse, sparseBytes, type SparseBuffers } from './sparse.js';

export type Phase = 'init' | 'step';

/** What an executor needs to run shard systems of one run. Plain data: it can cross threads. */
export interface RunSetup<P> {
  readonly modelName: string;
  readonly params: P;
  /** Parameters that change during the run (schedule.ts); every thread resolves them alike. */
  readonly schedule?: ParamSchedule;
  readonly seed: number;
  readonly layout: ModelLayout;
  readonly shards: readonly Shard[];
  readonly columnBuffers: ColumnBuffers;
  /** Float64 accumulators, shards × metrics, shard-major. */
  readonly accBuffer: ArrayBufferLike;
  readonly globalsBuffer: ArrayBufferLike;
  /** The sparse maps the layout declares, by name. */
  readonly sparseBuffers: Readonly<Record<string, SparseBuffers>>;
}

export interface Executor {
  /** Number of threads that run shard systems. */
  readonly threads: number;
  /** True if column buffers must be SharedArrayBuffers (work happens in other threads). */
  readonly needsSharedMemory: boolean;
  start<P>(model: ModelDefinition<P>, setup: RunSetup<P>): Promise<void>;
  /** Run shard system `index` of `phase` over every shard for `tick`. */
  runShards(phase: Phase, index: number, tick: number): Promise<void>;
  close(): Promise<void>;
}

function rngFactory(seed: number): (stream: string) => CounterRng {
  const cache = new Map<string, CounterRng>();
  return (stream) => {
    let rng = cache.get(stream);
    if (!rng) {
      rng = new CounterRng(seed, streamId(stream));
      cache.set(stream, rng);
    }
    return rng;
  };
}

/** A shard's context as a thread keeps it: `enter(tick)` sets the tick and the parameters in force on it. */
export type TickedShardContext<P> = ShardContext<P> & { tick: number; params: P; enter(tick: number): void };

/** Build the per-shard contexts of one thread; call `enter(tick)` on each before running it. */
export function shardContexts<P>(
  setup: RunSetup<P>,
  columns: Readonly<Record<string, TypedColumn>>,
): TickedShardContext<P>[] {
  const metrics = setup.layout.metrics.length;
  const accAll = new Float64Array(setup.accBuffer);
  const globals = new Float64Array(setup.globalsBuffer);
  const rng = rngFactory(setup.seed);
  const paramsAt = paramsResolver(setup.params, setup.schedule);
  return setup.shards.map((s) => ({
    params: setup.params,
    enter(this: TickedShardContext<P>, tick: number) {
      this.tick = tick;
      this.params = paramsAt(tick);
    },
    layout: setup.layout,
    seed: setup.seed,
    tick: 0,
    shard: s.index,
    start: s.start,
    end: s.end,
    unitStart: s.unitStart,
    unitEnd: s.unitEnd,
    columns,
    acc: accAll.subarray(s.index * metrics, (s.index + 1) * metrics),
    globals,
    rng,
    sparse: Object.fromEntries(
      Object.entries(setup.sparseBuffers).map(([name, b]) => [name, new ShardCounts(name, b, s.index)]),
    ),
  }));
}

export function systemsOf<P>(model: ModelDefinition<P>, phase: Phase): readonly System<P>[] {
  return phase === 'init' ? model.init : model.step;
}

/** Runs shard systems in the calling thread. */
export class LocalExecutor implements Executor {
  readonly threads = 1;
  readonly needsSharedMemory = false;
  private model: ModelDefinition<unknown> | null = null;
  private contexts: TickedShardContext<unknown>[] = [];

  async start<P>(model: ModelDefinition<P>, setup: RunSetup<P>, columns?: Record<string, TypedColumn>): Promise<void> {
    this.model = model as ModelDefinition<unknown>;
    const cols = columns ?? attachColumns(setup.layout.columns, setup.columnBuffers);
    this.contexts = shardContexts(setup as RunSetup<unknown>, cols);
  }

  async runShards(phase: Phase, index: number, tick: number): Promise<void> {
    const system = systemsOf(this.model!, phase)[index];
    if (system.kind !== 'shard') throw new Error(`system ${system.name} is not a shard system`);
    for (const ctx of this.contexts) {
      ctx.enter(tick);
      system.run(ctx);
    }
  }

  async close(): Promise<void> {
    this.contexts = [];
  }
}

export function identityOf(reduce: Reduction): number {
  return reduce === 'sum' ? 0 : reduce === 'max' ? -Infinity : Infinity;
}

/** Reset accumulators to each metric's identity before a tick. */
function resetAccumulators(acc: Float64Array, metrics: readonly MetricSpec[]): void {
  const m = metrics.length;
  if (m === 0) return;
  for (let i = 0; i < acc.length; i++) acc[i] = identityOf(metrics[i % m].reduce);
}

/** Fold shard accumulators, then the global one, in a fixed order. */
export function reduceAccumulators(
  shardAcc: Float64Array,
  globalAcc: Float64Array,
  metrics: readonly MetricSpec[],
  shards: number,
  out: Float64Array,
): void {
  const m = metrics.length;
  for (let k = 0; k < m; k++) {
    const reduce = metrics[k].reduce;
    let v = identityOf(reduce);
    for (let s = 0; s <= shards; s++) {
      const x = s < shards ? shardAcc[s * m + k] : globalAcc[k];
      if (reduce === 'sum') v += x;
      else if (reduce === 'max') v = x > v ? x : v;
      else v = x < v ? x : v;
    }
    out[k] = v;
  }
}

export interface RunOptions {
  readonly seed: number;
  readonly steps: number;
  /** Parameters that change during the run: on tick t the systems see the values in force on t. */
  readonly schedule?: ParamSchedule;
  /** Defaults to a LocalExecutor. The caller owns it and closes it. */
  readonly executor?: Executor;
  /**
   * Called after init (tick 0) and after every step with the reduced metrics. `values` is
   * reused between ticks: copy it to keep it. Awaited, so a slow sink applies back-pressure.
   */
  readonly onTick?: (tick: number, values: Float64Array) => void | Promise<void>;
  /** Polled between ticks; returning true stops the run early (result.completed = false). */
  readonly shouldStop?: () => boolean;
}

export interface RunResult {
  readonly layout: ModelLayout;
  readonly ticks: number;
  readonly completed: boolean;
  /** Bytes held by the model's columns and accumulators. */
  readonly stateBytes: number;
  /** The final state's columns (for inspection in tests; not a per-agent output channel). */
  readonly columns: Readonly<Record<string, TypedColumn>>;
}

/** Bytes a run will allocate for its state, computable before allocating anything. */
export function estimateStateBytes(layout: ModelLayout): number {
  const shards = Math.ceil(layout.agents / Math.max(1, layout.agentsPerShard)) + 1;
  return columnsBytes(layout.columns) + (shards + 1) * layout.metrics.length * 8 + layout.globals * 8;
}

export async function runSimulation<P>(model: ModelDefinition<P>, params: P, options: RunOptions): Promise<RunResult> {
  const executor = options.executor ?? new LocalExecutor();
  const layout = model.layout(params);
  const shards = partition(layout.unitStarts, layout.agentsPerShard);
  const shared = executor.needsSharedMemory;
  const { columns, buffers } = allocateColumns(layout.columns, shared);
  const metrics = layout.metrics;
  const m = metrics.length;
  const Buf = shared ? SharedArrayBuffer : ArrayBuffer;
  const accBuffer = new Buf(shards.length * m * 8);
  const globalsBuffer = new Buf(layout.globals * 8);
  const sparseBuffers = Object.fromEntries(
    (layout.sparse ?? []).map((name) => [name, allocateSparse(shards.length, shared)]),
  );
  const setup: RunSetup<P> = {
    modelName: model.name,
    params,
    ...(options.schedule?.length ? { schedule: options.schedule } : {}),
    seed: options.seed,
    layout,
    shards,
    columnBuffers: buffers,
    accBuffer,
    globalsBuffer,
    sparseBuffers,
  };
  if (executor instanceof LocalExecutor) await executor.start(model, setup, columns);
  else await executor.start(model, setup);

  const shardAcc = new Float64Array(accBuffer);
  const globalAcc = new Float64Array(m);
  const values = new Float64Array(m);
  const paramsAt = paramsResolver(params, options.schedule);
  const globalCtx: GlobalContext<P> & { tick: number; params: P } = {
    params,
    layout,
    seed: options.seed,
    tick: 0,
    columns,
    globals: new Float64Array(globalsBuffer),
    shardAccs: shards.map((s) => shardAcc.subarray(s.index * m, (s.index + 1) * m)),
    acc: globalAcc,
    shards,
    rng: rngFactory(options.seed),
  };

  const runPhase = async (phase: Phase, tick: number): Promise<void> => {
    resetAccumulators(shardAcc, metrics);
    resetAccumulators(globalAcc, metrics);
    globalCtx.tick = tick;
    globalCtx.params = paramsAt(tick);
    const systems = systemsOf(model, phase);
    for (let i = 0; i < systems.length; i++) {
      const system = systems[i];
      if (system.kind === 'shard') await executor.runShards(phase, i, tick);
      else system.run(globalCtx);
    }
    reduceAccumulators(shardAcc, globalAcc, metrics, shards.length, values);
    if (options.onTick) await options.onTick(tick, values);
  };

  let ticks = 0;
  let completed = true;
  await runPhase('init', 0);
  for (let t = 1; t <= options.steps; t++) {
    if (options.shouldStop?.()) {
      completed = false;
      break;
    }
    await runPhase('step', t);
    ticks = t;
  }
  return {
    layout,
    ticks,
    completed,
    stateBytes:
      columnsBytes(layout.columns) +
      accBuffer.byteLength +
      globalsBuffer.byteLength +
      Object.values(sparseBuffers).reduce((sum, b) => sum + sparseBytes(b), 0),
    columns,
  };
}
