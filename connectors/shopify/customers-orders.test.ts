import { describe, expect, it } from 'vitest';
import { ORDER_SEARCH_PAGE } from './client.ts';
import type { ListOrdersParams, OrderPage, ShopifyClient } from './client.ts';
import {
  CUSTOMERS_PER_ORDER_SEARCH,
  packSearches,
  searchCursor,
  searchFirstOrders,
} from './customers-orders.ts';
import { ShopifyCustomer, ShopifyOrder } from './models.ts';

const customer = (n: number, orders: number) =>
  ShopifyCustomer.parse({ id: `gid://shopify/Customer/${String(n)}`, numberOfOrders: orders });
const order = (n: number, owner: ShopifyCustomer) =>
  ShopifyOrder.parse({
    id: `gid://shopify/Order/${String(n)}`,
    name: `#${String(1000 + n)}`,
    createdAt: new Date(Date.UTC(2026, 0, n)).toISOString(),
    totalPriceSet: { shopMoney: { amount: '1.00', currencyCode: 'USD' } },
    customer: owner,
  });

function fakeClient(pages: OrderPage[]) {
  const asked: ListOrdersParams[] = [];
  const client = {
    ordersOfCustomers: (params: ListOrdersParams) => {
      asked.push(params);
      return Promise.resolve(
        pages[asked.length - 1] ?? { edges: [], hasNextPage: false, hasPreviousPage: false },
      );
    },
  } as unknown as ShopifyClient;
  return { client, asked };
}

describe('first orders of many customers from one order search', () => {
  it('groups interleaved orders by customer id, sized by numberOfOrders, paging while Shopify has more', async () => {
    const a = customer(1, 3);
    const b = customer(2, 1);
    const c = customer(3, 0);
    const edges = [order(9, b), order(8, a), order(7, a), order(5, a)].map((node) => ({
      cursor: `c${node.id}`,
      node,
    }));
    const { client, asked } = fakeClient([
      { edges: edges.slice(0, 2), hasNextPage: true, hasPreviousPage: false },
      { edges: edges.slice(2), hasNextPage: false, hasPreviousPage: true },
    ]);
    const pages = await searchFirstOrders(client, {}, [b, a, c], 2);
    expect(asked).toEqual([
      { first: 4, after: undefined, query: 'customer_id:2 OR customer_id:1 OR customer_id:3' },
      {
        first: ORDER_SEARCH_PAGE,
        after: 'cgid://shopify/Order/8',
        query: 'customer_id:2 OR customer_id:1 OR customer_id:3',
      },
    ]);
    expect(pages?.get(a.id)?.edges.map((e) => e.node.id)).toEqual([
      'gid://shopify/Order/8',
      'gid://shopify/Order/7',
    ]);
    expect(pages?.get(a.id)?.hasNextPage).toBe(true);
    expect(pages?.get(b.id)).toMatchObject({
      hasNextPage: false,
      edges: [{ node: { id: 'gid://shopify/Order/9' } }],
    });
    expect(pages?.get(c.id)).toEqual({ edges: [], hasNextPage: false, hasPreviousPage: false });
    // Cursors say which connection made them.
    expect(searchCursor(pages?.get(a.id)?.edges[1]?.cursor ?? '')).toBe('cgid://shopify/Order/7');
    expect(searchCursor('eyJsYXN0X2lkIjoxfQ==')).toBeUndefined();
  });

  it('gives up (undefined) past five pages, and packs searches by orders and customers', async () => {
    const a = customer(1, 1);
    const endless = {
      edges: [{ cursor: 'x', node: order(1, a) }],
      hasNextPage: true,
      hasPreviousPage: false,
    };
    const { client, asked } = fakeClient(Array.from({ length: 9 }, () => endless));
    expect(await searchFirstOrders(client, {}, [a], 2)).toBeUndefined();
    expect(asked).toHaveLength(5);
    const many = Array.from({ length: 120 }, (_, i) => customer(i + 1, 1));
    expect(packSearches(many).map((s) => s.length)).toEqual([
      CUSTOMERS_PER_ORDER_SEARCH,
      CUSTOMERS_PER_ORDER_SEARCH,
      20,
    ]);
    const big = [customer(1, 200), customer(2, 60), customer(3, 10)];
    expect(packSearches(big).map((s) => s.map((c) => c.numberOfOrders))).toEqual([[200], [60, 10]]);
  });
});
