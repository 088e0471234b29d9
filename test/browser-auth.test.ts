import { chromiumPath, launchChromium } from './helpers/browser.ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_API_KEYS, KEYS } from './helpers/auth.ts';
import { startTestGateway, stripeCustomerEvent, stripeCustomer } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

// `npm test` finds or installs Debian's chromium and passes its path; under CI a missing browser fails there.

describe.skipIf(chromiumPath === undefined)('GraphiQL with API keys configured, in a real browser', () => {
  let t: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestGateway({ GATEWAY_API_KEYS });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser.close();
    await t.close();
  });

  async function replace(page: Page, editor: string, text: string): Promise<void> {
    const monaco = page.locator(editor).first();
    await monaco.waitFor({ timeout: 30_000 });
    await monaco.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(text);
    // GraphiQL reads the operation name from the editor after a short debounce.
    await page.waitForTimeout(500);
  }

  it('tells the user to send a key, then runs queries and SSE subscriptions with the one put in Headers', async () => {
    const page = await browser.newPage();
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${t.url}/graphql`);
    // Monaco renders spaces as no-break spaces.
    const text = async (selector: string) =>
      ((await page.locator(selector).textContent()) ?? '').replace(/\s/g, ' ');
    await expect
      .poll(() => text('.graphiql-query-editor'), { timeout: 30_000 })
      .toContain('This gateway needs credentials');
    await expect
      .poll(() => text('.graphiql-editor-tool'))
      .toContain('"Authorization": "Bearer <your API key or JWT>"');
    const response = page.locator('.graphiql-response');

    await replace(
      page,
      '.graphiql-query-editor .monaco-editor',
      '{ invoices(first: 1) { edges { node { sourceId } } } }',
    );
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => response.textContent(), { timeout: 20_000 }).toContain('UNAUTHENTICATED');

    await replace(
      page,
      '.graphiql-editor-tool .monaco-editor[data-uri$="headers.json"]',
      JSON.stringify({ Authorization: `Bearer ${KEYS.billing}` }),
    );
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => response.textContent(), { timeout: 20_000 }).toMatch(/"sourceId":\s*"in_/);

    await replace(
      page,
      '.graphiql-query-editor .monaco-editor',
      'subscription { customerChanged(email: "graphiql@example.com") { event { id } } }',
    );
    await page.locator('.graphiql-execute-button').click();
    // Subscribed over SSE (GraphiQL's headers go over HTTP only): post until the event shows.
    const id = `evt_graphiql_${Date.now()}`;
    const body = stripeCustomerEvent(
      id,
      'customer.updated',
      stripeCustomer('cus_GraphiQL0001', 'graphiql@example.com', 'GraphiQL'),
    );
    const logSubscribers = () =>
      (t.gateway.events as unknown as { subscriberCount(): number }).subscriberCount();
    await expect.poll(logSubscribers, { timeout: 20_000 }).toBe(1);
    expect((await t.postStripe(body)).status).toBe(200);
    await expect.poll(() => response.textContent(), { timeout: 20_000 }).toContain(id);
    expect(sockets).toEqual([]);
    await page.screenshot({ path: 'test-results/graphiql-with-key.png' });
    await page.close();
  }, 90_000);
});
