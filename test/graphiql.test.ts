import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_FAVICON_PATH, graphiqlOptions } from '../src/graphiql.ts';
import { SWITCHYARD_MARK_SVG } from '../src/graphiql-brand.ts';
import { CUSTOMERS_TAB, LIVE_EVENTS_TAB, WRITE_TAB } from '../src/graphiql-tabs.ts';
import { collect, startTestGateway } from './helpers/gateway.ts';
import { rawExchange } from './helpers/raw-http.ts';
import type { TestGateway } from './helpers/gateway.ts';

interface PageOptions {
  title?: string;
  query?: string;
  defaultTabs?: { query: string; headers?: string }[];
  headers?: string;
  logo?: string;
}

/** The options the page hands to GraphiQL, as the browser reads them. */
function pageOptions(html: string): PageOptions {
  const json = /renderYogaGraphiQL\(root,(.*)\)\}\)<\/script>/.exec(html)?.[1];
  if (json === undefined) throw new Error(`no GraphiQL options in the page: ${html.slice(0, 300)}`);
  return JSON.parse(json) as PageOptions;
}

describe('GraphiQL page', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it("is Switchyard's: title, favicon served by the gateway, logo", async () => {
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<title>Switchyard</title>');
    expect(html).toContain(`<link rel=icon type=image/svg+xml href=${GRAPHIQL_FAVICON_PATH}>`);
    // Nothing the page loads comes from another host.
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
    expect(pageOptions(html)).toMatchObject({ title: 'Switchyard', logo: SWITCHYARD_MARK_SVG });

    const icon = await fetch(`${t.url}${GRAPHIQL_FAVICON_PATH}`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(await icon.text()).toBe(SWITCHYARD_MARK_SVG);
    expect((await fetch(`${t.url}/graphiql/assets/favicon.ico`)).status).toBe(404);
  });

  it('serves nothing else under its assets path: no file outside them, no inherited property', async () => {
    const port = Number(new URL(t.url).port);
    for (const name of [
      '../../package.json',
      '..%2f..%2fpackage.json',
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'favicon.svg/',
      'favicon.svg%00',
      'FAVICON.SVG',
      '',
    ]) {
      const path = `/graphiql/assets/${name}`;
      const answer = await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(answer.status, name).toBe(404);
      // Chunked: the JSON is the body's one chunk.
      expect(answer.body, name).toContain(
        JSON.stringify({ error: { code: 'NOT_FOUND', message: `Nothing at ${path}.` } }),
      );
    }
  });

  it('opens on the customers query, with the live events subscription in a second tab', async () => {
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    const options = pageOptions(await page.text());
    // Yoga's GraphiQL shows `query` in the open tab; without it, its own welcome text.
    expect(options.query).toBe(CUSTOMERS_TAB);
    expect(options.defaultTabs).toEqual([
      { query: CUSTOMERS_TAB },
      { query: LIVE_EVENTS_TAB },
      { query: WRITE_TAB },
    ]);
    expect(options.headers).toBeUndefined();
  });

  it('runs the write tab as it is, twice, for one ticket', async () => {
    const zendesk = t.gateway.sources.find((s) => s.name === 'zendesk')?.sandbox;
    zendesk?.resetCounters();
    const first = await t.graphql<{ createTicket: { id: string; subject: string } }>(WRITE_TAB);
    const second = await t.graphql<{ createTicket: { id: string; subject: string } }>(WRITE_TAB);
    expect(first.errors).toBeUndefined();
    expect(first.data?.createTicket.subject).toBe('Hello from Switchyard');
    expect(second.data).toEqual(first.data);
    expect(zendesk?.counters()['POST /api/v2/tickets.json']).toBe(1);
  });

  it('runs the first tab as it is: customers with every part', async () => {
    const result = await t.graphql<{
      customers: { edges: { node: Record<string, unknown> }[]; pageInfo: { hasNextPage: boolean } };
    }>(CUSTOMERS_TAB);
    expect(result.errors).toBeUndefined();
    const customers = result.data?.customers.edges.map((e) => e.node) ?? [];
    expect(customers).toHaveLength(3);
    for (const part of ['app', 'billing', 'subscriptions', 'invoices', 'crm', 'support', 'commerce']) {
      expect(
        customers.some((c) => c[part] !== null),
        part,
      ).toBe(true);
    }
    expect(result.data?.customers.pageInfo.hasNextPage).toBe(true);
  });

  it('runs the second tab as it is: the next demo change arrives', async () => {
    const { done } = collect<{ events: { id: string; source: string } }>(t.ws(), LIVE_EVENTS_TAB, {}, 1);
    const log = t.gateway.events as unknown as { subscriberCount(): number };
    await expect.poll(() => log.subscriberCount()).toBe(1);
    await t.gateway.demo?.tick();
    const [first] = await done;
    expect(first?.events.id).toMatch(/\S/);
  });
});

describe('GraphiQL options', () => {
  it('where clients must authenticate, every tab says where the key goes and has a Headers placeholder', () => {
    const options = graphiqlOptions({ subscriptions: 'sse', tabs: ['{ a }', '{ b }'], authRequired: true });
    const headers = '{\n  "Authorization": "Bearer <your API key or JWT>"\n}';
    expect(options.defaultTabs).toHaveLength(2);
    for (const [i, tab] of (options.defaultTabs ?? []).entries()) {
      expect(tab.query).toMatch(/^# This gateway needs credentials: in "Headers" below/);
      expect(tab.query).toMatch(new RegExp(`\\n\\{ ${'ab'[i]} \\}$`));
      expect(tab.headers).toBe(headers);
    }
    expect(options).toMatchObject({
      query: options.defaultTabs?.[0]?.query,
      headers,
      defaultEditorToolsVisibility: 'headers',
      subscriptionsProtocol: 'SSE',
    });
  });
});
