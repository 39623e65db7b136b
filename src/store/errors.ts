/**
 * Turning what DuckDB and the file system throw into expected failures (UserError kinds)
 * with one-line messages: a lock held by another process, a file that is not a store, a
 * full disk, read-only media. Anything not recognised is left alone: it is a bug.
 */
import { UserError, type ErrorKind } from '../scenario/errors.js';

/** DuckDB's message when another process holds the file: "Could not set lock on file … Conflicting lock is held in … (PID n)". */
const LOCK = /Could not set lock on file|Conflicting lock is held/;
const FULL = /No space left on device|ENOSPC|Disk quota exceeded|EDQUOT/;
const READ_ONLY =
  /Read-only file system|EROFS|Permission denied|EACCES|EPERM|Cannot open database .* in read-only mode/i;
const CORRUPT =
  /not a valid DuckDB database file|Corrupt database file|database file .* corrupt|checksum|Could not read enough bytes|Serialization Error|Deserialization|older than|newer than|version number|Catalog Error: Table with name (runs|metrics) does not exist/i;

/** The PID DuckDB names as the lock holder, if any. */
export function lockHolder(message: string): number | undefined {
  const m = /\(PID (\d+)\)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

export function isLockError(e: unknown): boolean {
  return LOCK.test(messageOf(e));
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`;
  return String(e);
}

/** The first line of an error message, without DuckDB's "See also <url>" tail. */
export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text
    .split('\n')[0]
    .replace(/\s*See also https?:\S+/, '')
    .trim();
}

/** The kind of an I/O failure, if it is one we expect (disk full, read-only); else undefined. */
export function ioKind(e: unknown): ErrorKind | undefined {
  const text = messageOf(e);
  if (FULL.test(text)) return 'disk-full';
  if (READ_ONLY.test(text)) return 'read-only';
  return undefined;
}

/**
 * An expected failure for an error thrown while working on the store at `path`, or `e`
 * itself when it is not one we recognise (a bug keeps its stack). `what` says what was
 * being done ("open", "write run 260101-…").
 */
export function storeFailure(e: unknown, path: string, what: string): unknown {
  if (e instanceof UserError) return e;
  const text = messageOf(e);
  const line = firstLine(e);
  if (LOCK.test(text)) {
    const pid = lockHolder(text);
    return new UserError(
      `results store ${path} is busy: another process${pid ? ` (PID ${pid})` : ''} held it for too long while we tried to ${what}; try again, or close the program holding it (a notebook or the duckdb CLI keeps it open until disconnected)`,
      undefined,
      'busy',
    );
  }
  const io = ioKind(e);
  if (io === 'disk-full')
    return new UserError(
      `disk full: no space left on the device holding ${path} while trying to ${what} (${line})`,
      undefined,
      'disk-full',
    );
  if (io === 'read-only')
    return new UserError(
      `read-only: cannot write ${path} while trying to ${what} (${line}); reading commands (runs, export, compare) work on read-only stores`,
      undefined,
      'read-only',
    );
  if (CORRUPT.test(text))
    return new UserError(
      `results store ${path} is corrupt or not a Panopticon results store: ${line.replace(/[.!]+$/, '')}. Restore it from a copy; see "What the store promises" in docs/guide.md`,
      undefined,
      'corrupt',
    );
  return e;
}
