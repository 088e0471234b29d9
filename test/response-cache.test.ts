import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningStripeSandbox } from '../connectors/stripe/sandbox/index.ts';
import { ResponseCache } from '../src/execution/response-cache.ts';
import { configProblems } from './helpers/config.ts';
import { startTestGateway, stripeCustomerEvent } from './helpers/gateway.ts';
import type { TestGateway } from './helpers/gateway.ts';

const ALL = 'sy_cache_all_0123456789abcdef';
const ALL_2 = 'sy_cache_all2_0123456789abcde';
const BILLING = 'sy_cache_billing_0123456789ab';
const SUPPORT = 'sy_cache_support_0123456789ab';
const KEYS = `${ALL}:*;${ALL_2}:*;${BILLING}:billing;${SUPPORT}:support`;

const CUSTOMER = `query Customer($id: ID!) { billingCustomer(id: $id) { sourceId name } }`;

interface LogLine {
  msg: string;
  requestId?: string;
  cache?: string;
  operationName?: string | null;
  upstreamCalls?: number;
}

let t: TestGateway;
let stripe: RunningStripeSandbox;
const lines: LogLine[] = [];
let customerId: string;

function post(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  key = ALL,
): Promise<Response> {
  return fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
}

async function nameOf(key = ALL): Promise<{ cache: string | null; name: unknown; body: string }> {
  const response = await post(CUSTOMER, { id: customerId }, {}, key);
  const body = await response.text();
  const parsed = JSON.parse(body) as { data?: { billingCustomer?: { name?: unknown } } };
  return { cache: response.headers.get('x-cache'), name: parsed.data?.billingCustomer?.name, body };
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  t = await startTestGateway(
    { GATEWAY_API_KEYS: KEYS, LOG_LEVEL: 'info', METRICS_PUBLIC: '1' },
    { logTo: sink },
  );
  stripe = t.stripe as RunningStripeSandbox;
  const first = stripe.store.customers.all()[0];
  if (first === undefined) throw new Error('the Stripe emulator has no customer');
  customerId = first.id;
});
afterAll(() => t.close());
beforeEach(() => {
  lines.length = 0;
  stripe.resetCounters();
});

describe('response cache', () => {
  it('answers an identical query from the cache: same bytes, its own request id and log line, no upstream call', async () => {
    const query = `{ invoices(first: 3) { edges { node { id status customer { id name } } } } }`;
    const first = await post(query);
    const firstBody = await first.text();
    expect(first.headers.get('x-cache')).toBe('MISS');
    const calls = stripe.counters();
    expect(calls['GET /v1/invoices']).toBe(1);

    const second = await post(query, {}, { 'x-request-id': 'client-chosen-1' });
    expect(second.status).toBe(200);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(second.headers.get('x-request-id')).toBe('client-chosen-1');
    expect(await second.text()).toBe(firstBody);
    expect(stripe.counters()).toEqual(calls);

    const logged = lines.filter((l) => l.msg === 'graphql operation');
    expect(logged.at(-1)).toMatchObject({ requestId: 'client-chosen-1', cache: 'hit', upstreamCalls: 0 });
    expect(await metric('switchyard_response_cache_requests_total{result="hit"}')).toBeGreaterThanOrEqual(1);
  });

  it('keys answers by scopes: same scopes share, other scopes never see them', async () => {
    const query = `{ invoices(first: 2) { edges { node { id } } } }`;
    expect((await post(query, {}, {}, ALL)).headers.get('x-cache')).toBe('MISS');
    // Another key with the same scopes shares the answer.
    expect((await post(query, {}, {}, ALL_2)).headers.get('x-cache')).toBe('HIT');
    // Other scopes: its own execution.
    expect((await post(query, {}, {}, BILLING)).headers.get('x-cache')).toBe('MISS');
    const refused = await post(query, {}, {}, SUPPORT);
    const body = (await refused.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(refused.headers.get('x-cache')).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('still authenticates every request: a cached answer is never served to a bad key', async () => {
    const query = `{ invoices(first: 4) { edges { node { id } } } }`;
    await post(query);
    expect((await post(query)).headers.get('x-cache')).toBe('HIT');
    const refused = await post(query, {}, {}, 'sy_not_a_key_0123456789abcdef');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-cache')).toBeNull();
    expect(await refused.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('shows a change announced by a webhook on the very next query', async () => {
    const before = await nameOf();
    expect((await nameOf()).cache).toBe('HIT');
    const customer = stripe.store.customers.get(customerId);
    if (customer === undefined) throw new Error('no customer');
    const renamed = { ...customer, name: `${String(before.name)} (renamed)` };
    stripe.store.customers.put(renamed);
    // Without a webhook, the cache cannot know (the TTL bounds this).
    expect(await nameOf()).toMatchObject({ cache: 'HIT', name: before.name });
    const evictions = await metric('switchyard_response_cache_evictions_total{reason="webhook"}');
    expect(
      (
        await t.postStripe(
          stripeCustomerEvent(
            `evt_cache_${Date.now()}`,
            'customer.updated',
            renamed as unknown as Record<string, unknown>,
          ),
        )
      ).status,
    ).toBe(200);
    expect(await nameOf()).toMatchObject({ cache: 'MISS', name: renamed.name });
    expect(await metric('switchyard_response_cache_evictions_total{reason="webhook"}')).toBeGreaterThan(
      evictions,
    );
  });

  it('a webhook of another source leaves the answers of this one cached', async () => {
    await nameOf();
    expect((await nameOf()).cache).toBe('HIT');
    const zendesk = t.gateway.sources.find((s) => s.name === 'zendesk');
    expect(zendesk).toBeDefined();
    await t.gateway.events.append([
      {
        id: `zd_${Date.now()}`,
        source: 'zendesk',
        type: 'ticket.updated',
        occurredAt: new Date().toISOString(),
        subject: null,
        data: {},
      },
    ]);
    expect((await nameOf()).cache).toBe('HIT');
  });

  it('shows a mutation on the very next query, evicting before the mutation answers', async () => {
    const before = await nameOf();
    expect((await nameOf()).cache).toBe('HIT');
    const evictions = await metric('switchyard_response_cache_evictions_total{reason="mutation"}');
    const global = (
      (await (await post(CUSTOMER.replace('sourceId name', 'id'), { id: customerId })).json()) as {
        data: { billingCustomer: { id: string } };
      }
    ).data.billingCustomer.id;
    const result = (await (
      await post(
        `mutation ($id: ID!, $name: String) { updateBillingCustomer(id: $id, input: { name: $name }) { name } }`,
        { id: global, name: `${String(before.name)} II` },
      )
    ).json()) as { data?: { updateBillingCustomer?: { name?: string } } };
    expect(result.data?.updateBillingCustomer?.name).toBe(`${String(before.name)} II`);
    expect(await metric('switchyard_response_cache_evictions_total{reason="mutation"}')).toBeGreaterThan(
      evictions,
    );
    expect(await nameOf()).toMatchObject({ cache: 'MISS', name: `${String(before.name)} II` });
    await t.gateway.outbox.idle();
  });

  it('never caches an answer with errors: the next query runs again', async () => {
    const query = `{ invoices(first: 5) { edges { node { id } } } }`;
    stripe.faults.inject({ endpoint: 'GET /v1/invoices', status: 500, times: 10 });
    const failed = await post(query);
    expect(((await failed.json()) as { errors?: unknown[] }).errors).toBeDefined();
    expect(failed.headers.get('x-cache')).toBeNull();
    stripe.faults.clear();
    expect((await post(query)).headers.get('x-cache')).toBe('MISS');
    expect((await post(query)).headers.get('x-cache')).toBe('HIT');
  });

  it('a fault injected through the sandbox route shows on the next query', async () => {
    const query = `{ invoices(first: 6) { edges { node { id } } } }`;
    await post(query);
    expect((await post(query)).headers.get('x-cache')).toBe('HIT');
    const injected = await fetch(`${t.url}/admin/sandbox/faults/stripe`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ALL}`, 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: 'GET /v1/invoices', status: 500, times: 10 }),
    });
    expect(injected.status).toBe(200);
    const failed = (await (await post(query)).json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    await fetch(`${t.url}/admin/sandbox/faults/stripe`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ALL}` },
    });
  });

  it('never caches what reads the gateway’s own state: the event log', async () => {
    const query = `{ events(first: 1) { edges { cursor } } }`;
    for (let i = 0; i < 2; i++) {
      const response = await post(query);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-cache')).toBeNull();
    }
  });

  it('never holds on to a streamed answer: an SSE subscription over POST is passed through', async () => {
    const response = await post(
      'subscription { heartbeat(intervalMs: 100) { tick } }',
      {},
      { accept: 'text/event-stream' },
    );
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-cache')).toBeNull();
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toContain('tick');
    await reader?.cancel();
  });

  it('does not store an answer larger than RESPONSE_CACHE_MAX_MB', async () => {
    const small = await startTestGateway({ RESPONSE_CACHE_MAX_MB: '1', MAX_QUERY_ALIASES: '1000' });
    try {
      // About 2 MiB of answer: 100 invoices, each aliased many times.
      const fields = Array.from({ length: 400 }, (_, i) => `a${String(i)}: id`).join(' ');
      const query = `{ invoices(first: 100) { edges { node { ${fields} customer { name email } } } } }`;
      const ask = () =>
        fetch(`${small.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        });
      const first = await ask();
      const body = await first.text();
      expect(body.length).toBeGreaterThan(1024 * 1024);
      expect(first.headers.get('x-cache')).toBe('MISS');
      const second = await ask();
      expect(await second.text()).toBe(body);
      expect(second.headers.get('x-cache')).toBe('MISS');
    } finally {
      await small.close();
    }
  });

  it('Cache-Control: no-cache runs the query again (and stores it); no-store bypasses the cache', async () => {
    const query = `{ invoices(first: 7) { edges { node { id } } } }`;
    await post(query);
    expect((await post(query, {}, { 'cache-control': 'no-cache' })).headers.get('x-cache')).toBe('MISS');
    expect(stripe.counters()['GET /v1/invoices']).toBe(2);
    expect((await post(query, {}, { 'cache-control': 'no-store' })).headers.get('x-cache')).toBeNull();
    expect(stripe.counters()['GET /v1/invoices']).toBe(3);
    expect((await post(query)).headers.get('x-cache')).toBe('HIT');
  });
});

describe('response cache settings', () => {
  it('RESPONSE_CACHE_TTL_S bounds how long an answer is served; 0 turns the cache off', async () => {
    const short = await startTestGateway({ RESPONSE_CACHE_TTL_S: '1' });
    const off = await startTestGateway({ RESPONSE_CACHE_TTL_S: '0' });
    try {
      const query = '{ invoices(first: 1) { edges { node { id } } } }';
      const ask = async (g: TestGateway) =>
        (
          await fetch(`${g.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query }),
          })
        ).headers.get('x-cache');
      expect(await ask(short)).toBe('MISS');
      expect(await ask(short)).toBe('HIT');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await ask(short)).toBe('MISS');
      expect(await ask(off)).toBeNull();
      expect(await ask(off)).toBeNull();
      expect(off.stripe.counters()['GET /v1/invoices']).toBe(2);
    } finally {
      await short.close();
      await off.close();
    }
  });

  it('refuses a TTL or size that is not a whole number in range', () => {
    expect(configProblems({ RESPONSE_CACHE_TTL_S: '-1', RESPONSE_CACHE_MAX_MB: '0' })).toEqual([
      'RESPONSE_CACHE_TTL_S (RESPONSE_CACHE_TTL_S="-1"): must be a whole number from 0 to 86400. Fix: correct it or unset it to use the default.',
      'RESPONSE_CACHE_MAX_MB (RESPONSE_CACHE_MAX_MB="0"): must be a whole number from 1 to 4096. Fix: correct it or unset it to use the default.',
    ]);
  });
});

describe('ResponseCache', () => {
  const entry = (sources: string[], bytes = 10) => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: Buffer.alloc(bytes),
    operationName: null,
    sources,
  });

  it('refuses an answer computed while a source it read changed', () => {
    const cache = new ResponseCache({ ttlMs: 60_000, maxBytes: 1000 });
    const mark = cache.mark();
    cache.invalidate(['stripe']);
    expect(cache.set('a', entry(['stripe']), mark)).toBe(false);
    expect(cache.set('b', entry(['zendesk']), mark)).toBe(true);
    expect(cache.set('c', entry(['stripe']), cache.mark())).toBe(true);
    cache.clear();
    expect(cache.set('d', entry([]), mark)).toBe(false);
  });

  it('evicts by source, and the oldest first beyond its size', () => {
    const cache = new ResponseCache({ ttlMs: 60_000, maxBytes: 25 });
    cache.set('a', entry(['stripe']), cache.mark());
    cache.set('b', entry(['stripe', 'zendesk']), cache.mark());
    expect(cache.invalidate(['zendesk'])).toBe(1);
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('b')).toBeUndefined();
    cache.set('c', entry([]), cache.mark());
    cache.set('d', entry([]), cache.mark());
    expect(cache.get('a')).toBeUndefined();
    expect(cache.bytes).toBe(20);
    expect(cache.set('huge', entry([], 26), cache.mark())).toBe(false);
  });

  it('forgets an entry once its TTL is over', () => {
    let now = 0;
    const cache = new ResponseCache({ ttlMs: 1000, maxBytes: 100, now: () => now });
    cache.set('a', entry([]), cache.mark());
    now = 999;
    expect(cache.get('a')).toBeDefined();
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
