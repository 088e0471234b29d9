import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

// `npm test` finds or installs Debian's chromium and passes its path; under CI a missing browser fails there.
const executablePath = process.env['CHROMIUM_PATH'];

describe.skipIf(!executablePath)('GraphiQL in a real browser', () => {
  let t: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestGateway();
    browser = await chromium.launch({
      executablePath,
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
  }, 60_000);
  afterAll(async () => {
    await browser.close();
    await t.close();
  });

  it('opens GraphiQL, runs a query and shows the result', async () => {
    const page = await browser.newPage();
    const offsite: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(t.url) && !request.url().startsWith('blob:')) offsite.push(request.url());
    });
    await page.goto(`${t.url}/graphql`);
    const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await editor.waitFor({ timeout: 30_000 });
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(
      '{ invoices(first: 2) { edges { node { id sourceId status customer { email } } } } }',
    );
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await expect.poll(() => response.textContent(), { timeout: 20_000 }).toContain('"invoices"');
    const text = (await response.textContent()) ?? '';
    expect(text).toMatch(/"sourceId":\s*"in_/);
    expect(text).toContain('"email"');
    // Everything GraphiQL needs is served by the gateway itself.
    expect(offsite).toEqual([]);
    await page.screenshot({ path: 'test-results/graphiql.png' });
  }, 60_000);
});
