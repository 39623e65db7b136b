import type { Phase, RunSetup } from '../engine/simulation.js';

/** Messages between the pool and its workers. Plain data and SharedArrayBuffers only. */
export type WorkerRequest =
  /** `claims`: one shared Int32 — the next shard to take in the phase being run. */
  | { type: 'start'; setup: RunSetup<unknown>; claims: SharedArrayBuffer }
  | { type: 'run'; phase: Phase; index: number; tick: number };

/** `busyMs`: the time the worker spent running shard systems for this request. */
export type WorkerReply = { type: 'ok'; busyMs: number } | { type: 'error'; message: string; stack?: string };
