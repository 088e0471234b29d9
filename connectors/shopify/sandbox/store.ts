/**
 * The emulator's data and Shopify's read semantics over it: sorted connections
 * with keyset cursors, search filters, and the derived customer totals.
 */
import { GraphQLError } from 'graphql';
import { SPENT_STATUSES, decimal, displayName, isoTime, orderName, total } from './objects.ts';
import type { StoredCustomer, StoredLineItem, StoredOrder } from './objects.ts';
import { compileSearch, numberField, textField, timeField } from './search.ts';
import type { FieldMatcher, SearchWarning } from './search.ts';

/** Shopify's largest page. */
export const MAX_PAGE = 250;

/** Connection arguments every Shopify connection takes. */
export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/** A GraphQL error as Shopify words argument problems. */
export function argumentError(message: string, code = 'BAD_REQUEST'): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

type SortValue = string | number;

/** Shopify's cursors: base64 of `{"last_id":..,"last_value":..}`, a keyset position in one sort order. */
function encodeCursor(id: number, value: SortValue): string {
  return Buffer.from(JSON.stringify({ last_id: id, last_value: value })).toString('base64');
}

function decodeCursor(cursor: string): { id: number; value: SortValue } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const { last_id: id, last_value: value } = parsed as Record<string, unknown>;
      if (typeof id === 'number' && (typeof value === 'string' || typeof value === 'number')) {
        return { id, value };
      }
    }
  } catch {
    // Falls through to the error below.
  }
  throw argumentError(`Invalid cursor for current pagination sort.`, 'BAD_REQUEST');
}

function compareKeys(a: SortValue, aId: number, b: SortValue, bId: number): number {
  if (a !== b) return a < b ? -1 : 1;
  return aId - bId;
}

/**
 * One page of `items` in the order of `sortValue` (then id), ascending unless
 * `reverse`, with Shopify's argument rules: exactly one of `first`/`last`, at most
 * {@link MAX_PAGE}, and keyset cursors valid for this sort.
 */
export function paginate<T extends { id: number }>(
  items: readonly T[],
  args: ConnectionArgs,
  sortValue: (item: T) => SortValue,
): Connection<T> {
  const { first, last } = args;
  if ((first === null || first === undefined) && (last === null || last === undefined)) {
    throw argumentError('you must provide one of first or last');
  }
  if (first !== null && first !== undefined && last !== null && last !== undefined) {
    throw argumentError('providing both first and last is not supported');
  }
  const size = first ?? last ?? 0;
  if (size < 0 || size > MAX_PAGE) {
    throw argumentError(
      `The value of ${first !== null && first !== undefined ? 'first' : 'last'} must be between 0 and ${MAX_PAGE}.`,
    );
  }
  const direction = args.reverse === true ? -1 : 1;
  const sorted = [...items].sort((a, b) => direction * compareKeys(sortValue(a), a.id, sortValue(b), b.id));
  const position = (cursor: string) => {
    const { id, value } = decodeCursor(cursor);
    return (item: T) => direction * compareKeys(sortValue(item), item.id, value, id);
  };
  let start = 0;
  let end = sorted.length;
  if (args.after) {
    const after = position(args.after);
    const index = sorted.findIndex((item) => after(item) > 0);
    start = index < 0 ? sorted.length : index;
  }
  if (args.before) {
    const before = position(args.before);
    const index = sorted.findIndex((item) => before(item) >= 0);
    end = Math.max(start, index < 0 ? sorted.length : index);
  }
  const window = sorted.slice(start, end);
  const page =
    first !== null && first !== undefined
      ? window.slice(0, size)
      : window.slice(Math.max(0, window.length - size));
  const edges = page.map((node) => ({ cursor: encodeCursor(node.id, sortValue(node)), node }));
  const pageStart = start + (first !== null && first !== undefined ? 0 : window.length - page.length);
  return {
    edges,
    nodes: page,
    pageInfo: {
      hasNextPage: pageStart + page.length < sorted.length,
      hasPreviousPage: pageStart > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** Shopify's cursors carry times as `2026-01-01 00:00:00.000000`. */
const cursorTime = (unix: number): string => `${isoTime(unix).replace('T', ' ').replace('Z', '')}.000000`;

export type OrderSortKey =
  'CREATED_AT' | 'ID' | 'PROCESSED_AT' | 'UPDATED_AT' | 'ORDER_NUMBER' | 'TOTAL_PRICE';
export type CustomerSortKey = 'CREATED_AT' | 'ID' | 'NAME' | 'UPDATED_AT';

/** Everything the emulator knows about the shop. */
export class ShopifyStore {
  readonly customers = new Map<number, StoredCustomer>();
  readonly orders = new Map<number, StoredOrder>();
  /** World person id → customer id. */
  readonly customerOfPerson = new Map<string, number>();
  private nextOrderNumber = 1001;

  addCustomer(customer: StoredCustomer): void {
    this.customers.set(customer.id, customer);
    if (customer.personId !== null) this.customerOfPerson.set(customer.personId, customer.id);
  }

  /** Adds an order, giving it the next order number. */
  addOrder(order: Omit<StoredOrder, 'number'>): StoredOrder {
    const stored = { ...order, number: this.nextOrderNumber++ };
    this.orders.set(stored.id, stored);
    return stored;
  }

  customerOrders(customerId: number): StoredOrder[] {
    return [...this.orders.values()].filter((o) => o.customerId === customerId);
  }

  /** `numberOfOrders`: every order the customer placed. */
  numberOfOrders(customerId: number): number {
    return this.customerOrders(customerId).length;
  }

  /** `amountSpent`, in cents: what the shop kept of the customer's orders. */
  amountSpent(customerId: number): number {
    return this.customerOrders(customerId)
      .filter((o) => SPENT_STATUSES.has(o.financialStatus))
      .reduce((sum, o) => sum + total(o), 0);
  }

  private readonly orderFields: Readonly<Record<string, FieldMatcher<StoredOrder>>> = {
    id: numberField((o) => o.id),
    customer_id: numberField((o) => o.customerId),
    email: textField((o) => o.email),
    name: (o, _c, value) => [orderName(o), String(o.number)].some((n) => n === value || `#${value}` === n),
    financial_status: (o, _c, value) => o.financialStatus.toLowerCase() === value.toLowerCase(),
    sku: textField((o) => o.lineItems.map((l) => l.sku)),
    created_at: timeField((o) => o.createdAt),
    processed_at: timeField((o) => o.processedAt),
    updated_at: timeField((o) => o.updatedAt),
  };

  private readonly customerFields: Readonly<Record<string, FieldMatcher<StoredCustomer>>> = {
    id: numberField((c) => c.id),
    email: textField((c) => c.email),
    first_name: textField((c) => c.firstName),
    last_name: textField((c) => c.lastName),
    phone: textField((c) => c.phone),
    state: (c, _comparator, value) => c.state.toLowerCase() === value.toLowerCase(),
    tag: textField((c) => c.tags),
    orders_count: (c, comparator, value) =>
      numberField<StoredCustomer>((x) => this.numberOfOrders(x.id))(c, comparator, value),
    created_at: timeField((c) => c.createdAt),
    updated_at: timeField((c) => c.updatedAt),
  };

  /** Orders matching a search, and the warnings Shopify would give for it. */
  searchOrders(
    query: string | null | undefined,
    within?: readonly StoredOrder[],
  ): { items: StoredOrder[]; warnings: SearchWarning[] } {
    const { test, warnings } = compileSearch(query ?? '', this.orderFields, (o) => [
      orderName(o),
      o.email,
      ...o.lineItems.map((l) => l.title),
    ]);
    return { items: (within ?? [...this.orders.values()]).filter(test), warnings };
  }

  searchCustomers(query: string | null | undefined): { items: StoredCustomer[]; warnings: SearchWarning[] } {
    const { test, warnings } = compileSearch(query ?? '', this.customerFields, (c) => [
      c.email,
      c.firstName,
      c.lastName,
      displayName(c),
    ]);
    return { items: [...this.customers.values()].filter(test), warnings };
  }

  orderSortValue(key: OrderSortKey): (order: StoredOrder) => SortValue {
    switch (key) {
      case 'CREATED_AT':
        return (o) => cursorTime(o.createdAt);
      case 'PROCESSED_AT':
        return (o) => cursorTime(o.processedAt);
      case 'UPDATED_AT':
        return (o) => cursorTime(o.updatedAt);
      case 'ORDER_NUMBER':
        return (o) => o.number;
      case 'TOTAL_PRICE':
        return (o) => decimal(total(o)).padStart(16, '0');
      case 'ID':
        return (o) => o.id;
    }
  }

  customerSortValue(key: CustomerSortKey): (customer: StoredCustomer) => SortValue {
    switch (key) {
      case 'CREATED_AT':
        return (c) => cursorTime(c.createdAt);
      case 'UPDATED_AT':
        return (c) => cursorTime(c.updatedAt);
      case 'NAME':
        return (c) => displayName(c).toLowerCase();
      case 'ID':
        return (c) => c.id;
    }
  }

  /** Line items keep their order in the order; cursors are positions. */
  lineItemSortValue(order: StoredOrder): (line: StoredLineItem) => SortValue {
    return (line) => order.lineItems.indexOf(line);
  }
}
