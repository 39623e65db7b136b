/**
 * Who owns a running run, and whether that owner is still alive.
 *
 * A run records its owner when it starts: the host name, the process id and a token that
 * tells this process apart from a later one that reuses its pid (on Linux the boot id and
 * the process start time from /proc). On the same host, liveness is exact: the pid must
 * exist and carry the same token. On another host (a store on a shared file system) we
 * cannot see the process, so the run's heartbeat decides: an owner silent for longer than
 * STALE_HEARTBEAT_SECONDS is taken for dead.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface Owner {
  readonly host: string;
  readonly pid: number;
  /** boot id + process start time, or null where /proc is not available. */
  readonly token: string | null;
}

/** How often a running run refreshes its heartbeat in the store. */
export const HEARTBEAT_SECONDS = 30;
/**
 * An owner on another host with no heartbeat for this long is taken for dead. Generous:
 * a synchronous stage (synthesis of a national population on one thread) cannot beat.
 */
export const STALE_HEARTBEAT_SECONDS = 15 * 60;

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/** Field 22 of /proc/PID/stat: the process start time in clock ticks after boot. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may contain spaces
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

function tokenOf(pid: number): string | null {
  const boot = bootId();
  const start = startTime(pid);
  return boot && start ? `${boot}:${start}` : null;
}

let self: Owner | undefined;

/** This process as an owner. */
export function currentOwner(): Owner {
  self ??= { host: hostname(), pid: process.pid, token: tokenOf(process.pid) };
  return self;
}

export type Liveness = 'alive' | 'dead';

/**
 * Is the recorded owner of a running run alive? `heartbeatAgeSeconds` is the time since its
 * last heartbeat (or its start), as the store's clock sees it.
 */
export function ownerLiveness(owner: Partial<Owner> | null, heartbeatAgeSeconds: number | null): Liveness {
  const me = currentOwner();
  if (!owner || owner.pid === undefined || owner.pid === null || !owner.host) {
    // a run from before owners were recorded: only its age can tell
    return heartbeatAgeSeconds !== null && heartbeatAgeSeconds > STALE_HEARTBEAT_SECONDS ? 'dead' : 'alive';
  }
  if (owner.host !== me.host) {
    return heartbeatAgeSeconds !== null && heartbeatAgeSeconds > STALE_HEARTBEAT_SECONDS ? 'dead' : 'alive';
  }
  if (owner.pid === me.pid) return owner.token === me.token || !owner.token ? 'alive' : 'dead';
  if (owner.token && me.token) {
    // same host, same kernel boot? then the pid's start time must match
    const [boot] = owner.token.split(':');
    if (boot !== me.token.split(':')[0]) return 'dead'; // the machine rebooted since
    return tokenOf(owner.pid) === owner.token ? 'alive' : 'dead';
  }
  try {
    process.kill(owner.pid, 0);
    return 'alive';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? 'alive' : 'dead';
  }
}
