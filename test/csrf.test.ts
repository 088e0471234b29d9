import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_MESSAGE } from '../src/http/csrf.ts';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

const QUERY = '{ invoices(first: 1) { edges { node { id } } } }';
const REFUSAL = { errors: [{ message: CSRF_MESSAGE, extensions: { code: 'BAD_REQUEST' } }] };

describe('CSRF prevention: only requests a browser must preflight run', () => {
  let t: TestGateway;
  const stripeCalls = () => Object.values(t.stripe.counters()).reduce((a, b) => a + b, 0);
  const url = (query = QUERY) => `${t.url}/graphql?query=${encodeURIComponent(query)}`;

  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  async function expectRefused(response: Response): Promise<void> {
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(REFUSAL);
  }

  it('refuses form, multipart and text/plain posts before anything runs', async () => {
    const before = stripeCalls();
    const form = new URLSearchParams({ query: QUERY });
    await expectRefused(await fetch(`${t.url}/graphql`, { method: 'POST', body: form }));
    const multipart = new FormData();
    multipart.set('operations', JSON.stringify({ query: QUERY }));
    multipart.set('map', '{}');
    await expectRefused(await fetch(`${t.url}/graphql`, { method: 'POST', body: multipart }));
    await expectRefused(
      await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        body: JSON.stringify({ query: QUERY }),
      }),
    );
    // A Blob without a type is sent with no Content-Type at all: no preflight either.
    await expectRefused(
      await fetch(`${t.url}/graphql`, { method: 'POST', body: new Blob([JSON.stringify({ query: QUERY })]) }),
    );
    expect(stripeCalls()).toBe(before);
  });

  it('refuses a plain GET query (an <img> or a link could send it)', async () => {
    const before = stripeCalls();
    await expectRefused(await fetch(url(), { headers: { accept: 'application/json' } }));
    expect(stripeCalls()).toBe(before);
  });

  it('runs the same requests with a CSRF-safe header or a JSON content type', async () => {
    for (const header of [
      'graphql-require-preflight',
      'apollo-require-preflight',
      'x-apollo-operation-name',
    ]) {
      const response = await fetch(url(), { headers: { accept: 'application/json', [header]: '1' } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ data: { invoices: { edges: [{ node: {} }] } } });
    }
    const form = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'graphql-require-preflight': '1' },
      body: new URLSearchParams({ query: QUERY }),
    });
    expect(form.status).toBe(200);
    for (const type of ['application/json', 'application/json; charset=utf-8']) {
      const response = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: JSON.stringify({ query: QUERY }),
      });
      expect(response.status).toBe(200);
    }
    // An empty header is no preflight: a browser sends a custom header only if the page set it.
    await expectRefused(await fetch(url(), { headers: { 'graphql-require-preflight': ' ' } }));
  });

  it('serves an EventSource of its own page (SSE over GET) and GraphiQL, but not one of another site', async () => {
    const controller = new AbortController();
    const sse = await fetch(url('subscription { heartbeat(intervalMs: 100) { tick } }'), {
      headers: { accept: 'text/event-stream', 'sec-fetch-site': 'same-origin' },
      signal: controller.signal,
    });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (sse.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('"tick":1')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();

    // From another site: a CORS EventSource says its Origin; a no-cors request says Sec-Fetch-Site.
    await expectRefused(
      await fetch(url(), { headers: { accept: 'text/event-stream', origin: 'https://evil.example' } }),
    );
    await expectRefused(
      await fetch(url(), { headers: { accept: 'text/event-stream', 'sec-fetch-site': 'cross-site' } }),
    );

    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Switchyard</title>');
  });
});
