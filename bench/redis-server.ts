/**
 * Debian's `redis-server` on 127.0.0.1 for the tests and the experiments bench: a free port of
 * its own, its own pidfile and folder, no persistence, `noeviction` (BullMQ needs every key
 * kept); ready once it answers PING; stopped by its pid, its folder removed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(500);
    socket.on('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'panopticon-redis-'));
  const pidfile = join(dir, 'redis.pid');
  const port = await freePort();
  const started = spawnSync(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--daemonize',
      'yes',
      '--pidfile',
      pidfile,
      '--dir',
      dir,
      '--logfile',
      join(dir, 'redis.log'),
      '--save',
      '',
      '--appendonly',
      'no',
      // BullMQ needs every key kept (its docs); tests never approach the limit.
      '--maxmemory-policy',
      'noeviction',
    ],
    { encoding: 'utf8' },
  );
  if (started.error || started.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `cannot start redis-server (${started.error?.message ?? started.stderr.trim()}); ` +
        'install it with `bash scripts/system-deps.sh` (npm test does this)',
    );
  }
  for (let attempt = 0; attempt < 100 && !(await ping(port)); attempt++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!(await ping(port))) throw new Error(`redis-server did not answer on 127.0.0.1:${port} (log in ${dir})`);
  const stop = async (): Promise<void> => {
    if (existsSync(pidfile)) {
      const pid = Number(readFileSync(pidfile, 'utf8').trim());
      try {
        process.kill(pid, 'SIGTERM');
        // Redis writes its log while it shuts down: wait for it to exit before removing its folder.
        for (let attempt = 0; attempt < 100; attempt++) {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 20));
        }
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  return { url: `redis://127.0.0.1:${port}`, stop };
}
