/// <reference lib="dom" />
/**
 * The explorer screenshots in docs/explorer.md, taken from the built app in headless
 * Chromium (the default run, a comparison, the parameter controls, a stored run):
 *
 *   npm run build:web && npx tsx scripts/explorer-screenshots.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../bench/chromium.js';
import { defaultAppDir, startServer } from '../src/cli/serve.js';
import { models } from '../src/models/registry.js';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'docs', 'images');
const db = join(mkdtempSync(join(tmpdir(), 'pano-shots-')), 'results.duckdb');
mkdirSync(out, { recursive: true });
execFileSync(
  process.execPath,
  [
    '--import',
    'tsx',
    join(root, 'src/cli/main.ts'),
    'run',
    '--preset',
    'high-intensity',
    '--population',
    '20000',
    '--db',
    db,
    '--no-progress',
  ],
  { cwd: root, stdio: 'ignore' },
);

const server = await startServer({ appDir: defaultAppDir(), dbPath: db, registry: models, host: '127.0.0.1', port: 0 });
const browser = await launchChromium();
const done = (page: Page) =>
  page.waitForFunction(
    () =>
      document.querySelector<HTMLElement>('.status')?.dataset.state === 'done' &&
      document.querySelector('.charts')?.getAttribute('aria-busy') === 'false',
    null,
    { timeout: 120_000 },
  );
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(server.url);
  await done(page);
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(out, 'explorer-main.png') });
  await page.locator('details[data-group="population"]').screenshot({ path: join(out, 'explorer-controls.png') });

  await page.goto(`${server.url}#preset=baseline-no-surveillance&seed=1&days=365&agents=100000&compare=high-intensity`);
  await page.reload();
  await done(page);
  await page.evaluate(() => scrollTo(0, 0));
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(out, 'explorer-compare.png') });
  await page.locator('.summary').screenshot({ path: join(out, 'explorer-compare-table.png') });

  await page.locator('.stored [data-action="chart-run"]').first().click();
  await page.waitForSelector('.stored-charts [data-figure="protest-share"] svg');
  await page.waitForTimeout(500);
  await page.locator('.stored').screenshot({ path: join(out, 'explorer-stored.png') });
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await server.close();
}
