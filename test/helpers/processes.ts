/** The real `panopticon` entry point in child processes (src/cli/main.ts via tsx), for kill tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

export interface Spawned {
  readonly child: ChildProcess;
  out: string;
  err: string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly done: Promise<number | string>;
}

export function panopticon(args: readonly string[], guardMs = 240_000): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p: Spawned = {
    child,
    out: '',
    err: '',
    done: new Promise((res, rej) => {
      const guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
      child.on('error', rej);
      child.on('close', (code, signal) => {
        clearTimeout(guard);
        res(code ?? signal ?? 'unknown');
      });
    }),
  };
  child.stdout!.on('data', (d: Buffer) => (p.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (p.err += d.toString()));
  return p;
}

/** Poll `check` every `everyMs` until it returns true (or throw after `timeoutMs`). */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 120_000,
  everyMs = 100,
): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
