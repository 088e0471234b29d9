import { chromiumPath, launchChromium } from './helpers/browser.ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, stripeCustomerEvent, stripeCustomer } from './helpers/gateway.ts';
import type { GraphQLResponse, TestGateway } from './helpers/gateway.ts';

// `npm test` finds or installs Debian's chromium and passes its path; under CI a missing browser fails there.

describe.skipIf(chromiumPath === undefined)('GraphiQL in a real browser', () => {
  let t: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestGateway();
    browser = await launchChromium();
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
    // GraphiQL reads the operation name from the editor after a short debounce (the prefilled one has a name).
    await page.waitForTimeout(500);
    await page.locator('.graphiql-execute-button').click();
  }

  /** Everything that went wrong in the page: console errors, uncaught exceptions, failed or refused loads. */
  function watchProblems(page: Page): string[] {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`exception: ${error.message}`));
    page.on('requestfailed', (request) =>
      problems.push(`failed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
    );
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
    });
    return problems;
  }

  it("opens on Switchyard's example operations, which run as they are, with no error in the console", async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    const offsite: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(t.url) && !request.url().startsWith('blob:')) offsite.push(request.url());
    });
    await page.goto(`${t.url}/graphql`);
    expect(await page.title()).toBe('Switchyard');
    expect(await page.locator('link[rel=icon]').getAttribute('href')).toBe('/graphiql/assets/favicon.svg');
    // Monaco renders spaces as no-break spaces.
    const editorText = async () =>
      ((await page.locator('.graphiql-query-editor').textContent()) ?? '').replace(/\s/g, ' ');
    await expect.poll(editorText, { timeout: 30_000 }).toContain('query Customers {');
    await expect
      .poll(() => page.locator('.graphiql-tab-button').allTextContents())
      .toEqual(['Customers', 'LiveEvents', 'OpenTicket']);

    // The prefilled query, run as it is.
    const answer = page.waitForResponse(
      (r) => (r.request().postDataJSON() as { operationName?: string } | null)?.operationName === 'Customers',
    );
    await page.locator('.graphiql-execute-button').click();
    const body = (await (await answer).json()) as GraphQLResponse<{
      customers: { edges: { node: Record<string, unknown> }[] };
    }>;
    expect(body.errors).toBeUndefined();
    const first = body.data?.customers.edges[0]?.node;
    expect(first?.['email']).toMatch(/@/);
    for (const part of ['app', 'billing', 'subscriptions', 'invoices', 'crm', 'support', 'commerce']) {
      expect(first, part).toHaveProperty(part);
    }
    // The result pane shows it (Monaco renders the lines in view only).
    const response = page.locator('.graphiql-response');
    await expect
      .poll(async () => ((await response.textContent()) ?? '').replace(/\s/g, ''), { timeout: 20_000 })
      .toContain(
        `"customers":{"edges":[{"node":{"id":"${String(first?.['id'])}","email":"${String(first?.['email'])}"`,
      );
    await page.screenshot({ path: 'test-results/graphiql.png' });

    // The second tab's subscription, run as it is: the next change of the demo world shows.
    await page.locator('.graphiql-tab-button', { hasText: 'LiveEvents' }).click();
    await expect.poll(editorText).toContain('subscription LiveEvents {');
    // As after an edit, GraphiQL reads the tab's operation after a short debounce.
    await page.waitForTimeout(500);
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => t.gateway.http.subscriptions.stats().members, { timeout: 20_000 }).toBe(1);
    await t.gateway.demo?.tick();
    await expect.poll(() => response.textContent(), { timeout: 20_000 }).toContain('"events"');
    expect((await response.textContent()) ?? '').toContain('"occurredAt"');
    await page.screenshot({ path: 'test-results/graphiql-live-events.png' });

    // Everything GraphiQL needs is served by the gateway itself, and nothing failed to load.
    expect(offsite).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
    await expect.poll(() => t.gateway.http.subscriptions.stats().members, { timeout: 20_000 }).toBe(0);
  }, 90_000);

  it('runs a subscription over graphql-ws and shows each event as it is pushed', async () => {
    const page = await browser.newPage();
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await runInGraphiQL(page, 'subscription { events(filter: { sources: ["stripe"] }) { id type } }');
    await expect.poll(() => t.gateway.http.subscriptions.stats().members, { timeout: 20_000 }).toBe(1);
    const response = page.locator('.graphiql-response');
    for (const id of [`evt_browser_1_${Date.now()}`, `evt_browser_2_${Date.now()}`]) {
      const body = stripeCustomerEvent(
        id,
        'customer.updated',
        stripeCustomer('cus_Browser0001', 'browser@example.com', 'Browser'),
      );
      expect((await t.postStripe(body)).status).toBe(200);
      await expect.poll(() => response.textContent(), { timeout: 20_000 }).toContain(id);
    }
    expect(sockets).toEqual([`${t.url.replace('http', 'ws')}/graphql`]);
    await page.screenshot({ path: 'test-results/graphiql-subscription.png' });
    await page.close();
    await expect.poll(() => t.gateway.http.subscriptions.stats().members, { timeout: 20_000 }).toBe(0);
  }, 60_000);
});
