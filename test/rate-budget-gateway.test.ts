import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHubSpotSandbox } from '../connectors/hubspot/sandbox/index.ts';
import type { RunningStripeSandbox } from '../connectors/stripe/sandbox/index.ts';
import type { RunningZendeskSandbox } from '../connectors/zendesk/sandbox/index.ts';
import { startTestGateway } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

const INVOICE = 'query ($id: ID!) { invoice(id: $id) { id } }';

/** The value of one sample of a Prometheus exposition, 0 when absent. */
function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

async function scrape(t: TestGateway): Promise<string> {
  return (await fetch(`${t.url}/metrics`)).text();
}

describe('the Stripe rate budget against the emulator’s published limit', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ REQUEST_TIMEOUT_MS: '30000' });
  });
  afterAll(() => t.close());

  it('keeps a burst of 300 concurrent queries under 25 calls a second: no 429, no client error', async () => {
    const stripe = t.stripe as RunningStripeSandbox;
    expect(stripe.rateLimiter.testPerSecond).toBe(25);
    stripe.rateLimiter.reset();
    t.stripe.resetCounters();
    const before = await scrape(t);
    const start = Date.now();
    // Distinct ids: nothing is coalesced, every query makes exactly one Stripe call.
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        t.graphql(INVOICE, { id: `in_burst${String(i).padStart(4, '0')}` }),
      ),
    );
    const elapsed = Date.now() - start;
    expect(results.filter((r) => r.errors !== undefined)).toEqual([]);
    expect(results.every((r) => r.data?.['invoice'] === null)).toBe(true);
    expect(stripe.rateLimiter.refused).toBe(0);
    expect(t.stripe.counters()['GET /v1/invoices/:id']).toBe(300);
    // 25 at once, then 25 a second: the last of 300 cannot start before 11 s.
    expect(elapsed).toBeGreaterThanOrEqual(10_900);

    const after = await scrape(t);
    const queued = (name: string) =>
      sample(after, name, 'source="stripe"') - sample(before, name, 'source="stripe"');
    expect(queued('switchyard_upstream_queue_seconds_count')).toBe(300);
    // Some waited for most of the burst: the histogram holds real waits, not zeros.
    expect(queued('switchyard_upstream_queue_seconds_sum')).toBeGreaterThan(300 * 4);
    expect(queued('switchyard_upstream_rate_limited_total')).toBe(0);
    expect(after).toMatch(/^# TYPE switchyard_upstream_queue_seconds histogram$/m);
  }, 40_000);
});

describe('a call that cannot start before its deadline', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ STRIPE_RATE_LIMIT: '1/min', REQUEST_TIMEOUT_MS: '3000' });
  });
  afterAll(() => t.close());

  it('fails at once with UPSTREAM_RATE_LIMITED, and the rest of the query answers', async () => {
    expect((await t.graphql(INVOICE, { id: 'in_first' })).errors).toBeUndefined();
    t.stripe.resetCounters();
    const before = await scrape(t);
    const start = Date.now();
    const result = await t.graphql(
      'query ($id: ID!) { invoice(id: $id) { id } crmContacts(first: 1) { edges { node { id } } } }',
      {
        id: 'in_second',
      },
    );
    const ms = Date.now() - start;
    expect(ms).toBeLessThan(1000);
    expect(result.data?.['invoice']).toBeNull();
    const contacts = result.data?.['crmContacts'] as { edges: { node: { id: string } }[] } | undefined;
    expect(contacts?.edges).toHaveLength(1);
    expect(result.errors).toHaveLength(1);
    const error = result.errors?.[0];
    expect(error?.path).toEqual(['invoice']);
    expect(error?.message).toMatch(
      /^The gateway is holding calls to stripe under its rate limit \(1\/min\) and this call could not start within the \d+ ms left to the request; retry after (\S+Z)\.$/,
    );
    expect(error?.extensions).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', source: 'stripe' });
    const retryAt = Date.parse(String(error?.extensions?.['retryAt']));
    expect(retryAt - Date.now()).toBeGreaterThan(50_000);
    // Held by the gateway: the emulator never saw the call.
    expect(t.stripe.counters()['GET /v1/invoices/:id']).toBeUndefined();
    const after = await scrape(t);
    expect(
      sample(after, 'switchyard_upstream_budget_refused_total', 'source="stripe"') -
        sample(before, 'switchyard_upstream_budget_refused_total', 'source="stripe"'),
    ).toBe(1);
  });

  it('shows each source’s budget in /readyz', async () => {
    const body = (await (await fetch(`${t.url}/readyz`)).json()) as {
      sources: { name: string; rateBudget?: unknown }[];
    };
    const budgets = Object.fromEntries(body.sources.map((s) => [s.name, s.rateBudget]));
    expect(budgets['stripe']).toEqual({ limit: '1/min', used: 1, queued: 0 });
    expect(budgets['hubspot']).toMatchObject({ limit: '190/10s', queued: 0 });
    expect(budgets['zendesk']).toMatchObject({ limit: '700/min' });
  });
});

describe('live rate-limit headers', () => {
  let t: TestGateway;
  let hubspot: RunningHubSpotSandbox;
  beforeAll(async () => {
    t = await startTestGateway();
    hubspot = t.gateway.sources.find((s) => s.name === 'hubspot')?.sandbox as RunningHubSpotSandbox;
  });
  afterEach(() => {
    hubspot.rateLimits.max = 190;
    hubspot.rateLimits.intervalMs = 10_000;
    hubspot.rateLimits.reset();
  });
  afterAll(() => t.close());

  it('hold HubSpot calls for the interval once X-HubSpot-RateLimit-Remaining is 0, instead of drawing a 429', async () => {
    hubspot.rateLimits.max = 2;
    hubspot.rateLimits.intervalMs = 1500;
    hubspot.rateLimits.reset();
    const query = (first: number) => t.graphql(`{ crmContacts(first: ${first}) { edges { node { id } } } }`);
    const before = await scrape(t);
    expect((await query(1)).errors).toBeUndefined();
    expect((await query(2)).errors).toBeUndefined();
    // Remaining is 0 now: the third call waits out the interval rather than being refused upstream.
    const start = Date.now();
    const third = await query(3);
    expect(third.errors).toBeUndefined();
    expect(Date.now() - start).toBeGreaterThanOrEqual(1400);
    const after = await scrape(t);
    expect(
      sample(after, 'switchyard_upstream_rate_limited_total', 'source="hubspot"') -
        sample(before, 'switchyard_upstream_rate_limited_total', 'source="hubspot"'),
    ).toBe(0);
  });
});

describe('a lower live limit', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('follows Zendesk’s X-Rate-Limit below the published 700 a minute: refused by the gateway, not by Zendesk', async () => {
    const zendesk = t.gateway.sources.find((s) => s.name === 'zendesk')?.sandbox as RunningZendeskSandbox;
    // An account on a smaller plan; the limit resets at the next wall-clock minute, so leave room for 5 calls.
    if (Date.now() % 60_000 > 50_000)
      await new Promise((resolve) => setTimeout(resolve, 60_000 - (Date.now() % 60_000)));
    zendesk.rateLimit.limit = 5;
    const query = (first: number) => t.graphql(`{ tickets(first: ${first}) { edges { node { id } } } }`);
    for (let first = 1; first <= 5; first++) expect((await query(first)).errors).toBeUndefined();
    const start = Date.now();
    const sixth = await query(6);
    expect(Date.now() - start).toBeLessThan(1000);
    expect(sixth.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', source: 'zendesk' });
    expect(sixth.errors?.[0]?.message).toMatch(
      /^The gateway is holding calls to zendesk under its rate limit \(5\/min\) and this call could not start/,
    );
    expect(zendesk.rateLimit.refused).toBe(0);
  }, 20_000);
});

describe('RETRY_BUDGET_PER_REQUEST', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ RETRY_BUDGET_PER_REQUEST: '2' });
  });
  afterAll(() => t.close());

  it('stops retrying after N retries in one request while another request still retries', async () => {
    t.stripe.faults.inject({ endpoint: 'GET /v1/invoices/:id', status: 503, times: 100 });
    t.stripe.resetCounters();
    const fanOut = await t.graphql(
      '{ a: invoice(id: "in_a") { id } b: invoice(id: "in_b") { id } c: invoice(id: "in_c") { id } }',
    );
    expect(fanOut.errors?.map((e) => e.extensions?.['code'])).toEqual([
      'UPSTREAM_UNAVAILABLE',
      'UPSTREAM_UNAVAILABLE',
      'UPSTREAM_UNAVAILABLE',
    ]);
    // Three calls, and two retries among them all (without the budget: 3 × 4 attempts).
    expect(t.stripe.counters()['GET /v1/invoices/:id']).toBe(5);

    t.stripe.resetCounters();
    const single = await t.graphql(INVOICE, { id: 'in_d' });
    expect(single.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    // A new request has its own budget: 1 attempt + 2 retries.
    expect(t.stripe.counters()['GET /v1/invoices/:id']).toBe(3);
    t.stripe.faults.clear();
  });
});
