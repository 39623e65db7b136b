/**
 * `panopticon serve`: the app folder with the isolation headers, the read-only store API,
 * and the bounds — paths that try to leave the folder, bodies, long URLs, big headers,
 * methods that write, too many requests. Requests are written byte for byte on a socket,
 * so that no client library tidies a hostile path before the server sees it.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliContext } from '../src/cli/program.js';
import { RATE_BURST, startServer, staticFile, type RunningServer } from '../src/cli/serve.js';
import { LocalExecutor } from '../src/engine/simulation.js';
import { models } from '../src/models/registry.js';
import { ResultsStore } from '../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'pano-serve-'));
const app = join(dir, 'app');
const db = join(dir, 'store', 'results.duckdb');
const SECRET = 'top-secret-outside-the-app';

function context(out: string[], err: string[], signal?: { fire?: () => void }): CliContext {
  return {
    registry: models,
    version: '0.0.0-test',
    out: (s) => void out.push(s),
    err: (s) => void err.push(s),
    availableMemory: () => 2 ** 32,
    onSignal: (h) => {
      if (signal) signal.fire = () => h('SIGINT');
      return () => undefined;
    },
    createExecutor: async () => new LocalExecutor(),
  };
}

async function cli(...argv: string[]): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, context(out, err));
  expect(code, err.join('')).toBe(0);
  return out.join('');
}

/** Send `request` as it is; resolve with the status code, headers and body text. */
function raw(port: number, request: string | Buffer): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e),
    );
    socket.on('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), head, body: rest.join('\r\n\r\n') });
    });
  });
}

const get = (port: number, path: string, headers = '') =>
  raw(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers}\r\n`);

// Each test starts with a full rate-limit bucket (the server reads this clock).
beforeEach(() => {
  clock += 60_000;
});

/** A tiny experiment: two presets head to head on common random numbers. */
const TWO_ARMS = join(import.meta.dirname, 'fixtures', 'explorer', 'two-arms.yaml');

let server: RunningServer;
let port: number;
let clock = 0;
let runIds: string[] = [];

beforeAll(async () => {
  mkdirSync(join(app, 'assets'), { recursive: true });
  writeFileSync(join(app, 'index.html'), '<!doctype html><title>explorer</title>');
  writeFileSync(join(app, 'assets', 'main-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  symlinkSync(join(dir, 'secret.txt'), join(app, 'assets', 'link.txt'));
  symlinkSync(dir, join(app, 'escape'));
  const a = await cli(
    'run',
    '--preset',
    'national-blacklist',
    '--population',
    '2000',
    '--steps',
    '6',
    '--db',
    db,
    '--no-progress',
  );
  const b = await cli('run', '--preset', 'epstein-run2', '--steps', '8', '--db', db, '--no-progress');
  runIds = [a, b].map((out) => /run id\s+(\S+)/.exec(out)![1]);
  await cli('experiment', 'run', TWO_ARMS, '--db', db, '--workers', '1', '--no-progress');
  server = await startServer({
    appDir: app,
    dbPath: db,
    registry: models,
    host: '127.0.0.1',
    port: 0,
    now: () => clock,
  });
  port = Number(new URL(server.url).port);
});

afterAll(async () => {
  await server?.close();
});

describe('static files', () => {
  it('serves the app with the isolation and security headers', async () => {
    const r = await get(port, '/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>explorer</title>');
    expect(r.head).toMatch(/Cross-Origin-Opener-Policy: same-origin/i);
    expect(r.head).toMatch(/Cross-Origin-Embedder-Policy: require-corp/i);
    expect(r.head).toMatch(/Content-Security-Policy: default-src 'self'/i);
    expect(r.head).toMatch(/X-Content-Type-Options: nosniff/i);
    const asset = await get(port, '/assets/main-abc123.js');
    expect(asset.head).toMatch(/Content-Type: text\/javascript/i);
    expect(asset.head).toMatch(/Cache-Control: public, max-age=31536000, immutable/i);
  });

  it.each([
    '/../secret.txt',
    '/../../../../etc/passwd',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt',
    '/index.html%00.js',
    '/assets/link.txt',
    '/escape/secret.txt',
    '//etc/passwd',
    '/%',
  ])('refuses %s (a path out of the app folder)', async (path) => {
    const r = await get(port, path);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.body).not.toContain(SECRET);
    expect(r.body).not.toContain('root:');
  });

  it('resolves paths only inside the folder, after following links', () => {
    expect(staticFile(app, '/assets/main-abc123.js')).toBe(join(app, 'assets', 'main-abc123.js'));
    expect(staticFile(app, '/')).toBe(join(app, 'index.html'));
    expect(staticFile(app, '/assets/link.txt')).toBeNull();
    expect(staticFile(app, '/escape/secret.txt')).toBeNull();
    expect(staticFile(app, '/assets')).toBeNull(); // a folder
  });
});

describe('bounds', () => {
  it('refuses request bodies, oversized or not, without reading them', async () => {
    const big = Buffer.alloc(5 * 2 ** 20, 'x');
    const post = await raw(
      port,
      Buffer.concat([Buffer.from(`POST /api/runs HTTP/1.1\r\nHost: x\r\nContent-Length: ${big.length}\r\n\r\n`), big]),
    );
    expect(post.status).toBe(405);
    const withBody = await raw(port, `GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\nabc`);
    expect(withBody.status).toBe(413);
    const chunked = await raw(
      port,
      `GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    );
    expect(chunked.status).toBe(413);
  });

  it('refuses a URL over 2 KiB and headers over 16 KiB', async () => {
    expect((await get(port, `/${'a'.repeat(3000)}`)).status).toBe(414);
    expect((await get(port, '/', `X-Big: ${'b'.repeat(20_000)}\r\n`)).status).toBe(431);
  });

  it('takes only GET and HEAD', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const r = await raw(port, `${method} / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(r.status, method).toBe(405);
      expect(r.head).toMatch(/Allow: GET, HEAD/);
    }
    const head = await raw(port, `HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('limits the request rate per client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < RATE_BURST + 5; i++) statuses.push((await get(port, '/')).status);
    expect(statuses.slice(0, RATE_BURST).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(RATE_BURST)).toEqual([429, 429, 429, 429, 429]);
    clock += 1_000; // a second later: 50 more
    expect((await get(port, '/')).status).toBe(200);
  });
});

describe('the read-only store API', () => {
  it('lists the runs', async () => {
    const r = await get(port, '/api/runs');
    expect(r.status).toBe(200);
    expect(r.head).toMatch(/Content-Type: application\/json/);
    const runs = (JSON.parse(r.body) as { runs: { run_id: string; scenario_json?: string }[] }).runs;
    expect(runs.map((x) => x.run_id).sort()).toEqual([...runIds].sort());
    expect(runs[0].scenario_json).toBeUndefined();
  });

  it('gives a run with its scenario, and its metrics exactly as stored', async () => {
    const [id] = runIds;
    const detail = JSON.parse((await get(port, `/api/runs/${id}`)).body) as {
      run: { seed: number };
      scenario: { preset: string };
    };
    expect(detail.scenario.preset).toBe('national-blacklist');
    const body = JSON.parse((await get(port, `/api/runs/${id}/metrics`)).body) as {
      metrics: { name: string; key: string }[];
      ticks: number[];
      values: (number | null)[];
    };
    expect(body.ticks).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const store = await ResultsStore.open(db, { readOnly: true });
    {
      const rows = await store.query<{ tick: number; metric: string; key: string; value: number }>(
        'SELECT tick, metric, key, value FROM metrics WHERE run_id = $1',
        [id],
      );
      expect(rows.length).toBe(body.ticks.length * body.metrics.length);
      const m = body.metrics.length;
      for (const row of rows) {
        const k = body.metrics.findIndex((x) => x.name === row.metric && x.key === row.key);
        const got = body.values[body.ticks.indexOf(row.tick) * m + k];
        if (Number.isNaN(row.value)) expect(got).toBeNull();
        else expect(Object.is(got, row.value), `${row.metric} ${row.key} ${row.tick}`).toBe(true);
      }
    }
  });

  it('lists the experiments and gives one as the chart module draws it', async () => {
    const list = JSON.parse((await get(port, '/api/experiments')).body) as {
      experiments: { experiment_id: string; status: string }[];
    };
    expect(list.experiments.map((e) => [e.experiment_id, e.status])).toEqual([['two-arms', 'complete']]);
    const r = await get(port, '/api/experiments/two-arms');
    expect(r.status).toBe(200);
    const { data } = JSON.parse(r.body) as {
      data: {
        arms: string[];
        reference: string;
        summary: unknown[];
        paired: { arm: string; n: number }[];
        series: unknown[];
      };
    };
    expect(data.arms).toEqual(['baseline', 'blacklist']);
    expect(data.summary.length).toBeGreaterThan(0);
    expect(data.paired.every((p) => p.arm === 'blacklist' && p.n === 2)).toBe(true);
    expect(data.series.length).toBe(2 * 2 * 9 * 2); // arms × replicates × ticks 0–8 × series metrics
    expect((await get(port, '/api/experiments/nope')).status).toBe(404);
    expect((await get(port, "/api/experiments/x';DROP%20TABLE%20runs")).status).toBe(400);
    expect((await get(port, '/api/experiments/..%2f..')).status).toBe(404);
  });

  it('accepts nothing but a run id where one goes, and says what it has', async () => {
    expect((await get(port, "/api/runs/1'%20OR%201=1")).status).toBe(400);
    expect((await get(port, '/api/runs/991231-2359-zzzz')).status).toBe(404);
    expect((await get(port, '/api/sql?q=DROP%20TABLE%20runs')).status).toBe(404);
    expect(JSON.parse((await get(port, '/api/nothing')).body).error).toMatch(/try \/api\/runs/);
    const store = await ResultsStore.open(db, { readOnly: true });
    expect((await store.listRuns()).length).toBe(2);
  });
});

describe('the serve command', () => {
  it('refuses a bad port and a missing build, naming the option', async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await runCli(['serve', '--port', '70000', '--db', db, '--app', app], context(out, err))).toBe(1);
    expect(err.join('')).toMatch(/--port: got "70000"; allowed: an integer in \[0, 65535\]/);
    err.length = 0;
    expect(await runCli(['serve', '--port', '0', '--db', db, '--app', join(dir, 'nowhere')], context(out, err))).toBe(
      1,
    );
    expect(err.join('')).toMatch(/the explorer is not built: .*index.html is missing; run `npm run build:web`/);
  });

  it('warns when it listens beyond this machine, and stops on a signal', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const signal: { fire?: () => void } = {};
    const done = runCli(
      ['serve', '--port', '0', '--host', '0.0.0.0', '--db', db, '--app', app],
      context(out, err, signal),
    );
    for (let i = 0; i < 100 && !signal.fire; i++) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 100 && !out.join('').includes('http://'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(err.join('')).toMatch(/warning: serving on 0\.0\.0\.0, not only to this machine/);
    const url = /http:\/\/\S+/.exec(out.join(''))![0];
    expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/$/);
    signal.fire!();
    expect(await done).toBe(0);
    expect(out.join('')).toMatch(/stopped/);
  });
});
