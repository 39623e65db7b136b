/**
 * A small tmpfs mounted for a test (a disk that fills up, media that turn read-only),
 * where the machine allows it: mounting needs root (CAP_SYS_ADMIN). Callers skip with the
 * returned reason otherwise.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  readonly dir: string;
  remount(options: string): void;
  unmount(): void;
}

function run(cmd: string, args: readonly string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return `${cmd}: ${r.error.message}`;
  return r.status === 0 ? null : `${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim() || `exit ${r.status}`}`;
}

/** Mount a tmpfs of `size` (e.g. '4m'), or return why it cannot be done here. */
export function mountTmpfs(size: string): Tmpfs | string {
  if (process.platform !== 'linux') return `tmpfs mounts are Linux-only (platform ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (CAP_SYS_ADMIN); this test process is not root';
  const dir = mkdtempSync(join(tmpdir(), 'pano-tmpfs-'));
  const failed = run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (failed) return `cannot mount a tmpfs here (${failed})`;
  return {
    dir,
    remount(options: string) {
      const err = run('mount', ['-o', `remount,${options}`, dir]);
      if (err) throw new Error(err);
    },
    unmount() {
      run('umount', ['-l', dir]);
    },
  };
}
