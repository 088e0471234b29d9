/**
 * A small part of the GraphQL Admin API's schema, the part the connector (and
 * a curious developer in GraphiQL) uses, with Shopify's type and field names,
 * served from the emulator's store.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLError } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import {
  SHOP_CURRENCY,
  SHOP_DOMAIN,
  SHOP_NAME,
  decimal,
  displayName,
  gid,
  isoTime,
  orderName,
  subtotal,
  total,
} from './objects.ts';
import type { StoredCustomer, StoredLineItem, StoredOrder } from './objects.ts';
import { countActualCost } from './cost.ts';
import { paginate } from './store.ts';
import type { ConnectionArgs, CustomerSortKey, OrderSortKey, ShopifyStore } from './store.ts';
import type { SearchWarning } from './search.ts';

const typeDefs = /* GraphQL */ `
  schema {
    query: QueryRoot
    mutation: Mutation
  }

  "The fields of an order orderUpdate may change (a part of Shopify's OrderInput)."
  input OrderInput {
    id: ID!
    note: String
    tags: [String!]
    email: String
  }

  "An error in the input of a mutation: field is the path to the input field."
  type UserError {
    field: [String!]
    message: String!
  }

  type OrderUpdatePayload {
    order: Order
    userErrors: [UserError!]!
  }

  type Mutation {
    "Updates an order's note, tags or email."
    orderUpdate(input: OrderInput!): OrderUpdatePayload
  }

  "An ISO-8601 date and time, in UTC."
  scalar DateTime
  "A decimal number serialized as a string, like \\"25.0\\"."
  scalar Decimal
  "A 64-bit unsigned integer serialized as a string."
  scalar UnsignedInt64

  interface Node {
    id: ID!
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  enum CurrencyCode {
    USD
    EUR
    GBP
    CAD
  }

  type MoneyV2 {
    amount: Decimal!
    currencyCode: CurrencyCode!
  }

  type MoneyBag {
    shopMoney: MoneyV2!
    presentmentMoney: MoneyV2!
  }

  enum OrderDisplayFinancialStatus {
    PENDING
    AUTHORIZED
    PARTIALLY_PAID
    PARTIALLY_REFUNDED
    VOIDED
    PAID
    REFUNDED
    EXPIRED
  }

  enum OrderSortKeys {
    CREATED_AT
    ID
    ORDER_NUMBER
    PROCESSED_AT
    TOTAL_PRICE
    UPDATED_AT
  }

  enum CustomerSortKeys {
    CREATED_AT
    ID
    NAME
    UPDATED_AT
  }

  enum CustomerState {
    DECLINED
    DISABLED
    ENABLED
    INVITED
  }

  type Shop implements Node {
    id: ID!
    name: String!
    myshopifyDomain: String!
    currencyCode: CurrencyCode!
    ianaTimezone: String!
  }

  type LineItem implements Node {
    id: ID!
    title: String!
    name: String!
    quantity: Int!
    currentQuantity: Int!
    sku: String
    variantTitle: String
    vendor: String
    originalUnitPriceSet: MoneyBag!
    originalTotalSet: MoneyBag!
  }

  type LineItemEdge {
    cursor: String!
    node: LineItem!
  }

  type LineItemConnection {
    edges: [LineItemEdge!]!
    nodes: [LineItem!]!
    pageInfo: PageInfo!
  }

  type Order implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    name: String!
    email: String
    confirmationNumber: String
    note: String
    tags: [String!]!
    createdAt: DateTime!
    processedAt: DateTime!
    updatedAt: DateTime!
    test: Boolean!
    displayFinancialStatus: OrderDisplayFinancialStatus
    currencyCode: CurrencyCode!
    subtotalPriceSet: MoneyBag
    totalPriceSet: MoneyBag!
    customer: Customer
    lineItems(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
    ): LineItemConnection!
  }

  type OrderEdge {
    cursor: String!
    node: Order!
  }

  type OrderConnection {
    edges: [OrderEdge!]!
    nodes: [Order!]!
    pageInfo: PageInfo!
  }

  type Customer implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    email: String
    firstName: String
    lastName: String
    displayName: String!
    phone: String
    state: CustomerState!
    verifiedEmail: Boolean!
    tags: [String!]!
    numberOfOrders: UnsignedInt64!
    amountSpent: MoneyV2!
    createdAt: DateTime!
    updatedAt: DateTime!
    orders(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
      sortKey: OrderSortKeys = ID
      query: String
    ): OrderConnection!
  }

  type CustomerEdge {
    cursor: String!
    node: Customer!
  }

  type CustomerConnection {
    edges: [CustomerEdge!]!
    nodes: [Customer!]!
    pageInfo: PageInfo!
  }

  type QueryRoot {
    orders(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
      sortKey: OrderSortKeys = ID
      query: String
    ): OrderConnection!
    order(id: ID!): Order
    customers(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean = false
      sortKey: CustomerSortKeys = ID
      query: String
    ): CustomerConnection!
    customer(id: ID!): Customer
    node(id: ID!): Node
    nodes(ids: [ID!]!): [Node]!
    shop: Shop!
  }
`;

/** Per-request state the resolvers share with the handler. */
export interface AdminContext {
  actualCost: number;
  /** `extensions.search` entries: searches with terms Shopify could not apply. */
  search: { path: string[]; query: string; warnings: SearchWarning[] }[];
}

type Shop = { kind: 'shop' };
type NodeValue = StoredOrder | StoredCustomer | StoredLineItem | Shop;

const moneyV2 = (cents: number, currency: string) => ({ amount: decimal(cents), currencyCode: currency });
const moneyBag = (cents: number, currency: string) => ({
  shopMoney: moneyV2(cents, currency),
  presentmentMoney: moneyV2(cents, currency),
});

function parseGid(id: string): { type: string; id: number } {
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/.exec(id);
  if (match === null) {
    throw new GraphQLError(`Invalid global id '${id}'`, {
      extensions: { code: 'argumentLiteralsIncompatible', typeName: 'CoercionError' },
    });
  }
  return { type: match[1] ?? '', id: Number(match[2]) };
}

/**
 * `orderUpdate` as Shopify answers it: a failed write is a 200 with
 * `userErrors` (each with the input path in `field`) and `order: null`.
 */
function updateOrder(
  store: ShopifyStore,
  input: { id: string; note?: string | null; tags?: string[] | null; email?: string | null },
  onOrderUpdated: (order: StoredOrder) => void,
) {
  const errors: { field: string[]; message: string }[] = [];
  const match = /^gid:\/\/shopify\/Order\/(\d+)$/.exec(input.id);
  const order = match === null ? undefined : store.orders.get(Number(match[1]));
  if (order === undefined) errors.push({ field: ['id'], message: 'Order does not exist' });
  if (input.note != null && input.note.length > 5000) {
    errors.push({ field: ['note'], message: 'Note is too long (maximum is 5000 characters)' });
  }
  for (const [index, tag] of (input.tags ?? []).entries()) {
    if (tag.trim().length > 40) {
      errors.push({
        field: ['tags', String(index)],
        message: `Tag "${tag}" is too long (maximum is 40 characters)`,
      });
    }
  }
  if (input.email != null && input.email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email)) {
    errors.push({ field: ['email'], message: 'Email is invalid' });
  }
  if (order === undefined || errors.length > 0) return { order: null, userErrors: errors };
  const before = JSON.stringify([order.note ?? null, order.tags ?? [], order.email]);
  if (input.note !== undefined) order.note = input.note === '' ? null : input.note;
  if (input.tags != null)
    order.tags = [...new Set(input.tags.map((t) => t.trim()).filter((t) => t !== ''))].sort();
  if (input.email != null) order.email = input.email === '' ? null : input.email;
  if (JSON.stringify([order.note ?? null, order.tags ?? [], order.email]) !== before) {
    order.updatedAt = Math.floor(Date.now() / 1000);
    onOrderUpdated(order);
  }
  return { order, userErrors: [] };
}

/** Builds the executable schema over `store`, with actual-cost counting. */
export function createAdminSchema(
  store: ShopifyStore,
  onOrderUpdated: (order: StoredOrder) => void = () => undefined,
): GraphQLSchema {
  const lineItemOrder = new Map<StoredLineItem, StoredOrder>();
  const orderOfLine = (line: StoredLineItem): StoredOrder | undefined => {
    if (!lineItemOrder.has(line)) {
      for (const order of store.orders.values()) for (const l of order.lineItems) lineItemOrder.set(l, order);
    }
    return lineItemOrder.get(line);
  };

  function lookup(id: string): NodeValue | null {
    const { type, id: numeric } = parseGid(id);
    if (type === 'Order') return store.orders.get(numeric) ?? null;
    if (type === 'Customer') return store.customers.get(numeric) ?? null;
    if (type === 'Shop') return numeric === 1 ? { kind: 'shop' } : null;
    if (type === 'LineItem') {
      for (const order of store.orders.values()) {
        const line = order.lineItems.find((l) => l.id === numeric);
        if (line !== undefined) return line;
      }
    }
    return null;
  }

  const typeOf = (value: NodeValue): string =>
    'kind' in value ? 'Shop' : 'number' in value ? 'Order' : 'productId' in value ? 'LineItem' : 'Customer';

  const searchOrders = (
    context: AdminContext,
    path: string[],
    args: ConnectionArgs & { query?: string | null; sortKey?: OrderSortKey },
    within?: readonly StoredOrder[],
  ) => {
    const { items, warnings } = store.searchOrders(args.query, within);
    if (warnings.length > 0) context.search.push({ path, query: args.query ?? '', warnings });
    return paginate(items, args, store.orderSortValue(args.sortKey ?? 'ID'));
  };

  const schema = makeExecutableSchema({
    typeDefs,
    resolvers: {
      Node: { __resolveType: (value: NodeValue) => typeOf(value) },
      QueryRoot: {
        orders: (
          _root: unknown,
          args: ConnectionArgs & { query?: string | null; sortKey?: OrderSortKey },
          context: AdminContext,
        ) => searchOrders(context, ['orders'], args),
        order: (_root: unknown, args: { id: string }) => {
          const { type, id } = parseGid(args.id);
          return type === 'Order' ? (store.orders.get(id) ?? null) : null;
        },
        customers: (
          _root: unknown,
          args: ConnectionArgs & { query?: string | null; sortKey?: CustomerSortKey },
          context: AdminContext,
        ) => {
          const { items, warnings } = store.searchCustomers(args.query);
          if (warnings.length > 0)
            context.search.push({ path: ['customers'], query: args.query ?? '', warnings });
          return paginate(items, args, store.customerSortValue(args.sortKey ?? 'ID'));
        },
        customer: (_root: unknown, args: { id: string }) => {
          const { type, id } = parseGid(args.id);
          return type === 'Customer' ? (store.customers.get(id) ?? null) : null;
        },
        node: (_root: unknown, args: { id: string }) => lookup(args.id),
        nodes: (_root: unknown, args: { ids: string[] }) => {
          if (args.ids.length > 250) {
            throw new GraphQLError(
              'The input array size of 251 is greater than the maximum allowed of 250.',
              {
                extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' },
              },
            );
          }
          return args.ids.map(lookup);
        },
        shop: () => ({ kind: 'shop' }),
      },
      Mutation: {
        orderUpdate: (
          _root: unknown,
          args: {
            input: { id: string; note?: string | null; tags?: string[] | null; email?: string | null };
          },
        ) => updateOrder(store, args.input, onOrderUpdated),
      },
      Shop: {
        id: () => 'gid://shopify/Shop/1',
        name: () => SHOP_NAME,
        myshopifyDomain: () => SHOP_DOMAIN,
        currencyCode: () => SHOP_CURRENCY,
        ianaTimezone: () => 'Etc/UTC',
      },
      Order: {
        id: (o: StoredOrder) => gid('Order', o.id),
        legacyResourceId: (o: StoredOrder) => String(o.id),
        name: (o: StoredOrder) => orderName(o),
        createdAt: (o: StoredOrder) => isoTime(o.createdAt),
        processedAt: (o: StoredOrder) => isoTime(o.processedAt),
        updatedAt: (o: StoredOrder) => isoTime(o.updatedAt),
        test: () => false,
        note: (o: StoredOrder) => o.note ?? null,
        tags: (o: StoredOrder) => o.tags ?? [],
        displayFinancialStatus: (o: StoredOrder) => o.financialStatus,
        currencyCode: (o: StoredOrder) => o.currency,
        subtotalPriceSet: (o: StoredOrder) => moneyBag(subtotal(o), o.currency),
        totalPriceSet: (o: StoredOrder) => moneyBag(total(o), o.currency),
        customer: (o: StoredOrder) =>
          o.customerId === null ? null : (store.customers.get(o.customerId) ?? null),
        lineItems: (o: StoredOrder, args: ConnectionArgs) =>
          paginate(o.lineItems, args, store.lineItemSortValue(o)),
      },
      LineItem: {
        id: (l: StoredLineItem) => gid('LineItem', l.id),
        name: (l: StoredLineItem) => l.title,
        currentQuantity: (l: StoredLineItem) => l.quantity,
        variantTitle: () => null,
        vendor: () => SHOP_NAME,
        originalUnitPriceSet: (l: StoredLineItem) =>
          moneyBag(l.unitPrice, orderOfLine(l)?.currency ?? SHOP_CURRENCY),
        originalTotalSet: (l: StoredLineItem) =>
          moneyBag(l.unitPrice * l.quantity, orderOfLine(l)?.currency ?? SHOP_CURRENCY),
      },
      Customer: {
        id: (c: StoredCustomer) => gid('Customer', c.id),
        legacyResourceId: (c: StoredCustomer) => String(c.id),
        displayName: (c: StoredCustomer) => displayName(c),
        numberOfOrders: (c: StoredCustomer) => String(store.numberOfOrders(c.id)),
        amountSpent: (c: StoredCustomer) => moneyV2(store.amountSpent(c.id), SHOP_CURRENCY),
        createdAt: (c: StoredCustomer) => isoTime(c.createdAt),
        updatedAt: (c: StoredCustomer) => isoTime(c.updatedAt),
        orders: (
          c: StoredCustomer,
          args: ConnectionArgs & { query?: string | null; sortKey?: OrderSortKey },
          context: AdminContext,
        ) => searchOrders(context, ['customer', 'orders'], args, store.customerOrders(c.id)),
      },
    },
  });
  return countActualCost(schema);
}
