/** The CLI run in-process (runCli with a test context): output captured, signals simulated. */
import { LocalExecutor } from '../../src/engine/simulation.js';
import { runCli, type CliContext } from '../../src/cli/program.js';
import type { ModelRegistry } from '../../src/models/registry.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export interface InProcessCli {
  (...argv: string[]): Promise<CliResult>;
  /** Handlers the CLI registered for SIGINT/SIGTERM (call them to simulate a signal). */
  readonly signalHandlers: () => readonly ((s: string) => void)[];
}

export function inProcessCli(
  registry: ModelRegistry,
  extra: Partial<CliContext> & { availableMemory?: () => number } = {},
): InProcessCli {
  let handlers: ((s: string) => void)[] = [];
  const cli = async (...argv: string[]): Promise<CliResult> => {
    let out = '';
    let err = '';
    const ctx: CliContext = {
      registry,
      version: '9.9.9',
      out: (s) => (out += s),
      err: (s) => (err += s),
      availableMemory: () => 2 ** 30,
      onSignal: (h) => {
        handlers.push(h);
        return () => (handlers = handlers.filter((x) => x !== h));
      },
      createExecutor: async () => new LocalExecutor(),
      ...extra,
    };
    const code = await runCli(argv, ctx);
    return { code, out, err };
  };
  return Object.assign(cli, { signalHandlers: () => handlers });
}
