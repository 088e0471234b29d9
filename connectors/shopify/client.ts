import { z } from 'zod';
import { invalidFields } from '../../src/writes/write-errors.ts';
import { ErrorCode, GatewayError } from '../../src/errors.ts';
import { parseUpstream, upstreamError, upstreamIdentifier } from '../../src/upstream/http-errors.ts';
import type { CallOptions, RetryHint, Upstream, UpstreamResponse } from '../../src/upstream/types.ts';
import {
  ShopifyCost,
  ShopifyCustomer,
  ShopifyErrorsEnvelope,
  ShopifyHttpErrorBody,
  ShopifyLineItem,
  ShopifyOrder,
  edgesConnection,
  nodesConnection,
} from './models.ts';
import type { ShopifyConfig } from './config.ts';

const source = 'shopify';
const title = 'Shopify';

/** Shopify refuses any single query whose requested cost is above this (`MAX_COST_EXCEEDED`). */
export const MAX_QUERY_COST = 1000;
/** The largest `first` a Shopify connection accepts. */
export const MAX_PAGE_SIZE = 250;
/**
 * The largest page of orders the gateway asks for: orders carry their customer,
 * so a page of 100 requests 502 points, half the single-query limit.
 */
export const MAX_ORDERS_PAGE = 100;
/**
 * Ids per `nodes(ids:)` call. Shopify accepts input lists of up to 250, but 100
 * orders already request 500 points of the single-query limit of 1000.
 */
export const NODES_BATCH_SIZE = 100;
/** Emails per `customers(query: "email:a OR email:b ...")` call (a page of 100, 202 points). */
export const EMAIL_BATCH_SIZE = 100;
/** Line items read per order in a batched read; an order with more gets the rest one page at a time. */
export const LINE_ITEMS_PER_ORDER = 5;
/** Line items per follow-up page for an order with many (753 points). */
export const LINE_ITEMS_PAGE = 250;
/** THROTTLED answers retried before giving up with UPSTREAM_RATE_LIMITED. */
export const MAX_THROTTLE_RETRIES = 4;

/*
 * Requested cost of the documents below under Shopify's published rules: an
 * object costs 1, a scalar or enum 0, a connection 2 plus `first` times the
 * cost of one node, a `nodes(ids:)` list the number of ids times one node.
 * (Shopify now often charges less; these are the upper bounds it documents.)
 */
/** Customer 1 + amountSpent 1. */
const CUSTOMER_COST = 2;
/** Order 1 + totalPriceSet.shopMoney 2 + customer. */
const ORDER_COST = 3 + CUSTOMER_COST;
/** LineItem 1 + originalUnitPriceSet.shopMoney 2. */
const LINE_ITEM_COST = 3;
const connectionCost = (first: number, node: number): number => 2 + first * node;
/** An order whose customer is only its id (the caller knows the customer): Order 1 + totalPriceSet.shopMoney 2 + customer 1. */
const ORDER_OF_KNOWN_CUSTOMER_COST = 4;
/** The largest page of {@link ShopifyClient.ordersOfCustomers} within {@link MAX_QUERY_COST} (249). */
export const ORDER_SEARCH_PAGE = Math.min(
  MAX_PAGE_SIZE,
  Math.floor((MAX_QUERY_COST - 2) / ORDER_OF_KNOWN_CUSTOMER_COST),
);
/** Requested cost of the largest page of orders (502). */
export const ORDERS_PAGE_COST = connectionCost(MAX_ORDERS_PAGE, ORDER_COST);
/**
 * Customers per batched read of their first `first` orders, so that one read
 * stays under {@link MAX_QUERY_COST} (35 customers for `first: 5`).
 */
export function customerOrdersBatchSize(first: number): number {
  return Math.max(
    1,
    Math.min(NODES_BATCH_SIZE, Math.floor(MAX_QUERY_COST / (1 + connectionCost(first, ORDER_COST)))),
  );
}
/** Orders per batched line-item read, so that one read stays under {@link MAX_QUERY_COST}. */
export const LINE_ITEMS_BATCH_SIZE = Math.floor(
  MAX_QUERY_COST / (1 + connectionCost(LINE_ITEMS_PER_ORDER, LINE_ITEM_COST)),
);

const CUSTOMER_FIELDS = `fragment SwitchyardCustomer on Customer {
  id email firstName lastName displayName numberOfOrders
  amountSpent { amount currencyCode }
}`;
const ORDER_FIELDS = `fragment SwitchyardOrder on Order {
  id name email createdAt displayFinancialStatus note tags
  totalPriceSet { shopMoney { amount currencyCode } }
  customer { ...SwitchyardCustomer }
}
${CUSTOMER_FIELDS}`;
const LINE_ITEM_FIELDS = `fragment SwitchyardLineItem on LineItem {
  id title quantity sku
  originalUnitPriceSet { shopMoney { amount currencyCode } }
}`;

const ORDERS = `query SwitchyardOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT, reverse: true) {
    edges { cursor node { ...SwitchyardOrder } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
${ORDER_FIELDS}`;

const ORDERS_OF_CUSTOMERS = `query SwitchyardOrdersOfCustomers($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT, reverse: true) {
    edges { cursor node {
      id name email createdAt displayFinancialStatus note tags
      totalPriceSet { shopMoney { amount currencyCode } }
      customer { id }
    } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

const ORDERS_BY_ID = `query SwitchyardOrdersById($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Order { ...SwitchyardOrder } }
}
${ORDER_FIELDS}`;

const CUSTOMERS_BY_ID = `query SwitchyardCustomersById($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Customer { ...SwitchyardCustomer } }
}
${CUSTOMER_FIELDS}`;

const CUSTOMERS_BY_EMAIL = `query SwitchyardCustomersByEmail($first: Int!, $query: String!) {
  customers(first: $first, query: $query) {
    nodes { ...SwitchyardCustomer }
    pageInfo { hasNextPage endCursor }
  }
}
${CUSTOMER_FIELDS}`;

const CUSTOMER_ORDERS = `query SwitchyardCustomerOrders($id: ID!, $first: Int!, $after: String) {
  customer(id: $id) {
    id
    orders(first: $first, after: $after, sortKey: CREATED_AT, reverse: true) {
      edges { cursor node { ...SwitchyardOrder } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}
${ORDER_FIELDS}`;

const CUSTOMERS_ORDERS = `query SwitchyardCustomersOrders($ids: [ID!]!, $first: Int!) {
  nodes(ids: $ids) {
    ... on Customer {
      id
      orders(first: $first, sortKey: CREATED_AT, reverse: true) {
        edges { cursor node { ...SwitchyardOrder } }
        pageInfo { hasNextPage hasPreviousPage endCursor }
      }
    }
  }
}
${ORDER_FIELDS}`;

const ORDER_LINE_ITEMS = `query SwitchyardOrderLineItems($ids: [ID!]!, $first: Int!) {
  nodes(ids: $ids) {
    ... on Order {
      id
      lineItems(first: $first) { nodes { ...SwitchyardLineItem } pageInfo { hasNextPage endCursor } }
    }
  }
}
${LINE_ITEM_FIELDS}`;

const ORDER_LINE_ITEMS_PAGE = `query SwitchyardOrderLineItemsPage($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    id
    lineItems(first: $first, after: $after) { nodes { ...SwitchyardLineItem } pageInfo { hasNextPage endCursor } }
  }
}
${LINE_ITEM_FIELDS}`;

const OrderEdges = edgesConnection(ShopifyOrder);
const LineItems = nodesConnection(ShopifyLineItem);
const OrderLineItems = z.looseObject({ id: z.string(), lineItems: LineItems });
/** `nodes` answers null for an unknown id (the loaders only ask for ids of the right type). */
const ORDER_UPDATE = `mutation SwitchyardOrderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) { order { ...SwitchyardOrder } userErrors { field message } }
}
${ORDER_FIELDS}`;

const OrderUpdatePayload = z.looseObject({
  orderUpdate: z
    .looseObject({
      order: ShopifyOrder.nullable(),
      userErrors: z.array(
        z.looseObject({ field: z.array(z.string()).nullable().default(null), message: z.string() }),
      ),
    })
    .nullable(),
});

/** `userErrors[].field` (`["tags", "0"]`) as the mutation's argument path (`input.tags.0`). */
function argumentOf(field: readonly string[] | null): string {
  if (field === null || field.length === 0) return 'input';
  return field[0] === 'id' ? 'id' : ['input', ...field].join('.');
}

const nodeList = <T extends z.ZodType>(node: T) => z.array(node.nullable());

/** One page of orders, with Shopify's cursor for each. */
export interface OrderPage {
  edges: { cursor: string; node: ShopifyOrder }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface ListOrdersParams {
  /** 1 to {@link MAX_PAGE_SIZE}. */
  first: number;
  /** A Shopify cursor. */
  after?: string | undefined;
  /** Shopify search syntax (`financial_status:paid email:a@b.c`). */
  query?: string | undefined;
}

export interface CustomerOrdersParams {
  /** The customer's gid. */
  customerId: string;
  first: number;
  after?: string | undefined;
}

/** Some of an order's line items and where the rest continue. */
export interface LineItemsPage {
  orderId: string;
  lineItems: ShopifyLineItem[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** Typed operations of the GraphQL Admin API, one per document; every body is zod-parsed. */
export interface ShopifyClient {
  /** `orders`, newest first. */
  listOrders(params: ListOrdersParams, call: CallOptions): Promise<OrderPage>;
  /**
   * A page of the orders a search over customers finds (`customer_id:1 OR customer_id:2`),
   * newest first, at most {@link ORDER_SEARCH_PAGE}; each order's `customer` holds only
   * its id, which keeps an order at 4 points: the caller knows the customers.
   */
  ordersOfCustomers(params: ListOrdersParams & { query: string }, call: CallOptions): Promise<OrderPage>;
  /** `nodes(ids:)` for orders (at most {@link NODES_BATCH_SIZE}); unknown ids are left out. */
  ordersByIds(ids: readonly string[], call: CallOptions): Promise<ShopifyOrder[]>;
  /** `nodes(ids:)` for customers (at most {@link NODES_BATCH_SIZE}); unknown ids are left out. */
  customersByIds(ids: readonly string[], call: CallOptions): Promise<ShopifyCustomer[]>;
  /**
   * Customers with any of these emails (at most {@link EMAIL_BATCH_SIZE}), in one
   * search `email:"a" OR email:"b"`. Matching may be loose: callers keep exact matches.
   */
  customersByEmails(emails: readonly string[], call: CallOptions): Promise<ShopifyCustomer[]>;
  /** A customer's orders, newest first; null for an unknown customer. */
  customerOrders(params: CustomerOrdersParams, call: CallOptions): Promise<OrderPage | null>;
  /**
   * The first `first` orders of each customer, by gid, in one `nodes(ids:)` read
   * (at most {@link customerOrdersBatchSize} customers); unknown customers are absent.
   */
  customersFirstOrders(
    customerIds: readonly string[],
    first: number,
    call: CallOptions,
  ): Promise<Map<string, OrderPage>>;
  /** The first {@link LINE_ITEMS_PER_ORDER} line items of each order (at most {@link LINE_ITEMS_BATCH_SIZE} orders). */
  orderLineItems(orderIds: readonly string[], call: CallOptions): Promise<LineItemsPage[]>;
  /** The next page of one order's line items; null for an unknown order. */
  orderLineItemsPage(orderId: string, after: string, call: CallOptions): Promise<LineItemsPage | null>;
  /**
   * `orderUpdate` (note, tags): a 200 with `userErrors` is a failed write,
   * BAD_USER_INPUT with `extensions.fields`. It sets values, so it may be retried.
   */
  updateOrder(
    id: string,
    changes: { note?: string | null | undefined; tags?: readonly string[] | undefined },
    call: CallOptions,
  ): Promise<ShopifyOrder>;
}

/** The wait a THROTTLED body asks for: until the bucket holds the requested cost again. */
export function throttleWaitMs(body: unknown): number | undefined {
  const errors = ShopifyErrorsEnvelope.safeParse(body);
  if (!errors.success || !errors.data.errors.some((e) => e.extensions?.code === 'THROTTLED')) {
    return undefined;
  }
  const extensions = (body as { extensions?: { cost?: unknown } }).extensions;
  const cost = ShopifyCost.safeParse(extensions?.cost);
  // A throttle without cost data (never seen, but cheap to survive): wait a second.
  if (!cost.success || cost.data.throttleStatus.restoreRate <= 0) return 1000;
  const { requestedQueryCost } = cost.data;
  const { currentlyAvailable, restoreRate } = cost.data.throttleStatus;
  const deficit = Math.max(0, requestedQueryCost - currentlyAvailable);
  // A little over the exact refill time, so the retry does not arrive a hair early.
  return Math.ceil((deficit / restoreRate) * 1000) + 25;
}

/**
 * Retry decision for the shared upstream layer: a THROTTLED body asks for a wait
 * computed from its cost data. (The layer only consults this for statuses >= 400;
 * Shopify answers THROTTLED with 200, which the client retries itself.)
 */
export function shopifyRetryHint(response: UpstreamResponse): RetryHint | undefined {
  const wait = throttleWaitMs(response.json);
  return wait === undefined ? undefined : { retry: true, afterMs: wait };
}

function httpFailure(response: UpstreamResponse): GatewayError {
  const parsed = ShopifyHttpErrorBody.safeParse(response.json);
  let message: string | undefined;
  if (parsed.success) {
    const { errors } = parsed.data;
    if (typeof errors === 'string') message = errors;
    else if (Array.isArray(errors)) message = errors.map((e) => e.message).join('; ');
    else message = JSON.stringify(errors);
  }
  if (response.status === 404) {
    // The one endpoint exists on every shop: a 404 means a wrong shop domain or API version, not a missing object.
    const check = 'Check SHOPIFY_SHOP_DOMAIN (or SHOPIFY_BASE_URL) and SHOPIFY_API_VERSION.';
    return new GatewayError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      `Shopify answered 404 for the GraphQL Admin endpoint${message ? `: ${message}` : ''}. ${check}`,
      {
        source,
        details: { upstreamStatus: 404 },
        publicMessage: `Shopify answered 404 for the GraphQL Admin endpoint. ${check}`,
      },
    );
  }
  return upstreamError({
    source,
    title,
    response,
    message,
    credentialsVariable: 'SHOPIFY_ACCESS_TOKEN',
  });
}

/** GraphQL error codes that mean a value the gateway passed on from its client was refused. */
const INPUT_CODES: ReadonlySet<string> = new Set([
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'argumentLiteralsIncompatible',
  'INVALID_CURSOR',
]);

function graphqlFailure(
  errors: readonly { message: string; extensions?: { code?: string | undefined } | undefined }[],
  response: UpstreamResponse,
  operation: string,
): GatewayError {
  const first = errors[0];
  const code = upstreamIdentifier(first?.extensions?.code);
  const said = errors.map((e) => e.message.split('\n')[0] ?? '').join('; ');
  const details: Record<string, unknown> = { upstreamStatus: response.status, operation };
  if (code !== undefined) details['upstreamCode'] = code;
  const requestId = upstreamIdentifier(response.headers['x-request-id']);
  if (requestId) details['upstreamRequestId'] = requestId;
  // The message ends with Shopify's own text; production shows it without (`publicMessage`).
  const error = (errorCode: ErrorCode, message: (said: string) => string): GatewayError =>
    new GatewayError(errorCode, message(`: ${said}`), { source, details, publicMessage: message('') });
  if (code !== undefined && INPUT_CODES.has(code)) {
    return error(ErrorCode.BAD_USER_INPUT, (text) => `Shopify refused the request${text}`);
  }
  if (code === 'ACCESS_DENIED') {
    return error(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      (text) =>
        `Shopify denied access for ${operation}${text}. Check that SHOPIFY_ACCESS_TOKEN has the read_orders and read_customers scopes.`,
    );
  }
  if (code === 'INTERNAL_SERVER_ERROR' || code === 'SHOP_INACTIVE') {
    return error(ErrorCode.UPSTREAM_UNAVAILABLE, (text) => `Shopify failed ${operation}${text}`);
  }
  return error(ErrorCode.UPSTREAM_BAD_RESPONSE, (text) => `Shopify answered ${operation} with errors${text}`);
}

function rateLimited(response: UpstreamResponse, waitMs: number, operation: string): GatewayError {
  return new GatewayError(
    ErrorCode.UPSTREAM_RATE_LIMITED,
    `Shopify is throttling the gateway (THROTTLED) and its query-cost bucket would not refill in time for ${operation} (about ${Math.ceil(waitMs / 1000)} s needed).`,
    { source, details: { upstreamStatus: response.status, upstreamCode: 'THROTTLED', retryAfterMs: waitMs } },
  );
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Shopify's search syntax quotes a value in double quotes, escaping `\` and `"` with a backslash. */
export function searchValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Fallback budget for a throttle wait when the caller gave no deadline (the gateway always does). */
const DEFAULT_BUDGET_MS = 10_000;

/** Builds the client over the shared upstream layer. */
export function createShopifyClient(upstream: Upstream, config: ShopifyConfig): ShopifyClient {
  const path = `/admin/api/${config.SHOPIFY_API_VERSION}/graphql.json`;

  async function execute<T extends z.ZodType>(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    data: T,
    call: CallOptions,
  ): Promise<z.infer<T>> {
    const body = JSON.stringify({ query, variables });
    const deadline = call.deadline ?? Date.now() + DEFAULT_BUDGET_MS;
    for (let throttled = 0; ; throttled++) {
      const response = await upstream.request({
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
        operation,
        // Queries are read-only, hence safe to retry.
        idempotent: true,
        deadline: call.deadline,
        signal: call.signal,
        retryBudget: call.retryBudget,
      });
      if (response.status !== 200) throw httpFailure(response);
      const failed = ShopifyErrorsEnvelope.safeParse(response.json);
      if (failed.success) {
        const waitMs = throttleWaitMs(response.json);
        if (waitMs === undefined) throw graphqlFailure(failed.data.errors, response, operation);
        if (throttled >= MAX_THROTTLE_RETRIES || Date.now() + waitMs >= deadline) {
          throw rateLimited(response, waitMs, operation);
        }
        await sleep(waitMs, call.signal);
        continue;
      }
      const envelope = parseUpstream(z.looseObject({ data }), response, { source, title, operation });
      return envelope.data as z.infer<T>;
    }
  }

  const toPage = (connection: z.infer<typeof OrderEdges>): OrderPage => ({
    edges: connection.edges.map((e) => ({ cursor: e.cursor, node: e.node })),
    hasNextPage: connection.pageInfo.hasNextPage,
    hasPreviousPage: connection.pageInfo.hasPreviousPage,
  });
  const toLineItems = (order: z.infer<typeof OrderLineItems>): LineItemsPage => ({
    orderId: order.id,
    lineItems: order.lineItems.nodes,
    hasNextPage: order.lineItems.pageInfo.hasNextPage,
    endCursor: order.lineItems.pageInfo.endCursor,
  });
  const present = <T>(items: readonly (T | null)[]): T[] => items.filter((i): i is T => i !== null);

  return {
    async updateOrder(id, changes, call) {
      const data = await execute(
        'orders.update',
        ORDER_UPDATE,
        { input: { id, ...changes } },
        OrderUpdatePayload,
        call,
      );
      const payload = data.orderUpdate;
      if (payload === null) {
        throw new GatewayError(
          ErrorCode.UPSTREAM_BAD_RESPONSE,
          'Shopify answered orderUpdate with no payload.',
          {
            source,
          },
        );
      }
      if (payload.order === null && payload.userErrors.every((e) => e.field?.[0] === 'id')) {
        throw new GatewayError(ErrorCode.UPSTREAM_NOT_FOUND, `Shopify has no order ${JSON.stringify(id)}.`, {
          source,
          details: { upstreamCode: 'USER_ERRORS' },
        });
      }
      if (payload.userErrors.length > 0 || payload.order === null) {
        const fields = payload.userErrors.map((e) => ({ field: argumentOf(e.field), message: e.message }));
        throw invalidFields(
          title,
          fields.length > 0 ? fields : [{ field: 'id', message: 'Order does not exist' }],
          {
            source,
            details: { upstreamCode: 'USER_ERRORS' },
          },
        );
      }
      return payload.order;
    },
    async ordersOfCustomers(params, call) {
      const data = await execute(
        'orders.ofCustomers',
        ORDERS_OF_CUSTOMERS,
        { first: params.first, after: params.after ?? null, query: params.query },
        z.looseObject({ orders: OrderEdges }),
        call,
      );
      return toPage(data.orders);
    },
    async listOrders(params, call) {
      const data = await execute(
        'orders.list',
        ORDERS,
        { first: params.first, after: params.after ?? null, query: params.query ?? null },
        z.looseObject({ orders: OrderEdges }),
        call,
      );
      return toPage(data.orders);
    },
    async ordersByIds(ids, call) {
      if (ids.length === 0) return [];
      const data = await execute(
        'orders.nodes',
        ORDERS_BY_ID,
        { ids },
        z.looseObject({ nodes: nodeList(ShopifyOrder) }),
        call,
      );
      return present(data.nodes);
    },
    async customersByIds(ids, call) {
      if (ids.length === 0) return [];
      const data = await execute(
        'customers.nodes',
        CUSTOMERS_BY_ID,
        { ids },
        z.looseObject({ nodes: nodeList(ShopifyCustomer) }),
        call,
      );
      return present(data.nodes);
    },
    async customersByEmails(emails, call) {
      if (emails.length === 0) return [];
      const query = emails.map((email) => `email:${searchValue(email)}`).join(' OR ');
      const data = await execute(
        'customers.byEmail',
        CUSTOMERS_BY_EMAIL,
        // Emails are unique per shop, so a page as large as the batch holds every match.
        { first: Math.min(MAX_PAGE_SIZE, emails.length), query },
        z.looseObject({ customers: nodesConnection(ShopifyCustomer) }),
        call,
      );
      return data.customers.nodes;
    },
    async customerOrders(params, call) {
      const data = await execute(
        'customer.orders',
        CUSTOMER_ORDERS,
        { id: params.customerId, first: params.first, after: params.after ?? null },
        z.looseObject({ customer: z.looseObject({ id: z.string(), orders: OrderEdges }).nullable() }),
        call,
      );
      return data.customer === null ? null : toPage(data.customer.orders);
    },
    async customersFirstOrders(customerIds, first, call) {
      const pages = new Map<string, OrderPage>();
      if (customerIds.length === 0) return pages;
      const data = await execute(
        'customers.orders',
        CUSTOMERS_ORDERS,
        { ids: customerIds, first },
        z.looseObject({ nodes: nodeList(z.looseObject({ id: z.string(), orders: OrderEdges })) }),
        call,
      );
      for (const customer of present(data.nodes)) pages.set(customer.id, toPage(customer.orders));
      return pages;
    },
    async orderLineItems(orderIds, call) {
      if (orderIds.length === 0) return [];
      const data = await execute(
        'orders.lineItems',
        ORDER_LINE_ITEMS,
        { ids: orderIds, first: LINE_ITEMS_PER_ORDER },
        z.looseObject({ nodes: nodeList(OrderLineItems) }),
        call,
      );
      return present(data.nodes).map(toLineItems);
    },
    async orderLineItemsPage(orderId, after, call) {
      const data = await execute(
        'order.lineItems',
        ORDER_LINE_ITEMS_PAGE,
        { id: orderId, first: LINE_ITEMS_PAGE, after },
        z.looseObject({ order: OrderLineItems.nullable() }),
        call,
      );
      return data.order === null ? null : toLineItems(data.order);
    },
  };
}
