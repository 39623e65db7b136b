/**
 * Debian's Chromium, headless, as the explorer's benchmark, browser tests and screenshot
 * script launch it through playwright-core (no browser is downloaded). The flags keep it off
 * the network it cannot reach here: without them it retries Google's hosts at every start.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** `executablePath` defaults to $PANOPTICON_CHROMIUM, then /usr/bin/chromium. */
export function launchChromium(executablePath?: string): Promise<Browser> {
  return chromium.launch({
    executablePath: executablePath ?? process.env.PANOPTICON_CHROMIUM ?? '/usr/bin/chromium',
    args: [...CHROMIUM_FLAGS],
  });
}
