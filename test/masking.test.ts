import { createClient } from 'graphql-ws';
import Stripe from 'stripe';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FORBIDDEN,
  SECRETS,
  closedPort,
  leaksIn,
  startLeakTestGateway,
  startLeakyUpstream,
} from './helpers/leaky-upstream.ts';
import type { LeakTestGateway } from './helpers/leaky-upstream.ts';
import { stripeCustomerEvent, stripeCustomer } from './helpers/gateway.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let upstream: Awaited<ReturnType<typeof startLeakyUpstream>>;
let stripePort: number;

beforeAll(async () => {
  upstream = await startLeakyUpstream();
  stripePort = await closedPort();
});
afterAll(() => upstream.close());

function start(nodeEnv: 'production' | 'development'): Promise<LeakTestGateway> {
  return startLeakTestGateway({
    nodeEnv,
    appBaseUrl: upstream.url,
    stripeBaseUrl: `http://127.0.0.1:${stripePort}`,
  });
}

/** Reads a whole SSE response (yoga ends the stream after a failed subscription). */
async function sse(url: string, query: string): Promise<string> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(5000),
  });
  return response.text();
}

/** Runs one operation over graphql-ws; resolves with every `next` payload and the `error`, if any. */
function overWebSocket(url: string, query: string): Promise<{ results: unknown[]; error: unknown }> {
  const client = createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  const results: unknown[] = [];
  return new Promise((resolve) => {
    const finish = (error: unknown) => {
      void client.dispose();
      resolve({ results, error });
    };
    client.subscribe(
      { query },
      { next: (value) => results.push(value), error: finish, complete: () => finish(null) },
    );
  });
}

describe('production: nothing internal reaches a client', () => {
  let t: LeakTestGateway;
  beforeAll(async () => {
    t = await start('production');
  });
  afterAll(() => t.close());

  it('an upstream 500 echoing the API key and a database URL: a fixed message and checked identifiers only', async () => {
    const { text, body } = await t.graphql('{ appUsers(first: 1) { edges { node { id } } } }');
    expect(body.errors).toEqual([
      {
        message: 'App API failed with HTTP 500',
        locations: [{ line: 1, column: 3 }],
        path: ['appUsers'],
        extensions: {
          code: 'UPSTREAM_UNAVAILABLE',
          source: 'app',
          upstreamStatus: 500,
          upstreamCode: 'internal_error',
          upstreamRequestId: 'req_LeakTest42',
          requestId: expect.stringMatching(UUID) as unknown,
        },
      },
    ]);
    expect(leaksIn(text, { production: true })).toEqual([]);

    // The provider's text is in the logs, under the id the client saw, with its credentials masked.
    const requestId = body.errors?.[0]?.extensions?.['requestId'] as string;
    const line = t.logs.find((l) => l.includes(requestId) && l.includes('error details withheld'));
    expect(line).toBeDefined();
    const detail = (JSON.parse(line ?? '{}') as { detail?: string }).detail;
    expect(detail).toBe(
      'App API failed with HTTP 500: auth=Bearer *** db=postgres://***@10.1.2.3:5432/prod at /srv/app/src/db.ts:42',
    );
  });

  it("an upstream 401 echoing the Authorization header: names the variable to check, not the provider's text", async () => {
    const { text, body } = await t.graphql('{ appUserByEmail(email: "ada@example.com") { id } }');
    expect(body.errors?.[0]?.message).toBe(
      "App API rejected the gateway's credentials (401). Check APP_API_KEY.",
    );
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      source: 'app',
      upstreamStatus: 401,
    });
    expect(leaksIn(text, { production: true })).toEqual([]);
  });

  it('a refused connection: "could not be reached", with no host, port or ECONNREFUSED', async () => {
    const { text, body } = await t.graphql('{ invoices(first: 1) { edges { node { id } } } }');
    expect(body.errors?.[0]?.message).toBe('stripe could not be reached');
    expect(body.errors?.[0]?.extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      source: 'stripe',
      requestId: expect.stringMatching(UUID) as unknown,
    });
    expect(leaksIn(text, { production: true })).toEqual([]);
    const requestId = body.errors?.[0]?.extensions?.['requestId'] as string;
    expect(t.logs.some((l) => l.includes(requestId) && l.includes('ECONNREFUSED'))).toBe(true);
  });

  it('an unexpected error in a resolver: INTERNAL_SERVER_ERROR, "Unexpected error.", its request id, no stack', async () => {
    const { text, body } = await t.graphql('{ appUser(id: "x") { id } }');
    expect(body.errors).toEqual([
      {
        message: 'Unexpected error.',
        locations: [{ line: 1, column: 3 }],
        path: ['appUser'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.stringMatching(UUID) as unknown },
      },
    ]);
    expect(leaksIn(text, { production: true })).toEqual([]);
    const requestId = body.errors?.[0]?.extensions?.['requestId'] as string;
    const line = t.logs.find((l) => l.includes(requestId) && l.includes('unexpected error'));
    expect(line).toContain('/srv/app/src/x.ts');
    expect(line).toContain('token ***');
  });

  it('an unreadable event log: EVENT_LOG_UNAVAILABLE without the Redis host', async () => {
    const { text, body } = await t.graphql('{ events(first: 1) { edges { cursor } } }');
    expect(body.errors?.[0]?.message).toBe('The event log is unavailable; retry later.');
    expect(body.errors?.[0]?.extensions).toEqual({
      code: 'EVENT_LOG_UNAVAILABLE',
      requestId: expect.stringMatching(UUID) as unknown,
    });
    expect(leaksIn(text, { production: true })).toEqual([]);
  });

  it('masks the same errors over graphql-ws: a query, and a subscription whose source fails', async () => {
    const query = await overWebSocket(t.url, '{ appUser(id: "x") { id } }');
    expect(query.results).toEqual([
      {
        data: { appUser: null },
        errors: [
          expect.objectContaining({
            message: 'Unexpected error.',
            extensions: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR' }) as unknown,
          }),
        ],
      },
    ]);
    const subscription = await overWebSocket(t.url, 'subscription { userCreated { event { type } } }');
    expect(subscription.error).toEqual([
      {
        message: 'Unexpected error.',
        locations: [{ line: 1, column: 1 }],
        extensions: {
          code: 'INTERNAL_SERVER_ERROR',
          requestId: expect.stringMatching(UUID) as unknown,
          unexpected: true,
        },
      },
    ]);
    const sent = JSON.stringify([query, subscription]);
    expect(leaksIn(sent, { production: true })).toEqual([]);
  });

  it('masks a failing subscription over SSE', async () => {
    const text = await sse(t.url, 'subscription { userCreated { event { type } } }');
    expect(text).toContain('"message":"Unexpected error."');
    expect(text).toContain('"code":"INTERNAL_SERVER_ERROR"');
    expect(leaksIn(text, { production: true })).toEqual([]);
  });

  it('an HTTP handler failing outside GraphQL: 500 with a GraphQL-shaped INTERNAL_SERVER_ERROR', async () => {
    // A signed delivery whose append fails unexpectedly reaches the server's last-resort handler.
    const body = stripeCustomerEvent(
      'evt_leak_1',
      'customer.updated',
      stripeCustomer('cus_Leak0001', 'leak@example.com', 'Leak'),
    );
    const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({
      payload: body,
      secret: SECRETS.stripeWebhookSecret,
    });
    const response = await fetch(`${t.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body,
    });
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toEqual({
      errors: [
        {
          message: 'Unexpected error.',
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.stringMatching(UUID) as unknown },
        },
      ],
    });
    expect(leaksIn(text, { production: true })).toEqual([]);
    const requestId = (JSON.parse(text) as { errors: { extensions: { requestId: string } }[] }).errors[0]
      ?.extensions.requestId;
    const line = t.logs.find((l) => requestId !== undefined && l.includes(requestId));
    expect(line).toContain('append failed on redis://***@10.1.2.3:6379');
  });

  it('shows base URLs without their user and password', async () => {
    const { body } = await t.graphql('{ gateway { sources { name baseUrl } } }');
    const sources = (body.data as { gateway: { sources: { name: string; baseUrl: string | null }[] } })
      .gateway.sources;
    expect(sources.find((s) => s.name === 'app')?.baseUrl).toBe(`http://***@127.0.0.1:${upstream.port}`);
    expect(sources.find((s) => s.name === 'stripe')?.baseUrl).toBe(`http://***@127.0.0.1:${stripePort}`);
  });

  it('writes no secret into any log line', () => {
    expect(t.logs.length).toBeGreaterThan(3);
    for (const line of t.logs) expect(FORBIDDEN.filter((secret) => line.includes(secret))).toEqual([]);
  });
});

describe('development: details, but no secret', () => {
  let t: LeakTestGateway;
  beforeAll(async () => {
    t = await start('development');
  });
  afterAll(() => t.close());

  it("shows the provider's text with its credentials masked", async () => {
    const { text, body } = await t.graphql('{ appUsers(first: 1) { edges { node { id } } } }');
    expect(body.errors?.[0]?.message).toBe(
      'App API failed with HTTP 500: auth=Bearer *** db=postgres://***@10.1.2.3:5432/prod at /srv/app/src/db.ts:42',
    );
    expect(body.errors?.[0]?.extensions?.['requestId']).toBeUndefined();
    expect(leaksIn(text, { production: false })).toEqual([]);
  });

  it("shows the event log's reason", async () => {
    const { body } = await t.graphql('{ events(first: 1) { edges { cursor } } }');
    expect(body.errors?.[0]?.message).toBe(
      'The event log is unavailable: Redis is unreachable: connect ECONNREFUSED 10.1.2.3:6379.',
    );
  });

  it('shows the network error, without the URL password', async () => {
    const { text, body } = await t.graphql('{ invoices(first: 1) { edges { node { id } } } }');
    expect(body.errors?.[0]?.message).toBe(
      `stripe could not be reached: connect ECONNREFUSED 127.0.0.1:${stripePort}`,
    );
    expect(leaksIn(text, { production: false })).toEqual([]);
  });

  it("shows an unexpected error's message and stack, redacted", async () => {
    const { text, body } = await t.graphql('{ appUser(id: "x") { id } }');
    const extensions = body.errors?.[0]?.extensions as {
      code: string;
      originalError: { message: string; stack: string };
    };
    expect(body.errors?.[0]?.message).toBe('Unexpected error.');
    expect(extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(extensions.originalError.message).toBe(
      'unexpected: token *** for http://***@127.0.0.1/ at /srv/app/src/x.ts:1',
    );
    expect(extensions.originalError.stack).toContain('leaky-upstream.ts');
    expect(leaksIn(text, { production: false })).toEqual([]);
  });

  it('writes no secret into any log line', () => {
    for (const line of t.logs) expect(FORBIDDEN.filter((secret) => line.includes(secret))).toEqual([]);
  });
});
