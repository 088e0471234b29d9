import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromiumPath, launchChromium } from './helpers/browser.ts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

// `npm test` finds or installs Debian's chromium and passes its path; under CI a missing browser fails there.

/** A query that calls the Stripe emulator when it runs. */
const QUERY = '{ invoices(first: 1) { edges { node { id } } } }';

/**
 * What a page of another site tries against the gateway at `gateway`, in a
 * real browser: every way of making the browser send a GraphQL request
 * without the gateway's consent. Reports what the page could observe.
 */
const attackPage = (gateway: string) => `<!doctype html><html><body><script>
const gateway = ${JSON.stringify(gateway)};
const query = ${JSON.stringify(QUERY)};
const url = gateway + '/graphql?query=' + encodeURIComponent(query);
async function attempt(name, run) {
  try { return [name, await run()]; } catch (error) { return [name, 'failed: ' + error.name]; }
}
window.results = (async () => Object.fromEntries(await Promise.all([
  attempt('form post', async () => (await fetch(gateway + '/graphql', { method: 'POST', mode: 'no-cors', body: new URLSearchParams({ query }) })).type),
  attempt('text/plain post', async () => (await fetch(gateway + '/graphql', { method: 'POST', mode: 'no-cors', body: JSON.stringify({ query }) })).type),
  attempt('json post', async () => (await fetch(gateway + '/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).status),
  attempt('no-cors get', async () => (await fetch(url, { mode: 'no-cors', headers: { accept: 'text/event-stream' } })).type),
  attempt('image', () => new Promise((resolve) => { const img = new Image(); img.onload = () => resolve('loaded'); img.onerror = () => resolve('error'); img.src = url; })),
  attempt('event source', () => new Promise((resolve) => { const source = new EventSource(url); source.onmessage = (e) => { source.close(); resolve('message: ' + e.data); }; source.onerror = () => { source.close(); resolve('error'); }; })),
  attempt('websocket', () => new Promise((resolve) => {
    const socket = new WebSocket(gateway.replace('http', 'ws') + '/graphql', 'graphql-transport-ws');
    socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init' }));
    socket.onmessage = (e) => { socket.close(); resolve('message: ' + e.data); };
    socket.onclose = (e) => resolve('closed ' + e.code);
  })),
])))();
</script></body></html>`;

describe.skipIf(chromiumPath === undefined)('another site, in a real browser', () => {
  let t: TestGateway;
  let browser: Browser;
  let site: Server;
  let siteUrl: string;
  const stripeCalls = () => Object.values(t.stripe.counters()).reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    t = await startTestGateway({ CORS_ORIGINS: 'https://app.example.com', GRAPHIQL_SUBSCRIPTIONS: 'sse' });
    site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(attackPage(t.url));
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    // Another origin than the gateway's 127.0.0.1:<port>, and not in CORS_ORIGINS.
    siteUrl = `http://localhost:${(site.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser.close();
    await new Promise((resolve) => site.close(resolve));
    await t.close();
  });

  it('can make the gateway run nothing and read nothing', async () => {
    const before = stripeCalls();
    const page = await browser.newPage();
    await page.goto(siteUrl);
    const results = await page.evaluate(() => (window as unknown as { results: Promise<unknown> }).results);
    expect(results).toEqual({
      // Opaque: sent, refused by the gateway (400), unreadable by the page.
      'form post': 'opaque',
      'text/plain post': 'opaque',
      'no-cors get': 'opaque',
      // The preflight got no CORS headers: the browser never sent the request.
      'json post': 'failed: TypeError',
      image: 'error',
      'event source': 'error',
      // 403 at the upgrade.
      websocket: 'closed 1006',
    });
    expect(stripeCalls()).toBe(before);
    await page.close();
  }, 60_000);

  it('still runs GraphiQL on the gateway itself, subscriptions over SSE included', async () => {
    const page = await browser.newPage();
    const streams: string[] = [];
    page.on('request', (request) => {
      if (request.headers()['accept']?.includes('text/event-stream')) streams.push(request.method());
    });
    await page.goto(`${t.url}/graphql`);
    const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await editor.waitFor({ timeout: 30_000 });
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('subscription { heartbeat(intervalMs: 100) { tick } }');
    // GraphiQL reads the operation name from the editor after a short debounce (the prefilled one has a name).
    await page.waitForTimeout(500);
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await expect.poll(() => response.textContent(), { timeout: 20_000 }).toMatch(/"tick":\s*[3-9]/);
    // GraphiQL's SSE is a GET without a custom header: the EventSource case of CSRF prevention.
    expect(streams).toEqual(['GET']);
    await page.close();
  }, 60_000);
});
