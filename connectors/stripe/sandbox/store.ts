/**
 * The emulator's data and Stripe's read semantics over it: retrieval, lists
 * with cursor pagination and filters, search, and `expand[]`.
 */
import type {
  DeletedCustomer,
  StripeCustomer,
  StripeEvent,
  StripeInvoice,
  StripeList,
  StripePrice,
  StripeProduct,
  StripeSubscription,
} from './objects.ts';

/** A Stripe API error, thrown by the store and rendered by the routes as `{ error: {...} }`. */
export class StripeApiError extends Error {
  readonly status: number;
  readonly body: {
    code?: string;
    doc_url?: string;
    message: string;
    param?: string;
    type: string;
  };

  constructor(status: number, body: StripeApiError['body']) {
    super(body.message);
    this.status = status;
    this.body = body;
  }
}

/** 400 `invalid_request_error` for a parameter. */
export function invalidParam(param: string, message: string): StripeApiError {
  return new StripeApiError(400, { message, param, type: 'invalid_request_error' });
}

/** `resource_missing`, as Stripe words it (`No such customer: 'cus_x'`). */
export function resourceMissing(status: number, resource: string, id: string, param: string): StripeApiError {
  return new StripeApiError(status, {
    code: 'resource_missing',
    doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
    message: `No such ${resource}: '${id}'`,
    param,
    type: 'invalid_request_error',
  });
}

interface Listable {
  id: string;
  created: number;
}

/** Newest first; ties by id, descending, so that pagination is a total order. */
function compareDesc(a: Listable, b: Listable): number {
  if (a.created !== b.created) return b.created - a.created;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** One kind of object, kept in Stripe's list order. */
export class Collection<T extends Listable> {
  readonly resource: string;
  readonly byId = new Map<string, T>();
  private sorted: T[] | undefined;

  /** `resource` is the name in Stripe's messages (`customer`, `invoice`). */
  constructor(resource: string) {
    this.resource = resource;
  }

  put(item: T): void {
    if (!this.byId.has(item.id)) this.sorted = undefined;
    this.byId.set(item.id, item);
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** Every object, newest first. */
  all(): readonly T[] {
    this.sorted ??= [...this.byId.values()].sort(compareDesc);
    return this.sorted;
  }

  get size(): number {
    return this.byId.size;
  }
}

/** Parses Stripe's integer parameters (`limit`, `created[gte]`). */
export function parseInteger(param: string, value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw invalidParam(param, `Invalid integer: ${value}`);
  return Number(value.trim());
}

/** `limit`: 1 to 100, default 10. */
export function parseLimit(query: URLSearchParams): number {
  const raw = query.get('limit');
  if (raw === null || raw === '') return 10;
  const limit = parseInteger('limit', raw);
  if (limit < 1) throw invalidParam('limit', 'This value must be greater than or equal to 1.');
  if (limit > 100) throw invalidParam('limit', 'This value must be less than or equal to 100.');
  return limit;
}

/** A filter from `created`, `created[gt]`, `created[gte]`, `created[lt]`, `created[lte]` (any timestamp field). */
export function rangeFilter(query: URLSearchParams, field: string): ((value: number) => boolean) | undefined {
  const checks: ((value: number) => boolean)[] = [];
  const exact = query.get(field);
  if (exact !== null) {
    const n = parseInteger(field, exact);
    checks.push((v) => v === n);
  }
  const ops: Record<string, (v: number, n: number) => boolean> = {
    gt: (v, n) => v > n,
    gte: (v, n) => v >= n,
    lt: (v, n) => v < n,
    lte: (v, n) => v <= n,
  };
  for (const [op, test] of Object.entries(ops)) {
    const raw = query.get(`${field}[${op}]`);
    if (raw === null) continue;
    const n = parseInteger(`${field}[${op}]`, raw);
    checks.push((v) => test(v, n));
  }
  return checks.length === 0 ? undefined : (value) => checks.every((check) => check(value));
}

/**
 * Rejects parameters the endpoint does not know, as Stripe does
 * (`Received unknown parameter: foo`), so that a connector bug shows here and not in production.
 */
export function checkParams(query: URLSearchParams, allowed: readonly string[]): void {
  for (const key of query.keys()) {
    const base = key.replace(/\[.*$/, '');
    if (!allowed.includes(base)) throw invalidParam(base, `Received unknown parameter: ${base}`);
  }
}

/**
 * One page of `collection` after `filter`, with `starting_after` / `ending_before`
 * positioned by the cursor object's place in the full order (it need not match the filter).
 */
export function paginate<T extends Listable>(
  collection: Collection<T>,
  query: URLSearchParams,
  url: string,
  filter: (item: T) => boolean,
  exists: (id: string) => boolean = (id) => collection.get(id) !== undefined,
): StripeList<T> {
  const limit = parseLimit(query);
  const after = query.get('starting_after') ?? '';
  const before = query.get('ending_before') ?? '';
  if (after !== '' && before !== '') {
    throw invalidParam(
      'ending_before',
      'You may only specify one of these parameters: ending_before, starting_after.',
    );
  }
  const cursorId = after !== '' ? after : before;
  const cursor = cursorId === '' ? undefined : collection.get(cursorId);
  if (cursorId !== '' && (cursor === undefined || !exists(cursorId))) {
    throw resourceMissing(
      400,
      collection.resource,
      cursorId,
      after !== '' ? 'starting_after' : 'ending_before',
    );
  }
  const items = collection.all();
  if (cursor === undefined) {
    const data: T[] = [];
    let hasMore = false;
    for (const item of items) {
      if (!filter(item)) continue;
      if (data.length === limit) {
        hasMore = true;
        break;
      }
      data.push(item);
    }
    return { object: 'list', data, has_more: hasMore, url };
  }
  if (after !== '') {
    const data: T[] = [];
    let hasMore = false;
    for (const item of items) {
      if (compareDesc(item, cursor) <= 0 || !filter(item)) continue;
      if (data.length === limit) {
        hasMore = true;
        break;
      }
      data.push(item);
    }
    return { object: 'list', data, has_more: hasMore, url };
  }
  // ending_before: the `limit` objects just before the cursor, still newest first.
  const preceding = items.filter((item) => compareDesc(item, cursor) < 0 && filter(item));
  const data = preceding.slice(Math.max(0, preceding.length - limit));
  return { object: 'list', data, has_more: preceding.length > limit, url };
}

/** Items of a list Stripe embeds in an object when expanded (a customer's subscriptions). */
const EXPANDED_LIST_LIMIT = 10;

/** Everything the emulator knows, by kind. */
export class StripeStore {
  readonly customers = new Collection<StripeCustomer>('customer');
  readonly deletedCustomers = new Set<string>();
  readonly subscriptions = new Collection<StripeSubscription>('subscription');
  readonly invoices = new Collection<StripeInvoice>('invoice');
  readonly prices = new Collection<StripePrice>('price');
  readonly products = new Collection<StripeProduct>('product');
  readonly events = new Collection<StripeEvent>('event');
  /** World person id to customer id. */
  readonly customerOfPerson = new Map<string, string>();

  /** A customer as `GET /v1/customers/:id` shows it (deleted ones as a stub). */
  customerView(id: string): StripeCustomer | DeletedCustomer | undefined {
    if (this.deletedCustomers.has(id)) return { id, object: 'customer', deleted: true };
    return this.customers.get(id);
  }

  /** Any object by id, for `expand[]`. */
  lookup(id: string): unknown {
    if (id.startsWith('cus_')) return this.customerView(id);
    if (id.startsWith('sub_')) return this.subscriptions.get(id);
    if (id.startsWith('in_')) return this.invoices.get(id);
    if (id.startsWith('price_')) return this.prices.get(id);
    if (id.startsWith('prod_')) return this.products.get(id);
    if (id.startsWith('evt_')) return this.events.get(id);
    return undefined;
  }

  /**
   * Applies `expand[]` paths to a response: each path names id fields to
   * replace with their objects (`customer`, `data.customer`, `items.data.price.product`),
   * at most four levels deep. Never mutates stored objects.
   */
  expand(body: unknown, paths: readonly string[]): unknown {
    let result = body;
    for (const path of paths) {
      const segments = path.split('.');
      const expansions = segments.filter((s) => s !== 'data').length;
      if (expansions > 4) {
        throw invalidParam('expand', `You cannot expand more than 4 levels of a property. Property: ${path}`);
      }
      result = this.expandPath(result, segments, path);
    }
    return result;
  }

  /**
   * A property Stripe leaves out unless expanded: a customer's `subscriptions`,
   * its current (not canceled) subscriptions, newest first, the first 10.
   */
  private includable(record: Record<string, unknown>, head: string): unknown {
    if (head !== 'subscriptions' || record['object'] !== 'customer' || record['deleted'] === true)
      return undefined;
    const id = String(record['id']);
    const current = this.subscriptions
      .all()
      .filter((s) => s.customer === id && s.status !== 'canceled' && s.status !== 'incomplete_expired');
    return {
      object: 'list',
      data: current.slice(0, EXPANDED_LIST_LIMIT),
      has_more: current.length > EXPANDED_LIST_LIMIT,
      total_count: current.length,
      url: `/v1/customers/${id}/subscriptions`,
    };
  }

  private expandPath(value: unknown, segments: readonly string[], path: string): unknown {
    const [head, ...rest] = segments;
    if (head === undefined) return value;
    if (Array.isArray(value)) return value.map((item: unknown) => this.expandPath(item, segments, path));
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    const included = this.includable(record, head);
    if (!(head in record) && included === undefined) {
      throw invalidParam('expand', `This property cannot be expanded (${path}).`);
    }
    let field = included ?? record[head];
    if (typeof field === 'string') {
      const found = this.lookup(field);
      if (found === undefined) throw invalidParam('expand', `This property cannot be expanded (${path}).`);
      field = found;
    } else if (head !== 'data' && rest.length === 0 && field !== null) {
      if (typeof field !== 'object')
        throw invalidParam('expand', `This property cannot be expanded (${path}).`);
    }
    return { ...record, [head]: this.expandPath(field, rest, path) };
  }
}
