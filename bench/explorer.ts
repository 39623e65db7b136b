/// <reference lib="dom" />
/**
 * Benchmark of the explorer in headless Chromium (Debian's, driven by playwright-core):
 *
 * - first chart: a fresh browser context (empty cache, no service worker) opens the page,
 *   which starts its default run (national-blacklist, 100,000 residents, a year); the time
 *   from navigation start to the page's load event, and to the first chart drawn;
 * - a 100,000-resident regime year in the page (Run pressed to status "done"), per preset,
 *   beside the same scenario run by the CLI's engine in Node on the same number of threads;
 * - the bundle: every file of the build, raw and gzip-compressed, by when the page loads it.
 *
 *   npm run bench:explorer [-- --runs 5 --presets national-blacklist,high-intensity]
 *
 * Writes bench/results/explorer-<date>.json. Timings move with the machine's load: the load
 * average is recorded with them.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { defaultAppDir, startServer } from '../src/cli/serve.js';
import { LocalExecutor, runSimulation, type Executor } from '../src/engine/simulation.js';
import { models } from '../src/models/registry.js';
import { createNodeExecutor } from '../src/runtime/node-pool.js';
import { loadPreset, packageRoot } from '../src/scenario/load.js';
import { launchChromium } from './chromium.js';
import { describeMachine, machine } from './machine.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface BundleFile {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly loaded:
    'initial' | 'first run (workers)' | 'charts (lazy)' | 'YAML download (lazy)' | 'offline (service worker)';
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function bundle(appDir: string): BundleFile[] {
  const index = readFileSync(join(appDir, 'index.html'), 'utf8');
  const initial = new Set([...index.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]));
  return walk(appDir).map((path) => {
    const file = relative(appDir, path);
    const data = readFileSync(path);
    const loaded: BundleFile['loaded'] =
      file === 'index.html' || initial.has(file)
        ? 'initial'
        : /worker/.test(file)
          ? 'first run (workers)'
          : /chart-render/.test(file)
            ? 'charts (lazy)'
            : /^assets\//.test(file)
              ? 'YAML download (lazy)'
              : 'offline (service worker)';
    return { file, bytes: data.length, gzipBytes: gzipSync(data).length, loaded };
  });
}

/** The page's timings of a fresh visit: load event and first chart, ms after navigation start. */
interface Visit {
  readonly loadMs: number;
  readonly firstChartMs: number;
  /** The page's own milestones (performance marks), ms after navigation start. */
  readonly marks: Readonly<Record<string, number>>;
}

async function firstVisit(browser: Browser, url: string): Promise<Visit> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { firstChartAt?: number };
    new MutationObserver((_, observer) => {
      if (document.querySelector('figure.chart svg')) {
        w.firstChartAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { firstChartAt?: number }).firstChartAt !== undefined, null, {
    timeout: 60_000,
  });
  await page.waitForFunction(() => performance.getEntriesByName('explorer:first-chart').length > 0);
  const out = await page.evaluate(() => ({
    loadMs: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd,
    firstChartMs: (window as unknown as { firstChartAt: number }).firstChartAt,
    marks: Object.fromEntries(
      performance
        .getEntriesByType('mark')
        .filter((e) => e.name.startsWith('explorer:'))
        .map((e) => [e.name.slice('explorer:'.length), Math.round(e.startTime)]),
    ),
  }));
  await context.close();
  return out;
}

async function waitDone(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector<HTMLElement>('.status')?.dataset.state === 'done', null, {
    timeout: 300_000,
  });
}

interface YearTiming {
  readonly wallMs: number;
  readonly initMs: number;
  readonly stepMs: number;
  readonly workers: number;
}

/** One year in the page: Run pressed, to the status saying done (the last tick received). */
async function pageYear(page: Page): Promise<YearTiming> {
  const t0 = await page.evaluate(() => performance.now());
  await page.click('[data-action="run"]');
  await waitDone(page);
  const t1 = await page.evaluate(() => performance.now());
  const status = (await page.textContent('.status')) ?? '';
  const timing = (await page.textContent('.timing')) ?? '';
  const seconds = [...timing.matchAll(/([\d.]+) s/g)].map((m) => Number(m[1]) * 1000);
  return {
    wallMs: t1 - t0,
    initMs: seconds[0],
    stepMs: seconds[1],
    workers: Number(/(\d+) workers?/.exec(status)?.[1] ?? 0),
  };
}

/** The same year in Node, through the engine the CLI uses, on `threads` threads. */
async function nodeYear(preset: string, agents: number, threads: number): Promise<number> {
  const scenario = loadPreset(preset, { registry: models, overrides: { population: agents } });
  const entry = models[scenario.model];
  const executor: Executor = threads > 1 ? await createNodeExecutor(threads) : new LocalExecutor();
  const t0 = performance.now();
  try {
    await runSimulation(entry.definition, scenario.params, { seed: scenario.seed, steps: scenario.steps, executor });
  } finally {
    await executor.close();
  }
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const runs = Number(arg('runs', '5'));
  const presets = arg('presets', 'national-blacklist,high-intensity,baseline-no-surveillance').split(',');
  const agents = 100_000;
  const appDir = defaultAppDir();
  const server = await startServer({
    appDir,
    dbPath: join(appDir, 'no-store.duckdb'),
    registry: models,
    host: '127.0.0.1',
    port: 0,
  });
  const browser = await launchChromium();
  const m = machine();
  console.log(`explorer benchmark — ${describeMachine(m)}; Chromium ${browser.version()}`);
  try {
    const files = bundle(appDir);
    const groups = [...new Set(files.map((f) => f.loaded))].map((loaded) => {
      const fs = files.filter((f) => f.loaded === loaded);
      return { loaded, bytes: fs.reduce((s, f) => s + f.bytes, 0), gzipBytes: fs.reduce((s, f) => s + f.gzipBytes, 0) };
    });
    console.log('\nbundle (gzip -6)');
    for (const g of groups)
      console.log(
        `  ${g.loaded.padEnd(26)} ${(g.bytes / 1024).toFixed(1).padStart(8)} KiB  ${(g.gzipBytes / 1024).toFixed(1).padStart(7)} KiB gzip`,
      );

    const visits: Visit[] = [];
    for (let i = 0; i < runs; i++) visits.push(await firstVisit(browser, server.url));
    const firstChart = {
      loadMs: median(visits.map((v) => v.loadMs)),
      firstChartMs: median(visits.map((v) => v.firstChartMs)),
      afterLoadMs: median(visits.map((v) => v.firstChartMs - v.loadMs)),
      marks: Object.fromEntries(Object.keys(visits[0].marks).map((k) => [k, median(visits.map((v) => v.marks[k]))])),
      visits,
    };
    console.log(
      `\nfirst visit (median of ${runs}): load event ${firstChart.loadMs.toFixed(0)} ms, first chart ${firstChart.firstChartMs.toFixed(0)} ms after navigation start (${firstChart.afterLoadMs.toFixed(0)} ms after load)`,
    );
    console.log(
      `  milestones (ms after navigation start): ${Object.entries(firstChart.marks)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );

    const years: Record<string, unknown>[] = [];
    console.log(
      `\n${agents.toLocaleString('en-US')}-resident year, median of ${runs} (page: Run pressed → done; Node: the engine alone)`,
    );
    for (const preset of presets) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const page = await context.newPage();
      await page.goto(`${server.url}#preset=${preset}&agents=${agents}`);
      await waitDone(page); // the autostarted run: warms the browser up
      const timings: YearTiming[] = [];
      for (let i = 0; i < runs; i++) timings.push(await pageYear(page));
      await context.close();
      const workers = timings[0].workers;
      const node: number[] = [];
      for (let i = 0; i < runs; i++) node.push(await nodeYear(preset, agents, workers));
      const row = {
        preset,
        agents,
        days: loadPreset(preset, { registry: models }).steps,
        workers,
        pageWallMs: median(timings.map((t) => t.wallMs)),
        pageInitMs: median(timings.map((t) => t.initMs)),
        pageStepMs: median(timings.map((t) => t.stepMs)),
        nodeMs: median(node),
        timings,
        node,
      };
      years.push(row);
      console.log(
        `  ${preset.padEnd(26)} page ${(row.pageWallMs / 1000).toFixed(2)} s (synthesis ${(row.pageInitMs / 1000).toFixed(2)} s, ${row.days} days ${(row.pageStepMs / 1000).toFixed(2)} s; ${workers} workers)   Node ${(row.nodeMs / 1000).toFixed(2)} s   page ÷ Node ${(row.pageWallMs / row.nodeMs).toFixed(2)}`,
      );
    }
    const out = join(packageRoot(), 'bench', 'results');
    mkdirSync(out, { recursive: true });
    const file = join(out, `explorer-${new Date().toISOString().slice(0, 10)}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        { machine: m, chromium: browser.version(), runs, bundle: { groups, files }, firstChart, years },
        null,
        2,
      ) + '\n',
    );
    console.log(`\nwrote ${file}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
