import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectors } from '../connectors/index.ts';
import { loadConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import type { Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import type { RunningSandbox } from '../src/sandbox/types.ts';
import { TEST_EPOCH } from './helpers/gateway.ts';

const ALL = 'sy_shared_all_0123456789abcdef';
const BILLING_1 = 'sy_shared_billing1_0123456789';
const BILLING_2 = 'sy_shared_billing2_0123456789';
const QUERY = 'query Invoice($id: ID!) { invoice(id: $id) { id status total { amount } } }';

interface LogLine {
  msg: string;
  requestId?: string;
  sharedWith?: string;
  upstreamCalls?: number;
}

async function start(extra: Record<string, string>): Promise<{
  gateway: Gateway;
  url: string;
  stripe: RunningSandbox;
  lines: () => LogLine[];
  clear: () => void;
}> {
  const env = {
    LOG_LEVEL: 'info',
    DEMO_EVENTS: '0',
    // Every query must execute: these tests follow the upstream path, not the response cache.
    RESPONSE_CACHE_TTL_S: '0',
    SANDBOX: '1',
    GATEWAY_API_KEYS: `${ALL}:*;${BILLING_1}:billing;${BILLING_2}:billing`,
    ...extra,
  };
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const config = loadConfig(env, connectors);
  const gateway = await createGateway({
    config,
    connectors,
    log: createLogger('info', sink),
    env,
    demoEpoch: TEST_EPOCH,
  });
  const url = await gateway.listen(0, '127.0.0.1');
  const stripe = gateway.sources.find((s) => s.name === 'stripe')?.sandbox;
  if (!stripe) throw new Error('the stripe sandbox did not start');
  return {
    gateway,
    url,
    stripe,
    lines: () =>
      raw.map((line) => JSON.parse(line) as LogLine).filter((line) => line.msg === 'graphql operation'),
    clear: () => {
      raw.length = 0;
    },
  };
}

function post(
  url: string,
  key: string,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: QUERY, variables }),
    signal,
  });
}

describe('identical queries in flight share one execution', () => {
  let g: Awaited<ReturnType<typeof start>>;
  let id: string;
  beforeAll(async () => {
    g = await start({});
    const listed = (await (
      await fetch(`${g.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ALL}` },
        body: JSON.stringify({ query: '{ invoices(first: 2) { edges { node { id } } } }' }),
      })
    ).json()) as { data: { invoices: { edges: { node: { id: string } }[] } } };
    const first = listed.data.invoices.edges[0]?.node.id;
    if (first === undefined) throw new Error('the demo world has no invoice');
    id = first;
  });
  afterAll(() => g.gateway.close());
  beforeEach(() => {
    g.clear();
    g.stripe.resetCounters();
    g.stripe.faults.clear();
  });

  it('runs once for ten identical queries; each gets the full answer, its own request id and log line', async () => {
    g.stripe.faults.inject({ endpoint: 'GET /v1/invoices/:id', delayMs: 300, times: 1 });
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(g.url, ALL, { id })));
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<unknown>));
    for (const body of bodies) {
      expect(body).toEqual({
        data: {
          invoice: { id, status: expect.any(String) as unknown, total: expect.any(Object) as unknown },
        },
      });
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    const requestIds = responses.map((r) => r.headers.get('x-request-id'));
    expect(new Set(requestIds).size).toBe(10);
    expect(g.stripe.counters()).toEqual({ 'GET /v1/invoices/:id': 1 });

    const lines = g.lines();
    expect(lines).toHaveLength(10);
    const leaders = lines.filter((l) => l.sharedWith === undefined);
    expect(leaders).toHaveLength(1);
    expect(leaders[0]?.upstreamCalls).toBe(1);
    for (const follower of lines.filter((l) => l.sharedWith !== undefined)) {
      expect(follower.sharedWith).toBe(leaders[0]?.requestId);
      expect(follower.upstreamCalls).toBe(0);
    }
  });

  it('shares only between principals with the same scopes, and only for the same variables', async () => {
    g.stripe.faults.inject({ endpoint: 'GET /v1/invoices/:id', delayMs: 300, times: 1 });
    const responses = await Promise.all([
      post(g.url, BILLING_1, { id }),
      post(g.url, BILLING_2, { id }),
      post(g.url, ALL, { id }),
      post(g.url, BILLING_1, { id: 'in_missing' }),
    ]);
    for (const response of responses) expect(response.status).toBe(200);
    await Promise.all(responses.map((r) => r.json()));
    const lines = g.lines();
    expect(lines).toHaveLength(4);
    // The two billing keys share; the key with every scope and the other variables run on their own.
    expect(lines.filter((l) => l.sharedWith !== undefined)).toHaveLength(1);
  });

  it('runs again for the others when the first client goes away before its answer', async () => {
    g.stripe.faults.inject({ endpoint: 'GET /v1/invoices/:id', delayMs: 400, times: 1 });
    const leaving = new AbortController();
    const first = post(g.url, ALL, { id }, leaving.signal).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = post(g.url, ALL, { id });
    await new Promise((resolve) => setTimeout(resolve, 50));
    leaving.abort();
    expect(await first).toBeInstanceOf(Error);
    const answer = await second;
    expect(await answer.json()).toEqual({
      data: { invoice: { id, status: expect.any(String) as unknown, total: expect.any(Object) as unknown } },
    });
    const secondId = answer.headers.get('x-request-id');
    const line = g.lines().find((l) => l.requestId === secondId);
    expect(line).toBeDefined();
    expect(line?.sharedWith).toBeUndefined();
  });
});

describe('mutations are never shared', () => {
  it('runs two identical mutations in flight twice: two tickets', async () => {
    const g = await start({});
    try {
      const zendesk = g.gateway.sources.find((s) => s.name === 'zendesk')?.sandbox;
      if (!zendesk) throw new Error('the zendesk sandbox did not start');
      zendesk.resetCounters();
      zendesk.faults.inject({ endpoint: 'POST /api/v2/tickets.json', delayMs: 300, times: 2 });
      const mutation =
        'mutation { createTicket(input: { requesterEmail: "twice@example.org", subject: "Twice", comment: "Hello" }) { id } }';
      const answers = await Promise.all(
        [0, 1].map(async () => {
          const response = await fetch(`${g.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${ALL}` },
            body: JSON.stringify({ query: mutation }),
          });
          return (await response.json()) as { data?: { createTicket: { id: string } } };
        }),
      );
      const ids = answers.map((a) => a.data?.createTicket.id);
      expect(ids.every((id) => typeof id === 'string')).toBe(true);
      expect(new Set(ids).size).toBe(2);
      expect(zendesk.counters()['POST /api/v2/tickets.json']).toBe(2);
      expect(g.lines().filter((l) => l.sharedWith !== undefined)).toHaveLength(0);
    } finally {
      await g.gateway.close();
    }
  });
});

describe('SHARE_IDENTICAL_QUERIES=0', () => {
  it('runs every query on its own', async () => {
    const g = await start({ SHARE_IDENTICAL_QUERIES: '0' });
    try {
      const listed = (await (await post(g.url, ALL, { id: 'in_missing' })).json()) as unknown;
      expect(listed).toEqual({ data: { invoice: null } });
      g.clear();
      g.stripe.faults.inject({ endpoint: 'GET /v1/invoices/:id', delayMs: 300, times: 1 });
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => post(g.url, ALL, { id: 'in_missing' })),
      );
      await Promise.all(responses.map((r) => r.json()));
      expect(g.lines()).toHaveLength(5);
      expect(g.lines().filter((l) => l.sharedWith !== undefined)).toHaveLength(0);
    } finally {
      await g.gateway.close();
    }
  });
});
