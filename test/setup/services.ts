/**
 * Vitest global setup: the servers and programs tests need, started once per test run.
 *
 * Redis: Debian's `redis-server` on 127.0.0.1, on a free port of its own, with its own
 * pidfile and folder and no persistence; stopped by its pid when the run ends. Tests read
 * its URL with `inject('redisUrl')`. Chromium: Debian's, at `inject('chromiumPath')`.
 * Both are installed by scripts/system-deps.sh (part of `npm test`); a missing one fails
 * the run with a message saying so, rather than skipping the tests that need it.
 */
import { existsSync } from 'node:fs';
import { startRedis } from '../../bench/redis-server.js';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    chromiumPath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const chromiumPath = process.env.PANOPTICON_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath))
    throw new Error(
      `Chromium not found at ${chromiumPath}: install it with \`bash scripts/system-deps.sh\` (npm test does this)`,
    );
  const redis = await startRedis();
  project.provide('redisUrl', redis.url);
  project.provide('chromiumPath', chromiumPath);
  return redis.stop;
}
