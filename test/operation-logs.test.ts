import { Writable } from 'node:stream';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { loadConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import type { Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { collectSecrets, Redactor } from '../src/redact.ts';
import type { RunningSandbox } from '../src/sandbox/types.ts';
import { stripeCustomerEvent, TEST_EPOCH } from './helpers/gateway.ts';

const API_KEY = 'sy_live_logs_0123456789abcdef';
const METRICS_TOKEN = 'metrics-secret-0123456789abcdef';
const WEBHOOK_SECRET = 'whsec_logs_test_0123456789abcdef';
const env: Record<string, string> = {
  LOG_LEVEL: 'debug',
  DEMO_EVENTS: '0',
  SANDBOX: '1',
  GATEWAY_API_KEYS: `${API_KEY}:*`,
  METRICS_TOKEN,
  STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
};

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  principal?: string;
  [field: string]: unknown;
}

let gateway: Gateway;
let url: string;
let stripe: RunningSandbox;
const raw: string[] = [];
const lines = (): LogLine[] => raw.map((line) => JSON.parse(line) as LogLine);

beforeAll(async () => {
  const config = loadConfig(env, connectors);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  // As main.ts does: the logger and the gateway share one redactor that knows the environment's secrets.
  const redactor = new Redactor(collectSecrets(env));
  gateway = await createGateway({
    config,
    connectors,
    log: createLogger(config.core.LOG_LEVEL, sink, redactor),
    env,
    demoEpoch: TEST_EPOCH,
    redactor,
  });
  url = await gateway.listen(0, '127.0.0.1');
  const found = gateway.sources.find((s) => s.name === 'stripe')?.sandbox;
  if (!found) throw new Error('the stripe sandbox did not start');
  stripe = found;
});
afterAll(() => gateway.close());
beforeEach(() => {
  raw.length = 0;
});

async function graphql(
  query: string,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}`, ...headers },
    body: JSON.stringify({ query }),
    signal,
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a log line');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('one log line per GraphQL operation', () => {
  it('logs name, type, principal, duration, upstream calls and error codes, with the request id', async () => {
    const response = await graphql('query Invoices { invoices(first: 2) { edges { node { id } } } }', {
      'x-request-id': 'client-req-42',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('client-req-42');
    await response.json();

    const operation = lines().filter((l) => l.msg === 'graphql operation');
    expect(operation).toHaveLength(1);
    expect(operation[0]).toMatchObject({
      level: 30,
      requestId: 'client-req-42',
      principal: expect.stringMatching(/^key:[0-9a-f]{8}$/) as unknown,
      operationName: 'Invoices',
      operationType: 'query',
      upstreamCalls: 1,
      errorCodes: [],
    });
    expect(operation[0]?.['durationMs']).toEqual(expect.any(Number));
    const upstream = lines().filter((l) => l.msg === 'upstream call');
    expect(upstream).toEqual([
      expect.objectContaining({
        level: 20,
        requestId: 'client-req-42',
        source: 'stripe',
        method: 'GET',
        attempt: 1,
        status: 200,
      }),
    ]);
  });

  it('counts an upstream failure once per call, logs every attempt at debug, and names the error code', async () => {
    stripe.faults.inject({ endpoint: 'GET /v1/invoices/:id', status: 503, times: 10 });
    const response = await graphql('{ invoice(id: "in_any") { id } }');
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await response.json();
    const operation = lines().find((l) => l.msg === 'graphql operation');
    expect(operation).toMatchObject({
      requestId,
      operationName: null,
      operationType: 'query',
      upstreamCalls: 1,
      errorCodes: ['UPSTREAM_UNAVAILABLE'],
    });
    const attempts = lines().filter((l) => l.msg === 'upstream call');
    expect(attempts.map((l) => [l.requestId, l['attempt'], l['status']])).toEqual([
      [requestId, 1, 503],
      [requestId, 2, 503],
      [requestId, 3, 503],
      [requestId, 4, 503],
    ]);
  });

  it('a client that goes away mid-query is one info line and a count, not an error per field', async () => {
    const scrape = async () =>
      (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const internalErrors = (text: string) =>
      Number(
        /switchyard_graphql_errors_total\{type="query",code="INTERNAL_SERVER_ERROR"\} (\d+)/.exec(
          text,
        )?.[1] ?? 0,
      );
    const aborted = (text: string) =>
      Number(/switchyard_graphql_operations_aborted_total\{type="query"\} (\d+)/.exec(text)?.[1] ?? 0);
    const before = await scrape();
    // Each customer is fetched on its own: many fields are waiting on the upstream when the client leaves.
    stripe.faults.inject({ endpoint: 'GET /v1/customers/:id', delayMs: 5_000, times: 100 });
    try {
      const client = new AbortController();
      const pending = graphql(
        '{ invoices(first: 20) { edges { node { id customer { name } } } } }',
        {},
        client.signal,
      ).catch((error: unknown) => error);
      await waitFor(() => lines().some((l) => l.msg === 'upstream call' && l['status'] === 200));
      await new Promise((resolve) => setTimeout(resolve, 100));
      client.abort();
      expect(await pending).toMatchObject({ name: 'AbortError' });
      await waitFor(() => lines().some((l) => l.msg === 'graphql operation'));
    } finally {
      stripe.faults.clear();
    }
    const operation = lines().filter((l) => l.msg === 'graphql operation');
    expect(operation).toHaveLength(1);
    expect(operation[0]).toMatchObject({ level: 30, operationType: 'query', aborted: true });
    expect(lines().filter((l) => l.level >= 40)).toEqual([]);
    const after = await scrape();
    expect(aborted(after) - aborted(before)).toBe(1);
    expect(internalErrors(after)).toBe(internalErrors(before));
  });

  it('replaces a client request id that is not a short sane token', async () => {
    for (const hostile of ['a b', '"},{"admin":true', 'x'.repeat(65), '-leading-dash', '']) {
      const response = await graphql('{ gateway { mode } }', { 'x-request-id': hostile });
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      await response.json();
      expect(lines().find((l) => l.msg === 'graphql operation')?.requestId).toBe(id);
      raw.length = 0;
    }
  });

  it('answers a refused request with a request id too', async () => {
    const response = await graphql('{ gateway { mode } }', { authorization: 'Bearer not-a-key' });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('secrets never reach the logs', () => {
  it('holds no API key, webhook secret, signature or metrics token after queries, webhooks and scrapes', async () => {
    const signer = new Stripe('sk_test_unused');
    const body = stripeCustomerEvent(`evt_logs_${Date.now()}`, 'customer.updated', {
      id: 'cus_LogsTest00001',
      object: 'customer',
      email: 'logs@example.com',
      name: 'Logs Test',
      phone: null,
      currency: 'usd',
      balance: 0,
      delinquent: false,
      created: TEST_EPOCH,
      livemode: false,
      metadata: {},
    });
    const signatures: string[] = [];
    for (const secret of [WEBHOOK_SECRET, 'whsec_forged_0123456789abcdef']) {
      const header = signer.webhooks.generateTestHeaderString({ payload: body, secret });
      signatures.push(header);
      await fetch(`${url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
        body,
      });
    }
    await (await graphql('{ invoices(first: 1) { edges { node { id } } } }')).text();
    await (await graphql('{ gateway { mode } }', { authorization: `Bearer ${API_KEY}x` })).text();
    await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}0` } })).text();

    const text = raw.join('\n');
    const webhooks = lines().filter((l) => l.msg === 'webhook');
    expect(webhooks).toEqual([
      expect.objectContaining({ source: 'stripe', status: 200, stored: 1, duplicates: 0 }),
      expect.objectContaining({ source: 'stripe', status: 401, code: 'SIGNATURE_INVALID' }),
    ]);
    expect(lines().some((l) => l.msg === 'graphql operation')).toBe(true);
    for (const secret of [
      API_KEY,
      METRICS_TOKEN,
      WEBHOOK_SECRET,
      ...signatures.map((s) => s.split('v1=')[1] ?? s),
    ]) {
      expect(text).not.toContain(secret);
    }
    // The Stripe sandbox's API key, which the gateway sends upstream on every call.
    const stripeKey = stripe.env['STRIPE_API_KEY'];
    expect(stripeKey).toBeTruthy();
    expect(text).not.toContain(stripeKey);
  });
});
