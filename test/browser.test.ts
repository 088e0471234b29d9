import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, stripeCustomerEvent } from './helpers/gateway.ts';
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

  /** Opens GraphiQL, replaces the editor's text with `operation` and runs it. */
  async function runInGraphiQL(page: Page, operation: string): Promise<void> {
    await page.goto(`${t.url}/graphql`);
    const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await editor.waitFor({ timeout: 30_000 });
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(operation);
    await page.locator('.graphiql-execute-button').click();
  }

  it('opens GraphiQL, runs a query and shows the result', async () => {
    const page = await browser.newPage();
    const offsite: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(t.url) && !request.url().startsWith('blob:')) offsite.push(request.url());
    });
    await runInGraphiQL(
      page,
      '{ invoices(first: 2) { edges { node { id sourceId status customer { email } } } } }',
    );
    const response = page.locator('.graphiql-response');
    await expect.poll(() => response.textContent(), { timeout: 20_000 }).toContain('"invoices"');
    const text = (await response.textContent()) ?? '';
    expect(text).toMatch(/"sourceId":\s*"in_/);
    expect(text).toContain('"email"');
    // Everything GraphiQL needs is served by the gateway itself.
    expect(offsite).toEqual([]);
    await page.screenshot({ path: 'test-results/graphiql.png' });
  }, 60_000);

  it('runs a subscription over graphql-ws and shows each event as it is pushed', async () => {
    const page = await browser.newPage();
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await runInGraphiQL(page, 'subscription { events(filter: { sources: ["stripe"] }) { id type } }');
    await expect.poll(() => t.gateway.http.subscriptions.stats().members, { timeout: 20_000 }).toBe(1);
    const response = page.locator('.graphiql-response');
    for (const id of [`evt_browser_1_${Date.now()}`, `evt_browser_2_${Date.now()}`]) {
      const body = stripeCustomerEvent(id, 'customer.updated', {
        id: 'cus_Browser0001',
        object: 'customer',
        email: 'browser@example.com',
        name: 'Browser',
        created: 1_767_225_600,
        balance: 0,
        delinquent: false,
        metadata: {},
        livemode: false,
      });
      expect((await t.postStripe(body)).status).toBe(200);
      await expect.poll(() => response.textContent(), { timeout: 20_000 }).toContain(id);
    }
    expect(sockets).toEqual([`${t.url.replace('http', 'ws')}/graphql`]);
    await page.screenshot({ path: 'test-results/graphiql-subscription.png' });
    await page.close();
    await expect.poll(() => t.gateway.http.subscriptions.stats().members, { timeout: 20_000 }).toBe(0);
  }, 60_000);
});
