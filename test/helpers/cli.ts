/** The CLI run in-process with the real model registry and presets, capturing its output. */
import { runCli, type CliContext } from '../../src/cli/program.js';
import { LocalExecutor } from '../../src/engine/simulation.js';
import { models } from '../../src/models/registry.js';

export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = {
    registry: models,
    version: '9.9.9',
    out: (s) => (out += s),
    err: (s) => (err += s),
    availableMemory: () => 2 ** 32,
    cores: 2,
    onSignal: () => () => undefined,
    createExecutor: async () => new LocalExecutor(),
  };
  const code = await runCli(argv, ctx);
  return { code, out, err };
}
