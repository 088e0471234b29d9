import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, NO_RESPONSE_CACHE, startTestGateway } from '../../test/helpers/gateway.ts';
import type { TestGateway } from '../../test/helpers/gateway.ts';
import { toGlobalId } from '../../src/node-id.ts';
import type { Person, WorldChange } from '../../src/sandbox/world.ts';
import { LINE_ITEMS_BATCH_SIZE } from './client.ts';
import { GRAPHQL_ENDPOINT } from './sandbox/index.ts';
import type { RunningShopifySandbox } from './sandbox/index.ts';
import type { StoredCustomer } from './sandbox/objects.ts';

let t: TestGateway;
let shop: RunningShopifySandbox;

beforeAll(async () => {
  t = await startTestGateway(NO_RESPONSE_CACHE);
  const found = t.gateway.sources.find((s) => s.name === 'shopify')?.sandbox;
  if (!found) throw new Error('the shopify sandbox did not start');
  shop = found as RunningShopifySandbox;
});
afterAll(() => t.close());
beforeEach(() => {
  shop.faults.clear();
  shop.bucket.reset(2000, 100);
  shop.resetCounters();
});

interface OrderNode {
  id: string;
  sourceId: string;
  name: string;
  email: string | null;
  financialStatus: string | null;
  totalPrice: { amount: string; currencyCode: string };
  customer: {
    id: string;
    sourceId: string;
    email: string | null;
    name: string | null;
    numberOfOrders: number | null;
  } | null;
  lineItems?: { title: string; quantity: number; sku: string | null; unitPrice: { amount: string } | null }[];
}
interface OrdersData {
  orders: {
    edges: { cursor: string; node: OrderNode }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  };
}

const ORDERS = `query ($first: Int, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query) {
    edges { cursor node { id sourceId name email financialStatus totalPrice { amount currencyCode }
      customer { id sourceId email name numberOfOrders } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

const ORDERS_WITH_LINES = `query ($first: Int) {
  orders(first: $first) {
    edges { node { id sourceId name customer { id sourceId email }
      lineItems { title quantity sku unitPrice { amount currencyCode } } } }
  }
}`;

async function orders(first: number, after?: string | null, query?: string): Promise<OrdersData['orders']> {
  const result = await t.graphql<OrdersData>(ORDERS, { first, after, query });
  expect(result.errors).toBeUndefined();
  if (!result.data) throw new Error('no data');
  return result.data.orders;
}

const calls = () => shop.counters()[GRAPHQL_ENDPOINT] ?? 0;

/** The demo-world person behind a seeded customer, for world changes. */
function personOf(customer: StoredCustomer): Person {
  return {
    id: customer.personId ?? 'per_test',
    firstName: customer.firstName ?? 'Test',
    lastName: customer.lastName ?? 'Person',
    email: customer.email ?? 'test@example.com',
    phone: customer.phone,
    company: null,
    plan: 'free',
    createdAt: customer.createdAt,
    presence: { billing: true, crm: true, support: true, commerce: true, app: true },
  };
}

const byEmailQuery = (count: number) =>
  `query (${Array.from({ length: count }, (_, i) => `$e${i}: String!`).join(', ')}) {\n` +
  Array.from(
    { length: count },
    (_, i) => `  c${i}: commerceCustomerByEmail(email: $e${i}) { id sourceId email }`,
  ).join('\n') +
  '\n}';

describe('commerce queries against the Shopify emulator', () => {
  it('batches: 100 orders with their customers cost one orders query', async () => {
    const page = await orders(100);
    expect(page.edges).toHaveLength(100);
    expect(shop.counters()).toEqual({ [GRAPHQL_ENDPOINT]: 1, 'QueryRoot.orders': 1 });
    const customers = page.edges.map((e) => e.node.customer);
    const distinct = new Set(customers.filter((c) => c !== null).map((c) => c.id));
    expect(distinct.size).toBeGreaterThan(50);
    for (const { node } of page.edges) {
      expect(node.sourceId).toMatch(/^gid:\/\/shopify\/Order\/\d+$/);
      expect(node.id).toBe(toGlobalId('Order', node.sourceId));
      expect(node.name).toMatch(/^#\d{4}$/);
      expect(node.totalPrice.currencyCode).toBe('USD');
      expect(node.totalPrice.amount).toMatch(/^\d+\.\d{2}$/);
      if (node.customer !== null) {
        expect(node.customer.sourceId).toMatch(/^gid:\/\/shopify\/Customer\/\d+$/);
        expect(node.customer.id).toBe(toGlobalId('CommerceCustomer', node.customer.sourceId));
        expect(node.customer.email).toBe(node.email);
        expect(node.customer.numberOfOrders).toBeGreaterThan(0);
      }
    }
    // Newest first.
    const created = page.edges.map(
      (e) => shop.store.orders.get(Number(e.node.sourceId.split('/').pop()))?.createdAt ?? 0,
    );
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });

  it('reads the line items of 100 orders in ceil(100 / batch) cost-sized nodes() reads, none repeated', async () => {
    const result = await t.graphql<OrdersData>(ORDERS_WITH_LINES, { first: 100 });
    expect(result.errors).toBeUndefined();
    const edges = result.data?.orders.edges ?? [];
    expect(edges).toHaveLength(100);
    const batches = Math.ceil(100 / LINE_ITEMS_BATCH_SIZE);
    expect(shop.counters()).toEqual({
      [GRAPHQL_ENDPOINT]: 1 + batches,
      'QueryRoot.orders': 1,
      'QueryRoot.nodes': batches,
    });
    for (const { node } of edges) {
      const stored = shop.store.orders.get(Number(node.sourceId.split('/').pop()));
      expect(stored).toBeDefined();
      expect(node.lineItems?.map((l) => [l.title, l.quantity, l.sku])).toEqual(
        stored?.lineItems.map((l) => [l.title, l.quantity, l.sku]),
      );
      for (const line of node.lineItems ?? []) expect(line.unitPrice?.amount).toMatch(/^\d+\.\d{2}$/);
    }
  });

  it('looks up 100 customers by email (any case) in one search query, null for nobody', async () => {
    const customers = [...shop.store.customers.values()].slice(0, 99);
    const emails = [
      ...customers.map((c, i) => (i % 2 === 0 ? (c.email ?? '').toUpperCase() : (c.email ?? ''))),
      'nobody@nowhere.example',
    ];
    const variables = Object.fromEntries(emails.map((e, i) => [`e${i}`, e]));
    const result = await t.graphql<Record<string, { id: string; sourceId: string; email: string } | null>>(
      byEmailQuery(100),
      variables,
    );
    expect(result.errors).toBeUndefined();
    const found = Object.values(result.data ?? {});
    expect(found).toHaveLength(100);
    customers.forEach((c, i) =>
      expect(found[i]).toEqual({
        id: toGlobalId('CommerceCustomer', `gid://shopify/Customer/${c.id}`),
        sourceId: `gid://shopify/Customer/${c.id}`,
        email: c.email,
      }),
    );
    expect(found[99]).toBeNull();
    expect(shop.counters()).toEqual({ [GRAPHQL_ENDPOINT]: 1, 'QueryRoot.customers': 1 });
  });

  it('pages with opaque cursors, with no overlap between pages', async () => {
    const page1 = await orders(30);
    expect(page1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const page2 = await orders(30, page1.pageInfo.endCursor);
    expect(page2.pageInfo.hasPreviousPage).toBe(true);
    const ids1 = page1.edges.map((e) => e.node.id);
    const ids2 = page2.edges.map((e) => e.node.id);
    expect(ids2).toHaveLength(30);
    expect(ids1.filter((id) => ids2.includes(id))).toEqual([]);
    const both = await orders(60);
    expect(both.edges.map((e) => e.node.id)).toEqual([...ids1, ...ids2]);
    expect(page1.pageInfo.endCursor).not.toMatch(/last_id/);
  });

  it('passes Shopify search syntax through', async () => {
    const refunded = await orders(100, null, 'financial_status:refunded');
    expect(refunded.edges.length).toBeGreaterThan(0);
    expect(refunded.edges.every((e) => e.node.financialStatus === 'REFUNDED')).toBe(true);
    const someone = [...shop.store.customers.values()][5];
    const theirs = await orders(50, null, `email:${someone?.email ?? ''}`);
    expect(theirs.edges.every((e) => e.node.email === someone?.email)).toBe(true);
  });

  it('serves a customer with their orders, and an order by gid or number', async () => {
    const busy = [...shop.store.customers.values()].find((c) => shop.store.numberOfOrders(c.id) >= 2);
    if (busy === undefined) throw new Error('no customer with two orders');
    const gid = `gid://shopify/Customer/${busy.id}`;
    const result = await t.graphql<{
      commerceCustomer: {
        id: string;
        sourceId: string;
        name: string;
        numberOfOrders: number;
        amountSpent: { amount: string };
        orders: { edges: { node: { id: string; sourceId: string; customer: { id: string } } }[] };
      };
    }>(
      `query ($id: ID!) { commerceCustomer(id: $id) { id sourceId name numberOfOrders amountSpent { amount }
        orders(first: 10) { edges { node { id sourceId customer { id } } } } } }`,
      { id: gid },
    );
    expect(result.errors).toBeUndefined();
    const customer = result.data?.commerceCustomer;
    expect(customer?.sourceId).toBe(gid);
    expect(customer?.id).toBe(toGlobalId('CommerceCustomer', gid));
    expect(customer?.name).toBe(`${busy.firstName ?? ''} ${busy.lastName ?? ''}`);
    expect(customer?.numberOfOrders).toBe(shop.store.numberOfOrders(busy.id));
    expect(customer?.orders.edges).toHaveLength(shop.store.numberOfOrders(busy.id));
    for (const { node } of customer?.orders.edges ?? []) expect(node.customer.id).toBe(customer?.id);

    const [first] = customer?.orders.edges ?? [];
    expect(first?.node.sourceId).toMatch(/^gid:\/\/shopify\/Order\/\d+$/);
    const numeric = first?.node.sourceId.split('/').pop() ?? '';
    const byNumber = await t.graphql<{ order: { id: string; sourceId: string } | null }>(
      `{ order(id: "${numeric}") { id sourceId } }`,
    );
    expect(byNumber.data?.order).toEqual({ id: first?.node.id, sourceId: first?.node.sourceId });
  });

  it('resolves a missing order or customer to null, and refuses a malformed id before calling Shopify', async () => {
    const missing = await t.graphql(
      '{ order(id: "gid://shopify/Order/1") { id } commerceCustomer(id: "2") { id } commerceCustomerByEmail(email: "nobody@nowhere.example") { id } }',
    );
    expect(missing).toEqual({ data: { order: null, commerceCustomer: null, commerceCustomerByEmail: null } });
    shop.resetCounters();
    const malformed = await t.graphql('{ order(id: "gid://shopify/Customer/1") { id } }');
    expect(malformed.errors?.[0]).toMatchObject({
      message: 'Argument "id" is not a Shopify Order id: pass gid://shopify/Order/<number> or the number.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const tooMany = await t.graphql(ORDERS, { first: 101 });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const badCursor = await t.graphql(ORDERS, { first: 5, after: 'bm9wZQ' });
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(shop.counters()).toEqual({});
  });

  it('refetches orders and customers through node(id), and takes either id form in order and commerceCustomer', async () => {
    const listed = (await orders(20)).edges.map((e) => e.node).find((o) => o.customer !== null);
    const buyer = listed?.customer;
    if (listed === undefined || !buyer) throw new Error('no order with a customer');
    shop.resetCounters();

    const NODE = `query ($id: ID!) { node(id: $id) { __typename id
      ... on Order { sourceId name email customer { id } }
      ... on CommerceCustomer { sourceId email displayName: name } } }`;
    expect(await t.graphql(NODE, { id: listed.id })).toEqual({
      data: {
        node: {
          __typename: 'Order',
          id: listed.id,
          sourceId: listed.sourceId,
          name: listed.name,
          email: listed.email,
          customer: { id: buyer.id },
        },
      },
    });
    expect(await t.graphql(NODE, { id: buyer.id })).toEqual({
      data: {
        node: {
          __typename: 'CommerceCustomer',
          id: buyer.id,
          sourceId: buyer.sourceId,
          email: buyer.email,
          displayName: buyer.name,
        },
      },
    });
    // One nodes() read each.
    expect(shop.counters()).toEqual({ [GRAPHQL_ENDPOINT]: 2, 'QueryRoot.nodes': 2 });

    shop.resetCounters();
    const forms = await t.graphql(
      `query ($global: ID!, $gid: ID!, $number: ID!, $customerGlobal: ID!, $customerGid: ID!, $customerNumber: ID!) {
        byGlobal: order(id: $global) { id sourceId }
        byGid: order(id: $gid) { id sourceId }
        byNumber: order(id: $number) { id sourceId }
        customerByGlobal: commerceCustomer(id: $customerGlobal) { id sourceId }
        customerByGid: commerceCustomer(id: $customerGid) { id sourceId }
        customerByNumber: commerceCustomer(id: $customerNumber) { id sourceId }
      }`,
      {
        global: listed.id,
        gid: listed.sourceId,
        number: listed.sourceId.split('/').pop(),
        customerGlobal: buyer.id,
        customerGid: buyer.sourceId,
        customerNumber: buyer.sourceId.split('/').pop(),
      },
    );
    const order = { id: listed.id, sourceId: listed.sourceId };
    const customer = { id: buyer.id, sourceId: buyer.sourceId };
    expect(forms).toEqual({
      data: {
        byGlobal: order,
        byGid: order,
        byNumber: order,
        customerByGlobal: customer,
        customerByGid: customer,
        customerByNumber: customer,
      },
    });
    // Every form names the same key: one nodes() read per type.
    expect(shop.counters()).toEqual({ [GRAPHQL_ENDPOINT]: 2, 'QueryRoot.nodes': 2 });

    // Unknown ids are null; a global id of the other type is refused before calling Shopify.
    shop.resetCounters();
    const unknown = await t.graphql(
      `query ($order: ID!, $customer: ID!) {
        order(id: $order) { id } commerceCustomer(id: $customer) { id }
        a: node(id: $order) { id } b: node(id: $customer) { id } }`,
      {
        order: toGlobalId('Order', 'gid://shopify/Order/1'),
        customer: toGlobalId('CommerceCustomer', 'gid://shopify/Customer/2'),
      },
    );
    expect(unknown).toEqual({ data: { order: null, commerceCustomer: null, a: null, b: null } });
    expect(shop.counters()).toEqual({ [GRAPHQL_ENDPOINT]: 2, 'QueryRoot.nodes': 2 });
    shop.resetCounters();
    const crossed = await t.graphql('query ($id: ID!) { order(id: $id) { id } }', { id: buyer.id });
    expect(crossed.errors?.[0]).toMatchObject({
      message: 'Argument "id" is not a Shopify Order id: pass gid://shopify/Order/<number> or the number.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(shop.counters()).toEqual({});
  });
});

describe('Shopify failures map to the error vocabulary, with partial results', () => {
  it('UPSTREAM_UNAVAILABLE after retries on 5xx, while the rest of the answer stands', async () => {
    shop.faults.inject({ endpoint: GRAPHQL_ENDPOINT, status: 503, times: 10 });
    const result = await t.graphql('{ gateway { mode } order(id: "1") { id } }');
    expect(result.data).toEqual({ gateway: { mode: 'SANDBOX' }, order: null });
    expect(result.errors?.[0]).toMatchObject({
      path: ['order'],
      extensions: { code: 'UPSTREAM_UNAVAILABLE', source: 'shopify', upstreamStatus: 503 },
    });
    expect(result.errors?.[0]?.message).toMatch(/^Shopify failed with HTTP 503/);
    expect(calls()).toBe(4);
  });

  it('retries a transient failure and succeeds', async () => {
    shop.faults.inject({ endpoint: GRAPHQL_ENDPOINT, status: 502, times: 1 });
    const page = await orders(1);
    expect(page.edges).toHaveLength(1);
    expect(calls()).toBe(2);
  });

  it('UPSTREAM_RATE_LIMITED when 429s outlast the retries', async () => {
    shop.faults.inject({ endpoint: GRAPHQL_ENDPOINT, status: 429, retryAfter: 0, times: 10 });
    const result = await t.graphql(ORDERS, { first: 1 });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_RATE_LIMITED',
      source: 'shopify',
    });
  });

  it('waits out a THROTTLED answer for as long as the cost data says, then succeeds', async () => {
    shop.bucket.set({ currentlyAvailable: 0, restoreRate: 1000 });
    const page = await orders(5);
    expect(page.edges).toHaveLength(5);
    expect(shop.counters()).toEqual({ [GRAPHQL_ENDPOINT]: 2, 'QueryRoot.orders': 2 });
  });

  it('UPSTREAM_RATE_LIMITED at once when the bucket cannot refill within the deadline', async () => {
    shop.bucket.set({ currentlyAvailable: 0, restoreRate: 1 });
    const started = Date.now();
    const result = await t.graphql(ORDERS, { first: 5 });
    expect(result.errors?.[0]).toMatchObject({
      path: ['orders'],
      extensions: { code: 'UPSTREAM_RATE_LIMITED', source: 'shopify', upstreamCode: 'THROTTLED' },
    });
    expect(result.errors?.[0]?.message).toMatch(/query-cost bucket would not refill in time/);
    expect(calls()).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('UPSTREAM_BAD_RESPONSE for a body that breaks the API contract', async () => {
    shop.faults.inject({ endpoint: GRAPHQL_ENDPOINT, malformed: true, times: 1 });
    const result = await t.graphql(ORDERS, { first: 1 });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_BAD_RESPONSE',
      source: 'shopify',
    });
    expect(result.errors?.[0]?.message).toMatch(
      /^Shopify answered orders\.list with a body the gateway does not understand/,
    );
  });

  it('names the token when Shopify refuses the credentials', async () => {
    shop.faults.inject({ endpoint: GRAPHQL_ENDPOINT, status: 401, times: 1 });
    const result = await t.graphql(ORDERS, { first: 1 });
    expect(result.errors?.[0]).toMatchObject({
      message:
        "Shopify rejected the gateway's credentials (401): [API] Invalid API key or access token (unrecognized login or wrong password). Check SHOPIFY_ACCESS_TOKEN.",
      extensions: { code: 'UPSTREAM_UNAVAILABLE', source: 'shopify', upstreamStatus: 401 },
    });
    expect(calls()).toBe(1);
  });
});

const EVENTS = `subscription ($after: String, $filter: EventFilter) {
  events(after: $after, filter: $filter) { id source type subject { kind id email } data }
}`;

interface ShopifyEvent {
  events: {
    id: string;
    source: string;
    type: string;
    subject: { kind: string; id: string; email: string | null };
    data: unknown;
  };
}

async function lastCursor(): Promise<string> {
  const result = await t.graphql<{ latestEventCursor: string }>('{ latestEventCursor }');
  return result.data?.latestEventCursor ?? '';
}

async function storedShopifyEvents(): Promise<number> {
  const result = await t.graphql<{ events: { edges: unknown[] } }>(
    '{ events(first: 500, filter: { sources: ["shopify"] }) { edges { cursor } } }',
  );
  return result.data?.events.edges.length ?? 0;
}

async function post(delivery: { headers: Record<string, string>; body: string }) {
  const response = await fetch(`${t.url}/webhooks/shopify`, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

let seq = 0;
/** A customers/update delivery signed with the sandbox's secret, as Shopify would send it. */
function customerDelivery(
  options: { secret?: string; triggeredAt?: string; topic?: string; body?: string } = {},
) {
  seq++;
  const body =
    options.body ??
    JSON.stringify({
      id: 7_000_000_000_000 + seq,
      email: `w${seq}@example.com`,
      first_name: 'Webhook',
      last_name: `Test ${seq}`,
      admin_graphql_api_id: `gid://shopify/Customer/${7_000_000_000_000 + seq}`,
      updated_at: new Date().toISOString(),
    });
  const signature = createHmac('sha256', options.secret ?? shop.webhookSecret)
    .update(body)
    .digest('base64');
  return {
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': options.topic ?? 'customers/update',
      'x-shopify-hmac-sha256': signature,
      'x-shopify-shop-domain': shop.shopDomain,
      'x-shopify-api-version': '2025-10',
      'x-shopify-webhook-id': `test-${seq}-${Date.now()}`,
      'x-shopify-triggered-at': options.triggeredAt ?? new Date().toISOString(),
    },
    body,
  };
}

describe('POST /webhooks/shopify', () => {
  it('delivers a purchase in the shop as orders/create then orders/paid to a graphql-ws subscriber', async () => {
    const buyer = [...shop.store.customers.values()][3];
    if (buyer === undefined) throw new Error('no customer');
    const change: WorldChange = {
      kind: 'purchase',
      at: Math.floor(Date.now() / 1000),
      person: personOf(buyer),
      orderId: 'ord_test01',
      currency: 'usd',
      items: [
        { sku: 'SKU-HOODIE', title: 'Zip Hoodie', quantity: 2, unitAmount: 5900 },
        { sku: 'SKU-MUG', title: 'Enamel Mug', quantity: 1, unitAmount: 1500 },
      ],
      amount: 13_300,
    };
    const after = await lastCursor();
    const sub = collect<ShopifyEvent>(t.ws(), EVENTS, { after, filter: { sources: ['shopify'] } }, 2);
    const deliveries = shop.react(change, `${t.url}/webhooks/shopify`);
    expect(deliveries.map((d) => d.headers['X-Shopify-Topic'])).toEqual(['orders/create', 'orders/paid']);
    for (const delivery of deliveries) expect((await post(delivery)).status).toBe(200);
    const received = (await sub.done).map((r) => r.events);
    const orderId = (JSON.parse(deliveries[0]?.body ?? '{}') as { admin_graphql_api_id: string })
      .admin_graphql_api_id;
    expect(received).toMatchObject([
      {
        source: 'shopify',
        type: 'orders/create',
        subject: { kind: 'order', id: orderId, email: buyer.email },
      },
      { source: 'shopify', type: 'orders/paid', subject: { kind: 'order', id: orderId, email: buyer.email } },
    ]);
    expect(received[1]?.data).toMatchObject({
      financial_status: 'paid',
      total_price: '133.00',
      currency: 'USD',
    });
    expect(received.map((e) => e.id)).toEqual(deliveries.map((d) => d.headers['X-Shopify-Webhook-Id']));

    // The emulator's data changed with the webhook: the gateway reads the new order back.
    const read = await t.graphql<{ order: OrderNode }>(
      `query ($id: ID!) { order(id: $id) { id sourceId financialStatus totalPrice { amount currencyCode }
        customer { email } lineItems { title quantity sku unitPrice { amount } } } }`,
      { id: orderId },
    );
    expect(read.data?.order).toMatchObject({
      id: toGlobalId('Order', orderId),
      sourceId: orderId,
      financialStatus: 'PAID',
      totalPrice: { amount: '133.00', currencyCode: 'USD' },
      customer: { email: buyer.email },
      lineItems: [
        { title: 'Zip Hoodie', quantity: 2, sku: 'SKU-HOODIE', unitPrice: { amount: '59.00' } },
        { title: 'Enamel Mug', quantity: 1, sku: 'SKU-MUG', unitPrice: { amount: '15.00' } },
      ],
    });
  });

  it('sends customers/create for a newcomer and customers/update for a changed name', async () => {
    const newcomer: Person = {
      id: 'per_9001',
      firstName: 'Nia',
      lastName: 'Okafor',
      email: 'nia.okafor.test@example.org',
      phone: null,
      company: null,
      plan: 'free',
      createdAt: Math.floor(Date.now() / 1000),
      presence: { billing: true, crm: true, support: true, commerce: true, app: true },
    };
    const joined = shop.react({ kind: 'person.joined', at: newcomer.createdAt, person: newcomer }, '');
    const renamed = shop.react(
      {
        kind: 'person.updated',
        at: newcomer.createdAt + 60,
        person: { ...newcomer, lastName: 'Mensah' },
        changed: ['name'],
      },
      '',
    );
    expect([...joined, ...renamed].map((d) => d.headers['X-Shopify-Topic'])).toEqual([
      'customers/create',
      'customers/update',
    ]);
    for (const delivery of [...joined, ...renamed]) expect((await post(delivery)).status).toBe(200);
    const found = await t.graphql<{ commerceCustomerByEmail: { name: string } | null }>(
      '{ commerceCustomerByEmail(email: "NIA.OKAFOR.TEST@example.org") { name } }',
    );
    expect(found.data?.commerceCustomerByEmail?.name).toBe('Nia Mensah');
  });

  it('acknowledges a duplicate delivery with 200 and publishes it once', async () => {
    const after = await lastCursor();
    const sub = collect<ShopifyEvent>(t.ws(), EVENTS, { after, filter: { sources: ['shopify'] } }, 2, 5000);
    const delivery = customerDelivery();
    const first = await post(delivery);
    const again = await post(delivery);
    const marker = customerDelivery();
    await post(marker);
    expect(first.status).toBe(200);
    expect(again).toMatchObject({ status: 200, body: { received: 1, stored: 0, duplicates: 1 } });
    const ids = (await sub.done).map((r) => r.events.id);
    expect(ids).toEqual([delivery.headers['x-shopify-webhook-id'], marker.headers['x-shopify-webhook-id']]);
  });

  it('refuses bad deliveries with the right status and publishes none of them', async () => {
    const before = await storedShopifyEvents();
    const good = customerDelivery();

    const tampered = await post({ ...good, body: good.body.replace('Webhook', 'Mallory') });
    expect(tampered).toEqual({
      status: 401,
      body: {
        error: {
          code: 'SIGNATURE_INVALID',
          message:
            "X-Shopify-Hmac-Sha256 does not match the payload: check SHOPIFY_WEBHOOK_SECRET (the app's client secret).",
        },
      },
    });
    const { ['x-shopify-hmac-sha256']: _signature, ...unsignedHeaders } = good.headers;
    expect(await post({ ...good, headers: unsignedHeaders })).toEqual({
      status: 401,
      body: { error: { code: 'SIGNATURE_MISSING', message: 'Missing X-Shopify-Hmac-Sha256 header.' } },
    });
    expect((await post(customerDelivery({ secret: 'not-the-secret' }))).status).toBe(401);
    const stale = await post(
      customerDelivery({ triggeredAt: new Date(Date.now() - 2 * 86_400_000).toISOString() }),
    );
    expect(stale).toMatchObject({ status: 401, body: { error: { code: 'SIGNATURE_STALE' } } });

    expect(await post(customerDelivery({ body: '{"id": 1, ' }))).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_JSON' } },
    });
    expect(await post(customerDelivery({ body: JSON.stringify({ email: 'x@example.com' }) }))).toEqual({
      status: 400,
      body: {
        error: {
          code: 'INVALID_PAYLOAD',
          message: 'Body is not a Shopify customers/update payload.',
          issues: [{ path: 'id', message: 'expected a numeric id' }],
        },
      },
    });
    expect(await post(customerDelivery({ topic: 'products/update' }))).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'UNSUPPORTED_TOPIC',
          message: expect.stringContaining('"products/update"') as unknown,
        },
      },
    });
    const huge = customerDelivery({ body: JSON.stringify({ id: 1, padding: 'x'.repeat(1024 * 1024) }) });
    expect(await post(huge)).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });

    expect(await storedShopifyEvents()).toBe(before);
  });
});
