/** Reports opened from disk in Debian's Chromium (playwright-core), with every request recorded. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { inject } from 'vitest';

export interface OpenedReport {
  readonly url: string;
  /** Every URL the page requested, the page itself included. */
  readonly requests: readonly string[];
  /** Each figure's SVG as laid out: size and number of text elements. */
  readonly figures: readonly { w: number; h: number; texts: number }[];
}

/** Open `file` (a report page), measure its figures and save a full-page screenshot to `screenshot`. */
export async function openReport(file: string, screenshot: string): Promise<OpenedReport> {
  const browser = await chromium.launch({
    executablePath: inject('chromiumPath'),
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url);
    const figures = await page.$$eval('figure svg', (svgs) =>
      svgs.map((s) => {
        const r = s.getBoundingClientRect();
        return { w: r.width, h: r.height, texts: s.querySelectorAll('text').length };
      }),
    );
    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { url, requests, figures };
  } finally {
    await browser.close();
  }
}
