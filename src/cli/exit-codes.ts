/**
 * The CLI's exit codes: one per kind of expected failure, so that scripts (Slurm arrays,
 * OpenMOLE, notebooks) can tell "fix your input" from "try again later" from "free some
 * disk" without parsing messages. docs/guide.md §4 and `panopticon --help` print this table.
 */
import type { ErrorKind } from '../scenario/errors.js';

export const EXIT_OK = 0;
/** Invalid input or usage: a scenario, an option, an unknown run, an output file that exists. */
export const EXIT_USER = 1;
/** A bug (or a model that threw): the message asks for a report; --debug prints the stack. */
export const EXIT_INTERNAL = 2;
export const EXIT_BUSY = 3;
export const EXIT_CORRUPT = 4;
export const EXIT_READ_ONLY = 5;
export const EXIT_DISK_FULL = 6;
/** An experiment finished, but some of its runs failed (stored as failed; running it again retries them). */
export const EXIT_RUNS_FAILED = 7;
/** 128 + the signal number, as a shell reports a process ended by it. */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

const BY_KIND: Readonly<Record<ErrorKind, number>> = {
  input: EXIT_USER,
  busy: EXIT_BUSY,
  corrupt: EXIT_CORRUPT,
  'read-only': EXIT_READ_ONLY,
  'disk-full': EXIT_DISK_FULL,
};

export function exitCodeOf(kind: ErrorKind): number {
  return BY_KIND[kind];
}

export const EXIT_CODE_TABLE: readonly (readonly [number, string])[] = [
  [EXIT_OK, 'success'],
  [EXIT_USER, 'invalid input or usage (scenario, option, unknown run, output file exists)'],
  [EXIT_INTERNAL, 'internal error: a bug or a model that failed (--debug prints the stack trace)'],
  [EXIT_BUSY, 'the results store stayed locked by another process; try again'],
  [EXIT_CORRUPT, 'the results store is corrupt or not a Panopticon store'],
  [EXIT_READ_ONLY, 'a file or folder to write is read-only'],
  [EXIT_DISK_FULL, 'no space left on the device'],
  [EXIT_RUNS_FAILED, 'an experiment finished with failed runs (running it again retries them)'],
  [EXIT_SIGINT, 'stopped by SIGINT (Ctrl-C)'],
  [EXIT_SIGTERM, 'stopped by SIGTERM'],
];

/** The table as `--help` shows it. */
export function exitCodeHelp(): string {
  return `\nExit codes:\n${EXIT_CODE_TABLE.map(([code, what]) => `  ${String(code).padStart(3)}  ${what}`).join('\n')}\n`;
}
