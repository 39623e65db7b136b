/** The real `panopticon` entry point (src/cli/main.ts via tsx) in a child process. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..', '..');

export interface Proc {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

export interface Spawned {
  readonly child: ChildProcess;
  readonly done: Promise<Proc>;
  /** Output so far. */
  readonly out: () => string;
  readonly err: () => string;
}

/** Start `panopticon ARGS`; `guardMs` kills it if it is still running then (a hung test fails, never hangs). */
export function spawnPanopticon(args: readonly string[], guardMs = 120_000): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<Proc>((res, rej) => {
    const guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
    child.on('error', rej);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      res({ code, signal, out, err });
    });
  });
  return { child, done, out: () => out, err: () => err };
}

export function panopticon(args: readonly string[], guardMs?: number): Promise<Proc> {
  return spawnPanopticon(args, guardMs).done;
}

/** Resolve once `test` holds for the output so far (polled), or reject when the process ends first. */
export async function waitFor(p: Spawned, test: (out: string, err: string) => boolean): Promise<void> {
  let ended = false;
  void p.done.then(() => (ended = true));
  while (!test(p.out(), p.err())) {
    if (ended) throw new Error(`process ended before the awaited output; stdout:\n${p.out()}\nstderr:\n${p.err()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A pid that is certainly not running any more (a child that has exited). */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return r.pid!;
}
