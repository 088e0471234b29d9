import type { CallOptions } from '../../src/upstream/types.ts';
import { ORDER_SEARCH_PAGE } from './client.ts';
import type { OrderPage, ShopifyClient } from './client.ts';
import type { ShopifyCustomer } from './models.ts';

/** Customers per order search: keeps its `query:` string short (about 1,500 characters). */
export const CUSTOMERS_PER_ORDER_SEARCH = 50;
/** Pages of one order search read at most before its customers fall back to per-customer reads. */
const MAX_SEARCH_PAGES = 5;
/** Marks a cursor of an order search, so a later page resumes on the connection that made it. */
const SEARCH_CURSOR = 'search:';

/** A customer whose first orders one shared search should read: few enough orders that reading all is cheap. */
export function searchable(customer: ShopifyCustomer, first: number): boolean {
  return customer.numberOfOrders !== null && customer.numberOfOrders <= Math.max(first, 10);
}

/** Shopify's search term for a customer gid's orders (`customer_id:123`). */
export function customerIdTerm(gid: string): string {
  return `customer_id:${/(\d+)$/.exec(gid)?.[1] ?? '0'}`;
}

/** The Shopify cursor inside a cursor of this module, or undefined for another connection's cursor. */
export function searchCursor(cursor: string): string | undefined {
  return cursor.startsWith(SEARCH_CURSOR) ? cursor.slice(SEARCH_CURSOR.length) : undefined;
}

/** A page of an order search, its cursors marked to resume on such a search. */
export function markSearchCursors(page: OrderPage): OrderPage {
  return { ...page, edges: page.edges.map((edge) => ({ ...edge, cursor: SEARCH_CURSOR + edge.cursor })) };
}

/** Packs customers into searches of at most {@link CUSTOMERS_PER_ORDER_SEARCH}, expecting at most one page of orders each. */
export function packSearches(customers: readonly ShopifyCustomer[]): ShopifyCustomer[][] {
  const searches: ShopifyCustomer[][] = [];
  let current: ShopifyCustomer[] = [];
  let orders = 0;
  for (const customer of customers) {
    const count = customer.numberOfOrders ?? 0;
    if (
      current.length === CUSTOMERS_PER_ORDER_SEARCH ||
      (current.length > 0 && orders + count > ORDER_SEARCH_PAGE)
    ) {
      searches.push(current);
      current = [];
      orders = 0;
    }
    current.push(customer);
    orders += count;
  }
  if (current.length > 0) searches.push(current);
  return searches;
}

/**
 * The first `first` orders of each customer, newest first, from one order search
 * `orders(query: "customer_id:1 OR customer_id:2 ...", sortKey: CREATED_AT, reverse: true)`
 * over all of them (4 points an order): its page is sized by the customers' `numberOfOrders`, so
 * the requested cost is about what is read (Shopify charges `first`, not what
 * comes back, against the bucket), and further pages are read while Shopify
 * has more. Orders are grouped by their customer's id, never by position.
 * Undefined when the search needed more than {@link MAX_SEARCH_PAGES} pages.
 */
export async function searchFirstOrders(
  client: ShopifyClient,
  call: CallOptions,
  customers: readonly ShopifyCustomer[],
  first: number,
): Promise<Map<string, OrderPage> | undefined> {
  const expected = customers.reduce((sum, c) => sum + (c.numberOfOrders ?? 0), 0);
  const query = customers.map((c) => customerIdTerm(c.id)).join(' OR ');
  const edges = new Map<string, OrderPage['edges']>(customers.map((c) => [c.id, []]));
  const byId = new Map(customers.map((c) => [c.id, c]));
  let after: string | undefined;
  let size = Math.max(1, Math.min(ORDER_SEARCH_PAGE, expected));
  for (let pages = 0; pages < MAX_SEARCH_PAGES; pages += 1) {
    const page = await client.ordersOfCustomers({ first: size, after, query }, call);
    for (const edge of page.edges) {
      const owner = byId.get(edge.node.customer?.id ?? '');
      if (owner === undefined) continue;
      // The search reads only the customer's id; the customer itself is already known.
      const node = { ...edge.node, customer: owner };
      edges.get(owner.id)?.push({ cursor: SEARCH_CURSOR + edge.cursor, node });
    }
    const last = page.edges.at(-1);
    if (!page.hasNextPage || last === undefined) {
      return new Map(
        [...edges].map(([id, mine]) => [
          id,
          { edges: mine.slice(0, first), hasNextPage: mine.length > first, hasPreviousPage: false },
        ]),
      );
    }
    after = last.cursor;
    size = ORDER_SEARCH_PAGE;
  }
  return undefined;
}
