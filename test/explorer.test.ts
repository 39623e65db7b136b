/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The explorer in a real browser: Debian's Chromium, driven by playwright-core, against the
 * built app served by `panopticon serve` (the build is refreshed here when web/ or src/ is
 * newer). The page must be cross-origin isolated, run presets and draw them, react to its
 * controls, compare two scenarios, reproduce a share link bit for bit, give the CLI's exact
 * numbers for the scenario file it writes, chart and re-run stored runs, be usable from the
 * keyboard alone, and keep working offline. Screenshots go to test-results/explorer/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../bench/chromium.js';
import { startServer, type RunningServer } from '../src/cli/serve.js';
import { models } from '../src/models/registry.js';
import { panopticon as run } from './helpers/cli-process.js';

const root = resolve(import.meta.dirname, '..');
const appDir = join(root, 'dist', 'web');
const shots = join(root, 'test-results', 'explorer');
const dir = mkdtempSync(join(tmpdir(), 'pano-explorer-browser-'));
const db = join(dir, 'results.duckdb');

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

/** Build the app unless dist/web is newer than every source it is built from. */
function ensureBuilt(): void {
  const index = join(appDir, 'index.html');
  const sources = Math.max(newest(join(root, 'web')), newest(join(root, 'src')), newest(join(root, 'scenarios')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  // NODE_ENV=test (vitest's) would make Vite build a development bundle.
  const built = spawnSync('npm', ['run', 'build:web'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (built.status !== 0) throw new Error(`npm run build:web failed:\n${built.stdout}\n${built.stderr}`);
}

/** The real CLI in a child process (worker-thread pool included); its stdout. */
async function panopticon(...args: string[]): Promise<string> {
  const p = await run(args);
  if (p.code !== 0) throw new Error(`panopticon ${args.join(' ')}: exit ${p.code}\n${p.err}`);
  return p.out;
}

/** A run stored by the CLI, exported as CSV (the run id column dropped, to compare with the page's). */
async function cliCsv(...runArgs: string[]): Promise<string> {
  const out = await panopticon('run', ...runArgs, '--db', db, '--no-progress');
  const id = /run id\s+(\S+)/.exec(out)![1];
  const file = join(dir, `${id}.csv`);
  await panopticon('export', id, '--format', 'csv', '--out', file, '--db', db);
  return dropRunId(readFileSync(file, 'utf8'));
}

function dropRunId(csv: string): string {
  return csv.replace(/^[^,\n]*,/gm, '');
}

let browser: Browser;
let context: BrowserContext;
let server: RunningServer;
let storedRun: { id: string; csv: string };

beforeAll(async () => {
  ensureBuilt();
  mkdirSync(shots, { recursive: true });
  const out = await panopticon(
    'run',
    '--preset',
    'grid-informants',
    '--population',
    '3000',
    '--steps',
    '25',
    '--threads',
    '2',
    '--db',
    db,
    '--no-progress',
  );
  const id = /run id\s+(\S+)/.exec(out)![1];
  const file = join(dir, 'stored.csv');
  await panopticon('export', id, '--format', 'csv', '--out', file, '--db', db);
  storedRun = { id, csv: dropRunId(readFileSync(file, 'utf8')) };
  const experiment = join(import.meta.dirname, 'fixtures', 'explorer', 'two-arms.yaml');
  await panopticon('experiment', 'run', experiment, '--db', db, '--workers', '1', '--no-progress');
  server = await startServer({ appDir, dbPath: db, registry: models, host: '127.0.0.1', port: 0 });
  browser = await launchChromium(inject('chromiumPath'));
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(hash: string, ctx: BrowserContext = context, base = server.url): Promise<Page> {
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : undefined));
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(`${base}${hash}`);
  return page;
}

async function done(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector<HTMLElement>('.status')?.dataset.state === 'done', null, {
    timeout: 120_000,
  });
  // The last draw of the charts follows the last tick.
  await page.waitForFunction(() => document.querySelector('.charts')?.getAttribute('aria-busy') === 'false');
}

const csvOf = (page: Page, letter: 'a' | 'b') =>
  page.evaluate((l) => (window as unknown as { explorer: { csv(l: string): string | null } }).explorer.csv(l), letter);

async function download(page: Page, action: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(`[data-action="${action}"]`)]);
  const path = join(dir, `${Date.now()}-${file.suggestedFilename()}`);
  await file.saveAs(path);
  return path;
}

const SMALL = '#preset=national-blacklist&seed=7&days=30&agents=5000';

describe('the explorer in Chromium', () => {
  it('loads cross-origin isolated, states the scope line, runs the preset and draws it', async () => {
    const page = await open(SMALL);
    await done(page);
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
    const scope = await page.textContent('#scope');
    expect(scope).toMatch(/Synthetic populations only/);
    expect(scope).toMatch(/no case-management, reporting or enforcement interface/);
    expect(await page.textContent('.status')).toMatch(/Day 30 of 30: done\. 5,000 agents, 1 worker/);
    // The first chart is drawn with lines, and the summary has the model's rows.
    expect(await page.locator('#fig-protest-share svg path').count()).toBeGreaterThan(2);
    expect(await page.locator('.summary-table tr[data-metric="active:mean"]').count()).toBe(1);
    // The gallery shows every preset with its description and full citations.
    expect(await page.locator('.card').count()).toBeGreaterThanOrEqual(16);
    expect(await page.textContent('.card[data-preset="national-blacklist"] .card-sources')).toMatch(
      /AF — m\.aifalin\.cn/,
    );
    // Every control says where its value comes from.
    expect(await page.textContent('.field:has([data-path="lists.durationDays"]) .provenance')).toMatch(/source\s*AF/);
    expect(await page.textContent('.field:has([data-path="response.deterrence"]) .provenance')).toMatch(/assumption/);
    await page.screenshot({ path: join(shots, 'main.png') });
    await page.screenshot({ path: join(shots, 'main-full.png'), fullPage: true });
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('runs a dated preset with its start date and schedules, and draws it against calendar dates', async () => {
    // defaulter-list-history starts on 25 Aug 2013: 1,000 days run to 21 May 2016
    const page = await open('#preset=defaulter-list-history&seed=1&days=1000&agents=50000');
    await done(page);
    const axis = await page.locator('#fig-lists svg text').allTextContents();
    expect(axis).toEqual(expect.arrayContaining(['Jan 2015', 'date']));
    expect(await page.locator('#fig-lists svg desc').textContent()).toContain('against date, 2013-08-25 to 2016-05-21');
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('runs a preset chosen in the gallery, with run, pause, step and reset', async () => {
    const page = await open(SMALL);
    await done(page);
    await page.click('.card[data-preset="epstein-run2"] .card-pick');
    await page.fill('#days', '200');
    await page.press('#days', 'Tab');
    await page.click('[data-action="step"]');
    await page.waitForFunction(() => /Day 1 of 200: paused/.test(document.querySelector('.status')?.textContent ?? ''));
    await page.click('[data-action="step"]');
    await page.waitForFunction(() => /Day 2 of 200: paused/.test(document.querySelector('.status')?.textContent ?? ''));
    await page.click('[data-action="run"]'); // Resume
    await done(page);
    expect(await page.locator('#fig-citizen-states svg').count()).toBe(1);
    await page.click('[data-action="reset"]');
    expect(await page.textContent('.status')).toMatch(/Not run yet/);
    expect(await page.locator('figure.chart').count()).toBe(0);
    await page.close();
  });

  it('changes the result when a slider moves', async () => {
    const page = await open(SMALL);
    await done(page);
    const before = await csvOf(page, 'a');
    const slider = page.locator('input[type="range"][data-path="behaviour.threshold"]');
    await slider.fill('500');
    const value = Number(await page.inputValue('input[type="number"][data-path="behaviour.threshold"]'));
    expect(value).not.toBe(0.1);
    expect(await page.textContent('.field:has([data-path="behaviour.threshold"]) .provenance')).toMatch(
      /changed · preset: 0\.1/,
    );
    expect(await page.isVisible('.stale')).toBe(true);
    expect(page.url()).toContain(`p.behaviour.threshold=${value}`);
    await page.click('[data-action="run"]');
    await done(page);
    const after = await csvOf(page, 'a');
    expect(after).not.toBe(before);
    // A higher threshold means fewer protesters: the model's rule, not a number fixed here.
    const mean = (csv: string) => {
      const rows = csv.split('\n').filter((l) => /,active,"",/.test(l));
      return rows.reduce((s, l) => s + Number(l.split(',').pop()), 0) / rows.length;
    };
    expect(mean(after!)).toBeLessThan(mean(before!));
    await page.close();
  });

  let compared: { url: string; a: string; b: string };

  it('compares two scenarios side by side on one seed', async () => {
    const page = await open(SMALL);
    await done(page);
    await page.check('#compare');
    expect(await page.getAttribute('#tab-b', 'aria-selected')).toBe('true');
    await page.click('.card[data-preset="high-intensity"] .card-pick');
    await page.fill('input[type="number"][data-path="predictive.bias"]', '3');
    await page.press('input[type="number"][data-path="predictive.bias"]', 'Tab');
    await page.click('[data-action="run"]');
    await done(page);
    const headers = await page.locator('.summary-table').first().locator('thead th').allTextContents();
    expect(headers).toEqual(['', 'A: national-blacklist', 'B: high-intensity', 'B − A', 'B ÷ A']);
    // The main series overlaid: one line per scenario.
    const overlay = await page.textContent('#fig-compare-protest-share svg');
    expect(overlay).toMatch(/A national-blacklist/);
    expect(overlay).toMatch(/B high-intensity/);
    expect(await page.locator('#fig-compare-stability').count()).toBe(1);
    await page.screenshot({ path: join(shots, 'compare.png') });
    await page.locator('.summary').screenshot({ path: join(shots, 'compare-table.png') });
    compared = { url: await page.inputValue('#share-url'), a: (await csvOf(page, 'a'))!, b: (await csvOf(page, 'b'))! };
    expect(compared.a).not.toBe(compared.b);
    await page.close();
  });

  it('reproduces the same numbers, bit for bit, from a share link', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await ctx.newPage();
    await page.goto(compared.url);
    await done(page);
    expect(await page.isChecked('#compare')).toBe(true);
    await page.click('#tab-b');
    expect(await page.inputValue('input[type="number"][data-path="predictive.bias"]')).toBe('3');
    expect(await csvOf(page, 'a')).toBe(compared.a);
    expect(await csvOf(page, 'b')).toBe(compared.b);
    await ctx.close();
  });

  it('says what a share link asked for and could not get, after the run it starts', async () => {
    const page = await open('#preset=nosuch&seed=abc&days=20&agents=2000');
    await done(page);
    const notice = await page.locator('.notices .notice').innerText();
    expect(notice).toMatch(/The link asked for things the page could not apply/);
    expect(notice).toMatch(/preset: no preset "nosuch"; showing national-blacklist/);
    expect(notice).toMatch(/seed: got "abc"; allowed: a whole number/);
    await page.close();
  });

  it('gives the CLI’s exact metrics for the scenario file it writes (regime and Epstein)', async () => {
    // Shards of 1,000 residents: the page's pool runs them on two Web Workers.
    const page = await open(
      `${SMALL}&p.cameras.enabled=true&p.population.regions.0.camerasPerThousand=12.5&p.behaviour.threshold=0.15&p.agentsPerShard=1000`,
    );
    await done(page);
    expect(await page.textContent('.status')).toMatch(/5,000 agents, 2 workers/);
    const yaml = await download(page, 'yaml-a');
    expect(readFileSync(yaml, 'utf8')).toMatch(/preset: national-blacklist/);
    const csv = readFileSync(await download(page, 'csv-a'), 'utf8');
    expect(csv.split('\n')[0]).toBe('run_id,tick,metric,key,value');
    // The page ran on two Web Workers; the CLI runs the file on one thread, then on two.
    expect(dropRunId(csv)).toBe(await cliCsv(yaml, '--threads', '1'));
    expect(dropRunId(csv)).toBe(await cliCsv(yaml, '--threads', '2'));

    // The page asks before a preset replaces changed parameters.
    await page.click('.card[data-preset="epstein-run2"] .card-pick');
    expect(await page.textContent('dialog.confirm')).toMatch(/Your 4 changed parameters .* will be replaced/);
    await page.click('dialog.confirm [data-action="confirm"]');
    await page.fill('#days', '150');
    await page.press('#days', 'Tab');
    await page.click('[data-action="run"]');
    await done(page);
    const epsteinYaml = await download(page, 'yaml-a');
    const epsteinCsv = readFileSync(await download(page, 'csv-a'), 'utf8');
    expect(dropRunId(epsteinCsv)).toBe(await cliCsv(epsteinYaml));
    await page.close();
  });

  it('lists, charts and re-runs the runs in the results store, and charts its experiments', async () => {
    const page = await open(SMALL);
    await done(page);
    await page.locator('.stored tr[data-experiment="two-arms"] [data-action="chart-experiment"]').click();
    await page.waitForSelector('.stored-charts figure.chart svg');
    expect(await page.textContent('.stored-caption')).toMatch(/Experiment two-arms: .*arms baseline, blacklist/);
    await page.locator('.stored').screenshot({ path: join(shots, 'stored-experiment.png') });
    const row = page.locator(`.stored tr[data-run="${storedRun.id}"]`);
    await row.locator('[data-action="chart-run"]').click();
    await page.waitForSelector('.stored-charts [data-figure="protest-share"] svg');
    // The page's own figures and the stored run's keep their ids apart.
    expect(await page.locator('#fig-protest-share').count()).toBe(1);
    expect(await page.locator('#stored-fig-protest-share').count()).toBe(1);
    await page.locator('.stored').screenshot({ path: join(shots, 'stored.png') });
    await row.locator('[data-action="rerun"]').click();
    await page.waitForFunction(() => location.hash.includes('preset=grid-informants'));
    await done(page);
    expect(page.url()).toContain('agents=3000');
    expect(dropRunId((await csvOf(page, 'a'))!)).toBe(storedRun.csv);
    await page.close();
  });

  it('reaches every control from the keyboard alone, and runs from it', async () => {
    const page = await open(SMALL);
    await done(page);
    await page.check('#compare'); // every control of both scenarios' shared parts is on the page
    await page.click('#tab-a');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const reached = new Set<string>();
    await page.evaluate(() => {
      let i = 0;
      for (const el of document.querySelectorAll('*')) (el as HTMLElement).dataset.kb = String(i++);
    });
    let first: string | null = null;
    for (let i = 0; i < 3000; i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.kb ?? null);
      if (id === null) continue;
      if (id === first) break;
      first ??= id;
      reached.add(id);
    }
    const controls = await page.evaluate(() =>
      [
        ...document.querySelectorAll<HTMLElement>(
          'input:not([disabled]), select:not([disabled]), button:not([disabled]), a[href], summary, textarea',
        ),
      ]
        .filter((el) => el.getClientRects().length > 0 && !el.closest('details:not([open]) > :not(summary)'))
        .map((el) => ({
          kb: el.dataset.kb!,
          what: `${el.tagName} ${el.dataset.path ?? el.dataset.action ?? el.id ?? ''}`,
        })),
    );
    const missed = controls.filter((c) => !reached.has(c.kb)).map((c) => c.what);
    expect(missed).toEqual([]);
    expect(controls.length).toBeGreaterThan(150);

    // Operate it: days typed and Run pressed, by keys only.
    await page.focus('#days');
    await page.keyboard.press('Control+a');
    await page.keyboard.type('12');
    await page.keyboard.press('Tab');
    while (!(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.action === 'run')))
      await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /Day 12 of 12: done/.test(document.querySelector('.status')?.textContent ?? ''));
    // A folded mechanism opens from its title, and its switch is the next stop.
    expect(await page.getAttribute('details[data-group="cameras"]', 'open')).toBeNull();
    await page.focus('details[data-group="cameras"] > summary');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.path)).toBe('cameras.enabled');
    await page.keyboard.press('Space');
    expect(page.url()).toContain('p.cameras.enabled=true');
    expect(await page.textContent('details[data-group="cameras"] > summary')).toMatch(/Cameras on 1 changed/);
    // A slider moves with the arrow keys.
    await page.focus('input[type="range"][data-path="police.arrestProbability"]');
    const before = await page.inputValue('input[type="number"][data-path="police.arrestProbability"]');
    await page.keyboard.press('ArrowLeft');
    expect(await page.inputValue('input[type="number"][data-path="police.arrestProbability"]')).not.toBe(before);
    await page.screenshot({ path: join(shots, 'keyboard.png') });
    await page.close();
  });

  it('keeps working offline once loaded', async () => {
    const own = await startServer({ appDir, dbPath: db, registry: models, host: '127.0.0.1', port: 0 });
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    try {
      const page = await open(SMALL, ctx, own.url);
      await done(page);
      // The service worker controls the page and has cached the whole build (the manifest goes in last).
      const ready = () =>
        page.evaluate(async () => {
          if (!navigator.serviceWorker.controller) return false;
          const cache = await caches.open('panopticon-explorer');
          return (await cache.keys()).some((r) => r.url.endsWith('offline-manifest.json'));
        });
      for (let i = 0; i < 300 && !(await ready()); i++) await page.waitForTimeout(100);
      expect(await ready()).toBe(true);
      await own.close(); // the server is gone
      await page.goto('about:blank');
      await page.goto(`${own.url}#preset=epstein-run1&days=60`);
      await done(page);
      expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
      expect(await page.locator('#fig-citizen-states svg').count()).toBe(1);
      expect(await page.isHidden('.stored')).toBe(true);
      await page.screenshot({ path: join(shots, 'offline.png') });
    } finally {
      await ctx.close();
      await own.close();
    }
  });
});
