import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../src/errors.ts';
import { createCircuitBreaker } from '../src/upstream/circuit-breaker.ts';
import type { BreakerStateChange } from '../src/upstream/circuit-breaker.ts';
import { createUpstream } from '../src/upstream/create-upstream.ts';
import { createRetryBudget } from '../src/upstream/retry-budget.ts';
import type { Upstream, UpstreamOptions } from '../src/upstream/types.ts';
import { NO_RESPONSE_CACHE, startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

const THRESHOLD = 3;
const OPEN_MS = 400;
const QUERY = 'query ($id: ID!) { invoice(id: $id) { id } crmContacts(first: 1) { edges { node { id } } } }';
const OPEN_MESSAGE =
  /^stripe is failing \(3 consecutive failed calls\), so the gateway is not calling it; it will try again at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(in \d+ ms\)\.$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('circuit breaker against the Stripe emulator', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      ...NO_RESPONSE_CACHE,
      BREAKER_FAILURE_THRESHOLD: String(THRESHOLD),
      BREAKER_OPEN_MS: String(OPEN_MS),
    });
  });
  afterAll(() => t.close());

  async function readiness(): Promise<unknown> {
    const body = (await (await fetch(`${t.url}/readyz`)).json()) as { sources: { name: string }[] };
    return body.sources.find((s) => s.name === 'stripe');
  }

  it('does not count 404s as failures: they are answers', async () => {
    t.stripe.resetCounters();
    for (let i = 0; i < THRESHOLD * 3; i += 1) {
      const result = await t.graphql('{ invoice(id: "in_missing") { id } }');
      expect(result).toEqual({ data: { invoice: null } });
    }
    expect(t.stripe.counters()['GET /v1/invoices/:id']).toBe(THRESHOLD * 3);
    expect(await readiness()).toMatchObject({ breaker: 'closed' });
  });

  it('opens after the threshold, fails fast while other sources answer, and a probe closes it', async () => {
    const upstream = t.gateway.sources.find((s) => s.name === 'stripe')?.upstream;
    if (!upstream) throw new Error('no stripe upstream');
    const changes: BreakerStateChange[] = [];
    const unsubscribe = upstream.breaker.onStateChange((change) => changes.push(change));
    const listed = await t.graphql<{ invoices: { edges: { node: { id: string } }[] } }>(
      '{ invoices(first: 1) { edges { node { id } } } }',
    );
    const id = listed.data?.invoices.edges[0]?.node.id;
    if (id === undefined) throw new Error('the demo world has no invoice');
    t.stripe.resetCounters();
    // Every call's connection is reset (counted by the emulator, unlike `faults.down`, whose
    // refused connections never reach its request counters).
    t.stripe.faults.inject({ endpoint: 'GET /v1/invoices/:id', reset: true, times: 1000 });
    try {
      const results = [];
      for (let i = 0; i < 40; i += 1) results.push(await t.graphql(QUERY, { id }));

      // Each of the first THRESHOLD queries costs one call and its retries; the others none.
      const calls = t.stripe.counters()['GET /v1/invoices/:id'] ?? 0;
      expect(calls).toBeGreaterThanOrEqual(THRESHOLD);
      expect(calls).toBeLessThanOrEqual(THRESHOLD * 4);
      for (const result of results) {
        expect(result.data?.['crmContacts']).toMatchObject({
          edges: [{ node: { id: expect.any(String) as unknown } }],
        });
        expect(result.data?.['invoice']).toBeNull();
        expect(result.errors).toHaveLength(1);
        expect(result.errors?.[0]?.extensions).toMatchObject({
          code: 'UPSTREAM_UNAVAILABLE',
          source: 'stripe',
        });
      }
      for (const result of results.slice(THRESHOLD)) {
        expect(result.errors?.[0]?.message).toMatch(OPEN_MESSAGE);
        expect(result.errors?.[0]?.extensions).toMatchObject({
          breaker: 'open',
          retryAt: expect.any(String) as unknown,
        });
      }
      expect(upstream.breaker.state).toBe('open');
      expect(await readiness()).toMatchObject({ name: 'stripe', breaker: 'open' });
      expect(changes.map((c) => [c.from, c.to])).toEqual([['closed', 'open']]);
      expect(changes[0]).toMatchObject({ source: 'stripe', consecutiveFailures: THRESHOLD });
      expect(changes[0]?.retryAt).toBe((changes[0]?.at ?? 0) + OPEN_MS);

      // The source is back; after the cool-down one probe goes through and closes the breaker.
      t.stripe.faults.clear();
      await sleep(OPEN_MS + 50);
      expect(await readiness()).toMatchObject({ breaker: 'half-open' });
      const before = t.stripe.counters()['GET /v1/invoices/:id'] ?? 0;
      const recovered = await t.graphql(QUERY, { id });
      expect(recovered).toMatchObject({ data: { invoice: { id } } });
      expect(recovered.errors).toBeUndefined();
      expect(t.stripe.counters()['GET /v1/invoices/:id']).toBe(before + 1);
      expect(await readiness()).toMatchObject({ breaker: 'closed' });
      expect(changes.map((c) => [c.from, c.to])).toEqual([
        ['closed', 'open'],
        ['open', 'half-open'],
        ['half-open', 'closed'],
      ]);
    } finally {
      t.stripe.faults.clear();
      unsubscribe();
    }
  });
});

describe('circuit breaker and retry budget against a local server', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function failingServer(): Promise<{ url: string; hits: () => number; status: { code: number } }> {
    let hits = 0;
    const status = { code: 503 };
    const server = createServer((_req, res) => {
      hits += 1;
      res.writeHead(status.code);
      res.end(status.code === 200 ? '{}' : '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { url: `http://127.0.0.1:${port}`, hits: () => hits, status };
  }

  function upstream(url: string, options: Partial<UpstreamOptions>): Upstream {
    const created = createUpstream({
      source: 'test',
      baseUrl: url,
      backoffBaseMs: 1,
      backoffCapMs: 2,
      ...options,
    });
    cleanups.push(() => created.close());
    return created;
  }

  it('re-opens when the half-open probe fails, and lets only one probe through', async () => {
    const server = await failingServer();
    const api = upstream(server.url, { breakerFailureThreshold: 2, breakerOpenMs: 150, maxRetries: 0 });
    const get = () => api.request({ method: 'GET', path: '/x', operation: 'x', query: { n: Math.random() } });
    expect((await get()).status).toBe(503);
    expect((await get()).status).toBe(503);
    expect(api.breaker.state).toBe('open');
    await expect(get()).rejects.toThrow(GatewayError);
    expect(server.hits()).toBe(2);

    await sleep(200);
    expect(api.breaker.state).toBe('half-open');
    // Two calls at once in half-open: the probe goes through, the other fails fast.
    const [probe, other] = await Promise.allSettled([get(), get()]);
    expect(probe).toMatchObject({ status: 'fulfilled', value: { status: 503 } });
    expect(other).toMatchObject({
      status: 'rejected',
      reason: {
        message: 'test is failing and a test call to it is in progress; try again in a moment.',
        extensions: { code: 'UPSTREAM_UNAVAILABLE', source: 'test', breaker: 'half-open' },
      },
    });
    expect(server.hits()).toBe(3);
    expect(api.breaker.state).toBe('open');

    server.status.code = 200;
    await sleep(200);
    expect((await get()).status).toBe(200);
    expect(api.breaker.state).toBe('closed');
  });

  it('treats 4xx as answers, and a success resets the count', async () => {
    const server = await failingServer();
    const api = upstream(server.url, { breakerFailureThreshold: 2, maxRetries: 0 });
    const get = () => api.request({ method: 'GET', path: '/x', operation: 'x', query: { n: Math.random() } });
    for (const code of [503, 404, 503, 400, 401, 503, 200, 503]) {
      server.status.code = code;
      await get();
    }
    expect(api.breaker.state).toBe('closed');
    server.status.code = 503;
    await get();
    expect(api.breaker.state).toBe('open');
  });

  it('the retry budget caps retries during an outage at the reserve plus a share of the calls and time', async () => {
    const server = await failingServer();
    // A threshold no outage here reaches: only the budget limits the load.
    const api = upstream(server.url, {
      breakerFailureThreshold: 10_000,
      maxRetries: 3,
      retryBudgetPercent: 20,
    });
    for (let i = 0; i < 50; i += 1) {
      expect((await api.request({ method: 'GET', path: `/x/${i}`, operation: 'x' })).status).toBe(503);
    }
    // Without a budget: 50 × 4 = 200 attempts. With it: 50 calls + at most the reserve of 20,
    // 50 × 20% and one a second (the loop takes well under two seconds).
    expect(server.hits()).toBeGreaterThanOrEqual(50 + 20);
    expect(server.hits()).toBeLessThanOrEqual(50 + 20 + 10 + 2);
  });

  it('a listener that throws does not break the breaker', () => {
    const breaker = createCircuitBreaker({ source: 's', failureThreshold: 1, openMs: 60_000 });
    const seen: string[] = [];
    breaker.onStateChange(() => {
      throw new Error('boom');
    });
    breaker.onStateChange((c) => seen.push(c.to));
    breaker.admit().failure('down');
    expect(breaker.state).toBe('open');
    expect(seen).toEqual(['open']);
    expect(() => breaker.admit()).toThrow(/^s is failing \(1 consecutive failed calls\)/);
    breaker.close();
  });

  it('retry budget: a quiet source keeps its reserve, calls and time refill it', () => {
    let clock = 1_000;
    const budget = createRetryBudget({ percent: 50, reserve: 2, refillPerSecond: 1, now: () => clock });
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    budget.recordCall();
    expect(budget.tryRetry()).toBe(false);
    budget.recordCall();
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    clock += 999;
    expect(budget.tryRetry()).toBe(false);
    clock += 1;
    expect(budget.tryRetry()).toBe(true);
    for (let i = 0; i < 100; i += 1) budget.recordCall();
    clock += 60_000;
    expect(budget.available).toBe(2);
  });
});
