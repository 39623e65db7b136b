/**
 * `panopticon serve`: the explorer (the built web app) on 127.0.0.1, cross-origin isolated
 * so that its simulations run on several Web Workers, with a small read-only API over the
 * results store (serve-api.ts). Every simulation runs in the browser; the server only hands
 * out files and stored numbers.
 *
 * Bounds: GET and HEAD only, no request bodies, URLs up to 2 KiB, headers up to 16 KiB, a
 * rate limit per client address, timeouts on slow requests and on store reads, and a cap on
 * concurrent store reads. Paths are resolved inside the app folder and checked again after
 * symbolic links are followed, so no request reaches a file outside it.
 */
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import type { ModelRegistry } from '../models/registry.js';
import { UserError } from '../scenario/errors.js';
import { packageRoot } from '../scenario/load.js';
import { ISOLATION_HEADERS } from './isolation.js';
import { dbPathOf } from './commands/run.js';
import type { CliContext, RegisterCommands } from './context.js';
import { EXIT_OK } from './exit-codes.js';
import { handleApi, type ApiReply } from './serve-api.js';

export const DEFAULT_PORT = 8321;
export const MAX_URL_LENGTH = 2048;
export const MAX_HEADER_BYTES = 16 * 1024;
/** Requests a client may make per second on average, and in a burst (the page loads ~15 files). */
export const RATE_PER_SECOND = 50;
export const RATE_BURST = 200;
export const API_TIMEOUT_MS = 15_000;
const MAX_CONCURRENT_API = 4;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Sent with every response. Vega compiles chart expressions with `Function`, hence
 * 'unsafe-eval' for scripts; nothing else is loaded from anywhere but this server.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...ISOLATION_HEADERS,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; worker-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
});

export interface ServeOptions {
  /** The built explorer (dist/web). */
  readonly appDir: string;
  /** The results store the API reads. */
  readonly dbPath: string;
  /** The models, to read experiments' arms and labels. */
  readonly registry: ModelRegistry;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** For tests: a clock in milliseconds. */
  readonly now?: () => number;
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** The built app's folder in this package. */
export function defaultAppDir(): string {
  return join(packageRoot(), 'dist', 'web');
}

/** Token buckets per client address. */
class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly now: () => number) {}

  take(client: string): boolean {
    const t = this.now();
    const b = this.buckets.get(client) ?? { tokens: RATE_BURST, at: t };
    b.tokens = Math.min(RATE_BURST, b.tokens + ((t - b.at) / 1000) * RATE_PER_SECOND);
    b.at = t;
    if (this.buckets.size > 10_000) this.buckets.clear(); // many addresses: forget, stay bounded
    this.buckets.set(client, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sendJson(res: ServerResponse, reply: ApiReply): void {
  send(res, reply.status, 'application/json; charset=utf-8', JSON.stringify(reply.body));
}

function refuse(res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  // A refused request's body is never read: close the connection rather than drain it.
  res.setHeader('Connection', 'close');
  send(res, status, 'text/plain; charset=utf-8', `${message}\n`, extra);
}

/**
 * The file a URL path names inside `root`, or null: decoded once, no NUL, no `..` segment,
 * inside the root before and after following symbolic links, a regular file.
 */
export function staticFile(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return null;
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const base = resolve(root);
  const full = resolve(base, `.${relative.startsWith('/') ? relative : `/${relative}`}`);
  if (full !== base && !full.startsWith(base + sep)) return null;
  if (!existsSync(full)) return null;
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    return null;
  }
  const realBase = realpathSync(base);
  if (!real.startsWith(realBase + sep)) return null;
  return statSync(real).isFile() ? real : null;
}

function serveFile(res: ServerResponse, file: string, urlPath: string): void {
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  // Built assets carry a content hash in their names: they never change.
  const cache = urlPath.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
  const size = statSync(file).size;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': String(size),
    'Cache-Control': cache,
  });
  if (res.req.method === 'HEAD') return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function timeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms))),
  ]);
}

export function startServer(o: ServeOptions): Promise<RunningServer> {
  const root = resolve(o.appDir);
  if (!existsSync(join(root, 'index.html')))
    throw new UserError(
      `the explorer is not built: ${join(root, 'index.html')} is missing; run \`npm run build:web\` (or pass --app DIR)`,
    );
  const limiter = new RateLimiter(o.now ?? (() => Date.now()));
  let apiInFlight = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const client = req.socket.remoteAddress ?? '?';
    if (!limiter.take(client)) return refuse(res, 429, 'too many requests: slow down', { 'Retry-After': '1' });
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return refuse(res, 405, `method ${req.method ?? '?'} not allowed: this server only reads`, {
        Allow: 'GET, HEAD',
      });
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > 0 || req.headers['transfer-encoding'] !== undefined)
      return refuse(res, 413, 'request bodies are not accepted: this server only reads');
    const url = req.url ?? '/';
    if (url.length > MAX_URL_LENGTH) return refuse(res, 414, `URL longer than ${MAX_URL_LENGTH} characters`);
    const path = url.split('?')[0].split('#')[0];
    if (path === '/api' || path.startsWith('/api/')) {
      if (apiInFlight >= MAX_CONCURRENT_API)
        return refuse(res, 503, 'the store is busy with other requests: retry shortly', { 'Retry-After': '1' });
      apiInFlight++;
      try {
        let decoded: string;
        try {
          decoded = decodeURIComponent(path);
        } catch {
          return sendJson(res, { status: 400, body: { error: 'malformed URL encoding' } });
        }
        const out = await timeout(handleApi(o.dbPath, decoded, o.registry), API_TIMEOUT_MS);
        if (out === 'timeout')
          return sendJson(res, {
            status: 503,
            body: { error: `the store did not answer within ${API_TIMEOUT_MS / 1000} s` },
          });
        return sendJson(res, out);
      } catch (e) {
        return sendJson(res, {
          status: 500,
          body: { error: `could not read the store: ${(e as Error).message.split('\n')[0]}` },
        });
      } finally {
        apiInFlight--;
      }
    }
    const file = staticFile(root, path);
    if (!file) return refuse(res, 404, 'not found');
    serveFile(res, file, path);
  };

  const server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 10_000, headersTimeout: 5_000 },
    (req, res) => {
      handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) refuse(res, 500, `internal error: ${(e as Error).message}`);
        else res.destroy();
      });
    },
  );
  server.keepAliveTimeout = 5_000;
  server.maxRequestsPerSocket = 1_000;
  return new Promise((resolveStart, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE')
        reject(
          new UserError(`--port: ${o.port} is in use on ${o.host}; choose another (--port N, 0 for any free port)`),
        );
      else if (e.code === 'EACCES')
        reject(new UserError(`--port: not allowed to listen on ${o.host}:${o.port}; use a port above 1023`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
        reject(new UserError(`--host: ${o.host} is not an address of this machine`));
      else reject(e);
    });
    server.listen(o.port, o.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : o.port;
      const shown = o.host.includes(':') ? `[${o.host}]` : o.host;
      resolveStart({
        url: `http://${shown}:${port}/`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** Hosts that stay on this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface ServeCliOptions {
  readonly port: string;
  readonly host: string;
  /** The results store, resolved from --db / --out. */
  readonly db: string;
  readonly app?: string;
}

/** The `serve` command: validate, listen, say where, and serve until SIGINT or SIGTERM. */
export async function serveCommand(ctx: CliContext, o: ServeCliOptions): Promise<number> {
  const port = /^\d+$/.test(o.port.trim()) ? Number(o.port) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UserError(`--port: got ${JSON.stringify(o.port)}; allowed: an integer in [0, 65535] (0: any free port)`);
  const host = o.host.trim();
  if (!host) throw new UserError('--host: got an empty string; allowed: an address of this machine, e.g. 127.0.0.1');
  const running = await startServer({
    appDir: o.app ?? defaultAppDir(),
    dbPath: o.db,
    registry: ctx.registry,
    host,
    port,
  });
  if (!isLoopback(host))
    ctx.err(
      `warning: serving on ${host}, not only to this machine: anyone who can reach it can open the explorer and read every run in ${o.db} (read only)\n`,
    );
  ctx.out(`Panopticon explorer: ${running.url}\nresults store (read only): ${o.db}\npress Ctrl-C to stop\n`);
  await new Promise<void>((done) => {
    const unregister = ctx.onSignal(() => {
      unregister();
      done();
    }, 'stopping the server');
  });
  await running.close();
  ctx.out('stopped\n');
  return EXIT_OK;
}

export const registerServe: RegisterCommands = (program, ctx, setExit) => {
  program
    .command('serve')
    .description('serve the explorer (simulations run in the browser) and a read-only API over the results store')
    .option('--port <n>', 'port (0: any free port)', String(DEFAULT_PORT))
    .option(
      '--host <address>',
      'address to listen on; anything but loopback exposes the store to the network',
      '127.0.0.1',
    )
    .option('--out <dir>', 'results folder (holds results.duckdb)', 'panopticon-results')
    .option('--db <path>', 'results database file (overrides --out)')
    .option('--app <dir>', 'the built explorer (default: dist/web of this package)')
    .action(async (o: { port: string; host: string; out?: string; db?: string; app?: string }) =>
      setExit(await serveCommand(ctx, { ...o, db: dbPathOf(o) })),
    );
};
