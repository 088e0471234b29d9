import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../../src/connector.ts';
import { createDemoWorld } from '../../../src/sandbox/demo-world.ts';
import type { Person } from '../../../src/sandbox/world.ts';
import {
  ShopifyCustomerPayload,
  ShopifyOrderPayload,
  parseShopifyWebhook,
  verifyShopifyWebhook,
} from '../webhooks.ts';
import { GRAPHQL_ENDPOINT, INVALID_TOKEN, shopifySandbox, startShopifySandbox } from './index.ts';
import type { RunningShopifySandbox } from './index.ts';

let sandbox: RunningShopifySandbox;

interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[] | string | Record<string, string>;
    extensions?: {
      cost?: {
        requestedQueryCost: number;
        actualQueryCost: number | null;
        throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
      };
      search?: unknown;
    };
  };
}

async function post(
  body: string,
  options: { token?: string | null; contentType?: string; version?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  if (options.token !== null) headers['x-shopify-access-token'] = options.token ?? sandbox.accessToken;
  const response = await fetch(`${sandbox.baseUrl}/admin/api/${options.version ?? '2025-10'}/graphql.json`, {
    method: 'POST',
    headers,
    body,
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Answer['body'],
  };
}

const gql = (query: string, variables: Record<string, unknown> = {}) =>
  post(JSON.stringify({ query, variables }));

async function data<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await gql(query, variables);
  expect(answer.status).toBe(200);
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data as T;
}

interface Page<T> {
  edges: { cursor: string; node: T }[];
  nodes?: T[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

beforeAll(async () => {
  sandbox = await startShopifySandbox(createDemoWorld());
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.bucket.reset(2000, 100);
});

describe('seeded data', () => {
  it('has a customer for every commerce person and their past orders, numbered in order', () => {
    const world = createDemoWorld();
    const shoppers = world.people.filter((p) => p.presence.commerce);
    expect(sandbox.store.customers.size).toBe(shoppers.length);
    expect(new Set([...sandbox.store.customers.values()].map((c) => c.email))).toEqual(
      new Set(shoppers.map((p) => p.email)),
    );
    const orders = [...sandbox.store.orders.values()].sort((a, b) => a.number - b.number);
    expect(orders.length).toBeGreaterThan(250);
    expect(orders[0]?.number).toBe(1001);
    orders.forEach((order, i) => {
      const previous = orders[i - 1];
      if (previous !== undefined) {
        expect(order.createdAt).toBeGreaterThanOrEqual(previous.createdAt);
        expect(order.id).toBeGreaterThan(previous.id);
      }
      expect(order.lineItems.length).toBeGreaterThan(0);
      expect(order.createdAt).toBeLessThan(world.epoch);
    });
    expect(orders.some((o) => o.customerId === null)).toBe(true);
    expect(Math.max(...orders.map((o) => o.id))).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });

  it('is deterministic for a seed', async () => {
    const again = await shopifySandbox.start(createDemoWorld());
    try {
      // The same data for the same seed; credentials are new in every process.
      expect(Object.keys(again.env).sort()).toEqual(Object.keys(sandbox.env).sort());
      expect(again.env['SHOPIFY_WEBHOOK_SECRET']).not.toBe(sandbox.env['SHOPIFY_WEBHOOK_SECRET']);
      const query =
        '{ orders(first: 50, sortKey: CREATED_AT) { edges { cursor node { id name createdAt } } } }';
      const theirs = await fetch(`${again.baseUrl}/admin/api/2025-10/graphql.json`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-access-token': again.env['SHOPIFY_ACCESS_TOKEN'] ?? '',
        },
        body: JSON.stringify({ query }),
      });
      const ours = await gql(query);
      expect(((await theirs.json()) as Answer['body']).data).toEqual(ours.body.data);
    } finally {
      await again.close();
    }
  });

  it('exposes the environment for the connector', () => {
    expect(sandbox.env).toEqual({
      SHOPIFY_BASE_URL: sandbox.baseUrl,
      SHOPIFY_SHOP_DOMAIN: 'switchyard-demo.myshopify.com',
      SHOPIFY_ACCESS_TOKEN: expect.stringMatching(/^shpat_[0-9a-f]{32}$/) as unknown,
      SHOPIFY_API_VERSION: '2025-10',
      SHOPIFY_WEBHOOK_SECRET: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });
  });
});

describe('the GraphQL Admin endpoint', () => {
  it('authenticates with X-Shopify-Access-Token only, as Shopify does', async () => {
    for (const token of [null, 'shpat_wrong']) {
      const answer = await post('{"query":"{ shop { name } }"}', { token });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ errors: INVALID_TOKEN });
    }
    const bearer = await fetch(`${sandbox.baseUrl}/admin/api/2025-10/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sandbox.accessToken}` },
      body: '{"query":"{ shop { name } }"}',
    });
    expect(bearer.status).toBe(401);
    const ok = await gql('{ shop { name myshopifyDomain currencyCode } }');
    expect(ok.body.data).toEqual({
      shop: {
        name: 'Switchyard Demo',
        myshopifyDomain: 'switchyard-demo.myshopify.com',
        currencyCode: 'USD',
      },
    });
    expect(ok.headers.get('x-shopify-api-version')).toBe('2025-10');
    expect(ok.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown paths and versions with Shopify’s 404, and a missing query with its 400', async () => {
    const unknown = await fetch(`${sandbox.baseUrl}/admin/api/2025-10/orders.json`, {
      headers: { 'x-shopify-access-token': sandbox.accessToken },
    });
    expect([unknown.status, await unknown.json()]).toEqual([404, { errors: 'Not Found' }]);
    expect((await post('{"query":"{ shop { name } }"}', { version: '2025-11' })).status).toBe(404);
    expect(await post('{}')).toMatchObject({
      status: 400,
      body: { errors: { query: 'Required parameter missing or invalid' } },
    });
  });

  it('takes application/graphql bodies, and answers invalid documents with 200 and errors', async () => {
    const raw = await post('{ shop { name } }', { contentType: 'application/graphql' });
    expect(raw.body.data).toEqual({ shop: { name: 'Switchyard Demo' } });
    const invalid = await gql('{ shop { nope } }');
    expect(invalid.status).toBe(200);
    expect(invalid.body.errors).toEqual([
      {
        message: 'Cannot query field "nope" on type "Shop". Did you mean "name"?',
        locations: [{ line: 1, column: 10 }],
      },
    ]);
  });

  it('reports costs by Shopify’s rules and charges the actual cost to the bucket', async () => {
    const phones = await gql('{ customers(first: 10) { nodes { phone } } }');
    // Shopify's own debug output for this query: connection 2 + 10 × 1.
    expect(phones.body.extensions?.cost).toEqual({
      requestedQueryCost: 12,
      actualQueryCost: 12,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1988, restoreRate: 100 },
    });
    const nested = await gql(
      '{ orders(first: 10) { edges { node { id lineItems(first: 5) { nodes { sku } } } } } }',
    );
    const cost = nested.body.extensions?.cost;
    expect(cost?.requestedQueryCost).toBe(2 + 10 * (1 + 2 + 5));
    expect(cost?.actualQueryCost).toBeLessThan(cost?.requestedQueryCost ?? 0);
    const none = await gql('{ orders(first: 50, query: "email:nobody@nowhere.example") { nodes { id } } }');
    expect(none.body.extensions?.cost).toMatchObject({ requestedQueryCost: 52, actualQueryCost: 2 });
    const byId = await gql(
      'query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Order { customer { id } } } }',
      {
        ids: ['gid://shopify/Order/1', 'gid://shopify/Customer/2', 'gid://shopify/Shop/1'],
      },
    );
    expect(byId.body.extensions?.cost?.requestedQueryCost).toBe(3 * 2);
  });

  it('refuses a query above 1000 points with MAX_COST_EXCEEDED, without charging for it', async () => {
    const answer = await gql(
      '{ orders(first: 250) { nodes { id lineItems(first: 250) { nodes { id } } } } }',
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      errors: [
        {
          message: expect.stringMatching(
            /^Query cost is 63252, which exceeds the single query max cost limit \(1000\)\.\n\nSee /,
          ) as unknown,
          extensions: {
            code: 'MAX_COST_EXCEEDED',
            cost: 63252,
            maxCost: 1000,
            documentation: 'https://shopify.dev/api/usage/rate-limits',
          },
        },
      ],
    });
    expect(sandbox.bucket.status().currentlyAvailable).toBe(2000);
  });

  it('answers THROTTLED with HTTP 200 and the cost data to wait by, when the bucket runs dry', async () => {
    sandbox.bucket.set({ currentlyAvailable: 0, restoreRate: 1, maximumAvailable: 1000 });
    const answer = await gql('{ orders(first: 10) { nodes { id } } }');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('retry-after')).toBeNull();
    expect(answer.body).toEqual({
      errors: [
        {
          message: 'Throttled',
          extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
        },
      ],
      extensions: {
        cost: {
          requestedQueryCost: 12,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 0, restoreRate: 1 },
        },
      },
    });
  });

  it('answers an injected 429 as the REST limiter does, with a decimal Retry-After', async () => {
    sandbox.faults.inject({ endpoint: GRAPHQL_ENDPOINT, status: 429 });
    const answer = await gql('{ shop { name } }');
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('2.0');
    expect(answer.body).toEqual({
      errors:
        'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
    });
  });

  it('counts requests per endpoint and per root field', async () => {
    sandbox.resetCounters();
    await gql('{ shop { name } orders(first: 1) { nodes { id } } }');
    await gql('{ shop { name } }');
    expect(sandbox.counters()).toEqual({ [GRAPHQL_ENDPOINT]: 2, 'QueryRoot.shop': 2, 'QueryRoot.orders': 1 });
  });
});

describe('connections', () => {
  const ORDERS = `query ($first: Int, $after: String, $last: Int, $before: String, $reverse: Boolean, $sortKey: OrderSortKeys, $query: String) {
    orders(first: $first, after: $after, last: $last, before: $before, reverse: $reverse, sortKey: $sortKey, query: $query) {
      edges { cursor node { id name createdAt } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`;
  type OrderPage = Page<{ id: string; name: string; createdAt: string }>;
  const orders = async (variables: Record<string, unknown>) =>
    (await data<{ orders: OrderPage }>(ORDERS, variables)).orders;

  it('walks every order with after cursors, with Shopify’s keyset cursors', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: OrderPage = await orders({ first: 100, after, sortKey: 'CREATED_AT', reverse: true });
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(sandbox.store.orders.size);
    expect(new Set(seen).size).toBe(seen.length);
    const first = await orders({ first: 1, sortKey: 'CREATED_AT', reverse: true });
    const cursor = JSON.parse(
      Buffer.from(first.edges[0]?.cursor ?? '', 'base64').toString('utf8'),
    ) as unknown;
    expect(cursor).toEqual({
      last_id: Number(first.edges[0]?.node.id.split('/').pop()),
      last_value: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.000000$/) as unknown,
    });
  });

  it('pages backwards with last and before', async () => {
    const forward = await orders({ first: 10 });
    const next = await orders({ first: 10, after: forward.pageInfo.endCursor });
    const back = await orders({ last: 10, before: next.pageInfo.startCursor });
    expect(back.edges.map((e) => e.node.id)).toEqual(forward.edges.map((e) => e.node.id));
    expect(back.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('refuses a connection without first or last, and a cursor it did not issue', async () => {
    const noSize = await gql('{ orders { nodes { id } } }');
    expect(noSize.body.errors).toEqual([
      expect.objectContaining({
        message: 'you must provide one of first or last',
        extensions: { code: 'BAD_REQUEST' },
      }),
    ]);
    const badCursor = await gql('{ orders(first: 1, after: "bm9wZQ==") { nodes { id } } }');
    expect(badCursor.body.errors).toEqual([
      expect.objectContaining({ message: 'Invalid cursor for current pagination sort.' }),
    ]);
  });

  it('filters with Shopify’s search syntax', async () => {
    const customers = [...sandbox.store.customers.values()];
    const [a, b] = customers;
    const two = await data<{ customers: { nodes: { email: string }[] } }>(
      'query ($q: String) { customers(first: 10, query: $q) { nodes { email } } }',
      { q: `email:"${a?.email?.toUpperCase() ?? ''}" OR email:'${b?.email ?? ''}'` },
    );
    expect(two.customers.nodes.map((c) => c.email).sort()).toEqual([a?.email, b?.email].sort());

    const refunded = await orders({ first: 250, query: 'financial_status:refunded' });
    expect(refunded.edges.length).toBe(
      [...sandbox.store.orders.values()].filter((o) => o.financialStatus === 'REFUNDED').length,
    );
    const notRefunded = await orders({
      first: 250,
      query: '-financial_status:refunded created_at:>2025-06-01',
    });
    for (const { node } of notRefunded.edges) expect(node.createdAt > '2025-06-01').toBe(true);

    const guest = [...sandbox.store.orders.values()].find((o) => o.customerId === null);
    const mixed = await orders({
      first: 10,
      query: `(name:${String(guest?.number)} OR name:#1001) AND -sku:NOPE`,
    });
    expect(mixed.edges.map((e) => e.node.name).sort()).toEqual(['#1001', `#${String(guest?.number)}`].sort());

    const unknown = await gql('{ orders(first: 1, query: "colour:blue") { nodes { id } } }');
    expect(unknown.body.extensions?.search).toEqual([
      {
        path: ['orders'],
        query: 'colour:blue',
        warnings: [
          { field: 'colour', message: 'Invalid search field for this query.', code: 'invalid_field' },
        ],
      },
    ]);
  });

  it('answers nodes() in input order, null for unknown ids, and refuses an invalid global id', async () => {
    const [order] = [...sandbox.store.orders.values()];
    const [customer] = [...sandbox.store.customers.values()];
    const found = await data<{ nodes: ({ __typename: string; id: string } | null)[] }>(
      'query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }',
      {
        ids: [
          `gid://shopify/Customer/${String(customer?.id)}`,
          'gid://shopify/Order/1',
          `gid://shopify/Order/${String(order?.id)}`,
        ],
      },
    );
    expect(found.nodes).toEqual([
      { __typename: 'Customer', id: `gid://shopify/Customer/${String(customer?.id)}` },
      null,
      { __typename: 'Order', id: `gid://shopify/Order/${String(order?.id)}` },
    ]);
    const invalid = await gql('{ nodes(ids: ["42"]) { id } }');
    expect(invalid.body.errors).toEqual([
      expect.objectContaining({
        message: "Invalid global id '42'",
        extensions: { code: 'argumentLiteralsIncompatible', typeName: 'CoercionError' },
      }),
    ]);
  });
});

describe('webhooks', () => {
  const person = (overrides: Partial<Person> = {}): Person => ({
    id: 'per_8001',
    firstName: 'Ada',
    lastName: 'Park',
    email: 'ada.park.emulator@example.com',
    phone: '+14155550123',
    company: null,
    plan: 'free',
    createdAt: 1_767_225_600,
    presence: { billing: true, crm: true, support: true, commerce: true, app: true },
    ...overrides,
  });

  const asRequest = (delivery: { headers: Record<string, string>; body: string }): WebhookRequest => ({
    method: 'POST',
    url: 'http://localhost/webhooks/shopify',
    headers: Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [k.toLowerCase(), v])),
    rawBody: Buffer.from(delivery.body),
  });

  it('sends REST-shaped, signed deliveries the connector accepts, and changes its data with them', () => {
    const joined = sandbox.react({ kind: 'person.joined', at: 1_767_226_000, person: person() }, '');
    const purchase = sandbox.react(
      {
        kind: 'purchase',
        at: 1_767_227_000,
        person: person(),
        orderId: 'ord_000999',
        currency: 'usd',
        items: [{ sku: 'SKU-STICKERS', title: 'Sticker Pack', quantity: 3, unitAmount: 600 }],
        amount: 1800,
      },
      '',
    );
    const updated = sandbox.react(
      { kind: 'person.updated', at: 1_767_228_000, person: person({ lastName: 'Kim' }), changed: ['name'] },
      '',
    );
    const ignored = sandbox.react(
      { kind: 'plan.canceled', at: 1_767_229_000, person: person(), from: 'pro' },
      '',
    );
    const all = [...joined, ...purchase, ...updated, ...ignored];
    expect(all.map((d) => d.headers['X-Shopify-Topic'])).toEqual([
      'customers/create',
      'orders/create',
      'orders/paid',
      'customers/update',
    ]);
    for (const delivery of all) {
      expect(delivery.headers).toMatchObject({
        'Content-Type': 'application/json',
        'X-Shopify-Shop-Domain': 'switchyard-demo.myshopify.com',
        'X-Shopify-API-Version': '2025-10',
        'X-Shopify-Webhook-Id': expect.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        ) as unknown,
      });
      expect(Date.now() - Date.parse(delivery.headers['X-Shopify-Triggered-At'] ?? '')).toBeLessThan(60_000);
      const request = asRequest(delivery);
      expect(() => verifyShopifyWebhook(request, sandbox.webhookSecret, new Date())).not.toThrow();
      expect(parseShopifyWebhook(request)).toHaveLength(1);
    }
    const created = JSON.parse(purchase[0]?.body ?? '{}') as Record<string, unknown>;
    const paid = JSON.parse(purchase[1]?.body ?? '{}') as Record<string, unknown>;
    expect(ShopifyOrderPayload.parse(created)).toMatchObject({
      financial_status: 'pending',
      total_price: '18.00',
      currency: 'USD',
    });
    expect(paid).toMatchObject({
      id: created['id'],
      financial_status: 'paid',
      order_number: expect.any(Number) as unknown,
    });
    expect(paid['line_items']).toEqual([
      expect.objectContaining({ title: 'Sticker Pack', quantity: 3, sku: 'SKU-STICKERS', price: '6.00' }),
    ]);
    expect(ShopifyCustomerPayload.parse(JSON.parse(updated[0]?.body ?? '{}'))).toMatchObject({
      email: 'ada.park.emulator@example.com',
      last_name: 'Kim',
    });
    const order = sandbox.store.orders.get(created['id'] as number);
    expect(order?.financialStatus).toBe('PAID');
    expect(sandbox.store.customers.get(order?.customerId ?? 0)?.lastName).toBe('Kim');
  });

  it('ignores people who do not shop', () => {
    const browser = person({
      id: 'per_8002',
      email: 'no.shop@example.com',
      presence: { billing: true, crm: true, support: true, commerce: false, app: true },
    });
    expect(sandbox.react({ kind: 'person.joined', at: 1_767_226_000, person: browser }, '')).toEqual([]);
  });
});
