import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDemoWorld } from '../../../src/sandbox/demo-world.ts';
import { queryList, startHttpEmulator } from '../../../src/sandbox/http-emulator.ts';
import type { DemoWorld, Person, WorldChange } from '../../../src/sandbox/world.ts';
import { changesOf } from '../../../test/helpers/world-changes.ts';
import { API_VERSION, maskApiKey, startStripeSandbox, stripeSandbox } from './index.ts';
import type { RunningStripeSandbox } from './index.ts';

interface Listed {
  id: string;
  object: string;
  created: number;
  [key: string]: unknown;
}
interface ListBody {
  object: string;
  url: string;
  has_more: boolean;
  data: Listed[];
}

let sandbox: RunningStripeSandbox;

async function call(path: string, init: RequestInit & { auth?: string | null } = {}) {
  const { auth, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (auth !== null) headers.set('Authorization', auth ?? `Bearer ${sandbox.apiKey}`);
  const response = await fetch(`${sandbox.baseUrl}${path}`, { ...rest, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as unknown, text };
}

async function list(path: string): Promise<ListBody> {
  const { status, body } = await call(path);
  expect(status).toBe(200);
  return body as ListBody;
}

/** Walks a list endpoint with starting_after, as a client would. */
async function listAll(path: string): Promise<{ items: Listed[]; pages: number }> {
  const items: Listed[] = [];
  let pages = 0;
  let after: string | undefined;
  for (;;) {
    const separator = path.includes('?') ? '&' : '?';
    const page = await list(
      `${path}${separator}limit=100${after === undefined ? '' : `&starting_after=${after}`}`,
    );
    pages++;
    items.push(...page.data);
    if (!page.has_more) return { items, pages };
    after = page.data.at(-1)?.id;
  }
}

function isNewestFirst(items: readonly Listed[]): boolean {
  return items.every((item, i) => {
    const prev = items[i - 1];
    return (
      prev === undefined ||
      prev.created > item.created ||
      (prev.created === item.created && prev.id > item.id)
    );
  });
}

beforeAll(async () => {
  sandbox = await startStripeSandbox(createDemoWorld());
  // These tests probe the wire format with quick bursts of calls; 'enforces Stripe's test-mode rate limit' probes the limit.
  sandbox.rateLimiter.testPerSecond = Number.MAX_SAFE_INTEGER;
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.faults.down = false;
});

describe('rate limit', () => {
  afterAll(() => {
    sandbox.rateLimiter.testPerSecond = Number.MAX_SAFE_INTEGER;
    sandbox.rateLimiter.reset();
  });

  it('enforces Stripe’s test-mode rate limit of 25 requests a second with its 429 body', async () => {
    sandbox.rateLimiter.testPerSecond = 25;
    sandbox.rateLimiter.reset();
    const responses = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${sandbox.baseUrl}/v1/customers?limit=1`, {
          headers: { authorization: `Bearer ${sandbox.apiKey}` },
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    const limited = responses.find((r) => r.status === 429);
    // 25 in the bucket, plus the few refilled while the 40 calls arrived.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(25);
    expect(statuses.filter((s) => s === 200).length).toBeLessThan(35);
    expect(sandbox.rateLimiter.refused).toBe(statuses.filter((s) => s === 429).length);
    expect(limited?.headers.get('stripe-should-retry')).toBe('true');
    expect(await limited?.json()).toEqual({
      error: {
        code: 'rate_limit',
        doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
        message:
          'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
        type: 'invalid_request_error',
      },
    });
    for (const response of responses) if (!response.bodyUsed) await response.arrayBuffer();
  });
});

describe('seeded data', () => {
  it('has a customer per billing person, paged through the list API', async () => {
    const { items, pages } = await listAll('/v1/customers');
    expect(items.length).toBeGreaterThanOrEqual(200);
    expect(pages).toBe(Math.ceil(items.length / 100));
    expect(new Set(items.map((c) => c.id)).size).toBe(items.length);
    expect(isNewestFirst(items)).toBe(true);
    for (const customer of items) {
      expect(customer.id).toMatch(/^cus_[0-9A-Za-z]{14}$/);
      expect(customer).toMatchObject({ object: 'customer', livemode: false, metadata: {} });
      expect(customer['email']).toMatch(/@/);
    }
  });

  it('has more than a thousand invoices, consistent with their status', async () => {
    const { items } = await listAll('/v1/invoices');
    expect(items.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(isNewestFirst(items)).toBe(true);
    const statuses = new Set(items.map((i) => i['status']));
    expect([...statuses].sort()).toEqual(['draft', 'open', 'paid', 'uncollectible', 'void']);
    const paid = items.filter((i) => i['status'] === 'paid').length;
    expect(paid / items.length).toBeGreaterThan(0.8);
    for (const invoice of items) {
      const due = invoice['amount_due'] as number;
      const paidAmount = invoice['amount_paid'] as number;
      expect(invoice.id).toMatch(/^in_[0-9A-Za-z]{24}$/);
      expect(invoice['amount_remaining']).toBe(due - paidAmount);
      expect(invoice['currency']).toBe('usd');
      expect(invoice['total']).toBe(due);
      const lines = invoice['lines'] as ListBody;
      expect(lines.object).toBe('list');
      expect(lines.data.reduce((sum, line) => sum + (line['amount'] as number), 0)).toBe(due);
      if (invoice['status'] === 'draft') {
        expect(invoice['number']).toBeNull();
        expect(invoice['hosted_invoice_url']).toBeNull();
      } else {
        expect(invoice['number']).toMatch(/^[0-9A-Z]{8}-\d{4}$/);
        expect(invoice['hosted_invoice_url']).toMatch(/^https:\/\/invoice\.stripe\.com\/i\/acct_/);
      }
      expect(paidAmount).toBe(invoice['status'] === 'paid' ? due : 0);
      expect(invoice['period_end']).toBeGreaterThanOrEqual(invoice['period_start'] as number);
    }
    const monthly = items.filter((i) => i['subscription'] !== null);
    expect(monthly.length).toBeGreaterThan(800);
    expect(items.length - monthly.length).toBeGreaterThan(50);
  });

  it('has subscriptions for paying plans with Stripe prices', async () => {
    const { items } = await listAll('/v1/subscriptions');
    expect(items.length).toBeGreaterThan(100);
    expect(items.every((s) => s['status'] !== 'canceled')).toBe(true);
    for (const subscription of items) {
      expect(subscription.id).toMatch(/^sub_/);
      const price = (subscription['items'] as { data: { price: Record<string, unknown> }[] }).data[0]?.price;
      expect(price).toMatchObject({ object: 'price', currency: 'usd', recurring: { interval: 'month' } });
      expect(['starter', 'pro', 'enterprise']).toContain(price?.['nickname']);
      expect(price?.['unit_amount']).toBe(
        { starter: 1900, pro: 4900, enterprise: 19900 }[price?.['nickname'] as string],
      );
      expect(price?.['id']).toMatch(/^price_/);
    }
    const canceled = await listAll('/v1/subscriptions?status=canceled');
    expect(canceled.items.length).toBeGreaterThan(0);
    expect(canceled.items.every((s) => s['status'] === 'canceled')).toBe(true);
    const all = await listAll('/v1/subscriptions?status=all');
    expect(all.items.length).toBe(items.length + canceled.items.length);
  });

  it('is deterministic for a seed', async () => {
    const again = await stripeSandbox.start(createDemoWorld());
    try {
      // The same data for the same seed; credentials are new in every process.
      expect(Object.keys(again.env).sort()).toEqual(Object.keys(sandbox.env).sort());
      expect(again.env['STRIPE_WEBHOOK_SECRET']).not.toBe(sandbox.env['STRIPE_WEBHOOK_SECRET']);
      const headers = { Authorization: `Bearer ${again.env['STRIPE_API_KEY'] ?? ''}` };
      const theirs = await (await fetch(`${again.baseUrl}/v1/invoices?limit=100`, { headers })).text();
      const ours = await list('/v1/invoices?limit=100');
      expect(JSON.parse(theirs)).toEqual(ours);
    } finally {
      await again.close();
    }
  });

  it('exposes the environment for the connector', () => {
    expect(sandbox.env['STRIPE_BASE_URL']).toBe(sandbox.baseUrl);
    expect(sandbox.env['STRIPE_API_KEY']).toMatch(/^sk_test_sandbox_[0-9A-Za-z]{24}$/);
    expect(sandbox.env['STRIPE_WEBHOOK_SECRET']).toMatch(/^whsec_[0-9A-Za-z]{32}$/);
  });
});

describe('lists', () => {
  it('uses Stripe\u2019s envelope and default page size', async () => {
    const { status, body, headers } = await call('/v1/customers');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('stripe-version')).toBe(API_VERSION);
    expect(Object.keys(body as object)).toEqual(['object', 'data', 'has_more', 'url']);
    expect(body).toMatchObject({ object: 'list', url: '/v1/customers', has_more: true });
    expect((body as ListBody).data).toHaveLength(10);
  });

  it('pages back with ending_before', async () => {
    const first = await list('/v1/invoices?limit=5');
    const second = await list(`/v1/invoices?limit=5&starting_after=${first.data.at(-1)?.id ?? ''}`);
    const back = await list(`/v1/invoices?limit=5&ending_before=${second.data[0]?.id ?? ''}`);
    expect(back.data.map((i) => i.id)).toEqual(first.data.map((i) => i.id));
    expect(back.has_more).toBe(false);
  });

  it('filters customers by exact email and invoices by customer and status', async () => {
    const [customer] = (await list('/v1/customers?limit=1')).data;
    const email = String(customer?.['email']);
    const byEmail = await list(`/v1/customers?email=${encodeURIComponent(email)}`);
    expect(byEmail.data.map((c) => c.id)).toEqual([customer?.id]);
    expect((await list(`/v1/customers?email=${encodeURIComponent(email.toUpperCase())}`)).data).toEqual([]);

    const invoices = await listAll(`/v1/invoices?customer=${customer?.id ?? ''}`);
    expect(invoices.items.every((i) => i['customer'] === customer?.id)).toBe(true);
    const open = await listAll('/v1/invoices?status=open');
    expect(open.items.length).toBeGreaterThan(0);
    expect(open.items.every((i) => i['status'] === 'open')).toBe(true);

    const since = (customer?.created ?? 0) - 30 * 86_400;
    const recent = await listAll(`/v1/customers?created[gte]=${since}`);
    expect(recent.items.every((c) => c.created >= since)).toBe(true);
  });

  it('finds customers with search', async () => {
    const customer = (await list('/v1/customers')).data[3];
    const query = encodeURIComponent(`email:'${String(customer?.['email'])}'`);
    const { status, body } = await call(`/v1/customers/search?query=${query}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      object: 'search_result',
      data: [customer],
      has_more: false,
      next_page: null,
      url: '/v1/customers/search',
    });
  });

  it('searches for any of several emails with OR, at most 10 clauses', async () => {
    const customers = (await list('/v1/customers')).data.slice(0, 3);
    const emails = customers.map((c) => String(c['email']));
    const query = encodeURIComponent(emails.map((e) => `email:'${e}'`).join(' OR '));
    const { status, body } = await call(`/v1/customers/search?query=${query}&limit=100`);
    expect(status).toBe(200);
    const found = (body as { data: { email: string }[] }).data.map((c) => c.email);
    expect(new Set(found)).toEqual(new Set(emails));
    const eleven = encodeURIComponent(
      Array.from({ length: 11 }, (_, i) => `email:'p${String(i)}@x.io'`).join(' OR '),
    );
    const refused = await call(`/v1/customers/search?query=${eleven}`);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error: {
        type: 'invalid_request_error',
        param: 'query',
        message: 'A search query can combine at most 10 clauses; this one has 11.',
      },
    });
  });

  it('validates limit like Stripe', async () => {
    for (const [limit, message] of [
      ['0', 'This value must be greater than or equal to 1.'],
      ['101', 'This value must be less than or equal to 100.'],
      ['ten', 'Invalid integer: ten'],
    ] as const) {
      const { status, body } = await call(`/v1/customers?limit=${limit}`);
      expect(status).toBe(400);
      expect(body).toEqual({ error: { message, param: 'limit', type: 'invalid_request_error' } });
    }
  });

  it('rejects an unknown cursor with resource_missing', async () => {
    const { status, body } = await call('/v1/customers?starting_after=cus_doesnotexist00');
    expect(status).toBe(400);
    expect(body).toEqual({
      error: {
        code: 'resource_missing',
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
        message: "No such customer: 'cus_doesnotexist00'",
        param: 'starting_after',
        type: 'invalid_request_error',
      },
    });
  });

  it('rejects unknown parameters', async () => {
    const { status, body } = await call('/v1/customers?page_size=5');
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { param: 'page_size', type: 'invalid_request_error' } });
  });

  it('expands the customer of invoices', async () => {
    const page = await list('/v1/invoices?limit=3&expand[]=data.customer');
    for (const invoice of page.data) expect(invoice['customer']).toMatchObject({ object: 'customer' });
    const one = page.data[0];
    const single = await call(`/v1/invoices/${one?.id ?? ''}?expand[0]=customer&expand[1]=subscription`);
    expect(single.body).toMatchObject({ id: one?.id, customer: one?.['customer'] });
  });
  it('includes a customer’s current subscriptions only when expanded, newest first, on search too', async () => {
    const plain = await list('/v1/customers?limit=100');
    expect(plain.data.every((c) => !('subscriptions' in c))).toBe(true);
    const expanded = await list('/v1/customers?limit=100&expand[]=data.subscriptions');
    let seen = 0;
    for (const customer of expanded.data) {
      const subs = customer['subscriptions'] as ListBody & { total_count: number };
      const all = await listAll(`/v1/subscriptions?customer=${customer.id}&status=all`);
      const current = all.items.filter(
        (s) => s['status'] !== 'canceled' && s['status'] !== 'incomplete_expired',
      );
      expect(subs).toMatchObject({ object: 'list', url: `/v1/customers/${customer.id}/subscriptions` });
      expect(subs.data.map((s) => s.id)).toEqual(current.slice(0, 10).map((s) => s.id));
      expect(subs.has_more).toBe(current.length > 10);
      seen += subs.data.length;
    }
    expect(seen).toBeGreaterThan(0);
    const one = expanded.data.find((c) => (c['subscriptions'] as ListBody).data.length > 0);
    const email = String(one?.['email']);
    const { body } = await call(
      `/v1/customers/search?query=${encodeURIComponent(`email:'${email}'`)}&expand[]=data.subscriptions`,
    );
    const found = (body as ListBody).data.find((c) => c.id === one?.id);
    expect(found?.['subscriptions']).toEqual(one?.['subscriptions']);
    const retrieved = await call(`/v1/customers/${one?.id ?? ''}?expand[]=subscriptions`);
    expect((retrieved.body as Listed)['subscriptions']).toEqual(one?.['subscriptions']);
    const refused = await call('/v1/invoices?limit=1&expand[]=data.subscriptions');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error: {
        type: 'invalid_request_error',
        param: 'expand',
        message: 'This property cannot be expanded (data.subscriptions).',
      },
    });
  });
});

describe('objects and errors', () => {
  it('retrieves a customer, and 404s an unknown one with Stripe\u2019s exact body', async () => {
    const [customer] = (await list('/v1/customers?limit=1')).data;
    expect((await call(`/v1/customers/${customer?.id ?? ''}`)).body).toEqual(customer);
    const missing = await call('/v1/customers/cus_x');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: {
        code: 'resource_missing',
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
        message: "No such customer: 'cus_x'",
        param: 'id',
        type: 'invalid_request_error',
      },
    });
    expect(missing.headers.get('request-id')).toMatch(/^req_[0-9A-Za-z]{14}$/);
    const noInvoice = await call('/v1/invoices/in_x');
    expect(noInvoice.body).toMatchObject({ error: { message: "No such invoice: 'in_x'" } });
  });

  it('shows deleted customers as stubs', async () => {
    const [deleted] = [...sandbox.store.deletedCustomers];
    expect(deleted).toBeDefined();
    const { status, body } = await call(`/v1/customers/${deleted ?? ''}`);
    expect(status).toBe(200);
    expect(body).toEqual({ id: deleted, object: 'customer', deleted: true });
    const invoices = await list(`/v1/invoices?customer=${deleted ?? ''}`);
    expect(invoices.data.length).toBeGreaterThan(0);
  });

  it('authenticates like Stripe', async () => {
    const missing = await call('/v1/customers', { auth: null });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      error: {
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        type: 'invalid_request_error',
      },
    });
    expect(missing.headers.get('request-id')).toMatch(/^req_/);

    const wrong = await call('/v1/customers', { auth: 'Bearer sk_test_abcdefgh1234' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      error: { message: 'Invalid API Key provided: sk_test_********1234', type: 'invalid_request_error' },
    });
    expect(maskApiKey('sk_test_abc123')).toBe('sk_test_**c123');

    const basic = Buffer.from(`${sandbox.apiKey}:`).toString('base64');
    expect((await call('/v1/customers?limit=1', { auth: `Basic ${basic}` })).status).toBe(200);
  });

  it('answers unknown URLs with Stripe\u2019s 404', async () => {
    const { status, body } = await call('/v1/nothing');
    expect(status).toBe(404);
    expect(body).toMatchObject({
      error: { message: expect.stringContaining('Unrecognized request URL (GET: /v1/nothing).') as unknown },
    });
  });
});

describe('stripe-node against the emulator', () => {
  function client(key = sandbox.apiKey): Stripe {
    const url = new URL(sandbox.baseUrl);
    return new Stripe(key, {
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      maxNetworkRetries: 0,
      telemetry: false,
    });
  }

  it('auto-paginates, retrieves with expand, and searches', async () => {
    const stripe = client();
    const customers = await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    expect(customers.length).toBe(sandbox.store.customers.size);
    const [invoice] = (await stripe.invoices.list({ limit: 1, status: 'paid' })).data;
    const expanded = await stripe.invoices.retrieve(invoice?.id ?? '', { expand: ['customer'] });
    expect((expanded.customer as Stripe.Customer).object).toBe('customer');
    const target = customers[17];
    const found = await stripe.customers.search({ query: `email:'${target?.email ?? ''}'` });
    expect(found.data.map((c) => c.id)).toEqual([target?.id]);
    const everyone = await stripe.customers
      .search({ query: `email~'example'`, limit: 100 })
      .autoPagingToArray({ limit: 10_000 });
    expect(everyone.length).toBe(customers.length);
    await expect(stripe.customers.search({ query: `name~'an'` })).rejects.toMatchObject({ param: 'query' });
  });

  it('surfaces Stripe errors as stripe-node error classes', async () => {
    await expect(client().customers.retrieve('cus_missing')).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 404,
      code: 'resource_missing',
      requestId: expect.stringMatching(/^req_/) as unknown,
    });
    await expect(client('sk_test_wrongwrongwrong').customers.list()).rejects.toMatchObject({
      type: 'StripeAuthenticationError',
      statusCode: 401,
    });
    sandbox.faults.inject({ status: 429 });
    await expect(client().customers.list()).rejects.toMatchObject({ type: 'StripeRateLimitError' });
  });
});

describe('counters', () => {
  it('counts requests per endpoint, failed ones included', async () => {
    sandbox.resetCounters();
    const [customer] = (await list('/v1/customers?limit=1')).data;
    await call(`/v1/customers/${customer?.id ?? ''}`);
    await call('/v1/customers/cus_unknown');
    await call('/v1/customers', { auth: null });
    await call('/v1/nope');
    expect(sandbox.counters()).toEqual({
      'GET /v1/customers': 2,
      'GET /v1/customers/:id': 2,
      'GET /v1/nope': 1,
    });
    sandbox.resetCounters();
    expect(sandbox.counters()).toEqual({});
  });
});

describe('faults', () => {
  it('answers 503 once, then recovers', async () => {
    sandbox.faults.inject({ status: 503 });
    const failed = await call('/v1/customers?limit=1');
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ error: { type: 'api_error' } });
    expect(failed.headers.get('stripe-should-retry')).toBe('true');
    expect(failed.headers.get('request-id')).toMatch(/^req_/);
    expect((await call('/v1/customers?limit=1')).status).toBe(200);
  });

  it('rate-limits with Retry-After and Stripe\u2019s body, only where asked', async () => {
    sandbox.faults.inject({ status: 429, retryAfter: 2, times: 2, endpoint: 'GET /v1/invoices' });
    expect((await call('/v1/customers?limit=1')).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const limited = await call('/v1/invoices?limit=1');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('2');
      expect(limited.headers.get('stripe-should-retry')).toBe('true');
      expect(limited.body).toMatchObject({ error: { code: 'rate_limit', type: 'invalid_request_error' } });
    }
    expect((await call('/v1/invoices?limit=1')).status).toBe(200);
  });

  it('resets the connection', async () => {
    sandbox.faults.inject({ reset: true });
    await expect(call('/v1/customers?limit=1')).rejects.toThrow();
    expect((await call('/v1/customers?limit=1')).status).toBe(200);
  });

  it('delays, and sends malformed bodies', async () => {
    sandbox.faults.inject({ delayMs: 120 });
    const started = Date.now();
    expect((await call('/v1/customers?limit=1')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);

    sandbox.faults.inject({ malformed: true });
    const malformed = await call('/v1/customers?limit=1');
    expect(malformed.status).toBe(200);
    expect(malformed.body).not.toMatchObject({ object: 'list', data: expect.any(Array) as unknown });
  });

  it('goes down and comes back', async () => {
    sandbox.faults.down = true;
    await expect(call('/v1/customers?limit=1')).rejects.toThrow();
    sandbox.faults.down = false;
    expect((await call('/v1/customers?limit=1')).status).toBe(200);
  });
});

describe('react', () => {
  let world: DemoWorld;
  let next: () => WorldChange;
  let live: RunningStripeSandbox;
  const stripe = new Stripe('sk_test_x');

  beforeAll(async () => {
    world = createDemoWorld({ seed: 9 });
    next = changesOf(world);
    live = await startStripeSandbox(world);
  });
  afterAll(async () => {
    await live.close();
  });

  async function get(path: string): Promise<unknown> {
    const response = await fetch(`${live.baseUrl}${path}`, {
      headers: { Authorization: `Bearer ${live.apiKey}` },
    });
    expect(response.status).toBe(200);
    return response.json();
  }

  const OBJECT_PATHS: Record<string, string> = {
    customer: '/v1/customers/',
    subscription: '/v1/subscriptions/',
    invoice: '/v1/invoices/',
  };

  /** Verifies every delivery with stripe-node and checks each object's last state against the API. */
  async function verify(change: WorldChange): Promise<Stripe.Event[]> {
    const deliveries = live.react(change, 'http://127.0.0.1:1/webhooks/stripe');
    const events = deliveries.map((delivery) => {
      expect(delivery.headers['Content-Type']).toBe('application/json; charset=utf-8');
      expect(delivery.headers['User-Agent']).toBe('Stripe/1.0 (+https://stripe.com/docs/webhooks)');
      const header = delivery.headers['Stripe-Signature'] ?? '';
      const t = Number(/t=(\d+)/.exec(header)?.[1]);
      expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(5);
      return stripe.webhooks.constructEvent(delivery.body, header, live.webhookSecret);
    });
    const last = new Map<string, { id: string; object: string }>();
    for (const event of events) {
      expect(event).toMatchObject({
        object: 'event',
        api_version: API_VERSION,
        livemode: false,
        pending_webhooks: 1,
        created: change.at,
      });
      expect(event.id).toMatch(/^evt_/);
      const object = event.data.object as unknown as { id: string; object: string };
      last.set(object.id, object);
    }
    for (const object of last.values()) {
      expect(await get(`${OBJECT_PATHS[object.object] ?? '/unknown/'}${object.id}`)).toEqual(object);
    }
    for (const event of events) expect(await get(`/v1/events/${event.id}`)).toEqual(event);
    return events;
  }

  function nextChange(kind: WorldChange['kind'], billing = true): WorldChange {
    for (let i = 0; i < 2000; i++) {
      const change = next();
      if (change.kind === kind && change.person.presence.billing === billing) return change;
      live.react(change, 'http://127.0.0.1:1/webhooks/stripe');
    }
    throw new Error(`no ${kind} change`);
  }

  it('signs customer.created for a newcomer, and the customer is then listed', async () => {
    const change = nextChange('person.joined');
    const [event] = await verify(change);
    expect(event?.type).toBe('customer.created');
    expect(event?.request).toMatchObject({ id: expect.stringMatching(/^req_/) as unknown });
    const customer = event?.data.object as Stripe.Customer;
    expect(customer.email).toBe(change.person.email);
    const byEmail = (await get(`/v1/customers?email=${encodeURIComponent(change.person.email)}`)) as ListBody;
    expect(byEmail.data.map((c) => c.id)).toEqual([customer.id]);
  });

  it('sends customer.updated with previous_attributes', async () => {
    const change = nextChange('person.updated');
    const events = await verify(change);
    expect(events.map((e) => e.type)).toEqual(['customer.updated']);
    const previous = events[0]?.data.previous_attributes as Record<string, unknown>;
    const customer = events[0]?.data.object as Stripe.Customer;
    const person = change.person;
    if ('name' in previous) expect(customer.name).toBe(`${person.firstName} ${person.lastName}`);
    if ('phone' in previous) expect(customer.phone).toBe(person.phone);
    expect(Object.keys(previous).length).toBeGreaterThan(0);
  });

  it('follows plan changes, purchases and failed payments', async () => {
    const changed = await verify(nextChange('plan.changed'));
    expect(changed[0]?.type).toMatch(/^customer\.subscription\.(created|updated)$/);
    expect(changed.slice(1).map((e) => e.type)).toEqual([
      'invoice.created',
      'invoice.finalized',
      'invoice.paid',
    ]);
    const paid = changed[3]?.data.object as Stripe.Invoice;
    expect(paid.status).toBe('paid');
    expect(changed[1]?.data.object).toMatchObject({ status: 'draft', number: null });

    const bought = await verify(nextChange('purchase'));
    expect(bought.map((e) => e.type)).toEqual(['invoice.created', 'invoice.finalized', 'invoice.paid']);

    const failed = await verify(nextChange('payment.failed'));
    expect(failed.map((e) => e.type)).toContain('invoice.payment_failed');
    const invoice = failed.find((e) => e.type === 'invoice.payment_failed')?.data.object as Stripe.Invoice;
    expect(invoice).toMatchObject({ status: 'open', attempted: true, amount_paid: 0 });

    const canceled = await verify(nextChange('plan.canceled'));
    expect(canceled.map((e) => e.type)).toEqual(['customer.subscription.deleted']);
    expect(canceled[0]?.data.object).toMatchObject({ status: 'canceled' });
  });

  it('says nothing for people billing does not know', () => {
    const [someone] = world.people;
    if (someone === undefined) throw new Error('empty world');
    const person: Person = { ...someone, presence: { ...someone.presence, billing: false } };
    expect(
      live.react(
        { kind: 'person.updated', at: Math.floor(Date.now() / 1000), person, changed: ['name'] },
        'x',
      ),
    ).toEqual([]);
  });

  it('keeps working through a long run of changes', async () => {
    for (let i = 0; i < 150; i++) {
      const change = next();
      for (const delivery of live.react(change, 'x')) {
        expect(() =>
          stripe.webhooks.constructEvent(
            delivery.body,
            delivery.headers['Stripe-Signature'] ?? '',
            live.webhookSecret,
          ),
        ).not.toThrow();
      }
    }
    const events = (await get('/v1/events?limit=100&type=invoice.*')) as ListBody;
    expect(events.data.length).toBe(100);
    expect(events.data.every((e) => String(e['type']).startsWith('invoice.'))).toBe(true);
  });
});

describe('startHttpEmulator (the generic server under the Stripe emulator)', () => {
  it('routes with parameters, parses query, form and JSON bodies, and closes promptly', async () => {
    const emulator = await startHttpEmulator({
      name: 'echo',
      errorBody: (status, message) => ({ status, message }),
      requestIdHeader: 'X-Request-Id',
      routes: [
        {
          method: 'POST',
          path: '/things/:id',
          handler: (request) => ({
            status: 201,
            body: {
              id: request.params['id'],
              endpoint: request.endpoint,
              tags: queryList(request.query, 'tag'),
              expand: queryList(request.form ?? new URLSearchParams(), 'expand'),
              json: request.json,
            },
          }),
        },
        {
          method: 'GET',
          path: '/crash',
          handler: () => {
            throw new Error('boom');
          },
        },
      ],
    });
    try {
      const form = await fetch(`${emulator.baseUrl}/things/a%20b?tag=x&tag[]=y&tag[1]=w&tag[0]=z`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'expand[0]=customer&expand[1]=subscription',
      });
      expect(form.status).toBe(201);
      expect(form.headers.get('x-request-id')).toMatch(/^req_/);
      expect(await form.json()).toEqual({
        id: 'a b',
        endpoint: 'POST /things/:id',
        tags: ['x', 'y', 'z', 'w'],
        expand: ['customer', 'subscription'],
      });
      const json = await fetch(`${emulator.baseUrl}/things/1`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ a: [1] }),
      });
      expect(await json.json()).toMatchObject({ json: { a: [1] } });
      const crash = await fetch(`${emulator.baseUrl}/crash`);
      expect(crash.status).toBe(500);
      expect(await crash.json()).toEqual({ status: 500, message: 'echo emulator failed: boom' });
      expect(emulator.counters()).toEqual({ 'POST /things/:id': 2, 'GET /crash': 1 });
    } finally {
      const started = Date.now();
      await emulator.close();
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });
});
