/**
 * The `panopticon` command: a commander program whose commands come from their own modules
 * (src/cli/commands/*). To add a command, write a RegisterCommands function and list it in
 * COMMANDS. Everything the commands touch outside their arguments comes in through a
 * CliContext (context.ts), so tests run the CLI in-process.
 */
import { Command, CommanderError } from 'commander';
import { registerCalibrate } from './commands/calibrate.js';
import { registerExperimentCommands } from './commands/experiment.js';
import { registerResultsCommands } from './commands/results.js';
import { registerReport } from './report.js';
import { registerRun } from './commands/run.js';
import { registerScenarioCommands } from './commands/scenarios.js';
import { registerServe } from './serve.js';
import type { CliContext, RegisterCommands } from './context.js';
import { EXIT_OK, EXIT_USER, exitCodeHelp } from './exit-codes.js';
import { describeFailure } from './failure.js';

export type { CliContext, ExperimentExportSidecar, ExportSidecar, RegisterCommands } from './context.js';
export { EXIT_OK, EXIT_USER, EXIT_INTERNAL } from './exit-codes.js';
export { autoThreads } from './commands/run.js';

/** The command modules, in the order `--help` lists them. */
const COMMANDS: readonly RegisterCommands[] = [
  registerRun,
  registerScenarioCommands,
  registerResultsCommands,
  registerExperimentCommands,
  registerCalibrate,
  registerReport,
  registerServe,
];

export function buildProgram(ctx: CliContext, setExit: (code: number) => void): Command {
  const program = new Command('panopticon')
    .description('Agent-based simulator of mass-surveillance and social-credit regimes on synthetic populations')
    .version(ctx.version)
    .option('--debug', 'print the stack trace of any error')
    .exitOverride()
    .configureOutput({ writeOut: ctx.out, writeErr: ctx.err })
    .showSuggestionAfterError(true)
    .addHelpText('afterAll', exitCodeHelp());
  for (const register of COMMANDS) register(program, ctx, setExit);
  // --debug is accepted after any command's name too, at every level (`experiment run … --debug`)
  const withDebug = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub.option('--debug', 'print the stack trace of any error');
      withDebug(sub);
    }
  };
  withDebug(program);
  return program;
}

/** Run the CLI on `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(ctx, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USER; // commander already printed its one-line message
    const failure = describeFailure(e, argv.includes('--debug'));
    ctx.err(`${failure.text}\n`);
    return failure.code;
  }
}
