import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, startTestGateway } from '../../test/helpers/gateway.ts';
import type { TestGateway } from '../../test/helpers/gateway.ts';
import type { RunningSandbox } from '../../src/sandbox/types.ts';

let t: TestGateway;
let shop: RunningSandbox;

beforeAll(async () => {
  t = await startTestGateway();
  const found = t.gateway.sources.find((s) => s.name === 'shopify')?.sandbox;
  if (!found) throw new Error('the shopify sandbox did not start');
  shop = found;
});
afterAll(() => t.close());
beforeEach(() => {
  shop.faults.clear();
  shop.resetCounters();
});

interface Order {
  id: string;
  sourceId: string;
  email: string | null;
  note: string | null;
  tags: string[];
}
const UPDATE = `mutation ($id: ID!, $input: UpdateOrderInput!, $key: String) {
  updateOrder(id: $id, input: $input, idempotencyKey: $key) { id sourceId email note tags }
}`;

async function anOrder(): Promise<Order> {
  const result = await t.graphql<{ orders: { edges: { node: Order }[] } }>(
    '{ orders(first: 5) { edges { node { id sourceId email note tags } } } }',
  );
  const order = result.data?.orders.edges.find((e) => e.node.email !== null)?.node;
  if (!order) throw new Error(JSON.stringify(result));
  return order;
}
const updates = () => shop.counters()['Mutation.orderUpdate'] ?? 0;

describe('updateOrder', () => {
  it('sets note and tags through orderUpdate, by gid or bare number; a query right after shows them', async () => {
    const order = await anOrder();
    const result = await t.graphql<{ updateOrder: Order }>(UPDATE, {
      id: order.id,
      input: { note: 'Gift wrap, please.', tags: ['vip', 'gift', 'vip'] },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.updateOrder).toMatchObject({ note: 'Gift wrap, please.', tags: ['gift', 'vip'] });
    const bare = order.sourceId.replace('gid://shopify/Order/', '');
    const cleared = await t.graphql<{ updateOrder: Order }>(UPDATE, { id: bare, input: { note: null } });
    expect(cleared.data?.updateOrder).toMatchObject({ note: null, tags: ['gift', 'vip'] });
    expect(updates()).toBe(2);
    const read = await t.graphql<{ order: Order }>(`query ($id: ID!) { order(id: $id) { note tags } }`, {
      id: order.id,
    });
    expect(read.data?.order).toEqual({ note: null, tags: ['gift', 'vip'] });
  });

  it("maps Shopify's userErrors (a 200) to BAD_USER_INPUT with field paths", async () => {
    const order = await anOrder();
    const long = 'x'.repeat(41);
    const result = await t.graphql(UPDATE, { id: order.id, input: { tags: ['ok', long] } });
    expect(result.errors?.[0]).toMatchObject({
      message: `Shopify refused the input (input.tags.1: Tag "${long}" is too long (maximum is 40 characters)).`,
      extensions: {
        code: 'BAD_USER_INPUT',
        source: 'shopify',
        upstreamCode: 'USER_ERRORS',
        fields: [{ field: 'input.tags.1', message: `Tag "${long}" is too long (maximum is 40 characters)` }],
      },
    });
  });

  it('an unknown order is UPSTREAM_NOT_FOUND; a malformed id never reaches Shopify', async () => {
    const missing = await t.graphql(UPDATE, { id: 'gid://shopify/Order/1', input: { note: 'x' } });
    expect(missing.errors?.[0]).toMatchObject({
      message: 'Shopify has no order "gid://shopify/Order/1".',
      extensions: { code: 'UPSTREAM_NOT_FOUND', source: 'shopify' },
    });
    const malformed = await t.graphql(UPDATE, { id: 'not-an-order', input: { note: 'x' } });
    expect(malformed.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(updates()).toBe(1);
  });

  it('the same key twice is one orderUpdate', async () => {
    const order = await anOrder();
    const variables = { id: order.id, input: { tags: ['once'] }, key: 'order-key-1' };
    const first = await t.graphql(UPDATE, variables);
    const second = await t.graphql(UPDATE, variables);
    expect(second).toEqual(first);
    expect(updates()).toBe(1);
  });

  it('a customerChanged subscriber sees the orders/updated of its own write', async () => {
    const order = await anOrder();
    const feed = collect<{ customerChanged: { event: { source: string; type: string } } }>(
      t.ws(),
      'subscription ($email: String!) { customerChanged(email: $email) { event { source type } } }',
      { email: order.email },
      1,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await t.graphql(UPDATE, { id: order.id, input: { note: 'Seen live' } });
    const [received] = await feed.done;
    expect(received?.customerChanged.event).toEqual({ source: 'shopify', type: 'orders/updated' });
  });
});
