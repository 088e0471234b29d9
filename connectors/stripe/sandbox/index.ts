/**
 * The Stripe emulator: Stripe's REST wire format (API version {@link API_VERSION})
 * for customers, subscriptions, invoices and events, over the shared demo world,
 * with Stripe's auth, errors, pagination and signed webhooks.
 */
import { randomBase62, seededRandom } from '../../../src/sandbox/demo-world.ts';
import { queryList, startHttpEmulator } from '../../../src/sandbox/http-emulator.ts';
import type { EmulatorRequest, EmulatorResponse, Route } from '../../../src/sandbox/http-emulator.ts';
import { credentialRandom } from '../../../src/sandbox/credentials.ts';
import type { ConnectorSandbox, RunningSandbox, SandboxOptions } from '../../../src/sandbox/types.ts';
import type { DemoWorld } from '../../../src/sandbox/world.ts';
import { API_VERSION, createIdFactory } from './objects.ts';
import type {
  InvoiceStatus,
  StripeCustomer,
  StripeInvoiceLine,
  StripeList,
  SubscriptionStatus,
} from './objects.ts';
import { createReactor } from './react.ts';
import { stripeWriteRoutes } from './writes.ts';
import { seedStore } from './seed.ts';
import type { Collection } from './store.ts';
import {
  StripeApiError,
  StripeStore,
  checkParams,
  invalidParam,
  paginate,
  parseLimit,
  rangeFilter,
  resourceMissing,
} from './store.ts';

export { API_VERSION } from './objects.ts';
export { signStripePayload } from './react.ts';

const SUPPORT = 'https://support.stripe.com/';

const MISSING_KEY =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.";

/** Stripe's way of echoing a wrong key: the mode prefix, stars, and the last four characters. */
export function maskApiKey(key: string): string {
  const prefix = /^(sk|rk|pk)_(test|live)_/.exec(key)?.[0] ?? '';
  const rest = key.slice(prefix.length);
  const shown = rest.slice(-4);
  return `${prefix}${'*'.repeat(Math.max(0, rest.length - shown.length))}${shown}`;
}

function unauthorized(message: string): EmulatorResponse {
  return {
    status: 401,
    body: { error: { message, type: 'invalid_request_error' } },
    headers: { 'WWW-Authenticate': 'Basic realm="Stripe"' },
  };
}

/** Accepts `Authorization: Bearer <key>` or Basic with the key as user name, as Stripe does. */
function authorizer(apiKey: string) {
  return (request: EmulatorRequest): EmulatorResponse | undefined => {
    const header = request.headers.authorization?.trim() ?? '';
    let key = '';
    const bearer = /^Bearer\s+(.*)$/i.exec(header);
    const basic = /^Basic\s+(.*)$/i.exec(header);
    if (bearer !== null) key = (bearer[1] ?? '').trim();
    else if (basic !== null) {
      const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
      key = decoded.split(':')[0] ?? '';
    }
    if (key === '') return unauthorized(MISSING_KEY);
    if (key !== apiKey) return unauthorized(`Invalid API Key provided: ${maskApiKey(key)}`);
    return undefined;
  };
}

/** Stripe's error body for a status the emulator answers by itself (injected faults, unknown URLs). */
export function stripeErrorBody(status: number, message: string): { error: Record<string, string> } {
  if (status === 429) {
    return {
      error: {
        code: 'rate_limit',
        doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
        message:
          'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
        type: 'invalid_request_error',
      },
    };
  }
  if (status >= 500) {
    return {
      error: {
        message: `An unknown error occurred. Please try again, or contact us at ${SUPPORT} if the problem persists.`,
        type: 'api_error',
      },
    };
  }
  if (status === 401) return { error: { message: MISSING_KEY, type: 'invalid_request_error' } };
  if (status === 402) {
    return {
      error: {
        code: 'card_declined',
        decline_code: 'generic_decline',
        doc_url: 'https://stripe.com/docs/error-codes/card-declined',
        message: 'Your card was declined.',
        type: 'card_error',
      },
    };
  }
  if (status === 409) {
    return {
      error: {
        code: 'lock_timeout',
        doc_url: 'https://stripe.com/docs/error-codes/lock-timeout',
        message:
          'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request.',
        type: 'invalid_request_error',
      },
    };
  }
  if (status === 404 && message.startsWith('Unrecognized request URL')) {
    return {
      error: {
        message: `${message} Please see https://stripe.com/docs or we can help at ${SUPPORT}.`,
        type: 'invalid_request_error',
      },
    };
  }
  return { error: { message, type: 'invalid_request_error' } };
}

const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'expand'] as const;
const INVOICE_STATUSES: readonly InvoiceStatus[] = ['draft', 'open', 'paid', 'uncollectible', 'void'];
const SUBSCRIPTION_STATUSES = [
  'active',
  'all',
  'canceled',
  'ended',
  'incomplete',
  'incomplete_expired',
  'past_due',
  'paused',
  'trialing',
  'unpaid',
] as const;

/** Wraps a handler: `expand[]`, and Stripe errors as `{ error }` bodies. */
function endpoint(store: StripeStore, handler: (request: EmulatorRequest) => unknown): Route['handler'] {
  return (request) => {
    try {
      const body = handler(request);
      return { status: 200, body: store.expand(body, queryList(request.query, 'expand')) };
    } catch (error) {
      if (error instanceof StripeApiError) return { status: error.status, body: { error: error.body } };
      throw error;
    }
  };
}

function optionalString(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === '' ? undefined : value;
}

interface SearchClause {
  negate: boolean;
  field: string;
  op: ':' | '~' | '>' | '<' | '>=' | '<=';
  value: string;
}

/** Stripe's search query language, for customers: `email:'a@b.c' AND name~'ali'`, `created>1700000000`. */
function parseSearch(query: string): { clauses: SearchClause[]; joiner: 'AND' | 'OR' } {
  const invalid = () =>
    invalidParam(
      'query',
      `We were unable to parse your search query. Try using the format \`metadata["key"]:"value"\` to query for metadata or \`key:"value"\` to query for other fields.`,
    );
  const clause =
    /^\s*(-?)(email|name|phone|created|metadata\[['"][^'"]+['"]\])\s*(:|~|>=|<=|>|<)\s*(?:'([^']*)'|"([^"]*)"|(\d+))\s*/;
  const clauses: SearchClause[] = [];
  const joiners = new Set<'AND' | 'OR'>();
  let rest = query;
  for (;;) {
    const match = clause.exec(rest);
    if (match === null) {
      const field = /^\s*-?([a-z_]+)/.exec(rest)?.[1];
      if (field !== undefined && !['email', 'name', 'phone', 'created', 'metadata'].includes(field)) {
        throw invalidParam(
          'query',
          `Field \`${field}\` is an unsupported search field for resource \`customers\`. See http://stripe.com/docs/search#query-fields-for-customers for a list of supported fields.`,
        );
      }
      throw invalid();
    }
    clauses.push({
      negate: match[1] === '-',
      field: match[2] ?? '',
      op: (match[3] ?? ':') as SearchClause['op'],
      value: match[4] ?? match[5] ?? match[6] ?? '',
    });
    rest = rest.slice(match[0].length);
    if (rest.trim() === '') break;
    const joiner = /^(AND|OR)\s+/.exec(rest);
    if (joiner === null) throw invalid();
    joiners.add(joiner[1] as 'AND' | 'OR');
    rest = rest.slice(joiner[0].length);
  }
  if (joiners.size > 1) {
    throw invalidParam('query', 'Combining AND and OR in the same search query is not supported.');
  }
  return { clauses, joiner: joiners.has('OR') ? 'OR' : 'AND' };
}

function matchesClause(customer: StripeCustomer, clause: SearchClause): boolean {
  let result: boolean;
  if (clause.field === 'created') {
    const n = Number(clause.value);
    const c = customer.created;
    result =
      clause.op === '>'
        ? c > n
        : clause.op === '<'
          ? c < n
          : clause.op === '>='
            ? c >= n
            : clause.op === '<='
              ? c <= n
              : c === n;
  } else {
    let actual: string | null | undefined;
    if (clause.field.startsWith('metadata')) {
      const key = /^metadata\[['"]([^'"]+)['"]\]$/.exec(clause.field)?.[1] ?? '';
      actual = customer.metadata[key];
    } else actual = customer[clause.field as 'email' | 'name' | 'phone'];
    const a = (actual ?? '').toLowerCase();
    const v = clause.value.toLowerCase();
    if (clause.op === '~') {
      if (v.length < 3) throw invalidParam('query', 'Substring search requires at least 3 characters.');
      result = actual != null && a.includes(v);
    } else result = actual != null && a === v;
  }
  return clause.negate ? !result : result;
}

function listLines(invoiceLines: StripeList<StripeInvoiceLine>, query: URLSearchParams, url: string) {
  const limit = parseLimit(query);
  const lines = invoiceLines.data;
  const after = optionalString(query, 'starting_after');
  const before = optionalString(query, 'ending_before');
  const cursor = after ?? before;
  let start = 0;
  let end = lines.length;
  if (cursor !== undefined) {
    const index = lines.findIndex((line) => line.id === cursor);
    if (index < 0) {
      throw resourceMissing(
        400,
        'line item',
        cursor,
        after !== undefined ? 'starting_after' : 'ending_before',
      );
    }
    if (after !== undefined) start = index + 1;
    else end = index;
  }
  const data =
    before !== undefined ? lines.slice(Math.max(start, end - limit), end) : lines.slice(start, start + limit);
  const hasMore = before !== undefined ? end - limit > start : start + limit < end;
  return { object: 'list', data, has_more: hasMore, url };
}

function routes(store: StripeStore): Route[] {
  const get = (path: string, handler: (request: EmulatorRequest) => unknown): Route => ({
    method: 'GET',
    path,
    handler: endpoint(store, handler),
  });
  const retrieve =
    <T extends { id: string; created: number }>(collection: Collection<T>) =>
    (request: EmulatorRequest): T => {
      checkParams(request.query, ['expand']);
      const id = request.params['id'] ?? '';
      const found = collection.get(id);
      if (found === undefined) throw resourceMissing(404, collection.resource, id, 'id');
      return found;
    };

  return [
    get('/v1/customers/search', ({ query }) => {
      checkParams(query, ['query', 'limit', 'page', 'expand']);
      const q = query.get('query');
      if (q === null || q.trim() === '') throw invalidParam('query', 'Missing required param: query.');
      const limit = parseLimit(query);
      const { clauses, joiner } = parseSearch(q);
      const page = optionalString(query, 'page');
      let offset = 0;
      if (page !== undefined) {
        const decoded = /^page_(\d+)$/.exec(Buffer.from(page, 'base64url').toString('utf8'))?.[1];
        if (decoded === undefined) throw invalidParam('page', `Invalid page: ${page}`);
        offset = Number(decoded);
      }
      const hits = store.customers
        .all()
        .filter((c) =>
          joiner === 'AND'
            ? clauses.every((clause) => matchesClause(c, clause))
            : clauses.some((clause) => matchesClause(c, clause)),
        );
      const data = hits.slice(offset, offset + limit);
      const hasMore = offset + limit < hits.length;
      return {
        object: 'search_result',
        data,
        has_more: hasMore,
        next_page: hasMore ? Buffer.from(`page_${offset + limit}`).toString('base64url') : null,
        url: '/v1/customers/search',
      };
    }),
    get('/v1/customers', ({ query }) => {
      checkParams(query, [...LIST_PARAMS, 'email', 'created', 'test_clock']);
      const email = optionalString(query, 'email');
      const created = rangeFilter(query, 'created');
      return paginate(
        store.customers,
        query,
        '/v1/customers',
        (c) => (email === undefined || c.email === email) && (created === undefined || created(c.created)),
      );
    }),
    get('/v1/customers/:id', (request) => {
      checkParams(request.query, ['expand']);
      const id = request.params['id'] ?? '';
      const customer = store.customerView(id);
      if (customer === undefined) throw resourceMissing(404, 'customer', id, 'id');
      return customer;
    }),
    get('/v1/invoices', ({ query }) => {
      checkParams(query, [
        ...LIST_PARAMS,
        'customer',
        'subscription',
        'status',
        'collection_method',
        'created',
        'due_date',
      ]);
      const customer = optionalString(query, 'customer');
      const subscription = optionalString(query, 'subscription');
      const status = optionalString(query, 'status');
      if (status !== undefined && !INVOICE_STATUSES.includes(status as InvoiceStatus)) {
        throw invalidParam(
          'status',
          `Invalid status: must be one of draft, open, paid, uncollectible, or void`,
        );
      }
      const method = optionalString(query, 'collection_method');
      const created = rangeFilter(query, 'created');
      const due = rangeFilter(query, 'due_date');
      return paginate(
        store.invoices,
        query,
        '/v1/invoices',
        (i) =>
          (customer === undefined || i.customer === customer) &&
          (subscription === undefined || i.subscription === subscription) &&
          (status === undefined || i.status === status) &&
          (method === undefined || i.collection_method === method) &&
          (created === undefined || created(i.created)) &&
          (due === undefined || (i.due_date !== null && due(i.due_date))),
      );
    }),
    get('/v1/invoices/:id', retrieve(store.invoices)),
    get('/v1/invoices/:id/lines', (request) => {
      checkParams(request.query, [...LIST_PARAMS]);
      const id = request.params['id'] ?? '';
      const invoice = store.invoices.get(id);
      if (invoice === undefined) throw resourceMissing(404, 'invoice', id, 'invoice');
      return listLines(invoice.lines, request.query, `/v1/invoices/${id}/lines`);
    }),
    get('/v1/subscriptions', ({ query }) => {
      checkParams(query, [
        ...LIST_PARAMS,
        'customer',
        'price',
        'status',
        'collection_method',
        'created',
        'current_period_start',
        'current_period_end',
        'test_clock',
      ]);
      const customer = optionalString(query, 'customer');
      const price = optionalString(query, 'price');
      const status = optionalString(query, 'status');
      if (status !== undefined && !(SUBSCRIPTION_STATUSES as readonly string[]).includes(status)) {
        throw invalidParam('status', `Invalid status: must be one of ${SUBSCRIPTION_STATUSES.join(', ')}`);
      }
      const method = optionalString(query, 'collection_method');
      const created = rangeFilter(query, 'created');
      const periodStart = rangeFilter(query, 'current_period_start');
      const periodEnd = rangeFilter(query, 'current_period_end');
      const statusMatches = (s: SubscriptionStatus): boolean => {
        if (status === undefined) return s !== 'canceled' && s !== 'incomplete_expired';
        if (status === 'all') return true;
        if (status === 'ended') return s === 'canceled' || s === 'incomplete_expired';
        return s === status;
      };
      return paginate(
        store.subscriptions,
        query,
        '/v1/subscriptions',
        (s) =>
          statusMatches(s.status) &&
          (customer === undefined || s.customer === customer) &&
          (price === undefined || s.items.data.some((item) => item.price.id === price)) &&
          (method === undefined || s.collection_method === method) &&
          (created === undefined || created(s.created)) &&
          (periodStart === undefined || periodStart(s.current_period_start)) &&
          (periodEnd === undefined || periodEnd(s.current_period_end)),
      );
    }),
    get('/v1/subscriptions/:id', retrieve(store.subscriptions)),
    get('/v1/events', ({ query }) => {
      checkParams(query, [...LIST_PARAMS, 'type', 'types', 'created', 'delivery_success']);
      const type = optionalString(query, 'type');
      const types = queryList(query, 'types');
      const created = rangeFilter(query, 'created');
      const typeMatches = (t: string): boolean => {
        if (type !== undefined) {
          // `type` accepts a trailing wildcard (`invoice.*`).
          return type.endsWith('*') ? t.startsWith(type.slice(0, -1)) : t === type;
        }
        return types.length === 0 || types.includes(t);
      };
      return paginate(
        store.events,
        query,
        '/v1/events',
        (e) => typeMatches(e.type) && (created === undefined || created(e.created)),
      );
    }),
    get('/v1/events/:id', retrieve(store.events)),
    get('/v1/prices/:id', retrieve(store.prices)),
    get('/v1/products/:id', retrieve(store.products)),
  ];
}

/** A running Stripe emulator, with its store exposed for tests. */
export interface RunningStripeSandbox extends RunningSandbox {
  store: StripeStore;
  apiKey: string;
  webhookSecret: string;
}

/** Starts the Stripe emulator over `world`. Same world seed, same data and ids; credentials are random per process. */
export async function startStripeSandbox(
  world: DemoWorld,
  options: SandboxOptions = {},
): Promise<RunningStripeSandbox> {
  const random = seededRandom(world.seed, 'stripe');
  const ids = createIdFactory(random);
  const store = new StripeStore();
  const catalog = seedStore(store, ids, random, world);
  const apiKey = `sk_test_sandbox_${randomBase62(credentialRandom, 24)}`;
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBase62(credentialRandom, 32)}`;
  const react = createReactor(store, ids, catalog, webhookSecret);

  const server = await startHttpEmulator({
    name: 'stripe',
    routes: [
      ...stripeWriteRoutes({
        store,
        react,
        emit: (make) => options.emit?.(make),
        requestId: () => ids.short('req'),
      }),
      ...routes(store),
    ],
    authorize: authorizer(apiKey),
    errorBody: stripeErrorBody,
    errorHeaders: (status): Record<string, string> =>
      status === 429 || status === 409 || status >= 500 ? { 'Stripe-Should-Retry': 'true' } : {},
    requestIdHeader: 'Request-Id',
    headers: {
      'Stripe-Version': API_VERSION,
      'Cache-Control': 'no-cache, no-store',
      Server: 'nginx',
    },
    jsonIndent: 2,
    // Valid JSON in the wrong shape: the connector's schemas, not JSON.parse, must catch it.
    malformedBody: () =>
      '{\n  "object": "list",\n  "url": 42,\n  "has_more": "maybe",\n  "data": {"id": null}\n}',
  });

  return {
    env: {
      STRIPE_BASE_URL: server.baseUrl,
      STRIPE_API_KEY: apiKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_VERSION: API_VERSION,
    },
    baseUrl: server.baseUrl,
    counters: server.counters,
    resetCounters: server.resetCounters,
    faults: server.faults,
    react: (change) => react(change),
    close: server.close,
    store,
    apiKey,
    webhookSecret,
  };
}

/** The Stripe connector's sandbox. */
export const stripeSandbox: ConnectorSandbox = { start: startStripeSandbox };
