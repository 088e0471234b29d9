import DataLoader from 'dataloader';
import { memoLoader } from '../../src/loaders.ts';
import type { CallOptions } from '../../src/upstream/types.ts';
import {
  EMAIL_BATCH_SIZE,
  LINE_ITEMS_BATCH_SIZE,
  NODES_BATCH_SIZE,
  customerOrdersBatchSize,
} from './client.ts';
import type { CustomerOrdersParams, ListOrdersParams, OrderPage, ShopifyClient } from './client.ts';
import {
  customerIdTerm,
  markSearchCursors,
  packSearches,
  searchCursor,
  searchFirstOrders,
  searchable,
} from './customers-orders.ts';
import { normalizeEmail } from './models.ts';
import type { ShopifyCustomer, ShopifyLineItem, ShopifyOrder } from './models.ts';

/** The Shopify DataLoaders of one GraphQL request. Ids are gids (`gid://shopify/Order/123`). */
export interface ShopifyLoaders {
  /** An order by gid through `nodes(ids:)`; null for an unknown id. */
  order: DataLoader<string, ShopifyOrder | null>;
  /** A customer by gid through `nodes(ids:)`; null for an unknown id. */
  customer: DataLoader<string, ShopifyCustomer | null>;
  /**
   * The customer with an email, matched case-insensitively; null for nobody.
   * Batched into one search per {@link EMAIL_BATCH_SIZE} emails: the by-email
   * lookup the unified Customer joins on.
   */
  customerByEmail: DataLoader<string, ShopifyCustomer | null, string>;
  /** Every line item of an order, by the order's gid. */
  lineItems: DataLoader<string, ShopifyLineItem[]>;
  /** One page of `orders`; the same page asked twice in a request is fetched once. */
  orders: DataLoader<ListOrdersParams, OrderPage, string>;
  /** One page of a customer's orders; null for an unknown customer. */
  customerOrders: DataLoader<CustomerOrdersParams, OrderPage | null, string>;
}

/**
 * Batches by id through `nodes(ids:)` and by email through one search query,
 * mapping results back by key (never by position). Orders carry their customer,
 * and everything seen primes the other loaders, so no object is fetched twice
 * in a request. Line items are read in cost-sized batches, one batch at a time,
 * so that their requested costs never compete for Shopify's bucket at once.
 */
export function createShopifyLoaders(client: ShopifyClient, call: CallOptions): ShopifyLoaders {
  const primeCustomer = (found: ShopifyCustomer): void => {
    customer.prime(found.id, found);
    if (found.email !== null) customerByEmail.prime(found.email, found);
  };
  const primeOrder = (found: ShopifyOrder): void => {
    order.prime(found.id, found);
    if (found.customer !== null) primeCustomer(found.customer);
  };
  const primePage = (page: OrderPage | null): void => {
    for (const edge of page?.edges ?? []) primeOrder(edge.node);
  };

  const order: DataLoader<string, ShopifyOrder | null> = new DataLoader(
    async (ids) => {
      const found = new Map((await client.ordersByIds(ids, call)).map((o) => [o.id, o]));
      for (const o of found.values()) if (o.customer !== null) primeCustomer(o.customer);
      return ids.map((id) => found.get(id) ?? null);
    },
    { maxBatchSize: NODES_BATCH_SIZE },
  );

  const customer: DataLoader<string, ShopifyCustomer | null> = new DataLoader(
    async (ids) => {
      const found = new Map((await client.customersByIds(ids, call)).map((c) => [c.id, c]));
      for (const c of found.values()) if (c.email !== null) customerByEmail.prime(c.email, c);
      return ids.map((id) => found.get(id) ?? null);
    },
    { maxBatchSize: NODES_BATCH_SIZE },
  );

  const customerByEmail: DataLoader<string, ShopifyCustomer | null, string> = new DataLoader(
    async (emails) => {
      const keys = emails.map(normalizeEmail);
      const wanted = keys.filter((k) => k !== '');
      const found = new Map<string, ShopifyCustomer>();
      for (const result of await client.customersByEmails(wanted, call)) {
        customer.prime(result.id, result);
        // Search may match loosely; only an exact (case-insensitive) email answers for a key.
        const key = result.email === null ? '' : normalizeEmail(result.email);
        if (key !== '' && !found.has(key)) found.set(key, result);
      }
      return keys.map((key) => found.get(key) ?? null);
    },
    { maxBatchSize: EMAIL_BATCH_SIZE, cacheKeyFn: normalizeEmail },
  );

  let lineItemQueue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(task: () => Promise<T>): Promise<T> => {
    const run = lineItemQueue.then(task, task);
    lineItemQueue = run.catch(() => undefined);
    return run;
  };
  const lineItems: DataLoader<string, ShopifyLineItem[]> = new DataLoader(
    (orderIds) =>
      oneAtATime(async () => {
        const pages = new Map((await client.orderLineItems(orderIds, call)).map((p) => [p.orderId, p]));
        const results: ShopifyLineItem[][] = [];
        for (const id of orderIds) {
          const first = pages.get(id);
          const items = [...(first?.lineItems ?? [])];
          let next = first?.hasNextPage === true ? first.endCursor : null;
          // Rare (more lines than a batched read holds): the rest, a page at a time.
          while (next !== null) {
            const page = await client.orderLineItemsPage(id, next, call);
            items.push(...(page?.lineItems ?? []));
            next = page?.hasNextPage === true ? page.endCursor : null;
          }
          results.push(items);
        }
        return results;
      }),
    { maxBatchSize: LINE_ITEMS_BATCH_SIZE },
  );

  const orders = memoLoader(async (params: ListOrdersParams) => {
    const page = await client.listOrders(params, call);
    primePage(page);
    return page;
  });

  // First pages of many customers' orders share order searches (customers with few orders) or
  // `nodes(ids:)` reads (the others, and a lone customer); later pages (with `after`) are one call
  // each, on the connection that made the cursor.
  const customerOrders = new DataLoader<CustomerOrdersParams, OrderPage | null, string>(
    async (keys) => {
      const results = new Map<string, OrderPage | null>();
      const firstPages = new Map<number, string[]>();
      await Promise.all(
        keys.map(async (key) => {
          const searched = key.after === undefined ? undefined : searchCursor(key.after);
          if (searched !== undefined) {
            const page = await client.listOrders(
              { first: key.first, after: searched, query: customerIdTerm(key.customerId) },
              call,
            );
            results.set(orderPageKey(key), markSearchCursors(page));
          } else if (key.after !== undefined) {
            results.set(orderPageKey(key), await client.customerOrders(key, call));
          } else {
            const ids = firstPages.get(key.first) ?? [];
            if (!ids.includes(key.customerId)) ids.push(key.customerId);
            firstPages.set(key.first, ids);
          }
        }),
      );
      for (const [first, all] of firstPages) {
        const ids = all.length > 1 ? await searchOrders(all, first, results) : all;
        const size = customerOrdersBatchSize(first);
        const chunks = Array.from({ length: Math.ceil(ids.length / size) }, (_, i) =>
          ids.slice(i * size, (i + 1) * size),
        );
        const found = await Promise.all(
          chunks.map((chunk) => client.customersFirstOrders(chunk, first, call)),
        );
        for (const [index, chunk] of chunks.entries()) {
          for (const id of chunk)
            results.set(orderPageKey({ customerId: id, first }), found[index]?.get(id) ?? null);
        }
      }
      return keys.map((key) => {
        const page = results.get(orderPageKey(key)) ?? null;
        primePage(page);
        return page;
      });
    },
    { cacheKeyFn: orderPageKey },
  );

  /**
   * Reads the first orders of the customers with few orders through shared order searches,
   * storing their pages in `results`; the ids it leaves for `nodes(ids:)` reads.
   */
  async function searchOrders(
    ids: readonly string[],
    first: number,
    results: Map<string, OrderPage | null>,
  ): Promise<string[]> {
    const known = await customer.loadMany(ids);
    const found = known.filter((c): c is ShopifyCustomer => c !== null && !(c instanceof Error));
    const few = found.filter((c) => searchable(c, first));
    const done = new Set<string>();
    await Promise.all(
      packSearches(few).map(async (batch) => {
        const pages = await searchFirstOrders(client, call, batch, first);
        if (pages === undefined) return;
        for (const [id, page] of pages) {
          results.set(orderPageKey({ customerId: id, first }), page);
          done.add(id);
        }
      }),
    );
    return ids.filter((id) => !done.has(id));
  }

  return { order, customer, customerByEmail, lineItems, orders, customerOrders };
}

/** The key a customer's order page is cached under. */
function orderPageKey(params: CustomerOrdersParams): string {
  return `${params.customerId}\u0000${params.first}\u0000${params.after ?? ''}`;
}
