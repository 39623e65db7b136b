/**
 * The run worker: coordinates one simulation off the page's thread, exactly as the CLI
 * does — the scenario is validated by the same resolver, the engine's tick loop runs the
 * model's systems, shard systems on a pool of Web Workers over shared memory (or in this
 * thread when the page is not cross-origin isolated: the results are the same) — and
 * streams each tick's metrics to the page. Pause, resume and step act between ticks.
 */
import { partition } from '../../../src/engine/shards.js';
import { LocalExecutor, runSimulation, type Executor } from '../../../src/engine/simulation.js';
import { models } from '../../../src/models/registry.js';
import { isUserError } from '../../../src/scenario/errors.js';
import { checkMemory, resolveScenario } from '../../../src/scenario/resolve.js';
import type { FromRunner, RunRequest, ToRunner } from './protocol.js';
import { workerScope } from './scope.js';
import { canShareMemory, SpareWorkers } from './web-pool.js';

/** State a page may ask for: beyond this a browser tab risks running out of memory. */
export const BROWSER_STATE_BYTES = 2 * 2 ** 30;
/** Ticks are sent in batches at most this often, so that a fast run does not flood the page. */
const BATCH_MS = 40;

const scope = workerScope();
/** The page names this worker `run:N` for N shard workers: they start loading at once. */
const hinted = Number(/^run:(\d+)$/.exec((self as unknown as { name?: string }).name ?? '')?.[1] ?? 0);
const spare = new SpareWorkers(hinted);
const send = (msg: FromRunner, transfer: Transferable[] = []): void => scope.postMessage(msg, transfer);

let paused = false;
let budget = 0;
let wake: (() => void) | null = null;
let started = false;

/** Let queued messages (pause, step) in: a run in this thread is otherwise one long task. */
const channel = new MessageChannel();
const yielded: (() => void)[] = [];
channel.port1.onmessage = () => yielded.shift()?.();
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    yielded.push(resolve);
    channel.port2.postMessage(null);
  });
}

scope.onmessage = (e: MessageEvent<ToRunner>) => {
  const msg = e.data;
  if (msg.type === 'start') {
    if (started) return send({ type: 'error', message: 'this worker has already run a scenario' });
    started = true;
    void run(msg.request).catch((err: unknown) => {
      if (isUserError(err)) send({ type: 'error', message: err.message, problems: err.problems });
      else send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    });
    return;
  }
  if (msg.type === 'pause') paused = true;
  else if (msg.type === 'resume') paused = false;
  else if (msg.type === 'step') {
    paused = true;
    budget++;
  }
  const w = wake;
  wake = null;
  w?.();
};

/** Wait while paused with no step granted; a step lets one more tick through. */
async function gate(): Promise<void> {
  while (paused && budget === 0) await new Promise<void>((resolve) => (wake = resolve));
  if (paused) budget--;
}

async function run(request: RunRequest): Promise<void> {
  const scenario = resolveScenario(request.doc, { registry: models, origin: 'scenario' });
  const estimate = checkMemory(scenario, models, BROWSER_STATE_BYTES);
  const entry = models[scenario.model];
  const layout = estimate.layout;
  const shards = partition(layout.unitStarts, layout.agentsPerShard).length;
  const shared = canShareMemory();
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  const threads = shared ? Math.max(1, Math.min(request.threads || cores, shards)) : 1;
  const outputs = layout.metrics.flatMap((m, k) => (m.internal ? [] : [k]));
  const m = outputs.length;
  paused = request.paused;
  budget = request.stepBudget;
  send({
    type: 'started',
    metrics: outputs.map((k) => ({
      name: layout.metrics[k].name,
      key: layout.metrics[k].key,
      description: layout.metrics[k].description,
    })),
    agents: estimate.agents,
    steps: scenario.steps,
    threads,
    shards,
    stateBytes: estimate.stateBytes,
    shared,
    headline: entry.headline,
    ...(entry.comparison ? { comparison: entry.comparison } : {}),
  });

  let first = 0;
  let rows: number[] = [];
  const flush = (): void => {
    const count = rows.length / Math.max(1, m);
    if (count === 0) return;
    const values = Float64Array.from(rows);
    send({ type: 'ticks', first, count, values }, [values.buffer]);
    first += count;
    rows = [];
  };

  let executor: Executor;
  if (threads > 1) executor = spare.take(threads);
  else {
    spare.release();
    executor = new LocalExecutor();
  }
  const t0 = performance.now();
  let tInit = t0;
  let lastFlush = t0;
  try {
    await runSimulation(entry.definition, scenario.params, {
      seed: scenario.seed,
      steps: scenario.steps,
      ...(scenario.schedule ? { schedule: scenario.schedule } : {}),
      executor,
      onTick: async (tick, values) => {
        for (let k = 0; k < m; k++) rows.push(values[outputs[k]]);
        const now = performance.now();
        if (tick === 0) tInit = now;
        if (tick === 0 || now - lastFlush >= BATCH_MS) {
          flush();
          lastFlush = now;
          await yieldToMessages();
        }
        if (tick < scenario.steps && paused && budget === 0) {
          flush();
          send({ type: 'paused', tick });
        }
        if (tick < scenario.steps) await gate();
      },
    });
  } finally {
    await executor.close();
  }
  flush();
  const end = performance.now();
  send({ type: 'done', ticks: scenario.steps, initMs: tInit - t0, stepMs: end - tInit });
}
