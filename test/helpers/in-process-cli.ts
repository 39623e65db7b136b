/** The CLI run in-process against a registry, on this thread, collecting what it prints. */
import { runCli, type CliContext } from '../../src/cli/program.js';
import { LocalExecutor } from '../../src/engine/simulation.js';
import type { ModelRegistry } from '../../src/models/registry.js';

export type CliResult = { code: number; out: string; err: string };

export function inProcessCli(registry: ModelRegistry): (...argv: string[]) => Promise<CliResult> {
  return async (...argv) => {
    let out = '';
    let err = '';
    const ctx: CliContext = {
      registry,
      version: '9.9.9',
      out: (s) => (out += s),
      err: (s) => (err += s),
      availableMemory: () => 2 ** 32,
      onSignal: () => () => undefined,
      createExecutor: async () => new LocalExecutor(),
    };
    const code = await runCli(argv, ctx);
    return { code, out, err };
  };
}

/** The run id a `run` command printed. */
export const runIdOf = (out: string): string => /run id\s+(\S+)/.exec(out)![1];
