import type { SourceScope } from '../../src/connector.ts';
import type { GatewayContext } from '../../src/context.ts';
import { badUserInput } from '../../src/errors.ts';
import type { Resolvers } from '../../src/generated/resolvers.ts';
import { decodeCursor, encodeCursor, pageSize } from '../../src/pagination.ts';
import { MAX_ORDERS_PAGE } from './client.ts';
import { shopifyMoney } from './money.ts';
import type { OrderPage, ShopifyClient } from './client.ts';
import type { ShopifyLoaders } from './loaders.ts';
import { toGid } from './models.ts';
import { sourceIdOf } from '../../src/node-id.ts';
import type { ShopifyOrder } from './models.ts';
import { eventSubscription } from '../../src/events/resolvers.ts';

/** Cursor namespace of order lists: Shopify's own cursor, wrapped so no other list accepts it. */
const ORDER_CURSOR = 'shopify-order';

const shopifyOf = (ctx: GatewayContext): SourceScope<ShopifyClient, ShopifyLoaders> =>
  ctx.source<ShopifyClient, ShopifyLoaders>('shopify');

/** The gid for an `id` argument (a gid of `type` or a bare numeric id), or BAD_USER_INPUT. */
export function gidArgument(type: 'Order' | 'Customer', id: string): string {
  const gid = toGid(type, id);
  if (gid === null) {
    throw badUserInput(
      `Argument "id" is not a Shopify ${type} id: pass gid://shopify/${type}/<number> or the number.`,
      { argument: 'id' },
    );
  }
  return gid;
}

/** Relay arguments → Shopify `first`/`after`. */
function page(args: { first?: number | null; after?: string | null }) {
  return {
    first: pageSize(args.first, MAX_ORDERS_PAGE),
    after: args.after ? decodeCursor(ORDER_CURSOR, args.after) : undefined,
  };
}

/** A Shopify page as a Relay connection; each edge keeps Shopify's cursor, made opaque. */
function connection(result: OrderPage | null) {
  const edges = (result?.edges ?? []).map((edge) => ({
    cursor: encodeCursor(ORDER_CURSOR, edge.cursor),
    node: edge.node,
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: result?.hasNextPage ?? false,
      hasPreviousPage: result?.hasPreviousPage ?? false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

export const shopifyResolvers: Resolvers = {
  Subscription: {
    orderCreated: eventSubscription(
      () => ({ sources: ['shopify'], types: ['orders/create'] }),
      (event) => event,
    ),
  },
  OrderEvent: {
    event: (event) => event,
    order: (event, _args, ctx) =>
      event.subject ? shopifyOf(ctx).loaders.order.load(event.subject.id) : null,
  },
  Query: {
    async orders(_parent, args, ctx) {
      const { loaders } = shopifyOf(ctx);
      const query = args.query?.trim();
      const result = await loaders.orders.load({ ...page(args), query: query === '' ? undefined : query });
      return connection(result);
    },
    order: (_parent, args, ctx) =>
      shopifyOf(ctx).loaders.order.load(gidArgument('Order', sourceIdOf('Order', args.id))),
    commerceCustomer: (_parent, args, ctx) =>
      shopifyOf(ctx).loaders.customer.load(gidArgument('Customer', sourceIdOf('CommerceCustomer', args.id))),
    commerceCustomerByEmail(_parent, args, ctx) {
      const email = args.email.trim();
      return email === '' ? null : shopifyOf(ctx).loaders.customerByEmail.load(email);
    },
  },
  Order: {
    financialStatus: (o) => o.displayFinancialStatus,
    totalPrice: (o) => shopifyMoney('order total', o.totalPriceSet.shopMoney),
    lineItems: (o: ShopifyOrder, _args, ctx) => shopifyOf(ctx).loaders.lineItems.load(o.id),
    customer: (o) => o.customer,
  },
  OrderLineItem: {
    unitPrice: (item) =>
      item.originalUnitPriceSet === null
        ? null
        : shopifyMoney('line item unit price', item.originalUnitPriceSet.shopMoney),
  },
  CommerceCustomer: {
    name: (c) => c.displayName,
    numberOfOrders: (c) => c.numberOfOrders,
    amountSpent: (c) => (c.amountSpent === null ? null : shopifyMoney('customer amountSpent', c.amountSpent)),
    async orders(c, args, ctx) {
      const { loaders } = shopifyOf(ctx);
      return connection(await loaders.customerOrders.load({ customerId: c.id, ...page(args) }));
    },
  },
};
