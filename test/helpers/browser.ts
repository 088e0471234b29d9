import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Debian's Chromium, as `npm test` finds it; undefined skips the browser tests. */
export const chromiumPath = process.env['CHROMIUM_PATH'];

/**
 * Headless Chromium for the browser tests. With no network here, the flags turn off
 * everything that would call out (QUIC, background networking, component updates, sync).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
