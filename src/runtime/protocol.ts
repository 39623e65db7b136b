import type { Phase, RunSetup } from '../engine/simulation.js';

/** Messages between the pool and its workers. Plain data and SharedArrayBuffers only. */
export type WorkerRequest =
  | { type: 'start'; setup: RunSetup<unknown>; worker: number; workers: number }
  | { type: 'run'; phase: Phase; index: number; tick: number };

export type WorkerReply = { type: 'ok' } | { type: 'error'; message: string; stack?: string };
