/**
 * How the CLI reports a failure: expected ones (UserError of any kind) as their one-line
 * message and the exit code of their kind; anything else as an internal error, with the
 * stack trace only under --debug.
 */
import { isUserError, type ErrorKind } from '../scenario/errors.js';
import { firstLine } from '../store/errors.js';
import { EXIT_INTERNAL, exitCodeOf } from './exit-codes.js';

export interface Failure {
  readonly code: number;
  readonly kind: ErrorKind | 'internal';
  /** What to print on stderr (without the trailing newline). */
  readonly text: string;
  /** The message alone, for machine-readable output. */
  readonly message: string;
}

export function describeFailure(e: unknown, debug: boolean): Failure {
  if (isUserError(e)) {
    const text = debug && e.stack ? `error: ${e.message}\n${stackOnly(e.stack)}` : `error: ${e.message}`;
    return { code: exitCodeOf(e.kind), kind: e.kind, text, message: e.message };
  }
  const message = firstLine(e);
  const text = debug
    ? `internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`
    : `internal error: ${message} (a bug: run again with --debug for the stack trace, and please report it)`;
  return { code: EXIT_INTERNAL, kind: 'internal', text, message };
}

/** The "    at …" lines of a stack. */
function stackOnly(stack: string): string {
  return stack
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .join('\n');
}
